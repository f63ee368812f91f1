//! The shared conformance suite, run against the embedded store, plus the guarantees
//! only SQL can break: the triggers that keep the log append-only.

use vigil_store::EventStore;
use vigil_store_sqlite::{Durability, SqliteStore};

async fn fresh() -> Option<(SqliteStore, impl std::future::Future<Output = ()>)> {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Full)
        .await
        .expect("open");
    Some((store, async move { drop(directory) }))
}

vigil_store::conformance_tests!(fresh());

#[tokio::test]
async fn the_database_itself_refuses_to_rewrite_history() {
    let (store, cleanup) = fresh().await.unwrap();
    let event = vigil_store::conformance::visit("NCS", "V-1", "CH-1", "Seen.");
    store
        .append(vec![event], jiff::Timestamp::now())
        .await
        .unwrap();
    // Row triggers fire only on rows: put one in each of the other logs.
    vigil_store::conformance::one_of_each_log(&store).await;
    for statement in [
        "UPDATE events SET body = '{}'",
        "DELETE FROM events",
        "UPDATE identity_records SET agency_reference = 'X'",
        "DELETE FROM identity_records",
        "UPDATE alert_actions SET body = '{}'",
        "DELETE FROM alert_actions",
        "UPDATE derivations SET kind = 'x'",
        "DELETE FROM derivations",
        "UPDATE audit SET purpose = 'x'",
        "DELETE FROM audit",
        "UPDATE break_glass_openings SET reason = 'x'",
        "DELETE FROM break_glass_openings",
        "UPDATE break_glass_reviews SET outcome = 'referred'",
        "DELETE FROM break_glass_reviews",
        "UPDATE linkage_decisions SET reason = 'x'",
        "DELETE FROM linkage_decisions",
        "UPDATE webhook_subscriptions SET url = 'x'",
        "DELETE FROM webhook_subscriptions",
        "UPDATE webhook_subscription_revocations SET reason = 'x'",
        "DELETE FROM webhook_subscription_revocations",
        "UPDATE webhook_deliveries SET topic = 'x'",
        "DELETE FROM webhook_deliveries",
        "UPDATE webhook_attempts SET started_us = 0",
        "DELETE FROM webhook_attempts",
        "UPDATE webhook_attempt_results SET error = 'x'",
        "DELETE FROM webhook_attempt_results",
        "UPDATE webhook_replays SET by_id = 'x'",
        "DELETE FROM webhook_replays",
        "UPDATE disclosures SET lawful_basis = 'x'",
        "DELETE FROM disclosures",
        "UPDATE account_changes SET reason = 'x'",
        "DELETE FROM account_changes",
    ] {
        let error = store.execute_raw(statement).await.unwrap_err();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(store.event_count().await.unwrap(), 1);
    cleanup.await;
}

#[tokio::test]
async fn reopening_keeps_everything_and_migrations_run_once() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("vigil.db");
    let store = SqliteStore::open(&path, Durability::Normal).await.unwrap();
    let event = vigil_store::conformance::visit("NCS", "V-1", "CH-1", "Seen.");
    let id = store
        .append(vec![event], jiff::Timestamp::now())
        .await
        .unwrap()[0]
        .id();
    drop(store);
    let reopened = SqliteStore::open(&path, Durability::Full).await.unwrap();
    assert!(reopened.event(id).await.unwrap().is_some());
}
