//! Safeguarding behaviour: the cases that must never go wrong, on fictional people.

mod common;

use vigil_linkage::cluster::{Veto, veto};
use vigil_linkage::evaluate::{b_cubed_metrics, pairwise_metrics};
use vigil_linkage::{
    HumanDecisions, IdentityRecord, LinkageError, LinkageIndex, Outcome, PairOutcome, explain_pair,
    link_records, standardise,
};

fn record(
    id: &str,
    given: &str,
    family: &str,
    dob: &str,
    address: &str,
    postcode: &str,
    nhs: &str,
) -> IdentityRecord {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    IdentityRecord {
        record_id: id.into(),
        given_name: opt(given),
        family_name: opt(family),
        date_of_birth: opt(dob),
        address_line: opt(address),
        postcode: opt(postcode),
        nhs_number: opt(nhs),
        ..Default::default()
    }
}

fn persons_of(records: &[IdentityRecord], decisions: &HumanDecisions) -> Vec<Vec<String>> {
    let run = link_records(records, common::trained_model(), decisions).expect("links");
    run.persons.into_iter().map(|p| p.record_ids).collect()
}

fn together(persons: &[Vec<String>], a: &str, b: &str) -> bool {
    persons
        .iter()
        .any(|p| p.iter().any(|r| r == a) && p.iter().any(|r| r == b))
}

#[test]
fn the_same_child_across_agencies_links() {
    let records = vec![
        record(
            "GP-1",
            "William",
            "ASHWORTH",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "999 000 0018",
        ),
        record(
            "HV-1",
            "Bill",
            "Ashworth",
            "2019-05-14",
            "12 Tanner Rd",
            "QF2 7LD",
            "",
        ),
        record(
            "ED-1",
            "Bill",
            "Ashworth",
            "05/14/2019",
            "12 Tanner Avenue",
            "qf27ld",
            "",
        ),
        record(
            "SC-1",
            "William",
            "Ashwerth",
            "14/05/2019",
            "",
            "QF2 7LD",
            "9990000018",
        ),
    ];
    let persons = persons_of(&records, &HumanDecisions::default());
    assert_eq!(persons.len(), 1, "{persons:?}");
}

