//! `GET /metrics`: the Prometheus text format, with what happened counted (events
//! appended, requests by route template, the alert a bruise raised, the linkage
//! decisions), and nothing in it that names or identifies anyone.

mod common;

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, String, String) {
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
    let response = app
        .router
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
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn bruise_in_a_baby() -> Value {
    let recorded = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let born = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 120))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    json!({
        "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED", "source_id": "ED-1",
        "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male", "date_of_birth": born.to_string(),
              "nhs_number": "999 210 0311", "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother" }
        ],
        "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
            "explanations": [], "recorder_opinion": "concern" }] }
    })
}

/// The value of the one sample named exactly `series` (name and labels).
fn sample(text: &str, series: &str) -> f64 {
    let found: Vec<f64> = text
        .lines()
        .filter_map(|line| line.strip_prefix(series))
        .filter_map(|rest| rest.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
        .collect();
    assert_eq!(found.len(), 1, "one sample {series} in\n{text}");
    found[0]
}

/// Every line is a comment or `name{labels} value`, and every series belongs to a
/// family declared with `# TYPE`.
fn check_format(text: &str) {
    let mut families = HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split(' ');
            families.insert(words.next().unwrap().to_string());
            assert!(
                matches!(words.next(), Some("counter" | "gauge" | "histogram")),
                "{line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect(line);
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        if let Some(labels) = series.strip_prefix(name) {
            assert!(
                labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
                "{line}"
            );
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|f| families.contains(*f)))
            .unwrap_or(name);
        assert!(families.contains(family), "{name} has no # TYPE line");
    }
}

#[tokio::test]
async fn metrics_count_what_happened_and_name_no_one() {
    let app = TestApp::spawn("QAH").await;
    let (_, admin) = vigil_store::accounts::issue_api_key(
        &app.store,
        "prometheus",
        vigil_access::Role::Administrator,
        None,
        None,
        "test",
    )
    .await
    .unwrap();

    let bruise = bruise_in_a_baby();
    let (status, _, body) = call(
        &app,
        Method::POST,
        "/api/v1/events",
        &app.writer,
        Some(bruise.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The same record again: an idempotent repeat.
    let (status, _, _) = call(
        &app,
        Method::POST,
        "/api/v1/events",
        &app.writer,
        Some(bruise),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, children) =
        call(&app, Method::GET, "/api/v1/children", &app.reader, None).await;
    assert_eq!(status, StatusCode::OK);
    let children: Value = serde_json::from_str(&children).unwrap();
    let child = children["children"][0]["id"].as_str().unwrap().to_string();
    let (status, _, _) = call(
        &app,
        Method::GET,
        &format!("/api/v1/children/{child}?as_at={}", jiff::Timestamp::now()),
        &app.reader,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, refused) = call(&app, Method::GET, "/metrics", &app.reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, content_type, text) = call(&app, Method::GET, "/metrics", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    check_format(&text);

    assert_eq!(
        sample(&text, "vigil_events_appended_total{outcome=\"created\"}"),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "vigil_events_appended_total{outcome=\"already_stored\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&text, "vigil_event_append_duration_seconds_count"),
        2.0
    );
    assert_eq!(
        sample(
            &text,
            "vigil_http_requests_total{method=\"POST\",route=\"/api/v1/events\",status=\"201\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "vigil_http_requests_total{method=\"GET\",route=\"/api/v1/children/{id}\",status=\"200\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "vigil_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"403\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(
            &text,
            "vigil_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/children\"}"
        ),
        1.0
    );
    // The child and the mother: two new persons.
    assert_eq!(
        sample(
            &text,
            "vigil_linkage_decisions_total{outcome=\"new_person\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(&text, "vigil_linkage_decisions_total{outcome=\"linked\"}"),
        0.0
    );
    assert_eq!(sample(&text, "vigil_linkage_review_queue"), 0.0);
    assert_eq!(sample(&text, "vigil_casebook_events"), 1.0);
    let open_alerts: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("vigil_alerts{") && line.contains("status=\"open\""))
        .collect();
    assert!(
        !open_alerts.is_empty() && open_alerts.iter().all(|l| l.contains("level=\"")),
        "the bruise raised an open alert, labelled by rule and level:\n{text}"
    );
    assert!(text.contains("vigil_db_connections{pool=\"read\",state=\"idle\"}"));
    assert!(text.contains("vigil_db_connections{pool=\"write\",state=\"in_use\"}"));
    assert!(sample(&text, "vigil_db_connections_max{pool=\"write\"}") >= 1.0);

    // The same child, recorded with their full given name by another record: linked,
    // and counted from where the last scrape stopped. (The mother, recorded exactly as
    // before, is a copy of a known record: no new decision.)
    let mut again = bruise_in_a_baby();
    again["source_id"] = json!("ED-2");
    again["people"][0]["name"] = json!("ZEBEDEE, Thomas");
    let (status, _, body) = call(
        &app,
        Method::POST,
        "/api/v1/events",
        &app.writer,
        Some(again),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, _) = call(&app, Method::GET, "/api/v1/children", &app.reader, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, later) = call(&app, Method::GET, "/metrics", &admin, None).await;
    assert_eq!(
        sample(
            &later,
            "vigil_linkage_decisions_total{outcome=\"new_person\"}"
        ),
        2.0
    );
    assert_eq!(
        sample(&later, "vigil_linkage_decisions_total{outcome=\"linked\"}"),
        1.0
    );
    assert_eq!(sample(&later, "vigil_casebook_events"), 2.0);
    assert_eq!(
        sample(&later, "vigil_events_appended_total{outcome=\"created\"}"),
        2.0
    );

    // Nothing that names or identifies anyone: not the concrete path, not the query,
    // not a name, an NHS number or an address.
    let text = format!("{text}{later}");
    for private in [
        child.as_str(),
        "as_at",
        "ZEBEDEE",
        "Tom",
        "Thomas",
        "9992100311",
        "999 210 0311",
        "Quill",
        "QA1",
    ] {
        assert!(!text.contains(private), "{private} appears in the metrics");
    }
}
