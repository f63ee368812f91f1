//! Webhooks over HTTP: an administrator subscribes an agency's system to be sent
//! alerts, acknowledgements, closures and linkage decisions, revokes a subscription,
//! lists the dead letters (deliveries whose last try failed) and replays one; the
//! privacy officer reads the disclosures ledger. The sending itself is
//! `crate::webhook_sender`; what each agency may be told is `vigil_pipeline::outbox`.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_access::{Access, Facts, Principal};
use vigil_domain::{AgencyCode, FieldError};
use vigil_store::{
    Backoff, DeliveryHistory, DeliveryReplay, DeliveryState, EventStore, StoredSubscription,
    SubscriptionRevocation, Topic, WebhookSubscription,
};

use super::fields::Fields;
use super::{now_to_the_microsecond, store_problem};
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

/// Whether Vigil may send signed records to `url`: HTTPS anywhere, or plain HTTP only
/// to this machine (a receiver on loopback, for tests and a local relay). Anything else
/// would carry children's records in clear text across a network.
fn check_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|error| {
        format!("is not an absolute URL ({error}); write e.g. https://hooks.example.org/vigil")
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password: the signature authenticates Vigil to the receiver".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("localhost") | Some("[::1]")
    );
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => {
            Err("must use https: plain http is accepted only for 127.0.0.1 or localhost".into())
        }
        other => Err(format!("must use https (found the scheme {other:?})")),
    }
}

/// A subscription as the API shows it: never its secret.
fn shown(subscription: &StoredSubscription) -> Value {
    let s = &subscription.subscription;
    json!({
        "id": s.id,
        "agency": s.agency,
        "url": s.url,
        "topics": s.topics,
        "lawful_basis": s.lawful_basis,
        "created_by": s.created_by,
        "created_at": s.created_at,
        "revoked": subscription.revoked,
    })
}

fn bad_id(what: &str, id: &str) -> Problem {
    Problem::bad_parameter("id", format!("{what}'s id is a UUID; found {id:?}"))
}

/// `POST /api/v1/webhooks` with `{"agency", "url", "topics": [...], "lawful_basis"}`:
/// 201 and the subscription with its `secret`, shown this once.
pub async fn create<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    check(&principal, Access::Administer, &Facts::default())?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let mut fields = Fields::read(
        &value,
        &["agency", "url", "topics", "lawful_basis"],
        "a webhook subscription",
        "{\"agency\": \"QAH\", \"url\": \"https://...\", \"topics\": [\"alert_raised\"], \"lawful_basis\": \"...\"}",
    );
    let agency = fields
        .text(
            "agency",
            "is required: the agency whose system receives the webhooks",
        )
        .and_then(|text| match AgencyCode::parse(&text) {
            Ok(agency) => Some(agency),
            Err(error) => {
                fields.error("agency", error.to_string());
                None
            }
        });
    let url = fields
        .text(
            "url",
            "is required: where Vigil sends each delivery (https)",
        )
        .and_then(|text| match check_url(&text) {
            Ok(url) => Some(url.to_string()),
            Err(detail) => {
                fields.error("url", detail);
                None
            }
        });
    let lawful_basis = fields.text(
        "lawful_basis",
        "is required: the lawful basis for telling this agency (e.g. Children Act 1989 s.47; UK GDPR art. 6(1)(e)), recorded with every disclosure",
    );
    let topics = read_topics(&value, &mut fields.errors);
    let (Some(agency), Some(url), Some(lawful_basis), Some(topics), true) =
        (agency, url, lawful_basis, topics, fields.errors.is_empty())
    else {
        return Err(Problem::invalid_fields(fields.errors));
    };
    let secret = vigil_access::secret::random_token().map_err(|error| {
        tracing::error!(%error, "no random secret for a webhook subscription");
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "No secret could be made",
            "the system's random number generator failed; nothing was stored. Try again shortly.",
        )
        .retry_after(5)
    })?;
    let subscription = WebhookSubscription {
        id: Uuid::now_v7(),
        agency,
        url,
        topics,
        lawful_basis,
        secret: secret.clone(),
        created_by: principal.id.clone(),
        created_at: now_to_the_microsecond(),
    };
    state
        .store
        .add_webhook_subscription(&subscription)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let mut body = shown(&StoredSubscription {
        subscription,
        revoked: None,
    });
    body["secret"] = json!(secret);
    body["secret_note"] = json!(
        "shown once: keep it in the receiver to check each delivery's Vigil-Signature (docs/API.md, \"Webhooks\")"
    );
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `topics`: a non-empty list of known topics, each once.
fn read_topics(value: &Value, errors: &mut Vec<FieldError>) -> Option<Vec<Topic>> {
    let required = "is required: a list of one or more of alert_raised, alert_acknowledged, alert_closed, linkage_decision";
    let Some(list) = value.get("topics").and_then(Value::as_array) else {
        if value.is_object() {
            errors.push(FieldError::new("/topics", required));
        }
        return None;
    };
    if list.is_empty() {
        errors.push(FieldError::new("/topics", required));
        return None;
    }
    let mut topics = Vec::new();
    for (index, item) in list.iter().enumerate() {
        let pointer = format!("/topics/{index}");
        match item.as_str().map(str::parse::<Topic>) {
            Some(Ok(topic)) if topics.contains(&topic) => {
                errors.push(FieldError::new(pointer, format!("{topic} is listed twice")));
            }
            Some(Ok(topic)) => topics.push(topic),
            Some(Err(error)) => errors.push(FieldError::new(pointer, error.to_string())),
            None => errors.push(FieldError::new(pointer, "must be text (a JSON string)")),
        }
    }
    (topics.len() == list.len()).then_some(topics)
}

