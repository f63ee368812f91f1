//! The front door's decisions, over HTTP and through the pages: a MASH analyst decides
//! an alert or a referral with a rationale and assigns it with a deadline; the decision
//! is appended (a later one replaces it as current, the earlier stays), acknowledges
//! the alert, survives a replay of the log, and shows on the assignee's "my work". Every
//! wrong decision is refused naming the field, and nothing of it is stored. Also the
//! privacy officer's disclosures page with its filters, and the vendored htmx.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_access::Role;
use vigil_store::EventStore;

const PASSWORD: &str = "a long enough password";

fn hours_from_now(hours: i64) -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(hours)).to_string()
}

fn born_months_ago(months: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 30 * months))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

fn bruise_in_a_baby() -> Value {
    let recorded = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    json!({
        "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED", "source_id": "ED-1",
        "occurred_at": recorded, "recorded_at": recorded,
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male",
              "date_of_birth": born_months_ago(4),
              "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother" }
        ],
        "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
            "explanations": [], "recorder_opinion": "concern" }] }
    })
}

fn referral_from_school() -> Value {
    let recorded = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    json!({
        "kind": "referral", "agency": "QAH", "source_system": "QAH-SG", "source_id": "REF-1",
        "occurred_at": recorded, "recorded_at": recorded,
        "people": [
            { "role": "subject_child", "name": "QUILLFEATHER, Ada", "sex": "female",
              "date_of_birth": born_months_ago(96),
              "addresses": ["4 Inkwell Row, Testwick QA9 9ZZ"] }
        ],
        "details": { "referred_to": "MASH", "reason": "came to school hungry three days running", "urgency": "routine" }
    })
}

