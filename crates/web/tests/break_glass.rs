//! Break-glass over HTTP: a practitioner without a relationship is refused a child's
//! record, opens it with a reason, reads it, and is refused again once the opening has
//! expired; the privacy officer sees the opening unreviewed, records an outcome and
//! sees it reviewed; no one else sees the queue. Every bad input is a problem naming
//! its field.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use vigil_access::Role;
use vigil_store::EventStore;

async fn key(app: &TestApp, role: Role, agency: Option<&str>, name: &str) -> String {
    app.key_for(role, agency, name).await.1
}

async fn call(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String, Value) {
    app.call_as(key, method, path, body).await
}

fn bruise_in_a_baby() -> Value {
    let recorded = Timestamp::now() - SignedDuration::from_hours(1);
    let born = (Timestamp::now() - SignedDuration::from_hours(24 * 120))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    json!({
        "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED", "source_id": "ED-1",
        "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male", "date_of_birth": born.to_string(),
              "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother" }
        ],
        "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
            "explanations": [], "recorder_opinion": "concern" }] }
    })
}

/// An application holding one child, recorded by QAH, and that child's id.
async fn app_with_a_child() -> (TestApp, String) {
    let app = TestApp::spawn("QAH").await;
    let writer = app.writer.clone();
    let (status, _, body) = call(
        &app,
        &writer,
        Method::POST,
        "/api/v1/events",
        Some(bruise_in_a_baby()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let reader = app.reader.clone();
    let (_, _, body) = call(&app, &reader, Method::GET, "/api/v1/children", None).await;
    let child = body["children"][0]["id"].as_str().unwrap().to_string();
    (app, child)
}

const REASON: &str = "Child brought to the walk-in centre with a head injury; mother says Tom fell";

#[tokio::test]
async fn a_practitioner_breaks_the_glass_reads_the_child_and_the_privacy_officer_reviews_it() {
    let (app, child) = app_with_a_child().await;
    let outsider = key(
        &app,
        Role::Practitioner,
        Some("NCS"),
        "Ivo Quartermaine (social worker)",
    )
    .await;
    let privacy = key(
        &app,
        Role::PrivacyOfficer,
        None,
        "Pat Privacy (Caldicott guardian)",
    )
    .await;
    let record = format!("/api/v1/children/{child}");
    let break_glass = format!("/api/v1/children/{child}/break-glass");

    // No relationship: refused, and told break-glass exists.
    let (status, content_type, body) = call(&app, &outsider, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert!(
        body["detail"].as_str().unwrap().contains("break-glass"),
        "{body}"
    );

    // Break the glass with a reason: 201 and an opening that lasts a day.
    let (status, _, opening) = call(
        &app,
        &outsider,
        Method::POST,
        &break_glass,
        Some(json!({ "reason": REASON })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opening}");
    assert_eq!(opening["child"], child.as_str());
    assert_eq!(opening["reason"], REASON);
    assert_eq!(opening["role"], "practitioner");
    assert_eq!(opening["agency"], "NCS");
    assert_eq!(opening["display_name"], "Ivo Quartermaine (social worker)");
    let opened: Timestamp = opening["opened_at"].as_str().unwrap().parse().unwrap();
    let expires: Timestamp = opening["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - opened, SignedDuration::from_hours(24));

    // Now the record opens: the summary and the chronology.
    for path in [record.clone(), format!("{record}/chronology")] {
        let (status, _, body) = call(&app, &outsider, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    // The opening is for this person only: another practitioner of the same agency is
    // still refused.
    let colleague = key(&app, Role::Practitioner, Some("NCS"), "a colleague").await;
    let (status, _, _) = call(&app, &colleague, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Only the privacy officer sees the queue.
    for someone in [&outsider, &app.reader.clone()] {
        let (status, _, body) = call(&app, someone, Method::GET, "/api/v1/break-glass", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("privacy_officer"));
    }
    let (status, _, queue) = call(
        &app,
        &privacy,
        Method::GET,
        "/api/v1/break-glass?unreviewed=true",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let openings = queue["openings"].as_array().unwrap();
    assert_eq!(openings.len(), 1);
    assert_eq!(openings[0]["id"], opening["id"]);
    // What the opening returned is what the store kept.
    assert_eq!(openings[0]["opened_at"], opening["opened_at"]);
    assert_eq!(openings[0]["expires_at"], opening["expires_at"]);
    assert_eq!(openings[0]["child_name"], "Tom ZEBEDEE");
    assert_eq!(openings[0]["open"], true);
    assert_eq!(openings[0]["outcome"], Value::Null);
    assert_eq!(openings[0]["reviews"], json!([]));

    // The privacy officer records an outcome.
    let id = opening["id"].as_str().unwrap();
    let review = format!("/api/v1/break-glass/{id}/review");
    let (status, _, reviewed) = call(
        &app,
        &privacy,
        Method::POST,
        &review,
        Some(json!({ "outcome": "justified", "note": "Confirmed with the walk-in centre: Tom was seen at 14:10." })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    assert_eq!(reviewed["reviews"][0]["outcome"], "justified");
    assert_eq!(
        reviewed["reviews"][0]["reviewer_name"],
        "Pat Privacy (Caldicott guardian)"
    );

    let (_, _, unreviewed) = call(
        &app,
        &privacy,
        Method::GET,
        "/api/v1/break-glass?unreviewed=true",
        None,
    )
    .await;
    assert_eq!(unreviewed["openings"], json!([]));
    let (_, _, all) = call(&app, &privacy, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(all["openings"][0]["outcome"], "justified");
    assert_eq!(all["openings"][0]["reviews"].as_array().unwrap().len(), 1);

    // A second opening, unreviewed, comes before the reviewed one.
    let (status, _, second) = call(
        &app,
        &colleague,
        Method::POST,
        &break_glass,
        Some(json!({ "reason": "Covering the duty desk; police ask about the address" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let (_, _, all) = call(&app, &privacy, Method::GET, "/api/v1/break-glass", None).await;
    let ids: Vec<&Value> = all["openings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["id"])
        .collect();
    assert_eq!(ids, [&second["id"], &opening["id"]]);
}

#[tokio::test]
async fn an_expired_opening_opens_nothing() {
    let (app, child) = app_with_a_child().await;
    let (id, worker) = app
        .key_for(Role::Practitioner, Some("NCS"), "Ivo Quartermaine")
        .await;
    let record = format!("/api/v1/children/{child}");
    let opening = |hours_ago: i64| {
        let opened_at = Timestamp::now() - SignedDuration::from_hours(hours_ago);
        vigil_store::BreakGlassOpening {
            id: uuid::Uuid::now_v7(),
            principal_id: id.clone(),
            display_name: "Ivo Quartermaine".into(),
            role: Role::Practitioner,
            agency: Some(vigil_domain::AgencyCode::parse("NCS").unwrap()),
            child: child.clone(),
            reason: REASON.into(),
            opened_at,
            expires_at: vigil_access::break_glass::expires_at(
                opened_at,
                vigil_access::break_glass::OpeningLasts::default(),
            ),
        }
    };
    // Opened 25 hours ago: expired an hour ago.
    app.store.record_break_glass(&opening(25)).await.unwrap();
    let (status, _, body) = call(&app, &worker, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Opened 23 hours ago: an hour left.
    app.store.record_break_glass(&opening(23)).await.unwrap();
    let (status, _, body) = call(&app, &worker, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let privacy = key(&app, Role::PrivacyOfficer, None, "Pat Privacy").await;
    let (_, _, all) = call(&app, &privacy, Method::GET, "/api/v1/break-glass", None).await;
    let open: Vec<&Value> = all["openings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["open"])
        .collect();
    assert_eq!(open, [&json!(false), &json!(true)]);
}

#[tokio::test]
async fn break_glass_is_refused_to_other_roles_without_saying_whether_the_child_exists() {
    let (app, child) = app_with_a_child().await;
    let ours = key(&app, Role::Practitioner, Some("QAH"), "an ED nurse").await;
    for role in [
        Role::MashAnalyst,
        Role::PrivacyOfficer,
        Role::PracticeReviewer,
        Role::Administrator,
    ] {
        let someone = key(&app, role, None, "someone").await;
        let mut details = Vec::new();
        for target in [child.as_str(), "no-such-child"] {
            let (status, _, body) = call(
                &app,
                &someone,
                Method::POST,
                &format!("/api/v1/children/{target}/break-glass"),
                Some(json!({ "reason": REASON })),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {body}");
            details.push(body["detail"].clone());
        }
        assert_eq!(details[0], details[1], "{role}");
    }
    // With a relationship there is nothing to break.
    let (status, _, body) = call(
        &app,
        &ours,
        Method::POST,
        &format!("/api/v1/children/{child}/break-glass"),
        Some(json!({ "reason": REASON })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["type"], "/problems/break-glass-not-needed");
    let privacy = key(&app, Role::PrivacyOfficer, None, "Pat Privacy").await;
    let (_, _, all) = call(&app, &privacy, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(all["openings"], json!([]));
}

#[tokio::test]
async fn bad_break_glass_requests_and_reviews_name_the_field() {
    let (app, child) = app_with_a_child().await;
    let worker = key(&app, Role::Practitioner, Some("NCS"), "Ivo Quartermaine").await;
    let privacy = key(&app, Role::PrivacyOfficer, None, "Pat Privacy").await;
    let break_glass = format!("/api/v1/children/{child}/break-glass");
    let cases = [
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "/reason"),
        (
            json!({ "reason": "urgent" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/reason",
        ),
        (
            json!({ "reason": 42 }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/reason",
        ),
        (
            json!({ "reason": REASON, "by": "someone else" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/by",
        ),
        (json!([REASON]), StatusCode::UNPROCESSABLE_ENTITY, ""),
    ];
    for (body, status, field) in cases {
        let (got, content_type, problem) = call(
            &app,
            &worker,
            Method::POST,
            &break_glass,
            Some(body.clone()),
        )
        .await;
        assert_eq!(got, status, "{body}: {problem}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let (status, _, problem) = call(
        &app,
        &worker,
        Method::POST,
        "/api/v1/children/no-such-child/break-glass",
        Some(json!({ "reason": REASON })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _, opening) = call(
        &app,
        &worker,
        Method::POST,
        &break_glass,
        Some(json!({ "reason": REASON })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let review = format!(
        "/api/v1/break-glass/{}/review",
        opening["id"].as_str().unwrap()
    );
    let cases = [
        (
            review.clone(),
            json!({ "note": "checked" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/outcome",
        ),
        (
            review.clone(),
            json!({ "outcome": "fine", "note": "checked" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/outcome",
        ),
        (
            review.clone(),
            json!({ "outcome": "justified" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/note",
        ),
        (
            review.clone(),
            json!({ "outcome": "justified", "note": "  " }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/note",
        ),
        (
            review.clone(),
            json!({ "outcome": "justified", "note": "ok", "reviewer": "x" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/reviewer",
        ),
        (
            "/api/v1/break-glass/not-an-id/review".to_string(),
            json!({ "outcome": "justified", "note": "ok" }),
            StatusCode::BAD_REQUEST,
            "id",
        ),
    ];
    for (path, body, status, field) in cases {
        let (got, _, problem) = call(&app, &privacy, Method::POST, &path, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let (status, _, problem) = call(
        &app,
        &privacy,
        Method::POST,
        &format!("/api/v1/break-glass/{}/review", uuid::Uuid::now_v7()),
        Some(json!({ "outcome": "referred", "note": "to the team manager" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _, problem) = call(
        &app,
        &privacy,
        Method::GET,
        "/api/v1/break-glass?unreviewed=maybe",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["errors"][0]["field"], "unreviewed");
    // Nothing of the refused reviews was stored.
    let (_, _, all) = call(&app, &privacy, Method::GET, "/api/v1/break-glass", None).await;
    assert_eq!(all["openings"][0]["reviews"], json!([]));
}

#[tokio::test]
async fn the_privacy_officer_reads_who_looked_at_a_child_and_no_one_else_may() {
    let (app, child) = app_with_a_child().await;
    let outsider = key(&app, Role::Practitioner, Some("NCS"), "Ivo Quartermaine").await;
    let privacy = key(&app, Role::PrivacyOfficer, None, "Pat Privacy").await;
    let reader = app.reader.clone();
    let record = format!("/api/v1/children/{child}");

    let (status, _, _) = call(&app, &outsider, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(
        &app,
        &outsider,
        Method::POST,
        &format!("{record}/break-glass"),
        Some(json!({ "reason": REASON })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = call(&app, &outsider, Method::GET, &record, None).await;
    assert_eq!(status, StatusCode::OK);

    let trail = format!("{record}/audit");
    let (status, _, body) = call(&app, &privacy, Method::GET, &trail, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let by_outsider: Vec<(String, bool)> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor_role"] == "practitioner" && e["actor_agency"] == "NCS")
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["allowed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_outsider,
        [
            ("GET /api/v1/children/{id}".to_string(), false),
            ("POST /api/v1/children/{id}/break-glass".to_string(), true),
            ("GET /api/v1/children/{id}".to_string(), true),
        ]
    );
    assert!(
        body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["resource"] == format!("child:{child}"))
    );

    // A page at a time.
    let (_, _, first) = call(
        &app,
        &privacy,
        Method::GET,
        &format!("{trail}?limit=1"),
        None,
    )
    .await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 1);
    let after = first["next_after"].as_i64().expect("there is more");
    let (_, _, second) = call(
        &app,
        &privacy,
        Method::GET,
        &format!("{trail}?limit=1&after={after}"),
        None,
    )
    .await;
    assert!(second["entries"][0]["sequence"].as_i64().unwrap() > after);

    // Only the privacy officer; an unknown child is a 404 to them.
    for someone in [&reader, &outsider] {
        let (status, _, _) = call(&app, someone, Method::GET, &trail, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _, _) = call(
        &app,
        &privacy,
        Method::GET,
        "/api/v1/children/no-such-child/audit",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
