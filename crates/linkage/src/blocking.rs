//! Blocking: which pairs of records are worth comparing at all.
//!
//! Comparing every record with every other is quadratic; a borough's index has hundreds of
//! thousands of records. Each blocking rule puts records into buckets by a cheap key (same
//! NHS number, same date of birth, same postcode and surname sound, ...); only records that
//! share a bucket under at least one rule become candidate pairs. The rules are OR-ed so
//! that a record with a typo in one field is still found through another. A bucket larger
//! than the cap is skipped (a key like a common date of birth would otherwise produce
//! millions of pairs) and reported, never silently.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::compare::Field;
use crate::record::StandardisedRecord;

/// One blocking rule. The keys of a record are the buckets it goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockingRule {
    /// Same valid NHS number.
    NhsNumber,
    /// Same full date of birth.
    DateOfBirth,
    /// Same postcode (whole) and family-name Double Metaphone.
    PostcodeAndFamilySound,
    /// Same family-name and given-name Double Metaphone (given name through its nickname
    /// group, so Pip and Philip share a bucket; the two codes unordered, so swapped given
    /// and family names still meet).
    FamilyAndGivenSound,
    /// Same year of birth, given-name initial and postcode district (whole postcode when it
    /// is not a UK one).
    BirthYearInitialDistrict,
    /// Same other identifier.
    OtherId,
    /// Same phone number.
    Phone,
    /// Same street name and house number.
    HouseAndStreet,
    /// Same postcode and house number.
    PostcodeAndHouseNumber,
}

impl BlockingRule {
    /// The default rule set: each rule survives a typo in the fields the others use.
    pub const DEFAULT: [BlockingRule; 9] = [
        BlockingRule::NhsNumber,
        BlockingRule::DateOfBirth,
        BlockingRule::PostcodeAndFamilySound,
        BlockingRule::FamilyAndGivenSound,
        BlockingRule::BirthYearInitialDistrict,
        BlockingRule::OtherId,
        BlockingRule::Phone,
        BlockingRule::HouseAndStreet,
        BlockingRule::PostcodeAndHouseNumber,
    ];

    /// The compared fields this rule forces to agree (or nearly), which an EM session
    /// trained on this rule's pairs must not learn from.
    pub fn fields(self) -> &'static [Field] {
        match self {
            BlockingRule::NhsNumber => &[Field::NhsNumber],
            BlockingRule::DateOfBirth => &[Field::DateOfBirth],
            BlockingRule::PostcodeAndFamilySound => &[Field::Postcode, Field::FamilyName],
            BlockingRule::FamilyAndGivenSound => &[Field::FamilyName, Field::GivenName],
            BlockingRule::BirthYearInitialDistrict => {
                &[Field::DateOfBirth, Field::GivenName, Field::Postcode]
            }
            BlockingRule::OtherId => &[Field::OtherId],
            BlockingRule::Phone => &[Field::Phone],
            BlockingRule::HouseAndStreet => &[Field::Address],
            BlockingRule::PostcodeAndHouseNumber => &[Field::Postcode, Field::Address],
        }
    }

    /// Bucket keys of a record under this rule; empty when the record lacks the fields.
    pub fn keys(self, record: &StandardisedRecord) -> Vec<String> {
        let family_codes = || -> Vec<String> {
            // Alias family names too, so a record under a former name meets the others.
            record
                .family_names()
                .flat_map(|f| [f.phonetic.primary.clone(), f.phonetic.alternate.clone()])
                .filter(|c| !c.is_empty())
                .collect()
        };
        let mut keys: Vec<String> = match self {
            BlockingRule::NhsNumber => record.nhs_number.iter().cloned().collect(),
            BlockingRule::DateOfBirth => record
                .date_of_birth
                .iter()
                .filter_map(|d| d.digits())
                .collect(),
            BlockingRule::PostcodeAndFamilySound => match &record.postcode {
                Some(p) => family_codes()
                    .into_iter()
                    .map(|c| format!("{}|{c}", p.unit))
                    .collect(),
                None => Vec::new(),
            },
            BlockingRule::FamilyAndGivenSound => {
                let given_codes: Vec<String> = record
                    .given
                    .iter()
                    .chain(&record.given_aliases)
                    .filter(|g| !g.is_initial)
                    .flat_map(|g| g.nickname_group.iter())
                    .map(|n| crate::name::PhoneticKey::of(n).primary)
                    .filter(|c| !c.is_empty())
                    .collect();
                // The two codes in sorted order, so that a record with given and family
                // name entered the wrong way round lands in the same bucket.
                let mut keys = Vec::new();
                for f in family_codes() {
                    for g in &given_codes {
                        let (x, y) = if f <= *g { (&f, g) } else { (g, &f) };
                        keys.push(format!("{x}|{y}"));
                    }
                }
                keys
            }
            BlockingRule::BirthYearInitialDistrict => {
                match (&record.date_of_birth, &record.given, &record.postcode) {
                    (Some(d), Some(g), Some(p)) => {
                        let place = p.district.as_deref().unwrap_or(&p.unit);
                        vec![format!("{}|{}|{place}", d.year, g.initial())]
                    }
                    _ => Vec::new(),
                }
            }
            BlockingRule::OtherId => record.other_id.iter().cloned().collect(),
            BlockingRule::Phone => record.phone.iter().cloned().collect(),
            BlockingRule::PostcodeAndHouseNumber => match (&record.postcode, &record.address) {
                (Some(p), Some(a)) => a
                    .house_number
                    .iter()
                    .map(|n| format!("{}|{n}", p.unit))
                    .collect(),
                _ => Vec::new(),
            },
            BlockingRule::HouseAndStreet => record
                .address
                .iter()
                .filter_map(|a| {
                    Some(format!(
                        "{}|{}",
                        a.house_number.as_ref()?,
                        a.street_name.as_ref()?
                    ))
                })
                .collect(),
        };
        keys.sort();
        keys.dedup();
        keys
    }
}

