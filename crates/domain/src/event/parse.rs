//! Reading an event from JSON at the boundary. Every field is read on its own so that
//! a rejected event names *every* field that was wrong, with a JSON pointer and a
//! sentence saying why, instead of stopping at the first. Past this point only valid
//! events exist.

use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::details::{EVENT_KINDS, EventDetails};
use super::{EventId, NewEvent, PersonInEvent};
use crate::agency::{AgencyCode, Practitioner};
use crate::time::OccurredAt;

/// One thing wrong with a request: where (a JSON pointer into the body) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// Bounds that keep one record from being something other than a record.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_people: usize,
    pub max_injuries: usize,
    pub max_text_chars: usize,
    pub max_identifier_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_people: 100,
            max_injuries: 200,
            max_text_chars: 20_000,
            max_identifier_chars: 200,
        }
    }
}

const EVENT_FIELDS: &[&str] = &[
    "kind",
    "details",
    "agency",
    "source_system",
    "source_id",
    "occurred_at",
    "recorded_at",
    "recorded_by",
    "supersedes",
    "summary",
    "people",
];

const PERSON_FIELDS: &[&str] = &[
    "role",
    "name",
    "aliases",
    "date_of_birth",
    "sex",
    "nhs_number",
    "addresses",
    "phone",
    "agency_reference",
    "relationship",
    "markers",
    "notes",
];

/// Reads one event. `pointer` is where the event sits in the request body (empty for a
/// single event, `/events/7` in a batch) and prefixes every error's field.
pub fn parse_event(
    value: &Value,
    pointer: &str,
    now: Timestamp,
    limits: &Limits,
) -> Result<NewEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new(pointer, "an event is a JSON object")]);
    };
    check_strings(value, pointer.to_string(), limits, &mut errors);
    let mut fields = Fields {
        object,
        pointer,
        errors: &mut errors,
    };
    fields.refuse_unknown(EVENT_FIELDS, "an event");

    let agency: Option<AgencyCode> = fields.required("agency");
    let source_system = fields.identifier("source_system", limits);
    let source_id = fields.identifier("source_id", limits);
    let occurred_at: Option<OccurredAt> = fields.required("occurred_at");
    let recorded_at: Option<Timestamp> = fields.optional("recorded_at");
    let recorded_by: Option<Practitioner> = fields.optional("recorded_by");
    let supersedes: Option<EventId> = fields.optional("supersedes");
    let summary: Option<String> = fields.optional("summary");
    let details = fields.details();
    let people = fields.people(limits);

    if let Some(occurred_at) = occurred_at {
        if occurred_at.is_after(now) {
            errors.push(FieldError::new(
                format!("{pointer}/occurred_at"),
                format!("{occurred_at} is in the future; Vigil records what has happened"),
            ));
        }
        if let Some(recorded_at) = recorded_at
            && recorded_at < occurred_at.start()
        {
            errors.push(FieldError::new(
                format!("{pointer}/recorded_at"),
                format!("{recorded_at} is before the event happened ({occurred_at})"),
            ));
        }
        let parsed_people = people.iter().flatten().enumerate();
        for (index, person) in
            parsed_people.filter_map(|(index, person)| Some((index, person.as_ref()?)))
        {
            if let Some(date_of_birth) = person.date_of_birth
                && date_of_birth.earliest() > occurred_at.latest_date()
            {
                errors.push(FieldError::new(
                        format!("{pointer}/people/{index}/date_of_birth"),
                        format!("{date_of_birth} is after the event ({occurred_at}): check the date of birth and the event date"),
                    ));
            }
        }
    }
    if let Some(recorded_at) = recorded_at
        && OccurredAt::from_timestamp(recorded_at).is_after(now)
    {
        errors.push(FieldError::new(
            format!("{pointer}/recorded_at"),
            format!("{recorded_at} is in the future"),
        ));
    }
    if let Some(EventDetails::InjuryObservation(observation)) = &details {
        if observation.injuries.is_empty() {
            errors.push(FieldError::new(
                format!("{pointer}/details/injuries"),
                "an injury observation lists at least one injury",
            ));
        }
        if observation.injuries.len() > limits.max_injuries {
            errors.push(FieldError::new(
                format!("{pointer}/details/injuries"),
                format!(
                    "at most {} injuries in one observation; this has {}",
                    limits.max_injuries,
                    observation.injuries.len()
                ),
            ));
        }
        for (index, injury) in observation.injuries.iter().enumerate() {
            if injury.count == 0 {
                errors.push(FieldError::new(
                    format!("{pointer}/details/injuries/{index}/count"),
                    "count is at least 1",
                ));
            }
            if let Some(size) = injury.size_cm
                && !(size > 0.0 && size < 200.0)
            {
                errors.push(FieldError::new(
                    format!("{pointer}/details/injuries/{index}/size_cm"),
                    format!("a size in centimetres is above 0 and below 200; found {size}"),
                ));
            }
        }
    }

    match (
        agency,
        source_system,
        source_id,
        occurred_at,
        details,
        people,
    ) {
        (
            Some(agency),
            Some(source_system),
            Some(source_id),
            Some(occurred_at),
            Some(details),
            Some(people),
        ) if errors.is_empty() => Ok(NewEvent {
            agency,
            source_system,
            source_id,
            occurred_at,
            recorded_at,
            recorded_by,
            supersedes,
            summary,
            people: people
                .into_iter()
                .map(|person| person.expect("no errors, so every person parsed"))
                .collect(),
            details,
            content_hash: received_hash(value),
        }),
        _ => {
            debug_assert!(
                !errors.is_empty(),
                "a field is missing but no error says so"
            );
            Err(errors)
        }
    }
}

