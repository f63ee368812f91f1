//! The rules of appending, decided without a database: given a batch and what the
//! store already holds under the batch's keys, say which events are new, which are
//! repeats of what is stored, and which break a rule. Each backend looks up, calls
//! [`plan_append`], then writes the plan in the same transaction.

use std::collections::HashMap;

use jiff::Timestamp;
use vigil_domain::{AgencyCode, EventId, NewEvent, SourceKey};

use crate::{Appended, IdentityRecordId, StoreError};

/// What the store holds under a source key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: EventId,
    pub content_hash: String,
}

/// What the store holds about an event that a correction names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupersedeTarget {
    pub agency: AgencyCode,
    pub superseded_by: Option<EventId>,
}

/// An event to insert, with everything the store assigns except its sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedEvent {
    pub id: EventId,
    pub identity_records: Vec<IdentityRecordId>,
    pub content_hash: String,
    pub recorded_at: Timestamp,
    pub ingested_at: Timestamp,
    pub event: NewEvent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Insert(usize),
    Stored(EventId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppendPlan {
    pub inserts: Vec<PlannedEvent>,
    slots: Vec<Slot>,
}

impl AppendPlan {
    /// The outcome of each event of the batch, in order, once the inserts have been
    /// given their sequence numbers (one per insert, in order).
    pub fn outcomes(&self, sequences: &[i64]) -> Vec<Appended> {
        assert_eq!(
            sequences.len(),
            self.inserts.len(),
            "one sequence number per insert"
        );
        let mut first_seen = vec![true; self.inserts.len()];
        self.slots
            .iter()
            .map(|slot| match *slot {
                Slot::Insert(index) if first_seen[index] => {
                    first_seen[index] = false;
                    Appended::Created {
                        id: self.inserts[index].id,
                        sequence: sequences[index],
                    }
                }
                Slot::Insert(index) => Appended::AlreadyStored {
                    id: self.inserts[index].id,
                },
                Slot::Stored(id) => Appended::AlreadyStored { id },
            })
            .collect()
    }
}

/// Decides a batch. `existing` holds what the store has under the batch's source keys;
/// `targets` what it has about the events the batch's corrections name.
pub fn plan_append(
    events: Vec<NewEvent>,
    ingested_at: Timestamp,
    existing: &HashMap<SourceKey, Existing>,
    targets: &HashMap<EventId, SupersedeTarget>,
) -> Result<AppendPlan, StoreError> {
    // Stores keep microseconds; truncate here so that what an append returns is what a
    // read gives back.
    let to_microseconds =
        |at: Timestamp| Timestamp::from_microsecond(at.as_microsecond()).expect("in range");
    let ingested_at = to_microseconds(ingested_at);
    let mut inserts: Vec<PlannedEvent> = Vec::new();
    let mut slots = Vec::with_capacity(events.len());
    let mut in_batch: HashMap<SourceKey, usize> = HashMap::new();
    let mut corrected_in_batch: HashMap<EventId, EventId> = HashMap::new();
    for (index, event) in events.into_iter().enumerate() {
        let key = event.source_key();
        let content_hash = event.content_hash.clone();
        if let Some(stored) = existing.get(&key) {
            if stored.content_hash != content_hash {
                return Err(StoreError::Conflict {
                    index,
                    key,
                    existing: stored.id,
                });
            }
            slots.push(Slot::Stored(stored.id));
            continue;
        }
        if let Some(&earlier_index) = in_batch.get(&key) {
            let earlier = &inserts[earlier_index];
            if earlier.content_hash != content_hash {
                return Err(StoreError::DifferentRepeatInBatch {
                    index,
                    earlier: earlier_index,
                    key,
                });
            }
            slots.push(Slot::Insert(earlier_index));
            continue;
        }
        in_batch.insert(key, inserts.len());
        let id = EventId::new();
        if let Some(target) = event.supersedes {
            let Some(stored) = targets.get(&target) else {
                return Err(StoreError::UnknownSupersedes { index, target });
            };
            if stored.agency != event.agency {
                return Err(StoreError::SupersedesOtherAgency {
                    index,
                    target,
                    owner: stored.agency.clone(),
                });
            }
            if let Some(by) = stored
                .superseded_by
                .or_else(|| corrected_in_batch.get(&target).copied())
            {
                return Err(StoreError::AlreadySuperseded { index, target, by });
            }
            corrected_in_batch.insert(target, id);
        }
        slots.push(Slot::Insert(inserts.len()));
        inserts.push(PlannedEvent {
            id,
            identity_records: event
                .people
                .iter()
                .map(|_| IdentityRecordId::new())
                .collect(),
            content_hash,
            recorded_at: event.recorded_at.map_or(ingested_at, to_microseconds),
            ingested_at,
            event,
        });
    }
    Ok(AppendPlan { inserts, slots })
}
