//! Webhooks end to end, with a real receiver on loopback: subscriptions made through
//! the API, alerts raised by recorded events, the sender's passes run by the test (as
//! `vigil serve`'s background task runs them), and every request the receiver saw
//! checked: the signature verified independently with HMAC-SHA256, retries after
//! failures, each delivery accepted once, dead letters replayed, disclosures recorded,
//! and a receiver over https trusted only through its agency's certificate authority.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::Sha256;
use tower::ServiceExt;
use vigil_access::Role;
use vigil_pipeline::Casework;
use vigil_pipeline::outbox::Outbox;
use vigil_store::EventStore;
use vigil_store::accounts::issue_api_key;
use vigil_store_sqlite::{Durability, SqliteStore};
use vigil_web::webhook_sender::{self, WebhookSettings};
use vigil_web::{AppState, WebLimits, router};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    signature: String,
    delivery: String,
    attempt: u32,
    body: Bytes,
    answered: StatusCode,
}

/// A receiver that answers 503 to its first `failures` requests, then 204.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<Seen>>>,
    failures: Arc<Mutex<usize>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let answered = {
        let mut failures = receiver.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::NO_CONTENT
        }
    };
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    receiver.seen.lock().unwrap().push(Seen {
        path: uri.path().to_string(),
        signature: text("vigil-signature"),
        delivery: text("vigil-delivery"),
        attempt: text("vigil-attempt").parse().unwrap_or(0),
        body,
        answered,
    });
    answered
}

impl Receiver {
    /// Listens on 127.0.0.1 at a port the system picks; returns the base URL.
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/{agency}", axum::routing::post(receive))
            .with_state(self.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        format!("http://{address}")
    }

