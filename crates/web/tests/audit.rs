//! The audit of requests: every request but the health checks leaves exactly one
//! entry naming who, what, why and the result; a request that cannot be audited is not
//! answered.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::response::IntoResponse;
use common::TestApp;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_store::{AuditEntry, EventStore, Page};
use vigil_store_sqlite::{Durability, SqliteStore};

impl TestApp {
    /// Sends the request with the writer's key (POST) or the reader's (anything else).
    async fn call(&self, mut request: Request<Body>) -> (StatusCode, String, Value) {
        let key = if request.method() == Method::POST {
            &self.writer
        } else {
            &self.reader
        };
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {key}").parse().unwrap(),
        );
        call(&self.router, request).await
    }

    async fn audit(&self) -> Vec<AuditEntry> {
        self.store
            .audit_after(Page {
                after: 0,
                limit: 1000,
            })
            .await
            .unwrap()
    }
}

async fn call(router: &Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = router.clone().oneshot(request).await.unwrap();
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

fn get(path: &str) -> Request<Body> {
    Request::builder().uri(path).body(Body::empty()).unwrap()
}

fn post(path: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

fn visit() -> Value {
    json!({
        "kind": "home_visit", "agency": "NCS", "source_system": "CASE-SYS", "source_id": "V-1",
        "occurred_at": "2024-05-03T10:15",
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "2023-03-10",
              "agency_reference": "CH-1", "addresses": ["12 Quill Lane, Testwick QA1 1AA"] }
        ],
        "details": { "outcome": "child_seen", "announced": false }
    })
}

