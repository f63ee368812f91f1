//! The ingest API, driven in-process against a real embedded store: the good paths,
//! then a table of malformed requests, each of which must be refused with the right
//! status and a problem+json body naming what was wrong, leaving the store unchanged.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_store::EventStore;

struct Reply {
    status: StatusCode,
    content_type: String,
    location: Option<String>,
    body: Value,
}

impl TestApp {
    async fn send(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        // Records go in with QAH's integration key; everything else is read as the MASH.
        let key = if method == Method::POST && path.starts_with("/api/v1/events") {
            &self.writer
        } else {
            &self.reader
        };
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {key}"));
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_string())
        };
        let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
        let location = header_text(header::LOCATION);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            content_type,
            location,
            body,
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, Vec::new()).await
    }

    async fn count(&self) -> u64 {
        self.store.event_count().await.unwrap()
    }
}

/// A realistic record: an emergency department's injury observation about a fictional
/// infant, with the mother and an explanation.
fn injury_event(source_id: &str) -> Value {
    json!({
        "kind": "injury_observation",
        "agency": "QAH",
        "source_system": "QAH-ED",
        "source_id": source_id,
        "occurred_at": "2024-06-10T14:30",
        "recorded_by": { "name": "Dr Ada QUILL", "role": "paediatric registrar" },
        "summary": "Bruising to the left cheek noted at triage.",
        "people": [
            { "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "10/03/2024", "sex": "male",
              "nhs_number": "999 210 0311", "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"],
              "agency_reference": "MRN-1" },
            { "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother", "phone": "07700 900123",
              "agency_reference": "MRN-2" }
        ],
        "details": { "injuries": [
            { "body_site": "cheek", "side": "left", "injury_type": "bruise", "count": 2,
              "explanations": [{ "given_by": "mother", "text": "rolled off the sofa" }],
              "recorder_opinion": "concern" }
        ] }
    })
}

