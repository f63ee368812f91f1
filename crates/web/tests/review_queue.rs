//! Identity review over HTTP, on the Case P records: the review queue shows pairs side
//! by side with the explanation; a keep-apart decision takes a pair off the queue and
//! survives a restart (the casebook replayed from the log); a link decision merges the
//! two persons, and the person's page shows both records with why they were linked.
//! Only the MASH and team managers decide; who decided is the signed-in person, never
//! the body; every bad input is a problem naming its field.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};
use vigil_access::Role;
use vigil_domain::{Limits, parse_event};
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
) -> (StatusCode, Value) {
    let (status, _, body) = app.call_as(key, method, path, body).await;
    (status, body)
}

/// An application holding the Case P records, stored as the agencies sent them.
async fn case_p() -> TestApp {
    let app = TestApp::spawn("QAH").await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/case-p/events.jsonl"
    );
    let far_future: jiff::Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
    let events = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            parse_event(&value, "", far_future, &Limits::default()).unwrap()
        })
        .collect();
    app.store
        .append(events, jiff::Timestamp::now())
        .await
        .unwrap();
    app
}

/// Whether the queue holds the pair, in either order.
fn queued(queue: &Value, left: &Value, right: &Value) -> bool {
    queue["pairs"].as_array().unwrap().iter().any(|p| {
        (p["left"]["record"] == *left && p["right"]["record"] == *right)
            || (p["left"]["record"] == *right && p["right"]["record"] == *left)
    })
}

