//! Working days and UK dates. Legal and casework deadlines are counted in working days
//! (Monday to Friday, bank holidays excluded); alert clocks run in hours.

use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, ToSpan};
use vigil_domain::time::uk_time_zone;

/// The UK calendar date of an instant.
pub fn uk_date(at: Timestamp) -> Date {
    at.to_zoned_datetime(uk_time_zone()).date()
}

/// An instant at a UK local time on a date.
pub fn uk_instant(date: Date, hour: i8, minute: i8) -> Timestamp {
    date.to_datetime(Time::new(hour, minute, 0, 0).expect("a valid time"))
        .to_zoned_datetime(uk_time_zone())
        .expect("UK local times at working hours exist")
        .timestamp()
}

pub fn is_working_day(date: Date, bank_holidays: &[Date]) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !bank_holidays.contains(&date)
}

/// The date `days` working days after `date` (not counting `date` itself).
pub fn add_working_days(date: Date, days: i64, bank_holidays: &[Date]) -> Date {
    let mut current = date;
    let mut left = days;
    while left > 0 {
        current = current.tomorrow().expect("dates stay in range");
        if is_working_day(current, bank_holidays) {
            left -= 1;
        }
    }
    current
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i32 {
    (to - from).get_days()
}

/// Age in whole months on a date.
pub fn age_in_months(born: Date, on: Date) -> i32 {
    let mut months =
        (on.year() as i32 - born.year() as i32) * 12 + on.month() as i32 - born.month() as i32;
    if on.day() < born.day() {
        months -= 1;
    }
    months
}

pub fn plus_hours(at: Timestamp, hours: i64) -> Timestamp {
    at.checked_add(hours.hours())
        .expect("deadlines stay in range")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        // Friday + 10 working days is the Friday two weeks on.
        assert_eq!(
            add_working_days(date(2024, 6, 7), 10, &[]),
            date(2024, 6, 21)
        );
        // Easter Monday is skipped when listed.
        assert_eq!(
            add_working_days(date(2024, 3, 28), 1, &[date(2024, 3, 29), date(2024, 4, 1)]),
            date(2024, 4, 2)
        );
    }

    #[test]
    fn ages_in_months_count_whole_months() {
        assert_eq!(age_in_months(date(2020, 3, 10), date(2020, 10, 9)), 6);
        assert_eq!(age_in_months(date(2020, 3, 10), date(2020, 10, 10)), 7);
        assert_eq!(age_in_months(date(2019, 12, 31), date(2020, 1, 31)), 1);
    }
}
