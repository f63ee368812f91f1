//! Opening whichever store the configuration names and running a command against it.
//! Commands are written once, generic over [`EventStore`]; this is the one place that
//! chooses a backend.

use std::future::Future;

use anyhow::Context;
use vigil_store::EventStore;
use vigil_store_postgres::PostgresStore;
use vigil_store_sqlite::SqliteStore;

use crate::config::Database;

/// A command that works on any store.
pub trait StoreTask {
    type Output;
    fn run<S: EventStore>(self, store: S) -> impl Future<Output = anyhow::Result<Self::Output>>;
}

/// Opens the store (running migrations) and runs `task` on it.
pub async fn with_store<T: StoreTask>(database: &Database, task: T) -> anyhow::Result<T::Output> {
    match database {
        Database::Sqlite { path, durability } => {
            let store = SqliteStore::open(path, *durability)
                .await
                .with_context(|| format!("opening {}", database.describe()))?;
            task.run(store).await
        }
        Database::Postgres {
            url,
            max_connections,
        } => {
            let store = PostgresStore::connect(url, None, *max_connections)
                .await
                .with_context(|| format!("connecting to {}", database.describe()))?;
            task.run(store).await
        }
    }
}
