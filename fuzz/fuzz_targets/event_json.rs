//! Events from outside: `vigil_domain::parse_event`, the one reader every JSON and JSONL
//! event passes (API, `vigil import`, and the FHIR importer's output).
//!
//! The input is read as JSON when it is JSON (so the seed corpus of real-format events is
//! mutated as text), and otherwise as a recipe for a JSON-shaped event (`vigil_fuzz::event`:
//! the import format's fields filled with agency-shaped text), so that the fuzzer spends
//! its time in the parsing of people, dates and details rather than in JSON syntax.
//!
//! Properties: a refused event has at least one error and every error's field is a JSON
//! pointer under the event's own pointer; an accepted event has its content hash, comes
//! back unchanged from the store's round trip (serialised to JSON, read back with
//! `Deserialize`, as `vigil-store` reads every stored event), and each of its people
//! becomes an identity record linkage can standardise.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vigil_domain::event::EVENT_KINDS;
use vigil_domain::{Limits, NewEvent, parse_event};
use vigil_linkage::{identity_record, standardise};

/// Where the event sits in a batch: every error must name a field under it.
const POINTER: &str = "/events/0";

fn check(value: &Value) {
    let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("a fixed now");
    match parse_event(value, POINTER, now, &Limits::default()) {
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason");
            for error in &errors {
                assert!(
                    error.field.starts_with(POINTER),
                    "{:?} is not under {POINTER}",
                    error.field
                );
                assert!(!error.detail.is_empty());
            }
        }
        Ok(event) => {
            assert!(!event.content_hash.is_empty());
            let stored = serde_json::to_string(&event).expect("an event serialises");
            let mut read: NewEvent = serde_json::from_str(&stored)
                .unwrap_or_else(|error| panic!("stored as {stored}, reads back as {error}"));
            read.content_hash.clone_from(&event.content_hash);
            assert_eq!(read, event, "stored as {stored}");
            for (index, person) in event.people.iter().enumerate() {
                let record = identity_record(person, &event.agency, &format!("r{index}"));
                let _ = standardise(&record);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        check(&value);
    } else if let Ok(value) = vigil_fuzz::event(&mut Unstructured::new(data), EVENT_KINDS) {
        check(&value);
    }
});