/// `GET /api/v1/webhooks`: every subscription, revoked ones too, without secrets.
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, Problem> {
    check(&principal, Access::Administer, &Facts::default())?;
    let subscriptions = state
        .store
        .webhook_subscriptions()
        .await
        .map_err(|error| store_problem(error, ""))?;
    let shown: Vec<Value> = subscriptions.iter().map(shown).collect();
    Ok(Json(json!({ "subscriptions": shown })).into_response())
}

/// `POST /api/v1/webhooks/{id}/revoke` with `{"reason": "..."}`: 200 and the
/// subscription; 409 when it was revoked already.
pub async fn revoke<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    check(&principal, Access::Administer, &Facts::default())?;
    let id = Uuid::parse_str(&id).map_err(|_| bad_id("a webhook subscription", &id))?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let mut fields = Fields::read(&value, &["reason"], "a revocation", "{\"reason\": \"...\"}");
    let reason = fields.text("reason", "is required: say why the subscription ends");
    let (Some(reason), true) = (reason, fields.errors.is_empty()) else {
        return Err(Problem::invalid_fields(fields.errors));
    };
    let find = |subscriptions: Vec<StoredSubscription>| {
        subscriptions
            .into_iter()
            .find(|s| s.subscription.id == id)
            .ok_or_else(|| {
                Problem::not_found(format!(
                    "there is no webhook subscription {id}; GET /api/v1/webhooks lists them"
                ))
            })
    };
    let all = state.store.webhook_subscriptions().await;
    find(all.map_err(|error| store_problem(error, ""))?)?;
    let revoked = state
        .store
        .revoke_webhook_subscription(&SubscriptionRevocation {
            subscription: id,
            revoked_by: principal.id.clone(),
            reason,
            at: now_to_the_microsecond(),
        })
        .await
        .map_err(|error| store_problem(error, ""))?;
    let all = state.store.webhook_subscriptions().await;
    let subscription = find(all.map_err(|error| store_problem(error, ""))?)?;
    if !revoked {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "already-revoked",
            "Already revoked",
            "this subscription was revoked already; the first revocation stands",
        )
        .with("subscription", shown(&subscription)));
    }
    Ok(Json(shown(&subscription)).into_response())
}

