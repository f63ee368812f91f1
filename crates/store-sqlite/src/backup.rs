//! Backing up and restoring the embedded store. A backup is itself a SQLite database,
//! written by `VACUUM INTO`: SQLite reads one snapshot of the database (in WAL mode the
//! writer goes on appending meanwhile, so the backup is consistent while Vigil serves)
//! and writes a compact copy that any SQLite tool can open.
//!
//! Both directions write to a temporary name beside the destination and rename it when
//! complete, so an interrupted backup or restore never leaves a file that looks whole.
//! Neither overwrites an existing file: a restore is into a fresh file, and the
//! operator moves files, not Vigil.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Row};
use vigil_store::StoreError;
use vigil_store::backup::BackupSummary;

use crate::{MIGRATOR, SqliteStore, store_error};

fn refuse_existing(path: &Path) -> Result<(), StoreError> {
    for candidate in [path.to_path_buf(), with_suffix(path, "-wal")] {
        if candidate.exists() {
            return Err(StoreError::Internal(format!(
                "{} already exists; Vigil does not overwrite files: choose a new name, or move it away first",
                candidate.display()
            )));
        }
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes the database `pool` reads into `destination` under a temporary name, then
/// renames it.
async fn vacuum_into(pool: &SqlitePool, destination: &Path) -> Result<(), StoreError> {
    refuse_existing(destination)?;
    let partial = with_suffix(destination, ".partial");
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .ok_or_else(|| StoreError::Internal(format!("{} is not valid UTF-8", partial.display())))?;
    let written = sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .map_err(store_error);
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    std::fs::rename(&partial, destination).map_err(|error| {
        StoreError::Unavailable(format!(
            "renaming {} to {}: {error}",
            partial.display(),
            destination.display()
        ))
    })
}

/// The schema version (last migration applied) and the rows of each table.
async fn summarise(pool: &SqlitePool) -> Result<BackupSummary, StoreError> {
    let has_migrations: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await
    .map_err(store_error)?;
    if !has_migrations {
        return Err(StoreError::Internal(
            "this SQLite file is not a Vigil database (it has no migrations table)".to_string(),
        ));
    }
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .map_err(store_error)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(store_error)?;
    let mut rows = BTreeMap::new();
    for table in tables {
        // The name comes from the database's own catalogue; quoted all the same.
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        let count: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM {quoted}")))
            .fetch_one(pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(store_error)?;
        rows.insert(table, u64::try_from(count).unwrap_or(0));
    }
    Ok(BackupSummary {
        schema_version,
        rows,
    })
}

async fn open_read_only(path: &Path) -> Result<SqlitePool, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Internal(format!(
            "{} does not exist or is not a file",
            path.display()
        )));
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(store_error)
}

impl SqliteStore {
    /// A consistent copy of the whole database at `destination` (a new file), taken
    /// while the store goes on serving. Returns what the copy holds.
    pub async fn backup_to(&self, destination: &Path) -> Result<BackupSummary, StoreError> {
        vacuum_into(&self.reader, destination).await?;
        let copy = open_read_only(destination).await?;
        let summary = summarise(&copy).await;
        copy.close().await;
        summary
    }
}

/// Restores the backup at `backup` into a new database file at `destination`, after
/// checking that the backup is a whole SQLite database (`PRAGMA integrity_check`) made
/// by this or an earlier Vigil. Open the result with [`SqliteStore::open`], which
/// brings an older schema up to date.
pub async fn restore(backup: &Path, destination: &Path) -> Result<BackupSummary, StoreError> {
    refuse_existing(destination)?;
    let source = open_read_only(backup).await?;
    let result = async {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&source)
            .await
            .map_err(|error| {
                StoreError::Internal(format!(
                    "{} is not a readable SQLite database: {error}",
                    backup.display()
                ))
            })?;
        if integrity != ["ok"] {
            return Err(StoreError::Internal(format!(
                "{} is damaged; SQLite's integrity check says: {}",
                backup.display(),
                integrity.join("; ")
            )));
        }
        let summary = summarise(&source).await?;
        let newest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if summary.schema_version > newest {
            return Err(StoreError::Internal(format!(
                "the backup has schema version {}, newer than this Vigil knows ({newest}): restore it with the Vigil that made it",
                summary.schema_version
            )));
        }
        vacuum_into(&source, destination).await?;
        Ok(summary)
    }
    .await;
    source.close().await;
    result
}
