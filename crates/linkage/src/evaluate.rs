//! Measuring linkage against ground truth: pairwise and B-cubed precision, recall, F1.
//!
//! "Precision first" is a claim until it is measured. Pairwise figures count record pairs
//! (the usual benchmark measure); B-cubed figures average per record, so one giant false
//! cluster cannot hide behind many correct small ones.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Precision, recall and F1 with the counts behind them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        1.0
    } else {
        numerator / denominator
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Every pair of records placed in one cluster.
pub fn pairs_of_partition(clusters: &[Vec<String>]) -> HashSet<(String, String)> {
    let mut pairs = HashSet::new();
    for cluster in clusters {
        for (i, a) in cluster.iter().enumerate() {
            for b in &cluster[i + 1..] {
                pairs.insert(ordered(a, b));
            }
        }
    }
    pairs
}

/// Pairwise metrics of a predicted partition against true matching pairs.
pub fn pairwise_metrics(clusters: &[Vec<String>], truth: &[(String, String)]) -> Metrics {
    let predicted = pairs_of_partition(clusters);
    let truth: HashSet<(String, String)> = truth.iter().map(|(a, b)| ordered(a, b)).collect();
    let tp = predicted.intersection(&truth).count() as u64;
    let fp = predicted.len() as u64 - tp;
    let fn_ = truth.len() as u64 - tp;
    let precision = ratio(tp as f64, (tp + fp) as f64);
    let recall = ratio(tp as f64, (tp + fn_) as f64);
    Metrics {
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

/// Connected components of the truth pairs over `record_ids` (records in no pair are
/// singletons).
pub fn clusters_from_pairs(record_ids: &[String], pairs: &[(String, String)]) -> Vec<Vec<String>> {
    let index: HashMap<&str, usize> = record_ids
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..record_ids.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in pairs {
        if let (Some(&i), Some(&j)) = (index.get(a.as_str()), index.get(b.as_str())) {
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            parent[ri] = rj;
        }
    }
    let mut groups: HashMap<usize, Vec<String>> = HashMap::new();
    for (i, id) in record_ids.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(id.clone());
    }
    let mut clusters: Vec<Vec<String>> = groups.into_values().collect();
    for c in &mut clusters {
        c.sort();
    }
    clusters.sort();
    clusters
}

/// B-cubed precision and recall: for each record, the share of its predicted cluster that
/// is truly its person, and the share of its true person that it was clustered with.
/// Counts are left at zero (they are not pair counts).
pub fn b_cubed_metrics(predicted: &[Vec<String>], truth: &[Vec<String>]) -> Metrics {
    let label = |clusters: &[Vec<String>]| -> HashMap<String, usize> {
        clusters
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.iter().map(move |r| (r.clone(), i)))
            .collect()
    };
    let (p_of, t_of) = (label(predicted), label(truth));
    let mut overlap: HashMap<(usize, usize), f64> = HashMap::new();
    for (record, &p) in &p_of {
        if let Some(&t) = t_of.get(record) {
            *overlap.entry((p, t)).or_default() += 1.0;
        }
    }
    let (mut precision, mut recall, mut n) = (0.0, 0.0, 0.0);
    for (record, &p) in &p_of {
        let Some(&t) = t_of.get(record) else { continue };
        let both = overlap[&(p, t)];
        precision += both / predicted[p].len() as f64;
        recall += both / truth[t].len() as f64;
        n += 1.0;
    }
    let precision = ratio(precision, n);
    let recall = ratio(recall, n);
    Metrics {
        true_positives: 0,
        false_positives: 0,
        false_negatives: 0,
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

/// Share of true clusters reproduced exactly.
pub fn exact_cluster_recall(predicted: &[Vec<String>], truth: &[Vec<String>]) -> f64 {
    let sorted = |c: &Vec<String>| {
        let mut c = c.clone();
        c.sort();
        c
    };
    let predicted: HashSet<Vec<String>> = predicted.iter().map(sorted).collect();
    let hits = truth
        .iter()
        .filter(|c| predicted.contains(&sorted(c)))
        .count();
    ratio(hits as f64, truth.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|c| c.iter().map(|x| x.to_string()).collect())
            .collect()
    }

    fn p(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn pairwise() {
        let m = pairwise_metrics(
            &s(&[&["a", "b", "c"], &["d"]]),
            &p(&[("b", "a"), ("d", "e")]),
        );
        assert_eq!(
            (m.true_positives, m.false_positives, m.false_negatives),
            (1, 2, 1)
        );
        assert!((m.precision - 1.0 / 3.0).abs() < 1e-12);
        assert!((m.recall - 0.5).abs() < 1e-12);
        assert!((m.f1 - 0.4).abs() < 1e-12);
    }

    #[test]
    fn perfect_is_one() {
        let truth = p(&[("a", "b")]);
        let ids: Vec<String> = ["a", "b", "c"].iter().map(|x| x.to_string()).collect();
        let clusters = clusters_from_pairs(&ids, &truth);
        assert_eq!(clusters, s(&[&["a", "b"], &["c"]]));
        assert_eq!(pairwise_metrics(&clusters, &truth).f1, 1.0);
        assert_eq!(b_cubed_metrics(&clusters, &clusters).f1, 1.0);
        assert_eq!(exact_cluster_recall(&clusters, &clusters), 1.0);
    }

    #[test]
    fn b_cubed_of_one_big_cluster() {
        let truth = s(&[&["a", "b"], &["c", "d"]]);
        let predicted = s(&[&["a", "b", "c", "d"]]);
        let m = b_cubed_metrics(&predicted, &truth);
        assert!((m.precision - 0.5).abs() < 1e-12);
        assert_eq!(m.recall, 1.0);
        assert_eq!(exact_cluster_recall(&predicted, &truth), 0.0);
    }
}
