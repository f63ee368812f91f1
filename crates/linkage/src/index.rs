//! Incremental linkage: one record at a time, as agencies send them.
//!
//! A health visitor's record arriving at 10:02 must be linked (or queued for review) by
//! 10:02, not at the next nightly batch. `LinkageIndex` holds the standardised records,
//! the blocking buckets and the current people in memory; `add` finds the new record's
//! candidates through the buckets, scores them, and re-clusters only the part of the
//! population the new record can affect.
//!
//! **Same answer as the batch run.** Clusters can only form along pairs at or above the
//! link threshold, so the population splits into independent *components* (connected by
//! such pairs or by must-link decisions). On each change the affected component is
//! re-clustered with exactly the batch algorithm, so after any sequence of `add` calls
//! the partition equals `batch::link_standardised` on the same records, provided no
//! blocking bucket has exceeded the size cap (an over-cap bucket is skipped by the batch
//! run but its earlier pairs were already used here). A property test checks this.
//!
//! **Stable person IDs.** A person's ID is the record ID of its earliest-arrived record.
//! Adding a record never renames an existing person (the newcomer is always the latest);
//! a merge keeps the ID of the person whose first record came first; after a split the
//! part holding that first record keeps the ID and each other part is named by its own
//! earliest record. Every change is reported with its before and after.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::blocking::{BlockingRule, pair_allowed};
use crate::cluster::{HumanDecisions, Person, ReviewPair, ScoredPair, cluster_records};
use crate::error::LinkageError;
use crate::explain::{Explanation, explain_pair};
use crate::model::{LinkageModel, PairScore};
use crate::record::{IdentityRecord, StandardisedRecord, standardise};

/// A scored candidate of the new record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub record_id: String,
    pub person_id: String,
    pub weight: f64,
    pub probability: f64,
}

/// What happened to the new record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Joined an existing person.
    Linked(String),
    /// Not linked, but these pairs need a person to decide.
    Review(Vec<ReviewPair>),
    /// A new person, with this ID.
    NewPerson(String),
}

/// A change to people other than simply adding the new record to one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChange {
    pub kind: ChangeKind,
    pub before: Vec<Person>,
    pub after: Vec<Person>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Merge,
    Split,
    Reassigned,
}

/// The result of adding one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub record_id: String,
    /// The person the record now belongs to.
    pub person_id: String,
    /// Candidates found by blocking, strongest first.
    pub candidates: Vec<Candidate>,
    pub outcome: Outcome,
    pub changes: Vec<PersonChange>,
}

/// In-memory linkage index. Rebuild it from the stored records and decisions at start-up
/// (adding them in their original order reproduces the same IDs).
#[derive(Clone)]
pub struct LinkageIndex {
    model: LinkageModel,
    records: Vec<StandardisedRecord>,
    ids: HashMap<String, usize>,
    buckets: HashMap<(BlockingRule, String), Vec<usize>>,
    /// Scored pairs at or above the review threshold, both directions.
    edges: Vec<Vec<(usize, PairScore)>>,
    /// Components joined by link-strength pairs and must-links.
    component_parent: Vec<usize>,
    component_members: HashMap<usize, Vec<usize>>,
    person_of: Vec<String>,
    persons: BTreeMap<String, Vec<usize>>,
    decisions: HumanDecisions,
    capped_buckets: BTreeSet<(BlockingRule, String)>,
}

impl LinkageIndex {
    pub fn new(model: LinkageModel) -> Self {
        LinkageIndex {
            model,
            records: Vec::new(),
            ids: HashMap::new(),
            buckets: HashMap::new(),
            edges: Vec::new(),
            component_parent: Vec::new(),
            component_members: HashMap::new(),
            person_of: Vec::new(),
            persons: BTreeMap::new(),
            decisions: HumanDecisions::default(),
            capped_buckets: BTreeSet::new(),
        }
    }

