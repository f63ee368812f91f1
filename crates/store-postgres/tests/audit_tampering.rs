//! Editing the audit log behind Vigil's back, as a superuser who disables the triggers:
//! a changed, removed or inserted entry is still found by the verifier, which names it.
//! Runs when `VIGIL_TEST_POSTGRES_URL` names a server; each case works in a schema of
//! its own and drops it afterwards.

use sqlx::{Connection, Executor};
use vigil_store::conformance::{AUDIT_TAMPERING, five_audit_entries, verify_audit_log};
use vigil_store_postgres::PostgresStore;

const URL_VARIABLE: &str = "VIGIL_TEST_POSTGRES_URL";

fn url() -> Option<String> {
    std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.is_empty())
}

async fn fresh(url: &str) -> (PostgresStore, String) {
    let schema = format!("vigil_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|error| panic!("{URL_VARIABLE} is set but {error}"));
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .expect("create schema");
    admin.close().await.unwrap();
    let store = PostgresStore::connect(url, Some(&schema), 2)
        .await
        .expect("connect");
    (store, schema)
}

async fn drop_schema(url: &str, schema: &str) {
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .await
        .expect("drop schema");
    admin.close().await.unwrap();
}

#[tokio::test]
async fn the_triggers_refuse_to_rewrite_the_audit_log() {
    let Some(url) = url() else {
        eprintln!("skipped: {URL_VARIABLE} is not set");
        return;
    };
    let (store, schema) = fresh(&url).await;
    five_audit_entries(&store).await;
    for statement in [
        "UPDATE audit SET purpose = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
    ] {
        let error = store.execute_raw(statement).await.unwrap_err();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(verify_audit_log(&store).await, Ok(5));
    drop_schema(&url, &schema).await;
}

#[tokio::test]
async fn edits_behind_vigils_back_are_named() {
    let Some(url) = url() else {
        eprintln!("skipped: {URL_VARIABLE} is not set");
        return;
    };
    for (what, statements, kind, sequence) in AUDIT_TAMPERING {
        let (store, schema) = fresh(&url).await;
        five_audit_entries(&store).await;
        assert_eq!(verify_audit_log(&store).await, Ok(5), "{what}: before");

        // A superuser on a connection of their own turns the triggers off for the
        // session (`session_replication_role = replica` skips ordinary triggers).
        let mut raw = sqlx::PgConnection::connect(&url).await.unwrap();
        raw.execute(sqlx::AssertSqlSafe(format!("SET search_path = {schema}")))
            .await
            .unwrap();
        raw.execute("SET session_replication_role = replica")
            .await
            .unwrap();
        for statement in *statements {
            raw.execute(sqlx::AssertSqlSafe(*statement))
                .await
                .unwrap_or_else(|error| panic!("{what}: {statement}: {error}"));
        }
        raw.close().await.unwrap();

        assert_eq!(
            verify_audit_log(&store).await,
            Err((*kind, *sequence)),
            "{what}"
        );
        drop(store);
        drop_schema(&url, &schema).await;
    }
}
