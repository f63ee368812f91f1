//! Measures the latency of adding one record to a large `LinkageIndex`: the figure that
//! decides whether the hub can link each incoming agency record while the practitioner
//! waits. Builds a synthetic population (`vigil_linkage::synth`), trains on it, loads all
//! but the last `probe` records into the index one at a time, then times each of the last
//! `probe` additions. Usage:
//!
//! ```text
//! cargo run --release -p vigil-linkage --example index_latency -- [records] [probe]
//! ```

use std::time::Instant;

use vigil_linkage::synth::{SynthOptions, generate};
use vigil_linkage::{LinkageIndex, LinkageModel, TrainingOptions, standardise_all};

fn main() {
    let mut arguments = std::env::args().skip(1);
    let records: usize = arguments
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let probe: usize = arguments
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let population = generate(&SynthOptions {
        records: records + probe,
        seed: 2026,
    });
    let started = Instant::now();
    let model = LinkageModel::train_unsupervised(
        &standardise_all(&population.records[..records]),
        &TrainingOptions::default(),
    )
    .expect("trains");
    println!("trained on {records} records in {:.1?}", started.elapsed());

    let started = Instant::now();
    let mut index = LinkageIndex::new(model);
    for record in &population.records[..records] {
        index.add(record).expect("adds");
    }
    println!(
        "loaded {} records one at a time in {:.1?} ({:.1} µs per record)",
        index.len(),
        started.elapsed(),
        started.elapsed().as_secs_f64() * 1e6 / records as f64
    );

    let mut latencies: Vec<f64> = population.records[records..]
        .iter()
        .map(|record| {
            let started = Instant::now();
            index.add(record).expect("adds");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "adding one record to an index of {records}: {} samples, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1]
    );
}