/// Which rules to use, the bucket-size cap, and whether pairs within one source are
/// compared (`link_only` = false, deduplication) or not (`link_only` = true, linking two
/// sources that are each already free of duplicates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockingConfig {
    pub rules: Vec<BlockingRule>,
    pub max_block_size: usize,
    pub link_only: bool,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            rules: BlockingRule::DEFAULT.to_vec(),
            max_block_size: 500,
            link_only: false,
        }
    }
}

/// True when the pair may be compared under the link-only setting.
pub fn pair_allowed(
    config: &BlockingConfig,
    a: &StandardisedRecord,
    b: &StandardisedRecord,
) -> bool {
    !config.link_only || a.source != b.source
}

/// How one rule behaved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleAnalysis {
    pub rule: BlockingRule,
    /// Pairs this rule generates (before removing pairs other rules also found).
    pub pairs: u64,
    /// Pairs no earlier rule in the list had found.
    pub new_pairs: u64,
    /// The largest buckets, (key, size), biggest first, at most ten.
    pub largest_blocks: Vec<(String, usize)>,
    /// Buckets over the cap, skipped.
    pub capped_blocks: Vec<(String, usize)>,
}

/// What blocking produced, for tuning rules and for the README figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockingAnalysis {
    pub records: usize,
    pub candidate_pairs: u64,
    pub rules: Vec<RuleAnalysis>,
    /// Share of the given true pairs that are candidates (None when no truth was given).
    pub recall: Option<f64>,
    pub true_pairs_missed: Vec<(String, String)>,
}

/// Candidate pairs as (lower index, higher index) into `records`, sorted and unique,
/// plus the analysis. `truth` (pairs of record ids) is used only to measure recall.
pub fn candidate_pairs(
    records: &[StandardisedRecord],
    config: &BlockingConfig,
    truth: Option<&[(String, String)]>,
) -> (Vec<(u32, u32)>, BlockingAnalysis) {
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut analyses = Vec::new();
    for &rule in &config.rules {
        let mut buckets: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            for key in rule.keys(record) {
                buckets.entry(key).or_default().push(i as u32);
            }
        }
        let mut sizes: Vec<(String, usize)> =
            buckets.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        sizes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut analysis = RuleAnalysis {
            rule,
            pairs: 0,
            new_pairs: 0,
            largest_blocks: sizes.iter().take(10).cloned().collect(),
            capped_blocks: sizes
                .iter()
                .filter(|(_, n)| *n > config.max_block_size)
                .cloned()
                .collect(),
        };
        // Iterate buckets in key order so the pair list never depends on hash order.
        let ordered: BTreeMap<&String, &Vec<u32>> = buckets.iter().collect();
        for members in ordered.values() {
            if members.len() > config.max_block_size {
                continue;
            }
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    if i == j || !pair_allowed(config, &records[i as usize], &records[j as usize]) {
                        continue;
                    }
                    analysis.pairs += 1;
                    if seen.insert((i.min(j), i.max(j))) {
                        analysis.new_pairs += 1;
                    }
                }
            }
        }
        analyses.push(analysis);
    }
    let mut pairs: Vec<(u32, u32)> = seen.into_iter().collect();
    pairs.sort_unstable();
    let (recall, true_pairs_missed) = match truth {
        Some(truth) => blocking_recall(records, &pairs, truth),
        None => (None, Vec::new()),
    };
    let analysis = BlockingAnalysis {
        records: records.len(),
        candidate_pairs: pairs.len() as u64,
        rules: analyses,
        recall,
        true_pairs_missed,
    };
    (pairs, analysis)
}

