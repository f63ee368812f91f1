//! A valid event for this crate's own unit tests (the conformance suite has its own,
//! behind a feature, for backends).

use serde_json::json;
use vigil_domain::{Limits, NewEvent, parse_event};

pub fn visit(source_id: &str) -> NewEvent {
    let value = json!({
        "kind": "note", "agency": "QCS", "source_system": "QCS-CASE", "source_id": source_id,
        "occurred_at": "2024-05-03", "people": [{ "role": "subject_child", "name": "ZEBEDEE, Tom" }]
    });
    parse_event(&value, "", jiff::Timestamp::now(), &Limits::default()).expect("valid")
}
