//! Dates of birth as agencies write them, with their precision kept.
//!
//! A maternity system writes `2021-03-10`, a GP `10/03/2021`, a police officer `March 2021`
//! or only `2021`. A partial date is evidence too, but weaker: so the parsed value keeps
//! which parts were given instead of inventing a day. UK order (day before month) is
//! assumed for slashed dates because every source Vigil takes is British; the
//! comparison separately detects a day/month swap.

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// A date of birth as far as the record gives it. `month` and `day` are `None` when the
/// source gave less precision. `calendar_valid` is false for a full date that does not
/// exist (31 February, month 13): it is kept, because a typo'd date still agrees with
/// its correct version in all but one digit, but it never counts as an exact match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateOfBirth {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub calendar_valid: bool,
}

/// How much of a date of birth was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatePrecision {
    Day,
    Month,
    Year,
}

impl DateOfBirth {
    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }

    /// Eight digits `YYYYMMDD` for a full date, used to count one-digit typos.
    pub fn digits(&self) -> Option<String> {
        match (self.month, self.day) {
            (Some(m), Some(d)) => Some(format!("{:04}{:02}{:02}", self.year, m, d)),
            _ => None,
        }
    }

    fn full(year: u16, month: u8, day: u8) -> Self {
        let calendar_valid =
            (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        DateOfBirth {
            year,
            month: Some(month),
            day: Some(day),
            calendar_valid,
        }
    }
}

impl std::fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{:02}-{:02}", self.year, m, d),
            (Some(m), None) => write!(f, "{:04}-{:02}", self.year, m),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn month_from_name(word: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" { "sep" } else { word };
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|i| i as u8 + 1)
}

fn parse_year(text: &str) -> Option<u16> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok().filter(|y| (1800..=2200).contains(y))
    } else {
        None
    }
}

fn parse_small(text: &str) -> Option<u8> {
    if (1..=2).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// Parses a date of birth in any of the formats agencies use. Returns `None` for text
/// that is not a date (which the record then treats as missing). Full dates whose day or
/// month is out of range are kept with `calendar_valid = false` only when they came as
/// eight plain digits or a clear three-part date with a four-digit year.
pub fn parse_date_of_birth(input: &str) -> Option<DateOfBirth> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return None;
    }
    // Eight plain digits: YYYYMMDD (FEBRL, many exports) or DDMMYYYY.
    if trimmed.len() == 8 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let year_first = parse_year(&trimmed[0..4]);
        let year_last = parse_year(&trimmed[4..8]);
        let ymd = year_first.map(|y| {
            DateOfBirth::full(
                y,
                trimmed[4..6].parse().unwrap_or(0),
                trimmed[6..8].parse().unwrap_or(0),
            )
        });
        let dmy = year_last.map(|y| {
            DateOfBirth::full(
                y,
                trimmed[2..4].parse().unwrap_or(0),
                trimmed[0..2].parse().unwrap_or(0),
            )
        });
        return match (ymd, dmy) {
            (Some(a), Some(b)) if !a.calendar_valid && b.calendar_valid => Some(b),
            (Some(a), _) => Some(a),
            (None, b) => b,
        };
    }
    let parts: Vec<&str> = trimmed
        .split(['/', '-', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [only] => parse_year(only).map(|year| DateOfBirth {
            year,
            month: None,
            day: None,
            calendar_valid: true,
        }),
        [a, b] => {
            // 2021-03, 03/2021, March 2021, Mar-2021.
            let (year, month_text) = if let Some(y) = parse_year(a) {
                (y, *b)
            } else {
                (parse_year(b)?, *a)
            };
            let month = parse_small(month_text)
                .filter(|m| (1..=12).contains(m))
                .or_else(|| month_from_name(&fold(month_text, false)))?;
            Some(DateOfBirth {
                year,
                month: Some(month),
                day: None,
                calendar_valid: true,
            })
        }
        [a, b, c] => {
            if let Some(year) = parse_year(a) {
                // ISO order: YYYY-MM-DD.
                let month = parse_small(b).or_else(|| month_from_name(&fold(b, false)))?;
                let day = parse_small(c)?;
                Some(DateOfBirth::full(year, month, day))
            } else {
                // British order: DD/MM/YYYY, 10 March 2021, 10-Mar-2021.
                let year = parse_year(c)?;
                let day = parse_small(a)?;
                let month = parse_small(b).or_else(|| month_from_name(&fold(b, false)))?;
                Some(DateOfBirth::full(year, month, day))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let got = parse_date_of_birth(input).map(|d| d.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn formats() {
        check("2021-03-10", Some("2021-03-10"));
        check("10/03/2021", Some("2021-03-10"));
        check("1/3/2021", Some("2021-03-01"));
        check("20210310", Some("2021-03-10"));
        check("10032021", Some("2021-03-10"));
        check("10-03-2021", Some("2021-03-10"));
        check("10.03.2021", Some("2021-03-10"));
        check("10 March 2021", Some("2021-03-10"));
        check("10 Mar 2021", Some("2021-03-10"));
        check("March 2021", Some("2021-03"));
        check("Sept 2021", Some("2021-09"));
        check("2021-03", Some("2021-03"));
        check("03/2021", Some("2021-03"));
        check("2021", Some("2021"));
        check("", None);
        check("unknown", None);
        check("13/2021", None);
        check("Ma 2021", None);
        check("1/2/3/4", None);
    }

    #[test]
    fn precision_is_kept() {
        let d = parse_date_of_birth("March 2021").unwrap();
        assert_eq!(d.precision(), DatePrecision::Month);
        assert_eq!(d.digits(), None);
        let d = parse_date_of_birth("2021").unwrap();
        assert_eq!(d.precision(), DatePrecision::Year);
    }

    #[test]
    fn impossible_dates_kept_but_flagged() {
        let d = parse_date_of_birth("19081232").unwrap();
        assert!(!d.calendar_valid);
        assert_eq!(d.digits().as_deref(), Some("19081232"));
        let d = parse_date_of_birth("29/02/2021").unwrap();
        assert!(!d.calendar_valid);
        let d = parse_date_of_birth("29/02/2020").unwrap();
        assert!(d.calendar_valid);
    }
}
