//! How the web tests start Vigil: in-process, on a fresh embedded store, with the keys
//! requests are made with (an agency's integration key records, a MASH analyst's reads
//! and acts), exactly as `vigil serve` wires the router.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
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
            access: Default::default(),
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

/// Calls `router` as the holder of `key`: the status, the content type and the body
/// as JSON (null when it is not JSON).
pub async fn call_router(
    router: &axum::Router,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body
        .map(|b| Body::from(serde_json::to_vec(&b).unwrap()))
        .unwrap_or_else(Body::empty);
    let response = router
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

impl TestApp {
    /// A new API key for someone in `role` (of `agency`), shown to people as `name`:
    /// the principal's id and the key to send.
    pub async fn key_for(
        &self,
        role: vigil_access::Role,
        agency: Option<&str>,
        name: &str,
    ) -> (String, String) {
        let (stored, secret) = vigil_store::accounts::issue_api_key(
            &self.store,
            name,
            role,
            agency.map(|a| vigil_domain::AgencyCode::parse(a).unwrap()),
            None,
            "test",
        )
        .await
        .unwrap();
        (format!("key:{}", stored.id), secret)
    }

    /// Calls the application as the holder of `key`.
    pub async fn call_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, String, Value) {
        call_router(&self.router, key, method, path, body).await
    }
}
