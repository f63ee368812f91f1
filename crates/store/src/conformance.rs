//! The conformance suite: the behaviour every [`EventStore`] must have, written once
//! and run against each backend by [`conformance_tests!`](crate::conformance_tests).
//! A backend passes when every case passes on a fresh, migrated, empty store.

use jiff::Timestamp;
use serde_json::json;
use vigil_domain::{AgencyCode, EventId, Limits, NewEvent, parse_event};

use crate::{Appended, EventStore, Page, StoreError};

/// Runs each named case as its own test. `$make` is an expression of type
/// `impl Future<Output = Option<(S, impl Future<Output = ()>)>>`: a fresh store and what
/// to do afterwards (drop a schema), or `None` to skip (no database configured).
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@cases $make;
            append_then_read,
            stated_recorded_at_is_kept,
            repeat_of_a_stored_record_returns_the_original,
            changed_record_under_a_stored_key_is_a_conflict,
            batch_is_atomic,
            repeats_within_a_batch,
            corrections_supersede,
            corrections_are_checked,
            listings_by_reference_and_agency_in_log_order,
            identity_records_are_kept_as_recorded,
            the_log_reads_in_order,
            concurrent_appends_of_one_record_store_it_once,
            a_failed_append_does_not_spoil_concurrent_ones,
            alert_actions_are_kept_in_order,
            derivations_are_kept_once_and_in_order,
            audit_entries_are_chained_in_order,
            concurrent_audit_appends_keep_one_chain,
            the_audit_about_one_child_is_read_alone,
            accounts_and_keys_are_kept_and_keys_revoked_by_a_new_row,
            accounts_are_disabled_and_enabled_by_new_rows,
            break_glass_openings_and_reviews_are_kept,
            linkage_decisions_are_kept_in_order,
            front_door_decisions_are_kept_in_order,
            webhook_subscriptions_are_revoked_by_a_new_row,
            webhook_deliveries_are_queued_once_per_subscription_and_subject,
            webhook_tries_are_claimed_once_and_a_delivery_is_disclosed
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((store, cleanup)) = $make.await else {
                    eprintln!("skipped: no database configured for this backend");
                    return;
                };
                $crate::conformance::$case(store).await;
                cleanup.await;
            }
        )*
    };
}

fn now() -> Timestamp {
    Timestamp::now()
}

/// A realistic event: a home visit about a fictional child and mother.
pub fn visit(agency: &str, source_id: &str, child_reference: &str, summary: &str) -> NewEvent {
    let value = json!({
        "kind": "home_visit",
        "agency": agency,
        "source_system": "CASE-SYS",
        "source_id": source_id,
        "occurred_at": "2024-05-03T10:15",
        "recorded_by": { "name": "Ivo QUARTERMAINE", "role": "social worker" },
        "summary": summary,
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "2023-03-10",
              "nhs_number": "999 210 0311", "agency_reference": child_reference,
              "addresses": ["12 Quill Lane, Testwick QA1 1AA"] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother",
              "agency_reference": format!("{child_reference}-M") }
        ],
        "details": { "outcome": "child_seen", "announced": false }
    });
    parse_event(&value, "", now(), &Limits::default()).expect("the test event is valid")
}

fn correction(original: &NewEvent, source_id: &str, target: EventId, summary: &str) -> NewEvent {
    let mut event = original.clone();
    event.source_id = source_id.to_string();
    event.supersedes = Some(target);
    event.summary = Some(summary.to_string());
    // Sent as an agency would send it, so that its content hash is its own.
    let value = serde_json::to_value(&event).expect("events serialise");
    parse_event(&value, "", now(), &Limits::default()).expect("the correction is valid")
}

fn created(outcome: &Appended) -> EventId {
    match outcome {
        Appended::Created { id, .. } => *id,
        other => panic!("expected Created, got {other:?}"),
    }
}

async fn count<S: EventStore>(store: &S) -> u64 {
    store.event_count().await.unwrap()
}

pub async fn append_then_read<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen in the garden.");
    let ingested = Timestamp::from_microsecond(now().as_microsecond()).unwrap();
    let outcomes = store.append(vec![event.clone()], ingested).await.unwrap();
    let id = created(&outcomes[0]);
    let stored = store.event(id).await.unwrap().expect("stored");
    assert_eq!(stored.id, id);
    assert_eq!(stored.event, event);
    assert_eq!(stored.recorded_at, ingested);
    assert_eq!(stored.ingested_at, ingested);
    assert_eq!(stored.content_hash, event.content_hash);
    assert_eq!(stored.superseded_by, None);
    assert_eq!(stored.identity_records.len(), 2);
    assert!(stored.sequence > 0);
    assert_eq!(
        store
            .event_by_source(&event.source_key())
            .await
            .unwrap()
            .map(|e| e.id),
        Some(id)
    );
    assert_eq!(store.event(EventId::new()).await.unwrap(), None);
    assert_eq!(count(&store).await, 1);
    store.ping().await.unwrap();
}

pub async fn stated_recorded_at_is_kept<S: EventStore>(store: S) {
    let mut event = visit("NCS", "V-1", "CH-1", "Historic record.");
    let stated: Timestamp = "2024-05-04T09:00:00Z".parse().unwrap();
    event.recorded_at = Some(stated);
    let outcomes = store.append(vec![event], now()).await.unwrap();
    let stored = store.event(outcomes[0].id()).await.unwrap().unwrap();
    assert_eq!(stored.recorded_at, stated);
    assert!(stored.ingested_at > stated);
}

pub async fn repeat_of_a_stored_record_returns_the_original<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen.");
    let first = store.append(vec![event.clone()], now()).await.unwrap();
    let again = store.append(vec![event], now()).await.unwrap();
    assert_eq!(again, vec![Appended::AlreadyStored { id: first[0].id() }]);
    assert_eq!(count(&store).await, 1);
}

pub async fn changed_record_under_a_stored_key_is_a_conflict<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen.");
    let first = store.append(vec![event], now()).await.unwrap();
    let changed = visit("NCS", "V-1", "CH-1", "Not seen.");
    let error = store
        .append(vec![changed.clone()], now())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        StoreError::Conflict {
            index: 0,
            key: changed.source_key(),
            existing: first[0].id()
        }
    );
    assert_eq!(count(&store).await, 1);
}

