//! The derivation log: every conclusion Vigil drew from the events, in order. Linkage
//! decisions (and people's decisions about pairs), place resolutions, alerts raised and updated, questions asked, agencies
//! told what was done about an alert: each is an entry, appended and never changed, so
//! a reviewer can see what Vigil concluded and when, and a replay can be compared with
//! what was concluded at the time.
//!
//! The pipeline stores these entries (the store's derivations log); each carries a
//! [`Derivation::key`], a hash of its content, so the same conclusion reached again by a
//! replay after a restart is stored once, and a conclusion a replay no longer reaches
//! (after a rule changed) stays on the record as what was concluded then.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use vigil_domain::agency::AgencyCode;
use vigil_domain::event::EventId;
use vigil_linkage::index::{Candidate, PersonChange};

use crate::alerts::AlertId;
use crate::casebook::PersonId;
use crate::places::PlaceId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Derivation {
    /// An identity record was resolved to a person.
    Linkage {
        at: Timestamp,
        event: EventId,
        record: String,
        person: PersonId,
        /// `linked`, `review` or `new_person`.
        outcome: String,
        /// The strongest candidates, at most fifty.
        candidates: Vec<Candidate>,
        changes: Vec<PersonChange>,
    },
    /// A recorded address was resolved to a place.
    Place {
        at: Timestamp,
        event: EventId,
        address: String,
        place: PlaceId,
        confidence: f64,
        reason: String,
    },
    /// A rule found something new about a child.
    AlertRaised {
        at: Timestamp,
        /// The event that made the rule fire; `None` when a deadline passed.
        event: Option<EventId>,
        alert: AlertId,
        rule: String,
        rule_version: u32,
        child: PersonId,
    },
    /// A rule fired again for an open alert, with evidence it did not hold.
    AlertUpdated {
        at: Timestamp,
        event: Option<EventId>,
        alert: AlertId,
        new_evidence: usize,
    },
    QuestionAsked {
        at: Timestamp,
        event: Option<EventId>,
        question: String,
        child: PersonId,
    },
    /// A person decided that two identity records are the same person (`link`) or are
    /// not (`keep_apart`); `changes` are the merges and splits that followed.
    LinkageReviewed {
        at: Timestamp,
        left: String,
        right: String,
        decision: String,
        by: String,
        reason: String,
        changes: Vec<PersonChange>,
    },
    /// An agency whose record was evidence for an alert was told what was done about it
    /// (closing the loop).
    AgencyNotified {
        at: Timestamp,
        alert: AlertId,
        agency: AgencyCode,
        /// `acknowledged` or `closed`.
        action: String,
        by: String,
    },
}

impl Derivation {
    pub fn at(&self) -> Timestamp {
        match self {
            Derivation::Linkage { at, .. }
            | Derivation::Place { at, .. }
            | Derivation::AlertRaised { at, .. }
            | Derivation::AlertUpdated { at, .. }
            | Derivation::QuestionAsked { at, .. }
            | Derivation::AgencyNotified { at, .. }
            | Derivation::LinkageReviewed { at, .. } => *at,
        }
    }

    /// The kind, as it is written in the stored entry.
    pub fn kind(&self) -> &'static str {
        match self {
            Derivation::Linkage { .. } => "linkage",
            Derivation::Place { .. } => "place",
            Derivation::AlertRaised { .. } => "alert_raised",
            Derivation::AlertUpdated { .. } => "alert_updated",
            Derivation::QuestionAsked { .. } => "question_asked",
            Derivation::AgencyNotified { .. } => "agency_notified",
            Derivation::LinkageReviewed { .. } => "linkage_reviewed",
        }
    }

    /// The entry as JSON, as it is stored.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a derivation is plain data")
    }

    /// What identifies this conclusion: the SHA-256 of its JSON, in hex. Two entries
    /// with the same key are the same conclusion drawn from the same events at the same
    /// moment (every entry names its event, or its alert and time).
    pub fn key(&self) -> String {
        let digest = Sha256::digest(self.to_json().to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