fn blocking_recall(
    records: &[StandardisedRecord],
    pairs: &[(u32, u32)],
    truth: &[(String, String)],
) -> (Option<f64>, Vec<(String, String)>) {
    let found: HashSet<(&str, &str)> = pairs
        .iter()
        .map(|&(i, j)| {
            let (a, b) = (
                records[i as usize].record_id.as_str(),
                records[j as usize].record_id.as_str(),
            );
            (a.min(b), a.max(b))
        })
        .collect();
    let mut missed = Vec::new();
    for (a, b) in truth {
        let key = (a.as_str().min(b.as_str()), a.as_str().max(b.as_str()));
        if !found.contains(&key) {
            missed.push((a.clone(), b.clone()));
        }
    }
    let recall = if truth.is_empty() {
        1.0
    } else {
        1.0 - missed.len() as f64 / truth.len() as f64
    };
    (Some(recall), missed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{IdentityRecord, standardise};

    fn rec(
        id: &str,
        given: &str,
        family: &str,
        dob: &str,
        postcode: &str,
        source: &str,
    ) -> StandardisedRecord {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        standardise(&IdentityRecord {
            record_id: id.into(),
            given_name: opt(given),
            family_name: opt(family),
            date_of_birth: opt(dob),
            postcode: opt(postcode),
            source: opt(source),
            ..Default::default()
        })
    }

    #[test]
    fn nickname_and_sound_share_a_bucket() {
        let records = vec![
            rec("a", "Pip", "Carter", "", "", ""),
            rec("b", "Philip", "Cartor", "", "", ""),
            rec("c", "Ruby", "Carter", "", "", ""),
        ];
        let config = BlockingConfig::default();
        let (pairs, analysis) =
            candidate_pairs(&records, &config, Some(&[("a".into(), "b".into())]));
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(analysis.recall, Some(1.0));
    }

    #[test]
    fn oversized_blocks_are_skipped_and_reported() {
        let records: Vec<_> = (0..5)
            .map(|i| {
                rec(
                    &format!("r{i}"),
                    &format!("n{i}x"),
                    "",
                    "2020-01-01",
                    "",
                    "",
                )
            })
            .collect();
        let config = BlockingConfig {
            rules: vec![BlockingRule::DateOfBirth],
            max_block_size: 4,
            link_only: false,
        };
        let (pairs, analysis) =
            candidate_pairs(&records, &config, Some(&[("r0".into(), "r1".into())]));
        assert!(pairs.is_empty());
        assert_eq!(
            analysis.rules[0].capped_blocks,
            vec![("20200101".to_string(), 5)]
        );
        assert_eq!(analysis.recall, Some(0.0));
        assert_eq!(analysis.true_pairs_missed.len(), 1);
    }

    #[test]
    fn link_only_skips_pairs_within_a_source() {
        let records = vec![
            rec("a1", "Amy", "Lee", "2020-01-01", "", "A"),
            rec("a2", "Bo", "Ng", "2020-01-01", "", "A"),
            rec("b1", "Amy", "Lee", "2020-01-01", "", "B"),
        ];
        let mut config = BlockingConfig::default();
        let (pairs, _) = candidate_pairs(&records, &config, None);
        assert_eq!(pairs.len(), 3);
        config.link_only = true;
        let (pairs, _) = candidate_pairs(&records, &config, None);
        assert_eq!(pairs, vec![(0, 2), (1, 2)]);
    }
}