pub async fn batch_is_atomic<S: EventStore>(store: S) {
    store
        .append(vec![visit("NCS", "V-1", "CH-1", "Seen.")], now())
        .await
        .unwrap();
    let batch = vec![
        visit("NCS", "V-2", "CH-1", "Seen."),
        visit("NCS", "V-3", "CH-1", "Seen."),
        visit("NCS", "V-1", "CH-1", "Changed."),
        visit("NCS", "V-4", "CH-1", "Seen."),
    ];
    let error = store.append(batch, now()).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Conflict { index: 2, .. }),
        "{error:?}"
    );
    assert_eq!(
        count(&store).await,
        1,
        "nothing of a failed batch is stored"
    );
    let source = visit("NCS", "V-2", "CH-1", "Seen.").source_key();
    assert_eq!(store.event_by_source(&source).await.unwrap(), None);
}

pub async fn repeats_within_a_batch<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen.");
    let outcomes = store
        .append(vec![event.clone(), event.clone()], now())
        .await
        .unwrap();
    let id = created(&outcomes[0]);
    assert_eq!(outcomes[1], Appended::AlreadyStored { id });
    assert_eq!(count(&store).await, 1);
    let error = store
        .append(
            vec![
                visit("NCS", "V-2", "CH-1", "a"),
                visit("NCS", "V-2", "CH-1", "b"),
            ],
            now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::DifferentRepeatInBatch {
                index: 1,
                earlier: 0,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(count(&store).await, 1);
}

pub async fn corrections_supersede<S: EventStore>(store: S) {
    let original = visit("NCS", "V-1", "CH-1", "Child not seen.");
    let first = store.append(vec![original.clone()], now()).await.unwrap();
    let original_id = first[0].id();
    let fix = correction(
        &original,
        "V-1-fix",
        original_id,
        "Child seen alone in bedroom.",
    );
    let second = store.append(vec![fix], now()).await.unwrap();
    let fix_id = created(&second[0]);
    let old = store.event(original_id).await.unwrap().unwrap();
    assert_eq!(
        old.superseded_by,
        Some(fix_id),
        "the original stays, marked superseded"
    );
    assert_eq!(old.event, original, "the original is unchanged");
    let agency = AgencyCode::parse("NCS").unwrap();
    let current: Vec<EventId> = store
        .events_for_reference(&agency, "CH-1", false, Page::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(current, vec![fix_id]);
    let history: Vec<EventId> = store
        .events_for_reference(&agency, "CH-1", true, Page::default())
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(history, vec![original_id, fix_id]);
    let by_agency = store
        .events_by_agency(&agency, false, Page::default())
        .await
        .unwrap();
    assert_eq!(
        by_agency.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![fix_id]
    );
}

pub async fn corrections_are_checked<S: EventStore>(store: S) {
    let original = visit("NCS", "V-1", "CH-1", "Child not seen.");
    let id = store.append(vec![original.clone()], now()).await.unwrap()[0].id();
    let unknown = EventId::new();
    let error = store
        .append(vec![correction(&original, "F-0", unknown, "x")], now())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        StoreError::UnknownSupersedes {
            index: 0,
            target: unknown
        }
    );

    let mut other_agency = correction(&original, "F-1", id, "x");
    other_agency.agency = AgencyCode::parse("NBP").unwrap();
    let error = store.append(vec![other_agency], now()).await.unwrap_err();
    assert!(
        matches!(error, StoreError::SupersedesOtherAgency { index: 0, .. }),
        "{error:?}"
    );

    let twice = vec![
        correction(&original, "F-2", id, "a"),
        correction(&original, "F-3", id, "b"),
    ];
    let error = store.append(twice, now()).await.unwrap_err();
    assert!(
        matches!(error, StoreError::AlreadySuperseded { index: 1, .. }),
        "{error:?}"
    );
    assert_eq!(count(&store).await, 1);

    let fix_id = store
        .append(vec![correction(&original, "F-4", id, "a")], now())
        .await
        .unwrap()[0]
        .id();
    let error = store
        .append(vec![correction(&original, "F-5", id, "b")], now())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        StoreError::AlreadySuperseded {
            index: 0,
            target: id,
            by: fix_id
        }
    );
    assert_eq!(count(&store).await, 2);
}

