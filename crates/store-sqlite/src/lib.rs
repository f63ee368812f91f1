//! The embedded event store: Vigil's default, one SQLite file beside the binary.
//!
//! SQLite allows one writer at a time, so every append goes through the shared group
//! commit (`vigil_store::queue`) to one writer that owns the only write connection:
//! appends queue in Vigil rather than fail with "database is locked", the
//! look-up-then-insert of an append cannot race another, and appends that arrive
//! together share one transaction and one disk flush. Rows are inserted many per
//! statement, because each statement costs a round trip to SQLite's worker thread.
//! Reads use their own pool and, in WAL mode, never wait for the writer.
//!
//! Durability: `synchronous = FULL` by default, so an acknowledged event survives a
//! power cut, not only a crash of Vigil. `NORMAL` is faster and still survives a crash
//! of the process; an operator may choose it in the configuration.

mod backup;

pub use backup::restore;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};
use uuid::Uuid;
use vigil_domain::{AgencyCode, EventId, NewEvent, SourceKey};
use vigil_store::accounts;
use vigil_store::row::{EventRow, body_json, identity_record_ids_json, microseconds};
use vigil_store::{Account, AccountChange, ApiKey, KeyRevocation, StoredAccount, StoredApiKey};
use vigil_store::{
    AlertAction, AppendQueue, Appended, AuditEntry, AuditQueue, AuditWriter, ChainHead, EventStore,
    Existing, GroupTransaction, GroupWriter, IdentityRecord, IdentityRecordId, NewAuditEntry,
    NewDerivation, Page, PlannedEvent, StoreError, StoredAlertAction, StoredDerivation,
    StoredEvent, SupersedeTarget, plan_append, row,
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

/// How hard SQLite works to keep a committed transaction through a power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit reaches the disk before it is acknowledged.
    #[default]
    Full,
    /// A commit survives a crash of Vigil, but the last moments before a power cut may
    /// be lost.
    Normal,
}

#[derive(Clone)]
pub struct SqliteStore {
    appends: AppendQueue,
    audit: AuditQueue,
    writer: SqlitePool,
    reader: SqlitePool,
}

/// Opens group transactions on the one write connection.
#[derive(Clone)]
struct SqliteWriter {
    pool: SqlitePool,
}

const EVENT_COLUMNS: &str = "e.sequence, e.id, e.recorded_at_us, e.ingested_at_us, e.content_hash, e.body, \
     e.identity_record_ids, (SELECT s.id FROM events s WHERE s.supersedes = e.id) AS superseded_by";

const NOT_SUPERSEDED: &str = "NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id)";

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Full => SqliteSynchronous::Full,
                Durability::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::connect(options).await
    }

    /// Opens a `sqlite://` URL, as given on the command line.
    pub async fn open_url(url: &str, durability: Durability) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|error| StoreError::Unavailable(error.to_string()))?;
        let path = options.get_filename().to_path_buf();
        Self::open(&path, durability).await
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        // The writer never checkpoints: a checkpoint copies the log into the database
        // and flushes it, and done inside a commit it stalls every append queued behind
        // it. A background task checkpoints instead, on a connection of its own.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
            .await
            .map_err(store_error)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|error| StoreError::Internal(format!("migrating the database: {error}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(store_error)?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(store_error)?;
        tokio::spawn(checkpoint_regularly(checkpointer, writer.clone()));
        let appends = AppendQueue::start(SqliteWriter {
            pool: writer.clone(),
        });
        let audit = AuditQueue::start(SqliteAuditWriter {
            pool: writer.clone(),
        });
        Ok(SqliteStore {
            appends,
            audit,
            writer,
            reader,
        })
    }

    /// Only for tests of the append-only guarantee: runs a statement on the writer.
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, String> {
        sqlx::query(AssertSqlSafe(sql.to_string()))
            .execute(&self.writer)
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
            };
        }
        let rows = query.fetch_all(&self.reader).await.map_err(store_error)?;
        rows.iter().map(decode_event).collect()
    }
}

/// Copies the write-ahead log into the database file every second, without waiting for
/// readers or the writer (`PASSIVE`), so the log stays short. Stops when the store is
/// dropped (its writer pool closes).
async fn checkpoint_regularly(checkpointer: SqlitePool, writer: SqlitePool) {
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if writer.is_closed() {
            break;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&checkpointer)
            .await
        {
            tracing::warn!(%error, "checkpoint failed; will try again");
        }
    }
    checkpointer.close().await;
}

