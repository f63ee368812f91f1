//! Dates of birth as agencies hold them: often whole, sometimes only a year or a month
//! ("born March 2021"). The precision is part of the value, because "2021" agreeing
//! with "2021-03-10" is weaker evidence than two whole dates agreeing.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

/// A date of birth, whole or partial. `earliest()` is the first day it can mean.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateOfBirth {
    year: i16,
    month: Option<i8>,
    day: Option<i8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateOfBirthError {
    #[error("write a date of birth as YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY; found {0:?}")]
    Unreadable(String),
    #[error("{0:?} is not a date on the calendar")]
    Impossible(String),
    #[error("a year of birth before 1880 is not plausible; found {0}")]
    ImplausibleYear(i16),
}

impl DateOfBirth {
    /// Reads ISO (`2021-03-10`, `2021-03`, `2021`) and the UK day-first forms agencies
    /// write (`10/03/2021`, `10-03-2021`, `10.03.2021`, `03/2021`).
    pub fn parse(text: &str) -> Result<Self, DateOfBirthError> {
        let text = text.trim();
        let unreadable = || DateOfBirthError::Unreadable(text.to_string());
        // One separator throughout: "10/03-2021" is more likely a slip than a date.
        let separators: Vec<char> = text
            .chars()
            .filter(|c| matches!(c, '-' | '/' | '.'))
            .collect();
        if separators.windows(2).any(|pair| pair[0] != pair[1]) {
            return Err(unreadable());
        }
        let fields: Vec<&str> = text.split(['-', '/', '.']).collect();
        if fields
            .iter()
            .any(|field| field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(unreadable());
        }
        let number = |field: &str| field.parse::<i16>().map_err(|_| unreadable());
        let (year, month, day) = match fields.as_slice() {
            [year] if year.len() == 4 => (number(year)?, None, None),
            [year, month] if year.len() == 4 && month.len() <= 2 => {
                (number(year)?, Some(number(month)?), None)
            }
            [month, year] if year.len() == 4 && month.len() <= 2 => {
                (number(year)?, Some(number(month)?), None)
            }
            [year, month, day] if year.len() == 4 && month.len() <= 2 && day.len() <= 2 => {
                (number(year)?, Some(number(month)?), Some(number(day)?))
            }
            [day, month, year] if year.len() == 4 && month.len() <= 2 && day.len() <= 2 => {
                (number(year)?, Some(number(month)?), Some(number(day)?))
            }
            _ => return Err(unreadable()),
        };
        Self::from_parts(year, month, day).map_err(|error| match error {
            DateOfBirthError::Impossible(_) => DateOfBirthError::Impossible(text.to_string()),
            other => other,
        })
    }

    pub fn from_parts(
        year: i16,
        month: Option<i16>,
        day: Option<i16>,
    ) -> Result<Self, DateOfBirthError> {
        if year < 1880 {
            return Err(DateOfBirthError::ImplausibleYear(year));
        }
        let shown = [Some(year), month, day]
            .iter()
            .flatten()
            .map(|n| format!("{n:02}"))
            .collect::<Vec<_>>()
            .join("-");
        let impossible = || DateOfBirthError::Impossible(shown.clone());
        let month = month
            .map(|m| i8::try_from(m).map_err(|_| impossible()))
            .transpose()?;
        let day = day
            .map(|d| i8::try_from(d).map_err(|_| impossible()))
            .transpose()?;
        Date::new(year, month.unwrap_or(1), day.unwrap_or(1)).map_err(|_| impossible())?;
        if day.is_some() && month.is_none() {
            return Err(impossible());
        }
        Ok(DateOfBirth { year, month, day })
    }

    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    pub fn month(&self) -> Option<i8> {
        self.month
    }

    pub fn day(&self) -> Option<i8> {
        self.day
    }

    /// The first day this date of birth can mean.
    pub fn earliest(&self) -> Date {
        Date::new(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
            .expect("checked when parsed")
    }
}

impl fmt::Display for DateOfBirth {
    /// ISO 8601 at the precision recorded: `2021-03-10`, `2021-03` or `2021`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateOfBirth({self})")
    }
}

impl Serialize for DateOfBirth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateOfBirth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateOfBirth::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_written_forms_and_keeps_precision() {
        let cases = [
            ("2021-03-10", "2021-03-10", DatePrecision::Day),
            ("10/03/2021", "2021-03-10", DatePrecision::Day),
            ("10-03-2021", "2021-03-10", DatePrecision::Day),
            ("1.3.2021", "2021-03-01", DatePrecision::Day),
            ("2021-03", "2021-03", DatePrecision::Month),
            ("03/2021", "2021-03", DatePrecision::Month),
            ("2021", "2021", DatePrecision::Year),
            (" 2000-02-29 ", "2000-02-29", DatePrecision::Day),
        ];
        for (text, shown, precision) in cases {
            let date = DateOfBirth::parse(text).unwrap();
            assert_eq!(date.to_string(), shown, "{text}");
            assert_eq!(date.precision(), precision, "{text}");
            assert_eq!(DateOfBirth::parse(&date.to_string()).unwrap(), date);
        }
    }

    #[test]
    fn refuses_impossible_and_unreadable_dates() {
        for text in [
            "2021-02-30",
            "31/04/2021",
            "2021-13",
            "2021-00-10",
            "1900-02-29",
        ] {
            assert!(
                matches!(
                    DateOfBirth::parse(text),
                    Err(DateOfBirthError::Impossible(_))
                ),
                "{text}"
            );
        }
        for text in [
            "",
            "March 2021",
            "21-03-10",
            "2021/3/10/1",
            "20210310x",
            "10//2021",
            "10/03-2021",
        ] {
            assert!(
                matches!(
                    DateOfBirth::parse(text),
                    Err(DateOfBirthError::Unreadable(_))
                ),
                "{text}"
            );
        }
        assert_eq!(
            DateOfBirth::parse("1066"),
            Err(DateOfBirthError::ImplausibleYear(1066))
        );
    }
}
