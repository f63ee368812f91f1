//! The PostgreSQL event store, for a region or a national service running several
//! Vigil processes against one database.
//!
//! Appends go through the shared group commit (`vigil_store::queue`): the appends that
//! arrive together share one transaction, each in a savepoint of its own, so they share
//! one commit flush. Each transaction takes a transaction-scoped advisory lock before it
//! looks anything up. That serialises appends across every process, which buys two
//! things cheaply: the look-up-then-insert of idempotency cannot race, and sequence
//! numbers become visible in commit order, so a reader following the log by sequence
//! never skips an event that commits late. Responses to alerts and linkage decisions,
//! the other logs a casebook follows, are appended under locks of their own for the same
//! reason. Each append is three round trips whatever its size (look up, insert events,
//! insert identity records), using arrays and UNNEST.

mod backup;

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};
use uuid::Uuid;
use vigil_domain::{AgencyCode, EventId, NewEvent, SourceKey};
use vigil_store::accounts;
use vigil_store::row::{EventRow, body_json, identity_record_ids_json, microseconds, role_name};
use vigil_store::{Account, AccountChange, ApiKey, KeyRevocation, StoredAccount, StoredApiKey};
use vigil_store::{
    AlertAction, AppendQueue, Appended, AuditEntry, AuditQueue, AuditWriter, ChainHead, EventStore,
    Existing, GroupTransaction, GroupWriter, IdentityRecord, IdentityRecordId, NewAuditEntry,
    NewDerivation, Page, StoreError, StoredAlertAction, StoredDerivation, StoredEvent,
    SupersedeTarget, plan_append, row,
};
use vigil_store::{
    AttemptClaim, AttemptResult, DeliveryHistory, DeliveryReplay, Disclosure, NewDelivery,
    StoredSubscription, SubscriptionRevocation, WebhookCounts, WebhookSubscription, webhooks,
};
use vigil_store::{
    BreakGlassOpening, BreakGlassReview, LinkageDecision, ReviewedOpening, StoredLinkageDecision,
    break_glass, linkage_decisions,
};
use vigil_store::{FrontDoorEntry, StoredFrontDoorEntry, front_door};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    appends: AppendQueue,
    audit: AuditQueue,
}

const EVENT_COLUMNS: &str = "e.sequence, e.id::text AS id, e.recorded_at_us, e.ingested_at_us, e.content_hash, \
     e.body::text AS body, e.identity_record_ids::text AS identity_record_ids, \
     (SELECT s.id::text FROM events s WHERE s.supersedes = e.id) AS superseded_by";

const NOT_SUPERSEDED: &str = "NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id)";

impl PostgresStore {
    /// Connects to `url` and brings the schema up to date. With `schema`, Vigil's
    /// tables live in that schema (it must exist), which lets tests share one server.
    pub async fn connect(
        url: &str,
        schema: Option<&str>,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        if let Some(schema) = schema {
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(store_error)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Internal(format!("migrating the database: {error}")))?;
        let appends = AppendQueue::start(PostgresWriter { pool: pool.clone() });
        let audit = AuditQueue::start(PostgresAuditWriter { pool: pool.clone() });
        Ok(PostgresStore {
            pool,
            appends,
            audit,
        })
    }

    /// Only for tests of the append-only guarantee.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, String> {
        sqlx::query(AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(|error| error.to_string())
    }

    /// `sql` is assembled only from this file's constant fragments; every value from
    /// outside is bound, never spliced.
    async fn fetch_events(
        &self,
        sql: String,
        binds: Vec<Bind>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for bind in binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Integer(number) => query.bind(number),
                Bind::Uuid(id) => query.bind(id),
            };
        }
        let rows = query.fetch_all(&self.pool).await.map_err(store_error)?;
        rows.iter().map(decode_event).collect()
    }
}

enum Bind {
    Text(String),
    Integer(i64),
    Uuid(Uuid),
}

fn decode_event(row: &PgRow) -> Result<StoredEvent, StoreError> {
    let id: String = row.try_get("id").map_err(store_error)?;
    let body: String = row.try_get("body").map_err(store_error)?;
    let identity_record_ids: String = row.try_get("identity_record_ids").map_err(store_error)?;
    let superseded_by: Option<String> = row.try_get("superseded_by").map_err(store_error)?;
    EventRow {
        sequence: row.try_get("sequence").map_err(store_error)?,
        id: &id,
        recorded_at_us: row.try_get("recorded_at_us").map_err(store_error)?,
        ingested_at_us: row.try_get("ingested_at_us").map_err(store_error)?,
        content_hash: row.try_get("content_hash").map_err(store_error)?,
        body: &body,
        identity_record_ids: &identity_record_ids,
        superseded_by: superseded_by.as_deref(),
    }
    .decode()
}

/// Lost connections, a server shutting down, a full disk and lock timeouts are worth
/// retrying (`Unavailable`); the rest are faults.
fn store_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::Io(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::Protocol(_) => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Database(database) => {
            let code = database
                .code()
                .map(|code| code.to_string())
                .unwrap_or_default();
            // 08: connection exceptions; 53: insufficient resources (53100 disk full);
            // 57P: operator intervention (shutdown); 40001/40P01: serialisation, deadlock.
            if code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "40001"
                || code == "40P01"
            {
                StoreError::Unavailable(error.to_string())
            } else {
                StoreError::Internal(error.to_string())
            }
        }
        _ => StoreError::Internal(error.to_string()),
    }
}

fn internal(error: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(error.to_string())
}

async fn look_up(
    transaction: &mut Transaction<'_, Postgres>,
    events: &[NewEvent],
) -> Result<
    (
        HashMap<SourceKey, Existing>,
        HashMap<EventId, SupersedeTarget>,
    ),
    StoreError,