    /// The same receiver over TLS, with the certificate a fictional agency's own
    /// certificate authority issued for 127.0.0.1 (`tests/tls`); returns the base URL.
    async fn start_tls(&self) -> String {
        use tokio_rustls::rustls::ServerConfig;
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");
        let chain = CertificateDer::pem_file_iter(format!("{directory}/receiver.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(format!("{directory}/receiver.key")).unwrap();
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/{agency}", axum::routing::post(receive))
            .with_state(self.clone());
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let app = app.clone();
                tokio::spawn(async move {
                    // A client that does not trust the certificate ends the handshake:
                    // there is nothing to serve.
                    let Ok(tls) = acceptor.accept(connection).await else {
                        return;
                    };
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(
                            hyper_util::rt::TokioIo::new(tls),
                            hyper_util::service::TowerToHyperService::new(app),
                        )
                        .await;
                });
            }
        });
        format!("https://{address}")
    }

    fn fail_next(&self, count: usize) {
        *self.failures.lock().unwrap() = count;
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// What a receiver does with the header: recompute the HMAC over `t.body` with the
/// secret it was given, compare, and refuse an old timestamp. Written here from the
/// documented scheme, not with Vigil's own function.
fn verify(secret: &str, header: &str, body: &[u8]) -> Result<(), String> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value.to_string()),
            _ => return Err(format!("unexpected part {part:?}")),
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return Err(format!("no t or v1 in {header:?}"));
    };
    let age = jiff::Timestamp::now().as_second() - t;
    if !(-5..=300).contains(&age) {
        return Err(format!("timestamp {t} is {age} s old"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if expected == v1 {
        Ok(())
    } else {
        Err("the signature does not match".into())
    }
}

struct App {
    router: axum::Router,
    store: SqliteStore,
    casework: Casework,
    admin: String,
    feed: String,
    mash: String,
    privacy: String,
    _directory: tempfile::TempDir,
}

async fn key(store: &SqliteStore, role: Role, agency: Option<&str>) -> String {
    let (_, key) = issue_api_key(
        store,
        &format!("{role} key"),
        role,
        agency.map(|a| vigil_domain::AgencyCode::parse(a).unwrap()),
        None,
        "test",
    )
    .await
    .unwrap();
    format!("Bearer {key}")
}

impl App {
    async fn start() -> App {
        let directory = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
            .await
            .unwrap();
        let casework = Casework::load(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            vigil_rules::RulesConfig::default(),
        )
        .await
        .unwrap();
        let router = router(AppState {
            store: store.clone(),
            limits: WebLimits::default(),
            casework: casework.clone(),
            access: Default::default(),
        });
        App {
            router,
            admin: key(&store, Role::Administrator, None).await,
            feed: key(&store, Role::IntegrationClient, Some("QAH")).await,
            mash: key(&store, Role::MashAnalyst, None).await,
            privacy: key(&store, Role::PrivacyOfficer, None).await,
            store,
            casework,
            _directory: directory,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, key);
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let body = body
            .map(|b| Body::from(serde_json::to_vec(&b).unwrap()))
            .unwrap_or_else(Body::empty);
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Subscribes `agency` to `topics` at `url`; returns the id and the secret.
    async fn subscribe(&self, agency: &str, url: &str, topics: &[&str]) -> (String, String) {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/webhooks",
                &self.admin,
                Some(json!({
                    "agency": agency, "url": url, "topics": topics,
                    "lawful_basis": "Children Act 2004 s.11; UK GDPR art. 6(1)(e) and 9(2)(h)",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_str().unwrap().to_string(),
            body["secret"].as_str().unwrap().to_string(),
        )
    }

    /// Records a bruise on a baby, which raises an alert.
    async fn record_injury(&self, source_id: &str, child: &str, parent: &str) {
        let recorded = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        let born = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 120))
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        let event = json!({
            "kind": "injury_observation", "agency": "QAH", "source_system": "QAH-ED",
            "source_id": source_id,
            "occurred_at": recorded.to_string(), "recorded_at": recorded.to_string(),
            "people": [
                { "role": "subject_child", "name": child, "sex": "male",
                  "date_of_birth": born.to_string(),
                  "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] },
                { "role": "parent", "name": parent, "relationship": "mother" }
            ],
            "details": { "injuries": [{ "body_site": "cheek", "injury_type": "bruise",
                "explanations": [], "recorder_opinion": "concern" }] }
        });
        let (status, body) = self
            .call(Method::POST, "/api/v1/events", &self.feed, Some(event))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Runs the sender's passes, as `vigil serve` does, until `done` holds or ten
    /// seconds pass. The casebook's conclusions are written down first, as the
    /// follower does.
    async fn send_until(
        &self,
        settings: &WebhookSettings,
        outbox: &Outbox,
        done: impl Fn(&[vigil_store::Disclosure]) -> bool,
    ) -> usize {
        let client = webhook_sender::client(settings).unwrap();
        let mut queued = 0;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            self.casework.catch_up(&self.store).await.unwrap();
            self.casework.store_derivations(&self.store).await.unwrap();
            let pass = webhook_sender::pass(&self.store, &self.casework, outbox, &client, settings)
                .await
                .unwrap();
            queued += pass.queued;
            if done(&self.store.disclosures(None).await.unwrap()) {
                return queued;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the sender did not finish in ten seconds"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl App {
    /// Runs the sender's passes until a delivery is a dead letter or ten seconds pass;
    /// returns the dead letters as an administrator lists them.
    async fn dead_letters_after_passes(
        &self,
        settings: &WebhookSettings,
        outbox: &Outbox,
    ) -> Vec<Value> {
        let client = webhook_sender::client(settings).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            self.casework.catch_up(&self.store).await.unwrap();
            self.casework.store_derivations(&self.store).await.unwrap();
            webhook_sender::pass(&self.store, &self.casework, outbox, &client, settings)
                .await
                .unwrap();
            let (status, body) = self
                .call(
                    Method::GET,
                    "/api/v1/webhook-dead-letters",
                    &self.admin,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let dead = body["dead_letters"].as_array().unwrap().clone();
            if !dead.is_empty() {
                return dead;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no dead letter in ten seconds"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn settings(attempts: u32) -> WebhookSettings {
    WebhookSettings {
        backoff: vigil_store::Backoff {
            attempts,
            base_delay: Duration::from_millis(30),
            abandoned_after: Duration::from_secs(30),
        },
        timeout: Duration::from_secs(5),
        tick: Duration::from_millis(20),
        extra_roots: Vec::new(),
    }
}

/// The fields a message may carry: ids, the rule, the level, the deadline, who acted,
/// when, and a link; never a name, a date of birth or an address.
const MESSAGE_FIELDS: &[&str] = &[
    "delivery", "topic", "alert", "rule", "level", "deadline", "child", "at", "link", "action",
    "by", "records", "decision",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_fails_at_first_gets_every_delivery_once_signed_after_retries() {
    let app = App::start().await;
    let receiver = Receiver::default();
    let base = receiver.start().await;
    let (_, secret) = app
        .subscribe(
            "QAH",
            &format!("{base}/qah"),
            &["alert_raised", "alert_acknowledged", "alert_closed"],
        )
        .await;
    // An agency that recorded nothing about these children is told nothing.
    let (_, ncs_secret) = app
        .subscribe(
            "NCS",
            &format!("{base}/ncs"),
            &["alert_raised", "alert_acknowledged"],
        )
        .await;
    app.record_injury("ED-1", "ZEBEDEE, Tom", "ZEBEDEE, Mary")
        .await;
    app.record_injury("ED-2", "QUORNDON, Alfie", "QUORNDON, Jade")
        .await;
    let (_, alerts) = app
        .call(Method::GET, "/api/v1/alerts", &app.mash, None)
        .await;
    let alerts = alerts["alerts"].as_array().unwrap().clone();
    assert!(alerts.len() >= 2, "each bruise raises an alert: {alerts:?}");
    let first_alert = alerts[0]["alert"]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/alerts/{first_alert}/acknowledge"),
            &app.mash,
            Some(json!({ "reason": "seen, visit booked" })),
        )
        .await;
    assert!(status.is_success(), "{body}");

    receiver.fail_next(3);
    let outbox = Outbox::default();
    let expected = alerts.len() + 1;
    let queued = app
        .send_until(&settings(6), &outbox, |disclosures| {
            disclosures.len() >= expected
        })
        .await;
    assert_eq!(
        queued, expected,
        "one delivery per alert and one for the acknowledgement"
    );

    let seen = receiver.seen();
    assert!(seen.iter().all(|s| s.path == "/qah"), "NCS is sent nothing");
    // The check is a real one: the other subscription's secret does not verify.
    assert!(verify(&ncs_secret, &seen[0].signature, &seen[0].body).is_err());
    for request in &seen {
        verify(&secret, &request.signature, &request.body).unwrap_or_else(|error| {
            panic!(
                "{error}: {:?} {}",
                request.signature,
                String::from_utf8_lossy(&request.body)
            )
        });
        let message: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(message["delivery"], request.delivery.as_str());
        for field in message.as_object().unwrap().keys() {
            assert!(
                MESSAGE_FIELDS.contains(&field.as_str()),
                "{field} in {message}"
            );
        }
    }
    let failed: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.answered == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert_eq!(failed.len(), 3);
    let accepted: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.answered == StatusCode::NO_CONTENT)
        .collect();
    let mut ids: Vec<&str> = accepted.iter().map(|s| s.delivery.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), accepted.len(), "each delivery accepted once");
    assert_eq!(accepted.len(), expected, "nothing lost");
    // Every failed try came again, later, with a higher try number, and got through.
    for failure in &failed {
        assert!(
            accepted
                .iter()
                .any(|a| a.delivery == failure.delivery && a.attempt > failure.attempt),
            "{failure:?} was retried"
        );
    }
    let topics: Vec<String> = accepted
        .iter()
        .map(|a| serde_json::from_slice::<Value>(&a.body).unwrap()["topic"].to_string())
        .collect();
    assert!(
        topics.contains(&"\"alert_acknowledged\"".to_string()),
        "{topics:?}"
    );
    assert!(app.store.undelivered_webhooks().await.unwrap().is_empty());

    // A second Vigil process following the same logs queues nothing new.
    let second_process = Outbox::default();
    let again = second_process
        .queue(&app.casework, &app.store, jiff::Timestamp::now())
        .await
        .unwrap();
    assert_eq!(again, 0);

    // Each delivery is a disclosure, with the subscription's lawful basis.
    let (status, body) = app
        .call(Method::GET, "/api/v1/disclosures", &app.privacy, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let disclosures = body["disclosures"].as_array().unwrap();
    assert_eq!(disclosures.len(), expected);
    for d in disclosures {
        assert_eq!(d["channel"], "webhook");
        assert_eq!(d["recipient"], "QAH");
        assert!(d["lawful_basis"].as_str().unwrap().contains("Children Act"));
        assert!(d["child"].is_string(), "{d}");
    }
    let child = disclosures[0]["child"].as_str().unwrap();
    let (_, about_one) = app
        .call(
            Method::GET,
            &format!("/api/v1/disclosures?child={child}"),
            &app.privacy,
            None,
        )
        .await;
    let about_one = about_one["disclosures"].as_array().unwrap();
    assert!(!about_one.is_empty() && about_one.len() < disclosures.len());
    assert!(about_one.iter().all(|d| d["child"] == child));
    let (status, _) = app
        .call(Method::GET, "/api/v1/disclosures", &app.admin, None)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the administrator does not read disclosures"
    );

    let (_, metrics) = {
        let response = app
            .router
            .clone()
            .oneshot(
                Request::get("/metrics")
                    .header(header::AUTHORIZATION, &app.admin)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        ((), String::from_utf8(bytes.to_vec()).unwrap())
    };
    assert!(
        metrics.contains("\nvigil_webhook_failures_total 3\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("\nvigil_webhook_deliveries_total {expected}\n")),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_replayed_by_an_administrator_and_then_disclosed() {
    let app = App::start().await;
    let receiver = Receiver::default();
    let base = receiver.start().await;
    let (hook, secret) = app
        .subscribe("QAH", &format!("{base}/qah"), &["alert_raised"])
        .await;
    app.record_injury("ED-1", "ZEBEDEE, Tom", "ZEBEDEE, Mary")
        .await;
    receiver.fail_next(usize::MAX);
    let outbox = Outbox::default();
    let settings = settings(2);
    let client = webhook_sender::client(&settings).unwrap();
    let dead = app.dead_letters_after_passes(&settings, &outbox).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["tries"], 2);
    assert_eq!(dead[0]["last_status"], 503);
    assert_eq!(dead[0]["subscription"], hook.as_str());
    assert!(dead[0]["last_error"].as_str().unwrap().contains("503"));
    assert!(
        dead[0].get("payload").is_none(),
        "an administrator is not shown the message"
    );
    // A dead letter stays dead: more passes send nothing.
    for _ in 0..3 {
        webhook_sender::pass(&app.store, &app.casework, &outbox, &client, &settings)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(receiver.seen().len(), 2);
    assert!(app.store.disclosures(None).await.unwrap().is_empty());

    let delivery = dead[0]["delivery"].as_str().unwrap().to_string();
    let replay_path = format!("/api/v1/webhook-dead-letters/{delivery}/replay");
    let (status, _) = app.call(Method::POST, &replay_path, &app.mash, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    receiver.fail_next(0);
    let (status, body) = app.call(Method::POST, &replay_path, &app.admin, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = app.call(Method::POST, &replay_path, &app.admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["type"], "/problems/not-a-dead-letter");

    app.send_until(&settings, &outbox, |d| !d.is_empty()).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].answered, StatusCode::NO_CONTENT);
    assert_eq!(
        seen[2].attempt, 3,
        "try numbers go on rising after a replay"
    );
    verify(&secret, &seen[2].signature, &seen[2].body).unwrap();
    let (_, body) = app
        .call(
            Method::GET,
            "/api/v1/webhook-dead-letters",
            &app.admin,
            None,
        )
        .await;
    assert!(body["dead_letters"].as_array().unwrap().is_empty());
    let disclosures = app.store.disclosures(None).await.unwrap();
    assert_eq!(disclosures.len(), 1);
    assert_eq!(
        disclosures[0].delivery.map(|d| d.to_string()),
        Some(delivery)
    );
    let (status, body) = app.call(Method::POST, &replay_path, &app.admin, None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a delivered message is not replayed: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_receiver_is_sent_to_only_when_its_certificate_authority_is_trusted() {
    let app = App::start().await;
    let receiver = Receiver::default();
    let base = receiver.start_tls().await;
    let (_, secret) = app
        .subscribe("QAH", &format!("{base}/qah"), &["alert_raised"])
        .await;
    app.record_injury("ED-TLS-1", "YARROW, Ben", "YARROW, Jo")
        .await;
    let outbox = Outbox::default();

    // The system's certificate authorities do not vouch for an agency's own: the
    // handshake fails, and the dead letter says why.
    let dead = app.dead_letters_after_passes(&settings(1), &outbox).await;
    assert_eq!(dead.len(), 1);
    let error = dead[0]["last_error"].as_str().unwrap();
    assert!(error.contains("certificate"), "{error}");
    assert!(
        receiver.seen().is_empty(),
        "nothing is sent over a connection whose certificate was not trusted"
    );

    // Trusting the agency's authority, as `[webhooks] ca_file` does, the replayed
    // delivery arrives over TLS, signed.
    let mut trusting = settings(1);
    trusting.extra_roots =
        reqwest::Certificate::from_pem_bundle(include_bytes!("tls/ca.pem")).unwrap();
    let delivery = dead[0]["delivery"].as_str().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/webhook-dead-letters/{delivery}/replay"),
            &app.admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    app.send_until(&trusting, &outbox, |d| !d.is_empty()).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].answered, StatusCode::NO_CONTENT);
    verify(&secret, &seen[0].signature, &seen[0].body).unwrap();
}

#[tokio::test]
async fn subscriptions_are_checked_revoked_by_a_new_row_and_never_show_their_secret() {
    let app = App::start().await;
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/webhooks",
            &app.admin,
            Some(json!({
                "agency": "QAH", "url": "http://hooks.example.org/vigil",
                "topics": ["alert_raised", "everything"], "lawful_basis": "",
                "extra": 1,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["type"], "/problems/invalid-fields");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["/extra", "/url", "/lawful_basis", "/topics/1"] {
        assert!(fields.contains(&field), "{field} in {body}");
    }
    assert!(
        app.store.webhook_subscriptions().await.unwrap().is_empty(),
        "nothing stored"
    );

    let (id, secret) = app
        .subscribe(
            "QAH",
            "https://hooks.qah.example.invalid/vigil",
            &["alert_closed"],
        )
        .await;
    assert_eq!(secret.len(), 64, "256 random bits in hex");
    let (_, list) = app
        .call(Method::GET, "/api/v1/webhooks", &app.admin, None)
        .await;
    assert!(
        !list.to_string().contains(&secret),
        "the secret is shown once only"
    );
    assert_eq!(list["subscriptions"][0]["id"], id.as_str());
    let revoke = format!("/api/v1/webhooks/{id}/revoke");
    let (status, body) = app
        .call(
            Method::POST,
            &revoke,
            &app.admin,
            Some(json!({ "reason": "receiver retired" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"]["reason"], "receiver retired");
    let (status, body) = app
        .call(
            Method::POST,
            &revoke,
            &app.admin,
            Some(json!({ "reason": "again" })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["subscription"]["revoked"]["reason"],
        "receiver retired"
    );
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/webhooks/not-a-uuid/revoke",
            &app.admin,
            Some(json!({ "reason": "x" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linkage_decision_is_sent_to_the_agency_whose_records_were_decided_about() {
    let app = App::start().await;
    let receiver = Receiver::default();
    let base = receiver.start().await;
    let (_, secret) = app
        .subscribe("QAH", &format!("{base}/qah"), &["linkage_decision"])
        .await;
    app.subscribe("NCS", &format!("{base}/ncs"), &["linkage_decision"])
        .await;
    app.record_injury("ED-1", "ZEBEDEE, Tom", "ZEBEDEE, Mary")
        .await;
    let (_, events) = app
        .call(Method::GET, "/api/v1/events?agency=QAH", &app.mash, None)
        .await;
    let event = events["events"][0]["id"].as_str().unwrap().to_string();
    let (left, right) = (format!("{event}.0"), format!("{event}.1"));
    let (status, body) = app
        .call(
            Method::POST,
            "/api/v1/review-queue/decisions",
            &app.mash,
            Some(json!({
                "left": left, "right": right, "decision": "keep_apart",
                "reason": "a baby and his mother",
            })),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let outbox = Outbox::default();
    app.send_until(&settings(3), &outbox, |d| !d.is_empty())
        .await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "QAH's records only: NCS is told nothing");
    assert_eq!(seen[0].path, "/qah");
    verify(&secret, &seen[0].signature, &seen[0].body).unwrap();
    let message: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(message["topic"], "linkage_decision");
    assert_eq!(message["decision"], "keep_apart");
    assert_eq!(message["records"], json!([left, right]));
    for field in message.as_object().unwrap().keys() {
        assert!(
            MESSAGE_FIELDS.contains(&field.as_str()),
            "{field} in {message}"
        );
    }
    let disclosures = app.store.disclosures(None).await.unwrap();
    assert_eq!(disclosures.len(), 1);
    assert_eq!(disclosures[0].what, "linkage_decision");
    assert_eq!(disclosures[0].child.as_deref(), Some(left.as_str()));
}
