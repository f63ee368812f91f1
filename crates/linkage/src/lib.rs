//! Identity resolution (record linkage) for Vigil.
//!
//! Agencies spell names differently, use nicknames, swap day and month and leave the NHS
//! number out; Vigil must still see that five agencies' records are one child, without
//! ever merging two siblings on a guess. This crate does that as a pure library: records
//! in, decisions out, no I/O.
//!
//! The pipeline: [`record::standardise`] prepares each [`IdentityRecord`];
//! [`blocking`] finds candidate pairs; [`compare`] grades each field of a pair into levels;
//! a Fellegi–Sunter [`model::LinkageModel`] (m and u per level, EM-trained) turns levels
//! into match weights; [`cluster`] groups records into people without chaining; every
//! decision has an [`explain::Explanation`]. [`index::LinkageIndex`] does the same one
//! record at a time. See README.md for the model, the thresholds and measured figures.

pub mod address;
pub mod agency_record;
pub mod batch;
pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod date;
pub mod default_model;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod index;
pub mod model;
pub mod name;
pub mod nhs;
pub mod nicknames;
pub mod postcode;
mod random;
pub mod record;
pub mod synth;
pub mod text;

pub use agency_record::identity_record;
pub use batch::{
    LinkageRun, link_records, link_standardised, link_standardised_scored, standardise_all,
};
pub use blocking::{BlockingConfig, BlockingRule};
pub use cluster::{HumanDecisions, Person, ReviewPair, ReviewReason, ScoredPair};
pub use error::LinkageError;
pub use explain::{Explanation, PairOutcome, explain_pair};
pub use index::{Decision, LinkageIndex, Outcome, PersonChange};
pub use model::{DecisionPolicy, LabelledPair, LinkageModel, TrainingOptions};
pub use record::{IdentityRecord, NameAlias, Sex, StandardisedRecord, standardise};
