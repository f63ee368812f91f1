//! Turning what a backend read back into domain values. Both backends store an event
//! the same way (its canonical JSON, its identity-record ids as a JSON list, times as
//! microseconds since 1970), so both decode through here.

use jiff::Timestamp;
use uuid::Uuid;
use vigil_domain::{AgencyCode, EventId, NewEvent};

use crate::{IdentityRecord, IdentityRecordId, StoreError, StoredEvent};

/// The columns of one event row, as text and numbers.
pub struct EventRow<'a> {
    pub sequence: i64,
    pub id: &'a str,
    pub recorded_at_us: i64,
    pub ingested_at_us: i64,
    pub content_hash: String,
    pub body: &'a str,
    pub identity_record_ids: &'a str,
    pub superseded_by: Option<&'a str>,
}

pub fn timestamp(microseconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(microseconds)
        .map_err(|error| corrupt(format!("time {microseconds}: {error}")))
}

pub fn microseconds(at: Timestamp) -> i64 {
    at.as_microsecond()
}

fn corrupt(detail: String) -> StoreError {
    StoreError::Internal(format!(
        "a stored row cannot be read ({detail}): the database may have been changed outside Vigil"
    ))
}

fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|error| corrupt(format!("id {text:?}: {error}")))
}

impl EventRow<'_> {
    pub fn decode(self) -> Result<StoredEvent, StoreError> {
        let mut event: NewEvent = serde_json::from_str(self.body)
            .map_err(|error| corrupt(format!("event {}: {error}", self.id)))?;
        event.content_hash.clone_from(&self.content_hash);
        let identity_records: Vec<IdentityRecordId> =
            serde_json::from_str(self.identity_record_ids)
                .map_err(|error| corrupt(format!("identity records of {}: {error}", self.id)))?;
        Ok(StoredEvent {
            id: EventId(uuid(self.id)?),
            sequence: self.sequence,
            recorded_at: timestamp(self.recorded_at_us)?,
            ingested_at: timestamp(self.ingested_at_us)?,
            content_hash: self.content_hash,
            superseded_by: self.superseded_by.map(uuid).transpose()?.map(EventId),
            identity_records,
            event,
        })
    }
}

/// Picks one person out of a stored event.
pub fn identity_record(
    record_id: &str,
    position: i64,
    event_id: &str,
    agency: &str,
    recorded_at_us: i64,
    body: &str,
) -> Result<IdentityRecord, StoreError> {
    let event: NewEvent = serde_json::from_str(body)
        .map_err(|error| corrupt(format!("event {event_id}: {error}")))?;
    let person = usize::try_from(position)
        .ok()
        .and_then(|position| event.people.get(position).cloned())
        .ok_or_else(|| {
            corrupt(format!(
                "identity record {record_id} points at person {position} of {event_id}"
            ))
        })?;
    Ok(IdentityRecord {
        id: IdentityRecordId(uuid(record_id)?),
        event_id: EventId(uuid(event_id)?),
        agency: AgencyCode::parse(agency).map_err(|error| corrupt(error.to_string()))?,
        recorded_at: timestamp(recorded_at_us)?,
        person,
    })
}

/// The identity-record ids of a planned event as stored.
pub fn identity_record_ids_json(ids: &[IdentityRecordId]) -> String {
    serde_json::to_string(ids).expect("ids serialise")
}

/// The canonical JSON body of an event as stored.
pub fn body_json(event: &NewEvent) -> String {
    serde_json::to_string(event).expect("events serialise")
}

/// A role's wire name (`subject_child`), as stored in the identity-record index.
pub fn role_name(role: vigil_domain::Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .expect("roles serialise as strings")
}

/// An alert action as stored: its JSON body.
pub fn alert_action_json(action: &crate::AlertAction) -> Result<String, StoreError> {
    serde_json::to_string(action).map_err(|e| StoreError::Internal(e.to_string()))
}

/// An alert action read back.
pub fn alert_action_row(sequence: i64, body: &str) -> Result<crate::StoredAlertAction, StoreError> {
    let action = serde_json::from_str(body)
        .map_err(|e| StoreError::Internal(format!("alert action {sequence}: {e}")))?;
    Ok(crate::StoredAlertAction { sequence, action })
}

/// A derivation read back: its columns, with the body as stored JSON text.
pub fn derivation_row(
    sequence: i64,
    key: String,
    kind: String,
    at_us: i64,
    stored_us: i64,
    body: &str,
) -> Result<crate::StoredDerivation, StoreError> {
    let time = |us: i64| {
        Timestamp::from_microsecond(us)
            .map_err(|e| StoreError::Internal(format!("derivation {sequence}: {e}")))
    };
    Ok(crate::StoredDerivation {
        sequence,
        key,
        kind,
        at: time(at_us)?,
        stored_at: time(stored_us)?,
        body: serde_json::from_str(body)
            .map_err(|e| StoreError::Internal(format!("derivation {sequence}: {e}")))?,
    })
}

/// The columns of one audit row. Both backends read them into this and decode here;
/// the hash is not checked (that is the verifier's work, which must see a bad row).
pub struct AuditRow {
    pub sequence: i64,
    pub at_us: i64,
    pub actor_id: String,
    pub actor_role: Option<String>,
    pub actor_agency: Option<String>,
    pub action: String,
    pub path: String,
    pub resource: Option<String>,
    pub purpose: Option<String>,
    pub status: i64,
    pub allowed: bool,
    pub request_id: Option<String>,
    pub previous_hash: String,
    pub hash: String,
}

impl AuditRow {
    pub fn decode(self) -> Result<crate::AuditEntry, StoreError> {
        let status = u16::try_from(self.status).map_err(|_| {
            corrupt(format!(
                "audit entry {}: status {} is not an HTTP status",
                self.sequence, self.status
            ))
        })?;
        Ok(crate::AuditEntry {
            sequence: self.sequence,
            entry: crate::NewAuditEntry {
                at: timestamp(self.at_us)?,
                actor_id: self.actor_id,
                actor_role: self.actor_role,
                actor_agency: self.actor_agency,
                action: self.action,
                path: self.path,
                resource: self.resource,
                purpose: self.purpose,
                status,
                allowed: self.allowed,
                request_id: self.request_id,
            },
            previous_hash: self.previous_hash,
            hash: self.hash,
        })
    }
}
