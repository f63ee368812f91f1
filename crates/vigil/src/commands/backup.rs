//! `vigil backup FILE` and `vigil restore FILE`: a consistent copy of a store taken
//! while it serves, and that copy put back into a new database.
//!
//! The embedded store's backup is a SQLite file (`VACUUM INTO`, one snapshot); a
//! PostgreSQL store's is Vigil's portable JSON Lines format (`vigil_store::backup`),
//! written from one `REPEATABLE READ` snapshot, so neither needs tools beside the
//! binary. A restore never overwrites: into a SQLite file that does not exist yet, or
//! into an empty PostgreSQL database. Run `vigil check` on the result.

use std::path::Path;

use anyhow::Context;
use vigil_store::BackupSummary;
use vigil_store::EventStore;
use vigil_store_postgres::PostgresStore;
use vigil_store_sqlite::SqliteStore;

use crate::config::Database;

pub async fn backup(database: &Database, file: &Path) -> anyhow::Result<BackupSummary> {
    match database {
        Database::Sqlite { path, durability } => {
            let store = SqliteStore::open(path, *durability)
                .await
                .with_context(|| format!("opening {}", database.describe()))?;
            store.backup_to(file).await.with_context(|| {
                format!("backing up {} to {}", database.describe(), file.display())
            })
        }
        Database::Postgres {
            url,
            max_connections,
        } => {
            let store = PostgresStore::connect(url, None, *max_connections)
                .await
                .with_context(|| format!("connecting to {}", database.describe()))?;
            store.backup_to(file).await.with_context(|| {
                format!("backing up {} to {}", database.describe(), file.display())
            })
        }
    }
}

/// Restores `file` into the database named; returns what the backup held and how many
/// events the restored store counts.
pub async fn restore(database: &Database, file: &Path) -> anyhow::Result<(BackupSummary, u64)> {
    let context = || format!("restoring {} into {}", file.display(), database.describe());
    match database {
        Database::Sqlite { path, durability } => {
            let summary = vigil_store_sqlite::restore(file, path)
                .await
                .with_context(context)?;
            let store = SqliteStore::open(path, *durability)
                .await
                .with_context(context)?;
            Ok((summary, store.event_count().await?))
        }
        Database::Postgres {
            url,
            max_connections,
        } => {
            let store = PostgresStore::connect(url, None, *max_connections)
                .await
                .with_context(|| format!("connecting to {}", database.describe()))?;
            let summary = store.restore_from(file).await.with_context(context)?;
            Ok((summary, store.event_count().await?))
        }
    }
}

/// "12 events, 40 audit entries, ..." for the tables a person cares about first.
pub fn describe(summary: &BackupSummary) -> String {
    let mut parts = Vec::new();
    for (table, label) in [
        ("events", "events"),
        ("identity_records", "identity records"),
        ("derivations", "derivations"),
        ("alert_actions", "alert actions"),
        ("audit", "audit entries"),
    ] {
        if let Some(rows) = summary.rows.get(table) {
            parts.push(format!("{rows} {label}"));
        }
    }
    let others: u64 = summary
        .rows
        .iter()
        .filter(|(table, _)| {
            ![
                "events",
                "identity_records",
                "derivations",
                "alert_actions",
                "audit",
            ]
            .contains(&table.as_str())
        })
        .map(|(_, rows)| rows)
        .sum();
    parts.push(format!("{others} other rows (accounts, keys)"));
    format!(
        "{} (schema version {})",
        parts.join(", "),
        summary.schema_version
    )
}