enum Bind {
    Text(String),
    Integer(i64),
}

fn decode_event(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
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

/// Errors worth retrying (the disk is full, the file is busy or unreachable) are
/// `Unavailable`; the rest are faults.
fn store_error(error: sqlx::Error) -> StoreError {
    store_error_ref(&error)
}

fn store_error_ref(error: &sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            StoreError::Unavailable(error.to_string())
        }
        sqlx::Error::Database(database) => {
            // SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14.
            let primary = database
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                .map(|code| code & 0xff);
            if matches!(primary, Some(5 | 6 | 10 | 13 | 14)) {
                StoreError::Unavailable(error.to_string())
            } else {
                StoreError::Internal(error.to_string())
            }
        }
        _ => StoreError::Internal(error.to_string()),
    }
}

impl GroupWriter for SqliteWriter {
    type Transaction = SqliteGroup;

    /// `BEGIN IMMEDIATE` takes SQLite's write lock at once, so that another process
    /// writing the same file (an import beside a running server) waits for it
    /// (`busy_timeout`) instead of failing between this transaction's look-up and insert.
    async fn begin(&self) -> Result<SqliteGroup, StoreError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map(SqliteGroup)
            .map_err(store_error)
    }
}

/// One group's write transaction.
struct SqliteGroup(Transaction<'static, Sqlite>);

impl SqliteGroup {
    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError> {
        sqlx::query(sql)
            .execute(&mut *self.0)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

impl GroupTransaction for SqliteGroup {
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
        self.execute("ROLLBACK TO one_append").await
    }

    async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        self.execute("RELEASE one_append").await
    }

    async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await.map_err(store_error)
    }
}

async fn append_in(
    transaction: &mut Transaction<'_, Sqlite>,
    events: Vec<NewEvent>,
    ingested_at: Timestamp,
) -> Result<Vec<Appended>, StoreError> {
    let (existing, targets) = look_up(transaction, &events).await?;
    let plan = plan_append(events, ingested_at, &existing, &targets)?;
    let sequences = insert_events(transaction, &plan.inserts).await?;
    insert_identity_records(transaction, &plan.inserts, &sequences).await?;
    Ok(plan.outcomes(&sequences))
}

/// Placeholders for `rows` rows of `columns` values: `(?, ?), (?, ?)`.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// SQLite binds at most 32,766 values per statement; these chunk sizes stay well under.
const KEYS_PER_LOOKUP: usize = 500;
const EVENTS_PER_INSERT: usize = 500;
const RECORDS_PER_INSERT: usize = 1000;
const DERIVATIONS_PER_INSERT: usize = 1000;
const AUDIT_ENTRIES_PER_INSERT: usize = 1000;

fn internal(error: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(error.to_string())
}

async fn look_up(
    transaction: &mut Transaction<'_, Sqlite>,
    events: &[NewEvent],
) -> Result<
    (
        HashMap<SourceKey, Existing>,
        HashMap<EventId, SupersedeTarget>,
    ),
    StoreError,