#[tokio::test]
async fn recording_an_event_leaves_one_entry() {
    let app = TestApp::spawn("NCS").await;
    let (status, _, _) = app.call(post("/api/v1/events", &visit())).await;
    assert_eq!(status, StatusCode::CREATED);
    let audit = app.audit().await;
    assert_eq!(audit.len(), 1, "{audit:#?}");
    let entry = &audit[0].entry;
    assert_eq!(entry.action, "POST /api/v1/events");
    assert_eq!(entry.path, "/api/v1/events");
    assert_eq!(entry.status, 201);
    assert!(entry.allowed);
    assert_ne!(entry.actor_id, "anonymous");
    assert_eq!(entry.actor_role.as_deref(), Some("integration_client"));
    assert_eq!(entry.actor_agency.as_deref(), Some("NCS"));
    assert_eq!(entry.resource, None);
    assert!(entry.request_id.as_deref().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn every_read_of_a_childs_record_leaves_exactly_one_entry_naming_the_child() {
    let app = TestApp::spawn("NCS").await;
    app.call(post("/api/v1/events", &visit())).await;
    let (_, _, body) = app.call(get("/api/v1/children")).await;
    let child = body["children"][0]["id"].as_str().unwrap().to_string();
    let before = app.audit().await.len();
    assert_eq!(before, 2);

    for (suffix, route) in [
        ("", "GET /api/v1/children/{id}"),
        ("/chronology", "GET /api/v1/children/{id}/chronology"),
        ("/household", "GET /api/v1/children/{id}/household"),
        ("/review", "GET /api/v1/children/{id}/review"),
    ] {
        let path = format!("/api/v1/children/{child}{suffix}");
        let request = Request::builder()
            .uri(&path)
            .header("Vigil-Purpose", "  strategy meeting tomorrow  ")
            .header("x-request-id", format!("read{suffix}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, _) = app.call(request).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let audit = app.audit().await;
        let new = &audit[before..];
        assert_eq!(
            new.len(),
            reads_so_far(suffix),
            "one entry per read: {new:#?}"
        );
        let last = &audit.last().unwrap().entry;
        assert_eq!(last.action, route);
        assert_eq!(last.path, path);
        assert_eq!(
            last.resource.as_deref(),
            Some(format!("child:{child}").as_str())
        );
        assert_eq!(last.purpose.as_deref(), Some("strategy meeting tomorrow"));
        assert_eq!(
            last.request_id.as_deref(),
            Some(format!("read{suffix}").as_str())
        );
        assert_eq!(last.status, 200);
    }
    assert_eq!(vigil_store::verify_chain(&app.audit().await), Ok(6));
}

/// How many reads the loop above has made once it has read `suffix`.
fn reads_so_far(suffix: &str) -> usize {
    match suffix {
        "" => 1,
        "/chronology" => 2,
        "/household" => 3,
        _ => 4,
    }
}

#[tokio::test]
async fn a_refused_or_unknown_request_is_on_the_record_too() {
    let app = TestApp::spawn("NCS").await;
    let (status, _, _) = app.call(get("/api/v1/children/nobody")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.call(get("/nowhere")).await;
    assert!(status.is_client_error(), "{status}");
    // No credentials at all: refused, and on the record as anonymous.
    let (status, _, _) = call(&app.router, get("/api/v1/children")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let audit = app.audit().await;
    assert_eq!(audit.len(), 3);
    assert_eq!(audit[2].entry.actor_id, "anonymous");
    assert_eq!(audit[2].entry.status, 401);
    assert!(!audit[2].entry.allowed);
    assert_eq!(audit[0].entry.resource.as_deref(), Some("child:nobody"));
    assert_eq!(audit[0].entry.status, 404);
    assert_eq!(audit[1].entry.action, "GET (no such route)");
    assert_eq!(audit[1].entry.path, "/nowhere");
}

#[tokio::test]
async fn health_checks_leave_no_entry() {
    let app = TestApp::spawn("NCS").await;
    for path in ["/health", "/ready"] {
        let (status, _, _) = app.call(get(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    assert!(app.audit().await.is_empty());
}

#[tokio::test]
async fn a_request_that_cannot_be_audited_is_not_answered() {
    let app = TestApp::spawn("NCS").await;
    app.call(post("/api/v1/events", &visit())).await;
    // The audit table refuses every new entry, as a full disk or a lost database would.
    app.store
        .execute_raw(
            "CREATE TRIGGER audit_is_broken BEFORE INSERT ON audit \
             BEGIN SELECT RAISE(ABORT, 'the audit cannot be written'); END",
        )
        .await
        .unwrap();
    let (status, content_type, body) = app.call(get("/api/v1/children")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "/problems/audit-unavailable");
    assert!(body.get("children").is_none());
    // Health checks are not audited, so they still answer.
    let (status, _, _) = app.call(get("/health")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_principal_put_in_the_response_by_authentication_is_the_actor() {
    // Authentication runs inside the audit and leaves the principal in the response.
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
        .await
        .unwrap();
    let principal = vigil_access::Principal {
        id: "ana.quill".into(),
        name: "Ana Quill (health visitor)".into(),
        role: vigil_access::Role::Practitioner,
        agency: Some(vigil_domain::AgencyCode::parse("NHV").unwrap()),
        team: Some("Testwick health visiting".into()),
        credential: vigil_access::Credential::Password,
    };
    let answer = {
        let principal = principal.clone();
        move || {
            let principal = principal.clone();
            async move {
                let mut response = StatusCode::FORBIDDEN.into_response();
                response.extensions_mut().insert(principal);
                response
            }
        }
    };
    let app = Router::new()
        .route("/api/v1/children/{id}", axum::routing::get(answer))
        .layer(axum::middleware::from_fn_with_state(
            store.clone(),
            vigil_web::audit::record::<SqliteStore>,
        ));
    let (status, _, _) = call(&app, get("/api/v1/children/C-9")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let audit = store.audit_after(Page::default()).await.unwrap();
    assert_eq!(audit.len(), 1);
    let entry = &audit[0].entry;
    assert_eq!(entry.actor_id, "ana.quill");
    assert_eq!(entry.actor_role.as_deref(), Some("practitioner"));
    assert_eq!(entry.actor_agency.as_deref(), Some("NHV"));
    assert_eq!(entry.resource.as_deref(), Some("child:C-9"));
    assert!(!entry.allowed);
}