    pub fn model(&self) -> &LinkageModel {
        &self.model
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Buckets that grew past the cap; while this is empty, the partition equals the batch run's.
    pub fn capped_buckets(&self) -> impl Iterator<Item = &(BlockingRule, String)> {
        self.capped_buckets.iter()
    }

    fn root(&mut self, mut x: usize) -> usize {
        while self.component_parent[x] != x {
            self.component_parent[x] = self.component_parent[self.component_parent[x]];
            x = self.component_parent[x];
        }
        x
    }

    fn join(&mut self, a: usize, b: usize) -> usize {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return ra;
        }
        let (keep, gone) = if self.component_members[&ra].len() >= self.component_members[&rb].len()
        {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.component_parent[gone] = keep;
        let moved = self.component_members.remove(&gone).unwrap_or_default();
        self.component_members
            .entry(keep)
            .or_default()
            .extend(moved);
        keep
    }

    /// Adds one record and returns what was decided.
    pub fn add(&mut self, record: &IdentityRecord) -> Result<Decision, LinkageError> {
        if self.ids.contains_key(&record.record_id) {
            return Err(LinkageError::DuplicateRecordId(record.record_id.clone()));
        }
        let standardised = standardise(record);
        let index = self.records.len();
        let blocking = self.model.blocking.clone();
        let mut candidate_set = BTreeSet::new();
        for &rule in &blocking.rules {
            for key in rule.keys(&standardised) {
                let bucket_key = (rule, key);
                let bucket = self.buckets.entry(bucket_key.clone()).or_default();
                if bucket.len() + 1 > blocking.max_block_size {
                    self.capped_buckets.insert(bucket_key);
                } else {
                    candidate_set.extend(bucket.iter().copied());
                }
                bucket.push(index);
            }
        }
        self.ids.insert(standardised.record_id.clone(), index);
        self.records.push(standardised);
        self.edges.push(Vec::new());
        self.component_parent.push(index);
        self.component_members.insert(index, vec![index]);
        self.person_of.push(self.records[index].record_id.clone());

        let mut candidates = Vec::new();
        for j in candidate_set {
            if !pair_allowed(&blocking, &self.records[j], &self.records[index]) {
                continue;
            }
            let score = self.model.score(&self.records[j], &self.records[index]);
            candidates.push(Candidate {
                record_id: self.records[j].record_id.clone(),
                person_id: self.person_of[j].clone(),
                weight: score.weight,
                probability: score.probability,
            });
            if score.probability >= self.model.policy.review {
                self.edges[index].push((j, score));
                self.edges[j].push((index, score));
            }
            if score.probability >= self.model.policy.link {
                self.join(index, j);
            }
        }
        candidates.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.record_id.cmp(&b.record_id))
        });

        let (changes, review) = self.recluster(index, Some(index))?;
        let person_id = self.person_of[index].clone();
        let own_review: Vec<ReviewPair> = review
            .into_iter()
            .filter(|r| {
                r.left_record_id == self.records[index].record_id
                    || r.right_record_id == self.records[index].record_id
            })
            .collect();
        let outcome = if self.persons[&person_id].len() > 1 {
            Outcome::Linked(person_id.clone())
        } else if !own_review.is_empty() {
            Outcome::Review(own_review)
        } else {
            Outcome::NewPerson(person_id.clone())
        };
        Ok(Decision {
            record_id: self.records[index].record_id.clone(),
            person_id,
            candidates,
            outcome,
            changes,
        })
    }

    /// Records a person's decision that two records are (or are not) the same person, and
    /// re-clusters what it affects.
    pub fn decide(
        &mut self,
        left: &str,
        right: &str,
        same_person: bool,
    ) -> Result<Vec<PersonChange>, LinkageError> {
        let a = *self
            .ids
            .get(left)
            .ok_or_else(|| LinkageError::UnknownRecordId(left.to_owned()))?;
        let b = *self
            .ids
            .get(right)
            .ok_or_else(|| LinkageError::UnknownRecordId(right.to_owned()))?;
        let pair = (left.to_owned(), right.to_owned());
        if same_person {
            self.decisions.must_link.push(pair);
            self.join(a, b);
        } else {
            self.decisions.cannot_link.push(pair);
        }
        let result = self.recluster(a, None);
        if result.is_err() {
            // Undo the contradictory decision so the index stays usable.
            if same_person {
                self.decisions.must_link.pop();
            } else {
                self.decisions.cannot_link.pop();
            }
        }
        let (changes, _) = result?;
        Ok(changes)
    }

    /// Re-clusters the component holding `index` with the batch algorithm.
    fn recluster(
        &mut self,
        index: usize,
        newcomer: Option<usize>,
    ) -> Result<(Vec<PersonChange>, Vec<ReviewPair>), LinkageError> {
        let root = self.root(index);
        let mut members = self.component_members[&root].clone();
        members.sort_unstable();
        let local: HashMap<usize, usize> =
            members.iter().enumerate().map(|(k, &g)| (g, k)).collect();
        let sub_records: Vec<StandardisedRecord> =
            members.iter().map(|&g| self.records[g].clone()).collect();
        let mut pairs = Vec::new();
        for &g in &members {
            for &(h, score) in &self.edges[g] {
                if g < h
                    && let Some(&lh) = local.get(&h)
                {
                    pairs.push(ScoredPair {
                        left: local[&g],
                        right: lh,
                        score,
                    });
                }
            }
        }
        let clustering = cluster_records(&sub_records, &self.model, &pairs, &self.decisions)?;

        // People before (without the newcomer, which had no person yet).
        let before: BTreeMap<String, Vec<usize>> = {
            let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for &g in &members {
                map.entry(self.person_of[g].clone()).or_default().push(g);
            }
            map
        };
        let mut after: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for cluster in &clustering.clusters {
            let globals: Vec<usize> = cluster.iter().map(|&k| members[k]).collect();
            // Record indices are arrival order: the smallest is the earliest record.
            let founder = *globals.iter().min().unwrap_or(&globals[0]);
            after.insert(self.records[founder].record_id.clone(), globals);
        }
        for id in before.keys() {
            self.persons.remove(id);
        }
        for (id, globals) in &after {
            for &g in globals {
                self.person_of[g] = id.clone();
            }
            self.persons.insert(id.clone(), globals.clone());
        }
        let changes = self.describe_changes(&before, &after, newcomer);
        Ok((changes, clustering.review))
    }

    fn person(&self, id: &str, globals: &[usize]) -> Person {
        let mut record_ids: Vec<String> = globals
            .iter()
            .map(|&g| self.records[g].record_id.clone())
            .collect();
        record_ids.sort();
        Person {
            person_id: id.to_owned(),
            record_ids,
        }
    }

    /// Compares people before and after, ignoring the newcomer joining one person: what
    /// is left is merges, splits and moves.
    fn describe_changes(
        &self,
        before: &BTreeMap<String, Vec<usize>>,
        after: &BTreeMap<String, Vec<usize>>,
        newcomer: Option<usize>,
    ) -> Vec<PersonChange> {
        let without_newcomer = |g: &[usize]| -> Vec<usize> {
            let mut g: Vec<usize> = g.iter().copied().filter(|&x| Some(x) != newcomer).collect();
            g.sort_unstable();
            g
        };
        let strip = |map: &BTreeMap<String, Vec<usize>>| -> BTreeSet<Vec<usize>> {
            map.values()
                .map(|g| without_newcomer(g))
                .filter(|g| !g.is_empty())
                .collect()
        };
        let (old, new) = (strip(before), strip(after));
        if old == new {
            return Vec::new();
        }
        let changed_before: Vec<Person> = before
            .iter()
            .filter(|(_, g)| {
                let g = without_newcomer(g);
                !g.is_empty() && !new.contains(&g)
            })
            .map(|(id, g)| self.person(id, g))
            .collect();
        let changed_after: Vec<Person> = after
            .iter()
            .filter(|(_, g)| {
                let g = without_newcomer(g);
                !g.is_empty() && !old.contains(&g)
            })
            .map(|(id, g)| self.person(id, g))
            .collect();
        let kind = match changed_before.len().cmp(&changed_after.len()) {
            std::cmp::Ordering::Greater => ChangeKind::Merge,
            std::cmp::Ordering::Less => ChangeKind::Split,
            std::cmp::Ordering::Equal => ChangeKind::Reassigned,
        };
        vec![PersonChange {
            kind,
            before: changed_before,
            after: changed_after,
        }]
    }

    /// Everyone, sorted by person ID.
    pub fn persons(&self) -> Vec<Person> {
        self.persons
            .iter()
            .map(|(id, g)| self.person(id, g))
            .collect()
    }

    pub fn person_of(&self, record_id: &str) -> Option<&str> {
        self.ids.get(record_id).map(|&i| self.person_of[i].as_str())
    }

    /// Explains the score of two records held in the index.
    pub fn explain(&self, left: &str, right: &str) -> Result<Explanation, LinkageError> {
        let a = self
            .ids
            .get(left)
            .ok_or_else(|| LinkageError::UnknownRecordId(left.to_owned()))?;
        let b = self
            .ids
            .get(right)
            .ok_or_else(|| LinkageError::UnknownRecordId(right.to_owned()))?;
        Ok(explain_pair(
            &self.model,
            &self.records[*a],
            &self.records[*b],
        ))
    }

    /// All pairs currently waiting for a person's decision.
    pub fn review_queue(&self) -> Result<Vec<ReviewPair>, LinkageError> {
        let pairs: Vec<ScoredPair> = self
            .edges
            .iter()
            .enumerate()
            .flat_map(|(g, list)| {
                list.iter()
                    .filter(move |(h, _)| g < *h)
                    .map(move |&(h, score)| ScoredPair {
                        left: g,
                        right: h,
                        score,
                    })
            })
            .collect();
        Ok(cluster_records(&self.records, &self.model, &pairs, &self.decisions)?.review)
    }
}
