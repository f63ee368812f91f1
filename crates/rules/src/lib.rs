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
pub mod front_door;
pub mod household;
pub mod linkage_review;
pub mod notices;
pub mod places;
pub mod questions;
pub mod review;

pub use alerts::{Alert, AlertId, AlertStatus, Level, OwnerRole};
pub use casebook::{AlertResponse, CaseEvent, Casebook, PairDecision, PairDecisionError, PersonId};
pub use config::RulesConfig;
pub use derivation::Derivation;
pub use front_door::{FrontDoorDecision, FrontDoorItem, MashOutcome};
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
    replay_with_decisions(events, responses, &[], model, config, as_at)
}

/// Something a person did, taken into the casebook at its time.
#[derive(Debug, Clone, Copy)]
pub enum HumanInput<'a> {
    Response(&'a AlertResponse),
    Pair(&'a PairDecision),
    FrontDoor(&'a FrontDoorDecision),
}

impl HumanInput<'_> {
    pub fn at(&self) -> jiff::Timestamp {
        match self {
            HumanInput::Response(response) => response.at,
            HumanInput::Pair(decision) => decision.at,
            HumanInput::FrontDoor(decision) => decision.at,
        }
    }

    /// Takes it into the casebook. A refused input changed nothing when it was made
    /// either, so it is passed over (and reported to the caller).
    pub fn apply(&self, casebook: &mut Casebook) -> Result<(), String> {
        match self {
            HumanInput::Response(response) => {
                casebook.act(response).map_err(|error| error.to_string())
            }
            HumanInput::Pair(decision) => casebook
                .decide_pair(decision)
                .map(|_| ())
                .map_err(|error| error.to_string()),
            HumanInput::FrontDoor(decision) => casebook
                .decide_front_door(decision)
                .map_err(|error| error.to_string()),
        }
    }
}

/// Merges responses to alerts and decisions about pairs (each in time order) into one
/// list in time order; at the same moment, responses come first.
pub fn human_inputs<'a>(
    responses: &'a [AlertResponse],
    decisions: &'a [PairDecision],
) -> Vec<HumanInput<'a>> {
    let mut inputs: Vec<HumanInput<'a>> = responses
        .iter()
        .map(HumanInput::Response)
        .chain(decisions.iter().map(HumanInput::Pair))
        .collect();
    // Stable: each list keeps its own order.
    inputs.sort_by_key(|input| input.at());
    inputs
}

/// As [`replay_with_responses`], with people's decisions about pairs of identity
/// records too. Every list must be in time order; a person's input is taken before an
/// event recorded after it, so the record as known at any moment is rebuilt exactly.
pub fn replay_with_decisions(
    events: &[CaseEvent],
    responses: &[AlertResponse],
    decisions: &[PairDecision],
    model: vigil_linkage::LinkageModel,
    config: RulesConfig,
    as_at: jiff::Timestamp,
) -> Casebook {
    let mut casebook = Casebook::new(model, config);
    let inputs = human_inputs(responses, decisions);
    let mut inputs = inputs.iter().filter(|i| i.at() <= as_at).peekable();
    for event in events.iter().filter(|e| e.recorded_at <= as_at) {
        while let Some(input) = inputs.next_if(|i| i.at() < event.recorded_at) {
            let _ = input.apply(&mut casebook);
        }
        casebook.record(event.clone());
    }
    for input in inputs {
        let _ = input.apply(&mut casebook);
    }
    casebook.advance_to(as_at);
    casebook
}