#[tokio::test]
async fn people_decide_review_pairs_and_their_decisions_survive_a_replay() {
    let app = case_p().await;
    let mash = app.reader.clone();
    let (status, queue) = call(&app, &mash, Method::GET, "/api/v1/review-queue", None).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let pairs = queue["pairs"].as_array().unwrap().clone();
    assert!(
        pairs.len() >= 5,
        "Case P leaves pairs to review: {}",
        pairs.len()
    );
    // Side by side, field by field, with the waterfall.
    let first = &pairs[0];
    for side in ["left", "right"] {
        for field in ["record", "person", "agency", "name", "as_recorded"] {
            assert!(!first[side][field].is_null(), "{side}.{field}: {first}");
        }
    }
    assert!(
        !first["explanation"]["contributions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(first["explanation"]["total_weight"].is_number());
    assert!(first["reason"].is_string() || first["reason"].is_object());

    // Keep apart: off the queue, nobody merged.
    let (left, right) = (
        first["left"]["record"].clone(),
        first["right"]["record"].clone(),
    );
    let (status, decided) = call(
        &app,
        &mash,
        Method::POST,
        "/api/v1/review-queue/decisions",
        Some(
            json!({ "left": left, "right": right, "decision": "keep_apart",
                     "reason": "Different fathers named; the GP confirms two men" }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{decided}");
    assert_eq!(decided["decision"]["decision"], "keep_apart");
    assert_eq!(decided["decision"]["by_name"], "MASH");
    assert!(
        decided["decision"]["by_id"]
            .as_str()
            .unwrap()
            .starts_with("key:")
    );
    assert_ne!(decided["left_person"], decided["right_person"]);
    let (_, queue) = call(&app, &mash, Method::GET, "/api/v1/review-queue", None).await;
    assert!(!queued(&queue, &left, &right));
    assert_eq!(queue["pairs"].as_array().unwrap().len(), pairs.len() - 1);

    // Link: a thin record of the child confirmed by a person; the two persons merge.
    let thin = pairs
        .iter()
        .find(|p| p["reason"] == "too_little_to_merge" && p["left"]["record"] != left)
        .expect("a record too thin to merge on its own");
    let (a, b) = (
        thin["left"]["record"].clone(),
        thin["right"]["record"].clone(),
    );
    assert_ne!(thin["left"]["person"], thin["right"]["person"]);
    let (status, decided) = call(
        &app,
        &mash,
        Method::POST,
        "/api/v1/review-queue/decisions",
        Some(json!({ "left": a, "right": b, "decision": "link",
                     "reason": "Same date of birth and address; the nursery confirms Pip is Philip" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{decided}");
    assert_eq!(decided["left_person"], decided["right_person"]);
    assert!(
        !decided["changes"].as_array().unwrap().is_empty(),
        "{decided}"
    );
    let person = decided["left_person"].as_str().unwrap().to_string();
    let (status, identity) = call(
        &app,
        &mash,
        Method::GET,
        &format!("/api/v1/persons/{person}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{identity}");
    let records = identity["records"].as_array().unwrap();
    assert!(records.iter().any(|r| r["record"] == a));
    assert!(records.iter().any(|r| r["record"] == b));
    assert_eq!(records[0]["record"], person.as_str());
    assert!(records[0]["explanation"].is_null());
    assert!(
        records[1..]
            .iter()
            .all(|r| !r["explanation"].is_null() || !r["copy_of"].is_null())
    );
    assert_eq!(
        identity["decisions"][0]["reason"],
        "Same date of birth and address; the nursery confirms Pip is Philip"
    );

    // Contradicting the link is refused, and stores nothing.
    let (status, problem) = call(
        &app,
        &mash,
        Method::POST,
        "/api/v1/review-queue/decisions",
        Some(
            json!({ "left": a, "right": b, "decision": "keep_apart", "reason": "changed my mind" }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let stored = app
        .store
        .linkage_decisions_after(vigil_store::Page::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);

    // A restart: the casebook replayed from the log has both decisions, and the same
    // queue as the live one.
    let (_, live_queue) = call(&app, &mash, Method::GET, "/api/v1/review-queue", None).await;
    assert!(!queued(&live_queue, &a, &b));
    let casework = vigil_pipeline::Casework::load(
        &app.store,
        vigil_linkage::LinkageModel::default_model(),
        vigil_rules::RulesConfig::default(),
    )
    .await
    .unwrap();
    let restarted = vigil_web::router(vigil_web::AppState {
        store: app.store.clone(),
        limits: vigil_web::WebLimits::default(),
        casework,
        access: Default::default(),
    });
    let (_, _, queue) =
        common::call_router(&restarted, &mash, Method::GET, "/api/v1/review-queue", None).await;
    assert!(!queued(&queue, &left, &right));
    assert!(!queued(&queue, &a, &b));
    assert_eq!(queue, live_queue);
    let (_, _, again) = common::call_router(
        &restarted,
        &mash,
        Method::GET,
        &format!("/api/v1/persons/{person}"),
        None,
    )
    .await;
    assert_eq!(again["records"], identity["records"]);
}

#[tokio::test]
async fn only_the_mash_and_team_managers_decide_and_bad_decisions_name_the_field() {
    let app = case_p().await;
    let mash = app.reader.clone();
    let (_, queue) = call(&app, &mash, Method::GET, "/api/v1/review-queue", None).await;
    let pair = &queue["pairs"][0];
    let (left, right) = (
        pair["left"]["record"].clone(),
        pair["right"]["record"].clone(),
    );

    let manager = key(&app, Role::TeamManager, Some("NCS"), "a team manager").await;
    let (status, _) = call(&app, &manager, Method::GET, "/api/v1/review-queue", None).await;
    assert_eq!(status, StatusCode::OK);
    for role in [
        Role::Practitioner,
        Role::PracticeReviewer,
        Role::PrivacyOfficer,
    ] {
        let someone = key(&app, role, Some("NCS"), "someone").await;
        let (status, problem) =
            call(&app, &someone, Method::GET, "/api/v1/review-queue", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        assert!(problem["detail"].as_str().unwrap().contains("mash_analyst"));
        let (status, _) = call(
            &app,
            &someone,
            Method::POST,
            "/api/v1/review-queue/decisions",
            Some(json!({ "left": left, "right": right, "decision": "link", "reason": "looks right" })),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }

    let cases = [
        (
            json!({ "right": right, "decision": "link", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/left",
        ),
        (
            json!({ "left": left, "decision": "link", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/right",
        ),
        (
            json!({ "left": left, "right": right, "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/decision",
        ),
        (
            json!({ "left": left, "right": right, "decision": "merge", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/decision",
        ),
        (
            json!({ "left": left, "right": right, "decision": "link" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/reason",
        ),
        (
            json!({ "left": left, "right": right, "decision": "link", "reason": "   " }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/reason",
        ),
        (
            json!({ "left": left, "right": left, "decision": "link", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/right",
        ),
        (
            json!({ "left": left, "right": right, "decision": "link", "reason": "r", "by": "someone else" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/by",
        ),
        (
            json!({ "left": 7, "right": right, "decision": "link", "reason": "r" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/left",
        ),
    ];
    for (body, status, field) in cases {
        let (got, problem) = call(
            &app,
            &mash,
            Method::POST,
            "/api/v1/review-queue/decisions",
            Some(body.clone()),
        )
        .await;
        assert_eq!(got, status, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let (status, problem) = call(
        &app,
        &mash,
        Method::POST,
        "/api/v1/review-queue/decisions",
        Some(json!({ "left": left, "right": "no-such-record.0", "decision": "keep_apart", "reason": "r" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["record"], "no-such-record.0");
    assert!(
        app.store
            .linkage_decisions_after(vigil_store::Page::default())
            .await
            .unwrap()
            .is_empty(),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn a_persons_records_open_to_the_mash_reviewers_and_related_practitioners_only() {
    let app = case_p().await;
    let mash = app.reader.clone();
    let (_, queue) = call(&app, &mash, Method::GET, "/api/v1/review-queue", None).await;
    let person = queue["pairs"][0]["left"]["person"]
        .as_str()
        .unwrap()
        .to_string();
    let agency = queue["pairs"][0]["left"]["agency"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/persons/{person}");
    let reviewer = key(&app, Role::PracticeReviewer, None, "a reviewer").await;
    let related = key(&app, Role::Practitioner, Some(&agency), "related").await;
    let stranger = key(&app, Role::Practitioner, Some("ZZZ"), "stranger").await;
    let privacy = key(&app, Role::PrivacyOfficer, None, "privacy").await;
    for (who, expected) in [
        (&mash, StatusCode::OK),
        (&reviewer, StatusCode::OK),
        (&related, StatusCode::OK),
        (&stranger, StatusCode::FORBIDDEN),
        (&privacy, StatusCode::FORBIDDEN),
    ] {
        let (status, body) = call(&app, who, Method::GET, &path, None).await;
        assert_eq!(status, expected, "{body}");
    }
    // A refusal reads the same whether or not the person exists.
    let (_, known) = call(&app, &stranger, Method::GET, &path, None).await;
    let (status, unknown) =
        call(&app, &stranger, Method::GET, "/api/v1/persons/nobody", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(known["detail"], unknown["detail"]);
    let (status, _) = call(&app, &mash, Method::GET, "/api/v1/persons/nobody", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
