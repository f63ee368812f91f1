//! The access matrix: every route of the route table (the one list the router is built
//! from, so a new route is in this test the moment it exists) called as every role,
//! with and without a relationship to the child (by their agency's event, or by an open
//! involvement of their team that children's social care recorded), and with no
//! credentials, a wrong key, an expired key and a revoked key. Each answer is checked
//! against the matrix below, written out independently of `vigil_access::decide`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_access::{Access, Role};
use vigil_domain::AgencyCode;
use vigil_store::EventStore;
use vigil_store::accounts::issue_api_key;
use vigil_store_sqlite::{Durability, SqliteStore};
use vigil_web::{AppState, WebLimits, router};

/// Who calls. `own` is whether the caller's agency is QAH, which recorded the child's
/// injury; `related` whether the caller has a legitimate relationship with the child:
/// their agency's event, or an open involvement of their team.
#[derive(Debug, Clone, Copy)]
struct Caller {
    role: Role,
    own: bool,
    related: bool,
}

/// The matrix: whether `caller` may use a route giving `access`.
fn allowed(access: Access, caller: Caller) -> bool {
    use Role::*;
    let Caller { role, own, related } = caller;
    match access {
        Access::Public | Access::ReadRules | Access::SignedIn => true,
        Access::Administer => role == Administrator,
        Access::RecordEvents => matches!(role, IntegrationClient | Practitioner) && own,
        Access::ReadEvents => {
            role == MashAnalyst || (matches!(role, Practitioner | TeamManager) && own)
        }
        Access::ListChildren | Access::ListAlerts | Access::ListQuestions => {
            matches!(
                role,
                MashAnalyst | PracticeReviewer | TeamManager | Practitioner
            )
        }
        Access::ReadChild => {
            matches!(role, MashAnalyst | PracticeReviewer)
                || (matches!(role, Practitioner | TeamManager) && related)
        }
        Access::ReadNotices => {
            matches!(role, MashAnalyst | PracticeReviewer)
                || (matches!(role, Practitioner | TeamManager) && own)
        }
        Access::ActOnAlert => {
            matches!(role, MashAnalyst | TeamManager) || (role == Practitioner && related)
        }
        Access::DecideFrontDoor => matches!(role, MashAnalyst | TeamManager),
        Access::ReadDerivations => matches!(role, PracticeReviewer | PrivacyOfficer | MashAnalyst),
        Access::ReadMetrics => role == Administrator,
        // Break-glass is for those without a relationship; with one, the answer is a
        // 409 saying it is not needed, which the matrix counts as allowed.
        Access::BreakGlass => matches!(role, Practitioner | TeamManager),
        Access::ReviewBreakGlass | Access::ReadAuditTrail | Access::ReadDisclosures => {
            role == PrivacyOfficer
        }
        Access::ReviewLinkage => matches!(role, MashAnalyst | TeamManager),
        Access::ReadPerson => {
            matches!(role, MashAnalyst | PracticeReviewer)
                || (matches!(role, Practitioner | TeamManager) && related)
        }
    }
}

fn injury(source_id: &str) -> Value {
    let recorded = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let born = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 120))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    json!({
        "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED", "source_id": source_id,
        "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male", "date_of_birth": born.to_string(),
              "nhs_number": CHILD_NHS_NUMBER, "addresses": [CHILD_ADDRESS] },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother" }
        ],
        "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
            "explanations": [], "recorder_opinion": "concern" }] }
    })
}

/// Fictional: the 999 range is never issued.
const CHILD_NHS_NUMBER: &str = "9990001006";
const CHILD_ADDRESS: &str = "Flat 2, 9 Quill Lane, Testwick QA1 1AA";

/// The team of another agency that children's social care (QCS) involves with the
/// matrix's child.
const INVOLVED_TEAM: &str = "Early help east";

