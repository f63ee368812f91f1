//! FEBRL benchmark: unsupervised (EM, no labels) linkage measured against the truth files.
//!
//! Tests may read files; the library never does. Each test prints its figures (run with
//! `--nocapture`) and asserts the level actually reached, so a regression fails.

use std::path::PathBuf;

use vigil_linkage::blocking::candidate_pairs;
use vigil_linkage::evaluate::{b_cubed_metrics, clusters_from_pairs, pairwise_metrics};
use vigil_linkage::{
    HumanDecisions, IdentityRecord, LinkageModel, TrainingOptions, link_standardised,
    standardise_all,
};

fn data_dir() -> PathBuf {
    std::env::var_os("FEBRL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/febrl")
        })
}

fn read_rows(file: &str) -> Vec<Vec<String>> {
    let path = data_dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn opt(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

/// FEBRL columns: rec_id,given_name,surname,street_number,address_1,address_2,suburb,
/// postcode,state,date_of_birth,soc_sec_id. address_2 (a locality/building line) is
/// ignored; state is not used.
fn read_records(file: &str, source: &str) -> Vec<IdentityRecord> {
    read_rows(file)
        .into_iter()
        .map(|r| {
            let address = [r[3].trim(), r[4].trim()]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            IdentityRecord {
                record_id: r[0].clone(),
                given_name: opt(&r[1]),
                family_name: opt(&r[2]),
                address_line: opt(&address),
                town: opt(&r[6]),
                postcode: opt(&r[7]),
                date_of_birth: opt(&r[9]),
                other_id: opt(&r[10]),
                source: Some(source.to_owned()),
                ..Default::default()
            }
        })
        .collect()
}

fn read_truth(file: &str) -> Vec<(String, String)> {
    read_rows(file)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

struct Figures {
    precision: f64,
    recall: f64,
    f1: f64,
}

fn run(
    name: &str,
    records: Vec<IdentityRecord>,
    truth: Vec<(String, String)>,
    link_only: bool,
    household_veto: bool,
) -> Figures {
    let started = std::time::Instant::now();
    let standardised = standardise_all(&records);
    let mut options = TrainingOptions::default();
    options.blocking.link_only = link_only;
    options.policy.household_veto = household_veto;
    let model = LinkageModel::train_unsupervised(&standardised, &options).expect("trains");
    let trained = started.elapsed();
    let (_, blocking) = candidate_pairs(&standardised, &model.blocking, Some(&truth));
    let run = link_standardised(&standardised, &model, &HumanDecisions::default()).expect("links");
    let clusters: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    let pairwise = pairwise_metrics(&clusters, &truth);
    let ids: Vec<String> = records.iter().map(|r| r.record_id.clone()).collect();
    let b_cubed = b_cubed_metrics(&clusters, &clusters_from_pairs(&ids, &truth));
    println!(
        "{name} (household veto {}): records {} candidate pairs {} blocking recall {:.4} | EM iterations {} converged {} prior {:.4} | \
         pairwise P {:.4} R {:.4} F1 {:.4} (tp {} fp {} fn {}) | B-cubed P {:.4} R {:.4} F1 {:.4} | review pairs {} | \
         train {:.2?} total {:.2?}",
        if household_veto { "on" } else { "off" },
        records.len(),
        blocking.candidate_pairs,
        blocking.recall.unwrap_or(0.0),
        model.training.em_iterations,
        model.training.converged,
        model.prior,
        pairwise.precision,
        pairwise.recall,
        pairwise.f1,
        pairwise.true_positives,
        pairwise.false_positives,
        pairwise.false_negatives,
        b_cubed.precision,
        b_cubed.recall,
        b_cubed.f1,
        run.review.len(),
        trained,
        started.elapsed(),
    );
    if std::env::var_os("FEBRL_VERBOSE").is_some() {
        let by_id: std::collections::HashMap<&str, &IdentityRecord> =
            records.iter().map(|r| (r.record_id.as_str(), r)).collect();
        for (a, b) in blocking.true_pairs_missed.iter().take(12) {
            println!(
                "  MISSED BY BLOCKING\n    {:?}\n    {:?}",
                by_id[a.as_str()],
                by_id[b.as_str()]
            );
        }
        for c in &model.comparisons {
            let w: Vec<String> = c
                .levels
                .iter()
                .map(|l| format!("{:.2}", l.weight()))
                .collect();
            println!("  {:?}: {}", c.field, w.join(" "));
        }
        let predicted = vigil_linkage::evaluate::pairs_of_partition(&clusters);
        let by_id: std::collections::HashMap<&str, &IdentityRecord> =
            records.iter().map(|r| (r.record_id.as_str(), r)).collect();
        let truth_set: std::collections::HashSet<(String, String)> = truth
            .iter()
            .map(|(a, b)| {
                if a <= b {
                    (a.clone(), b.clone())
                } else {
                    (b.clone(), a.clone())
                }
            })
            .collect();
        for (a, b) in predicted
            .iter()
            .filter(|p| !truth_set.contains(*p))
            .take(15)
        {
            let s = model.score(
                &vigil_linkage::standardise(by_id[a.as_str()]),
                &vigil_linkage::standardise(by_id[b.as_str()]),
            );
            println!(
                "  FP {a} {b} p={:.4} {:?}\n    {:?}\n    {:?}",
                s.probability,
                s.vector,
                by_id[a.as_str()],
                by_id[b.as_str()]
            );
        }
        for (a, b) in truth_set
            .iter()
            .filter(|p| !predicted.contains(*p))
            .take(15)
        {
            let s = model.score(
                &vigil_linkage::standardise(by_id[a.as_str()]),
                &vigil_linkage::standardise(by_id[b.as_str()]),
            );
            println!(
                "  FN {a} {b} p={:.4} {:?}\n    {:?}\n    {:?}",
                s.probability,
                s.vector,
                by_id[a.as_str()],
                by_id[b.as_str()]
            );
        }
    }
    Figures {
        precision: pairwise.precision,
        recall: pairwise.recall,
        f1: pairwise.f1,
    }
}

fn dataset(name: &str) -> (Vec<IdentityRecord>, Vec<(String, String)>, bool) {
    match name {
        "FEBRL4" => {
            let mut records = read_records("febrl4a.csv", "a");
            records.extend(read_records("febrl4b.csv", "b"));
            (records, read_truth("febrl4_truth.csv"), true)
        }
        _ => {
            let lower = name.to_lowercase();
            (
                read_records(&format!("{lower}.csv"), &lower),
                read_truth(&format!("{lower}_truth.csv")),
                false,
            )
        }
    }
}

/// Runs a dataset with the household veto on (the default, what Vigil ships) and off
/// (benchmark mode), and checks both against the figures reached when this was written.
fn check(name: &str, min_f1_default: f64, min_f1_benchmark: f64) {
    let (records, truth, link_only) = dataset(name);
    let default = run(name, records.clone(), truth.clone(), link_only, true);
    let benchmark = run(name, records, truth, link_only, false);
    assert!(
        default.precision >= 0.999,
        "{name}: precision {:.4} with the household veto",
        default.precision
    );
    assert!(
        default.f1 >= min_f1_default,
        "{name}: F1 {:.4} (P {:.4} R {:.4}) with the household veto",
        default.f1,
        default.precision,
        default.recall
    );
    assert!(
        benchmark.f1 >= min_f1_benchmark,
        "{name}: F1 {:.4} (P {:.4} R {:.4}) without the household veto",
        benchmark.f1,
        benchmark.precision,
        benchmark.recall
    );
}

// Floors are the pairwise F1 reached when this was last measured (docs/LINKAGE.md,
// "Measured figures"), rounded down. Targets set for the project: >= 0.99 for FEBRL1 and
// 2, >= 0.999 for FEBRL3 and 4. With the safeguarding vetoes on (the default) FEBRL3 is
// below 0.99 and FEBRL4 below 0.999: FEBRL makes duplicates by replacing a first name,
// surname or date of birth with another real one, which is exactly how a sibling, a
// parent or a lodger looks, and the vetoes refuse those merges (docs/LINKAGE.md explains).
// With the vetoes off all four reach their targets.
//
// With the vetoes on, three floors went down with the Case P work (25 November 2026),
// all by safeguarding rules that refuse merges FEBRL counts as duplicates:
// * two agency numbers that are neighbours in a sequence (last digits less than 10
//   apart) no longer count as "one character wrong", because twins and siblings
//   registered together hold such numbers; FEBRL's soc_sec_id typos in the last digit
//   look the same (FEBRL2: 4 pairs);
// * the same family name and date of birth with a wholly different given name is twins
//   wherever the records are, not only at one address; FEBRL makes duplicates by
//   replacing the first name (FEBRL2: 4 pairs, FEBRL3: 28, FEBRL4: 5).
// FEBRL2 0.9938 -> 0.9917, FEBRL3 0.9836 -> 0.9817, FEBRL4 0.9975 -> 0.9973. Every other
// figure went up (FEBRL3 and FEBRL4 with the vetoes off now reach 0.999): see
// docs/PERFORMANCE.md.

#[test]
fn febrl1_dedupe() {
    check("FEBRL1", 0.9979, 0.9989);
}

#[test]
fn febrl2_dedupe() {
    check("FEBRL2", 0.9916, 0.999);
}

#[test]
fn febrl3_dedupe() {
    check("FEBRL3", 0.9816, 0.999);
}

#[test]
fn febrl4_link() {
    check("FEBRL4", 0.9972, 0.999);
}
