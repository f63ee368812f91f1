//! Dates and times as agency exports write them. Every export has its own habit
//! (`05/03/2024 14:30`, `05-MAR-2024`, `2024-03-05T14:30:00Z`), so a mapping lists the
//! formats of each date column (strftime patterns, or `iso`) and a cell is read by the
//! first that fits. The result is written in Vigil's own form (`2024-03-05T14:30`, a UK
//! local time, or `2024-03` for a month), with the precision the format gives, so the
//! domain's parsers make the final check and nothing is read twice in two ways.

use jiff::ZonedDateTime;
use jiff::civil::Date;
use jiff::fmt::strtime::{self, BrokenDownTime};
use vigil_domain::{DateOfBirth, OccurredAt};

/// What a date column is read into: each has its own idea of "ISO".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUse {
    /// When something happened: a date, a month, a year, or a time (UK local unless the
    /// format reads an offset).
    Moment,
    /// A date of birth: whole or partial.
    Birth,
    /// A plain calendar date in a record's details (a bail return date).
    Day,
}

/// One way a column writes its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// What the domain reads itself: RFC 3339 and ISO 8601 dates, months and years (and,
    /// for a date of birth, the UK day-first forms).
    Iso,
    /// A strftime pattern such as `%d/%m/%Y %H:%M` (jiff's `strtime` directives).
    Pattern(String),
}

impl DateFormat {
    /// Reads a format as written in a mapping, refusing a pattern jiff cannot use or one
    /// that reads no year (a date without a year cannot be placed in a chronology).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("iso") {
            return Ok(DateFormat::Iso);
        }
        if !text.contains('%') {
            return Err(format!(
                "{text:?} is not a date format: write a strftime pattern such as \"%d/%m/%Y\" or \"%d-%b-%Y %H:%M\", or \"iso\""
            ));
        }
        // A pattern is checked by writing a known moment with it and reading it back.
        let sample: ZonedDateTime = "2024-11-23T14:05:09[Europe/London]"
            .parse()
            .expect("a valid sample time");
        let written = strtime::format(text, &sample)
            .map_err(|error| format!("{text:?} is not a usable date format: {error}"))?;
        let read = strtime::parse(text, &written).map_err(|error| {
            format!("{text:?} cannot read back what it writes ({written:?}): {error}")
        })?;
        if read.year().is_none() {
            return Err(format!(
                "{text:?} reads no year: a date format needs %Y (or %y for two digits)"
            ));
        }
        if read.day().is_some() && read.month().is_none() {
            return Err(format!(
                "{text:?} reads a day but no month: add %m, %b or %B"
            ));
        }
        Ok(DateFormat::Pattern(text.to_string()))
    }

    pub fn as_written(&self) -> &str {
        match self {
            DateFormat::Iso => "iso",
            DateFormat::Pattern(pattern) => pattern,
        }
    }

    /// The cell in Vigil's form, or `None` when this format does not fit it.
    fn read(&self, text: &str, used_for: DateUse) -> Option<Result<String, String>> {
        match self {
            DateFormat::Iso => {
                let fits = match used_for {
                    DateUse::Moment => OccurredAt::parse(text).is_ok(),
                    DateUse::Birth => DateOfBirth::parse(text).is_ok(),
                    DateUse::Day => text.parse::<Date>().is_ok(),
                };
                fits.then(|| Ok(text.to_string()))
            }
            DateFormat::Pattern(pattern) => {
                let read = strtime::parse(pattern, text).ok()?;
                Some(write_vigil_form(&read, text, used_for))
            }
        }
    }
}

/// The formats of one column, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateFormats(pub Vec<DateFormat>);

impl DateFormats {
    pub fn iso() -> Self {
        DateFormats(vec![DateFormat::Iso])
    }

    /// Reads a cell with the first format that fits; the error names them all.
    pub fn read(&self, text: &str, used_for: DateUse) -> Result<String, String> {
        for format in &self.0 {
            if let Some(result) = format.read(text, used_for) {
                return result;
            }
        }
        let names: Vec<String> = self
            .0
            .iter()
            .map(|format| format!("{:?}", format.as_written()))
            .collect();
        Err(format!(
            "{text:?} is not written in {} {}",
            if names.len() == 1 {
                "the format"
            } else {
                "any of the formats"
            },
            names.join(", ")
        ))
    }
}

/// A parsed cell as Vigil writes it, checked against the calendar.
fn write_vigil_form(
    read: &BrokenDownTime,
    text: &str,
    used_for: DateUse,
) -> Result<String, String> {
    let year = read.year().expect("every pattern reads a year");
    let Some(month) = read.month() else {
        return match used_for {
            DateUse::Day => Err(format!("{text:?} gives a year but a full date is needed")),
            _ => Ok(format!("{year:04}")),
        };
    };
    let Some(day) = read.day() else {
        return match used_for {
            DateUse::Day => Err(format!("{text:?} gives a month but a full date is needed")),
            _ => Ok(format!("{year:04}-{month:02}")),
        };
    };
    if Date::new(year, month, day).is_err() {
        return Err(format!("{text:?} is not a date on the calendar"));
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if used_for != DateUse::Moment {
        return Ok(date);
    }
    let Some(hour) = read.hour() else {
        return Ok(date);
    };
    let minute = read.minute().unwrap_or(0);
    let mut moment = format!("{date}T{hour:02}:{minute:02}");
    if let Some(second) = read.second() {
        moment.push_str(&format!(":{second:02}"));
    }
    if let Some(offset) = read.offset() {
        let seconds = offset.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let seconds = seconds.unsigned_abs();
        moment.push_str(&format!(
            "{sign}{:02}:{:02}",
            seconds / 3600,
            (seconds % 3600) / 60
        ));
    }
    Ok(moment)
}
