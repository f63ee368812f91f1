//! Backing up and restoring a PostgreSQL store with nothing but the `vigil` binary, in
//! Vigil's portable format (`vigil_store::backup`): no `pg_dump` of the server's major
//! version is needed on the host, and a restore goes through the store, which checks
//! the schema version and that the database it fills is empty.
//!
//! A backup reads every table of Vigil's schema in one `REPEATABLE READ` transaction,
//! so it is one consistent snapshot however long it takes while other processes go on
//! appending. Tables are found in the catalogue (a table added by a later migration is
//! backed up without changing this file) and ordered so that a table comes after the
//! tables its foreign keys refer to. A restore inserts the rows as they were, numbers
//! and all (`OVERRIDING SYSTEM VALUE`), then moves each identity sequence past the
//! largest number restored, all in one transaction: all or nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, BufWriter};
use std::path::Path;

use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Postgres, Transaction};
use vigil_store::StoreError;
use vigil_store::backup::{
    BackupHeader, BackupReader, BackupSummary, BackupWriter, FORMAT, FORMAT_VERSION,
};

use crate::{MIGRATOR, PostgresStore, store_error};

/// Rows fetched from the cursor, and inserted, per round trip.
const BATCH: usize = 1000;

/// A table name from the catalogue, checked before it is spliced into SQL.
fn checked(table: &str) -> Result<&str, StoreError> {
    if !table.is_empty()
        && table
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(table)
    } else {
        Err(StoreError::Internal(format!(
            "table name {table:?} is not one Vigil would create"
        )))
    }
}

/// Vigil's tables in the current schema, each after the tables it refers to.
async fn tables_in_restore_order(
    transaction: &mut Transaction<'static, Postgres>,
) -> Result<Vec<String>, StoreError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
         AND c.relname <> '_sqlx_migrations' ORDER BY c.relname",
    )
    .fetch_all(&mut **transaction)
    .await
    .map_err(store_error)?;
    let references: Vec<(String, String)> = sqlx::query_as(
        "SELECT source.relname::text, target.relname::text FROM pg_constraint k \
         JOIN pg_class source ON source.oid = k.conrelid \
         JOIN pg_class target ON target.oid = k.confrelid \
         JOIN pg_namespace n ON n.oid = source.relnamespace \
         WHERE k.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut **transaction)
    .await
    .map_err(store_error)?;
    let mut ordered = Vec::new();
    let mut placed = BTreeSet::new();
    while ordered.len() < tables.len() {
        let ready = tables.iter().find(|table| {
            !placed.contains(*table)
                && references
                    .iter()
                    .filter(|(source, target)| source == *table && target != *table)
                    .all(|(_, target)| placed.contains(target))
        });
        let Some(table) = ready else {
            return Err(StoreError::Internal(
                "the tables' foreign keys form a cycle; Vigil cannot order them".to_string(),
            ));
        };
        placed.insert(table.clone());
        ordered.push(checked(table)?.to_string());
    }
    Ok(ordered)
}

async fn schema_version(
    transaction: &mut Transaction<'static, Postgres>,
) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut **transaction)
        .await
        .map_err(store_error)
}

fn file_error(path: &Path, error: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("{}: {error}", path.display()))
}

impl PostgresStore {
    /// Writes a consistent backup of every table to `destination` (a new file),
    /// while the store goes on serving.
    pub async fn backup_to(&self, destination: &Path) -> Result<BackupSummary, StoreError> {
        let partial = {
            let mut name = destination.as_os_str().to_owned();
            name.push(".partial");
            std::path::PathBuf::from(name)
        };
        if destination.exists() {
            return Err(StoreError::Internal(format!(
                "{} already exists; Vigil does not overwrite files: choose a new name",
                destination.display()
            )));
        }
        let result = self.write_backup(&partial).await;
        match result {
            Ok(summary) => {
                std::fs::rename(&partial, destination)
                    .map_err(|error| file_error(destination, error))?;
                Ok(summary)
            }
            Err(error) => {
                let _ = std::fs::remove_file(&partial);
                Err(error)
            }
        }
    }

    async fn write_backup(&self, path: &Path) -> Result<BackupSummary, StoreError> {
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        let header = BackupHeader {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            backend: "postgres".to_string(),
            schema_version: schema_version(&mut transaction).await?,
            created_at: Timestamp::now(),
            tables: tables_in_restore_order(&mut transaction).await?,
        };
        let file = std::fs::File::create_new(path).map_err(|error| file_error(path, error))?;
        let mut writer = BackupWriter::start(BufWriter::new(file), header.clone())?;
        for table in &header.tables {
            // In the order of the first column (the log's sequence number where there
            // is one), so two backups of the same data are the same file.
            sqlx::query(AssertSqlSafe(format!(
                "DECLARE vigil_backup NO SCROLL CURSOR FOR \
                 SELECT row_to_json(t)::text FROM (SELECT * FROM {table} ORDER BY 1) t"
            )))
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
            loop {
                let rows: Vec<String> =
                    sqlx::query_scalar(AssertSqlSafe(format!("FETCH {BATCH} FROM vigil_backup")))
                        .fetch_all(&mut *transaction)
                        .await
                        .map_err(store_error)?;
                for row in &rows {
                    writer.row(table, row)?;
                }
                if rows.len() < BATCH {
                    break;
                }
            }
            sqlx::query("CLOSE vigil_backup")
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)?;
        let (buffered, summary) = writer.finish()?;
        let file = buffered
            .into_inner()
            .map_err(|error| file_error(path, error.into_error()))?;
        file.sync_all().map_err(|error| file_error(path, error))?;
        Ok(summary)
    }

