//! Grouping records into people without chaining, respecting human decisions.
//!
//! Linking every pair above a threshold and taking connected components chains: A looks
//! like B, B like C, so A, B and C become one person although A and C are plainly
//! different (a father and son both called Martin Carter, joined through a record with no
//! date of birth). Here a record or group joins a person only when, among the cross pairs
//! that say something, more are at least plausible (probability at or above the review
//! threshold) than oppose the merge, and the plausible and contradicting pairs are on
//! *average* (mean match weight) above the link threshold. A pair opposes when it
//! contradicts (a different given name, family name, date of birth, sex or NHS number)
//! or places the person at an address the other side never has them at. A pair that does neither (a record with no date of birth
//! at the person's new address, against one from before the move) has too little in
//! common to speak either way and is left out of both counts. Household
//! evidence (same surname and address but a different first name, or dates of birth too
//! far apart for a typo) vetoes an automatic merge: twins, siblings and a parent and
//! child with the same name stay apart, and the pair goes to a human instead. Must-link
//! and cannot-link decisions always hold.
//!
//! A person's family names are all the family names its records hold (current, former,
//! deed-poll, alias): when two groups share one exactly, their records are compared as
//! agreeing on the family name, so the record that names both "CORBETT" and "PRYCE"
//! lets the PRYCE records and the CORBETT records of one man come together. A record
//! that is only a passing mention in free text (`IdentityRecord::mention`), or that says
//! too little about who the person is (`StandardisedRecord::too_thin_to_merge`: a first
//! name at an address, nothing more), never joins anyone automatically; its plausible
//! pairs go to review.
//!
//! The result depends only on the set of records, not their order: pairs are processed
//! strongest first with ties broken by record ids, and every test inside is symmetric.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::compare::{ComparisonVector, Field, MISSING, level};
use crate::error::LinkageError;
use crate::model::{LinkageModel, PairScore};
use crate::record::StandardisedRecord;

/// Why two records must not be merged automatically even though they score well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Veto {
    /// Both hold a valid NHS number and the numbers differ.
    DifferentNhsNumbers,
    /// Same family name and address, different given name: a sibling, twin or parent.
    HouseholdDifferentGivenName,
    /// Same family name and address, dates of birth differ by more than a typo.
    HouseholdDifferentDateOfBirth,
    /// Same family name and address and two of: different given name, date of birth
    /// beyond a typo, different recorded sex (or a given name that only sounds alike with
    /// a different sex: Kieran and Karen). Another member of the household.
    HouseholdMember,
    /// Anywhere, two of given name, family name, date of birth (another year) and recorded
    /// sex plainly differ, and no identifier is shared: a different person, however well
    /// address and phone agree (a lodger, a partner with another surname, a parent
    /// recorded by initial). A given name that only sounds alike (Rob and Ruby) counts as
    /// different when the recorded sex differs.
    ConflictingIdentity,
    /// Same family name and date of birth, a wholly different given name, and the
    /// address unknown or different: twins (the household rule covers them at one
    /// address; this covers a twin's record from before a move or without an address).
    SameBirthDifferentName,
}

impl Veto {
    pub fn describe(self) -> &'static str {
        match self {
            Veto::DifferentNhsNumbers => "both records hold valid NHS numbers and they differ",
            Veto::HouseholdDifferentGivenName => {
                "same family name and address but a different given name: likely a sibling, twin or parent"
            }
            Veto::HouseholdDifferentDateOfBirth => {
                "same family name and address but dates of birth too far apart for a typo: likely a relative"
            }
            Veto::HouseholdMember => {
                "same family name and address, and two of given name, date of birth and sex differ: another household member"
            }
            Veto::SameBirthDifferentName => {
                "same family name and date of birth but a different given name: likely twins"
            }
            Veto::ConflictingIdentity => {
                "two of given name, family name, date of birth and sex differ, and no identifier is shared: another person"
            }
        }
    }

    /// Whether a person should look at a pair kept apart for this reason. Two valid NHS
    /// numbers settle it; so does a wholly different given name at one address (a sibling
    /// or twin: the name is what families use to tell their children apart). The same
    /// name with dates of birth too far apart does not: it is a namesake parent or child,
    /// or one badly typed date, and only a person can tell which.
    pub fn needs_review(self) -> bool {
        matches!(self, Veto::HouseholdDifferentDateOfBirth)
    }
}