/// Children's social care (`agency`, registered as such) records that `team` of
/// `team_agency` is involved with the child, or no longer is.
fn involvement(
    agency: &str,
    source_id: &str,
    team_agency: &str,
    team: &str,
    status: &str,
) -> Value {
    let recorded = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(30);
    let born = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 120))
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    json!({
        "kind": "involvement", "agency": agency, "source_system": format!("{agency}-LAS"), "source_id": source_id,
        "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "sex": "male", "date_of_birth": born.to_string(),
              "nhs_number": CHILD_NHS_NUMBER, "addresses": [CHILD_ADDRESS] }
        ],
        "details": { "team": team, "team_agency": team_agency, "status": status, "role": "family support" }
    })
}

fn webhook_subscription() -> Value {
    json!({
        "agency": "QAH", "url": "https://hooks.qah.example.invalid/vigil",
        "topics": ["alert_raised", "alert_closed"],
        "lawful_basis": "Children Act 2004 s.11; UK GDPR art. 6(1)(e) and 9(2)(h)",
    })
}

struct App {
    router: axum::Router,
    store: SqliteStore,
    _directory: tempfile::TempDir,
}

impl App {
    async fn call(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value, bool) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let body = body
            .map(|b| Body::from(serde_json::to_vec(b).unwrap()))
            .unwrap_or_else(Body::empty);
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let challenge = response.headers().contains_key(header::WWW_AUTHENTICATE);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            challenge,
        )
    }

    async fn key(
        &self,
        role: Role,
        agency: Option<&str>,
        expires_at: Option<jiff::Timestamp>,
    ) -> (String, String) {
        let (key, secret) = issue_api_key(
            &self.store,
            &format!("{role} test key"),
            role,
            agency.map(|a| AgencyCode::parse(a).unwrap()),
            expires_at,
            "test",
        )
        .await
        .unwrap();
        (key.id, format!("Bearer {secret}"))
    }

    /// The key of a person of `role` in `team` of `agency`: a local account's own key,
    /// which acts with the account's team.
    async fn team_key(&self, user_name: &str, role: Role, agency: &str, team: &str) -> String {
        let account = vigil_store::Account {
            user_name: user_name.into(),
            display_name: format!("{user_name} (fictional)"),
            role,
            agency: Some(AgencyCode::parse(agency).unwrap()),
            team: Some(team.into()),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            created_at: jiff::Timestamp::now(),
            created_by: "test".into(),
        };
        assert!(self.store.add_account(&account).await.unwrap());
        let (_, secret) = vigil_store::accounts::issue_owned_api_key(
            &self.store,
            &account,
            "team key",
            None,
            "test",
        )
        .await
        .unwrap();
        format!("Bearer {secret}")
    }
}

