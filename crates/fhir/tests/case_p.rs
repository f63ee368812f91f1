//! The round trip: every Case P health record (the hospital's, the GP's and health
//! visiting's) as a FHIR bundle (`fixtures/case-p/health.fhir.json`, written from
//! `events.jsonl` by `make_health_fhir.py`) imports as the same event as the JSON line
//! it came from.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::Value;
use vigil_domain::{Limits, NewEvent, SourceKey, parse_event};
use vigil_fhir::{ImportOptions, import_bundle};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/case-p/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// The content hash is of the record as received, which differs between the two
/// formats by construction; what FHIR cannot carry (a time without seconds) is
/// compared apart, in the test.
fn comparable(mut event: NewEvent) -> NewEvent {
    event.content_hash.clear();
    event
}

const HEALTH: [&str; 3] = ["NCH", "NGP", "SAH"];

#[test]
fn the_case_p_health_bundle_imports_as_the_same_events_as_the_json_lines() {
    let bundle: Value = serde_json::from_str(&fixture("health.fhir.json")).unwrap();
    let options = ImportOptions {
        default_agency: None,
        now: now(),
        limits: Limits::default(),
    };
    let imported = import_bundle(&bundle, &options)
        .unwrap_or_else(|outcome| panic!("{}", serde_json::to_string_pretty(&outcome).unwrap()));
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);

    let from_fhir: HashMap<SourceKey, NewEvent> = imported
        .events
        .into_iter()
        .map(|e| (e.source_key(), comparable(e)))
        .collect();
    let from_json: HashMap<SourceKey, NewEvent> = fixture("events.jsonl")
        .lines()
        .map(|line| {
            parse_event(
                &serde_json::from_str(line).unwrap(),
                "",
                now(),
                &Limits::default(),
            )
            .unwrap()
        })
        .filter(|e| HEALTH.contains(&e.agency.as_str()))
        .map(|e| (e.source_key(), comparable(e)))
        .collect();
    assert_eq!(
        from_fhir.len(),
        imported.entries.len(),
        "no record is imported twice"
    );
    assert_eq!(
        from_fhir.keys().collect::<std::collections::HashSet<_>>(),
        from_json.keys().collect::<std::collections::HashSet<_>>(),
        "every health record of the JSON lines is in the bundle, and nothing else"
    );
    let agencies: std::collections::BTreeSet<&str> =
        from_fhir.keys().map(|k| k.agency.as_str()).collect();
    assert_eq!(agencies.into_iter().collect::<Vec<_>>(), HEALTH);

    for (key, json) in &from_json {
        let mut fhir = from_fhir[key].clone();
        assert_eq!(fhir.occurred_at.start(), json.occurred_at.start(), "{key}");
        assert!(
            fhir.occurred_at.precision() >= json.occurred_at.precision(),
            "{key}"
        );
        fhir.occurred_at = json.occurred_at;
        assert_eq!(&fhir, json, "{key}");
    }
}
