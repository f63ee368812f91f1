//! How the web tests start Vigil: in-process, on a fresh embedded store, with the keys
//! requests are made with (an agency's integration key records, a MASH analyst's reads
//! and acts), exactly as `vigil serve` wires the router.

#![allow(dead_code)]

use vigil_store_sqlite::{Durability, SqliteStore};
use vigil_web::{AppState, WebLimits, router};

pub struct TestApp {
    pub router: axum::Router,
    pub store: SqliteStore,
    /// The integration key of the agency the test records for.
    pub writer: String,
    /// A MASH analyst's key.
    pub reader: String,
    _directory: tempfile::TempDir,
}

impl TestApp {
    /// A fresh application whose writer records for `agency`.
    pub async fn spawn(agency: &str) -> TestApp {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
            .await
            .unwrap();
        let casework = vigil_pipeline::Casework::load(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            vigil_rules::RulesConfig::default(),
        )
        .await
        .unwrap();
        let (_, writer) = vigil_store::accounts::issue_api_key(
            &store,
            &format!("{agency} feed"),
            vigil_access::Role::IntegrationClient,
            Some(vigil_domain::AgencyCode::parse(agency).unwrap()),
            None,
            "test",
        )
        .await
        .unwrap();
        let (_, reader) = vigil_store::accounts::issue_api_key(
            &store,
            "MASH",
            vigil_access::Role::MashAnalyst,
            None,
            None,
            "test",
        )
        .await
        .unwrap();
        let router = router(AppState {
            store: store.clone(),
            limits: WebLimits::default(),
            casework,
        });
        TestApp {
            router,
            store,
            writer,
            reader,
            _directory: directory,
        }
    }
}