> {
    let agencies: Vec<&str> = events.iter().map(|e| e.agency.as_str()).collect();
    let systems: Vec<&str> = events.iter().map(|e| e.source_system.as_str()).collect();
    let source_ids: Vec<&str> = events.iter().map(|e| e.source_id.as_str()).collect();
    let rows = sqlx::query(
        "SELECT e.id::text AS id, e.content_hash, e.agency, e.source_system, e.source_id FROM events e \
         JOIN UNNEST($1::text[], $2::text[], $3::text[]) AS k(agency, source_system, source_id) \
         ON e.agency = k.agency AND e.source_system = k.source_system AND e.source_id = k.source_id",
    )
    .bind(&agencies)
    .bind(&systems)
    .bind(&source_ids)
    .fetch_all(&mut **transaction)
    .await
    .map_err(store_error)?;
    let mut existing = HashMap::new();
    for row in rows {
        let agency: String = row.try_get("agency").map_err(store_error)?;
        let key = SourceKey {
            agency: AgencyCode::parse(&agency).map_err(internal)?,
            source_system: row.try_get("source_system").map_err(store_error)?,
            source_id: row.try_get("source_id").map_err(store_error)?,
        };
        let id: String = row.try_get("id").map_err(store_error)?;
        existing.insert(
            key,
            Existing {
                id: EventId::parse(&id).map_err(internal)?,
                content_hash: row.try_get("content_hash").map_err(store_error)?,
            },
        );
    }
    let wanted: Vec<Uuid> = events
        .iter()
        .filter_map(|e| e.supersedes.map(|id| id.0))
        .collect();
    let mut targets = HashMap::new();
    if !wanted.is_empty() {
        let rows = sqlx::query(
            "SELECT e.id::text AS id, e.agency, (SELECT s.id::text FROM events s WHERE s.supersedes = e.id) AS superseded_by \
             FROM events e WHERE e.id = ANY($1::uuid[])",
        )
        .bind(&wanted)
        .fetch_all(&mut **transaction)
        .await
        .map_err(store_error)?;
        for row in rows {
            let id: String = row.try_get("id").map_err(store_error)?;
            let agency: String = row.try_get("agency").map_err(store_error)?;
            let superseded_by: Option<String> =
                row.try_get("superseded_by").map_err(store_error)?;
            targets.insert(
                EventId::parse(&id).map_err(internal)?,
                SupersedeTarget {
                    agency: AgencyCode::parse(&agency).map_err(internal)?,
                    superseded_by: superseded_by
                        .map(|id| EventId::parse(&id))
                        .transpose()
                        .map_err(internal)?,
                },
            );
        }
    }
    Ok((existing, targets))
}

/// The advisory locks that serialise appends to each log a casebook follows (events,
/// responses to alerts, linkage decisions), across every process on the database. A
/// sequence number is drawn when a row is inserted, not when it commits; without the
/// lock, number 12 could commit before 11, and a follower that had read up to 12 would
/// never read 11. Holding the lock from before the insert until the commit makes each
/// log visible in sequence order. Each name is joined to the schema, so stores in
/// different schemas of one database do not wait for each other.
pub const EVENTS_LOCK: &str = "vigil.events.append.";
pub const ALERT_ACTIONS_LOCK: &str = "vigil.alert_actions.append.";
pub const LINKAGE_DECISIONS_LOCK: &str = "vigil.linkage_decisions.append.";
pub const FRONT_DOOR_DECISIONS_LOCK: &str = "vigil.front_door_decisions.append.";

/// Takes the transaction-scoped advisory lock `name` (one of the locks above); it is
/// released when the transaction commits or rolls back.
pub async fn lock_for_append(
    transaction: &mut Transaction<'_, Postgres>,
    name: &str,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1::text || current_schema()::text))")
        .bind(name)
        .execute(&mut **transaction)
        .await
        .map_err(store_error)?;
    Ok(())
}

async fn begin_followed_append(
    pool: &PgPool,
    lock: &str,
) -> Result<Transaction<'static, Postgres>, StoreError> {
    let mut transaction = pool.begin().await.map_err(store_error)?;
    lock_for_append(&mut transaction, lock).await?;
    Ok(transaction)
}

/// Opens group transactions, each holding the advisory lock that serialises appends
/// across processes.
#[derive(Clone)]
struct PostgresWriter {
    pool: PgPool,
}

impl GroupWriter for PostgresWriter {
    type Transaction = PostgresGroup;

    async fn begin(&self) -> Result<PostgresGroup, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        lock_for_append(&mut transaction, EVENTS_LOCK).await?;
        Ok(PostgresGroup(transaction))
    }
}

