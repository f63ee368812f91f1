//! The derivation log: every conclusion Vigil drew from the events, in order. Linkage
//! decisions, place resolutions, alerts raised and updated, questions asked: each is an
//! entry, appended and never changed, so a reviewer can see what Vigil concluded and
//! when, and a replay can be compared with what was concluded at the time.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
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
        /// The strongest candidates, at most five.
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
    AlertRaised {
        at: Timestamp,
        alert: AlertId,
        rule: String,
        child: PersonId,
    },
    AlertUpdated {
        at: Timestamp,
        alert: AlertId,
        new_evidence: usize,
    },
    QuestionAsked {
        at: Timestamp,
        question: String,
        child: PersonId,
    },
}

impl Derivation {
    pub fn at(&self) -> Timestamp {
        match self {
            Derivation::Linkage { at, .. }
            | Derivation::Place { at, .. }
            | Derivation::AlertRaised { at, .. }
            | Derivation::AlertUpdated { at, .. }
            | Derivation::QuestionAsked { at, .. } => *at,
        }
    }
}
