//! The generator's promises: the same seed gives the same population, every line is an
//! event Vigil accepts, every kind of seeded harm is present with its truth, and the data
//! stays fictional.

use super::*;
use vigil_domain::event::{Limits, parse_event};

fn small(seed: u64) -> Population {
    generate(&PopulationOptions {
        children: 300,
        months: 12,
        seed,
        seeded_share: 0.02,
    })
}

#[test]
fn the_same_seed_gives_the_same_population() {
    let (a, b) = (small(7), small(7));
    assert_eq!(a.events, b.events);
    assert_eq!(a.truth, b.truth);
    assert_ne!(small(8).events, a.events);
}

#[test]
fn every_line_is_an_event_vigil_accepts_and_stays_fictional() {
    let population = small(11);
    let now: Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    let mut last = None;
    for (i, value) in population.events.iter().enumerate() {
        let line = serde_json::to_string(value).unwrap();
        let reread: Value = serde_json::from_str(&line).unwrap();
        let event = parse_event(&reread, "", now, &Limits::default())
            .unwrap_or_else(|errors| panic!("line {}: {errors:?}\n{line}", i + 1));
        let recorded = event
            .recorded_at
            .expect("history states when it was recorded");
        assert!(
            last.is_none_or(|l| l <= recorded),
            "line {} is out of recorded order",
            i + 1
        );
        last = Some(recorded);
        for person in &event.people {
            if let Some(nhs) = person.nhs_number {
                assert!(nhs.is_test_range(), "line {}", i + 1);
            }
            for address in &person.addresses {
                let postcode = address.postcode.clone().expect("a postcode");
                assert!(postcode.area().starts_with('Q'), "line {}", i + 1);
            }
        }
    }
}

#[test]
fn every_kind_of_harm_is_seeded_with_its_truth() {
    let population = small(3);
    let truth = &population.truth;
    assert!(truth.children.len() >= 300);
    let source_ids: std::collections::HashSet<String> = population
        .events
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["agency"].as_str().unwrap(),
                e["source_id"].as_str().unwrap()
            )
        })
        .collect();
    for kind in TrajectoryKind::ALL {
        let seeded: Vec<_> = truth.seeded().filter(|(_, h)| h.kind == kind).collect();
        assert!(!seeded.is_empty(), "no {} trajectory", kind.label());
        for (child, harm) in seeded {
            assert!(harm.visible_at <= harm.flag_by);
            assert!(!harm.events.is_empty());
            for id in &harm.events {
                assert!(
                    source_ids.contains(id),
                    "{}: {id} not among the events",
                    child.key
                );
            }
            assert!(!child.references.is_empty());
        }
    }
    // The events never say who is seeded.
    let text = serde_json::to_string(&population.events).unwrap();
    assert!(!text.contains("seeded") && !text.contains("trajector"));
}