/// One group's write transaction.
struct PostgresGroup(Transaction<'static, Postgres>);

impl PostgresGroup {
    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError> {
        sqlx::query(sql)
            .execute(&mut *self.0)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

impl GroupTransaction for PostgresGroup {
    async fn append(
        &mut self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> Result<Vec<Appended>, StoreError> {
        append_in(&mut self.0, events, ingested_at).await
    }

    async fn savepoint(&mut self) -> Result<(), StoreError> {
        self.execute("SAVEPOINT one_append").await
    }

    async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.execute("ROLLBACK TO SAVEPOINT one_append").await
    }

    async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.execute("RELEASE SAVEPOINT one_append").await
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(store_error)
    }
}

async fn append_in(
    transaction: &mut Transaction<'_, Postgres>,
    events: Vec<NewEvent>,
    ingested_at: Timestamp,
) -> Result<Vec<Appended>, StoreError> {
    let (existing, targets) = look_up(transaction, &events).await?;
    let plan = plan_append(events, ingested_at, &existing, &targets)?;
    if plan.inserts.is_empty() {
        return Ok(plan.outcomes(&[]));
    }
    let inserts = &plan.inserts;
    let ids: Vec<Uuid> = inserts.iter().map(|p| p.id.0).collect();
    let rows = sqlx::query(
            "INSERT INTO events (id, agency, source_system, source_id, kind, occurred_start_us, recorded_at_us, \
             ingested_at_us, supersedes, content_hash, identity_record_ids, body) \
             SELECT id, agency, source_system, source_id, kind, occurred_start_us, recorded_at_us, ingested_at_us, \
                    supersedes, content_hash, identity_record_ids::jsonb, body::jsonb \
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[], \
                         $8::int8[], $9::uuid[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY \
                  AS t(id, agency, source_system, source_id, kind, occurred_start_us, recorded_at_us, ingested_at_us, \
                       supersedes, content_hash, identity_record_ids, body, ordinal) \
             ORDER BY ordinal \
             RETURNING id::text AS id, sequence",
        )
        .bind(&ids)
        .bind(inserts.iter().map(|p| p.event.agency.to_string()).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| p.event.source_system.clone()).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| p.event.source_id.clone()).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| p.event.kind().to_string()).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| microseconds(p.event.occurred_at.start())).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| microseconds(p.recorded_at)).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| microseconds(p.ingested_at)).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| p.event.supersedes.map(|id| id.0)).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| p.content_hash.clone()).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| identity_record_ids_json(&p.identity_records)).collect::<Vec<_>>())
        .bind(inserts.iter().map(|p| body_json(&p.event)).collect::<Vec<_>>())
        .fetch_all(&mut **transaction)
        .await
        .map_err(store_error)?;
    let mut sequence_of: HashMap<String, i64> = HashMap::with_capacity(rows.len());
    for row in rows {
        sequence_of.insert(
            row.try_get("id").map_err(store_error)?,
            row.try_get("sequence").map_err(store_error)?,
        );
    }
    let sequences: Vec<i64> = inserts
        .iter()
        .map(|p| {
            sequence_of
                .get(&p.id.to_string())
                .copied()
                .ok_or_else(|| internal("an inserted event returned no sequence"))
        })
        .collect::<Result<_, _>>()?;

    let mut record_ids = Vec::new();
    let mut record_sequences = Vec::new();
    let mut positions = Vec::new();
    let mut agencies = Vec::new();
    let mut references = Vec::new();
    let mut nhs_numbers = Vec::new();
    let mut roles = Vec::new();
    for (planned, sequence) in inserts.iter().zip(&sequences) {
        for (position, (record_id, person)) in planned
            .identity_records
            .iter()
            .zip(&planned.event.people)
            .enumerate()
        {
            record_ids.push(record_id.0);
            record_sequences.push(*sequence);
            positions.push(position as i32);
            agencies.push(planned.event.agency.to_string());
            references.push(person.agency_reference.clone());
            nhs_numbers.push(person.nhs_number.map(|number| number.digits()));
            roles.push(role_name(person.role));
        }
    }
    sqlx::query(
            "INSERT INTO identity_records (id, event_sequence, position, agency, agency_reference, nhs_number, role) \
             SELECT * FROM UNNEST($1::uuid[], $2::int8[], $3::int4[], $4::text[], $5::text[], $6::text[], $7::text[])",
        )
        .bind(&record_ids)
        .bind(&record_sequences)
        .bind(&positions)
        .bind(&agencies)
        .bind(&references)
        .bind(&nhs_numbers)
        .bind(&roles)
        .execute(&mut **transaction)
        .await
        .map_err(store_error)?;
    Ok(plan.outcomes(&sequences))
}

type AccountColumns = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    String,
);

fn account_from_columns(row: AccountColumns) -> Result<Account, StoreError> {
    let (user_name, display_name, role, agency, team, password_hash, created_us, created_by) = row;
    Ok(Account {
        user_name,
        display_name,
        role: accounts::role_column(&role)?,
        agency: accounts::agency_column(agency)?,
        team,
        password_hash,
        created_at: accounts::moment_column(created_us)?,
        created_by,
    })
}

type ChangeColumns = (String, String, String, i64, String);

fn change_from_columns(row: ChangeColumns) -> Result<AccountChange, StoreError> {
    let (user_name, change, reason, changed_us, by) = row;
    Ok(AccountChange {
        user_name,
        change: accounts::change_column(&change)?,
        reason,
        at: accounts::moment_column(changed_us)?,
        by,
    })
}

const KEY_SELECT: &str = "SELECT k.id, k.name, k.secret_hash, k.role, k.agency, k.expires_us, \
     k.created_us, k.created_by, r.revoked_us, r.revoked_by, k.owner \
     FROM api_keys k LEFT JOIN api_key_revocations r ON r.key_id = k.id";

type KeyColumns = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn key_from_columns(row: KeyColumns) -> Result<StoredApiKey, StoreError> {
    let (
        id,
        name,
        secret_hash,
        role,
        agency,
        expires_us,
        created_us,
        created_by,
        revoked_us,
        revoked_by,
        owner,
    ) = row;
    let revoked = match (revoked_us, revoked_by) {
        (Some(at), Some(by)) => Some(KeyRevocation {
            key_id: id.clone(),
            revoked_at: accounts::moment_column(at)?,
            revoked_by: by,
        }),
        _ => None,
    };
    Ok(StoredApiKey {
        key: ApiKey {
            id,
            name,
            secret_hash,
            role: accounts::role_column(&role)?,
            agency: accounts::agency_column(agency)?,
            expires_at: expires_us.map(accounts::moment_column).transpose()?,
            created_at: accounts::moment_column(created_us)?,
            created_by,
            owner,
        },
        revoked,
    })
}

