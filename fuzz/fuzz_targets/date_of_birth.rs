//! Every parser of agency-written dates: the domain's `DateOfBirth::parse` (whole or
//! partial dates of birth) and `OccurredAt::parse` (when something happened, RFC 3339 or
//! UK local time or a partial date), and linkage's `parse_date_of_birth` (the looser
//! reader of extracts: `10 March 2021`, `20210310`).
//!
//! Properties: a parsed date re-parses from its display to itself (the store writes
//! events with `Display` and reads them back with the same parser, so a date that does
//! not survive the trip would change when read back); `earliest()` and the other
//! accessors of a parsed value never panic; a domain date of birth in linkage's range
//! of years reads in linkage as the same year, month and day; linkage's reading of its
//! own display is itself.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use vigil_domain::{DateOfBirth, OccurredAt};
use vigil_fuzz::{DATE_PIECES, as_text, shaped_text};
use vigil_linkage::date::parse_date_of_birth;

fn check(text: &str) {
    if let Ok(date) = DateOfBirth::parse(text) {
        assert_eq!(DateOfBirth::parse(&date.to_string()), Ok(date));
        let earliest = date.earliest();
        assert_eq!(earliest.year(), date.year());
        if (1800..=2200).contains(&date.year()) {
            let linked = parse_date_of_birth(&date.to_string()).expect("linkage reads ISO dates");
            assert_eq!(i32::from(linked.year), i32::from(date.year()));
            assert_eq!(linked.month.map(i32::from), date.month().map(i32::from));
            assert_eq!(linked.day.map(i32::from), date.day().map(i32::from));
            assert!(linked.calendar_valid);
        }
    }
    if let Ok(moment) = OccurredAt::parse(text) {
        let shown = moment.to_string();
        assert_eq!(
            OccurredAt::parse(&shown),
            Ok(moment),
            "{text:?} was read as {moment:?}, shown as {shown:?}"
        );
        assert!(moment.latest_date() >= moment.date());
    }
    if let Some(linked) = parse_date_of_birth(text) {
        assert_eq!(
            parse_date_of_birth(&linked.to_string()).as_ref(),
            Some(&linked)
        );
        let _ = linked.digits();
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check(text);
    }
    if let Ok(text) = shaped_text(&mut Unstructured::new(data), DATE_PIECES, 8) {
        check(&text);
    }
});