/// Household and identifier evidence against a merge, from a comparison vector. The
/// household part applies only when `household` is set (see `DecisionPolicy`).
pub fn veto(vector: &ComparisonVector, household: bool) -> Option<Veto> {
    let at = |field: Field| vector[field.index()];
    if at(Field::NhsNumber) == level::DIFFERENT {
        return Some(Veto::DifferentNhsNumbers);
    }
    // Household resemblance is judged generously (a typo'd surname, a wrong street
    // suffix): the rule's job is to stop a merge, and erring towards it costs only a review.
    let same_family = matches!(
        at(Field::FamilyName),
        level::FAMILY_EXACT
            | level::FAMILY_PART
            | level::FAMILY_PHONETIC
            | level::FAMILY_JW_HIGH
            | level::FAMILY_JW_LOW
    );
    let same_address = matches!(
        at(Field::Address),
        level::ADDRESS_EXACT | level::ADDRESS_SIMILAR
    ) || (at(Field::Postcode) == level::POSTCODE_UNIT
        && at(Field::Address) != level::ADDRESS_ELSE);
    if !household {
        return None;
    }
    // Siblings and twins never share a person-level identifier: when one agrees, the
    // household resemblance is explained by the records being the same person. (This is
    // why `other_id` must only ever hold a person-level identifier, never a family or
    // case number, and why two neighbouring numbers of a sequence do not count as "one
    // character wrong": see `compare::sequential_identifiers`.)
    if at(Field::NhsNumber) == level::SAME
        || matches!(at(Field::OtherId), level::ID_EXACT | level::ID_ONE_EDIT)
    {
        return None;
    }
    let given = at(Field::GivenName);
    let given_differs = given == level::GIVEN_ELSE;
    let dob = at(Field::DateOfBirth);
    let dob_differs = dob != MISSING && dob >= level::DOB_YEAR_MONTH;
    // A recorded sex that differs is a second, independent sign of another person.
    let sex_differs = at(Field::Sex) == level::DIFFERENT;
    // A name that only sounds or looks like the other: not the same, not a nickname.
    let given_inexact = given != MISSING && given > level::GIVEN_NICKNAME;
    if !(same_family && same_address) {
        // Twins share a surname and a birthday and differ by the name their family gave
        // them; once a record is from another address (before a move) or has none, the
        // household rule below cannot see the household.
        if same_family && given_differs && dob == level::DOB_EXACT {
            return Some(Veto::SameBirthDifferentName);
        }
        // Address, postcode and phone agree for everyone in a home, and Fellegi-Sunter
        // adds them up as if they were independent, so they can outweigh a different
        // surname and a different year of birth together. Two core fields that plainly
        // disagree mean another person.
        // A given name that only sounds or looks like the other (Rob and Ruby, Kieran and
        // Karen) is a different name when the recorded sex differs too.
        let conflicts = [
            given_differs || (given_inexact && sex_differs),
            at(Field::FamilyName) == level::FAMILY_ELSE,
            dob == level::DOB_YEAR || dob == level::DOB_ELSE,
            sex_differs,
        ];
        return (conflicts.iter().filter(|c| **c).count() >= 2)
            .then_some(Veto::ConflictingIdentity);
    }
    match (given_differs, dob_differs) {
        (true, true) => Some(Veto::HouseholdMember),
        (true, false) | (false, true) if sex_differs => Some(Veto::HouseholdMember),
        (false, false) if sex_differs && given_inexact => Some(Veto::HouseholdMember),
        (true, false) => Some(Veto::HouseholdDifferentGivenName),
        (false, true) => Some(Veto::HouseholdDifferentDateOfBirth),
        (false, false) => None,
    }
}