async fn app() -> App {
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
        .await
        .unwrap();
    // QCS is children's social care, which may involve another agency's team.
    let mut config = vigil_rules::RulesConfig::default();
    config.agencies.insert(
        "QCS".into(),
        vigil_rules::config::AgencyEntry {
            name: Some("Quillshire Children's Services (fictional)".into()),
            sector: vigil_domain::Sector::SocialCare,
        },
    );
    let casework = vigil_pipeline::Casework::load(
        &store,
        vigil_linkage::LinkageModel::default_model(),
        config,
    )
    .await
    .unwrap();
    let router = router(AppState {
        store: store.clone(),
        limits: WebLimits::default(),
        casework,
        access: Default::default(),
    });
    App {
        router,
        store,
        _directory: directory,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = app().await;
    let (_, feed) = app.key(Role::IntegrationClient, Some("QAH"), None).await;
    let (_, mash) = app.key(Role::MashAnalyst, None, None).await;
    let (status, body, _) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&feed),
            Some(&injury("ED-0")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let event_id = body["id"].as_str().unwrap().to_string();
    let (_, event, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/events/{event_id}"),
            Some(&mash),
            None,
        )
        .await;
    let record_id = event["identity_records"][0].as_str().unwrap().to_string();
    let (_, children, _) = app
        .call(Method::GET, "/api/v1/children", Some(&mash), None)
        .await;
    let child = children["children"][0]["id"].as_str().unwrap().to_string();
    let (_, alerts, _) = app
        .call(Method::GET, "/api/v1/alerts", Some(&mash), None)
        .await;
    let alert = alerts["alerts"][0]["alert"]["id"]
        .as_str()
        .expect("the bruise raises an alert")
        .to_string();
    // The child's record and the mother's, as the casebook names them.
    let (child_record, mother_record) = (format!("{event_id}.0"), format!("{event_id}.1"));
    assert_eq!(
        child, child_record,
        "a person is named by their first record"
    );
    // Children's social care involves a team of NCS with the child.
    let (_, qcs) = app.key(Role::IntegrationClient, Some("QCS"), None).await;
    let (status, body, _) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&qcs),
            Some(&involvement("QCS", "INV-1", "NCS", INVOLVED_TEAM, "open")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, children, _) = app
        .call(Method::GET, "/api/v1/children", Some(&mash), None)
        .await;
    assert_eq!(
        children["children"].as_array().unwrap().len(),
        1,
        "social care's record is of the same child: {children}"
    );
    let (_, outsider) = app.key(Role::Practitioner, Some("NCS"), None).await;
    let (status, opening, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/children/{child}/break-glass"),
            Some(&outsider),
            Some(&json!({ "reason": "seen at the walk-in centre tonight" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{opening}");
    let opening = opening["id"].as_str().unwrap().to_string();
    // A webhook subscription and a delivery queued for it (not a dead letter, so an
    // administrator's replay is a 409, which the matrix counts as allowed).
    let (_, admin) = app.key(Role::Administrator, None, None).await;
    let (status, hook, _) = app
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&admin),
            Some(&webhook_subscription()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook = hook["id"].as_str().unwrap().to_string();
    let delivery = uuid::Uuid::now_v7();
    app.store
        .queue_webhook_deliveries(&[vigil_store::NewDelivery {
            id: delivery,
            subscription: hook.parse().unwrap(),
            subject: "a-conclusion".into(),
            topic: vigil_store::Topic::AlertRaised,
            child: Some(child.clone()),
            alert: Some(alert.clone()),
            payload: json!({ "alert": alert }),
            created_at: jiff::Timestamp::now(),
        }])
        .await
        .unwrap();

    let mut callers = Vec::new();
    for role in Role::ALL {
        for own in [true, false] {
            let agency = if role.needs_agency() {
                Some(if own { "QAH" } else { "NCS" })
            } else if own {
                None
            } else {
                continue;
            };
            // Without an agency there is no relationship; the matrix treats such a
            // role the same either way.
            let (_, authorization) = app.key(role, agency, None).await;
            callers.push((
                Caller {
                    role,
                    own: own && agency.is_some(),
                    related: own && agency.is_some(),
                },
                authorization,
            ));
        }
    }
    // People of NCS whose team social care involved: related, but not of QAH.
    for (user_name, role) in [
        ("involved.practitioner", Role::Practitioner),
        ("involved.manager", Role::TeamManager),
    ] {
        let authorization = app.team_key(user_name, role, "NCS", INVOLVED_TEAM).await;
        callers.push((
            Caller {
                role,
                own: false,
                related: true,
            },
            authorization,
        ));
    }

    let table = vigil_web::api::route_table::<SqliteStore>();
    assert!(table.len() >= 26, "every route is in the table");
    let mut source = 0;
    for route in &table {
        let path = route
            .path
            .replace("/events/{id}", &format!("/events/{event_id}"))
            .replace(
                "/identity-records/{id}",
                &format!("/identity-records/{record_id}"),
            )
            .replace("/children/{id}", &format!("/children/{child}"))
            .replace("/alerts/{id}", &format!("/alerts/{alert}"))
            .replace("/break-glass/{id}", &format!("/break-glass/{opening}"))
            .replace("/persons/{id}", &format!("/persons/{child}"))
            .replace("/webhooks/{id}", &format!("/webhooks/{hook}"))
            .replace(
                "/webhook-dead-letters/{id}",
                &format!("/webhook-dead-letters/{delivery}"),
            )
            .replace("{agency}", "QAH");
        let path = if route.access == Access::ReadEvents && path == "/api/v1/events" {
            "/api/v1/events?agency=QAH".to_string()
        } else {
            path
        };
        assert!(
            !path.contains('{'),
            "the test knows no value for {}",
            route.path
        );
        let mut body = || -> Option<Value> {
            source += 1;
            match route.access {
                Access::RecordEvents if path.ends_with("/batch") => {
                    Some(json!({ "events": [injury(&format!("ED-{source}"))] }))
                }
                Access::RecordEvents if path.ends_with("/fhir") => Some(json!({
                    "resourceType": "Bundle", "type": "collection", "entry": [
                        {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-0000000000a1", "resource": {
                            "resourceType": "Patient",
                            "name": [{"family": "NORTH", "given": ["Alfie"]}],
                            "birthDate": "2023-01-15"}},
                        {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-0000000000a2", "resource": {
                            "resourceType": "Encounter",
                            "identifier": [{"system": "urn:vigil:source-system:QAH-ED", "value": format!("FHIR-{source}")}],
                            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
                            "subject": {"reference": "urn:uuid:5d1f0a53-0000-4000-8000-0000000000a1"},
                            "serviceProvider": {"reference": "urn:uuid:5d1f0a53-0000-4000-8000-0000000000a3"},
                            "period": {"start": "2024-02-01T10:30:00Z"}}},
                        // The records are QAH's, as the matrix's other events are.
                        {"fullUrl": "urn:uuid:5d1f0a53-0000-4000-8000-0000000000a3", "resource": {
                            "resourceType": "Organization",
                            "identifier": [{"system": "https://vigil.example/fhir/Id/agency", "value": "QAH"}]}}
                    ]
                })),
                Access::RecordEvents => Some(injury(&format!("ED-{source}"))),
                Access::ActOnAlert => {
                    Some(json!({ "reason": "checked", "signed_off_by": "a manager" }))
                }
                Access::BreakGlass => Some(json!({ "reason": "an emergency at the front door" })),
                Access::DecideFrontDoor => Some(json!({
                    "alert": alert, "outcome": "strategy_discussion",
                    "rationale": "a bruise on a baby who does not crawl",
                    "assign_role": "key_worker",
                    "due_by": (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).to_string(),
                })),
                Access::ReviewBreakGlass if route.method == Method::POST => {
                    Some(json!({ "outcome": "justified", "note": "checked with the ward" }))
                }
                Access::Administer if path == "/api/v1/webhooks" => Some(webhook_subscription()),
                Access::Administer if path.ends_with("/revoke") => {
                    Some(json!({ "reason": "the agency's receiver moved" }))
                }
                Access::ReviewLinkage if route.method == Method::POST => Some(json!({
                    "left": child_record, "right": mother_record,
                    "decision": "keep_apart", "reason": "a baby and his mother",
                })),
                _ => None,
            }
        };
        // No credentials, and credentials that are not accepted.
        if route.access != Access::Public {
            for authorization in [
                None,
                Some("Bearer vigil_0123456789abcdef_".to_string() + &"0".repeat(64)),
                Some("Bearer nonsense".to_string()),
                Some("Basic bm9ib2R5Og==".to_string()),
            ] {
                let (status, problem, challenge) = app
                    .call(
                        route.method.clone(),
                        &path,
                        authorization.as_deref(),
                        body().as_ref(),
                    )
                    .await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{} {path} with {authorization:?}",
                    route.method
                );
                assert!(challenge, "401 carries WWW-Authenticate");
                assert_eq!(problem["type"], "/problems/unauthenticated");
            }
        }
        for (caller, authorization) in &callers {
            let (status, problem, _) = app
                .call(
                    route.method.clone(),
                    &path,
                    Some(authorization),
                    body().as_ref(),
                )
                .await;
            if allowed(route.access, *caller) {
                assert!(
                    status.is_success() || status == StatusCode::CONFLICT,
                    "{} {path} as {caller:?}: {status} {problem}",
                    route.method
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{} {path} as {caller:?}: {problem}",
                    route.method
                );
                // FHIR clients are answered in FHIR: an OperationOutcome.
                let (kind, detail) = if problem["resourceType"] == "OperationOutcome" {
                    (
                        problem["issue"][0]["code"].clone(),
                        problem["issue"][0]["diagnostics"].clone(),
                    )
                } else {
                    (problem["type"].clone(), problem["detail"].clone())
                };
                assert!(
                    kind == "/problems/forbidden" || kind == "forbidden",
                    "{problem}"
                );
                let detail = detail.as_str().unwrap_or_default();
                assert!(
                    detail.contains("needs") || detail.contains("only for"),
                    "{problem}"
                );
            }
        }
    }
}

#[tokio::test]
async fn expired_and_revoked_keys_stop_working_and_basic_accounts_sign_in() {
    let app = app().await;
    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let (_, expired) = app.key(Role::MashAnalyst, None, Some(past)).await;
    let (revoked_id, revoked) = app.key(Role::MashAnalyst, None, None).await;
    let revocation = vigil_store::KeyRevocation {
        key_id: revoked_id,
        revoked_at: jiff::Timestamp::now(),
        revoked_by: "test".into(),
    };
    assert!(app.store.revoke_api_key(&revocation).await.unwrap());
    for authorization in [&expired, &revoked] {
        let (status, _, challenge) = app
            .call(Method::GET, "/api/v1/rules", Some(authorization), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(challenge);
    }
    let (status, _, _) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK);

    let account = vigil_store::Account {
        user_name: "ana.quill".into(),
        display_name: "Ana Quill".into(),
        role: Role::PracticeReviewer,
        agency: None,
        team: None,
        password_hash: vigil_access::secret::hash_password("a long test passphrase").unwrap(),
        created_at: jiff::Timestamp::now(),
        created_by: "test".into(),
    };
    assert!(app.store.add_account(&account).await.unwrap());
    use base64::Engine;
    let basic = |text: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    };
    let (status, _, _) = app
        .call(
            Method::GET,
            "/api/v1/children?as_at=2030-01-01T00:00:00Z",
            Some(&basic("ana.quill:a long test passphrase")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = app
        .call(
            Method::GET,
            "/api/v1/children",
            Some(&basic("ana.quill:wrong passphrase")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_practitioner_sees_only_related_children_and_a_refusal_hides_whether_a_child_exists() {
    let app = app().await;
    let (_, feed) = app.key(Role::IntegrationClient, Some("QAH"), None).await;
    app.call(
        Method::POST,
        "/api/v1/events",
        Some(&feed),
        Some(&injury("ED-1")),
    )
    .await;
    let (_, ours) = app.key(Role::Practitioner, Some("QAH"), None).await;
    let (_, theirs) = app.key(Role::Practitioner, Some("NCS"), None).await;
    let (_, body, _) = app
        .call(Method::GET, "/api/v1/children", Some(&ours), None)
        .await;
    assert_eq!(body["children"].as_array().unwrap().len(), 1);
    let child = body["children"][0]["id"].as_str().unwrap().to_string();
    let (_, body, _) = app
        .call(Method::GET, "/api/v1/children", Some(&theirs), None)
        .await;
    assert_eq!(body["children"].as_array().unwrap().len(), 0);
    let (_, body, _) = app
        .call(Method::GET, "/api/v1/alerts", Some(&theirs), None)
        .await;
    assert_eq!(body["alerts"].as_array().unwrap().len(), 0);

    let (known, known_body, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/children/{child}"),
            Some(&theirs),
            None,
        )
        .await;
    let (unknown, unknown_body, _) = app
        .call(
            Method::GET,
            "/api/v1/children/no-such-child",
            Some(&theirs),
            None,
        )
        .await;
    assert_eq!(
        (known, unknown),
        (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN)
    );
    assert_eq!(known_body["detail"], unknown_body["detail"]);
    // A replay is for reviewers and the MASH, even with a relationship.
    let (status, body, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/children/{child}?as_at=2030-01-01T00:00:00Z"),
            Some(&ours),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("practice_reviewer")
    );
    // An agency records only its own events.
    let (_, other) = app.key(Role::IntegrationClient, Some("NCS"), None).await;
    let (status, body, _) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&other),
            Some(&injury("ED-2")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(app.store.event_count().await.unwrap(), 1);
}

#[tokio::test]
async fn a_teams_involvement_opens_the_child_to_that_team_until_social_care_closes_it() {
    let app = app().await;
    let (_, feed) = app.key(Role::IntegrationClient, Some("QAH"), None).await;
    let (_, mash) = app.key(Role::MashAnalyst, None, None).await;
    let (_, qcs) = app.key(Role::IntegrationClient, Some("QCS"), None).await;
    let (_, police) = app.key(Role::IntegrationClient, Some("QPOL"), None).await;
    app.call(
        Method::POST,
        "/api/v1/events",
        Some(&feed),
        Some(&injury("ED-1")),
    )
    .await;
    let (_, children, _) = app
        .call(Method::GET, "/api/v1/children", Some(&mash), None)
        .await;
    let child = children["children"][0]["id"].as_str().unwrap().to_string();
    let north = app
        .team_key(
            "hv.north",
            Role::Practitioner,
            "QHV",
            "Health visiting north",
        )
        .await;
    let south = app
        .team_key(
            "hv.south",
            Role::Practitioner,
            "QHV",
            "Health visiting south",
        )
        .await;
    let record = |key: &str| {
        let path = format!("/api/v1/children/{child}");
        let key = key.to_string();
        let app = &app;
        async move { app.call(Method::GET, &path, Some(&key), None).await }
    };
    let listed = |key: &str| {
        let key = key.to_string();
        let app = &app;
        async move {
            let (_, body, _) = app
                .call(Method::GET, "/api/v1/children", Some(&key), None)
                .await;
            body["children"].as_array().unwrap().len()
        }
    };
    assert_eq!(record(&north).await.0, StatusCode::FORBIDDEN);

    // The police naming a health team involves nobody: only social care may.
    let (status, body, _) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&police),
            Some(&involvement(
                "QPOL",
                "P-1",
                "QHV",
                "Health visiting north",
                "open",
            )),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(record(&north).await.0, StatusCode::FORBIDDEN);

    // Social care involves the north team (written as people write it): its people
    // read the record and see the child in their list; the south team does not.
    app.call(
        Method::POST,
        "/api/v1/events",
        Some(&qcs),
        Some(&involvement(
            "QCS",
            "INV-1",
            "QHV",
            "health visiting  North",
            "open",
        )),
    )
    .await;
    let (status, body, _) = record(&north).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(listed(&north).await, 1);
    let (status, body, _) = record(&south).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("open involvement of your team"),
        "{body}"
    );
    assert_eq!(listed(&south).await, 0);

    // Closed: the record shuts again.
    app.call(
        Method::POST,
        "/api/v1/events",
        Some(&qcs),
        Some(&involvement(
            "QCS",
            "INV-2",
            "QHV",
            "Health visiting north",
            "closed",
        )),
    )
    .await;
    assert_eq!(record(&north).await.0, StatusCode::FORBIDDEN);
    assert_eq!(listed(&north).await, 0);

    // A blank team is refused at the door, naming the field.
    let (status, body, _) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&qcs),
            Some(&involvement("QCS", "INV-3", "QHV", "  ", "open")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "/details/team", "{body}");
}