/// Reads the fields of one JSON object, collecting every error.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    pointer: &'a str,
    errors: &'a mut Vec<FieldError>,
}

impl Fields<'_> {
    fn refuse_unknown(&mut self, known: &[&str], what: &str) {
        for key in self.object.keys() {
            if !known.contains(&key.as_str()) {
                self.errors.push(FieldError::new(
                    format!("{}/{}", self.pointer, escape(key)),
                    format!("unknown field; {what} has: {}", known.join(", ")),
                ));
            }
        }
    }

    fn required<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        match self.object.get(key) {
            None | Some(Value::Null) => {
                self.errors.push(FieldError::new(
                    format!("{}/{key}", self.pointer),
                    "is required",
                ));
                None
            }
            Some(value) => self.read(key, value),
        }
    }

    fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => self.read(key, value),
        }
    }

    fn read<T: DeserializeOwned>(&mut self, key: &str, value: &Value) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                let field = format!("{}/{key}{}", self.pointer, path_to_pointer(error.path()));
                self.errors
                    .push(FieldError::new(field, error.into_inner().to_string()));
                None
            }
        }
    }

    fn identifier(&mut self, key: &str, limits: &Limits) -> Option<String> {
        let text: String = self.required(key)?;
        let trimmed = text.trim();
        let detail = if trimmed.is_empty() {
            Some("cannot be empty".to_string())
        } else if trimmed.chars().count() > limits.max_identifier_chars {
            Some(format!(
                "is at most {} characters",
                limits.max_identifier_chars
            ))
        } else {
            None
        };
        match detail {
            Some(detail) => {
                self.errors
                    .push(FieldError::new(format!("{}/{key}", self.pointer), detail));
                None
            }
            None => Some(trimmed.to_string()),
        }
    }

    fn details(&mut self) -> Option<EventDetails> {
        let kind: String = self.required("kind")?;
        if !EVENT_KINDS.contains(&kind.as_str()) {
            self.errors.push(FieldError::new(
                format!("{}/kind", self.pointer),
                format!(
                    "unknown event kind {kind:?}; the kinds are: {}",
                    EVENT_KINDS.join(", ")
                ),
            ));
            return None;
        }
        let empty = Value::Object(Map::new());
        let details = self.object.get("details").unwrap_or(&empty);
        match EventDetails::read(&kind, details).expect("the kind was checked above") {
            Ok(details) => Some(details),
            Err(error) => {
                let field = format!("{}/details{}", self.pointer, path_to_pointer(error.path()));
                self.errors
                    .push(FieldError::new(field, error.into_inner().to_string()));
                None
            }
        }
    }

    /// `None` when the list itself is unusable; otherwise one entry per person, `None`
    /// for a person with errors.
    fn people(&mut self, limits: &Limits) -> Option<Vec<Option<PersonInEvent>>> {
        let pointer = format!("{}/people", self.pointer);
        let list = match self.object.get("people") {
            Some(Value::Array(list)) => list,
            None | Some(Value::Null) => {
                self.errors.push(FieldError::new(
                    pointer,
                    "is required: list the people the record is about, at least the child",
                ));
                return None;
            }
            Some(_) => {
                self.errors
                    .push(FieldError::new(pointer, "is a list of people"));
                return None;
            }
        };
        if list.is_empty() {
            self.errors.push(FieldError::new(
                pointer,
                "lists at least one person: the record is about someone",
            ));
            return None;
        }
        if list.len() > limits.max_people {
            self.errors.push(FieldError::new(
                pointer,
                format!(
                    "at most {} people in one event; this has {}",
                    limits.max_people,
                    list.len()
                ),
            ));
            return None;
        }
        let people = list
            .iter()
            .enumerate()
            .map(|(index, value)| {
                let pointer = format!("{pointer}/{index}");
                let Some(object) = value.as_object() else {
                    self.errors
                        .push(FieldError::new(pointer, "a person is a JSON object"));
                    return None;
                };
                let before = self.errors.len();
                let mut fields = Fields {
                    object,
                    pointer: &pointer,
                    errors: self.errors,
                };
                fields.refuse_unknown(PERSON_FIELDS, "a person");
                // Every field is read before any is required, so that one person's
                // errors are all reported together.
                let role = fields.required("role");
                let name = fields.required("name");
                let aliases = fields.optional("aliases").unwrap_or_default();
                let date_of_birth = fields.optional("date_of_birth");
                let sex = fields.optional("sex");
                let nhs_number = fields.optional("nhs_number");
                let addresses = fields.optional("addresses").unwrap_or_default();
                let phone = fields.optional("phone");
                let agency_reference = fields
                    .optional::<String>("agency_reference")
                    .map(|r| r.trim().to_string());
                let relationship = fields.optional("relationship");
                let markers = fields.optional("markers").unwrap_or_default();
                let notes = fields.optional("notes");
                let person = PersonInEvent {
                    role: role?,
                    name: name?,
                    aliases,
                    date_of_birth,
                    sex,
                    nhs_number,
                    addresses,
                    phone,
                    agency_reference,
                    relationship,
                    markers,
                    notes,
                };
                (self.errors.len() == before).then_some(person)
            })
            .collect();
        Some(people)
    }
}

