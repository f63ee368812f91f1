//! What the record means, over HTTP: an injury to a baby recorded through the API raises
//! an alert that the next read shows; acknowledging and closing it need a reason (and,
//! at suspect level, a manager's sign-off); every refusal is a problem document.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String, Value) {
    let key = if method == Method::POST && path.starts_with("/api/v1/events") {
        &app.writer
    } else {
        &app.reader
    };
    common::call_router(&app.router, key, method, path, body).await
}

fn bruise_in_a_baby() -> Value {
    let recorded = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    json!({
        "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED", "source_id": "ED-1",
        "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male",
              "date_of_birth": jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24 * 120)).unwrap().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string(),
              "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother" }
        ],
        "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
            "explanations": [], "recorder_opinion": "concern" }] }
    })
}

#[tokio::test]
async fn an_alert_is_raised_shown_acknowledged_and_closed_with_reasons() {
    let router = TestApp::spawn("QAH").await;
    let (status, _, _) = call(
        &router,
        Method::POST,
        "/api/v1/events",
        Some(bruise_in_a_baby()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, _, body) = call(&router, Method::GET, "/api/v1/alerts", None).await;
    assert_eq!(status, StatusCode::OK);
    let alerts = body["alerts"].as_array().unwrap();
    let alert = alerts
        .iter()
        .find(|a| a["alert"]["rule"] == "injury-not-independently-mobile")
        .expect("the bruise is flagged on the next read");
    let id = alert["alert"]["id"].as_str().unwrap().to_string();

    let (status, _, body) = call(&router, Method::GET, "/api/v1/children", None).await;
    assert_eq!(status, StatusCode::OK);
    let child = body["children"][0]["id"].as_str().unwrap().to_string();
    for path in ["", "/chronology", "/household", "/review"] {
        let (status, _, _) = call(
            &router,
            Method::GET,
            &format!("/api/v1/children/{child}{path}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }

    // No reason: refused, naming the field.
    let (status, content_type, body) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/acknowledge"),
        Some(json!({ "signed_off_by": "a team manager" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["errors"][0]["field"], "/reason");

    let (status, _, body) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/acknowledge"),
        Some(json!({ "reason": "visiting today" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["alert"]["status"]["status"], "acknowledged");
    // The responder is whoever the credentials belong to, not a name in the body.
    assert_eq!(body["alert"]["status"]["by"], "MASH", "{body}");
    let (status, _, body) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/close"),
        Some(json!({ "by": "someone else", "reason": "r", "signed_off_by": "m" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "/by", "{body}");

    // A suspect-level alert needs a manager's sign-off to close.
    let (status, _, body) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/close"),
        Some(json!({ "reason": "seen by a paediatrician" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "/signed_off_by");
    let (status, _, body) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/close"),
        Some(json!({ "reason": "seen by a paediatrician", "signed_off_by": "a team manager" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["alert"]["status"]["status"], "closed");

    // Closed is closed.
    let (status, _, _) = call(
        &router,
        Method::POST,
        &format!("/api/v1/alerts/{id}/close"),
        Some(json!({ "reason": "y", "signed_off_by": "z" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The emergency department, whose record raised the alert, hears what was done.
    let (status, _, body) = call(&router, Method::GET, "/api/v1/agencies/QAH/notices", None).await;
    assert_eq!(status, StatusCode::OK);
    let notices = body["notices"].as_array().unwrap();
    let actions: Vec<&str> = notices
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["acknowledged", "closed"]);
    assert_eq!(notices[1]["signed_off_by"], "a team manager");
    assert_eq!(notices[1]["reason"], "seen by a paediatrician");
    let (_, _, body) = call(&router, Method::GET, "/api/v1/agencies/QGP/notices", None).await;
    assert_eq!(body["notices"].as_array().unwrap().len(), 0);

    // Every conclusion is written down, once, in order.
    let (status, _, body) =
        call(&router, Method::GET, "/api/v1/derivations?limit=1000", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = body["derivations"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in ["linkage", "place", "alert_raised", "agency_notified"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let raised = entries
        .iter()
        .find(|e| e["kind"] == "alert_raised")
        .unwrap();
    assert_eq!(raised["derivation"]["alert"], id.as_str());
    let (_, _, again) = call(&router, Method::GET, "/api/v1/derivations?limit=1000", None).await;
    assert_eq!(
        again["derivations"].as_array().unwrap().len(),
        entries.len()
    );
}

#[tokio::test]
async fn unknown_children_alerts_and_bad_moments_are_refused_clearly() {
    let router = TestApp::spawn("QAH").await;
    let cases = [
        (
            Method::GET,
            "/api/v1/children/nobody",
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            "/api/v1/alerts?as_at=yesterday",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/alerts?colour=red",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/agencies/not%20an%20agency/notices",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/derivations?limit=0",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/api/v1/derivations?kind=alert",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/alerts/no-such-alert/acknowledge",
            Some(json!({ "reason": "b" })),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/v1/alerts/x/close",
            Some(json!({ "reason": "b", "colour": "red" })),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (method, path, body, expected) in cases {
        let (status, content_type, _) = call(&router, method, path, body).await;
        assert_eq!(status, expected, "{path}");
        assert_eq!(content_type, "application/problem+json", "{path}");
    }
}
