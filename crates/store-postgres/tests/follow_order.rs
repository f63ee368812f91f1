//! The logs a casebook follows by sequence number (responses to alerts, linkage
//! decisions) become visible in sequence order, whichever process appends. A sequence
//! number is drawn at insert, not at commit: here another process's append is caught
//! between the two (its transaction has drawn a number and not committed) while this
//! store appends. A follower reading by sequence must not see the later number first
//! and then pass over the earlier one for ever.
//!
//! Runs when `VIGIL_TEST_POSTGRES_URL` names a server; each case works in a schema of
//! its own and drops it afterwards.

use std::time::Duration;

use jiff::Timestamp;
use sqlx::{Connection, Executor};
use vigil_store::{
    AlertAction, AlertActionKind, EventStore, LinkageDecision, LinkageDecisionKind, Page,
};
use vigil_store_postgres::{
    ALERT_ACTIONS_LOCK, LINKAGE_DECISIONS_LOCK, PostgresStore, lock_for_append,
};

const URL_VARIABLE: &str = "VIGIL_TEST_POSTGRES_URL";

struct Fresh {
    store: PostgresStore,
    url: String,
    schema: String,
    admin: sqlx::PgPool,
}

impl Fresh {
    async fn start() -> Option<Fresh> {
        let Some(url) = std::env::var(URL_VARIABLE).ok().filter(|u| !u.is_empty()) else {
            eprintln!("skipped: {URL_VARIABLE} is not set");
            return None;
        };
        let schema = format!("vigil_follow_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&url)
            .await
            .unwrap_or_else(|error| panic!("{URL_VARIABLE} is set but {error}"));
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .await
            .expect("create schema");
        let store = PostgresStore::connect(&url, Some(&schema), 4)
            .await
            .expect("connect");
        Some(Fresh {
            store,
            url,
            schema,
            admin,
        })
    }

    /// A connection of "another process" to the same schema.
    async fn other_process(&self) -> sqlx::PgConnection {
        let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
        connection
            .execute(sqlx::AssertSqlSafe(format!(
                "SET search_path TO {}",
                self.schema
            )))
            .await
            .unwrap();
        connection
    }

    async fn drop_schema(self) {
        self.admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA {} CASCADE",
                self.schema
            )))
            .await
            .expect("drop schema");
    }
}

fn acknowledgement(alert: &str) -> AlertAction {
    AlertAction {
        id: uuid::Uuid::now_v7(),
        alert: alert.to_string(),
        action: AlertActionKind::Acknowledge,
        by: "duty social worker".to_string(),
        reason: "Seen; strategy discussion booked.".to_string(),
        signed_off_by: None,
        at: Timestamp::now(),
    }
}

fn keep_apart(left: &str) -> LinkageDecision {
    LinkageDecision {
        id: uuid::Uuid::now_v7(),
        left: left.to_string(),
        right: "other.0".to_string(),
        decision: LinkageDecisionKind::KeepApart,
        by_id: "analyst".to_string(),
        by_name: "MASH analyst".to_string(),
        reason: "Twins: different first names at the same address.".to_string(),
        at: Timestamp::now(),
    }
}

/// Reads a log from `after` the way the pipeline follows it.
async fn follow<F, Fut>(after: &mut i64, read: F) -> Vec<i64>
where
    F: Fn(Page) -> Fut,
    Fut: std::future::Future<Output = Vec<i64>>,
{
    let seen = read(Page {
        after: *after,
        limit: 1000,
    })
    .await;
    if let Some(last) = seen.last() {
        *after = *last;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_of_alert_actions_sees_every_one_when_commits_cross() {
    let Some(fresh) = Fresh::start().await else {
        return;
    };
    let read = |page| {
        let store = fresh.store.clone();
        async move {
            store
                .alert_actions_after(page)
                .await
                .unwrap()
                .iter()
                .map(|a| a.sequence)
                .collect::<Vec<_>>()
        }
    };

    // Another process's response is inserted, its number drawn, not yet committed.
    let mut other = fresh.other_process().await;
    let mut in_flight = other.begin().await.unwrap();
    lock_for_append(&mut in_flight, ALERT_ACTIONS_LOCK)
        .await
        .unwrap();
    let early = acknowledgement("alert-early");
    let early_sequence: i64 = sqlx::query_scalar(
        "INSERT INTO alert_actions (id, alert, at_us, body) VALUES ($1::uuid, $2, $3, $4::jsonb) RETURNING sequence",
    )
    .bind(early.id.to_string())
    .bind(&early.alert)
    .bind(early.at.as_microsecond())
    .bind(vigil_store::row::alert_action_json(&early).unwrap())
    .fetch_one(&mut *in_flight)
    .await
    .unwrap();

    // This process responds meanwhile.
    let late = tokio::spawn({
        let store = fresh.store.clone();
        async move {
            store
                .record_alert_action(&acknowledgement("alert-late"))
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut after = 0;
    let mut seen = follow(&mut after, read).await;
    in_flight.commit().await.unwrap();
    let late_sequence = late.await.unwrap();
    seen.extend(follow(&mut after, read).await);

    assert!(late_sequence > early_sequence);
    assert_eq!(
        seen,
        [early_sequence, late_sequence],
        "the follower saw every response, in order"
    );
    fresh.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_of_linkage_decisions_sees_every_one_when_commits_cross() {
    let Some(fresh) = Fresh::start().await else {
        return;
    };
    let read = |page| {
        let store = fresh.store.clone();
        async move {
            store
                .linkage_decisions_after(page)
                .await
                .unwrap()
                .iter()
                .map(|d| d.sequence)
                .collect::<Vec<_>>()
        }
    };

    let mut other = fresh.other_process().await;
    let mut in_flight = other.begin().await.unwrap();
    lock_for_append(&mut in_flight, LINKAGE_DECISIONS_LOCK)
        .await
        .unwrap();
    let early = keep_apart("early.0");
    let early_sequence: i64 = sqlx::query_scalar(
        "INSERT INTO linkage_decisions (id, left_record, right_record, decision, by_id, by_name, reason, at_us) \
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8) RETURNING sequence",
    )
    .bind(early.id.to_string())
    .bind(&early.left)
    .bind(&early.right)
    .bind(early.decision.as_str())
    .bind(&early.by_id)
    .bind(&early.by_name)
    .bind(&early.reason)
    .bind(early.at.as_microsecond())
    .fetch_one(&mut *in_flight)
    .await
    .unwrap();

    let late = tokio::spawn({
        let store = fresh.store.clone();
        async move {
            store
                .record_linkage_decision(&keep_apart("late.0"))
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut after = 0;
    let mut seen = follow(&mut after, read).await;
    in_flight.commit().await.unwrap();
    let late_sequence = late.await.unwrap();
    seen.extend(follow(&mut after, read).await);

    assert!(late_sequence > early_sequence);
    assert_eq!(
        seen,
        [early_sequence, late_sequence],
        "the follower saw every decision, in order"
    );
    fresh.drop_schema().await;
}
