//! When something happened, as precisely as the agency knew it. A GP letter may say
//! "seen in June"; a custody record gives the minute. Vigil keeps the precision, reads
//! local times as UK time (Europe/London, so BST is right), and stores instants in UTC.

use std::fmt;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePrecision {
    Year,
    Month,
    Day,
    Minute,
    Second,
}

/// A moment or period: its first instant and how precisely it is known.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OccurredAt {
    start: Timestamp,
    precision: TimePrecision,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OccurredAtError {
    #[error(
        "write a time as RFC 3339 (2022-06-10T14:30:00+01:00 or ...Z), a UK local time (2022-06-10T14:30), a date (2022-06-10), a month (2022-06) or a year (2022); found {0:?}"
    )]
    Unreadable(String),
    #[error("{0:?} is not a date on the calendar")]
    Impossible(String),
    #[error("{0:?} does not exist in UK time (the clocks went forward)")]
    Gap(String),
    #[error("{0:?} is before the year 1; a time is written with a four-digit year")]
    BeforeYearOne(String),
}

/// The first instant whose UTC form has a four-digit year. An earlier one (year 0000 at
/// +14:00, or an extended year such as `-000001`) would be shown with a minus sign,
/// which `parse` does not read back, so it is refused where it arrives.
const FIRST_INSTANT: Timestamp = Timestamp::constant(-62_135_596_800, 0);

/// The zone agencies' local times are in.
pub fn uk_time_zone() -> TimeZone {
    TimeZone::get("Europe/London").expect("the Europe/London zone is bundled with Vigil")
}

impl OccurredAt {
    pub fn parse(text: &str) -> Result<Self, OccurredAtError> {
        let text = text.trim();
        let unreadable = || OccurredAtError::Unreadable(text.to_string());
        let impossible = || OccurredAtError::Impossible(text.to_string());
        if text.contains('T') || text.contains(' ') {
            let has_offset = text.ends_with('Z')
                || text.ends_with('z')
                || text
                    .rsplit_once(['+', '-'])
                    .is_some_and(|(before, _)| before.contains('T') || before.contains(' '));
            // Seconds are given when the clock time, before any offset, has two colons.
            let clock = text.split(['T', ' ']).nth(1).unwrap_or("");
            let clock = clock.split(['Z', 'z', '+', '-']).next().unwrap_or("");
            let seconds_written = clock.matches(':').count() >= 2;
            let start = if has_offset {
                text.parse::<Timestamp>().map_err(|_| unreadable())?
            } else {
                let local: DateTime = text.parse().map_err(|_| unreadable())?;
                let ambiguous = uk_time_zone().to_ambiguous_timestamp(local);
                if matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. }) {
                    return Err(OccurredAtError::Gap(text.to_string()));
                }
                // In the autumn hour that happens twice, the earlier one is taken.
                ambiguous.compatible().map_err(|_| impossible())?
            };
            // A time off the whole minute in UTC names a second even when the text has
            // no seconds field: seconds written without colons (`T143005`), an offset
            // with seconds (`+00:20:21`), or a UK time before 1847, when London kept
            // its own mean time (-00:01:15). Kept to the minute, it would be shown, and
            // so stored, without its seconds and read back as another instant.
            let on_whole_minute = start.as_second() % 60 == 0 && start.subsec_nanosecond() == 0;
            let precision = if seconds_written || !on_whole_minute {
                TimePrecision::Second
            } else {
                TimePrecision::Minute
            };
            return OccurredAt { start, precision }.within_years(text);
        }
        let fields: Vec<&str> = text.split('-').collect();
        if fields
            .iter()
            .any(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(unreadable());
        }
        let number = |field: &str| field.parse::<i16>().map_err(|_| unreadable());
        let (date, precision) = match fields.as_slice() {
            [year] if year.len() == 4 => (Date::new(number(year)?, 1, 1), TimePrecision::Year),
            [year, month] if year.len() == 4 && month.len() == 2 => (
                Date::new(number(year)?, number(month)? as i8, 1),
                TimePrecision::Month,
            ),
            [year, month, day] if year.len() == 4 && month.len() == 2 && day.len() == 2 => (
                Date::new(number(year)?, number(month)? as i8, number(day)? as i8),
                TimePrecision::Day,
            ),
            _ => return Err(unreadable()),
        };
        let date = date.map_err(|_| impossible())?;
        OccurredAt::from_date(date, precision).within_years(text)
    }

    fn within_years(self, text: &str) -> Result<Self, OccurredAtError> {
        if self.start < FIRST_INSTANT {
            return Err(OccurredAtError::BeforeYearOne(text.to_string()));
        }
        Ok(self)
    }

    /// The start of a UK calendar period.
    pub fn from_date(date: Date, precision: TimePrecision) -> Self {
        let start = date
            .to_zoned_datetime(uk_time_zone())
            .expect("every UK date has a first instant")
            .timestamp();
        OccurredAt { start, precision }
    }

    pub fn from_timestamp(start: Timestamp) -> Self {
        OccurredAt {
            start,
            precision: TimePrecision::Second,
        }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn precision(&self) -> TimePrecision {
        self.precision
    }

    /// The UK calendar date of the start.
    pub fn date(&self) -> Date {
        self.start.to_zoned_datetime(uk_time_zone()).date()
    }

    /// The last UK calendar date the period can mean: for "2022-06" that is 30 June.
    pub fn latest_date(&self) -> Date {
        let date = self.date();
        match self.precision {
            TimePrecision::Year => date.last_of_year(),
            TimePrecision::Month => date.last_of_month(),
            _ => date,
        }
    }

    /// Whether the period begins after `now` (allowing a few minutes of clock skew
    /// between an agency's system and Vigil's).
    pub fn is_after(&self, now: Timestamp) -> bool {
        self.start > now.saturating_add(5.minutes()).expect("five minutes fits")
    }
}

