//! The event parser, case by case, and its properties.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::*;

fn now() -> Timestamp {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

fn injury_event() -> Value {
    json!({
        "kind": "injury_observation",
        "agency": "SAH",
        "source_system": "SAH-PAS",
        "source_id": "ED-100",
        "occurred_at": "2024-06-10T14:30",
        "recorded_by": { "name": "Dr Ada QUILL", "role": "paediatric registrar" },
        "summary": "Bruising noted at triage.",
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "10/03/2023", "sex": "male",
              "nhs_number": "999 210 0311", "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"],
              "agency_reference": "MRN-1" },
            { "role": "parent", "name": { "given": "Mary", "family": "ZEBEDEE" }, "relationship": "mother",
              "phone": "07700 900123" }
        ],
        "details": { "injuries": [
            { "body_site": "cheek", "side": "left", "injury_type": "bruise", "count": 2,
              "explanations": [{ "given_by": "mother", "text": "fell against a table" }],
              "recorder_opinion": "concern" }
        ] }
    })
}

fn errors_of(value: Value) -> Vec<FieldError> {
    parse_event(&value, "", now(), &Limits::default()).unwrap_err()
}

fn fields_of(value: Value) -> Vec<String> {
    errors_of(value)
        .into_iter()
        .map(|error| error.field)
        .collect()
}

#[test]
fn a_complete_event_parses_and_round_trips() {
    let event = parse_event(&injury_event(), "", now(), &Limits::default()).unwrap();
    assert_eq!(event.kind(), "injury_observation");
    assert_eq!(event.people.len(), 2);
    assert_eq!(event.people[0].nhs_number.unwrap().digits(), "9992100311");
    assert_eq!(event.people[1].name.as_recorded, "Mary ZEBEDEE");
    let stored = serde_json::to_value(&event).unwrap();
    // The hash is kept beside the stored body, not in it.
    let without_hash = NewEvent {
        content_hash: String::new(),
        ..event.clone()
    };
    let read_back: NewEvent = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(read_back, without_hash);
    // The stored form is itself a valid wire form.
    let reparsed = parse_event(&stored, "", now(), &Limits::default()).unwrap();
    assert_eq!(
        NewEvent {
            content_hash: String::new(),
            ..reparsed
        },
        without_hash
    );
}

#[test]
fn the_content_hash_changes_with_the_content_only() {
    let first = parse_event(&injury_event(), "", now(), &Limits::default()).unwrap();
    let again = parse_event(&injury_event(), "", now(), &Limits::default()).unwrap();
    assert_eq!(first.content_hash, again.content_hash);
    assert_eq!(first.content_hash.len(), 64);
    let mut changed = injury_event();
    changed["summary"] = json!("Bruising noted at triage; photographed.");
    let changed = parse_event(&changed, "", now(), &Limits::default()).unwrap();
    assert_ne!(first.content_hash, changed.content_hash);
}

#[test]
fn every_wrong_field_is_named_at_once() {
    let mut event = injury_event();
    event["people"][0]["nhs_number"] = json!("999 210 0312");
    event["people"][0]["addresses"][0] = json!({ "text": "9 Quill Lane", "postcode": "QA1 1A" });
    event["people"][1]["date_of_birth"] = json!("2021-02-30");
    event["details"]["injuries"][0]["body_site"] = json!("elbw");
    event["agency"] = json!("sah");
    let fields = fields_of(event);
    assert_eq!(
        fields,
        [
            "/agency",
            "/details/injuries/0/body_site",
            "/people/0/nhs_number",
            "/people/0/addresses/0",
            "/people/1/date_of_birth",
        ]
    );
}

#[test]
fn a_person_without_a_role_still_has_every_other_error_reported() {
    let mut event = injury_event();
    event["people"][0].as_object_mut().unwrap().remove("role");
    event["people"][0]["nhs_number"] = json!("999 210 0312");
    event["people"][0]["date_of_birth"] = json!("2021-02-30");
    assert_eq!(
        fields_of(event),
        [
            "/people/0/role",
            "/people/0/date_of_birth",
            "/people/0/nhs_number"
        ]
    );
}