#[test]
fn twins_stay_apart_and_are_settled_without_review() {
    let records = vec![
        record(
            "A",
            "Amber",
            "Threlfall",
            "01/02/2016",
            "7 Granary Lane",
            "QK1 2AB",
            "",
        ),
        record(
            "B",
            "Ruby",
            "Threlfall",
            "01/02/2016",
            "7 Granary Lane",
            "QK1 2AB",
            "",
        ),
    ];
    let run = link_records(
        &records,
        common::trained_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    assert_eq!(run.persons.len(), 2);
    let vector =
        vigil_linkage::compare::compare(&standardise(&records[0]), &standardise(&records[1]));
    assert_eq!(veto(&vector, true), Some(Veto::HouseholdDifferentGivenName));
    assert!(!Veto::HouseholdDifferentGivenName.needs_review());
    assert!(
        run.review.is_empty(),
        "twins are settled, not queued: {:?}",
        run.review
    );
    let explanation = explain_pair(
        common::trained_model(),
        &standardise(&records[0]),
        &standardise(&records[1]),
    );
    assert!(matches!(
        explanation.outcome,
        PairOutcome::Vetoed(Veto::HouseholdDifferentGivenName) | PairOutcome::NoMatch
    ));
}

#[test]
fn parent_and_child_with_the_same_name_stay_apart_even_through_a_bridging_record() {
    let records = vec![
        record(
            "DAD",
            "Martin",
            "Haddow",
            "21/05/1979",
            "3 Cooper Close",
            "QM4 1XY",
            "",
        ),
        record(
            "SON",
            "Martin",
            "Haddow",
            "02/11/2008",
            "3 Cooper Close",
            "QM4 1XY",
            "",
        ),
        // No date of birth: looks like both of them.
        record(
            "BRIDGE",
            "Martin",
            "Haddow",
            "",
            "3 Cooper Close",
            "QM4 1XY",
            "",
        ),
    ];
    let persons = persons_of(&records, &HumanDecisions::default());
    assert!(
        !together(&persons, "DAD", "SON"),
        "chained a father and son: {persons:?}"
    );
    let vector =
        vigil_linkage::compare::compare(&standardise(&records[0]), &standardise(&records[1]));
    assert_eq!(
        veto(&vector, true),
        Some(Veto::HouseholdDifferentDateOfBirth)
    );
    // Same name, different dates of birth: a person must decide, so it is queued.
    let run = link_records(
        &records,
        common::trained_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    let score = common::trained_model().score(&standardise(&records[0]), &standardise(&records[1]));
    let queued = run
        .review
        .iter()
        .any(|r| r.left_record_id == "DAD" && r.right_record_id == "SON");
    assert_eq!(
        queued,
        score.probability >= common::trained_model().policy.review
    );
}

#[test]
fn different_valid_nhs_numbers_never_link_automatically() {
    let records = vec![
        record(
            "X",
            "Oliver",
            "Penhaligon",
            "03/03/2012",
            "9 Willow Way",
            "QP3 3PP",
            "999 000 0018",
        ),
        record(
            "Y",
            "Oliver",
            "Penhaligon",
            "03/03/2012",
            "9 Willow Way",
            "QP3 3PP",
            "999 000 0026",
        ),
    ];
    let persons = persons_of(&records, &HumanDecisions::default());
    assert!(!together(&persons, "X", "Y"));
}

#[test]
fn a_newborn_placeholder_links_through_nhs_number_and_date_of_birth() {
    let records = vec![
        record(
            "MAT",
            "Baby boy",
            "QUIGLEY",
            "2023-01-09",
            "40 Harbour Street",
            "QH5 9ZZ",
            "999 000 0034",
        ),
        record(
            "GP",
            "Noah",
            "Quigley",
            "09/01/2023",
            "40 Harbour Street",
            "QH5 9ZZ",
            "999 000 0034",
        ),
    ];
    let s = standardise(&records[0]);
    assert!(s.given.is_none(), "placeholder must not be a given name");
    assert_eq!(s.sex, Some(vigil_linkage::Sex::Male));
    let persons = persons_of(&records, &HumanDecisions::default());
    assert!(together(&persons, "MAT", "GP"), "{persons:?}");
}

#[test]
fn human_decisions_always_hold() {
    let records = vec![
        record(
            "P",
            "William",
            "Ashworth",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "",
        ),
        record(
            "Q",
            "William",
            "Ashworth",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "",
        ),
        record(
            "R",
            "Zara",
            "Okafor",
            "01/01/1990",
            "1 Mill Lane",
            "QA1 1AA",
            "",
        ),
    ];
    let keep_apart = HumanDecisions {
        must_link: vec![],
        cannot_link: vec![("P".into(), "Q".into())],
    };
    assert!(!together(&persons_of(&records, &keep_apart), "P", "Q"));
    let join = HumanDecisions {
        must_link: vec![("P".into(), "R".into())],
        cannot_link: vec![],
    };
    assert!(together(&persons_of(&records, &join), "P", "R"));
    let conflict = HumanDecisions {
        must_link: vec![("P".into(), "R".into()), ("R".into(), "Q".into())],
        cannot_link: vec![("P".into(), "Q".into())],
    };
    let err = link_records(&records, common::trained_model(), &conflict).unwrap_err();
    assert!(
        matches!(err, LinkageError::ConflictingConstraints(_, _)),
        "{err}"
    );
}

#[test]
fn explanation_adds_up_and_reads_as_a_waterfall() {
    let a = standardise(&record(
        "A",
        "Bill",
        "Ashworth",
        "14/05/2019",
        "12 Tanner Road",
        "QF2 7LD",
        "",
    ));
    let b = standardise(&record(
        "B",
        "William",
        "Ashworth",
        "05/14/2019",
        "12 Tanner Avenue",
        "QF2 7LD",
        "",
    ));
    let e = explain_pair(common::trained_model(), &a, &b);
    let sum: f64 = e.prior_weight
        + e.contributions
            .iter()
            .map(|c| c.match_weight + c.term_frequency_adjustment)
            .sum::<f64>();
    assert!((sum - e.total_weight).abs() < 1e-9);
    assert!((e.total_weight - common::trained_model().score(&a, &b).weight).abs() < 1e-9);
    let given = &e.contributions[0];
    assert_eq!(given.level_label, "nickname of each other");
    let dob = &e.contributions[2];
    assert_eq!(dob.level_label, "day and month swapped");
    let text = e.to_text();
    println!("{text}");
    for expected in [
        "prior",
        "given name",
        "nickname of each other",
        "day and month swapped",
        "total weight",
        "probability",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains("\"level_label\""));
}

#[test]
fn index_reports_new_person_link_and_review() {
    let mut index = LinkageIndex::new(common::trained_model().clone());
    let first = index
        .add(&record(
            "GP-1",
            "William",
            "Ashworth",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "999 000 0018",
        ))
        .unwrap();
    assert_eq!(first.outcome, Outcome::NewPerson("GP-1".into()));
    let second = index
        .add(&record(
            "HV-1",
            "Bill",
            "Ashworth",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "",
        ))
        .unwrap();
    assert_eq!(second.outcome, Outcome::Linked("GP-1".into()));
    assert_eq!(second.person_id, "GP-1");
    assert!(second.candidates.iter().any(|c| c.record_id == "GP-1"));
    let twin = index
        .add(&record(
            "HV-2",
            "Amber",
            "Ashworth",
            "14/05/2019",
            "12 Tanner Road",
            "QF2 7LD",
            "",
        ))
        .unwrap();
    assert!(
        matches!(twin.outcome, Outcome::Review(_) | Outcome::NewPerson(_)),
        "{:?}",
        twin.outcome
    );
    assert_ne!(twin.person_id, "GP-1");
    // A person's decision to split is respected and reported.
    let changes = index.decide("GP-1", "HV-1", false).unwrap();
    assert_eq!(changes.len(), 1);
    assert_ne!(index.person_of("GP-1"), index.person_of("HV-1"));
    assert_eq!(
        index.person_of("GP-1"),
        Some("GP-1"),
        "the earliest record keeps the id"
    );
    assert!(matches!(
        index.add(&record("GP-1", "", "", "", "", "", "")),
        Err(LinkageError::DuplicateRecordId(_))
    ));
}

#[test]
fn synthetic_population_precision_and_recall() {
    let (_, records) = common::population(7, 400);
    let truth_of: std::collections::HashMap<String, usize> = records
        .iter()
        .map(|(r, p)| (r.record_id.clone(), *p))
        .collect();
    let raw: Vec<IdentityRecord> = records.iter().map(|(r, _)| r.clone()).collect();
    let run = link_records(&raw, common::trained_model(), &HumanDecisions::default()).unwrap();
    let clusters: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    let mut truth_pairs = Vec::new();
    for (i, (a, pa)) in records.iter().enumerate() {
        for (b, pb) in &records[i + 1..] {
            if pa == pb {
                truth_pairs.push((a.record_id.clone(), b.record_id.clone()));
            }
        }
    }
    let mut truth_clusters: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (id, p) in &truth_of {
        truth_clusters.entry(*p).or_default().push(id.clone());
    }
    let truth_clusters: Vec<Vec<String>> = truth_clusters.into_values().collect();
    let pairwise = pairwise_metrics(&clusters, &truth_pairs);
    let b3 = b_cubed_metrics(&clusters, &truth_clusters);
    println!(
        "synthetic households: records {} pairwise P {:.4} R {:.4} F1 {:.4} (fp {} fn {}) B-cubed P {:.4} R {:.4} review {}",
        raw.len(),
        pairwise.precision,
        pairwise.recall,
        pairwise.f1,
        pairwise.false_positives,
        pairwise.false_negatives,
        b3.precision,
        b3.recall,
        run.review.len()
    );
    if std::env::var_os("SYNTH_VERBOSE").is_some() {
        let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
        for r in &run.review {
            *reasons.entry(format!("{:?}", r.reason)).or_default() += 1;
        }
        println!("review reasons {reasons:?}");
        let by_id: std::collections::HashMap<&str, &IdentityRecord> =
            raw.iter().map(|r| (r.record_id.as_str(), r)).collect();
        let mut shown = 0;
        for c in &clusters {
            for (i, a) in c.iter().enumerate() {
                for b in &c[i + 1..] {
                    if truth_of[a] != truth_of[b] && shown < 8 {
                        shown += 1;
                        let s = common::trained_model().score(
                            &standardise(by_id[a.as_str()]),
                            &standardise(by_id[b.as_str()]),
                        );
                        println!(
                            "FP p={:.4} {:?}\n  {:?}\n  {:?}",
                            s.probability,
                            s.vector,
                            by_id[a.as_str()],
                            by_id[b.as_str()]
                        );
                    }
                }
            }
        }
        for r in run.review.iter().take(6) {
            println!(
                "REVIEW {:?} p={:.4}\n  {:?}\n  {:?}",
                r.reason,
                r.probability,
                by_id[r.left_record_id.as_str()],
                by_id[r.right_record_id.as_str()]
            );
        }
    }
    // Figures reached when written (seed 7, 400 households): P 1.0000, R 0.9740; since
    // records that fit two known-different people go to review (`Ambiguous`, 45 pairs
    // here: mostly a "Harry" with no date of birth in a house with a Henry and a Harry),
    // P 1.0000, R 0.9639.
    assert!(
        pairwise.precision >= 0.999,
        "precision {:.4}",
        pairwise.precision
    );
    assert!(pairwise.recall >= 0.96, "recall {:.4}", pairwise.recall);
}

#[test]
fn supervised_training_learns_from_labelled_pairs() {
    use vigil_linkage::{
        LabelledPair, LinkageModel, TrainingOptions, link_standardised, standardise_all,
    };
    let (_, population) = common::population(11, 200);
    let raw: Vec<IdentityRecord> = population.iter().map(|(r, _)| r.clone()).collect();
    let records = standardise_all(&raw);
    // Label every true pair and the first 2 000 false pairs in input order.
    let mut labelled = Vec::new();
    let mut negatives = 0;
    for (i, (a, pa)) in population.iter().enumerate() {
        for (b, pb) in &population[i + 1..] {
            if pa == pb || negatives < 2_000 {
                negatives += usize::from(pa != pb);
                labelled.push(LabelledPair {
                    left: a.record_id.clone(),
                    right: b.record_id.clone(),
                    is_match: pa == pb,
                });
            }
        }
    }
    let model =
        LinkageModel::train_supervised(&records, &labelled, &TrainingOptions::default()).unwrap();
    assert!(model.training.method.starts_with("supervised"));
    let given = model.parameters(vigil_linkage::compare::Field::GivenName);
    assert!(
        given.levels[0].weight() > 0.0 && given.levels[6].weight() < 0.0,
        "{given:?}"
    );
    let run = link_standardised(&records, &model, &HumanDecisions::default()).unwrap();
    let clusters: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    let truth: Vec<(String, String)> = labelled
        .iter()
        .filter(|p| p.is_match)
        .map(|p| (p.left.clone(), p.right.clone()))
        .collect();
    let metrics = pairwise_metrics(&clusters, &truth);
    println!(
        "supervised on synthetic: P {:.4} R {:.4}",
        metrics.precision, metrics.recall
    );
    assert!(
        metrics.precision >= 0.99 && metrics.recall >= 0.9,
        "{metrics:?}"
    );

    let no_matches: Vec<LabelledPair> = labelled.iter().filter(|p| !p.is_match).cloned().collect();
    assert!(matches!(
        LinkageModel::train_supervised(&records, &no_matches, &TrainingOptions::default()),
        Err(LinkageError::Training(_))
    ));
    let unknown = vec![LabelledPair {
        left: "nobody".into(),
        right: raw[0].record_id.clone(),
        is_match: true,
    }];
    assert!(matches!(
        LinkageModel::train_supervised(&records, &unknown, &TrainingOptions::default()),
        Err(LinkageError::UnknownRecordId(_))
    ));
}

#[test]
fn index_must_link_merges_and_keeps_the_earliest_id() {
    let mut index = LinkageIndex::new(common::trained_model().clone());
    index
        .add(&record(
            "EARLY",
            "Zara",
            "Okafor",
            "01/01/1990",
            "1 Mill Lane",
            "QA1 1AA",
            "",
        ))
        .unwrap();
    index
        .add(&record(
            "LATE",
            "Zoe",
            "Nowak",
            "02/02/1991",
            "9 Beech Way",
            "QB2 2BB",
            "",
        ))
        .unwrap();
    assert_ne!(index.person_of("EARLY"), index.person_of("LATE"));
    let changes = index.decide("LATE", "EARLY", true).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, vigil_linkage::index::ChangeKind::Merge);
    assert_eq!(index.person_of("LATE"), Some("EARLY"));
    // A contradictory decision is refused and leaves the index as it was.
    assert!(matches!(
        index.decide("EARLY", "LATE", false),
        Err(LinkageError::ConflictingConstraints(_, _))
    ));
    assert_eq!(index.person_of("LATE"), Some("EARLY"));
}

/// Agencies number people as they register them: twins registered together hold
/// neighbouring numbers. Those are two people, not one number typed wrong, so they must
/// not lift the household rule.
#[test]
fn twins_with_neighbouring_agency_numbers_stay_apart() {
    let mut a = record(
        "MAT-1",
        "Isla",
        "Threlfall",
        "04/11/2019",
        "7 Granary Lane",
        "QK1 2AB",
        "",
    );
    let mut b = record(
        "MAT-2",
        "Evie",
        "Threlfall",
        "04/11/2019",
        "7 Granary Lane",
        "QK1 2AB",
        "",
    );
    a.other_id = Some("QMH:MRN-4410027".into());
    b.other_id = Some("QMH:MRN-4410028".into());
    let vector = vigil_linkage::compare::compare(&standardise(&a), &standardise(&b));
    assert_eq!(
        vector[vigil_linkage::compare::Field::OtherId.index()],
        vigil_linkage::compare::level::ID_ELSE
    );
    assert_eq!(veto(&vector, true), Some(Veto::HouseholdDifferentGivenName));
    assert_eq!(
        persons_of(&[a, b], &HumanDecisions::default()).len(),
        2,
        "twins merged"
    );
}

/// A name overheard in a strategy meeting is not an identity: it goes to review against
/// the person it most likely is, and is never merged, however well it scores.
#[test]
fn a_passing_mention_is_never_merged() {
    let full = |id: &str| {
        record(
            id,
            "Callum",
            "Hargreave",
            "12/01/1988",
            "12 Tanner Road",
            "QF2 7LD",
            "",
        )
    };
    let mut mention = record(
        "MINUTES",
        "Callum",
        "Hargreave",
        "",
        "12 Tanner Road",
        "QF2 7LD",
        "",
    );
    mention.mention = true;
    let records = vec![full("GP-1"), full("POL-1"), mention.clone()];
    let persons = persons_of(&records, &HumanDecisions::default());
    assert!(
        persons.iter().any(|p| p == &vec!["MINUTES".to_owned()]),
        "{persons:?}"
    );
    let mut index = LinkageIndex::new(common::trained_model().clone());
    index.add(&records[0]).unwrap();
    index.add(&records[1]).unwrap();
    let decision = index.add(&mention).unwrap();
    match decision.outcome {
        Outcome::Review(pairs) => assert!(
            pairs
                .iter()
                .all(|p| p.reason == vigil_linkage::ReviewReason::Mention),
            "{pairs:?}"
        ),
        other => panic!("a mention was {other:?}"),
    }
}

/// "Oscar", male, at the family's address: where a child was, not which child.
#[test]
fn a_first_name_at_an_address_goes_to_review() {
    let child = |id: &str| {
        record(
            id,
            "Oscar",
            "Winterbourne",
            "21/08/2019",
            "3 Elm Row",
            "QD4 1XY",
            "",
        )
    };
    let mut thin = record("AMB-1", "Oscar", "", "", "3 Elm Row", "QD4 1XY", "");
    thin.sex = Some("male".into());
    let run = link_records(
        &[child("GP-1"), child("HV-1"), thin],
        common::trained_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    let persons: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    assert!(!together(&persons, "AMB-1", "GP-1"), "{persons:?}");
    assert!(
        run.review
            .iter()
            .any(|r| r.reason == vigil_linkage::ReviewReason::TooLittleToMerge),
        "{:?}",
        run.review
    );
}

/// A surname changed by deed poll, recorded as an alias by one agency, brings the
/// records under the old and the new name together, although no record under the old
/// name agrees with one under the new.
#[test]
fn an_alias_brings_a_renamed_person_together() {
    let records = vec![
        record(
            "OLD",
            "Tobias",
            "ALDERWICK",
            "14/06/1984",
            "9 Quarry Lane",
            "QS9 4QE",
            "",
        ),
        record(
            "ALIAS",
            "Tobias",
            "FENWORTH (formerly ALDERWICK)",
            "14/06/1984",
            "30 Harbour Walk",
            "QS2 7LB",
            "",
        ),
        record(
            "NEW-1",
            "Tobias",
            "FENWORTH",
            "14/06/1984",
            "5 Mill Close",
            "QN7 2QP",
            "",
        ),
        record(
            "NEW-2",
            "Tobias",
            "Fenworth",
            "1984-06-14",
            "5 Mill Close",
            "QN7 2QP",
            "",
        ),
    ];
    // The shipped model: the tests' own population never moves house, so its model
    // weighs a different address as heavily as a different surname.
    let run = link_records(
        &records,
        &vigil_linkage::LinkageModel::default_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    assert_eq!(run.persons.len(), 1, "{:?}", run.persons);
}

/// Rob and Ruby sound alike (Double Metaphone RP) but a different recorded sex makes
/// them two names: with the surname also only sounding alike, another person.
#[test]
fn a_sound_alike_name_with_another_sex_is_another_person() {
    let mut rob = record("A", "Rob", "White", "30/06/2013", "", "", "");
    let mut ruby = record("B", "Ruby", "Wood", "30/06/2013", "", "", "");
    rob.sex = Some("M".into());
    ruby.sex = Some("F".into());
    let vector = vigil_linkage::compare::compare(&standardise(&rob), &standardise(&ruby));
    assert_eq!(veto(&vector, true), Some(Veto::ConflictingIdentity));
}

/// A family that moved: the records from before and after the move are one person each,
/// including a record at the new address with only an initial and a phone, which shares
/// nothing with the records from before the move.
#[test]
fn a_weak_record_at_the_new_address_joins_after_a_move() {
    let old = |id: &str| {
        record(
            id,
            "Nadia",
            "OKONJO",
            "02/04/1993",
            "Flat 2, 44 Cooper Street",
            "QB3 9LN",
            "",
        )
    };
    let new = |id: &str| {
        record(
            id,
            "Nadia",
            "OKONJO",
            "02/04/1993",
            "17 Beech Way",
            "QB5 1TT",
            "",
        )
    };
    let mut initial = record("NEW-K", "N", "OKONJO", "", "17 Beech Way", "QB5 1TT", "");
    initial.phone = Some("07700 900318".into());
    let records = vec![
        old("OLD-1"),
        old("OLD-2"),
        old("OLD-3"),
        new("NEW-1"),
        new("NEW-2"),
        initial,
    ];
    // The shipped model, trained on a population where families move.
    let run = link_records(
        &records,
        &vigil_linkage::LinkageModel::default_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    assert_eq!(run.persons.len(), 1, "{:?}", run.persons);
}

/// The same full name in the same town, no date of birth, at an address the person is
/// never recorded at: kept apart (it used to be the majority of pairs; now a pair that
/// places the person somewhere the other side never has them counts against).
#[test]
fn a_namesake_at_an_unknown_address_stays_apart() {
    let mut known = vec![
        record(
            "GP-1",
            "Daniel",
            "WELLICOTT",
            "12/03/1997",
            "40 Welford Street",
            "QL12 3UR",
            "",
        ),
        record(
            "HOS-1",
            "Daniel",
            "Wellicott",
            "12/03/1997",
            "40 Welford Street",
            "QL12 3UR",
            "",
        ),
        record(
            "SCH-1",
            "Daniel",
            "Wellicott",
            "12/03/1997",
            "",
            "QL12 3UR",
            "",
        ),
    ];
    known[2].town = Some("Kestlemoor".into());
    known[2].sex = Some("Male".into());
    let mut other = record(
        "HSG-1",
        "Daniel",
        "WELLICOTT",
        "",
        "187 Whitford Road",
        "",
        "",
    );
    other.town = Some("Kestlemoor".into());
    other.sex = Some("Male".into());
    known.push(other);
    // The shipped model, which gives a town weight (the tests' own population has none).
    let run = link_records(
        &known,
        &vigil_linkage::LinkageModel::default_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    let persons: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
    assert!(together(&persons, "SCH-1", "GP-1"), "{persons:?}");
    assert!(!together(&persons, "HSG-1", "GP-1"), "{persons:?}");
}

/// Twins recorded at different addresses (one record from before a move) are out of the
/// household rule's sight; the same surname and birthday with a wholly different first
/// name still keeps them apart.
#[test]
fn twins_at_different_addresses_stay_apart() {
    let a = record(
        "A",
        "Isla",
        "Threlfall",
        "04/11/2019",
        "7 Granary Lane",
        "QK1 2AB",
        "",
    );
    let b = record(
        "B",
        "Evie",
        "Threlfall",
        "04/11/2019",
        "22 Mill Close",
        "QK5 9TT",
        "",
    );
    let vector = vigil_linkage::compare::compare(&standardise(&a), &standardise(&b));
    assert_eq!(veto(&vector, true), Some(Veto::SameBirthDifferentName));
    assert!(!Veto::SameBirthDifferentName.needs_review());
    let run = link_records(
        &[a, b],
        &vigil_linkage::LinkageModel::default_model(),
        &HumanDecisions::default(),
    )
    .unwrap();
    assert_eq!(run.persons.len(), 2);
    assert!(run.review.is_empty(), "{:?}", run.review);
}
