//! The model Vigil ships, for an index that starts empty.
//!
//! Live linkage adds each person of each event to a `LinkageIndex` as it arrives. A new
//! deployment (and the demonstration) starts with a handful of records: EM cannot learn
//! m and u from them, and nobody has labelled pairs. So Vigil ships a model trained
//! without labels on its own synthetic UK population (`vigil synth people`, module
//! [`crate::synth`]): households, twins, namesakes, nicknames, typos, moves and missing
//! NHS numbers, all fictional. It is never trained on a real case or on the Case P
//! scenario. The artefact is `data/default-model.json`, compiled in; it records how it
//! was made, and a test trains it again and checks that the parameters are the same.
//!
//! Its prior is the chance that two records of a population of
//! [`DEFAULT_MODEL_RECORDS`] records are the same person. A smaller index is scored as
//! if it were that large, which errs towards keeping records apart (never towards a
//! guessed merge); a deployment with a large index of its own can retrain on it.
//!
//! The model holds the given- and family-name frequencies of the synthetic population
//! (fictional names only; a name it has not seen gets no frequency adjustment).

use std::sync::OnceLock;

use crate::error::LinkageError;
use crate::model::{LinkageModel, SyntheticPopulationSource, TrainingOptions};
use crate::record::standardise;
use crate::synth::{SynthOptions, generate};

/// Records in the synthetic population the default model is trained on.
pub const DEFAULT_MODEL_RECORDS: usize = 100_000;

/// Seed of that population.
pub const DEFAULT_MODEL_SEED: u64 = 2026;

/// The command, run from the repository root, that writes `data/default-model.json`.
pub const DEFAULT_MODEL_COMMAND: &str =
    "vigil link train --synthetic 100000 --seed 2026 --out crates/linkage/data/default-model.json";

/// The shipped artefact, as JSON.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../data/default-model.json");

impl LinkageModel {
    /// The model Vigil ships (`data/default-model.json`), for an index that has too few
    /// records of its own to train on. Parsed once; each call returns a copy.
    pub fn default_model() -> LinkageModel {
        static MODEL: OnceLock<LinkageModel> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                LinkageModel::from_json(DEFAULT_MODEL_JSON).unwrap_or_else(|error| {
                    // A test parses the artefact, so this cannot happen in a build that passed.
                    panic!("the shipped default model does not parse: {error}")
                })
            })
            .clone()
    }
}

/// Trains a model, unsupervised and with the default options, on the synthetic
/// population `vigil synth people <records> --seed <seed>` writes, generated in memory,
/// and records that population in the model's training summary. With
/// [`DEFAULT_MODEL_RECORDS`] and [`DEFAULT_MODEL_SEED`] this is the default model.
pub fn train_on_synthetic(records: usize, seed: u64) -> Result<LinkageModel, LinkageError> {
    let population = generate(&SynthOptions { records, seed });
    let standardised: Vec<_> = population.records.iter().map(standardise).collect();
    let mut model = LinkageModel::train_unsupervised(&standardised, &TrainingOptions::default())?;
    model.training.synthetic_population = Some(SyntheticPopulationSource {
        generator: format!("vigil synth people {records} --seed {seed}"),
        records,
        seed,
        command: format!(
            "vigil link train --synthetic {records} --seed {seed} --out crates/linkage/data/default-model.json"
        ),
    });
    Ok(model)
}
