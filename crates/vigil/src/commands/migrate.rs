//! `vigil migrate`: brings the database's schema up to date and stops. `serve` does the
//! same at start; this is for deployments that migrate in a separate step.

use vigil_store::EventStore;

use crate::database::StoreTask;

pub struct Migrate;

impl StoreTask for Migrate {
    type Output = u64;

    /// Opening the store ran the migrations; report what it holds.
    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<u64> {
        Ok(store.event_count().await?)
    }
}