/// A candidate pair with its score; indices into the record slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub left: usize,
    pub right: usize,
    pub score: PairScore,
}

/// Decisions a person has made; always respected.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HumanDecisions {
    pub must_link: Vec<(String, String)>,
    pub cannot_link: Vec<(String, String)>,
}

/// Why a pair needs a person to look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Probability between the review and link thresholds.
    Uncertain,
    /// Would link on its own but other records of one person disagree.
    ClusterDisagrees,
    Vetoed(Veto),
    /// Links strongly to two people who are known to be different (a veto stands between
    /// them): a record with no date of birth naming a father and his namesake son.
    Ambiguous,
    /// One record is a passing mention in free text: attached to the person for someone
    /// to confirm, never merged automatically.
    Mention,
    /// One record says too little about who the person is (a first name or a surname at
    /// an address, no date of birth, no number): for someone to confirm, never merged
    /// automatically.
    TooLittleToMerge,
}

/// A pair for human review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPair {
    pub left_record_id: String,
    pub right_record_id: String,
    pub weight: f64,
    pub probability: f64,
    pub reason: ReviewReason,
}

/// A person: the records judged to be one individual. `person_id` is the record id of the
/// person's earliest-arrived record (see README, "Stable person IDs").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub person_id: String,
    /// Record ids, sorted.
    pub record_ids: Vec<String>,
}

/// Clusters as index lists, each sorted by record id, and the pairs for review.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    pub clusters: Vec<Vec<usize>>,
    pub review: Vec<ReviewPair>,
}

struct DisjointSets {
    parent: Vec<usize>,
    members: Vec<Vec<usize>>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n).collect(),
            members: (0..n).map(|i| vec![i]).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.members[ra].len() >= self.members[rb].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big;
        let moved = std::mem::take(&mut self.members[small]);
        self.members[big].extend(moved);
    }
}

fn index_of(records: &[StandardisedRecord]) -> HashMap<&str, usize> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.record_id.as_str(), i))
        .collect()
}

fn resolve(ids: &HashMap<&str, usize>, pair: &(String, String)) -> Option<(usize, usize)> {
    Some((*ids.get(pair.0.as_str())?, *ids.get(pair.1.as_str())?))
}

/// Outcome of testing whether two groups may merge.
enum MergeCheck {
    Allowed,
    HumanSaidNo,
    Vetoed,
    Disagrees,
}

/// Whether a pair's identity fields plainly disagree: a different given name, family
/// name, date of birth (beyond a typo or a swap), recorded sex or NHS number. Location,
/// phone and agency numbers change or differ between agencies and are not counted.
pub fn contradicts(vector: &ComparisonVector) -> bool {
    let at = |field: Field| vector[field.index()];
    at(Field::GivenName) == level::GIVEN_ELSE
        || at(Field::FamilyName) == level::FAMILY_ELSE
        || matches!(
            at(Field::DateOfBirth),
            level::DOB_YEAR_MONTH | level::DOB_YEAR | level::DOB_ELSE
        )
        || at(Field::Sex) == level::DIFFERENT
        || at(Field::NhsNumber) == level::DIFFERENT
}

/// True when some family name of a record of `left` equals some family name of a record
/// of `right` (main or alias names): the two groups share a name.
fn groups_share_a_family_name(
    records: &[StandardisedRecord],
    left: &[usize],
    right: &[usize],
) -> bool {
    let names: HashSet<&str> = left
        .iter()
        .flat_map(|&x| records[x].family_names())
        .map(|f| f.full.as_str())
        .collect();
    right
        .iter()
        .flat_map(|&y| records[y].family_names())
        .any(|f| names.contains(f.full.as_str()))
}