    /// Restores a backup made by [`PostgresStore::backup_to`] into this store, which
    /// must be empty and at the backup's schema version. All or nothing.
    pub async fn restore_from(&self, source: &Path) -> Result<BackupSummary, StoreError> {
        let file = std::fs::File::open(source).map_err(|error| file_error(source, error))?;
        let mut reader = BackupReader::open(BufReader::new(file))?;
        if reader.header.backend != "postgres" {
            return Err(StoreError::Internal(format!(
                "the backup was made by the {} store; this is PostgreSQL",
                reader.header.backend
            )));
        }
        let mut transaction = self.pool.begin().await.map_err(store_error)?;
        let ours = schema_version(&mut transaction).await?;
        let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if reader.header.schema_version != ours {
            return Err(StoreError::Internal(format!(
                "the backup has schema version {}, this database {ours} (this Vigil's newest is {newest}): restore with the Vigil version that made the backup, then upgrade",
                reader.header.schema_version
            )));
        }
        let tables = tables_in_restore_order(&mut transaction).await?;
        for table in &reader.header.tables {
            if !tables.contains(table) {
                return Err(StoreError::Internal(format!(
                    "the backup holds table {table}, which this database does not have"
                )));
            }
        }
        for table in &tables {
            let occupied: bool = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT EXISTS (SELECT 1 FROM {table})"
            )))
            .fetch_one(&mut *transaction)
            .await
            .map_err(store_error)?;
            if occupied {
                return Err(StoreError::Internal(format!(
                    "the database is not empty (table {table} has rows): a restore only fills an empty database, so that nothing is overwritten or mixed"
                )));
            }
        }
        let mut pending: Vec<serde_json::Value> = Vec::new();
        let mut pending_table = String::new();
        while let Some((table, row)) = reader.next_row()? {
            if (table != pending_table || pending.len() >= BATCH) && !pending.is_empty() {
                insert(&mut transaction, &pending_table, &pending).await?;
                pending.clear();
            }
            pending_table = checked(&table)?.to_string();
            pending.push(row);
        }
        if !pending.is_empty() {
            insert(&mut transaction, &pending_table, &pending).await?;
        }
        for table in &tables {
            move_sequences_past_restored_rows(&mut transaction, table).await?;
        }
        transaction.commit().await.map_err(store_error)?;
        let mut summary = reader.summary();
        let rows: BTreeMap<String, u64> = reader
            .header
            .tables
            .iter()
            .map(|t| (t.clone(), summary.rows.get(t).copied().unwrap_or(0)))
            .collect();
        summary.rows = rows;
        Ok(summary)
    }
}

async fn insert(
    transaction: &mut Transaction<'static, Postgres>,
    table: &str,
    rows: &[serde_json::Value],
) -> Result<(), StoreError> {
    let rows =
        serde_json::to_string(rows).map_err(|error| StoreError::Internal(error.to_string()))?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO {table} OVERRIDING SYSTEM VALUE \
         SELECT * FROM jsonb_populate_recordset(NULL::{table}, $1::jsonb)"
    )))
    .bind(rows)
    .execute(&mut **transaction)
    .await
    .map_err(|error| StoreError::Internal(format!("restoring table {table}: {error}")))?;
    Ok(())
}

/// Sets each identity (or serial) column's sequence to the largest value restored, so
/// the next append continues the numbering.
async fn move_sequences_past_restored_rows(
    transaction: &mut Transaction<'static, Postgres>,
    table: &str,
) -> Result<(), StoreError> {
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT a.attname::text FROM pg_attribute a \
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped \
         AND pg_get_serial_sequence($1, a.attname) IS NOT NULL",
    )
    .bind(table)
    .fetch_all(&mut **transaction)
    .await
    .map_err(store_error)?;
    for column in columns {
        let column = checked(&column)?;
        sqlx::query(AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), m) \
             FROM (SELECT MAX({column}) AS m FROM {table}) s WHERE m IS NOT NULL"
        )))
        .bind(table)
        .bind(column)
        .execute(&mut **transaction)
        .await
        .map_err(store_error)?;
    }
    Ok(())
}
