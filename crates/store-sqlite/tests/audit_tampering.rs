//! Editing the audit log behind Vigil's back: with the triggers dropped from another
//! connection, a changed, removed or inserted entry is still found by the verifier,
//! which names it.

use sqlx::{Connection, Executor};
use vigil_store::EventStore;
use vigil_store::conformance::{AUDIT_TAMPERING, five_audit_entries, verify_audit_log};
use vigil_store_sqlite::{Durability, SqliteStore};

#[tokio::test]
async fn the_triggers_refuse_to_rewrite_the_audit_log() {
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
        .await
        .unwrap();
    five_audit_entries(&store).await;
    for statement in ["UPDATE audit SET purpose = 'x'", "DELETE FROM audit"] {
        let error = store.execute_raw(statement).await.unwrap_err();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(verify_audit_log(&store).await, Ok(5));
}

#[tokio::test]
async fn edits_behind_vigils_back_are_named() {
    for (what, statements, kind, sequence) in AUDIT_TAMPERING {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("vigil.db");
        let store = SqliteStore::open(&path, Durability::Normal).await.unwrap();
        five_audit_entries(&store).await;
        assert_eq!(verify_audit_log(&store).await, Ok(5), "{what}: before");

        // Someone with the file opens it with their own tool and drops the triggers.
        let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        raw.execute("DROP TRIGGER audit_is_append_only_update")
            .await
            .unwrap();
        raw.execute("DROP TRIGGER audit_is_append_only_delete")
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
        assert!(store.ping().await.is_ok());
    }
}