#[tokio::test]
async fn an_event_is_recorded_once_and_read_back() {
    let app = TestApp::spawn("QAH").await;
    let created = app.post("/api/v1/events", &injury_event("ED-1")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["outcome"], "created");
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.location.as_deref(),
        Some(format!("/api/v1/events/{id}").as_str())
    );

    let again = app.post("/api/v1/events", &injury_event("ED-1")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, json!({ "id": id, "outcome": "already_stored" }));
    assert_eq!(app.count().await, 1);

    let shown = app.get(&format!("/api/v1/events/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["event"]["people"][0]["nhs_number"], "9992100311");
    assert_eq!(
        shown.body["event"]["details"]["injuries"][0]["body_site"],
        "cheek"
    );
    assert_eq!(shown.body["superseded_by"], Value::Null);

    let record_id = shown.body["identity_records"][1].as_str().unwrap();
    let record = app
        .get(&format!("/api/v1/identity-records/{record_id}"))
        .await;
    assert_eq!(record.status, StatusCode::OK);
    assert_eq!(record.body["person"]["relationship"], "mother");

    let listed = app.get("/api/v1/events?agency=QAH&reference=MRN-2").await;
    assert_eq!(listed.body["events"][0]["id"], id.as_str());
    let by_source = app
        .get("/api/v1/events?agency=QAH&source_system=QAH-ED&source_id=ED-1")
        .await;
    assert_eq!(by_source.body["events"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_correction_supersedes_and_the_history_stays() {
    let app = TestApp::spawn("QAH").await;
    let original = app.post("/api/v1/events", &injury_event("ED-1")).await;
    let original_id = original.body["id"].as_str().unwrap().to_string();
    let mut correction = injury_event("ED-1-corrected");
    correction["supersedes"] = json!(original_id);
    correction["details"]["injuries"][0]["side"] = json!("right");
    let fixed = app.post("/api/v1/events", &correction).await;
    assert_eq!(fixed.status, StatusCode::CREATED, "{}", fixed.body);
    let current = app.get("/api/v1/events?agency=QAH&reference=MRN-1").await;
    assert_eq!(current.body["events"].as_array().unwrap().len(), 1);
    assert_eq!(
        current.body["events"][0]["event"]["details"]["injuries"][0]["side"],
        "right"
    );
    let history = app
        .get("/api/v1/events?agency=QAH&reference=MRN-1&include_superseded=true")
        .await;
    assert_eq!(history.body["events"].as_array().unwrap().len(), 2);
    let old = app.get(&format!("/api/v1/events/{original_id}")).await;
    assert_eq!(old.body["superseded_by"], fixed.body["id"]);

    let mut second = injury_event("ED-1-again");
    second["supersedes"] = json!(original_id);
    let refused = app.post("/api/v1/events", &second).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["type"], "/problems/already-corrected");
}

#[tokio::test]
async fn a_batch_is_stored_whole_and_reports_each_event() {
    let app = TestApp::spawn("QAH").await;
    app.post("/api/v1/events", &injury_event("ED-0")).await;
    let events: Vec<Value> = (0..5).map(|n| injury_event(&format!("ED-{n}"))).collect();
    let reply = app
        .post("/api/v1/events/batch", &json!({ "events": events }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["created"], 4);
    assert_eq!(reply.body["already_stored"], 1);
    assert_eq!(reply.body["results"][0]["outcome"], "already_stored");
    assert_eq!(reply.body["results"][4]["outcome"], "created");
    assert_eq!(app.count().await, 5);
}

struct Case {
    name: &'static str,
    method: Method,
    path: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: StatusCode,
    problem: &'static str,
    field: Option<&'static str>,
}

fn json_bytes(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

/// An event with one change applied.
fn event_with(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut event = injury_event("ED-BAD");
    change(&mut event);
    json_bytes(event)
}

fn post(
    name: &'static str,
    body: Vec<u8>,
    status: StatusCode,
    problem: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        name,
        method: Method::POST,
        path: "/api/v1/events",
        content_type: Some("application/json"),
        body,
        status,
        problem,
        field,
    }
}

fn invalid(name: &'static str, field: &'static str, change: impl FnOnce(&mut Value)) -> Case {
    post(
        name,
        event_with(change),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-fields",
        Some(field),
    )
}

fn batch(
    name: &'static str,
    body: Value,
    status: StatusCode,
    problem: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        path: "/api/v1/events/batch",
        ..post(name, json_bytes(body), status, problem, field)
    }
}

fn get(
    name: &'static str,
    path: &'static str,
    status: StatusCode,
    problem: &'static str,
    field: Option<&'static str>,
) -> Case {
    Case {
        name,
        method: Method::GET,
        path,
        content_type: None,
        body: Vec::new(),
        status,
        problem,
        field,
    }
}

/// An injury event with the value at `pointer` replaced.
fn changed(source_id: &str, pointer: &str, value: Value) -> Value {
    let mut event = injury_event(source_id);
    *event
        .pointer_mut(pointer)
        .expect("the pointer names a field of the test event") = value;
    event
}

fn malformed_cases() -> Vec<Case> {
    use StatusCode as S;
    let big_summary = "x".repeat(1024 * 1024);
    let mut too_many: Vec<Value> = Vec::new();
    let one = injury_event("ED-X");
    too_many.resize(10_001, one);
    vec![
        Case {
            content_type: Some("text/plain"),
            ..post(
                "wrong media type",
                event_with(|_| {}),
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                None,
            )
        },
        Case {
            content_type: None,
            ..post(
                "no media type",
                event_with(|_| {}),
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                None,
            )
        },
        post("empty body", Vec::new(), S::BAD_REQUEST, "empty-body", None),
        post(
            "malformed JSON",
            b"{\"kind\": \"note\",, }".to_vec(),
            S::BAD_REQUEST,
            "malformed-json",
            None,
        ),
        post(
            "truncated JSON",
            b"{\"kind\": \"note\"".to_vec(),
            S::BAD_REQUEST,
            "malformed-json",
            None,
        ),
        post(
            "invalid UTF-8",
            b"{\"summary\": \"\xff\xfe\"}".to_vec(),
            S::BAD_REQUEST,
            "invalid-utf8",
            None,
        ),
        post(
            "body over the size limit",
            event_with(|e| e["summary"] = json!(big_summary)),
            S::PAYLOAD_TOO_LARGE,
            "body-too-large",
            None,
        ),
        post(
            "an array, not an event",
            json_bytes(json!([1, 2])),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some(""),
        ),
        invalid("no kind", "/kind", |e| {
            e.as_object_mut().unwrap().remove("kind");
        }),
        invalid("unknown kind", "/kind", |e| e["kind"] = json!("injury")),
        invalid("kind not a string", "/kind", |e| e["kind"] = json!(7)),
        invalid("no agency", "/agency", |e| {
            e.as_object_mut().unwrap().remove("agency");
        }),
        invalid("agency in lower case", "/agency", |e| {
            e["agency"] = json!("qah")
        }),
        invalid("no source id", "/source_id", |e| {
            e.as_object_mut().unwrap().remove("source_id");
        }),
        invalid("blank source id", "/source_id", |e| {
            e["source_id"] = json!("   ")
        }),
        invalid("source id too long", "/source_id", |e| {
            e["source_id"] = json!("x".repeat(201))
        }),
        invalid("source system not text", "/source_system", |e| {
            e["source_system"] = json!({ "a": 1 })
        }),
        invalid("no occurred_at", "/occurred_at", |e| {
            e.as_object_mut().unwrap().remove("occurred_at");
        }),
        invalid("unreadable time", "/occurred_at", |e| {
            e["occurred_at"] = json!("last Tuesday")
        }),
        invalid("impossible date", "/occurred_at", |e| {
            e["occurred_at"] = json!("2024-02-30")
        }),
        invalid("event in the future", "/occurred_at", |e| {
            e["occurred_at"] = json!("2999-01-01")
        }),
        invalid("recorded before it happened", "/recorded_at", |e| {
            e["recorded_at"] = json!("2024-06-10T10:00:00Z")
        }),
        invalid("recorded in the future", "/recorded_at", |e| {
            e["recorded_at"] = json!("2999-01-01T00:00:00Z")
        }),
        invalid("recorded_at not a time", "/recorded_at", |e| {
            e["recorded_at"] = json!("soon")
        }),
        invalid("no people", "/people", |e| {
            e.as_object_mut().unwrap().remove("people");
        }),
        invalid("empty people", "/people", |e| e["people"] = json!([])),
        invalid("people not a list", "/people", |e| {
            e["people"] = json!("ZEBEDEE")
        }),
        invalid("person not an object", "/people/1", |e| {
            e["people"][1] = json!("mother")
        }),
        invalid("person without role", "/people/0/role", |e| {
            e["people"][0].as_object_mut().unwrap().remove("role");
        }),
        invalid("unknown role", "/people/0/role", |e| {
            e["people"][0]["role"] = json!("uncle")
        }),
        invalid("person without name", "/people/0/name", |e| {
            e["people"][0].as_object_mut().unwrap().remove("name");
        }),
        invalid("blank name", "/people/0/name", |e| {
            e["people"][0]["name"] = json!("   ")
        }),
        invalid("NHS number check digit", "/people/0/nhs_number", |e| {
            e["people"][0]["nhs_number"] = json!("999 210 0312")
        }),
        invalid("NHS number length", "/people/0/nhs_number", |e| {
            e["people"][0]["nhs_number"] = json!("999 210 031")
        }),
        invalid("NHS number letters", "/people/0/nhs_number", |e| {
            e["people"][0]["nhs_number"] = json!("999 21O 0311")
        }),
        invalid("impossible date of birth", "/people/0/date_of_birth", |e| {
            e["people"][0]["date_of_birth"] = json!("31/02/2024")
        }),
        invalid("born after the event", "/people/0/date_of_birth", |e| {
            e["people"][0]["date_of_birth"] = json!("2024-07-01")
        }),
        invalid("bad postcode", "/people/0/addresses/0", |e| {
            e["people"][0]["addresses"][0] =
                json!({ "text": "9 Quill Lane", "postcode": "QA1 1A1" })
        }),
        invalid("address not text", "/people/0/addresses/0", |e| {
            e["people"][0]["addresses"][0] = json!(42)
        }),
        invalid("bad phone", "/people/1/phone", |e| {
            e["people"][1]["phone"] = json!("call the ward")
        }),
        invalid("unknown sex", "/people/0/sex", |e| {
            e["people"][0]["sex"] = json!("boy")
        }),
        invalid("unknown marker", "/people/0/markers/0", |e| {
            e["people"][0]["markers"] = json!(["dangerous"])
        }),
        invalid("unknown person field", "/people/0/favourite_colour", |e| {
            e["people"][0]["favourite_colour"] = json!("red")
        }),
        invalid("unknown event field", "/colour", |e| {
            e["colour"] = json!("red")
        }),
        invalid("details not an object", "/details", |e| {
            e["details"] = json!([])
        }),
        invalid("unknown body site", "/details/injuries/0/body_site", |e| {
            e["details"]["injuries"][0]["body_site"] = json!("elbw")
        }),
        invalid(
            "unknown injury type",
            "/details/injuries/0/injury_type",
            |e| e["details"]["injuries"][0]["injury_type"] = json!("ouch"),
        ),
        invalid("no injuries", "/details/injuries", |e| {
            e["details"]["injuries"] = json!([])
        }),
        invalid("injury count zero", "/details/injuries/0/count", |e| {
            e["details"]["injuries"][0]["count"] = json!(0)
        }),
        invalid("injury count negative", "/details/injuries/0/count", |e| {
            e["details"]["injuries"][0]["count"] = json!(-1)
        }),
        invalid("injury size negative", "/details/injuries/0/size_cm", |e| {
            e["details"]["injuries"][0]["size_cm"] = json!(-2.5)
        }),
        invalid(
            "explanation without text",
            "/details/injuries/0/explanations/0",
            |e| {
                e["details"]["injuries"][0]["explanations"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("text");
            },
        ),
        invalid("unknown details field", "/details/injuries/0/colour", |e| {
            e["details"]["injuries"][0]["colour"] = json!("blue")
        }),
        invalid("details missing a required field", "/details", |e| {
            e["kind"] = json!("home_visit");
            e["details"] = json!({ "announced": true });
        }),
        invalid("unknown visit outcome", "/details/outcome", |e| {
            e["kind"] = json!("home_visit");
            e["details"] = json!({ "outcome": "fine" });
        }),
        invalid("control character in summary", "/summary", |e| {
            e["summary"] = json!("bruise\u{0007}")
        }),
        invalid("summary too long", "/summary", |e| {
            e["summary"] = json!("y".repeat(20_001))
        }),
        invalid("supersedes not an id", "/supersedes", |e| {
            e["supersedes"] = json!("ED-0")
        }),
        invalid("supersedes an unknown event", "/supersedes", |e| {
            e["supersedes"] = json!("0190f5e2-7c4d-7b1a-9a55-3f0c2d8e4b61")
        }),
        post(
            "changed record under a stored source id",
            event_with(|e| {
                e["source_id"] = json!("ED-STORED");
                e["summary"] = json!("changed");
            }),
            S::CONFLICT,
            "source-id-conflict",
            Some("/source_id"),
        ),
        batch(
            "batch not an object",
            json!([injury_event("B-1")]),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some(""),
        ),
        batch(
            "batch without events",
            json!({}),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some("/events"),
        ),
        batch(
            "empty batch",
            json!({ "events": [] }),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some("/events"),
        ),
        batch(
            "batch with an unknown field",
            json!({ "events": [injury_event("B-1")], "mode": "fast" }),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some("/mode"),
        ),
        batch(
            "one bad event spoils the batch",
            json!({ "events": [injury_event("B-1"), changed("B-2", "/people/0/nhs_number", json!("1234567890"))] }),
            S::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            Some("/events/1/people/0/nhs_number"),
        ),
        batch(
            "batch conflicting with the store",
            json!({ "events": [injury_event("B-1"), changed("ED-STORED", "/summary", json!("changed"))] }),
            S::CONFLICT,
            "source-id-conflict",
            Some("/events/1/source_id"),
        ),
        batch(
            "batch over 10,000 events",
            json!({ "events": too_many }),
            S::PAYLOAD_TOO_LARGE,
            "too-many-events",
            None,
        ),
        get(
            "event id not a UUID",
            "/api/v1/events/ED-1",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("id"),
        ),
        get(
            "event not stored",
            "/api/v1/events/0190f5e2-7c4d-7b1a-9a55-3f0c2d8e4b61",
            S::NOT_FOUND,
            "not-found",
            None,
        ),
        get(
            "identity record id not a UUID",
            "/api/v1/identity-records/x",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("id"),
        ),
        get(
            "listing without agency",
            "/api/v1/events?reference=MRN-1",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("agency"),
        ),
        get(
            "listing with a bad limit",
            "/api/v1/events?agency=QAH&limit=0",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("limit"),
        ),
        get(
            "listing with a bad cursor",
            "/api/v1/events?agency=QAH&after=-4",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("after"),
        ),
        get(
            "listing with an unknown parameter",
            "/api/v1/events?agency=QAH&colour=red",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("colour"),
        ),
        get(
            "listing with half a source key",
            "/api/v1/events?agency=QAH&source_id=ED-1",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("reference"),
        ),
        get(
            "nothing at this address",
            "/api/v2/events",
            S::NOT_FOUND,
            "not-found",
            None,
        ),
        get(
            "event id not UTF-8",
            "/api/v1/events/%FF%FE",
            S::BAD_REQUEST,
            "bad-parameter",
            Some("id"),
        ),
        Case {
            method: Method::DELETE,
            ..get(
                "events cannot be deleted",
                "/api/v1/events",
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                None,
            )
        },
    ]
}

#[tokio::test]
async fn malformed_requests_are_refused_clearly_and_store_nothing() {
    let app = TestApp::spawn("QAH").await;
    let stored = app
        .post(
            "/api/v1/events",
            &changed("ED-STORED", "/summary", json!("original")),
        )
        .await;
    assert_eq!(stored.status, StatusCode::CREATED);
    let cases = malformed_cases();
    assert!(
        cases.len() >= 40,
        "the suite keeps at least 40 distinct malformed requests"
    );
    let mut failures = Vec::new();
    for case in cases {
        let reply = app
            .send(case.method.clone(), case.path, case.content_type, case.body)
            .await;
        let problem_type = format!("/problems/{}", case.problem);
        let fields: Vec<&str> = reply.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        let field_ok = case.field.is_none_or(|field| fields.contains(&field));
        let ok = reply.status == case.status
            && reply.content_type == "application/problem+json"
            && reply.body["type"] == problem_type.as_str()
            && reply.body["status"] == case.status.as_u16()
            && reply.body["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty())
            && field_ok;
        if !ok {
            failures.push(format!(
                "{}: got {} {} {}",
                case.name, reply.status, reply.content_type, reply.body
            ));
        }
        assert_eq!(app.count().await, 1, "{}: the store changed", case.name);
    }
    assert!(
        failures.is_empty(),
        "refused wrongly:\n{}",
        failures.join("\n")
    );
    let health = app.get("/health").await;
    assert_eq!(health.status, StatusCode::OK, "the server keeps serving");
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, StatusCode::OK);
}

#[tokio::test]
async fn every_wrong_field_of_an_event_is_listed_at_once() {
    let app = TestApp::spawn("QAH").await;
    let body = event_with(|e| {
        e["agency"] = json!("qah");
        e["people"][0]["nhs_number"] = json!("999 210 0312");
        e["people"][1]["date_of_birth"] = json!("2024-02-30");
        e["details"]["injuries"][0]["body_site"] = json!("elbw");
    });
    let reply = app
        .send(
            Method::POST,
            "/api/v1/events",
            Some("application/json"),
            body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "/agency",
            "/details/injuries/0/body_site",
            "/people/0/nhs_number",
            "/people/1/date_of_birth"
        ]
    );
    assert!(
        reply.body["errors"][2]["detail"]
            .as_str()
            .unwrap()
            .contains("check digit")
    );
}
