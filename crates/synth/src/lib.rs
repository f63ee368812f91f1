//! Noise, measured: a fictional population's year of ordinary agency records with a few
//! seeded harm trajectories, and the measurement of what Vigil's rules make of it.
//!
//! Alert fatigue kills safeguarding systems, and a rule catalogue tested only on cases of
//! harm (Case P) says nothing about how often it cries wolf on ordinary childhoods. This
//! crate answers both halves of the question on one data set: [`population::generate`]
//! writes thousands of children's routine contacts (development checks, immunisations,
//! GP visits, school attendance, minor accidents with consistent explanations, missed
//! appointments at ordinary rates, families known to social care, the odd police call-out)
//! in Vigil's own import format, with a small share of children on a seeded harm
//! trajectory and, kept apart from the events, the truth of when each should have been
//! flagged; [`noise::measure`] feeds every event through a [`vigil_rules::Casebook`] in
//! the order recorded and reports alerts per 100 children per month and the share of
//! seeded children flagged on time.
//!
//! **Invariant:** no I/O and no clock, like the rules it measures: the same options give
//! the same events byte for byte, and the same events the same report. The binary writes
//! the files and prints the tables.

pub mod noise;
pub mod population;
mod random;

pub use noise::{NoiseReport, measure};
pub use population::{Population, PopulationOptions, TrajectoryKind, Truth, generate};
