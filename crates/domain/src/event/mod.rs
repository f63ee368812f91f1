//! An event is one agency's record of one thing that happened to or around a child.
//! Events are immutable: a correction is a new event that names the one it supersedes,
//! so that any past moment can be rebuilt exactly as it was known.

pub mod details;
mod parse;

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::address::Address;
use crate::agency::{AgencyCode, Practitioner};
use crate::date_of_birth::DateOfBirth;
use crate::name::PersonName;
use crate::nhs_number::NhsNumber;
use crate::time::OccurredAt;

pub use details::{EVENT_KINDS, EventDetails};
pub use parse::{FieldError, Limits, parse_event};

/// Vigil's id for an event: a UUID v7, so ids sort by when Vigil learned of them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl EventId {
    pub fn new() -> Self {
        EventId(Uuid::now_v7())
    }

    pub fn parse(text: &str) -> Result<Self, uuid::Error> {
        Uuid::parse_str(text).map(EventId)
    }
}

impl Default for EventId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventId({})", self.0)
    }
}

/// An event as an agency sent it, parsed and checked, before Vigil has stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub agency: AgencyCode,
    /// The agency's system that produced the record ("SAH-PAS", "NCS-Mosaic").
    pub source_system: String,
    /// The record's id in that system. With the agency and system, it makes the
    /// idempotency key: sending the same record twice stores it once.
    pub source_id: String,
    pub occurred_at: OccurredAt,
    /// When the agency recorded it, for an import of history. When absent Vigil uses
    /// the moment it stored the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Practitioner>,
    /// The event this one corrects. The corrected event stays, marked superseded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<EventId>,
    /// The record's text, as the practitioner wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub people: Vec<PersonInEvent>,
    #[serde(flatten)]
    pub details: EventDetails,
    /// SHA-256 of the event as the agency sent it (its JSON in canonical form: keys
    /// sorted, no white space), set by [`parse_event`]. Two sends of the same record have
    /// the same hash whatever the spacing or key order, and the hash does not depend on
    /// how Vigil reads names and addresses, so it stays valid across upgrades. Not part of
    /// the stored body: the store keeps it beside the event and fills it in on read.
    #[serde(skip)]
    pub content_hash: String,
}

impl NewEvent {
    pub fn kind(&self) -> &'static str {
        self.details.kind()
    }

    /// The idempotency key.
    pub fn source_key(&self) -> SourceKey {
        SourceKey {
            agency: self.agency.clone(),
            source_system: self.source_system.clone(),
            source_id: self.source_id.clone(),
        }
    }
}

/// (agency, source system, source id): one record in one agency's system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceKey {
    pub agency: AgencyCode,
    pub source_system: String,
    pub source_id: String,
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.agency, self.source_system, self.source_id
        )
    }
}

/// A person as this agency recorded them in this event: an identity record. Identity
/// resolution later decides which person it is; nothing here is corrected or merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonInEvent {
    pub role: Role,
    pub name: PersonName,
    /// Other names this agency holds for the person: a maiden name, a name before a
    /// deed poll, an alias ("HOLLIS, Kerry"). Identity resolution compares each of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<DateOfBirth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<NhsNumber>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// The agency's own id for this person (hospital number, police person ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_reference: Option<String>,
    /// Their relationship to the subject child, as written ("mother", "friend").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// Warning markers an agency holds on this person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<Marker>,
    /// Anything else the agency wrote about them ("surname refused").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A person's part in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SubjectChild,
    Sibling,
    Parent,
    Carer,
    Partner,
    NextOfKin,
    EmergencyContact,
    HouseholdMember,
    Suspect,
    Victim,
    Witness,
    Reporter,
    Professional,
    /// Named in passing, without a clearer part (free-text minutes).
    Mentioned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    #[serde(alias = "M", alias = "m")]
    Male,
    #[serde(alias = "F", alias = "f")]
    Female,
    Indeterminate,
    #[serde(alias = "U", alias = "u")]
    Unknown,
}

/// Warning markers that police and other agencies hold on people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marker {
    Violence,
    ChildHarm,
    DomesticAbuse,
    SexualOffence,
    Weapons,
    Drugs,
    VulnerableAdultVictim,
    AnimalCruelty,
}

/// A UK phone number as written; only its digits are compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a phone number has 7 to 15 digits and may hold spaces, hyphens, brackets and a leading +; found {0:?}"
)]
pub struct PhoneNumberError(pub String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, PhoneNumberError> {
        let text = text.trim();
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        let allowed = text.char_indices().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        });
        if allowed && (7..=15).contains(&digits) {
            Ok(PhoneNumber(text.to_string()))
        } else {
            Err(PhoneNumberError(text.to_string()))
        }
    }

    pub fn as_written(&self) -> &str {
        &self.0
    }

    pub fn digits(&self) -> String {
        self.0.chars().filter(char::is_ascii_digit).collect()
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PhoneNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