const OPENING_SELECT: &str = "SELECT id::text, principal_id, display_name, role, agency, child, reason, \
     opened_us, expires_us FROM break_glass_openings";

const REVIEW_SELECT: &str = "SELECT id::text, opening::text, reviewer_id, reviewer_name, outcome, note, at_us \
     FROM break_glass_reviews";

/// Deliveries no try has delivered: what the sender looks at.
const UNDELIVERED: &str = "NOT EXISTS (SELECT 1 FROM webhook_attempt_results r \
     WHERE r.delivery = d.id AND r.delivered)";

impl PostgresStore {
    /// Deliveries chosen by `filter` (a constant fragment of this file, with at most one
    /// bound value, `$1`), each with its tries and replays, read in one snapshot.
    async fn delivery_histories(
        &self,
        filter: &str,
        value: Option<String>,
    ) -> Result<Vec<DeliveryHistory>, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        let sql = format!(
            "SELECT d.id::text, d.subscription::text, d.subject, d.topic, d.child, d.alert, \
             d.payload::text, d.created_us FROM webhook_deliveries d {filter} ORDER BY d.sequence"
        );
        let mut query = sqlx::query_as(AssertSqlSafe(sql));
        if let Some(value) = &value {
            query = query.bind(value.clone());
        }
        let deliveries: Vec<webhooks::DeliveryColumns> = query
            .fetch_all(&mut *transaction)
            .await
            .map_err(store_error)?;
        let sql = format!(
            "SELECT a.delivery::text, a.number, a.started_us, r.finished_us, r.status, r.error, \
             r.delivered, r.gave_up FROM webhook_attempts a \
             LEFT JOIN webhook_attempt_results r ON r.delivery = a.delivery AND r.number = a.number \
             WHERE a.delivery IN (SELECT d.id FROM webhook_deliveries d {filter}) ORDER BY a.sequence"
        );
        let mut query = sqlx::query_as(AssertSqlSafe(sql));
        if let Some(value) = &value {
            query = query.bind(value.clone());
        }
        let attempts: Vec<webhooks::AttemptColumns> = query
            .fetch_all(&mut *transaction)
            .await
            .map_err(store_error)?;
        let sql = format!(
            "SELECT p.id::text, p.delivery::text, p.after_attempt, p.by_id, p.at_us FROM webhook_replays p \
             WHERE p.delivery IN (SELECT d.id FROM webhook_deliveries d {filter}) ORDER BY p.sequence"
        );
        let mut query = sqlx::query_as(AssertSqlSafe(sql));
        if let Some(value) = &value {
            query = query.bind(value.clone());
        }
        let replays: Vec<webhooks::ReplayColumns> = query
            .fetch_all(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(webhooks::with_histories(
            deliveries
                .into_iter()
                .map(webhooks::delivery_from_columns)
                .collect::<Result<_, _>>()?,
            attempts
                .into_iter()
                .map(webhooks::attempt_from_columns)
                .collect::<Result<_, _>>()?,
            replays
                .into_iter()
                .map(webhooks::replay_from_columns)
                .collect::<Result<_, _>>()?,
        ))
    }
}

/// Writes a batch of audit entries in one transaction holding an advisory lock of its
/// own (not the events' lock, so audit and event appends do not wait for each other):
/// the look-up of the last entry and the insert of the next are serialised across every
/// process, so the chain never forks and the numbers have no gaps.
#[derive(Clone)]
struct PostgresAuditWriter {
    pool: PgPool,
}

impl AuditWriter for PostgresAuditWriter {
    async fn write(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtext('vigil.audit.append.' || current_schema()))",
        )
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        let head: Option<(i64, String)> =
            sqlx::query_as("SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
                .fetch_optional(&mut *transaction)
                .await
                .map_err(store_error)?;
        let head = head.map_or_else(ChainHead::genesis, |(sequence, hash)| ChainHead {
            sequence,
            hash,
        });
        let chained = vigil_store::audit::chain(&head, entries);
        for chunk in chained.chunks(5000) {
            let column = |field: fn(&AuditEntry) -> Option<String>| -> Vec<Option<String>> {
                chunk.iter().map(field).collect()
            };
            sqlx::query(
                "INSERT INTO audit (sequence, at_us, actor_id, actor_role, actor_agency, action, path, \
                 resource, purpose, status, allowed, request_id, previous_hash, hash) \
                 SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::int4[], $11::bool[], $12::text[], \
                 $13::text[], $14::text[])",
            )
            .bind(chunk.iter().map(|e| e.sequence).collect::<Vec<i64>>())
            .bind(
                chunk
                    .iter()
                    .map(|e| microseconds(e.entry.at))
                    .collect::<Vec<i64>>(),
            )
            .bind(column(|e| Some(e.entry.actor_id.clone())))
            .bind(column(|e| e.entry.actor_role.clone()))
            .bind(column(|e| e.entry.actor_agency.clone()))
            .bind(column(|e| Some(e.entry.action.clone())))
            .bind(column(|e| Some(e.entry.path.clone())))
            .bind(column(|e| e.entry.resource.clone()))
            .bind(column(|e| e.entry.purpose.clone()))
            .bind(
                chunk
                    .iter()
                    .map(|e| i32::from(e.entry.status))
                    .collect::<Vec<i32>>(),
            )
            .bind(chunk.iter().map(|e| e.entry.allowed).collect::<Vec<bool>>())
            .bind(column(|e| e.entry.request_id.clone()))
            .bind(column(|e| Some(e.previous_hash.clone())))
            .bind(column(|e| Some(e.hash.clone())))
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)
    }
}

