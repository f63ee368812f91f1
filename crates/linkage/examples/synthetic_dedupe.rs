//! Builds a synthetic population (fictional households recorded by several agencies) and
//! times training and deduplication. Usage:
//!
//! ```text
//! cargo run --release --example synthetic_dedupe -- [households]
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use vigil_linkage::evaluate::pairwise_metrics;
use vigil_linkage::{
    HumanDecisions, IdentityRecord, LinkageIndex, LinkageModel, TrainingOptions, link_standardised,
    standardise_all,
};

fn main() {
    let households: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000);
    let (_, population) = common::population(2026, households);
    let records: Vec<IdentityRecord> = population.iter().map(|(r, _)| r.clone()).collect();
    println!(
        "{} households, {} records, {} threads",
        households,
        records.len(),
        rayon::current_num_threads()
    );

    let started = Instant::now();
    let standardised = standardise_all(&records);
    let standardise_time = started.elapsed();

    let started = Instant::now();
    let model = LinkageModel::train_unsupervised(&standardised, &TrainingOptions::default())
        .expect("trains");
    let train_time = started.elapsed();

    let started = Instant::now();
    let run = link_standardised(&standardised, &model, &HumanDecisions::default()).expect("links");
    let link_time = started.elapsed();

    let started = Instant::now();
    let mut index = LinkageIndex::new(model.clone());
    for record in &records {
        index.add(record).expect("adds");
    }
    let incremental_time = started.elapsed();

    let mut truth = Vec::new();
    for (i, (a, pa)) in population.iter().enumerate() {
        for (b, pb) in &population[i + 1..] {
            if pa == pb {
                truth.push((a.record_id.clone(), b.record_id.clone()));
            }
        }
    }
    let clusters: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    let metrics = pairwise_metrics(&clusters, &truth);
    println!(
        "standardise {standardise_time:.2?}, train {train_time:.2?}, batch link {link_time:.2?} ({} candidate pairs), incremental add of every record {incremental_time:.2?}",
        run.blocking.candidate_pairs
    );
    println!(
        "persons {} | pairwise precision {:.4} recall {:.4} F1 {:.4} | review pairs {}",
        run.persons.len(),
        metrics.precision,
        metrics.recall,
        metrics.f1,
        run.review.len()
    );
}