/// Every string anywhere in the event: bounded in length and free of control
/// characters (other than line breaks and tabs), which no record needs and which break
/// logs, terminals and CSV exports.
fn check_strings(value: &Value, pointer: String, limits: &Limits, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(text) => {
            let length = text.chars().count();
            if length > limits.max_text_chars {
                errors.push(FieldError::new(
                    pointer,
                    format!(
                        "text is at most {} characters; this is {length}",
                        limits.max_text_chars
                    ),
                ));
            } else if let Some(bad) = text
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                errors.push(FieldError::new(
                    pointer,
                    format!(
                        "text cannot contain the control character U+{:04X}",
                        u32::from(bad)
                    ),
                ));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check_strings(item, format!("{pointer}/{index}"), limits, errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                check_strings(item, format!("{pointer}/{}", escape(key)), limits, errors);
            }
        }
        _ => {}
    }
}

/// SHA-256, in hex, of `value` written canonically: object keys sorted, no white space.
fn received_hash(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (position, key) in keys.into_iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).expect("strings serialise"));
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (position, item) in items.iter().enumerate() {
                    if position > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&serde_json::to_string(other).expect("JSON values serialise")),
        }
    }
    let mut canonical = String::new();
    write(value, &mut canonical);
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape(key))),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// RFC 6901 escaping of one reference token.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