impl EventStore for PostgresStore {
    async fn append(
        &self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> Result<Vec<Appended>, StoreError> {
        self.appends.append(events, ingested_at).await
    }

    async fn event(&self, id: EventId) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1");
        Ok(self.fetch_events(sql, vec![Bind::Uuid(id.0)]).await?.pop())
    }

    async fn event_by_source(&self, key: &SourceKey) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.agency = $1 AND e.source_system = $2 AND e.source_id = $3"
        );
        let binds = vec![
            Bind::Text(key.agency.to_string()),
            Bind::Text(key.source_system.clone()),
            Bind::Text(key.source_id.clone()),
        ];
        Ok(self.fetch_events(sql, binds).await?.pop())
    }

    async fn events_for_reference(
        &self,
        agency: &AgencyCode,
        reference: &str,
        include_superseded: bool,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let current = if include_superseded {
            "TRUE"
        } else {
            NOT_SUPERSEDED
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.sequence IN \
             (SELECT event_sequence FROM identity_records WHERE agency = $1 AND agency_reference = $2) \
             AND e.sequence > $3 AND {current} ORDER BY e.sequence LIMIT $4"
        );
        let binds = vec![
            Bind::Text(agency.to_string()),
            Bind::Text(reference.to_string()),
            Bind::Integer(page.after),
            Bind::Integer(i64::from(page.limit)),
        ];
        self.fetch_events(sql, binds).await
    }

    async fn events_by_agency(
        &self,
        agency: &AgencyCode,
        include_superseded: bool,
        page: Page,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let current = if include_superseded {
            "TRUE"
        } else {
            NOT_SUPERSEDED
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.agency = $1 AND e.sequence > $2 AND {current} \
             ORDER BY e.sequence LIMIT $3"
        );
        let binds = vec![
            Bind::Text(agency.to_string()),
            Bind::Integer(page.after),
            Bind::Integer(i64::from(page.limit)),
        ];
        self.fetch_events(sql, binds).await
    }

    async fn events_after(&self, page: Page) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.sequence > $1 ORDER BY e.sequence LIMIT $2"
        );
        self.fetch_events(
            sql,
            vec![
                Bind::Integer(page.after),
                Bind::Integer(i64::from(page.limit)),
            ],
        )
        .await
    }

    async fn identity_record(
        &self,
        id: IdentityRecordId,
    ) -> Result<Option<IdentityRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT r.id::text AS id, r.position::int8 AS position, e.id::text AS event_id, e.agency, e.recorded_at_us, \
             e.body::text AS body FROM identity_records r JOIN events e ON e.sequence = r.event_sequence WHERE r.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let get_text = |column: &str| row.try_get::<String, _>(column).map_err(store_error);
        row::identity_record(
            &get_text("id")?,
            row.try_get("position").map_err(store_error)?,
            &get_text("event_id")?,
            &get_text("agency")?,
            row.try_get("recorded_at_us").map_err(store_error)?,
            &get_text("body")?,
        )
        .map(Some)
    }

    async fn record_alert_action(&self, action: &AlertAction) -> Result<i64, StoreError> {
        let body = vigil_store::row::alert_action_json(action)?;
        let mut transaction = begin_followed_append(&self.pool, ALERT_ACTIONS_LOCK).await?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO alert_actions (id, alert, at_us, body) VALUES ($1::uuid, $2, $3, $4::jsonb) RETURNING sequence",
        )
        .bind(action.id.to_string())
        .bind(&action.alert)
        .bind(action.at.as_microsecond())
        .bind(body)
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(sequence)
    }

    async fn alert_actions_after(&self, page: Page) -> Result<Vec<StoredAlertAction>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT sequence, body::text FROM alert_actions WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(|(sequence, body)| vigil_store::row::alert_action_row(sequence, &body))
            .collect()
    }

    async fn record_derivations(
        &self,
        entries: &[NewDerivation],
        stored_at: Timestamp,
    ) -> Result<usize, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        let mut new = 0;
        // Bounded arrays keep each statement's parameters a sensible size.
        for chunk in entries.chunks(5000) {
            let keys: Vec<&str> = chunk.iter().map(|e| e.key.as_str()).collect();
            let kinds: Vec<&str> = chunk.iter().map(|e| e.kind.as_str()).collect();
            let ats: Vec<i64> = chunk.iter().map(|e| e.at.as_microsecond()).collect();
            let bodies: Vec<String> = chunk.iter().map(|e| e.body.to_string()).collect();
            let done = sqlx::query(
                "INSERT INTO derivations (key, kind, at_us, stored_us, body) \
                 SELECT key, kind, at_us, $4, body::jsonb \
                 FROM UNNEST($1::text[], $2::text[], $3::int8[], $5::text[]) WITH ORDINALITY \
                      AS t(key, kind, at_us, body, ordinal) \
                 ORDER BY ordinal \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(&keys)
            .bind(&kinds)
            .bind(&ats)
            .bind(stored_at.as_microsecond())
            .bind(&bodies)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
            new += done.rows_affected() as usize;
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(new)
    }

    async fn derivations_after(&self, page: Page) -> Result<Vec<StoredDerivation>, StoreError> {
        let rows: Vec<(i64, String, String, i64, i64, String)> = sqlx::query_as(
            "SELECT sequence, key, kind, at_us, stored_us, body::text FROM derivations \
             WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(|(sequence, key, kind, at_us, stored_us, body)| {
                vigil_store::row::derivation_row(sequence, key, kind, at_us, stored_us, &body)
            })
            .collect()
    }

    /// Through the audit's group commit ([`AuditQueue`]): the entries waiting together
    /// are written by [`PostgresAuditWriter`] in one transaction.
    async fn append_audit(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
        self.audit.append(entries).await
    }

    async fn audit_after(&self, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash FROM audit \
             WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        audit_entries(&rows)
    }

    async fn audit_about(&self, resource: &str, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash FROM audit \
             WHERE resource = $1 AND sequence > $2 ORDER BY sequence LIMIT $3",
        )
        .bind(resource)
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        audit_entries(&rows)
    }

    async fn event_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(count as u64)
    }

    async fn add_account(&self, account: &Account) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO accounts (user_name, display_name, role, agency, team, password_hash, created_us, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_name) DO NOTHING",
        )
        .bind(&account.user_name)
        .bind(&account.display_name)
        .bind(account.role.as_str())
        .bind(account.agency.as_ref().map(|a| a.as_str().to_string()))
        .bind(&account.team)
        .bind(&account.password_hash)
        .bind(account.created_at.as_microsecond())
        .bind(&account.created_by)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn account(&self, user_name: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountColumns> = sqlx::query_as(
            "SELECT user_name, display_name, role, agency, team, password_hash, created_us, created_by \
             FROM accounts WHERE user_name = $1",
        )
        .bind(user_name)
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        row.map(account_from_columns).transpose()
    }

    async fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        let rows: Vec<AccountColumns> = sqlx::query_as(
            "SELECT user_name, display_name, role, agency, team, password_hash, created_us, created_by \
             FROM accounts ORDER BY sequence",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let changes: Vec<ChangeColumns> = sqlx::query_as(
            "SELECT user_name, change, reason, changed_us, changed_by FROM account_changes \
             ORDER BY sequence",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let mut latest: HashMap<String, AccountChange> = HashMap::new();
        for row in changes {
            let change = change_from_columns(row)?;
            latest.insert(change.user_name.clone(), change);
        }
        rows.into_iter()
            .map(|row| {
                let account = account_from_columns(row)?;
                let latest_change = latest.remove(&account.user_name);
                Ok(StoredAccount {
                    account,
                    latest_change,
                })
            })
            .collect()
    }

    async fn account_changes(&self, user_name: &str) -> Result<Vec<AccountChange>, StoreError> {
        let rows: Vec<ChangeColumns> = sqlx::query_as(
            "SELECT user_name, change, reason, changed_us, changed_by FROM account_changes \
             WHERE user_name = $1 ORDER BY sequence",
        )
        .bind(user_name)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter().map(change_from_columns).collect()
    }

    async fn record_account_change(&self, change: &AccountChange) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_changes (user_name, change, reason, changed_us, changed_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&change.user_name)
        .bind(change.change.as_str())
        .bind(&change.reason)
        .bind(change.at.as_microsecond())
        .bind(&change.by)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn add_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, secret_hash, role, agency, expires_us, created_us, created_by, owner) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(&key.secret_hash)
        .bind(key.role.as_str())
        .bind(key.agency.as_ref().map(|a| a.as_str().to_string()))
        .bind(key.expires_at.map(|at| at.as_microsecond()))
        .bind(key.created_at.as_microsecond())
        .bind(&key.created_by)
        .bind(&key.owner)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn api_key(&self, id: &str) -> Result<Option<StoredApiKey>, StoreError> {
        let sql = format!("{KEY_SELECT} WHERE k.id = $1");
        let row: Option<KeyColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.map(key_from_columns).transpose()
    }

    async fn api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError> {
        let sql = format!("{KEY_SELECT} ORDER BY k.sequence");
        let rows: Vec<KeyColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(key_from_columns).collect()
    }

    async fn revoke_api_key(&self, revocation: &KeyRevocation) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO api_key_revocations (key_id, revoked_us, revoked_by) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(&revocation.key_id)
        .bind(revocation.revoked_at.as_microsecond())
        .bind(&revocation.revoked_by)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_break_glass(&self, opening: &BreakGlassOpening) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO break_glass_openings (id, principal_id, display_name, role, agency, child, \
             reason, opened_us, expires_us) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(opening.id.to_string())
        .bind(&opening.principal_id)
        .bind(&opening.display_name)
        .bind(opening.role.as_str())
        .bind(opening.agency.as_ref().map(|a| a.as_str().to_string()))
        .bind(&opening.child)
        .bind(&opening.reason)
        .bind(microseconds(opening.opened_at))
        .bind(microseconds(opening.expires_at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn latest_break_glass(
        &self,
        principal_id: &str,
        child: &str,
    ) -> Result<Option<BreakGlassOpening>, StoreError> {
        let sql = format!(
            "{OPENING_SELECT} WHERE principal_id = $1 AND child = $2 ORDER BY expires_us DESC, sequence DESC LIMIT 1"
        );
        let row: Option<break_glass::OpeningColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(principal_id)
            .bind(child)
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.map(break_glass::opening_from_columns).transpose()
    }

    async fn break_glass_opening(&self, id: Uuid) -> Result<Option<ReviewedOpening>, StoreError> {
        let sql = format!("{OPENING_SELECT} WHERE id = $1::uuid");
        let row: Option<break_glass::OpeningColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let Some(opening) = row.map(break_glass::opening_from_columns).transpose()? else {
            return Ok(None);
        };
        let sql = format!("{REVIEW_SELECT} WHERE opening = $1::uuid ORDER BY sequence");
        let reviews: Vec<break_glass::ReviewColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        let reviews = reviews
            .into_iter()
            .map(break_glass::review_from_columns)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(break_glass::with_reviews(vec![opening], reviews).pop())
    }

    async fn break_glass_openings(&self) -> Result<Vec<ReviewedOpening>, StoreError> {
        let sql = format!("{OPENING_SELECT} ORDER BY sequence");
        let openings: Vec<break_glass::OpeningColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        let sql = format!("{REVIEW_SELECT} ORDER BY sequence");
        let reviews: Vec<break_glass::ReviewColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(break_glass::with_reviews(
            openings
                .into_iter()
                .map(break_glass::opening_from_columns)
                .collect::<Result<_, _>>()?,
            reviews
                .into_iter()
                .map(break_glass::review_from_columns)
                .collect::<Result<_, _>>()?,
        ))
    }

    async fn record_break_glass_review(&self, review: &BreakGlassReview) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO break_glass_reviews (id, opening, reviewer_id, reviewer_name, outcome, note, at_us) \
             VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7)",
        )
        .bind(review.id.to_string())
        .bind(review.opening.to_string())
        .bind(&review.reviewer_id)
        .bind(&review.reviewer_name)
        .bind(review.outcome.as_str())
        .bind(&review.note)
        .bind(microseconds(review.at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn record_linkage_decision(&self, decision: &LinkageDecision) -> Result<i64, StoreError> {
        let mut transaction = begin_followed_append(&self.pool, LINKAGE_DECISIONS_LOCK).await?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO linkage_decisions (id, left_record, right_record, decision, by_id, by_name, reason, at_us) \
             VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8) RETURNING sequence",
        )
        .bind(decision.id.to_string())
        .bind(&decision.left)
        .bind(&decision.right)
        .bind(decision.decision.as_str())
        .bind(&decision.by_id)
        .bind(&decision.by_name)
        .bind(&decision.reason)
        .bind(microseconds(decision.at))
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(sequence)
    }

    async fn linkage_decisions_after(
        &self,
        page: Page,
    ) -> Result<Vec<StoredLinkageDecision>, StoreError> {
        let rows: Vec<linkage_decisions::DecisionColumns> = sqlx::query_as(
            "SELECT sequence, id::text, left_record, right_record, decision, by_id, by_name, reason, at_us \
             FROM linkage_decisions WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(linkage_decisions::decision_from_columns)
            .collect()
    }

    async fn record_front_door_decision(&self, entry: &FrontDoorEntry) -> Result<i64, StoreError> {
        let body = entry.body_text()?;
        let mut transaction = begin_followed_append(&self.pool, FRONT_DOOR_DECISIONS_LOCK).await?;
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO front_door_decisions (id, item, by_id, at_us, body) \
             VALUES ($1::uuid, $2, $3, $4, $5::jsonb) RETURNING sequence",
        )
        .bind(entry.id.to_string())
        .bind(&entry.item)
        .bind(&entry.by_id)
        .bind(microseconds(entry.at))
        .bind(body)
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(sequence)
    }

    async fn front_door_decisions_after(
        &self,
        page: Page,
    ) -> Result<Vec<StoredFrontDoorEntry>, StoreError> {
        let rows: Vec<front_door::FrontDoorColumns> = sqlx::query_as(
            "SELECT sequence, id::text, item, by_id, at_us, body::text \
             FROM front_door_decisions WHERE sequence > $1 ORDER BY sequence LIMIT $2",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(front_door::entry_from_columns)
            .collect()
    }

    async fn add_webhook_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webhook_subscriptions (id, agency, url, topics, lawful_basis, secret, \
             created_by, created_us) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(subscription.id.to_string())
        .bind(subscription.agency.as_str())
        .bind(&subscription.url)
        .bind(webhooks::topics_text(&subscription.topics))
        .bind(&subscription.lawful_basis)
        .bind(&subscription.secret)
        .bind(&subscription.created_by)
        .bind(microseconds(subscription.created_at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_webhook_subscription(
        &self,
        revocation: &SubscriptionRevocation,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO webhook_subscription_revocations (subscription, revoked_by, reason, at_us) \
             VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (subscription) DO NOTHING",
        )
        .bind(revocation.subscription.to_string())
        .bind(&revocation.revoked_by)
        .bind(&revocation.reason)
        .bind(microseconds(revocation.at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn webhook_subscriptions(&self) -> Result<Vec<StoredSubscription>, StoreError> {
        let rows: Vec<webhooks::SubscriptionColumns> = sqlx::query_as(
            "SELECT s.id::text, s.agency, s.url, s.topics, s.lawful_basis, s.secret, s.created_by, \
             s.created_us, r.revoked_by, r.reason, r.at_us FROM webhook_subscriptions s \
             LEFT JOIN webhook_subscription_revocations r ON r.subscription = s.id ORDER BY s.sequence",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(webhooks::subscription_from_columns)
            .collect()
    }

    async fn queue_webhook_deliveries(
        &self,
        deliveries: &[NewDelivery],
    ) -> Result<usize, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        let mut new = 0;
        for chunk in deliveries.chunks(5000) {
            let ids: Vec<String> = chunk.iter().map(|d| d.id.to_string()).collect();
            let subscriptions: Vec<String> =
                chunk.iter().map(|d| d.subscription.to_string()).collect();
            let subjects: Vec<&str> = chunk.iter().map(|d| d.subject.as_str()).collect();
            let topics: Vec<&str> = chunk.iter().map(|d| d.topic.as_str()).collect();
            let children: Vec<Option<&str>> = chunk.iter().map(|d| d.child.as_deref()).collect();
            let alerts: Vec<Option<&str>> = chunk.iter().map(|d| d.alert.as_deref()).collect();
            let payloads: Vec<String> = chunk.iter().map(|d| d.payload.to_string()).collect();
            let created: Vec<i64> = chunk.iter().map(|d| microseconds(d.created_at)).collect();
            let done = sqlx::query(
                "INSERT INTO webhook_deliveries (id, subscription, subject, topic, child, alert, \
                 payload, created_us) \
                 SELECT id, subscription, subject, topic, child, alert, payload::jsonb, created_us \
                 FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], \
                             $7::text[], $8::int8[]) WITH ORDINALITY \
                      AS t(id, subscription, subject, topic, child, alert, payload, created_us, ordinal) \
                 ORDER BY ordinal \
                 ON CONFLICT (subscription, subject) DO NOTHING",
            )
            .bind(&ids)
            .bind(&subscriptions)
            .bind(&subjects)
            .bind(&topics)
            .bind(&children)
            .bind(&alerts)
            .bind(&payloads)
            .bind(&created)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
            new += done.rows_affected() as usize;
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(new)
    }

    async fn undelivered_webhooks(&self) -> Result<Vec<DeliveryHistory>, StoreError> {
        self.delivery_histories(&format!("WHERE {UNDELIVERED}"), None)
            .await
    }

    async fn webhook_delivery(&self, id: Uuid) -> Result<Option<DeliveryHistory>, StoreError> {
        Ok(self
            .delivery_histories("WHERE d.id = $1::uuid", Some(id.to_string()))
            .await?
            .pop())
    }

    async fn claim_webhook_attempt(&self, claim: &AttemptClaim) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO webhook_attempts (delivery, number, started_us) VALUES ($1::uuid, $2, $3) \
             ON CONFLICT (delivery, number) DO NOTHING",
        )
        .bind(claim.delivery.to_string())
        .bind(i64::from(claim.number))
        .bind(microseconds(claim.started_at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_webhook_attempt(
        &self,
        result: &AttemptResult,
        disclosure: Option<&Disclosure>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        sqlx::query(
            "INSERT INTO webhook_attempt_results (delivery, number, finished_us, status, error, \
             delivered, gave_up) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)",
        )
        .bind(result.delivery.to_string())
        .bind(i64::from(result.number))
        .bind(microseconds(result.finished_at))
        .bind(result.status.map(i64::from))
        .bind(&result.error)
        .bind(result.delivered)
        .bind(result.gave_up)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        if let Some(disclosure) = disclosure {
            sqlx::query(
                "INSERT INTO disclosures (id, recipient, subscription, delivery, channel, child, \
                 alert, what, lawful_basis, at_us) \
                 VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5, $6, $7, $8, $9, $10)",
            )
            .bind(disclosure.id.to_string())
            .bind(disclosure.recipient.as_str())
            .bind(disclosure.subscription.map(|id| id.to_string()))
            .bind(disclosure.delivery.map(|id| id.to_string()))
            .bind(&disclosure.channel)
            .bind(&disclosure.child)
            .bind(&disclosure.alert)
            .bind(&disclosure.what)
            .bind(&disclosure.lawful_basis)
            .bind(microseconds(disclosure.at))
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)
    }

    async fn replay_webhook_delivery(&self, replay: &DeliveryReplay) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO webhook_replays (id, delivery, after_attempt, by_id, at_us) \
             VALUES ($1::uuid, $2::uuid, $3, $4, $5) ON CONFLICT (delivery, after_attempt) DO NOTHING",
        )
        .bind(replay.id.to_string())
        .bind(replay.delivery.to_string())
        .bind(i64::from(replay.after_attempt))
        .bind(&replay.by)
        .bind(microseconds(replay.at))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn disclosures(&self, child: Option<&str>) -> Result<Vec<Disclosure>, StoreError> {
        let rows: Vec<webhooks::DisclosureColumns> = sqlx::query_as(
            "SELECT id::text, recipient, subscription::text, delivery::text, channel, child, alert, \
             what, lawful_basis, at_us FROM disclosures WHERE ($1::text IS NULL OR child = $1) \
             ORDER BY sequence",
        )
        .bind(child)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(webhooks::disclosure_from_columns)
            .collect()
    }

    async fn webhook_counts(&self) -> Result<WebhookCounts, StoreError> {
        let (delivered, failed): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) FILTER (WHERE delivered), COUNT(*) FILTER (WHERE NOT delivered) \
             FROM webhook_attempt_results",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(WebhookCounts {
            delivered: u64::try_from(delivered).unwrap_or(0),
            failed_attempts: u64::try_from(failed).unwrap_or(0),
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        if !self.appends.is_running() {
            return Err(StoreError::Unavailable(
                "the store's writer has stopped".to_string(),
            ));
        }
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    fn pools(&self) -> Vec<vigil_store::PoolStatus> {
        vec![vigil_store::PoolStatus {
            name: "main",
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }]
    }
}

/// Audit rows as entries.
fn audit_entries(rows: &[sqlx::postgres::PgRow]) -> Result<Vec<AuditEntry>, StoreError> {
    rows.iter()
        .map(|row| {
            let status: i32 = row.try_get("status").map_err(store_error)?;
            vigil_store::row::AuditRow {
                sequence: row.try_get("sequence").map_err(store_error)?,
                at_us: row.try_get("at_us").map_err(store_error)?,
                actor_id: row.try_get("actor_id").map_err(store_error)?,
                actor_role: row.try_get("actor_role").map_err(store_error)?,
                actor_agency: row.try_get("actor_agency").map_err(store_error)?,
                action: row.try_get("action").map_err(store_error)?,
                path: row.try_get("path").map_err(store_error)?,
                resource: row.try_get("resource").map_err(store_error)?,
                purpose: row.try_get("purpose").map_err(store_error)?,
                status: i64::from(status),
                allowed: row.try_get("allowed").map_err(store_error)?,
                request_id: row.try_get("request_id").map_err(store_error)?,
                previous_hash: row.try_get("previous_hash").map_err(store_error)?,
                hash: row.try_get("hash").map_err(store_error)?,
            }
            .decode()
        })
        .collect()
}