/// The two records place the person at one address: the address lines agree, or, with
/// no lines to compare, the postcodes do.
fn same_place(vector: &ComparisonVector) -> bool {
    matches!(
        vector[Field::Address.index()],
        level::ADDRESS_EXACT | level::ADDRESS_SIMILAR
    ) || vector[Field::Postcode.index()] == level::POSTCODE_UNIT
}

/// The two records place the person at different addresses (or, with nothing finer to
/// compare, in different towns).
fn different_place(vector: &ComparisonVector) -> bool {
    let (address, postcode, town) = (
        vector[Field::Address.index()],
        vector[Field::Postcode.index()],
        vector[Field::Town.index()],
    );
    address == level::ADDRESS_ELSE
        || (address == MISSING && postcode != MISSING && postcode != level::POSTCODE_UNIT)
        || (address == MISSING && postcode == MISSING && town == level::TOWN_ELSE)
}

fn check_merge(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    left: &[usize],
    right: &[usize],
    cannot: &HashSet<(usize, usize)>,
) -> MergeCheck {
    let shared_family = groups_share_a_family_name(records, left, right);
    let family = Field::FamilyName.index();
    let mut scored = Vec::with_capacity(left.len() * right.len());
    // Whether each record is placed at an address the other side also has.
    let (mut left_placed, mut right_placed) = (vec![false; left.len()], vec![false; right.len()]);
    let mut vetoed = None;
    for (i, &x) in left.iter().enumerate() {
        for (j, &y) in right.iter().enumerate() {
            if cannot.contains(&(x.min(y), x.max(y))) {
                return MergeCheck::HumanSaidNo;
            }
            let mut score = model.score(&records[x], &records[y]);
            if shared_family
                && score.vector[family] != MISSING
                && score.vector[family] != level::FAMILY_EXACT
            {
                // Compared person to person: each is known by all its records' names.
                let mut vector = score.vector;
                vector[family] = level::FAMILY_EXACT;
                score = model.score_vector(&vector, &records[x], &records[y]);
            }
            if vetoed.is_none() {
                vetoed = veto(&score.vector, model.policy.household_veto);
            }
            if same_place(&score.vector) {
                left_placed[i] = true;
                right_placed[j] = true;
            }
            scored.push((i, j, score));
        }
    }
    if vetoed.is_some() {
        return MergeCheck::Vetoed;
    }
    let mut weights = Vec::with_capacity(scored.len());
    let (mut supported, mut opposed) = (0usize, 0usize);
    for (i, j, score) in scored {
        if score.probability >= model.policy.review {
            supported += 1;
            weights.push(score.weight);
        } else if contradicts(&score.vector) {
            // Plainly another person.
            opposed += 1;
            weights.push(score.weight);
        } else if different_place(&score.vector) && !left_placed[i] && !right_placed[j] {
            // Somewhere the other side has never placed them: a vote against, but its
            // weight is low for want of fields, not for disagreement, so it is not
            // averaged in.
            opposed += 1;
        }
        // Otherwise too little in common to say: a record at an address the person is
        // known at, against one from before a move. Left out of both counts.
    }
    if weights.is_empty() {
        return MergeCheck::Disagrees;
    }
    // Sum in a fixed order: the same groups must always give the same answer bit for bit.
    weights.sort_by(f64::total_cmp);
    let mean_weight = weights.iter().sum::<f64>() / weights.len() as f64;
    let link_weight = (model.policy.link / (1.0 - model.policy.link)).log2();
    // More plausible cross pairs than opposing ones: with one or two records on a side
    // and nothing left out that means all of them, which is what stops A-B-C chains.
    if supported > opposed && mean_weight >= link_weight {
        MergeCheck::Allowed
    } else {
        MergeCheck::Disagrees
    }
}

/// Neighbours looked at per record when testing ambiguity; a record linking strongly to
/// more records than this is in a huge bucket of near-identical records and is judged on
/// its first (by record id) neighbours only, to bound the cost.
const AMBIGUITY_NEIGHBOURS: usize = 64;

