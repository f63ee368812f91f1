//! FHIR R4 bundles from health systems: `vigil_fhir::import_bundle`, which reads the
//! bundle, resolves its references, maps each record to an event and reads that event
//! with `parse_event`.
//!
//! The input is read as JSON when it is JSON (the seed corpus is small bundles in the
//! shape the fixtures use, mutated as text); otherwise it is a recipe that rewrites the
//! string values of a template bundle (a Patient with a contact, a practitioner, an
//! Encounter and an Observation) with agency-shaped text chosen by element name (dates
//! in `birthDate` and `start`, postcodes in `postalCode`, names in `family`), so that
//! the fuzzer reaches the mapping of every element rather than stopping at a reference.
//!
//! Properties: a refused bundle's OperationOutcome has at least one error; an accepted
//! bundle gives as many entry indexes as events, each index inside `Bundle.entry`, and
//! every event comes back unchanged from the store's round trip.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use vigil_domain::{AgencyCode, Limits, NewEvent};
use vigil_fhir::{ImportOptions, import_bundle};
use vigil_fuzz::{
    ADDRESS_PIECES, DATE_PIECES, NAME_PIECES, NHS_PIECES, POSTCODE_PIECES, WORDS, field_text,
};

const TEMPLATE: &str = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
 {"fullUrl": "urn:uuid:11111111-0000-4000-8000-000000000001", "resource": {
  "resourceType": "Patient",
  "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"},
                 {"system": "urn:vigil:agency-reference:HOSP", "value": "H-1"}],
  "name": [{"use": "official", "family": "SMITH", "given": ["Jack", "John"], "text": "SMITH, Jack"}],
  "gender": "male", "birthDate": "2023-01-15",
  "address": [{"line": ["Flat 3", "18 High Street"], "city": "Anytown", "postalCode": "QA1 2BD", "text": "Flat 3, 18 High Street, Anytown QA1 2BD"}],
  "contact": [{"relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "N"}], "text": "mother"}],
               "name": {"family": "SMITH", "given": ["Jane"]}, "telecom": [{"system": "phone", "value": "07700 900123"}],
               "period": {"start": "2023-01-15"}}]}},
 {"fullUrl": "urn:uuid:22222222-0000-4000-8000-000000000001", "resource": {
  "resourceType": "RelatedPerson", "patient": {"reference": "urn:uuid:11111111-0000-4000-8000-000000000001"},
  "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MTH"}]}],
  "name": [{"family": "SMITH", "given": ["Jane"]}], "birthDate": "1995-06", "gender": "female"}},
 {"fullUrl": "urn:uuid:22222222-0000-4000-8000-000000000002", "resource": {
  "resourceType": "Practitioner", "name": [{"text": "Dr A Example"}]}},
 {"fullUrl": "urn:uuid:22222222-0000-4000-8000-000000000003", "resource": {
  "resourceType": "Encounter", "identifier": [{"system": "urn:vigil:source-system:HOSP-PAS", "value": "ED-1"}],
  "status": "finished", "class": {"code": "EMER"},
  "subject": {"reference": "urn:uuid:11111111-0000-4000-8000-000000000001"},
  "participant": [{"individual": {"reference": "urn:uuid:22222222-0000-4000-8000-000000000002"}}],
  "period": {"start": "2024-02-01T10:30:00Z", "end": "2024-02-01T12:00:00Z"},
  "reasonCode": [{"text": "Fall"}]}},
 {"fullUrl": "urn:uuid:22222222-0000-4000-8000-000000000004", "resource": {
  "resourceType": "Observation", "identifier": [{"system": "urn:vigil:source-system:HOSP-PAS", "value": "OB-1"}],
  "status": "final", "code": {"coding": [{"system": "http://snomed.info/sct", "code": "125667009"}], "text": "bruise"},
  "subject": {"reference": "urn:uuid:11111111-0000-4000-8000-000000000001"},
  "encounter": {"reference": "urn:uuid:22222222-0000-4000-8000-000000000003"},
  "effectiveDateTime": "2024-02-01T10:45:00Z",
  "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "69536005"}], "text": "head"},
  "valueString": "2 cm bruise"}}
]}"#;

/// Which kind of agency text fits an element, by its name.
fn pieces_for(key: &str) -> &'static [&'static str] {
    match key {
        "birthDate" | "start" | "end" | "effectiveDateTime" | "onsetDateTime" | "recordedDate" => {
            DATE_PIECES
        }
        "postalCode" => POSTCODE_PIECES,
        "family" | "given" | "text" => NAME_PIECES,
        "line" | "city" => ADDRESS_PIECES,
        "value" => NHS_PIECES,
        _ => WORDS,
    }
}

/// Rewrites some string values (and drops some elements) of the template.
fn rewrite(u: &mut Unstructured, value: &mut Value, key: &str) -> Result<()> {
    match value {
        Value::String(text) if u.ratio(1, 6)? => {
            *text = field_text(u, pieces_for(key))?;
        }
        Value::Array(items) => {
            if !items.is_empty() && u.ratio(1, 32)? {
                let index = u.choose_index(items.len())?;
                items.remove(index);
            }
            for item in items {
                rewrite(u, item, key)?;
            }
        }
        Value::Object(object) => {
            if !object.is_empty() && u.ratio(1, 32)? {
                let index = u.choose_index(object.len())?;
                let key = object.keys().nth(index).cloned().expect("in range");
                object.remove(&key);
            }
            for (key, item) in object.iter_mut() {
                rewrite(u, item, key)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check(bundle: &Value) {
    let options = ImportOptions {
        default_agency: Some(AgencyCode::parse("HOSP").expect("a valid agency code")),
        now: "2026-01-01T00:00:00Z".parse().expect("a fixed now"),
        limits: Limits::default(),
    };
    match import_bundle(bundle, &options) {
        Err(outcome) => assert!(
            outcome.errors().next().is_some(),
            "refused without an error"
        ),
        Ok(imported) => {
            assert_eq!(imported.events.len(), imported.entries.len());
            let entry_count = bundle["entry"].as_array().map_or(0, Vec::len);
            assert!(imported.entries.iter().all(|&entry| entry < entry_count));
            for event in &imported.events {
                let stored = serde_json::to_string(event).expect("an event serialises");
                let mut read: NewEvent = serde_json::from_str(&stored)
                    .unwrap_or_else(|error| panic!("stored as {stored}, reads back as {error}"));
                read.content_hash.clone_from(&event.content_hash);
                assert_eq!(&read, event, "stored as {stored}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(bundle) = serde_json::from_slice::<Value>(data) {
        check(&bundle);
        return;
    }
    let mut bundle: Value = serde_json::from_str(TEMPLATE).expect("the template is JSON");
    if rewrite(&mut Unstructured::new(data), &mut bundle, "").is_ok() {
        check(&bundle);
    }
});