> {
    let mut existing = HashMap::new();
    for chunk in events.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "SELECT id, content_hash, agency, source_system, source_id FROM events \
             WHERE (agency, source_system, source_id) IN (VALUES {})",
            placeholders(chunk.len(), 3)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for event in chunk {
            query = query
                .bind(event.agency.as_str())
                .bind(&event.source_system)
                .bind(&event.source_id);
        }
        for row in query
            .fetch_all(&mut **transaction)
            .await
            .map_err(store_error)?
        {
            let text = |column: &str| row.try_get::<String, _>(column).map_err(store_error);
            let key = SourceKey {
                agency: AgencyCode::parse(&text("agency")?).map_err(internal)?,
                source_system: text("source_system")?,
                source_id: text("source_id")?,
            };
            let id = EventId::parse(&text("id")?).map_err(internal)?;
            existing.insert(
                key,
                Existing {
                    id,
                    content_hash: text("content_hash")?,
                },
            );
        }
    }
    let mut targets = HashMap::new();
    for target in events.iter().filter_map(|event| event.supersedes) {
        let row = sqlx::query(
            "SELECT e.agency, (SELECT s.id FROM events s WHERE s.supersedes = e.id) AS superseded_by FROM events e WHERE e.id = ?",
        )
        .bind(target.to_string())
        .fetch_optional(&mut **transaction)
        .await
        .map_err(store_error)?;
        if let Some(row) = row {
            let agency: String = row.try_get("agency").map_err(store_error)?;
            let superseded_by: Option<String> =
                row.try_get("superseded_by").map_err(store_error)?;
            targets.insert(
                target,
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

/// Inserts the planned events; returns their sequence numbers in plan order.
async fn insert_events(
    transaction: &mut Transaction<'_, Sqlite>,
    inserts: &[PlannedEvent],
) -> Result<Vec<i64>, StoreError> {
    let mut sequence_of: HashMap<String, i64> = HashMap::with_capacity(inserts.len());
    for chunk in inserts.chunks(EVENTS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO events (id, agency, source_system, source_id, kind, occurred_start_us, recorded_at_us, \
             ingested_at_us, supersedes, content_hash, identity_record_ids, body) VALUES {} RETURNING id, sequence",
            placeholders(chunk.len(), 12)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for planned in chunk {
            let event = &planned.event;
            query = query
                .bind(planned.id.to_string())
                .bind(event.agency.as_str())
                .bind(&event.source_system)
                .bind(&event.source_id)
                .bind(event.kind())
                .bind(microseconds(event.occurred_at.start()))
                .bind(microseconds(planned.recorded_at))
                .bind(microseconds(planned.ingested_at))
                .bind(event.supersedes.map(|id| id.to_string()))
                .bind(&planned.content_hash)
                .bind(identity_record_ids_json(&planned.identity_records))
                .bind(body_json(event));
        }
        for row in query
            .fetch_all(&mut **transaction)
            .await
            .map_err(store_error)?
        {
            sequence_of.insert(
                row.try_get("id").map_err(store_error)?,
                row.try_get("sequence").map_err(store_error)?,
            );
        }
    }
    inserts
        .iter()
        .map(|planned| {
            sequence_of
                .get(&planned.id.to_string())
                .copied()
                .ok_or_else(|| internal("an inserted event returned no sequence number"))
        })
        .collect()
}

async fn insert_identity_records(
    transaction: &mut Transaction<'_, Sqlite>,
    inserts: &[PlannedEvent],
    sequences: &[i64],
) -> Result<(), StoreError> {
    let rows: Vec<_> = inserts
        .iter()
        .zip(sequences)
        .flat_map(|(planned, sequence)| {
            let agency = planned.event.agency.as_str();
            planned
                .identity_records
                .iter()
                .zip(&planned.event.people)
                .enumerate()
                .map(move |(position, (id, person))| {
                    (id, *sequence, position as i64, agency, person)
                })
        })
        .collect();
    for chunk in rows.chunks(RECORDS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO identity_records (id, event_sequence, position, agency, agency_reference, nhs_number, role) VALUES {}",
            placeholders(chunk.len(), 7)
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (id, sequence, position, agency, person) in chunk {
            query = query
                .bind(id.to_string())
                .bind(*sequence)
                .bind(*position)
                .bind(*agency)
                .bind(person.agency_reference.as_deref())
                .bind(person.nhs_number.map(|number| number.digits()))
                .bind(row::role_name(person.role));
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(store_error)?;
    }
    Ok(())
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

const OPENING_SELECT: &str = "SELECT id, principal_id, display_name, role, agency, child, reason, \
     opened_us, expires_us FROM break_glass_openings";

const REVIEW_SELECT: &str = "SELECT id, opening, reviewer_id, reviewer_name, outcome, note, at_us \
     FROM break_glass_reviews";

/// Deliveries no try has delivered: what the sender looks at.
const UNDELIVERED: &str = "NOT EXISTS (SELECT 1 FROM webhook_attempt_results r \
     WHERE r.delivery = d.id AND r.delivered)";

impl SqliteStore {
    /// Deliveries chosen by `filter` (a constant fragment of this file, with at most one
    /// bound value), each with its tries and replays.
    async fn delivery_histories(
        &self,
        filter: &str,
        value: Option<String>,
    ) -> Result<Vec<DeliveryHistory>, StoreError> {
        // One read transaction: one snapshot of the three tables.
        let mut transaction = self.reader.begin().await.map_err(store_error)?;
        let sql = format!(
            "SELECT d.id, d.subscription, d.subject, d.topic, d.child, d.alert, d.payload, \
             d.created_us FROM webhook_deliveries d {filter} ORDER BY d.sequence"
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
            "SELECT a.delivery, a.number, a.started_us, r.finished_us, r.status, r.error, \
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
            "SELECT p.id, p.delivery, p.after_attempt, p.by_id, p.at_us FROM webhook_replays p \
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

/// Writes a batch of audit entries on the one write connection, in a `BEGIN IMMEDIATE`
/// transaction: the look-up of the last entry and the insert of the next cannot
/// interleave with another writer, in this process or another, so the chain never forks.
#[derive(Clone)]
struct SqliteAuditWriter {
    pool: SqlitePool,
}

impl AuditWriter for SqliteAuditWriter {
    async fn write(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut transaction = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
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
        for chunk in chained.chunks(AUDIT_ENTRIES_PER_INSERT) {
            let sql = format!(
                "INSERT INTO audit (sequence, at_us, actor_id, actor_role, actor_agency, action, path, \
                 resource, purpose, status, allowed, request_id, previous_hash, hash) VALUES {}",
                placeholders(chunk.len(), 14)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for stored in chunk {
                let entry = &stored.entry;
                query = query
                    .bind(stored.sequence)
                    .bind(microseconds(entry.at))
                    .bind(&entry.actor_id)
                    .bind(&entry.actor_role)
                    .bind(&entry.actor_agency)
                    .bind(&entry.action)
                    .bind(&entry.path)
                    .bind(&entry.resource)
                    .bind(&entry.purpose)
                    .bind(i64::from(entry.status))
                    .bind(entry.allowed)
                    .bind(&entry.request_id)
                    .bind(&stored.previous_hash)
                    .bind(&stored.hash);
            }
            query
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)
    }
}

impl EventStore for SqliteStore {
    async fn append(
        &self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> Result<Vec<Appended>, StoreError> {
        self.appends.append(events, ingested_at).await
    }

    async fn event(&self, id: EventId) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = ?");
        Ok(self
            .fetch_events(sql, vec![Bind::Text(id.to_string())])
            .await?
            .pop())
    }

    async fn event_by_source(&self, key: &SourceKey) -> Result<Option<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.agency = ? AND e.source_system = ? AND e.source_id = ?"
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
            "1"
        } else {
            NOT_SUPERSEDED
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.sequence IN \
             (SELECT event_sequence FROM identity_records WHERE agency = ? AND agency_reference = ?) \
             AND e.sequence > ? AND {current} ORDER BY e.sequence LIMIT ?"
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
            "1"
        } else {
            NOT_SUPERSEDED
        };
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.agency = ? AND e.sequence > ? AND {current} \
             ORDER BY e.sequence LIMIT ?"
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
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.sequence > ? ORDER BY e.sequence LIMIT ?"
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
            "SELECT r.id, r.position, e.id AS event_id, e.agency, e.recorded_at_us, e.body \
             FROM identity_records r JOIN events e ON e.sequence = r.event_sequence WHERE r.id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&self.reader)
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
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO alert_actions (id, alert, at_us, body) VALUES (?, ?, ?, ?) RETURNING sequence",
        )
        .bind(action.id.to_string())
        .bind(&action.alert)
        .bind(action.at.as_microsecond())
        .bind(body)
        .fetch_one(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(sequence)
    }

    async fn alert_actions_after(&self, page: Page) -> Result<Vec<StoredAlertAction>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT sequence, body FROM alert_actions WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
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
        let mut transaction = self.writer.begin().await.map_err(store_error)?;
        let mut new = 0;
        for chunk in entries.chunks(DERIVATIONS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO derivations (key, kind, at_us, stored_us, body) VALUES {} \
                 ON CONFLICT (key) DO NOTHING",
                placeholders(chunk.len(), 5)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for entry in chunk {
                query = query
                    .bind(&entry.key)
                    .bind(&entry.kind)
                    .bind(microseconds(entry.at))
                    .bind(microseconds(stored_at))
                    .bind(entry.body.to_string());
            }
            let done = query
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
            "SELECT sequence, key, kind, at_us, stored_us, body FROM derivations \
             WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(|(sequence, key, kind, at_us, stored_us, body)| {
                vigil_store::row::derivation_row(sequence, key, kind, at_us, stored_us, &body)
            })
            .collect()
    }

    /// Through the audit's group commit ([`AuditQueue`]): the entries waiting together
    /// are written by [`SqliteAuditWriter`] in one transaction.
    async fn append_audit(&self, entries: Vec<NewAuditEntry>) -> Result<(), StoreError> {
        self.audit.append(entries).await
    }

    async fn audit_after(&self, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash FROM audit \
             WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        audit_entries(&rows)
    }

    async fn audit_about(&self, resource: &str, page: Page) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT sequence, at_us, actor_id, actor_role, actor_agency, action, path, resource, \
             purpose, status, allowed, request_id, previous_hash, hash FROM audit \
             WHERE resource = ? AND sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(resource)
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        audit_entries(&rows)
    }

    async fn event_count(&self) -> Result<u64, StoreError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.reader)
            .await
            .map_err(store_error)?;
        Ok(count as u64)
    }

    async fn add_account(&self, account: &Account) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO accounts (user_name, display_name, role, agency, team, password_hash, created_us, created_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_name) DO NOTHING",
        )
        .bind(&account.user_name)
        .bind(&account.display_name)
        .bind(account.role.as_str())
        .bind(account.agency.as_ref().map(|a| a.as_str().to_string()))
        .bind(&account.team)
        .bind(&account.password_hash)
        .bind(account.created_at.as_microsecond())
        .bind(&account.created_by)
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn account(&self, user_name: &str) -> Result<Option<Account>, StoreError> {
        let row: Option<AccountColumns> = sqlx::query_as(
            "SELECT user_name, display_name, role, agency, team, password_hash, created_us, created_by \
             FROM accounts WHERE user_name = ?",
        )
        .bind(user_name)
        .fetch_optional(&self.reader)
        .await
        .map_err(store_error)?;
        row.map(account_from_columns).transpose()
    }

    async fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        let rows: Vec<AccountColumns> = sqlx::query_as(
            "SELECT user_name, display_name, role, agency, team, password_hash, created_us, created_by \
             FROM accounts ORDER BY sequence",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        let changes: Vec<ChangeColumns> = sqlx::query_as(
            "SELECT user_name, change, reason, changed_us, changed_by FROM account_changes \
             ORDER BY sequence",
        )
        .fetch_all(&self.reader)
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
             WHERE user_name = ? ORDER BY sequence",
        )
        .bind(user_name)
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        rows.into_iter().map(change_from_columns).collect()
    }

    async fn record_account_change(&self, change: &AccountChange) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_changes (user_name, change, reason, changed_us, changed_by) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&change.user_name)
        .bind(change.change.as_str())
        .bind(&change.reason)
        .bind(change.at.as_microsecond())
        .bind(&change.by)
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn add_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, secret_hash, role, agency, expires_us, created_us, created_by, owner) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn api_key(&self, id: &str) -> Result<Option<StoredApiKey>, StoreError> {
        let sql = format!("{KEY_SELECT} WHERE k.id = ?");
        let row: Option<KeyColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(store_error)?;
        row.map(key_from_columns).transpose()
    }

    async fn api_keys(&self) -> Result<Vec<StoredApiKey>, StoreError> {
        let sql = format!("{KEY_SELECT} ORDER BY k.sequence");
        let rows: Vec<KeyColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.reader)
            .await
            .map_err(store_error)?;
        rows.into_iter().map(key_from_columns).collect()
    }

    async fn revoke_api_key(&self, revocation: &KeyRevocation) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO api_key_revocations (key_id, revoked_us, revoked_by) VALUES (?, ?, ?) \
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(&revocation.key_id)
        .bind(revocation.revoked_at.as_microsecond())
        .bind(&revocation.revoked_by)
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_break_glass(&self, opening: &BreakGlassOpening) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO break_glass_openings (id, principal_id, display_name, role, agency, child, \
             reason, opened_us, expires_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.writer)
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
            "{OPENING_SELECT} WHERE principal_id = ? AND child = ? ORDER BY expires_us DESC, sequence DESC LIMIT 1"
        );
        let row: Option<break_glass::OpeningColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(principal_id)
            .bind(child)
            .fetch_optional(&self.reader)
            .await
            .map_err(store_error)?;
        row.map(break_glass::opening_from_columns).transpose()
    }

    async fn break_glass_opening(&self, id: Uuid) -> Result<Option<ReviewedOpening>, StoreError> {
        let sql = format!("{OPENING_SELECT} WHERE id = ?");
        let row: Option<break_glass::OpeningColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await
            .map_err(store_error)?;
        let Some(opening) = row.map(break_glass::opening_from_columns).transpose()? else {
            return Ok(None);
        };
        let sql = format!("{REVIEW_SELECT} WHERE opening = ? ORDER BY sequence");
        let reviews: Vec<break_glass::ReviewColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_all(&self.reader)
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
            .fetch_all(&self.reader)
            .await
            .map_err(store_error)?;
        let sql = format!("{REVIEW_SELECT} ORDER BY sequence");
        let reviews: Vec<break_glass::ReviewColumns> = sqlx::query_as(AssertSqlSafe(sql))
            .fetch_all(&self.reader)
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
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(review.id.to_string())
        .bind(review.opening.to_string())
        .bind(&review.reviewer_id)
        .bind(&review.reviewer_name)
        .bind(review.outcome.as_str())
        .bind(&review.note)
        .bind(microseconds(review.at))
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn record_linkage_decision(&self, decision: &LinkageDecision) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO linkage_decisions (id, left_record, right_record, decision, by_id, by_name, reason, at_us) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING sequence",
        )
        .bind(decision.id.to_string())
        .bind(&decision.left)
        .bind(&decision.right)
        .bind(decision.decision.as_str())
        .bind(&decision.by_id)
        .bind(&decision.by_name)
        .bind(&decision.reason)
        .bind(microseconds(decision.at))
        .fetch_one(&self.writer)
        .await
        .map_err(store_error)
    }

    async fn linkage_decisions_after(
        &self,
        page: Page,
    ) -> Result<Vec<StoredLinkageDecision>, StoreError> {
        let rows: Vec<linkage_decisions::DecisionColumns> = sqlx::query_as(
            "SELECT sequence, id, left_record, right_record, decision, by_id, by_name, reason, at_us \
             FROM linkage_decisions WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(linkage_decisions::decision_from_columns)
            .collect()
    }

    async fn record_front_door_decision(&self, entry: &FrontDoorEntry) -> Result<i64, StoreError> {
        let body = entry.body_text()?;
        sqlx::query_scalar(
            "INSERT INTO front_door_decisions (id, item, by_id, at_us, body) \
             VALUES (?, ?, ?, ?, ?) RETURNING sequence",
        )
        .bind(entry.id.to_string())
        .bind(&entry.item)
        .bind(&entry.by_id)
        .bind(microseconds(entry.at))
        .bind(body)
        .fetch_one(&self.writer)
        .await
        .map_err(store_error)
    }

    async fn front_door_decisions_after(
        &self,
        page: Page,
    ) -> Result<Vec<StoredFrontDoorEntry>, StoreError> {
        let rows: Vec<front_door::FrontDoorColumns> = sqlx::query_as(
            "SELECT sequence, id, item, by_id, at_us, body \
             FROM front_door_decisions WHERE sequence > ? ORDER BY sequence LIMIT ?",
        )
        .bind(page.after)
        .bind(i64::from(page.limit))
        .fetch_all(&self.reader)
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
             created_by, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(subscription.id.to_string())
        .bind(subscription.agency.as_str())
        .bind(&subscription.url)
        .bind(webhooks::topics_text(&subscription.topics))
        .bind(&subscription.lawful_basis)
        .bind(&subscription.secret)
        .bind(&subscription.created_by)
        .bind(microseconds(subscription.created_at))
        .execute(&self.writer)
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
             VALUES (?, ?, ?, ?) ON CONFLICT (subscription) DO NOTHING",
        )
        .bind(revocation.subscription.to_string())
        .bind(&revocation.revoked_by)
        .bind(&revocation.reason)
        .bind(microseconds(revocation.at))
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn webhook_subscriptions(&self) -> Result<Vec<StoredSubscription>, StoreError> {
        let rows: Vec<webhooks::SubscriptionColumns> = sqlx::query_as(
            "SELECT s.id, s.agency, s.url, s.topics, s.lawful_basis, s.secret, s.created_by, \
             s.created_us, r.revoked_by, r.reason, r.at_us FROM webhook_subscriptions s \
             LEFT JOIN webhook_subscription_revocations r ON r.subscription = s.id ORDER BY s.sequence",
        )
        .fetch_all(&self.reader)
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
        let mut transaction = self.writer.begin().await.map_err(store_error)?;
        let mut new = 0;
        for chunk in deliveries.chunks(DERIVATIONS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO webhook_deliveries (id, subscription, subject, topic, child, alert, \
                 payload, created_us) VALUES {} ON CONFLICT (subscription, subject) DO NOTHING",
                placeholders(chunk.len(), 8)
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for delivery in chunk {
                query = query
                    .bind(delivery.id.to_string())
                    .bind(delivery.subscription.to_string())
                    .bind(&delivery.subject)
                    .bind(delivery.topic.as_str())
                    .bind(&delivery.child)
                    .bind(&delivery.alert)
                    .bind(delivery.payload.to_string())
                    .bind(microseconds(delivery.created_at));
            }
            let done = query
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
            .delivery_histories("WHERE d.id = ?", Some(id.to_string()))
            .await?
            .pop())
    }

    async fn claim_webhook_attempt(&self, claim: &AttemptClaim) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO webhook_attempts (delivery, number, started_us) VALUES (?, ?, ?) \
             ON CONFLICT (delivery, number) DO NOTHING",
        )
        .bind(claim.delivery.to_string())
        .bind(i64::from(claim.number))
        .bind(microseconds(claim.started_at))
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_webhook_attempt(
        &self,
        result: &AttemptResult,
        disclosure: Option<&Disclosure>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.writer.begin().await.map_err(store_error)?;
        sqlx::query(
            "INSERT INTO webhook_attempt_results (delivery, number, finished_us, status, error, \
             delivered, gave_up) VALUES (?, ?, ?, ?, ?, ?, ?)",
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
                 alert, what, lawful_basis, at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (delivery, after_attempt) DO NOTHING",
        )
        .bind(replay.id.to_string())
        .bind(replay.delivery.to_string())
        .bind(i64::from(replay.after_attempt))
        .bind(&replay.by)
        .bind(microseconds(replay.at))
        .execute(&self.writer)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn disclosures(&self, child: Option<&str>) -> Result<Vec<Disclosure>, StoreError> {
        let rows: Vec<webhooks::DisclosureColumns> = sqlx::query_as(
            "SELECT id, recipient, subscription, delivery, channel, child, alert, what, \
             lawful_basis, at_us FROM disclosures WHERE (? IS NULL OR child = ?) ORDER BY sequence",
        )
        .bind(child)
        .bind(child)
        .fetch_all(&self.reader)
        .await
        .map_err(store_error)?;
        rows.into_iter()
            .map(webhooks::disclosure_from_columns)
            .collect()
    }

    async fn webhook_counts(&self) -> Result<WebhookCounts, StoreError> {
        let (delivered, failed): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(delivered), 0), COALESCE(SUM(1 - delivered), 0) \
             FROM webhook_attempt_results",
        )
        .fetch_one(&self.reader)
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
            .execute(&self.reader)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    fn pools(&self) -> Vec<vigil_store::PoolStatus> {
        [("read", &self.reader), ("write", &self.writer)]
            .into_iter()
            .map(|(name, pool)| vigil_store::PoolStatus {
                name,
                open: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
            .collect()
    }
}

/// Audit rows as entries.
fn audit_entries(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<AuditEntry>, StoreError> {
    rows.iter()
        .map(|row| {
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
                status: row.try_get("status").map_err(store_error)?,
                allowed: row.try_get("allowed").map_err(store_error)?,
                request_id: row.try_get("request_id").map_err(store_error)?,
                previous_hash: row.try_get("previous_hash").map_err(store_error)?,
                hash: row.try_get("hash").map_err(store_error)?,
            }
            .decode()
        })
        .collect()
}