/// Records that link strongly (probability at or above the link threshold, no veto) to
/// two records that a veto says are different people, and that lack the very field the
/// veto rests on (no date of birth when the two differ in date of birth, and so on).
/// Such a record cannot be placed by the score: merging it with either side is a coin
/// toss between, typically, a father and his namesake son. It is left on its own, and its
/// strong pairs go to review as `Ambiguous`. Depends only on the set of pairs and records,
/// so the batch run and the incremental index agree.
fn ambiguous_records(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    pairs: &[ScoredPair],
) -> Vec<bool> {
    use rayon::prelude::*;
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); records.len()];
    for pair in pairs {
        // A record that never joins anyone automatically cannot make a merge a coin toss.
        if pair.score.probability >= model.policy.link
            && records[pair.left].may_merge_automatically()
            && records[pair.right].may_merge_automatically()
            && veto(&pair.score.vector, model.policy.household_veto).is_none()
        {
            neighbours[pair.left].push(pair.right);
            neighbours[pair.right].push(pair.left);
        }
    }
    neighbours
        .into_par_iter()
        .enumerate()
        .map(|(x, mut near)| {
            let x = &records[x];
            // Only a record that lacks the field telling the two people apart is
            // ambiguous; one that has it already agrees with one side and not the other.
            let lacks = |veto: Veto| match veto {
                Veto::DifferentNhsNumbers => x.nhs_number.is_none(),
                Veto::HouseholdDifferentDateOfBirth => x.date_of_birth.is_none(),
                Veto::HouseholdDifferentGivenName | Veto::SameBirthDifferentName => {
                    x.given.as_ref().is_none_or(|g| g.is_initial)
                }
                Veto::HouseholdMember | Veto::ConflictingIdentity => {
                    x.date_of_birth.is_none()
                        || x.sex.is_none()
                        || x.given.as_ref().is_none_or(|g| g.is_initial)
                }
            };
            if near.len() < 2 {
                return false;
            }
            near.sort_by(|a, b| records[*a].record_id.cmp(&records[*b].record_id));
            near.dedup();
            near.truncate(AMBIGUITY_NEIGHBOURS);
            near.iter().enumerate().any(|(i, &y)| {
                near[i + 1..].iter().any(|&z| {
                    let vector = crate::compare::compare(&records[y], &records[z]);
                    veto(&vector, model.policy.household_veto).is_some_and(lacks)
                })
            })
        })
        .collect()
}

