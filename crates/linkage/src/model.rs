//! The Fellegi–Sunter match model: m and u probabilities per agreement level, estimated
//! without labels (u by random sampling, m and the prior by EM) or from labelled pairs.
//!
//! Why Fellegi–Sunter: every decision is a sum of per-field weights, log2(m/u), that a
//! practitioner can read ("date of birth exact: +7.9"), unlike an opaque classifier; and
//! it trains without labelled data, which no agency has. EM runs on *aggregated*
//! comparison vectors: 100 000 candidate pairs collapse to a few thousand distinct vectors,
//! and each iteration is a pass over those counts.
//!
//! The prior (λ) is the proportion of matches among *candidate* pairs (pairs found by
//! blocking), because those are the only pairs the model ever scores.

use crate::random::SplitMix64;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingConfig, BlockingRule, candidate_pairs, pair_allowed};
use crate::compare::{ComparisonVector, FIELD_COUNT, FIELDS, Field, MISSING, compare};
use crate::error::LinkageError;
use crate::record::StandardisedRecord;

/// Version of the serialised model artefact this library reads and writes.
///
/// 2: the location is compared once (address line, then postcode, then town: see
/// `compare`), a partial date of birth that fits weighs nothing, alias names are
/// compared. A version-1 model learned its postcode, town and date weights on vectors made
/// the old way, so it is refused rather than misread.
pub const MODEL_VERSION: u32 = 2;

/// Probabilities of one agreement level: among true matches (m) and among non-matches (u).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelParameters {
    pub label: String,
    pub m: f64,
    pub u: f64,
}

impl LevelParameters {
    /// Match weight of this level, log2(m/u): positive is evidence for a match.
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// Parameters of one field's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonParameters {
    pub field: Field,
    pub levels: Vec<LevelParameters>,
    /// Value frequencies for the term-frequency adjustment of an exact match (given and
    /// family name only). Share of records holding each value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub term_frequencies: BTreeMap<String, f64>,
}

/// How scores become decisions: thresholds on the match probability and the household rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecisionPolicy {
    /// At or above: link automatically (unless household evidence or a human decision says otherwise).
    pub link: f64,
    /// At or above (and below `link`): a human reviews the pair.
    pub review: f64,
    /// Household evidence (same family name and address, different given name or date of
    /// birth, no shared identifier) blocks an automatic merge and sends the pair to review.
    /// On by default: it is what keeps twins, siblings and a parent and child with the same
    /// name apart. The same switch governs the conflicting-identity veto (two of given
    /// name, family name, date of birth and sex differ) and so the ambiguity rule.
    /// Switching it off is only for benchmarks whose duplicates are made by replacing a
    /// given name or date of birth with another real one (FEBRL).
    #[serde(default = "default_true")]
    pub household_veto: bool,
}

fn default_true() -> bool {
    true
}

impl Default for DecisionPolicy {
    fn default() -> Self {
        DecisionPolicy {
            link: 0.99,
            review: 0.5,
            household_veto: true,
        }
    }
}

/// What training did, for the README and for a practitioner wondering why the model is as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingSummary {
    pub method: String,
    pub records: usize,
    pub u_sample_pairs: usize,
    pub candidate_pairs: u64,
    pub distinct_vectors: usize,
    pub em_iterations: usize,
    pub converged: bool,
    /// The generated population the model was trained on, when it was one (the default
    /// model): enough to train it again and get the same parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic_population: Option<SyntheticPopulationSource>,
}

/// A synthetic population, named by what generates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntheticPopulationSource {
    /// What writes the same records: `vigil synth people N --seed S`.
    pub generator: String,
    pub records: usize,
    pub seed: u64,
    /// The command that trains this model again.
    pub command: String,
}

/// A trained model. Serialises to the versioned JSON artefact (`{"version": 1, ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkageModel {
    pub version: u32,
    /// λ: prior probability that two records drawn at random are the same person.
    pub prior: f64,
    pub comparisons: Vec<ComparisonParameters>,
    pub policy: DecisionPolicy,
    pub blocking: BlockingConfig,
    pub training: TrainingSummary,
}

