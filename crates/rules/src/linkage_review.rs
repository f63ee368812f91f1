//! What a person needs to decide about identity: the review queue (pairs of records the
//! model could not decide, side by side, with the waterfall of match weights) and a
//! person's records as each agency holds them, with why each was linked.
//!
//! Linkage never guesses a merge: a pair in the uncertain band waits here for a MASH
//! analyst or team manager, whose decision ([`crate::PairDecision`]) is stored and
//! replayed with the events. These are views over the casebook, computed on demand.

use jiff::Timestamp;
use serde::Serialize;
use vigil_domain::agency::AgencyCode;
use vigil_domain::event::{EventId, PersonInEvent};
use vigil_linkage::{Explanation, ReviewReason};

use crate::casebook::{Casebook, PairDecision, PersonId};

/// One identity record as the agency holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordAsHeld {
    /// The record's id: `{event id}.{position}`.
    pub record: String,
    /// The person linkage resolved it to now.
    pub person: Option<PersonId>,
    pub agency: AgencyCode,
    pub event: EventId,
    /// When the agency recorded it.
    pub recorded_at: Timestamp,
    /// The name as written, for a heading.
    pub name: String,
    /// The date of birth as written (partial dates keep their precision).
    pub date_of_birth: Option<String>,
    /// Everything the agency recorded about the person, field by field.
    pub as_recorded: PersonInEvent,
}

/// A pair waiting for a person's decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewQueuePair {
    pub left: RecordAsHeld,
    pub right: RecordAsHeld,
    pub probability: f64,
    pub weight: f64,
    /// Why the model did not decide it.
    pub reason: ReviewReason,
    /// The waterfall: each field's comparison, its weight, and the total.
    pub explanation: Explanation,
}

/// One record of a person, with why it belongs to them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonRecord {
    #[serde(flatten)]
    pub record: RecordAsHeld,
    /// The same agency recorded the person the same way before: this is a copy of that
    /// record, linked without a comparison.
    pub copy_of: Option<String>,
    /// Why it was linked to the person's first record (none for the first record and
    /// for copies).
    pub explanation: Option<Explanation>,
}

/// A person's identity as Vigil holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonIdentity {
    pub person: PersonId,
    pub name: String,
    /// Every record, first the person's first record, then in the order recorded.
    pub records: Vec<PersonRecord>,
    /// People's decisions about any of these records.
    pub decisions: Vec<PairDecision>,
}

impl Casebook {
    /// One record as held, or `None` for an unknown record.
    pub fn record_view(&self, record: &str) -> Option<RecordAsHeld> {
        let (event, person) = self.record_as_held(record)?;
        Some(RecordAsHeld {
            record: record.to_string(),
            person: self.person_of_record(record).map(str::to_string),
            agency: event.event.agency.clone(),
            event: event.id,
            recorded_at: event.recorded_at,
            name: person.name.as_recorded.clone(),
            date_of_birth: person.date_of_birth.as_ref().map(|d| d.to_string()),
            as_recorded: person.clone(),
        })
    }

    /// Every pair waiting for a person's decision, each with both records as held and
    /// the explanation. Re-clusters the whole index: for a queue page, not a hot path.
    pub fn review_queue(&self) -> Vec<ReviewQueuePair> {
        let Ok(pairs) = self.linkage().review_queue() else {
            // Only contradictory decisions make clustering fail, and `decide_pair`
            // refuses those before they are taken.
            return Vec::new();
        };
        pairs
            .into_iter()
            .filter_map(|pair| {
                let explanation = self
                    .linkage()
                    .explain(&pair.left_record_id, &pair.right_record_id)
                    .ok()?;
                Some(ReviewQueuePair {
                    left: self.record_view(&pair.left_record_id)?,
                    right: self.record_view(&pair.right_record_id)?,
                    probability: pair.probability,
                    weight: pair.weight,
                    reason: pair.reason,
                    explanation,
                })
            })
            .collect()
    }

    /// A person's records as each agency holds them, and why each was linked to the
    /// person's first record. `None` for an unknown person.
    pub fn identity_of(&self, person: &str) -> Option<PersonIdentity> {
        let mut records: Vec<(&str, Timestamp)> = self
            .records_of(person)
            .map(|(record, event, _)| (record, event.recorded_at))
            .collect();
        if records.is_empty() {
            return None;
        }
        // The person's id is their first record's id: put it first.
        records.sort_by_key(|&(record, at)| (record != person, at, record.to_string()));
        let first = self.linkage_id(person);
        let records = records
            .into_iter()
            .filter_map(|(record, _)| {
                let linkage_id = self.linkage_id(record);
                let copy_of = (linkage_id != record).then(|| linkage_id.to_string());
                let explanation = (copy_of.is_none() && linkage_id != first)
                    .then(|| self.linkage().explain(linkage_id, first).ok())
                    .flatten();
                Some(PersonRecord {
                    record: self.record_view(record)?,
                    copy_of,
                    explanation,
                })
            })
            .collect::<Vec<_>>();
        let mine = |record: &str| {
            self.person_of_record(record) == Some(person)
                || records.iter().any(|r| r.record.record == record)
        };
        let decisions = self
            .pair_decisions()
            .iter()
            .filter(|d| mine(&d.left) || mine(&d.right))
            .cloned()
            .collect();
        Some(PersonIdentity {
            person: person.to_string(),
            name: self.display_name(person),
            records,
            decisions,
        })
    }
}