#[test]
fn time_checks() {
    let mut future = injury_event();
    future["occurred_at"] = json!("2027-01-01");
    assert_eq!(fields_of(future), ["/occurred_at"]);

    let mut born_after = injury_event();
    born_after["people"][0]["date_of_birth"] = json!("2024-07-01");
    assert_eq!(fields_of(born_after), ["/people/0/date_of_birth"]);

    // A partial date of birth in the same month as the event is possible.
    let mut same_month = injury_event();
    same_month["people"][0]["date_of_birth"] = json!("2024-06");
    assert!(parse_event(&same_month, "", now(), &Limits::default()).is_ok());

    let mut recorded_before = injury_event();
    recorded_before["recorded_at"] = json!("2024-06-10T12:00:00Z");
    assert_eq!(fields_of(recorded_before), ["/recorded_at"]);
}

#[test]
fn unknown_fields_and_kinds_are_refused_with_the_choices() {
    let mut event = injury_event();
    event["colour"] = json!("red");
    event["people"][0]["shoe_size"] = json!(3);
    let errors = errors_of(event);
    assert_eq!(errors[0].field, "/colour");
    assert!(errors[0].detail.contains("source_id"));
    assert_eq!(errors[1].field, "/people/0/shoe_size");

    let mut event = injury_event();
    event["kind"] = json!("injury");
    let errors = errors_of(event);
    assert_eq!(errors[0].field, "/kind");
    assert!(errors[0].detail.contains("injury_observation"));
}

#[test]
fn pointers_carry_the_batch_position() {
    let mut event = injury_event();
    event["source_id"] = json!("  ");
    let errors = parse_event(&event, "/events/7", now(), &Limits::default()).unwrap_err();
    assert_eq!(errors[0].field, "/events/7/source_id");
}

#[test]
fn injuries_must_be_listed_and_counted() {
    let mut event = injury_event();
    event["details"]["injuries"] = json!([]);
    assert_eq!(fields_of(event), ["/details/injuries"]);
    let mut event = injury_event();
    event["details"]["injuries"][0]["count"] = json!(0);
    assert_eq!(fields_of(event), ["/details/injuries/0/count"]);
}

mod properties {
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    use super::{injury_event, now};
    use crate::event::{Limits, parse_event};

    /// Any JSON value, a few levels deep, with the event's own field names among the keys
    /// so that the parser gets past its first checks.
    fn any_json() -> impl Strategy<Value = Value> {
        let keys = prop_oneof![
            Just("kind".to_string()),
            Just("people".to_string()),
            Just("details".to_string()),
            Just("name".to_string()),
            Just("injuries".to_string()),
            "[a-z_]{1,12}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            ".{0,20}".prop_map(Value::String),
            Just(json!("injury_observation")),
            Just(json!("999 210 0311")),
            Just(json!("2024-02-30")),
        ];
        leaf.prop_recursive(4, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((keys.clone(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        /// Whatever arrives, the parser answers: an event or errors, never a panic, and
        /// every error names a field inside the request.
        #[test]
        fn arbitrary_json_never_panics(value in any_json()) {
            if let Err(errors) = parse_event(&value, "", now(), &Limits::default()) {
                prop_assert!(!errors.is_empty());
                for error in errors {
                    prop_assert!(error.field.is_empty() || error.field.starts_with('/'));
                    prop_assert!(!error.detail.is_empty());
                }
            }
        }

        /// Replacing any one field of a valid event with arbitrary JSON either still
        /// parses or is reported at (or under) that field. (`occurred_at` is left out:
        /// a new event date can rightly make a date of birth wrong.)
        #[test]
        fn a_damaged_field_is_reported_where_it_is(
            field in prop_oneof![
                Just("/agency"), Just("/source_id"), Just("/people/0/nhs_number"),
                Just("/people/0/date_of_birth"), Just("/people/1/name"), Just("/details/injuries/0/body_site"),
                Just("/details/injuries/0/count"), Just("/summary"),
            ],
            replacement in any_json(),
        ) {
            let mut event = injury_event();
            *event.pointer_mut(field).unwrap() = replacement;
            if let Err(errors) = parse_event(&event, "", now(), &Limits::default()) {
                prop_assert!(errors.iter().all(|error| error.field.starts_with(field)), "{field}: {errors:?}");
            }
        }
    }
}
