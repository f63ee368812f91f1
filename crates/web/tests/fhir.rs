//! `POST /api/v1/fhir`: a FHIR R4 bundle is stored whole, as the caller's agency, or
//! refused with an OperationOutcome and nothing stored.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_store::EventStore;

async fn post_bundle(app: &TestApp, key: &str, bundle: &Value) -> (StatusCode, String, Value) {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/fhir")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/fhir+json")
        .body(Body::from(serde_json::to_vec(bundle).unwrap()))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
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
        serde_json::from_slice(&bytes).unwrap(),
    )
}

/// An A&E attendance and a bruise on the cheek, with no Organization: the agency is
/// the caller's.
fn attendance_bundle(subject: &str) -> Value {
    json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-000000000001", "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "999 210 0311"}],
                "name": [{"family": "NORTH", "given": ["Alfie"]}],
                "birthDate": "2023-01-15", "gender": "male",
                "address": [{"line": ["12 Quarry Lane"], "city": "Northborough", "postalCode": "QN1 1AA"}]}},
            {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-000000000002", "resource": {
                "resourceType": "Encounter",
                "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "ED-1001"}],
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
                "subject": {"reference": subject},
                "period": {"start": "2024-02-01T10:30:00Z"},
                "reasonCode": [{"text": "Bruise on the cheek"}]}},
            {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-000000000003", "resource": {
                "resourceType": "Condition",
                "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "ED-1001-injury"}],
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "125667009"}]},
                "bodySite": [{"coding": [{"system": "http://snomed.info/sct", "code": "60819002"}]}],
                "subject": {"reference": "urn:uuid:5d1f0a53-0000-4000-8000-000000000001"},
                "encounter": {"reference": "urn:uuid:5d1f0a53-0000-4000-8000-000000000002"},
                "note": [{"authorString": "mother", "text": "Fell against the table"}]}}
        ]
    })
}

#[tokio::test]
async fn a_bundle_is_stored_whole_as_the_callers_agency_and_a_resend_stores_nothing() {
    let app = TestApp::spawn("SAH").await;
    let bundle = attendance_bundle("urn:uuid:5d1f0a53-0000-4000-8000-000000000001");
    let (status, _, body) = post_bundle(&app, &app.writer, &bundle).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"], 2);
    let events = body["events"].as_array().unwrap();
    assert_eq!(events[0]["kind"], "health_attendance");
    assert_eq!(events[1]["kind"], "injury_observation");
    assert_eq!(events[1]["entry"], 2);
    assert_eq!(app.store.event_count().await.unwrap(), 2);
    let id = events[1]["id"].as_str().unwrap();
    let stored = app
        .router
        .clone()
        .oneshot(
            Request::builder()
                .uri(format!("/api/v1/events/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {}", app.reader))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let stored: Value =
        serde_json::from_slice(&stored.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(stored["event"]["agency"], "SAH", "{stored}");
    assert_eq!(
        stored["event"]["details"]["injuries"][0]["body_site"],
        "cheek"
    );

    let (status, _, body) = post_bundle(&app, &app.writer, &bundle).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["already_stored"], 2);
    assert_eq!(app.store.event_count().await.unwrap(), 2);
}

#[tokio::test]
async fn a_dangling_reference_is_an_operation_outcome_and_nothing_is_stored() {
    let app = TestApp::spawn("SAH").await;
    let bundle = attendance_bundle("Patient/not-in-this-bundle");
    let (status, content_type, body) = post_bundle(&app, &app.writer, &bundle).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/fhir+json");
    assert_eq!(body["resourceType"], "OperationOutcome");
    assert_eq!(body["issue"][0]["code"], "not-found");
    assert_eq!(
        body["issue"][0]["expression"][0],
        "Bundle.entry[1].resource.subject"
    );
    assert_eq!(app.store.event_count().await.unwrap(), 0);
}

#[tokio::test]
async fn records_of_another_agency_are_forbidden_and_nothing_is_stored() {
    // The Case P health bundle holds the hospital's, the GP's and health visiting's
    // records; the hospital's key may record only the hospital's.
    let app = TestApp::spawn("SAH").await;
    let path = format!(
        "{}/../../fixtures/case-p/health.fhir.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (status, content_type, body) = post_bundle(&app, &app.writer, &bundle).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(content_type, "application/fhir+json");
    assert_eq!(body["issue"][0]["code"], "forbidden");
    assert_eq!(app.store.event_count().await.unwrap(), 0);
    // A MASH analyst records nothing at all.
    let (status, _, _) = post_bundle(
        &app,
        &app.reader,
        &attendance_bundle("urn:uuid:5d1f0a53-0000-4000-8000-000000000001"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
