//! From records to warnings.
//!
//! Agencies send Vigil what they recorded; this crate works out what it means for a
//! child. Given the events in the order Vigil learned them, a [`Casebook`] links each
//! person in them to a person (through `vigil-linkage`), resolves each address to a
//! place, works out who lives with each child and from when, runs the rule catalogue,
//! and keeps the alerts and open questions that follow, each with its evidence, an owner
//! and a deadline.
//!
//! Everything is derived from the events alone and deterministically, so the record as
//! it was known at any moment is rebuilt by feeding the events recorded up to then
//! ([`replay`]). The crate does no I/O: no clock (the caller says what time it is), no
//! files, no database.

pub mod alerts;
pub mod calendar;
pub mod casebook;
pub mod catalogue;
pub mod child;
pub mod chronology;
pub mod config;
pub mod derivation;
pub mod household;
pub mod notices;
pub mod places;
pub mod questions;
pub mod review;

pub use alerts::{Alert, AlertId, AlertStatus, Level, OwnerRole};
pub use casebook::{AlertResponse, CaseEvent, Casebook, PersonId};
pub use config::RulesConfig;
pub use derivation::Derivation;
pub use notices::Notice;
pub use questions::OpenQuestion;

/// The record as it was known at `as_at`: every event recorded up to then, in the order
/// Vigil learned them, fed to a fresh casebook, and the clock advanced to `as_at`.
pub fn replay(
    events: &[CaseEvent],
    model: vigil_linkage::LinkageModel,
    config: RulesConfig,
    as_at: jiff::Timestamp,
) -> Casebook {
    replay_with_responses(events, &[], model, config, as_at)
}

/// As [`replay`], with people's responses to alerts taken at their times. Both lists
/// must be in time order.
pub fn replay_with_responses(
    events: &[CaseEvent],
    responses: &[AlertResponse],
    model: vigil_linkage::LinkageModel,
    config: RulesConfig,
    as_at: jiff::Timestamp,
) -> Casebook {
    let mut casebook = Casebook::new(model, config);
    let mut responses = responses.iter().filter(|r| r.at <= as_at).peekable();
    for event in events.iter().filter(|e| e.recorded_at <= as_at) {
        while let Some(response) = responses.next_if(|r| r.at < event.recorded_at) {
            // A refused response changed nothing when it was made either.
            let _ = casebook.act(response);
        }
        casebook.record(event.clone());
    }
    for response in responses {
        let _ = casebook.act(response);
    }
    casebook.advance_to(as_at);
    casebook
}