pub async fn listings_by_reference_and_agency_in_log_order<S: EventStore>(store: S) {
    let mut ids = Vec::new();
    for number in 0..5 {
        let event = visit("NCS", &format!("V-{number}"), "CH-1", "Seen.");
        ids.push(store.append(vec![event], now()).await.unwrap()[0].id());
    }
    store
        .append(vec![visit("NCS", "OTHER", "CH-2", "Seen.")], now())
        .await
        .unwrap();
    store
        .append(vec![visit("NBP", "P-1", "CH-1", "Seen.")], now())
        .await
        .unwrap();
    let ncs = AgencyCode::parse("NCS").unwrap();

    let first_page = store
        .events_for_reference(&ncs, "CH-1", false, Page { after: 0, limit: 3 })
        .await
        .unwrap();
    assert_eq!(
        first_page.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[..3]
    );
    let next = Page {
        after: first_page.last().unwrap().sequence,
        limit: 3,
    };
    let second_page = store
        .events_for_reference(&ncs, "CH-1", false, next)
        .await
        .unwrap();
    assert_eq!(
        second_page.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[3..]
    );
    // The mother's reference finds the same events.
    assert_eq!(
        store
            .events_for_reference(&ncs, "CH-1-M", false, Page::default())
            .await
            .unwrap()
            .len(),
        5
    );
    assert!(
        store
            .events_for_reference(&ncs, "nobody", false, Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    let all_ncs = store
        .events_by_agency(&ncs, false, Page::default())
        .await
        .unwrap();
    assert_eq!(all_ncs.len(), 6);
    assert!(
        all_ncs
            .windows(2)
            .all(|pair| pair[0].sequence < pair[1].sequence)
    );
    let nbp = AgencyCode::parse("NBP").unwrap();
    assert_eq!(
        store
            .events_by_agency(&nbp, false, Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn identity_records_are_kept_as_recorded<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen.");
    let id = store.append(vec![event.clone()], now()).await.unwrap()[0].id();
    let stored = store.event(id).await.unwrap().unwrap();
    for (position, record_id) in stored.identity_records.iter().enumerate() {
        let record = store
            .identity_record(*record_id)
            .await
            .unwrap()
            .expect("identity record");
        assert_eq!(record.id, *record_id);
        assert_eq!(record.event_id, id);
        assert_eq!(record.agency.as_str(), "NCS");
        assert_eq!(record.person, event.people[position]);
        assert_eq!(record.recorded_at, stored.recorded_at);
    }
    assert_eq!(
        store
            .identity_record(crate::IdentityRecordId::new())
            .await
            .unwrap(),
        None
    );
}

pub async fn the_log_reads_in_order<S: EventStore>(store: S) {
    let batch: Vec<NewEvent> = (0..30)
        .map(|n| visit("NCS", &format!("V-{n}"), "CH-1", "Seen."))
        .collect();
    let outcomes = store.append(batch, now()).await.unwrap();
    let mut read = Vec::new();
    let mut page = Page { after: 0, limit: 7 };
    loop {
        let events = store.events_after(page).await.unwrap();
        let Some(last) = events.last() else { break };
        page.after = last.sequence;
        read.extend(events.iter().map(|e| e.id));
    }
    assert_eq!(read, outcomes.iter().map(Appended::id).collect::<Vec<_>>());
}

pub async fn concurrent_appends_of_one_record_store_it_once<S: EventStore>(store: S) {
    let event = visit("NCS", "V-1", "CH-1", "Seen.");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let event = event.clone();
        tasks.push(tokio::spawn(async move {
            store.append(vec![event], now()).await
        }));
    }
    let mut ids = Vec::new();
    let mut created_count = 0;
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        if matches!(outcome[0], Appended::Created { .. }) {
            created_count += 1;
        }
        ids.push(outcome[0].id());
    }
    assert_eq!(created_count, 1, "exactly one append creates the event");
    assert!(
        ids.windows(2).all(|pair| pair[0] == pair[1]),
        "every append names the same event"
    );
    assert_eq!(count(&store).await, 1);
}

pub async fn a_failed_append_does_not_spoil_concurrent_ones<S: EventStore>(store: S) {
    store
        .append(vec![visit("NCS", "TAKEN", "CH-1", "Seen.")], now())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for number in 0..40 {
        let store = store.clone();
        // Every fourth append is a changed record under a taken key, so it must fail.
        let event = if number % 4 == 0 {
            visit("NCS", "TAKEN", "CH-1", &format!("changed {number}"))
        } else {
            visit("NCS", &format!("V-{number}"), "CH-1", "Seen.")
        };
        tasks.push(tokio::spawn(async move {
            (number, store.append(vec![event], now()).await)
        }));
    }
    for task in tasks {
        let (number, result) = task.await.unwrap();
        if number % 4 == 0 {
            assert!(
                matches!(result, Err(StoreError::Conflict { .. })),
                "{number}: {result:?}"
            );
        } else {
            assert!(
                matches!(result.as_deref(), Ok([Appended::Created { .. }])),
                "{number}: {result:?}"
            );
        }
    }
    assert_eq!(count(&store).await, 31);
}

/// A key worker's acknowledgement of an alert.
fn acknowledgement() -> crate::AlertAction {
    crate::AlertAction {
        id: uuid::Uuid::now_v7(),
        alert: "repeat-injury.0.1".into(),
        action: crate::AlertActionKind::Acknowledge,
        by: "a key worker".into(),
        reason: "visiting today".into(),
        signed_off_by: None,
        at: "2024-05-03T10:00:00Z".parse().unwrap(),
    }
}

pub async fn alert_actions_are_kept_in_order<S: EventStore>(store: S) {
    use crate::{AlertAction, AlertActionKind};
    let first = acknowledgement();
    let second = AlertAction {
        id: uuid::Uuid::now_v7(),
        action: AlertActionKind::Close,
        reason: "seen; plan updated".into(),
        signed_off_by: Some("a team manager".into()),
        ..first.clone()
    };
    let a = store.record_alert_action(&first).await.unwrap();
    let b = store.record_alert_action(&second).await.unwrap();
    assert!(b > a);
    let read = store
        .alert_actions_after(Page {
            after: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].action, first);
    assert_eq!(read[1].action, second);
    let after_first = store
        .alert_actions_after(Page {
            after: a,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(after_first.len(), 1);
    // The same action twice is refused: an action is recorded once.
    assert!(store.record_alert_action(&first).await.is_err());
}

pub async fn front_door_decisions_are_kept_in_order<S: EventStore>(store: S) {
    use crate::FrontDoorEntry;
    let first = FrontDoorEntry {
        id: uuid::Uuid::now_v7(),
        item: "alert:repeat-injury.0.1".into(),
        by_id: "mash.one".into(),
        at: "2024-05-03T10:00:00Z".parse().unwrap(),
        body: json!({ "outcome": "strategy_discussion", "rationale": "two injuries in a week" }),
    };
    let second = FrontDoorEntry {
        id: uuid::Uuid::now_v7(),
        item: "referral:0190a0b0-0000-7000-8000-000000000001".into(),
        at: "2024-05-03T10:05:00Z".parse().unwrap(),
        body: json!({ "outcome": "early_help", "rationale": "family asked for support" }),
        ..first.clone()
    };
    let a = store.record_front_door_decision(&first).await.unwrap();
    let b = store.record_front_door_decision(&second).await.unwrap();
    assert!(b > a);
    let read = store
        .front_door_decisions_after(Page {
            after: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].entry, first);
    assert_eq!(read[1].entry, second);
    let after_first = store
        .front_door_decisions_after(Page {
            after: a,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(after_first.len(), 1);
    assert_eq!(after_first[0].sequence, b);
    // The same decision twice is refused: a decision is recorded once.
    assert!(store.record_front_door_decision(&first).await.is_err());
}

pub async fn derivations_are_kept_once_and_in_order<S: EventStore>(store: S) {
    use crate::NewDerivation;
    let entry = |key: &str, kind: &str, minute: u32| NewDerivation {
        key: key.to_string(),
        kind: kind.to_string(),
        at: format!("2024-05-03T10:{minute:02}:00Z").parse().unwrap(),
        body: json!({ "kind": kind, "alert": "repeat-injury.0.1", "minute": minute }),
    };
    let stored_at: Timestamp = "2024-05-03T11:00:00Z".parse().unwrap();
    let first = vec![
        entry("k1", "alert_raised", 1),
        entry("k2", "alert_updated", 2),
    ];
    assert_eq!(
        store.record_derivations(&first, stored_at).await.unwrap(),
        2
    );
    // A replay reaching the same conclusions again, and one new: only the new is kept.
    let again = vec![
        entry("k1", "alert_raised", 1),
        entry("k3", "agency_notified", 3),
        entry("k2", "alert_updated", 2),
    ];
    assert_eq!(
        store.record_derivations(&again, stored_at).await.unwrap(),
        1
    );
    assert_eq!(store.record_derivations(&[], stored_at).await.unwrap(), 0);
    let read = store
        .derivations_after(Page {
            after: 0,
            limit: 10,
        })
        .await
        .unwrap();
    let keys: Vec<&str> = read.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(keys, ["k1", "k2", "k3"]);
    assert_eq!(read[2].kind, "agency_notified");
    assert_eq!(read[2].at, entry("k3", "agency_notified", 3).at);
    assert_eq!(read[2].stored_at, stored_at);
    assert_eq!(read[2].body, entry("k3", "agency_notified", 3).body);
    assert!(read[0].sequence < read[1].sequence && read[1].sequence < read[2].sequence);
    let rest = store
        .derivations_after(Page {
            after: read[0].sequence,
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].key, "k2");
}

/// Puts one entry in the alert-actions log and one in the derivations log, for tests of
/// the triggers that keep them append-only.
pub async fn one_of_each_log<S: EventStore>(store: &S) {
    use crate::NewDerivation;
    let action = acknowledgement();
    let at = action.at;
    store.record_alert_action(&action).await.unwrap();
    let entry = NewDerivation {
        key: "k1".into(),
        kind: "alert_raised".into(),
        at,
        body: json!({ "kind": "alert_raised" }),
    };
    store.record_derivations(&[entry], at).await.unwrap();
    store.append_audit(vec![audit_entry(1)]).await.unwrap();
    let opened = opening("ana", "child-1", "2024-05-03T10:00:00Z");
    store.record_break_glass(&opened).await.unwrap();
    store
        .record_break_glass_review(&review_of(
            &opened,
            vigil_access::ReviewOutcome::Justified,
            "2024-05-04T10:00:00Z",
        ))
        .await
        .unwrap();
    store
        .record_linkage_decision(&linkage_decision(
            "e1.0",
            "e2.0",
            crate::LinkageDecisionKind::KeepApart,
            1,
        ))
        .await
        .unwrap();
    let hook = subscription("QAH", "2024-05-01T09:00:00Z");
    store.add_webhook_subscription(&hook).await.unwrap();
    let queued = delivery(hook.id, "k1", "child-1");
    store
        .queue_webhook_deliveries(std::slice::from_ref(&queued))
        .await
        .unwrap();
    store
        .claim_webhook_attempt(&crate::AttemptClaim {
            delivery: queued.id,
            number: 1,
            started_at: at,
        })
        .await
        .unwrap();
    store
        .record_webhook_attempt(
            &crate::AttemptResult {
                delivery: queued.id,
                number: 1,
                finished_at: at,
                status: Some(200),
                error: None,
                delivered: true,
                gave_up: false,
            },
            Some(&crate::Disclosure {
                id: uuid::Uuid::now_v7(),
                recipient: hook.agency.clone(),
                subscription: Some(hook.id),
                delivery: Some(queued.id),
                channel: "webhook".into(),
                child: queued.child.clone(),
                alert: None,
                what: "alert_raised".into(),
                lawful_basis: hook.lawful_basis.clone(),
                at,
            }),
        )
        .await
        .unwrap();
    store
        .replay_webhook_delivery(&crate::DeliveryReplay {
            id: uuid::Uuid::now_v7(),
            delivery: queued.id,
            after_attempt: 1,
            by: "admin-1".into(),
            at,
        })
        .await
        .unwrap();
    store
        .revoke_webhook_subscription(&crate::SubscriptionRevocation {
            subscription: hook.id,
            revoked_by: "admin-1".into(),
            reason: "ended".into(),
            at,
        })
        .await
        .unwrap();
    let account = some_account("logged.person", at);
    store.add_account(&account).await.unwrap();
    store
        .record_account_change(&account_change(
            "logged.person",
            vigil_access::AccountChangeKind::Disabled,
            at,
        ))
        .await
        .unwrap();
}

fn some_account(user_name: &str, at: Timestamp) -> crate::Account {
    crate::Account {
        user_name: user_name.into(),
        display_name: format!("{user_name} (health visitor)"),
        role: vigil_access::Role::Practitioner,
        agency: Some(AgencyCode::parse("QAH").unwrap()),
        team: Some("Health visiting north".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at,
        created_by: "admin".into(),
    }
}

fn account_change(
    user_name: &str,
    change: vigil_access::AccountChangeKind,
    at: Timestamp,
) -> crate::AccountChange {
    crate::AccountChange {
        user_name: user_name.into(),
        change,
        reason: format!("{change} <b>by</b> 'test'; DROP TABLE accounts; --"),
        at,
        by: "admin-1".into(),
    }
}

/// An account is disabled and enabled by rows of the account-change log, read back
/// oldest first; the list of accounts carries each one's latest change; a change to an
/// unknown account is refused by the database; a key keeps its owner.
pub async fn accounts_are_disabled_and_enabled_by_new_rows<S: EventStore>(store: S) {
    use vigil_access::{AccountChangeKind::*, AccountStatus};
    let at = Timestamp::from_second(1_700_000_000).unwrap();
    for name in ["ana.quill", "ben.ash"] {
        assert!(store.add_account(&some_account(name, at)).await.unwrap());
    }
    assert!(store.account_changes("ana.quill").await.unwrap().is_empty());
    let later = |hours| at + jiff::SignedDuration::from_hours(hours);
    let disabled = account_change("ana.quill", Disabled, later(1));
    let enabled = account_change("ana.quill", Enabled, later(2));
    store.record_account_change(&disabled).await.unwrap();
    let stored = store.accounts().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].account, some_account("ana.quill", at));
    assert_eq!(stored[0].latest_change, Some(disabled.clone()));
    assert_eq!(stored[0].status(), AccountStatus::Disabled);
    assert_eq!(stored[1].status(), AccountStatus::Active);
    store.record_account_change(&enabled).await.unwrap();
    let changes = store.account_changes("ana.quill").await.unwrap();
    assert_eq!(changes, [disabled, enabled.clone()]);
    assert_eq!(
        crate::accounts::status_after(&changes),
        AccountStatus::Active
    );
    assert_eq!(
        store.accounts().await.unwrap()[0].latest_change,
        Some(enabled)
    );
    assert!(
        store
            .record_account_change(&account_change("nobody", Disabled, later(3)))
            .await
            .is_err(),
        "a change to an unknown account is refused"
    );
    assert!(store.account_changes("nobody").await.unwrap().is_empty());

    let owner = store.account("ben.ash").await.unwrap().unwrap();
    let (key, _) =
        crate::accounts::issue_owned_api_key(&store, &owner, "Ben's script", None, "admin")
            .await
            .unwrap();
    let stored = store.api_key(&key.id).await.unwrap().unwrap();
    assert_eq!(stored.key.owner.as_deref(), Some("ben.ash"));
    assert_eq!(stored.key.role, owner.role);
    assert_eq!(stored.key.agency, owner.agency);
}

/// A read of a child's record, as the web layer would audit it.
pub fn audit_entry(number: u32) -> crate::NewAuditEntry {
    crate::NewAuditEntry {
        at: Timestamp::from_nanosecond(
            1_714_730_400_000_000_789 + i128::from(number) * 1_000_000_000,
        )
        .unwrap(),
        actor_id: format!("worker-{number}"),
        actor_role: Some("practitioner".into()),
        actor_agency: Some("NCS".into()),
        action: "GET /api/v1/children/{id}".into(),
        path: format!("/api/v1/children/child-{number}"),
        resource: Some(format!("child:child-{number}")),
        purpose: if number.is_multiple_of(2) {
            Some("planning a visit: 'quotes', \"é\"".into())
        } else {
            None
        },
        status: 200,
        allowed: !number.is_multiple_of(3),
        request_id: Some(format!("request-{number}")),
    }
}

/// Reads the whole audit log, a small page at a time.
pub async fn whole_audit_log<S: EventStore>(store: &S) -> Vec<crate::AuditEntry> {
    let mut entries = Vec::new();
    loop {
        let after = entries
            .last()
            .map_or(0, |entry: &crate::AuditEntry| entry.sequence);
        let page = store.audit_after(Page { after, limit: 3 }).await.unwrap();
        if page.is_empty() {
            return entries;
        }
        entries.extend(page);
    }
}

pub async fn audit_entries_are_chained_in_order<S: EventStore>(store: S) {
    assert!(store.audit_after(Page::default()).await.unwrap().is_empty());
    store.append_audit(vec![audit_entry(1)]).await.unwrap();
    store
        .append_audit((2..=7).map(audit_entry).collect())
        .await
        .unwrap();
    store.append_audit(Vec::new()).await.unwrap();
    let entries = whole_audit_log(&store).await;
    let sequences: Vec<i64> = entries.iter().map(|entry| entry.sequence).collect();
    assert_eq!(sequences, (1..=7).collect::<Vec<_>>());
    assert_eq!(entries[0].previous_hash, crate::audit::GENESIS_HASH);
    for (entry, number) in entries.iter().zip(1..) {
        let mut expected = audit_entry(number);
        expected.at = Timestamp::from_microsecond(expected.at.as_microsecond()).unwrap();
        assert_eq!(
            entry.entry, expected,
            "entry {number} reads back as written"
        );
    }
    assert_eq!(crate::verify_chain(&entries), Ok(7));
    let page = store
        .audit_after(Page {
            after: 5,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].sequence, 6);
}

pub async fn the_audit_about_one_child_is_read_alone<S: EventStore>(store: S) {
    let about = |number: u32, child: &str| {
        let mut entry = audit_entry(number);
        entry.resource = Some(format!("child:{child}"));
        entry
    };
    store
        .append_audit(vec![
            about(1, "a"),
            about(2, "b"),
            about(3, "a"),
            audit_entry(4),
            about(5, "a"),
        ])
        .await
        .unwrap();
    let all = store.audit_about("child:a", Page::default()).await.unwrap();
    let sequences: Vec<i64> = all.iter().map(|entry| entry.sequence).collect();
    assert_eq!(sequences, [1, 3, 5]);
    assert_eq!(all[1].entry.actor_id, "worker-3");
    let next = store
        .audit_about("child:a", Page { after: 1, limit: 1 })
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].sequence, 3);
    assert!(
        store
            .audit_about("child:nobody", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn concurrent_audit_appends_keep_one_chain<S: EventStore>(store: S) {
    let mut tasks = Vec::new();
    for number in 0..20u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(vec![audit_entry(number * 2), audit_entry(number * 2 + 1)])
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let entries = whole_audit_log(&store).await;
    assert_eq!(entries.len(), 40);
    assert_eq!(crate::verify_chain(&entries), Ok(40));
}

/// Writes five audit entries, in three appends, for a tampering test.
pub async fn five_audit_entries<S: EventStore>(store: &S) {
    store.append_audit(vec![audit_entry(1)]).await.unwrap();
    store
        .append_audit(vec![audit_entry(2), audit_entry(3)])
        .await
        .unwrap();
    store
        .append_audit(vec![audit_entry(4), audit_entry(5)])
        .await
        .unwrap();
}

/// Edits made to the audit table behind Vigil's back (after its triggers are dropped
/// or disabled), in SQL both backends speak, with what the verifier must say: the kind
/// of break and the entry it names. Each starts from [`five_audit_entries`].
pub const AUDIT_TAMPERING: &[(&str, &[&str], &str, i64)] = &[
    (
        "a purpose rewritten",
        &["UPDATE audit SET purpose = 'routine check' WHERE sequence = 3"],
        "changed",
        3,
    ),
    (
        "a refusal turned into an allowed read",
        &["UPDATE audit SET allowed = (1 = 1), status = 200 WHERE sequence = 3"],
        "changed",
        3,
    ),
    (
        "a read deleted",
        &["DELETE FROM audit WHERE sequence = 2"],
        "removed",
        2,
    ),
    (
        "a copied entry added at the end",
        &[
            "INSERT INTO audit (sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash) \
             SELECT 6, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             'a purpose never given', status, allowed, request_id, previous_hash, hash FROM audit WHERE sequence = 2",
        ],
        "inserted",
        6,
    ),
    (
        "an entry slipped in between, the rest renumbered",
        &[
            "UPDATE audit SET sequence = sequence + 100 WHERE sequence >= 3",
            "UPDATE audit SET sequence = sequence - 99 WHERE sequence >= 100",
            "INSERT INTO audit (sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash) \
             SELECT 3, at_us, 'someone else', actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash FROM audit WHERE sequence = 2",
        ],
        "inserted",
        3,
    ),
];

/// What the verifier says of the whole audit log: `Ok(entries)` or the kind of break and
/// the entry it names.
pub async fn verify_audit_log<S: EventStore>(store: &S) -> Result<usize, (&'static str, i64)> {
    crate::verify_chain(&whole_audit_log(store).await)
        .map_err(|broken| (broken.kind(), broken.sequence()))
}

/// Accounts and keys read back as written; a user name is taken once; a revocation is
/// kept once and shows on the key.
pub async fn accounts_and_keys_are_kept_and_keys_revoked_by_a_new_row<S: EventStore>(store: S) {
    use crate::{Account, ApiKey, KeyRevocation};
    use vigil_access::Role;
    let at = Timestamp::from_second(1_700_000_000).unwrap();
    let account = Account {
        user_name: "ana.quill".into(),
        display_name: "Ana Quill (health visitor)".into(),
        role: Role::Practitioner,
        agency: Some(AgencyCode::parse("QAH").unwrap()),
        team: Some("Health visiting north".into()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: at,
        created_by: "admin".into(),
    };
    assert!(store.add_account(&account).await.unwrap());
    let mut namesake = account.clone();
    namesake.display_name = "Someone else".into();
    assert!(
        !store.add_account(&namesake).await.unwrap(),
        "a user name is taken once"
    );
    assert_eq!(store.account("ana.quill").await.unwrap(), Some(account));
    assert_eq!(store.account("nobody").await.unwrap(), None);

    let key = |id: &str, expires_at| ApiKey {
        id: id.into(),
        name: format!("key {id}"),
        secret_hash: "ab".repeat(32),
        role: Role::IntegrationClient,
        agency: Some(AgencyCode::parse("QAH").unwrap()),
        expires_at,
        created_at: at,
        created_by: "admin".into(),
        owner: None,
    };
    store
        .add_api_key(&key("00000000000000a1", None))
        .await
        .unwrap();
    store
        .add_api_key(&key(
            "00000000000000b2",
            Some(at + jiff::SignedDuration::from_hours(24)),
        ))
        .await
        .unwrap();
    let stored = store.api_key("00000000000000b2").await.unwrap().unwrap();
    assert_eq!(
        stored.key,
        key(
            "00000000000000b2",
            Some(at + jiff::SignedDuration::from_hours(24))
        )
    );
    assert!(stored.revoked.is_none());
    assert!(stored.is_usable(at));
    assert!(!stored.is_usable(at + jiff::SignedDuration::from_hours(25)));
    assert_eq!(store.api_key("ffffffffffffffff").await.unwrap(), None);

    let revocation = KeyRevocation {
        key_id: "00000000000000a1".into(),
        revoked_at: at,
        revoked_by: "admin".into(),
    };
    assert!(store.revoke_api_key(&revocation).await.unwrap());
    let again = KeyRevocation {
        revoked_by: "someone".into(),
        ..revocation.clone()
    };
    assert!(
        !store.revoke_api_key(&again).await.unwrap(),
        "the first revocation stands"
    );
    let keys = store.api_keys().await.unwrap();
    let ids: Vec<&str> = keys.iter().map(|k| k.key.id.as_str()).collect();
    assert_eq!(ids, ["00000000000000a1", "00000000000000b2"]);
    assert_eq!(keys[0].revoked, Some(revocation));
    assert!(!keys[0].is_usable(at));
    assert!(keys[1].revoked.is_none());
}

fn opening(principal: &str, child: &str, opened: &str) -> crate::BreakGlassOpening {
    let opened_at: Timestamp = opened.parse().unwrap();
    crate::BreakGlassOpening {
        id: uuid::Uuid::now_v7(),
        principal_id: principal.to_string(),
        display_name: "Ana Quill (health visitor)".into(),
        role: vigil_access::Role::Practitioner,
        agency: Some(AgencyCode::parse("NHS-A").unwrap()),
        child: child.to_string(),
        reason: "Child brought to A&E unconscious; 'mother' says \"fell\"".into(),
        opened_at,
        expires_at: vigil_access::break_glass::expires_at(
            opened_at,
            vigil_access::break_glass::OpeningLasts::default(),
        ),
    }
}

fn review_of(
    opening: &crate::BreakGlassOpening,
    outcome: vigil_access::ReviewOutcome,
    at: &str,
) -> crate::BreakGlassReview {
    crate::BreakGlassReview {
        id: uuid::Uuid::now_v7(),
        opening: opening.id,
        reviewer_id: "privacy".into(),
        reviewer_name: "Pat Privacy".into(),
        outcome,
        note: "checked with the ward".into(),
        at: at.parse().unwrap(),
    }
}

pub async fn break_glass_openings_and_reviews_are_kept<S: EventStore>(store: S) {
    use vigil_access::ReviewOutcome;
    assert!(store.break_glass_openings().await.unwrap().is_empty());
    assert_eq!(
        store.latest_break_glass("ana", "child-1").await.unwrap(),
        None
    );
    let first = opening("ana", "child-1", "2024-05-03T10:00:00Z");
    let later = opening("ana", "child-1", "2024-05-04T09:00:00Z");
    let other_child = opening("ana", "child-2", "2024-05-05T09:00:00Z");
    let other_person = opening("ben", "child-1", "2024-05-06T09:00:00Z");
    for o in [&first, &later, &other_child, &other_person] {
        store.record_break_glass(o).await.unwrap();
    }
    // The one that expires last, for this person and this child only.
    assert_eq!(
        store.latest_break_glass("ana", "child-1").await.unwrap(),
        Some(later.clone())
    );
    assert_eq!(
        store.latest_break_glass("ben", "child-2").await.unwrap(),
        None
    );
    // An opening is recorded once.
    assert!(store.record_break_glass(&first).await.is_err());

    let referred = review_of(&first, ReviewOutcome::Referred, "2024-05-06T10:00:00Z");
    let justified = review_of(&first, ReviewOutcome::Justified, "2024-05-07T10:00:00Z");
    store.record_break_glass_review(&referred).await.unwrap();
    store.record_break_glass_review(&justified).await.unwrap();
    // A review names an opening that exists.
    let mut stray = review_of(&later, ReviewOutcome::NotJustified, "2024-05-07T10:00:00Z");
    stray.opening = uuid::Uuid::now_v7();
    assert!(store.record_break_glass_review(&stray).await.is_err());

    let all = store.break_glass_openings().await.unwrap();
    let ids: Vec<uuid::Uuid> = all.iter().map(|o| o.opening.id).collect();
    assert_eq!(ids, [first.id, later.id, other_child.id, other_person.id]);
    assert_eq!(all[0].opening, first);
    assert_eq!(all[0].reviews, [referred.clone(), justified.clone()]);
    assert!(all[1..].iter().all(|o| !o.is_reviewed()));
    let one = store.break_glass_opening(first.id).await.unwrap().unwrap();
    assert_eq!(one.reviews, [referred, justified]);
    assert_eq!(
        store
            .break_glass_opening(uuid::Uuid::now_v7())
            .await
            .unwrap(),
        None
    );
}

fn linkage_decision(
    left: &str,
    right: &str,
    decision: crate::LinkageDecisionKind,
    minute: u32,
) -> crate::LinkageDecision {
    crate::LinkageDecision {
        id: uuid::Uuid::now_v7(),
        left: left.to_string(),
        right: right.to_string(),
        decision,
        by_id: "mash-1".into(),
        by_name: "Mo Analyst".into(),
        reason: "different dates of birth; the school confirms two children".into(),
        at: format!("2024-05-03T10:{minute:02}:00Z").parse().unwrap(),
    }
}

pub async fn linkage_decisions_are_kept_in_order<S: EventStore>(store: S) {
    use crate::LinkageDecisionKind::{KeepApart, Link};
    let first = linkage_decision("e1.0", "e2.0", KeepApart, 1);
    let second = linkage_decision("e1.1", "e3.0", Link, 2);
    let a = store.record_linkage_decision(&first).await.unwrap();
    let b = store.record_linkage_decision(&second).await.unwrap();
    assert!(b > a);
    let read = store
        .linkage_decisions_after(Page {
            after: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!((read[0].sequence, &read[0].decision), (a, &first));
    assert_eq!((read[1].sequence, &read[1].decision), (b, &second));
    let rest = store
        .linkage_decisions_after(Page {
            after: a,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].decision, second);
    // A decision is recorded once.
    assert!(store.record_linkage_decision(&first).await.is_err());
}

fn subscription(agency: &str, created: &str) -> crate::WebhookSubscription {
    crate::WebhookSubscription {
        id: uuid::Uuid::now_v7(),
        agency: AgencyCode::parse(agency).unwrap(),
        url: "https://hooks.example.invalid/vigil".into(),
        topics: vec![crate::Topic::AlertRaised, crate::Topic::AlertClosed],
        lawful_basis: "Children Act 1989 s.47; UK GDPR art. 6(1)(e)".into(),
        secret: "a-secret-of-the-subscription".into(),
        created_by: "admin-1".into(),
        created_at: created.parse().unwrap(),
    }
}

fn delivery(subscription: uuid::Uuid, subject: &str, child: &str) -> crate::NewDelivery {
    crate::NewDelivery {
        id: uuid::Uuid::now_v7(),
        subscription,
        subject: subject.into(),
        topic: crate::Topic::AlertRaised,
        child: Some(child.into()),
        alert: Some(format!("alert-{subject}")),
        payload: json!({ "topic": "alert_raised", "alert": format!("alert-{subject}") }),
        created_at: "2024-05-03T10:00:00Z".parse().unwrap(),
    }
}

pub async fn webhook_subscriptions_are_revoked_by_a_new_row<S: EventStore>(store: S) {
    let first = subscription("QAH", "2024-05-01T09:00:00Z");
    let second = subscription("NCS", "2024-05-01T09:30:00Z");
    store.add_webhook_subscription(&first).await.unwrap();
    store.add_webhook_subscription(&second).await.unwrap();
    let listed = store.webhook_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].subscription, first, "secret and topics read back");
    assert!(listed[0].revoked.is_none());
    let revocation = crate::SubscriptionRevocation {
        subscription: first.id,
        revoked_by: "admin-2".into(),
        reason: "the agency moved its receiver".into(),
        at: "2024-05-02T09:00:00Z".parse().unwrap(),
    };
    assert!(
        store
            .revoke_webhook_subscription(&revocation)
            .await
            .unwrap()
    );
    let again = crate::SubscriptionRevocation {
        reason: "again".into(),
        ..revocation.clone()
    };
    assert!(
        !store.revoke_webhook_subscription(&again).await.unwrap(),
        "the first revocation stands"
    );
    let listed = store.webhook_subscriptions().await.unwrap();
    assert_eq!(listed[0].revoked.as_ref(), Some(&revocation));
    assert!(listed[0].in_force_at("2024-05-01T12:00:00Z".parse().unwrap()));
    assert!(!listed[0].in_force_at("2024-05-02T12:00:00Z".parse().unwrap()));
    assert!(listed[1].revoked.is_none());
}

pub async fn webhook_deliveries_are_queued_once_per_subscription_and_subject<S: EventStore>(
    store: S,
) {
    let hook = subscription("QAH", "2024-05-01T09:00:00Z");
    let other = subscription("NCS", "2024-05-01T09:00:00Z");
    store.add_webhook_subscription(&hook).await.unwrap();
    store.add_webhook_subscription(&other).await.unwrap();
    let batch = vec![
        delivery(hook.id, "k1", "child-1"),
        delivery(hook.id, "k2", "child-2"),
        delivery(other.id, "k1", "child-1"),
    ];
    assert_eq!(store.queue_webhook_deliveries(&batch).await.unwrap(), 3);
    // Two processes following the same log queue the same things with fresh ids: the
    // store keeps the first of each (subscription, subject), concurrently too.
    let first_process = [
        delivery(hook.id, "k1", "child-1"),
        delivery(hook.id, "k3", "child-3"),
    ];
    let second_process = [
        delivery(hook.id, "k3", "child-3"),
        delivery(other.id, "k2", "child-2"),
    ];
    let (a, b) = tokio::join!(
        store.queue_webhook_deliveries(&first_process),
        store.queue_webhook_deliveries(&second_process),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "k3 once, and other's k2");
    let pending = store.undelivered_webhooks().await.unwrap();
    let subjects: Vec<(uuid::Uuid, &str)> = pending
        .iter()
        .map(|h| (h.delivery.subscription, h.delivery.subject.as_str()))
        .collect();
    assert_eq!(pending.len(), 5, "{subjects:?}");
    assert_eq!(pending[0].delivery, batch[0], "read back as queued");
    assert!(pending.iter().all(|h| h.attempts.is_empty()));
    // A delivery names a subscription that exists.
    assert!(
        store
            .queue_webhook_deliveries(&[delivery(uuid::Uuid::now_v7(), "k9", "child-9")])
            .await
            .is_err()
    );
}

pub async fn webhook_tries_are_claimed_once_and_a_delivery_is_disclosed<S: EventStore>(store: S) {
    use crate::{AttemptClaim, AttemptResult, Backoff, DeliveryState};
    let hook = subscription("QAH", "2024-05-01T09:00:00Z");
    store.add_webhook_subscription(&hook).await.unwrap();
    let queued = delivery(hook.id, "k1", "child-1");
    let other = delivery(hook.id, "k2", "child-2");
    store
        .queue_webhook_deliveries(&[queued.clone(), other.clone()])
        .await
        .unwrap();
    let at = |text: &str| -> Timestamp { text.parse().unwrap() };
    let backoff = Backoff {
        attempts: 2,
        ..Backoff::default()
    };
    let claim = |number, started: &str| AttemptClaim {
        delivery: queued.id,
        number,
        started_at: at(started),
    };
    let failure = |number, finished: &str, gave_up| AttemptResult {
        delivery: queued.id,
        number,
        finished_at: at(finished),
        status: Some(503),
        error: Some("the receiver answered 503 Service Unavailable".into()),
        delivered: false,
        gave_up,
    };
    assert!(
        store
            .claim_webhook_attempt(&claim(1, "2024-05-03T10:00:01Z"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .claim_webhook_attempt(&claim(1, "2024-05-03T10:00:01Z"))
            .await
            .unwrap(),
        "a try is sent by one process only"
    );
    // A result needs its claim.
    assert!(
        store
            .record_webhook_attempt(&failure(7, "2024-05-03T10:00:02Z", false), None)
            .await
            .is_err()
    );
    store
        .record_webhook_attempt(&failure(1, "2024-05-03T10:00:02Z", false), None)
        .await
        .unwrap();
    store
        .claim_webhook_attempt(&claim(2, "2024-05-03T10:00:12Z"))
        .await
        .unwrap();
    store
        .record_webhook_attempt(&failure(2, "2024-05-03T10:00:13Z", true), None)
        .await
        .unwrap();
    let history = store.webhook_delivery(queued.id).await.unwrap().unwrap();
    assert_eq!(history.attempts.len(), 2);
    assert_eq!(
        history.attempts[1].result,
        Some(failure(2, "2024-05-03T10:00:13Z", true))
    );
    assert_eq!(
        history.state(at("2024-05-03T11:00:00Z"), &backoff),
        DeliveryState::DeadLetter {
            since: at("2024-05-03T10:00:13Z")
        }
    );
    let replay = crate::DeliveryReplay {
        id: uuid::Uuid::now_v7(),
        delivery: queued.id,
        after_attempt: 2,
        by: "admin-1".into(),
        at: at("2024-05-03T12:00:00Z"),
    };
    assert!(store.replay_webhook_delivery(&replay).await.unwrap());
    let twice = crate::DeliveryReplay {
        id: uuid::Uuid::now_v7(),
        ..replay.clone()
    };
    assert!(
        !store.replay_webhook_delivery(&twice).await.unwrap(),
        "a round is replayed once"
    );
    let history = store.webhook_delivery(queued.id).await.unwrap().unwrap();
    assert_eq!(history.replays, vec![replay]);
    assert_eq!(
        history.state(at("2024-05-03T12:00:00Z"), &backoff),
        DeliveryState::Due {
            number: 3,
            at: at("2024-05-03T12:00:00Z")
        }
    );
    store
        .claim_webhook_attempt(&claim(3, "2024-05-03T12:00:01Z"))
        .await
        .unwrap();
    let delivered = AttemptResult {
        status: Some(204),
        error: None,
        delivered: true,
        ..failure(3, "2024-05-03T12:00:02Z", false)
    };
    let disclosure = crate::Disclosure {
        id: uuid::Uuid::now_v7(),
        recipient: hook.agency.clone(),
        subscription: Some(hook.id),
        delivery: Some(queued.id),
        channel: "webhook".into(),
        child: queued.child.clone(),
        alert: queued.alert.clone(),
        what: "alert_raised".into(),
        lawful_basis: hook.lawful_basis.clone(),
        at: at("2024-05-03T12:00:02Z"),
    };
    store
        .record_webhook_attempt(&delivered, Some(&disclosure))
        .await
        .unwrap();
    // A second disclosure of the same delivery is refused, and nothing of that
    // transaction is kept.
    store
        .claim_webhook_attempt(&claim(4, "2024-05-03T12:00:03Z"))
        .await
        .unwrap();
    let again = crate::Disclosure {
        id: uuid::Uuid::now_v7(),
        ..disclosure.clone()
    };
    assert!(
        store
            .record_webhook_attempt(
                &AttemptResult {
                    number: 4,
                    ..delivered.clone()
                },
                Some(&again)
            )
            .await
            .is_err()
    );
    let history = store.webhook_delivery(queued.id).await.unwrap().unwrap();
    assert!(history.attempts[3].result.is_none(), "all or nothing");
    assert_eq!(
        history.state(at("2024-05-03T12:00:05Z"), &backoff),
        DeliveryState::Delivered {
            at: at("2024-05-03T12:00:02Z")
        }
    );
    let undelivered = store.undelivered_webhooks().await.unwrap();
    assert_eq!(undelivered.len(), 1);
    assert_eq!(undelivered[0].delivery.id, other.id);
    assert_eq!(
        store.disclosures(Some("child-1")).await.unwrap(),
        vec![disclosure.clone()]
    );
    assert!(store.disclosures(Some("child-2")).await.unwrap().is_empty());
    assert_eq!(store.disclosures(None).await.unwrap().len(), 1);
    assert_eq!(
        store.webhook_counts().await.unwrap(),
        crate::WebhookCounts {
            delivered: 1,
            failed_attempts: 2
        }
    );
}