/// Groups records into people. `pairs` are the scored candidate pairs (any order).
pub fn cluster_records(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    pairs: &[ScoredPair],
    decisions: &HumanDecisions,
) -> Result<Clustering, LinkageError> {
    let ids = index_of(records);
    let mut sets = DisjointSets::new(records.len());
    let cannot: HashSet<(usize, usize)> = decisions
        .cannot_link
        .iter()
        .filter_map(|p| resolve(&ids, p))
        .map(|(a, b)| (a.min(b), a.max(b)))
        .collect();
    let mut must: Vec<(usize, usize)> = decisions
        .must_link
        .iter()
        .filter_map(|p| resolve(&ids, p))
        .collect();
    must.sort_by(|a, b| {
        let key = |p: &(usize, usize)| {
            (
                records[p.0].record_id.clone(),
                records[p.1].record_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    for (a, b) in must {
        sets.union(a, b);
    }
    for &(a, b) in &cannot {
        if sets.find(a) == sets.find(b) {
            return Err(LinkageError::ConflictingConstraints(
                records[a].record_id.clone(),
                records[b].record_id.clone(),
            ));
        }
    }

    let ambiguous = ambiguous_records(records, model, pairs);

    // Strongest first; ties by record ids so that input order never matters.
    let mut order: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.score.probability >= model.policy.link)
        .collect();
    // Borrowed, not cloned: this runs inside the sort's comparisons, millions of times at
    // a million records.
    let id_key = |p: &ScoredPair| {
        let (a, b) = (
            records[p.left].record_id.as_str(),
            records[p.right].record_id.as_str(),
        );
        if a <= b { (a, b) } else { (b, a) }
    };
    order.sort_by(|x, y| {
        y.score
            .weight
            .total_cmp(&x.score.weight)
            .then_with(|| id_key(x).cmp(&id_key(y)))
    });
    for pair in order {
        let (ra, rb) = (sets.find(pair.left), sets.find(pair.right));
        if ra == rb
            || ambiguous[pair.left]
            || ambiguous[pair.right]
            || !records[pair.left].may_merge_automatically()
            || !records[pair.right].may_merge_automatically()
        {
            continue;
        }
        if let MergeCheck::Allowed = check_merge(
            records,
            model,
            &sets.members[ra],
            &sets.members[rb],
            &cannot,
        ) {
            sets.union(ra, rb);
        }
    }

    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in 0..records.len() {
        if sets.find(i) == i {
            let mut members = sets.members[i].clone();
            members.sort_by(|a, b| records[*a].record_id.cmp(&records[*b].record_id));
            clusters.push(members);
        }
    }
    clusters.sort_by(|a, b| records[a[0]].record_id.cmp(&records[b[0]].record_id));

    let review = review_pairs(records, model, pairs, &mut sets, &cannot, &ambiguous);
    Ok(Clustering { clusters, review })
}

fn review_pairs(
    records: &[StandardisedRecord],
    model: &LinkageModel,
    pairs: &[ScoredPair],
    sets: &mut DisjointSets,
    cannot: &HashSet<(usize, usize)>,
    ambiguous: &[bool],
) -> Vec<ReviewPair> {
    let mut seen = BTreeSet::new();
    let mut review = Vec::new();
    for pair in pairs {
        let (a, b) = (pair.left.min(pair.right), pair.left.max(pair.right));
        if pair.score.probability < model.policy.review
            || sets.find(a) == sets.find(b)
            || cannot.contains(&(a, b))
            || !seen.insert((a, b))
        {
            continue;
        }
        let reason = match veto(&pair.score.vector, model.policy.household_veto) {
            Some(v) if !v.needs_review() => continue,
            Some(v) => ReviewReason::Vetoed(v),
            None if records[a].mention || records[b].mention => ReviewReason::Mention,
            None if records[a].too_thin_to_merge() || records[b].too_thin_to_merge() => {
                ReviewReason::TooLittleToMerge
            }
            None if pair.score.probability >= model.policy.link
                && (ambiguous[a] || ambiguous[b]) =>
            {
                ReviewReason::Ambiguous
            }
            None if pair.score.probability >= model.policy.link => ReviewReason::ClusterDisagrees,
            None => ReviewReason::Uncertain,
        };
        let (left, right) = {
            let (x, y) = (&records[a].record_id, &records[b].record_id);
            if x <= y {
                (x.clone(), y.clone())
            } else {
                (y.clone(), x.clone())
            }
        };
        review.push(ReviewPair {
            left_record_id: left,
            right_record_id: right,
            weight: pair.score.weight,
            probability: pair.score.probability,
            reason,
        });
    }
    review.sort_by(|x, y| {
        (x.left_record_id.as_str(), x.right_record_id.as_str())
            .cmp(&(y.left_record_id.as_str(), y.right_record_id.as_str()))
    });
    review
}

/// Names each cluster by its earliest-arrived record. `arrival[i]` is record i's arrival
/// position (input position in a batch run).
pub fn persons_from_clusters(
    records: &[StandardisedRecord],
    clusters: &[Vec<usize>],
    arrival: &[u64],
) -> Vec<Person> {
    clusters
        .iter()
        .map(|members| {
            let founder = members
                .iter()
                .min_by_key(|&&i| (arrival[i], i))
                .copied()
                .unwrap_or(members[0]);
            Person {
                person_id: records[founder].record_id.clone(),
                record_ids: members
                    .iter()
                    .map(|&i| records[i].record_id.clone())
                    .collect(),
            }
        })
        .collect()
}
