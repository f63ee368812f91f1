//! The shared conformance suite against a real PostgreSQL server, plus the triggers
//! that keep the log append-only. Runs when `VIGIL_TEST_POSTGRES_URL` names a server
//! (CI sets it); each test works in a schema of its own and drops it afterwards.

use vigil_store::EventStore;
use vigil_store_postgres::PostgresStore;

const URL_VARIABLE: &str = "VIGIL_TEST_POSTGRES_URL";

async fn fresh() -> Option<(PostgresStore, impl std::future::Future<Output = ()>)> {
    let url = std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.is_empty())?;
    let schema = format!("vigil_test_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .unwrap_or_else(|error| panic!("{URL_VARIABLE} is set but {error}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create schema");
    let store = PostgresStore::connect(&url, Some(&schema), 4)
        .await
        .expect("connect");
    let cleanup = async move {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await
            .expect("drop schema");
        admin.close().await;
    };
    Some((store, cleanup))
}

vigil_store::conformance_tests!(fresh());

#[tokio::test]
async fn the_database_itself_refuses_to_rewrite_history() {
    let Some((store, cleanup)) = fresh().await else {
        return;
    };
    let event = vigil_store::conformance::visit("NCS", "V-1", "CH-1", "Seen.");
    store
        .append(vec![event], jiff::Timestamp::now())
        .await
        .unwrap();
    // Row triggers fire only on rows: put one in each of the other logs.
    vigil_store::conformance::one_of_each_log(&store).await;
    for statement in [
        "UPDATE events SET kind = 'note'",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
        "UPDATE identity_records SET agency_reference = 'X'",
        "DELETE FROM identity_records",
        "UPDATE alert_actions SET alert = 'x'",
        "DELETE FROM alert_actions",
        "TRUNCATE alert_actions",
        "UPDATE derivations SET kind = 'x'",
        "DELETE FROM derivations",
        "TRUNCATE derivations",
        "UPDATE audit SET purpose = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "UPDATE break_glass_openings SET reason = 'x'",
        "DELETE FROM break_glass_openings",
        "TRUNCATE break_glass_openings CASCADE",
        "UPDATE break_glass_reviews SET outcome = 'referred'",
        "DELETE FROM break_glass_reviews",
        "TRUNCATE break_glass_reviews",
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
        "TRUNCATE account_changes",
        "TRUNCATE webhook_subscriptions CASCADE",
        "TRUNCATE webhook_attempt_results",
        "TRUNCATE disclosures",
        "TRUNCATE linkage_decisions",
    ] {
        let error = store.execute_raw(statement).await.unwrap_err();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(store.event_count().await.unwrap(), 1);
    cleanup.await;
}
