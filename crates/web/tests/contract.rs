//! The OpenAPI document: served to anyone with credentials, built from every route the
//! API has, and whole (every reference it makes resolves). That the running server
//! answers as the document says is checked by schemathesis (scripts/contract-test).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::Value;
use vigil_store_sqlite::SqliteStore;

fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_describes_every_route_and_every_reference_resolves() {
    let app = TestApp::spawn("QAH").await;
    let (status, content_type, document) = common::call_router(
        &app.router,
        &app.reader,
        Method::GET,
        "/api/openapi.json",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    assert_eq!(document["openapi"], "3.1.0");

    for route in vigil_web::api::route_table::<SqliteStore>() {
        let path = &document["paths"][route.path];
        let operation = &path[route.method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{} {} is not in the document",
            route.method,
            route.path
        );
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{} {} has no success answer",
            route.method,
            route.path
        );
        if route.access != vigil_access::Access::Public {
            for status in ["401", "403"] {
                assert!(
                    responses.contains_key(status),
                    "{} {} needs credentials but does not say {status}",
                    route.method,
                    route.path
                );
            }
        }
        if route.path.contains('{') {
            assert!(responses.contains_key("404"), "{}", route.path);
        }
    }

    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 50, "{} references", found.len());
    for target in found {
        let name = target
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{target} is not a component schema"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{target} does not resolve"
        );
    }
}

#[tokio::test]
async fn the_document_needs_credentials_like_everything_but_health() {
    let app = TestApp::spawn("QAH").await;
    let (status, content_type, _) = common::call_router(
        &app.router,
        "not-a-key",
        Method::GET,
        "/api/openapi.json",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(content_type, "application/problem+json");
}