/// Settings of training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingOptions {
    pub blocking: BlockingConfig,
    /// Random pairs drawn to estimate u (all pairs when there are fewer).
    pub u_sample_pairs: usize,
    pub seed: u64,
    pub em_max_iterations: usize,
    /// EM stops when no parameter moves by more than this.
    pub em_tolerance: f64,
    pub policy: DecisionPolicy,
    /// Blocking rules that each define one EM session (see `train_unsupervised`).
    pub training_rules: Vec<BlockingRule>,
    /// EM (m and λ) runs on at most this many records, a seeded random sample, because
    /// its cost grows with the candidate pairs and a few hundred thousand records already
    /// pin the parameters down. The prior stays unbiased: in a random sample both the
    /// matching pairs among candidates and all pairs shrink by the same factor. u (random
    /// pairs) and the term frequencies still use every record.
    pub max_em_records: usize,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        TrainingOptions {
            blocking: BlockingConfig::default(),
            u_sample_pairs: 300_000,
            seed: 0x5eed_1234_abcd,
            em_max_iterations: 100,
            em_tolerance: 1e-6,
            policy: DecisionPolicy::default(),
            training_rules: vec![BlockingRule::DateOfBirth, BlockingRule::FamilyAndGivenSound],
            max_em_records: 200_000,
        }
    }
}

/// A labelled pair for supervised estimation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledPair {
    pub left: String,
    pub right: String,
    pub is_match: bool,
}

/// Pseudo-count added to every level so that a level never seen in training does not get
/// an infinite weight.
const SMOOTHING: f64 = 0.5;

fn normalise(counts: &[f64]) -> Vec<f64> {
    let total: f64 = counts.iter().sum::<f64>() + SMOOTHING * counts.len() as f64;
    counts.iter().map(|c| (c + SMOOTHING) / total).collect()
}

/// Starting m before EM: most matches agree exactly, the rest spread over weaker levels.
/// The NHS number's second level is disagreement, like every last level.
fn initial_m(levels: usize) -> Vec<f64> {
    let mut m = vec![0.1 / (levels - 1) as f64; levels];
    m[0] = 0.9;
    m
}

fn term_frequency_table(records: &[StandardisedRecord], field: Field) -> BTreeMap<String, f64> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    let mut total = 0u64;
    for record in records {
        if let Some(value) = field.term_frequency_value(record) {
            *counts.entry(value).or_default() += 1;
            total += 1;
        }
    }
    counts
        .into_iter()
        .map(|(value, count)| (value.to_owned(), count as f64 / total as f64))
        .collect()
}

/// u: level frequencies among random pairs, nearly all of which are non-matches.
fn estimate_u(
    records: &[StandardisedRecord],
    blocking: &BlockingConfig,
    sample_pairs: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<ComparisonVector>) {
    let n = records.len();
    let all_pairs = n.saturating_mul(n.saturating_sub(1)) / 2;
    let pairs: Vec<(usize, usize)> = if all_pairs <= sample_pairs {
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .collect()
    } else {
        let mut rng = SplitMix64(seed);
        (0..sample_pairs)
            .map(|_| {
                let i = rng.below(n);
                let mut j = rng.below(n - 1);
                if j >= i {
                    j += 1;
                }
                (i, j)
            })
            .collect()
    };
    let pairs: Vec<(usize, usize)> = pairs
        .into_iter()
        .filter(|&(i, j)| pair_allowed(blocking, &records[i], &records[j]))
        .collect();
    let vectors: Vec<ComparisonVector> = pairs
        .par_iter()
        .map(|&(i, j)| compare(&records[i], &records[j]))
        .collect();
    let mut counts: Vec<Vec<f64>> = FIELDS.iter().map(|f| vec![0.0; f.level_count()]).collect();
    for vector in &vectors {
        for (f, &level) in vector.iter().enumerate() {
            if level != MISSING {
                counts[f][level as usize] += 1.0;
            }
        }
    }
    (counts.iter().map(|c| normalise(c)).collect(), vectors)
}