impl fmt::Display for OccurredAt {
    /// The same forms `parse` reads: `2022`, `2022-06`, `2022-06-10`, or RFC 3339 in UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.date();
        match self.precision {
            TimePrecision::Year => write!(f, "{:04}", date.year()),
            TimePrecision::Month => write!(f, "{:04}-{:02}", date.year(), date.month()),
            TimePrecision::Day => write!(f, "{date}"),
            TimePrecision::Minute => write!(f, "{}", self.start.strftime("%Y-%m-%dT%H:%MZ")),
            TimePrecision::Second => write!(f, "{}", self.start.strftime("%Y-%m-%dT%H:%M:%S%.fZ")),
        }
    }
}

impl fmt::Debug for OccurredAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OccurredAt({self})")
    }
}

impl Serialize for OccurredAt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OccurredAt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        OccurredAt::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_precision_and_round_trips() {
        let cases = [
            ("2022", "2022", TimePrecision::Year, "2022-01-01T00:00:00Z"),
            (
                "2022-06",
                "2022-06",
                TimePrecision::Month,
                "2022-05-31T23:00:00Z",
            ),
            (
                "2022-06-10",
                "2022-06-10",
                TimePrecision::Day,
                "2022-06-09T23:00:00Z",
            ),
            (
                "2021-12-20",
                "2021-12-20",
                TimePrecision::Day,
                "2021-12-20T00:00:00Z",
            ),
            (
                "2022-06-10T14:30",
                "2022-06-10T13:30Z",
                TimePrecision::Minute,
                "2022-06-10T13:30:00Z",
            ),
            (
                "2022-06-10T14:30:05+01:00",
                "2022-06-10T13:30:05Z",
                TimePrecision::Second,
                "2022-06-10T13:30:05Z",
            ),
            (
                "2022-06-10T13:30:05Z",
                "2022-06-10T13:30:05Z",
                TimePrecision::Second,
                "2022-06-10T13:30:05Z",
            ),
            (
                "2022-06-10 14:30",
                "2022-06-10T13:30Z",
                TimePrecision::Minute,
                "2022-06-10T13:30:00Z",
            ),
            (
                "2022-06-10T14:30+01:00",
                "2022-06-10T13:30Z",
                TimePrecision::Minute,
                "2022-06-10T13:30:00Z",
            ),
            (
                "2022-06-10T13:30:05.25Z",
                "2022-06-10T13:30:05.25Z",
                TimePrecision::Second,
                "2022-06-10T13:30:05.25Z",
            ),
        ];
        for (text, shown, precision, start) in cases {
            let at = OccurredAt::parse(text).unwrap();
            assert_eq!(at.to_string(), shown, "{text}");
            assert_eq!(at.precision(), precision, "{text}");
            assert_eq!(at.start().to_string(), start, "{text}");
            assert_eq!(OccurredAt::parse(&at.to_string()).unwrap(), at, "{text}");
        }
    }

    /// Found by the `date_of_birth` fuzz target: each was read to the minute but its
    /// instant is not on a whole minute, so its display, which is what the store keeps,
    /// read back as a different instant.
    #[test]
    fn a_time_off_the_whole_minute_is_kept_to_the_second() {
        for (text, shown) in [
            ("2022-03-27T01:30+00:20:21", "2022-03-27T01:09:39Z"),
            ("2022-03-27T01:30+002021", "2022-03-27T01:09:39Z"),
            ("1840-06-10T12:00", "1840-06-10T12:01:15Z"),
        ] {
            let at = OccurredAt::parse(text).unwrap();
            assert_eq!(at.precision(), TimePrecision::Second, "{text}");
            assert_eq!(at.to_string(), shown, "{text}");
            assert_eq!(OccurredAt::parse(&at.to_string()).unwrap(), at, "{text}");
        }
    }

    /// Found by the `date_of_birth` fuzz target: an instant before the year 1 in UTC
    /// was accepted and shown as `-001-12-31T10:00Z`, which no longer parses.
    #[test]
    fn a_time_before_the_year_one_is_refused() {
        for text in [
            "0000-01-01T00:00+14:00",
            "0000-01-01T00:00+14:00[Europe/London]",
            "-000001-06-10T12:00Z",
            "0000-06-10",
            "0000",
        ] {
            assert!(
                matches!(
                    OccurredAt::parse(text),
                    Err(OccurredAtError::BeforeYearOne(_))
                ),
                "{text}: {:?}",
                OccurredAt::parse(text)
            );
        }
        let first = OccurredAt::parse("0001-01-01T00:00Z").unwrap();
        assert_eq!(first.start(), FIRST_INSTANT);
        assert_eq!(OccurredAt::parse(&first.to_string()).unwrap(), first);
    }

    #[test]
    fn latest_date_covers_the_period() {
        assert_eq!(
            OccurredAt::parse("2022-02")
                .unwrap()
                .latest_date()
                .to_string(),
            "2022-02-28"
        );
        assert_eq!(
            OccurredAt::parse("2024").unwrap().latest_date().to_string(),
            "2024-12-31"
        );
        assert_eq!(
            OccurredAt::parse("2024-03-05")
                .unwrap()
                .latest_date()
                .to_string(),
            "2024-03-05"
        );
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for text in [
            "",
            "yesterday",
            "10/06/2022",
            "2022-6-10",
            "2022-06-10T25:00",
        ] {
            assert!(
                matches!(OccurredAt::parse(text), Err(OccurredAtError::Unreadable(_))),
                "{text}"
            );
        }
        for text in ["2022-02-30", "2022-13"] {
            assert!(
                matches!(OccurredAt::parse(text), Err(OccurredAtError::Impossible(_))),
                "{text}"
            );
        }
        assert!(matches!(
            OccurredAt::parse("2022-03-27T01:30"),
            Err(OccurredAtError::Gap(_))
        ));
    }
}