/// A dead letter as an administrator reads it: what it was, where it went, and why
/// the last try failed. The payload is not shown: it is the child's business, not
/// the administrator's.
fn dead_letter(history: &DeliveryHistory, since: jiff::Timestamp) -> Value {
    let d = &history.delivery;
    let last = history.last_result();
    json!({
        "delivery": d.id,
        "subscription": d.subscription,
        "topic": d.topic,
        "queued_at": d.created_at,
        "tries": history.attempts.len(),
        "dead_since": since,
        "last_status": last.and_then(|r| r.status),
        "last_error": last.and_then(|r| r.error.clone()),
        "replays": history.replays.len(),
    })
}

/// `GET /api/v1/webhook-dead-letters`: deliveries whose last try failed, oldest first.
pub async fn dead_letters<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, Problem> {
    check(&principal, Access::Administer, &Facts::default())?;
    let now = now_to_the_microsecond();
    let undelivered = state
        .store
        .undelivered_webhooks()
        .await
        .map_err(|error| store_problem(error, ""))?;
    // A dead letter is marked by its last try's own row, whatever the settings now.
    let dead: Vec<Value> = undelivered
        .iter()
        .filter_map(|h| match h.state(now, &Backoff::default()) {
            DeliveryState::DeadLetter { since } => Some(dead_letter(h, since)),
            _ => None,
        })
        .collect();
    Ok(Json(json!({ "dead_letters": dead })).into_response())
}

/// `POST /api/v1/webhook-dead-letters/{id}/replay`: 202, and the sender tries the
/// delivery again from the start of its backoff. 409 when it is not a dead letter.
pub async fn replay<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    check(&principal, Access::Administer, &Facts::default())?;
    let id = Uuid::parse_str(&id).map_err(|_| bad_id("a delivery", &id))?;
    let history = state
        .store
        .webhook_delivery(id)
        .await
        .map_err(|error| store_problem(error, ""))?
        .ok_or_else(|| {
            Problem::not_found(format!(
                "there is no webhook delivery {id}; GET /api/v1/webhook-dead-letters lists the dead letters"
            ))
        })?;
    let now = now_to_the_microsecond();
    let not_dead = |state: &DeliveryState| {
        Problem::new(
            StatusCode::CONFLICT,
            "not-a-dead-letter",
            "Not a dead letter",
            "only a delivery whose last try failed can be replayed; this one is delivered or still being tried",
        )
        .with("state", state)
    };
    let current = history.state(now, &Backoff::default());
    if !matches!(current, DeliveryState::DeadLetter { .. }) {
        return Err(not_dead(&current));
    }
    let replay = DeliveryReplay {
        id: Uuid::now_v7(),
        delivery: id,
        after_attempt: history.last_attempt_number(),
        by: principal.id.clone(),
        at: now,
    };
    let new = state
        .store
        .replay_webhook_delivery(&replay)
        .await
        .map_err(|error| store_problem(error, ""))?;
    if !new {
        return Err(not_dead(&DeliveryState::Due {
            number: replay.after_attempt + 1,
            at: now,
        })
        .with_detail(
            "this dead letter was replayed already by someone else; it is being tried again",
        ));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "replay": replay }))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureQuery {
    child: Option<String>,
}

/// `GET /api/v1/disclosures[?child=...]`: what left Vigil, to whom, on what lawful
/// basis; for the privacy officer.
pub async fn disclosures<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<DisclosureQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    check(&principal, Access::ReadDisclosures, &Facts::default())?;
    let query = query
        .map(|Query(q)| q)
        .map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))?;
    if query.child.as_deref().is_some_and(|c| c.trim().is_empty()) {
        return Err(Problem::bad_parameter(
            "child",
            "name a child by their person id, or leave child out for every disclosure",
        ));
    }
    let list = state
        .store
        .disclosures(query.child.as_deref())
        .await
        .map_err(|error| store_problem(error, ""))?;
    Ok(Json(json!({ "disclosures": list })).into_response())
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn https_anywhere_and_plain_http_only_on_this_machine() {
        for good in [
            "https://hooks.example.org/vigil",
            "http://127.0.0.1:8123/hook",
            "http://localhost/hook",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://hooks.example.org/vigil",
            "http://10.0.0.4/hook",
            "ftp://hooks.example.org/",
            "https://user:pass@hooks.example.org/",
            "/relative",
            "https://hooks.example.org/#part",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
