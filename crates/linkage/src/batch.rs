//! Batch linkage: standardise, block, score, cluster, in one call.
//!
//! This is what `vigil link dedupe FILE.csv` and `vigil link link A.csv B.csv` run. The
//! caller reads the files; this module only takes records. Linking two sources is the
//! same run with `link_only` set in the model's blocking configuration and each record's
//! `source` set, so pairs inside one source are never compared.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingAnalysis, candidate_pairs};
use crate::cluster::{
    HumanDecisions, Person, ReviewPair, ScoredPair, cluster_records, persons_from_clusters,
};
use crate::error::LinkageError;
use crate::model::LinkageModel;
use crate::record::{IdentityRecord, StandardisedRecord, standardise};

/// Result of a batch run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkageRun {
    /// People, sorted by their smallest record id.
    pub persons: Vec<Person>,
    /// Pairs a person should look at.
    pub review: Vec<ReviewPair>,
    pub blocking: BlockingAnalysis,
}

/// Standardises every record (in parallel, order kept).
pub fn standardise_all(records: &[IdentityRecord]) -> Vec<StandardisedRecord> {
    records.par_iter().map(standardise).collect()
}

/// Scores every candidate pair of `records` with `model` and keeps those at or above the
/// review threshold: clustering and the review queue use nothing weaker, and at a
/// million records the weak pairs are most of the memory.
pub fn score_candidates(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    pairs: &[(u32, u32)],
) -> Vec<ScoredPair> {
    pairs
        .par_iter()
        .filter_map(|&(i, j)| {
            let score = model.score(&records[i as usize], &records[j as usize]);
            (score.probability >= model.policy.review).then_some(ScoredPair {
                left: i as usize,
                right: j as usize,
                score,
            })
        })
        .collect()
}

/// Links already standardised records into people. Person IDs follow input order (the
/// first record of a person in the slice names it); the partition itself does not depend
/// on the order.
pub fn link_standardised(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    decisions: &HumanDecisions,
) -> Result<LinkageRun, LinkageError> {
    link_standardised_scored(records, model, decisions).map(|(run, _)| run)
}

/// As [`link_standardised`], also returning the scored candidate pairs at or above the
/// review threshold, for callers that report pairs (the CLI's pairs file).
pub fn link_standardised_scored(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    decisions: &HumanDecisions,
) -> Result<(LinkageRun, Vec<ScoredPair>), LinkageError> {
    let mut seen = std::collections::HashSet::new();
    for r in records {
        if !seen.insert(r.record_id.as_str()) {
            return Err(LinkageError::DuplicateRecordId(r.record_id.clone()));
        }
    }
    let (pairs, blocking) = candidate_pairs(records, &model.blocking, None);
    let scored = score_candidates(records, model, &pairs);
    drop(pairs);
    let clustering = cluster_records(records, model, &scored, decisions)?;
    let arrival: Vec<u64> = (0..records.len() as u64).collect();
    let persons = persons_from_clusters(records, &clustering.clusters, &arrival);
    Ok((
        LinkageRun {
            persons,
            review: clustering.review,
            blocking,
        },
        scored,
    ))
}

/// Standardises and links raw records.
pub fn link_records(
    records: &[IdentityRecord],
    model: &LinkageModel,
    decisions: &HumanDecisions,
) -> Result<LinkageRun, LinkageError> {
    link_standardised(&standardise_all(records), model, decisions)
}