/// Number of pairs the model could ever be asked about: all pairs, or all cross-source
/// pairs in link-only mode.
fn total_pairs(records: &[StandardisedRecord], blocking: &BlockingConfig) -> f64 {
    let n = records.len() as f64;
    let all = n * (n - 1.0) / 2.0;
    if !blocking.link_only {
        return all;
    }
    let mut per_source: HashMap<Option<&str>, f64> = HashMap::new();
    for r in records {
        *per_source.entry(r.source.as_deref()).or_default() += 1.0;
    }
    all - per_source
        .values()
        .map(|k| k * (k - 1.0) / 2.0)
        .sum::<f64>()
}

/// Fields an EM session leaves out (those its blocking rule forces to agree).
type FieldMask = [bool; FIELD_COUNT];

/// Distinct comparison vectors of the candidate pairs with how often each occurs.
fn aggregate(vectors: impl IntoIterator<Item = ComparisonVector>) -> Vec<(ComparisonVector, f64)> {
    let mut counts: HashMap<ComparisonVector, u64> = HashMap::new();
    for v in vectors {
        *counts.entry(v).or_default() += 1;
    }
    let mut aggregated: Vec<(ComparisonVector, f64)> =
        counts.into_iter().map(|(v, c)| (v, c as f64)).collect();
    // Fixed order so that floating-point sums, and so the trained model, are reproducible.
    aggregated.sort_by_key(|(vector, _)| *vector);
    aggregated
}