async fn record(app: &TestApp, event: Value) -> String {
    let (status, _, body) = app
        .call_as(&app.writer, Method::POST, "/api/v1/events", Some(event))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn the_alert(app: &TestApp) -> String {
    let (_, _, body) = app
        .call_as(&app.reader, Method::GET, "/api/v1/alerts", None)
        .await;
    body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alert"]["rule"] == "injury-not-independently-mobile")
        .expect("the bruise raises an alert")["alert"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn add_account(app: &TestApp, user_name: &str, name: &str, role: Role, agency: Option<&str>) {
    app.store
        .add_account(&vigil_store::Account {
            user_name: user_name.into(),
            display_name: name.into(),
            role,
            agency: agency.map(|a| vigil_domain::AgencyCode::parse(a).unwrap()),
            team: None,
            password_hash: vigil_access::secret::hash_password(PASSWORD).unwrap(),
            created_at: jiff::Timestamp::now(),
            created_by: "test".into(),
        })
        .await
        .unwrap();
}

async fn decisions(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, _, body) = app
        .call_as(
            &app.reader,
            Method::GET,
            &format!("/api/v1/front-door/decisions{query}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["decisions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_decision_with_a_rationale_assigns_the_alert_and_acknowledges_it() {
    let app = TestApp::spawn("QAH").await;
    record(&app, bruise_in_a_baby()).await;
    let alert = the_alert(&app).await;
    add_account(
        &app,
        "sam.key",
        "Sam Keyworker",
        Role::Practitioner,
        Some("QAH"),
    )
    .await;
    let before = jiff::Timestamp::now();

    let (status, _, body) = app
        .call_as(
            &app.reader,
            Method::POST,
            "/api/v1/front-door/decisions",
            Some(json!({
                "alert": alert, "outcome": "strategy_discussion",
                "rationale": "bruised cheek on a baby who does not crawl, no explanation",
                "assign_role": "key_worker", "assign_person": "sam.key", "due_by": hours_from_now(24),
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["outcome"], "strategy_discussion");
    assert_eq!(body["item"], json!({ "kind": "alert", "id": alert }));
    assert_eq!(body["assignment"]["person"], "sam.key");
    assert_eq!(body["assignment"]["person_name"], "Sam Keyworker");
    assert_eq!(body["current"], true);
    assert_eq!(body["outstanding"], true);
    assert_eq!(body["child_name"], "Tom ZEBEDEE");

    // Deciding is acting: the alert is acknowledged with the decision as its reason.
    let (_, _, alerts) = app
        .call_as(&app.reader, Method::GET, "/api/v1/alerts", None)
        .await;
    let status = &alerts["alerts"][0]["alert"]["status"];
    assert_eq!(status["status"], "acknowledged", "{status}");
    let reason = status["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("MASH decision: Strategy discussion / s47 enquiry: bruised cheek"),
        "{reason}"
    );
    assert!(
        reason.contains("assigned to Sam Keyworker (key worker)"),
        "{reason}"
    );

    // A second decision replaces the first as current; both stay, in order.
    let (status, _, body) = app
        .call_as(
            &app.reader,
            Method::POST,
            "/api/v1/front-door/decisions",
            Some(json!({
                "alert": alert, "outcome": "child_in_need_assessment",
                "rationale": "strategy discussion held: no s47, assess needs",
                "assign_role": "team_manager", "due_by": hours_from_now(48),
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let list = decisions(&app, "").await;
    assert_eq!(list.len(), 2);
    assert_eq!(
        list.iter()
            .map(|d| d["current"].clone())
            .collect::<Vec<_>>(),
        [json!(false), json!(true)]
    );
    assert_eq!(list[1]["assignment"]["role"], "team_manager");

    // The record as known before the decisions has none; a replay of the log now has
    // both (the decisions are part of the record, not of this process's memory).
    let earlier = (before - jiff::SignedDuration::from_secs(1)).to_string();
    assert!(
        decisions(&app, &format!("?as_at={earlier}"))
            .await
            .is_empty()
    );
    let later = hours_from_now(1);
    assert_eq!(decisions(&app, &format!("?as_at={later}")).await.len(), 2);
}

#[tokio::test]
async fn a_referral_is_decided_with_no_further_action_and_needs_no_assignment() {
    let app = TestApp::spawn("QAH").await;
    let referral = record(&app, referral_from_school()).await;
    let (status, _, body) = app
        .call_as(
            &app.reader,
            Method::POST,
            "/api/v1/front-door/decisions",
            Some(json!({
                "referral": referral, "outcome": "no_further_action",
                "rationale": "free school meals arranged with the family; no safeguarding concern",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["item"]["kind"], "referral");
    assert_eq!(body["child_name"], "Ada QUILLFEATHER");
    assert!(body.get("assignment").is_none());
    assert_eq!(body["outstanding"], false);
}

#[tokio::test]
async fn a_wrong_decision_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = TestApp::spawn("QAH").await;
    record(&app, bruise_in_a_baby()).await;
    let alert = the_alert(&app).await;
    let cases = [
        (
            json!({ "alert": alert, "outcome": "early_help", "rationale": "  ",
                    "assign_role": "key_worker", "due_by": hours_from_now(24) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/rationale",
        ),
        (
            json!({ "alert": alert, "outcome": "strategy_discussion", "rationale": "serious" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/assign_role",
        ),
        (
            json!({ "alert": alert, "outcome": "early_help", "rationale": "support",
                    "assign_role": "key_worker", "due_by": hours_from_now(-1) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/due_by",
        ),
        (
            json!({ "alert": alert, "outcome": "early_help", "rationale": "support",
                    "assign_role": "key_worker", "due_by": "next week" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/due_by",
        ),
        (
            json!({ "alert": alert, "outcome": "ignore_it", "rationale": "x" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/outcome",
        ),
        (
            json!({ "alert": alert, "referral": "0190a0b0-0000-7000-8000-000000000001",
                    "outcome": "no_further_action", "rationale": "x" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/referral",
        ),
        (
            json!({ "alert": alert, "outcome": "early_help", "rationale": "support",
                    "assign_role": "key_worker", "assign_person": "nobody.here", "due_by": hours_from_now(24) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/assign_person",
        ),
        (
            json!({ "alert": alert, "outcome": "early_help", "rationale": "support",
                    "assign_role": "the_cleaner", "due_by": hours_from_now(24) }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/assign_role",
        ),
        (
            json!({ "alert": alert, "outcome": "no_further_action", "rationale": "x", "by": "someone else" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "/by",
        ),
        (
            json!({ "alert": "no-such-alert", "outcome": "no_further_action", "rationale": "x" }),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            json!({ "referral": "0190a0b0-0000-7000-8000-000000000001",
                    "outcome": "no_further_action", "rationale": "x" }),
            StatusCode::NOT_FOUND,
            "",
        ),
    ];
    for (body, expected, field) in cases {
        let (status, content_type, problem) = app
            .call_as(
                &app.reader,
                Method::POST,
                "/api/v1/front-door/decisions",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, expected, "{body} -> {problem}");
        assert_eq!(content_type, "application/problem+json");
        if !field.is_empty() {
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{body} -> {problem}");
        }
    }
    let stored = app
        .store
        .front_door_decisions_after(vigil_store::Page::default())
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing half-stored: {stored:?}");

    // A practitioner does not decide at the front door, even about a related child.
    let (_, practitioner) = app
        .key_for(Role::Practitioner, Some("QAH"), "a QAH nurse")
        .await;
    let (status, _, problem) = app
        .call_as(
            &practitioner,
            Method::POST,
            "/api/v1/front-door/decisions",
            Some(json!({ "alert": alert, "outcome": "no_further_action", "rationale": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("mash_analyst, team_manager")
    );
}

async fn send(
    app: &TestApp,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post_form(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn encode(text: &str) -> String {
    vigil_web::pages::encode_component(text)
}

/// Signs in as `user_name`; returns the cookie and the session's CSRF token.
async fn sign_in(app: &TestApp, user_name: &str) -> (String, String) {
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "user_name={user_name}&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let (status, headers, _) = send(app, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, page) = send(app, get("/rules", &cookie)).await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn the_front_door_form_decides_and_my_work_shows_what_is_assigned_to_me() {
    let app = TestApp::spawn("QAH").await;
    record(&app, bruise_in_a_baby()).await;
    let referral = record(&app, referral_from_school()).await;
    let alert = the_alert(&app).await;
    add_account(&app, "ana", "Ana Analyst", Role::MashAnalyst, None).await;
    add_account(
        &app,
        "sam.key",
        "Sam Keyworker",
        Role::Practitioner,
        Some("QAH"),
    )
    .await;
    add_account(
        &app,
        "pat.other",
        "Pat Other",
        Role::Practitioner,
        Some("QAH"),
    )
    .await;
    let (cookie, csrf) = sign_in(&app, "ana").await;

    let (status, _, page) = send(&app, get("/front-door", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Decide and assign"), "the form is offered");
    assert!(page.contains("Not yet decided."), "the referral waits");
    assert!(page.contains(vigil_web::pages::htmx::SCRIPT_PATH));

    // No rationale: the page says so and nothing is stored.
    let body = format!(
        "csrf={csrf}&item_kind=referral&item={referral}&outcome=early_help&rationale=&assign_role=key_worker&assign_person=&due_by=2099-01-01T17%3A00"
    );
    let (status, _, page) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("rationale"), "{page}");
    // A deadline that is not a date and time.
    let body = format!(
        "csrf={csrf}&item_kind=referral&item={referral}&outcome=early_help&rationale=support&assign_role=key_worker&due_by=soon"
    );
    let (status, _, page) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Write the deadline as a date and a time"));
    // A forged form changes nothing.
    let body = format!(
        "csrf=forged&item_kind=referral&item={referral}&outcome=no_further_action&rationale=x"
    );
    let (status, _, _) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        app.store
            .front_door_decisions_after(vigil_store::Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The alert to Sam by name; the referral to the key workers' queue.
    let body = format!(
        "csrf={csrf}&item_kind=alert&item={}&outcome=strategy_discussion&rationale={}&assign_role=key_worker&assign_person=sam.key&due_by=2099-01-01T17%3A00",
        encode(&alert),
        encode("bruised baby, no explanation")
    );
    let (status, headers, _) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with("/front-door#item-alert-"),
        "{location}"
    );
    // No further action: the deadline the form offers is no assignment without a role.
    let body = format!(
        "csrf={csrf}&item_kind=referral&item={referral}&outcome=no_further_action&rationale={}&assign_role=&assign_person=&due_by=2099-01-02T09%3A00",
        encode("school already supporting")
    );
    let (status, _, page) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    // Then changed to early help for the key workers' queue: it replaces the first.
    let body = format!(
        "csrf={csrf}&item_kind=referral&item={referral}&outcome=early_help&rationale={}&assign_role=key_worker&assign_person=&due_by=2099-01-02T09%3A00",
        encode("family asked for help with food")
    );
    let (status, _, page) = send(&app, post_form("/front-door/decide", &cookie, body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");

    let (_, _, page) = send(&app, get("/front-door", &cookie)).await;
    assert!(page.contains("Decision: Strategy discussion / s47 enquiry"));
    assert!(page.contains("Assigned to Sam Keyworker (key worker)"));
    assert!(page.contains("Decision: Early help"));

    // Sam sees both: the alert by name, the referral as a key worker; by deadline.
    let assigned = |page: &str| -> String {
        let start = page.find("id=\"assigned\"").expect("the assigned section");
        let end = page.find("id=\"my-alerts\"").expect("the alerts section");
        page[start..end].to_string()
    };
    let (sam, _) = sign_in(&app, "sam.key").await;
    let (_, _, page) = send(&app, get("/my-work", &sam)).await;
    let mine = assigned(&page);
    assert!(mine.contains("Assigned to you (2)"), "{mine}");
    let alert_at = mine.find("Strategy discussion / s47 enquiry").unwrap();
    let referral_at = mine.find("<strong>Early help</strong>").unwrap();
    assert!(alert_at < referral_at, "the nearer deadline first");
    // Pat, another key worker, sees the role's referral but not Sam's alert.
    let (pat, _) = sign_in(&app, "pat.other").await;
    let (_, _, page) = send(&app, get("/my-work", &pat)).await;
    let theirs = assigned(&page);
    assert!(theirs.contains("Assigned to you (1)"), "{theirs}");
    assert!(!theirs.contains("Strategy discussion / s47 enquiry"));
}

#[tokio::test]
async fn htmx_is_served_from_vigil_and_its_errors_replace_the_main_content() {
    let app = TestApp::spawn("QAH").await;
    add_account(&app, "ana", "Ana Analyst", Role::MashAnalyst, None).await;
    let (cookie, csrf) = sign_in(&app, "ana").await;
    let (status, headers, script) = send(
        &app,
        Request::get(vigil_web::pages::htmx::SCRIPT_PATH)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(script.starts_with("var htmx="));

    // An error answering htmx replaces the main content, where its words belong.
    let mut request = post_form(
        "/front-door/decide",
        &cookie,
        format!("csrf={csrf}&item_kind=alert&item=none&outcome=no_further_action&rationale=x"),
    );
    request
        .headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (status, headers, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["hx-retarget"], "#main");
    assert_eq!(headers["hx-reselect"], "#main");
    // A session that ended sends htmx to sign in with a full navigation.
    let mut request = get("/front-door", "vigil_session=ended");
    request
        .headers_mut()
        .insert("hx-request", "true".parse().unwrap());
    let (status, headers, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["hx-redirect"], "/sign-in?next=/front-door");
    // Without htmx nothing changes: the plain redirect.
    let (status, headers, _) = send(&app, get("/front-door", "vigil_session=ended")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.get("hx-redirect").is_none());
}

/// A delivered webhook about `child` to `agency`'s subscription, disclosed at `at`.
async fn disclose(app: &TestApp, agency: &str, child: &str, at: &str) {
    let at: jiff::Timestamp = at.parse().unwrap();
    let subscription = vigil_store::WebhookSubscription {
        id: uuid::Uuid::now_v7(),
        agency: vigil_domain::AgencyCode::parse(agency).unwrap(),
        url: "https://hooks.example.invalid/vigil".into(),
        topics: vec![vigil_store::Topic::AlertRaised],
        lawful_basis: format!("Children Act 2004 s.11 ({agency})"),
        secret: "s".repeat(32),
        created_by: "admin".into(),
        created_at: at,
    };
    app.store
        .add_webhook_subscription(&subscription)
        .await
        .unwrap();
    let delivery = uuid::Uuid::now_v7();
    app.store
        .queue_webhook_deliveries(&[vigil_store::NewDelivery {
            id: delivery,
            subscription: subscription.id,
            subject: format!("subject-{delivery}"),
            topic: vigil_store::Topic::AlertRaised,
            child: Some(child.into()),
            alert: None,
            payload: json!({}),
            created_at: at,
        }])
        .await
        .unwrap();
    app.store
        .claim_webhook_attempt(&vigil_store::AttemptClaim {
            delivery,
            number: 1,
            started_at: at,
        })
        .await
        .unwrap();
    app.store
        .record_webhook_attempt(
            &vigil_store::AttemptResult {
                delivery,
                number: 1,
                finished_at: at,
                status: Some(200),
                error: None,
                delivered: true,
                gave_up: false,
            },
            Some(&vigil_store::Disclosure {
                id: uuid::Uuid::now_v7(),
                recipient: subscription.agency.clone(),
                subscription: Some(subscription.id),
                delivery: Some(delivery),
                channel: "webhook".into(),
                child: Some(child.into()),
                alert: None,
                what: "alert_raised".into(),
                lawful_basis: subscription.lawful_basis.clone(),
                at,
            }),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_privacy_officer_filters_every_disclosure_by_agency_and_date() {
    let app = TestApp::spawn("QAH").await;
    disclose(&app, "QAH", "child-a", "2026-03-01T10:00:00Z").await;
    disclose(&app, "NCS", "child-b", "2026-03-05T10:00:00Z").await;
    // 23:30 UTC on 9 June is 00:30 on 10 June in London (summer time).
    disclose(&app, "NCS", "child-a", "2026-06-09T23:30:00Z").await;
    add_account(&app, "pip", "Pip Privacy", Role::PrivacyOfficer, None).await;
    add_account(&app, "ana", "Ana Analyst", Role::MashAnalyst, None).await;
    let (cookie, _) = sign_in(&app, "pip").await;
    let rows = |page: &str| page.matches("<td>alert_raised</td>").count();

    let (status, _, page) = send(&app, get("/privacy", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/privacy/disclosures\""));
    let (status, _, page) = send(&app, get("/privacy/disclosures", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&page), 3);
    let (_, _, page) = send(&app, get("/privacy/disclosures?agency=NCS", &cookie)).await;
    assert_eq!(rows(&page), 2);
    let (_, _, page) = send(
        &app,
        get(
            "/privacy/disclosures?agency=NCS&from=2026-06-10&to=",
            &cookie,
        ),
    )
    .await;
    assert_eq!(rows(&page), 1, "the day is the UK day");
    let (_, _, page) = send(
        &app,
        get(
            "/privacy/disclosures?agency=&from=2026-03-01&to=2026-03-04",
            &cookie,
        ),
    )
    .await;
    assert_eq!(rows(&page), 1);
    assert!(page.contains("Children Act 2004 s.11 (QAH)"));

    let (status, _, page) = send(&app, get("/privacy/disclosures?from=1%20March", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Write a date as YYYY-MM-DD"));
    let (status, _, _) = send(&app, get("/privacy/disclosures?child=x", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Only the privacy officer reads it.
    let (analyst, _) = sign_in(&app, "ana").await;
    let (status, _, _) = send(&app, get("/privacy/disclosures", &analyst)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
