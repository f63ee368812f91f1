//! A casebook that follows the log as it grows ends up exactly where a replay of the
//! whole log does, and two followers (two processes on one database) agree, however
//! the times Vigil or the agencies stamped on events run against the order in which
//! the events were stored. Persons are named after their first record taken, so this
//! is where a difference would show.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use vigil_linkage::LinkageModel;
use vigil_pipeline::Casework;
use vigil_rules::{Casebook, RulesConfig};
use vigil_store::EventStore;
use vigil_store_sqlite::{Durability, SqliteStore};

/// A home visit recording the same fictional child as every other call, by `agency`
/// under its own reference, stated as recorded at `recorded_at`.
fn visit(agency: &str, index: usize, recorded_at: Timestamp) -> vigil_domain::NewEvent {
    let value = json!({
        "kind": "home_visit",
        "agency": agency,
        "source_system": format!("{agency}-CASE"),
        "source_id": format!("VISIT-{index}"),
        "occurred_at": "2024-05-03T10:15",
        "recorded_at": recorded_at.to_string(),
        "summary": "Visit; child seen with mother.",
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "2023-03-10",
              "nhs_number": "999 210 0311", "agency_reference": format!("{agency}-CH-{index}") },
            { "role": "parent", "name": "ZEBEDEE, Mary", "date_of_birth": "1994-07-21",
              "relationship": "mother", "agency_reference": format!("{agency}-AD-{index}") }
        ],
        "details": { "outcome": "child_seen" }
    });
    vigil_domain::parse_event(
        &value,
        "",
        Timestamp::now(),
        &vigil_domain::Limits::default(),
    )
    .unwrap_or_else(|errors| panic!("{errors:?}"))
}

/// Every identity record in the casebook with the person it belongs to.
fn persons(casebook: &Casebook) -> BTreeMap<String, String> {
    let mut persons = BTreeMap::new();
    for event in casebook.events() {
        for index in 0..event.event.people.len() {
            let record = event.record_id(index);
            let person = casebook
                .person_of_record(&record)
                .unwrap_or_else(|| panic!("record {record} belongs to no person"))
                .to_string();
            persons.insert(record, person);
        }
    }
    persons
}

async fn open() -> (tempfile::TempDir, SqliteStore) {
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
        .await
        .unwrap();
    (directory, store)
}

async fn load(store: &SqliteStore) -> Casework {
    Casework::load(store, LinkageModel::default_model(), RulesConfig::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn followers_and_a_replay_name_the_same_persons_when_stamps_run_against_the_log() {
    let (_directory, store) = open().await;
    let following_each_append = load(&store).await;
    let following_at_the_end = load(&store).await;
    let now = Timestamp::now();
    let minutes = |m: i64| now - SignedDuration::from_mins(m);
    // Each stored after the one before, each stamped earlier than the one before, as
    // when requests to several processes wait their turn to be stored; all within the
    // hour, so none is history.
    for (index, (agency, recorded_at)) in [
        ("QCS", minutes(5)),
        ("NCS", minutes(10)),
        ("QHV", minutes(15)),
        ("QCS", minutes(20)),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .append(vec![visit(agency, index, recorded_at)], now)
            .await
            .unwrap();
        following_each_append.catch_up(&store).await.unwrap();
    }
    following_at_the_end.catch_up(&store).await.unwrap();
    let replayed = load(&store).await;

    let replayed = persons(&*replayed.read().await);
    assert_eq!(replayed.len(), 8);
    let distinct: std::collections::BTreeSet<&String> = replayed.values().collect();
    assert_eq!(distinct.len(), 2, "one child and one mother: {replayed:?}");
    assert_eq!(persons(&*following_each_append.read().await), replayed);
    assert_eq!(persons(&*following_at_the_end.read().await), replayed);
}

#[tokio::test]
async fn history_arriving_after_live_records_rebuilds_the_follower_into_the_replay() {
    let (_directory, store) = open().await;
    let follower = load(&store).await;
    let now = Timestamp::now();
    store
        .append(
            vec![visit("QCS", 0, now - SignedDuration::from_mins(1))],
            now,
        )
        .await
        .unwrap();
    follower.catch_up(&store).await.unwrap();
    // Recorded a month ago, imported now: history, placed before the live record.
    store
        .append(
            vec![visit("NCS", 1, now - SignedDuration::from_hours(24 * 30))],
            now,
        )
        .await
        .unwrap();
    follower.catch_up(&store).await.unwrap();
    let replayed = load(&store).await;

    let live = follower.read().await;
    let replayed = replayed.read().await;
    assert_eq!(persons(&live), persons(&replayed));
    // The history came first in both: the child is named after the NCS record.
    let child = replayed.person_of_record(&replayed.events()[0].record_id(0));
    assert_eq!(replayed.events()[0].event.agency.as_str(), "NCS");
    assert_eq!(
        live.events().iter().map(|e| e.id).collect::<Vec<_>>(),
        replayed.events().iter().map(|e| e.id).collect::<Vec<_>>()
    );
    assert_eq!(live.person_of_record(&live.events()[0].record_id(0)), child);
}

#[tokio::test]
async fn a_past_moment_is_the_replay_and_is_built_once_until_its_entries_change() {
    let (_directory, store) = open().await;
    let casework = load(&store).await;
    let now = Timestamp::now();
    let minutes = |m: i64| now - SignedDuration::from_mins(m);
    for (index, (agency, recorded_at)) in [
        ("QCS", minutes(40)),
        ("NCS", minutes(20)),
        ("QHV", minutes(5)),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .append(vec![visit(agency, index, recorded_at)], now)
            .await
            .unwrap();
    }
    let model = LinkageModel::default_model;
    let replay = |at| vigil_pipeline::replay(&store, model(), RulesConfig::default(), Some(at));
    let same = |kept: &Casebook, replayed: &Casebook| {
        assert_eq!(kept.events().len(), replayed.events().len());
        assert_eq!(persons(kept), persons(replayed));
        assert_eq!(kept.now(), replayed.now());
        assert_eq!(kept.alerts().all(), replayed.alerts().all());
    };

    // Stepping forward from a kept moment takes only what came after it.
    let at_thirty = casework.as_at(&store, minutes(30)).await.unwrap();
    assert_eq!(at_thirty.events().len(), 1);
    same(&at_thirty, &replay(minutes(30)).await.unwrap());
    let at_fifteen = casework.as_at(&store, minutes(15)).await.unwrap();
    assert_eq!(at_fifteen.events().len(), 2);
    same(&at_fifteen, &replay(minutes(15)).await.unwrap());
    assert_eq!(casework.past_records_kept(), 2);
    // Another moment with the same entries reuses the casebook, with its own clock.
    let at_ten = casework.as_at(&store, minutes(10)).await.unwrap();
    same(&at_ten, &replay(minutes(10)).await.unwrap());
    assert_eq!(casework.past_records_kept(), 2);
    assert_eq!(at_ten.now(), minutes(10));

    // History (stamped hours before it was stored) is placed when it was recorded, so
    // it changes what was known at that moment.
    store
        .append(vec![visit("QCS", 9, minutes(180))], now)
        .await
        .unwrap();
    let again = casework.as_at(&store, minutes(10)).await.unwrap();
    assert_eq!(again.events().len(), 3);
    same(&again, &replay(minutes(10)).await.unwrap());
    assert_eq!(casework.past_records_kept(), 3);
}