/// EM for m and λ with u fixed. Returns (m, λ, iterations, converged).
/// `excluded` fields (those the session's blocking rule already forces to agree) take no
/// part: their agreement says nothing about matches in pairs selected for agreeing on them.
fn expectation_maximisation(
    aggregated: &[(ComparisonVector, f64)],
    u: &[Vec<f64>],
    excluded: &[bool; FIELD_COUNT],
    options: &TrainingOptions,
) -> (Vec<Vec<f64>>, f64, usize, bool) {
    let mut m: Vec<Vec<f64>> = FIELDS.iter().map(|f| initial_m(f.level_count())).collect();
    let mut lambda: f64 = 0.5;
    let masked = |vector: &ComparisonVector| -> ComparisonVector {
        let mut v = *vector;
        for (slot, &skip) in v.iter_mut().zip(excluded) {
            if skip {
                *slot = MISSING;
            }
        }
        v
    };
    let aggregated: Vec<(ComparisonVector, f64)> =
        aggregated.iter().map(|(v, c)| (masked(v), *c)).collect();
    let aggregated = &aggregated;
    let total: f64 = aggregated.iter().map(|(_, c)| c).sum();
    for iteration in 1..=options.em_max_iterations {
        let mut m_counts: Vec<Vec<f64>> =
            FIELDS.iter().map(|f| vec![0.0; f.level_count()]).collect();
        let mut matches = 0.0;
        for (vector, count) in aggregated {
            let weight = posterior(vector, &m, u, lambda) * count;
            matches += weight;
            for (f, &level) in vector.iter().enumerate() {
                if level != MISSING {
                    m_counts[f][level as usize] += weight;
                }
            }
        }
        let new_lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        let new_m: Vec<Vec<f64>> = m_counts
            .iter()
            .zip(&m)
            .zip(excluded)
            .map(|((c, old), &skip)| if skip { old.clone() } else { normalise(c) })
            .collect();
        let change = new_m
            .iter()
            .flatten()
            .zip(m.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold((new_lambda - lambda).abs(), f64::max);
        m = new_m;
        lambda = new_lambda;
        if change < options.em_tolerance {
            return (m, lambda, iteration, true);
        }
    }
    (m, lambda, options.em_max_iterations, false)
}

/// Posterior match probability of a vector under (m, u, λ).
fn posterior(vector: &ComparisonVector, m: &[Vec<f64>], u: &[Vec<f64>], lambda: f64) -> f64 {
    let mut log_ratio = (lambda / (1.0 - lambda)).ln();
    for (f, &level) in vector.iter().enumerate() {
        if level != MISSING {
            log_ratio += (m[f][level as usize] / u[f][level as usize]).ln();
        }
    }
    1.0 / (1.0 + (-log_ratio).exp())
}

fn check_unique_ids(records: &[StandardisedRecord]) -> Result<(), LinkageError> {
    let mut seen = std::collections::HashSet::new();
    for r in records {
        if !seen.insert(r.record_id.as_str()) {
            return Err(LinkageError::DuplicateRecordId(r.record_id.clone()));
        }
    }
    Ok(())
}

impl LinkageModel {
    fn assemble(
        records: &[StandardisedRecord],
        m: Vec<Vec<f64>>,
        u: Vec<Vec<f64>>,
        prior: f64,
        options: &TrainingOptions,
        training: TrainingSummary,
    ) -> LinkageModel {
        let comparisons = FIELDS
            .iter()
            .enumerate()
            .map(|(f, field)| ComparisonParameters {
                field: *field,
                levels: field
                    .level_labels()
                    .iter()
                    .enumerate()
                    .map(|(l, label)| LevelParameters {
                        label: (*label).to_owned(),
                        m: m[f][l],
                        u: u[f][l],
                    })
                    .collect(),
                term_frequencies: term_frequency_table(records, *field),
            })
            .collect();
        LinkageModel {
            version: MODEL_VERSION,
            prior,
            comparisons,
            policy: options.policy,
            blocking: options.blocking.clone(),
            training,
        }
    }

    /// Trains without labels: u from random pairs, m and λ by EM over the candidate pairs
    /// that `options.blocking` finds.
    pub fn train_unsupervised(
        records: &[StandardisedRecord],
        options: &TrainingOptions,
    ) -> Result<LinkageModel, LinkageError> {
        check_unique_ids(records)?;
        if records.len() < 2 {
            return Err(LinkageError::Training("need at least two records".into()));
        }
        let (u, random_vectors) = estimate_u(
            records,
            &options.blocking,
            options.u_sample_pairs,
            options.seed,
        );
        let all_records = records;
        let sample: Vec<StandardisedRecord>;
        let records = if records.len() > options.max_em_records.max(2) {
            let mut order: Vec<usize> = (0..records.len()).collect();
            let mut rng = SplitMix64(options.seed ^ 0xe3_5a3b1e);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            order.truncate(options.max_em_records.max(2));
            order.sort_unstable();
            sample = order.into_iter().map(|i| records[i].clone()).collect();
            &sample[..]
        } else {
            records
        };
        let (pairs, _) = candidate_pairs(records, &options.blocking, None);
        if pairs.is_empty() {
            return Err(LinkageError::Training(
                "blocking found no candidate pairs: loosen the blocking rules or raise the block-size cap".into(),
            ));
        }
        let vectors_of = |pairs: &[(u32, u32)]| -> Vec<ComparisonVector> {
            pairs
                .par_iter()
                .map(|&(i, j)| compare(&records[i as usize], &records[j as usize]))
                .collect()
        };
        // One EM session per training rule, Splink-style. Each session sees the pairs one
        // blocking rule finds and learns m only for the fields that rule does not force to
        // agree. Training on all candidates at once learns *households* (same surname,
        // address, phone) as the match class; pairs sharing a date of birth, or a name,
        // are mostly the same person, so each session's match class is a person.
        let sessions: Vec<(FieldMask, Vec<(ComparisonVector, f64)>)> = options
            .training_rules
            .iter()
            .filter_map(|rule| {
                let config = BlockingConfig {
                    rules: vec![*rule],
                    ..options.blocking.clone()
                };
                let (session_pairs, _) = candidate_pairs(records, &config, None);
                if session_pairs.is_empty() {
                    return None;
                }
                let mut excluded = [false; FIELD_COUNT];
                for field in rule.fields() {
                    excluded[field.index()] = true;
                }
                Some((excluded, aggregate(vectors_of(&session_pairs))))
            })
            .collect();
        let distinct: usize = sessions.iter().map(|(_, a)| a.len()).sum();
        let candidates = aggregate(vectors_of(&pairs));
        let all_pairs = total_pairs(records, &options.blocking);
        let fit = |u: &[Vec<f64>]| -> (Vec<Vec<f64>>, f64, usize, bool) {
            let mut m_sum: Vec<Vec<f64>> =
                FIELDS.iter().map(|f| vec![0.0; f.level_count()]).collect();
            let mut m_sessions = [0usize; FIELD_COUNT];
            let (mut iterations, mut converged) = (0, true);
            for (excluded, aggregated) in &sessions {
                let (m, _, its, conv) = expectation_maximisation(aggregated, u, excluded, options);
                iterations += its;
                converged &= conv;
                for f in 0..FIELD_COUNT {
                    if !excluded[f] {
                        m_sessions[f] += 1;
                        for (sum, value) in m_sum[f].iter_mut().zip(&m[f]) {
                            *sum += value;
                        }
                    }
                }
            }
            let m: Vec<Vec<f64>> = FIELDS
                .iter()
                .enumerate()
                .map(|(f, field)| {
                    if m_sessions[f] == 0 {
                        initial_m(field.level_count())
                    } else {
                        m_sum[f].iter().map(|v| v / m_sessions[f] as f64).collect()
                    }
                })
                .collect();
            // The prior the model keeps is the chance that two records drawn at random are
            // the same person: expected matches among all candidate pairs (where nearly all
            // matches are) over all pairs. λ among candidates comes from EM on λ alone.
            let total: f64 = candidates.iter().map(|(_, c)| c).sum();
            let mut lambda = 0.5;
            for _ in 0..options.em_max_iterations {
                let next = (candidates
                    .iter()
                    .map(|(v, c)| posterior(v, &m, u, lambda) * c)
                    .sum::<f64>()
                    / total)
                    .clamp(1e-9, 1.0 - 1e-9);
                let done = (next - lambda).abs() < options.em_tolerance;
                lambda = next;
                if done {
                    break;
                }
            }
            let prior = (lambda * total / all_pairs).clamp(1e-12, 0.5);
            (m, prior, iterations, converged)
        };
        let (m, prior, first_iterations, first_converged) = fit(&u);
        // Random pairs are nearly all non-matches, but not all: in a small file with many
        // duplicates (FEBRL3: one random pair in 2 000 is a match) the few matches among
        // them make up most of the pairs that agree on a rare value (the same NHS number,
        // the same address), so u, and the weight of exactly the strongest evidence, is
        // estimated from the matches themselves. So u is estimated again with each random
        // pair counted by its posterior chance of being a non-match, and m and the prior
        // once more with that u.
        let random = aggregate(random_vectors.iter().copied());
        let mut u_counts: Vec<Vec<f64>> =
            FIELDS.iter().map(|f| vec![0.0; f.level_count()]).collect();
        for (vector, count) in &random {
            let weight = (1.0 - posterior(vector, &m, &u, prior)) * count;
            for (f, &level) in vector.iter().enumerate() {
                if level != MISSING {
                    u_counts[f][level as usize] += weight;
                }
            }
        }
        let u: Vec<Vec<f64>> = u_counts.iter().map(|c| normalise(c)).collect();
        let (m, prior, iterations, converged) = fit(&u);
        let (iterations, converged) = (first_iterations + iterations, first_converged && converged);
        let summary = TrainingSummary {
            method: "unsupervised: u from random pairs (then weighted by their chance of being non-matches), m by EM per training blocking rule".into(),
            records: all_records.len(),
            u_sample_pairs: random_vectors.len(),
            candidate_pairs: pairs.len() as u64,
            distinct_vectors: distinct,
            em_iterations: iterations,
            converged,
            synthetic_population: None,
        };
        Ok(Self::assemble(all_records, m, u, prior, options, summary))
    }

    /// Trains from pairs a person has labelled: m from the matches, u from the non-matches
    /// when there are at least 100 of them, otherwise from random pairs. The prior is the
    /// number of labelled matches over all pairs, a lower bound (labels are rarely complete).
    pub fn train_supervised(
        records: &[StandardisedRecord],
        labelled: &[LabelledPair],
        options: &TrainingOptions,
    ) -> Result<LinkageModel, LinkageError> {
        check_unique_ids(records)?;
        let by_id: HashMap<&str, &StandardisedRecord> =
            records.iter().map(|r| (r.record_id.as_str(), r)).collect();
        let mut match_counts: Vec<Vec<f64>> =
            FIELDS.iter().map(|f| vec![0.0; f.level_count()]).collect();
        let mut non_match_counts = match_counts.clone();
        let (mut matches, mut non_matches) = (0usize, 0usize);
        for pair in labelled {
            let left = by_id
                .get(pair.left.as_str())
                .ok_or_else(|| LinkageError::UnknownRecordId(pair.left.clone()))?;
            let right = by_id
                .get(pair.right.as_str())
                .ok_or_else(|| LinkageError::UnknownRecordId(pair.right.clone()))?;
            let vector = compare(left, right);
            let target = if pair.is_match {
                matches += 1;
                &mut match_counts
            } else {
                non_matches += 1;
                &mut non_match_counts
            };
            for (f, &level) in vector.iter().enumerate() {
                if level != MISSING {
                    target[f][level as usize] += 1.0;
                }
            }
        }
        if matches == 0 {
            return Err(LinkageError::Training(
                "no labelled matches: label at least one matching pair".into(),
            ));
        }
        let m: Vec<Vec<f64>> = match_counts.iter().map(|c| normalise(c)).collect();
        let (u, u_pairs) = if non_matches >= 100 {
            (
                non_match_counts.iter().map(|c| normalise(c)).collect(),
                non_matches,
            )
        } else {
            let (u, vectors) = estimate_u(
                records,
                &options.blocking,
                options.u_sample_pairs,
                options.seed,
            );
            (u, vectors.len())
        };
        let (pairs, _) = candidate_pairs(records, &options.blocking, None);
        let prior = (matches as f64 / total_pairs(records, &options.blocking)).clamp(1e-12, 0.5);
        let summary = TrainingSummary {
            method:
                "supervised: m from labelled matches, u from labelled non-matches or random pairs"
                    .into(),
            records: records.len(),
            u_sample_pairs: u_pairs,
            candidate_pairs: pairs.len() as u64,
            distinct_vectors: 0,
            em_iterations: 0,
            converged: true,
            synthetic_population: None,
        };
        Ok(Self::assemble(records, m, u, prior, options, summary))
    }

    /// Serialises to the versioned JSON artefact.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| unreachable!("a model always serialises: {e}"))
    }

    /// Reads a JSON artefact, checking its version and shape.
    pub fn from_json(text: &str) -> Result<LinkageModel, LinkageError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let version: VersionOnly = serde_json::from_str(text)?;
        if version.version != MODEL_VERSION {
            return Err(LinkageError::UnsupportedModelVersion {
                found: version.version,
                expected: MODEL_VERSION,
            });
        }
        let model: LinkageModel = serde_json::from_str(text)?;
        if model.comparisons.len() != FIELD_COUNT {
            return Err(LinkageError::InvalidModel(format!(
                "{} comparisons, expected {FIELD_COUNT}",
                model.comparisons.len()
            )));
        }
        for (params, field) in model.comparisons.iter().zip(FIELDS) {
            if params.field != field || params.levels.len() != field.level_count() {
                return Err(LinkageError::InvalidModel(format!(
                    "comparison for {:?} has the wrong field or level count",
                    params.field
                )));
            }
            if params
                .levels
                .iter()
                .any(|l| !(l.m > 0.0 && l.m <= 1.0 && l.u > 0.0 && l.u <= 1.0))
            {
                return Err(LinkageError::InvalidModel(format!(
                    "{:?}: m and u must be in (0, 1]",
                    params.field
                )));
            }
        }
        if !(model.prior > 0.0 && model.prior < 1.0) {
            return Err(LinkageError::InvalidModel(
                "prior must be strictly between 0 and 1".into(),
            ));
        }
        Ok(model)
    }

    pub fn parameters(&self, field: Field) -> &ComparisonParameters {
        &self.comparisons[field.index()]
    }

    /// Weight of the prior, log2(λ / (1 - λ)).
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// Term-frequency adjustment of an exact match on `field`: log2(u_exact / frequency).
    /// The frequency is the larger of the two records' values (they can differ when the
    /// match came through an alias), so the adjustment is symmetric and never generous.
    /// Zero when a value was not seen in training, so an unfamiliar name earns no credit.
    pub fn term_frequency_adjustment(
        &self,
        field: Field,
        level: u8,
        a: &StandardisedRecord,
        b: &StandardisedRecord,
    ) -> f64 {
        if level != 0 {
            return 0.0;
        }
        let params = self.parameters(field);
        let frequency_of = |r: &StandardisedRecord| {
            field
                .term_frequency_value(r)
                .and_then(|v| params.term_frequencies.get(v))
                .copied()
        };
        let adjustment = match (frequency_of(a), frequency_of(b)) {
            (Some(x), Some(y)) if x > 0.0 && y > 0.0 => (params.levels[0].u / x.max(y)).log2(),
            _ => return 0.0,
        };
        // An exact match on a common name is weaker than on a rare one, but never weaker
        // evidence than a merely similar spelling would have been.
        let exact = params.levels[0].weight();
        let best_other = params.levels[1..]
            .iter()
            .map(LevelParameters::weight)
            .fold(f64::NEG_INFINITY, f64::max);
        adjustment.max(best_other - exact)
    }

    /// Scores a pair: total match weight (prior included) and probability.
    pub fn score(&self, a: &StandardisedRecord, b: &StandardisedRecord) -> PairScore {
        let vector = compare(a, b);
        self.score_vector(&vector, a, b)
    }

    /// Scores an already computed comparison vector of `a` and `b`.
    pub fn score_vector(
        &self,
        vector: &ComparisonVector,
        a: &StandardisedRecord,
        b: &StandardisedRecord,
    ) -> PairScore {
        let mut weight = self.prior_weight();
        for (params, &level) in self.comparisons.iter().zip(vector) {
            if level == MISSING {
                continue;
            }
            weight += params.levels[level as usize].weight();
            weight += self.term_frequency_adjustment(params.field, level, a, b);
        }
        PairScore {
            vector: *vector,
            weight,
            probability: probability_from_weight(weight),
        }
    }
}

/// Probability from a total match weight (log2 odds).
pub fn probability_from_weight(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// A scored pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairScore {
    pub vector: ComparisonVector,
    pub weight: f64,
    pub probability: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_weight_agree() {
        assert!((probability_from_weight(0.0) - 0.5).abs() < 1e-12);
        assert!((probability_from_weight(1.0) - 2.0 / 3.0).abs() < 1e-12);
        assert!(probability_from_weight(-40.0) < 1e-11);
    }

    #[test]
    fn sampling_is_reproducible_and_in_range() {
        let mut a = SplitMix64(7);
        let mut b = SplitMix64(7);
        for _ in 0..1000 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
        }
    }

    #[test]
    fn normalise_smooths_unseen_levels() {
        let p = normalise(&[10.0, 0.0]);
        assert!(p[1] > 0.0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
