//! The webhook sender: a background task of `vigil serve` that queues what each
//! subscribed agency is owed (`vigil_pipeline::outbox`) and sends it, signed, retrying
//! with a doubling wait until the receiver accepts or the last try fails.
//!
//! It lives here because this is the only crate that knows HTTP. Every step is written
//! to the store before or after it happens, so nothing is lost across a restart and two
//! processes never send the same try: a try is claimed (a unique row) before the request
//! leaves, and its answer, and the disclosure a delivery makes, are written in one
//! transaction after. Where a delivery stands is derived from those rows
//! (`vigil_store::DeliveryHistory::state`).
//!
//! Signature (docs/API.md, "Webhooks"): `Vigil-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>">` under the subscription's secret, so a receiver can check
//! both that Vigil sent the body and that it is not an old message sent again.

use std::collections::HashMap;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;
use vigil_pipeline::Casework;
use vigil_pipeline::outbox::Outbox;
use vigil_store::{
    AttemptClaim, AttemptResult, Backoff, DeliveryHistory, DeliveryState, Disclosure, EventStore,
    StoreError, StoredSubscription,
};

/// How the sender works: tries, waits, timeouts, whom to trust. `vigil serve` reads
/// them from the configuration (docs/OPERATIONS.md).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub backoff: Backoff,
    /// How long one request may take before the try counts as failed.
    pub timeout: Duration,
    /// How often the sender looks for new conclusions and due tries.
    pub tick: Duration,
    /// Certificate authorities trusted for `https://` receivers besides the system's:
    /// an agency's own CA (`[webhooks] ca_file`).
    pub extra_roots: Vec<reqwest::Certificate>,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            backoff: Backoff::default(),
            timeout: Duration::from_secs(10),
            tick: Duration::from_secs(1),
            extra_roots: Vec::new(),
        }
    }
}

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "vigil-signature";

/// The signature header's value for `body` sent at `unix_seconds` under `secret`.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={unix_seconds},v1={hex}")
}

/// What one pass of the sender did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub queued: usize,
    pub delivered: usize,
    pub failed: usize,
    pub dead: usize,
}

/// Runs the sender until the process ends.
pub async fn run<S: EventStore>(store: S, casework: Casework, settings: WebhookSettings) {
    let client = match client(&settings) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "the webhook sender could not start; no webhook will be sent");
            return;
        }
    };
    let outbox = Outbox::default();
    loop {
        match pass(&store, &casework, &outbox, &client, &settings).await {
            Ok(done) if done != Pass::default() => {
                tracing::info!(
                    queued = done.queued,
                    delivered = done.delivered,
                    failed = done.failed,
                    dead_letters = done.dead,
                    "webhooks sent"
                );
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "the webhook sender could not reach the store; will retry")
            }
        }
        tokio::time::sleep(settings.tick).await;
    }
}

/// The HTTP client the sender uses: no redirects (a signed body goes only where it was
/// subscribed to go), a timeout per request, TLS (rustls) checked against the system's
/// certificate authorities and any the operator added.
pub fn client(settings: &WebhookSettings) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .tls_certs_merge(settings.extra_roots.iter().cloned())
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Vigil/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// One pass: queue what is owed, then send every try that is due.
pub async fn pass<S: EventStore>(
    store: &S,
    casework: &Casework,
    outbox: &Outbox,
    client: &reqwest::Client,
    settings: &WebhookSettings,
) -> Result<Pass, StoreError> {
    let mut done = Pass {
        queued: outbox
            .queue(casework, store, crate::api::now_to_the_microsecond())
            .await?,
        ..Pass::default()
    };
    let subscriptions: HashMap<Uuid, StoredSubscription> = store
        .webhook_subscriptions()
        .await?
        .into_iter()
        .map(|s| (s.subscription.id, s))
        .collect();
    for history in store.undelivered_webhooks().await? {
        let Some(subscription) = subscriptions.get(&history.delivery.subscription) else {
            continue;
        };
        // A revoked subscription is sent nothing more; what it was owed stays on the
        // record, undelivered.
        if subscription.revoked.is_some() {
            continue;
        }
        let now = crate::api::now_to_the_microsecond();
        match history.state(now, &settings.backoff) {
            DeliveryState::Due { number, at } if at <= now => {
                match send(store, client, settings, subscription, &history, number).await? {
                    Some(result) if result.delivered => done.delivered += 1,
                    Some(result) => {
                        done.failed += 1;
                        done.dead += usize::from(result.gave_up);
                    }
                    None => {}
                }
            }
            DeliveryState::Abandoned {
                number,
                round_tries,
            } => {
                let gave_up = round_tries >= settings.backoff.attempts;
                let result = AttemptResult {
                    delivery: history.delivery.id,
                    number,
                    finished_at: now,
                    status: None,
                    error: Some(
                        "no answer was recorded: the process sending this try stopped before it finished"
                            .to_string(),
                    ),
                    delivered: false,
                    gave_up,
                };
                store.record_webhook_attempt(&result, None).await?;
                done.failed += 1;
                done.dead += usize::from(gave_up);
            }
            _ => {}
        }
    }
    Ok(done)
}

/// Claims try `number` and, if this process won the claim, sends it and records the
/// answer (and the disclosure, when delivered). `None` when another process has it.
async fn send<S: EventStore>(
    store: &S,
    client: &reqwest::Client,
    settings: &WebhookSettings,
    subscription: &StoredSubscription,
    history: &DeliveryHistory,
    number: u32,
) -> Result<Option<AttemptResult>, StoreError> {
    let delivery = &history.delivery;
    let started_at = crate::api::now_to_the_microsecond();
    let claimed = store
        .claim_webhook_attempt(&AttemptClaim {
            delivery: delivery.id,
            number,
            started_at,
        })
        .await?;
    if !claimed {
        return Ok(None);
    }
    let body = delivery.payload.to_string().into_bytes();
    let signed = signature(
        &subscription.subscription.secret,
        started_at.as_second(),
        &body,
    );
    let answer = client
        .post(&subscription.subscription.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signed)
        .header("vigil-delivery", delivery.id.to_string())
        .header("vigil-topic", delivery.topic.as_str())
        .header("vigil-attempt", number.to_string())
        .body(body)
        .send()
        .await;
    let finished_at = crate::api::now_to_the_microsecond();
    let (status, error) = match answer {
        Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
        Ok(response) => (
            Some(response.status().as_u16()),
            Some(format!("the receiver answered {}", response.status())),
        ),
        Err(error) => (None, Some(describe(&error))),
    };
    let delivered = error.is_none();
    let gave_up = !delivered && history.round_tries() + 1 >= settings.backoff.attempts;
    let result = AttemptResult {
        delivery: delivery.id,
        number,
        finished_at,
        status,
        error,
        delivered,
        gave_up,
    };
    let disclosure = delivered.then(|| Disclosure {
        id: Uuid::now_v7(),
        recipient: subscription.subscription.agency.clone(),
        subscription: Some(subscription.subscription.id),
        delivery: Some(delivery.id),
        channel: "webhook".to_string(),
        child: delivery.child.clone(),
        alert: delivery.alert.clone(),
        what: delivery.topic.as_str().to_string(),
        lawful_basis: subscription.subscription.lawful_basis.clone(),
        at: finished_at,
    });
    if !delivered {
        tracing::warn!(
            delivery = %delivery.id,
            try_number = number,
            error = result.error.as_deref().unwrap_or_default(),
            dead_letter = gave_up,
            "a webhook try failed"
        );
    }
    store
        .record_webhook_attempt(&result, disclosure.as_ref())
        .await?;
    Ok(Some(result))
}

/// A failure to reach the receiver, in words an operator can act on, with its causes
/// (a TLS failure is only named deep in the chain: "invalid peer certificate:
/// UnknownIssuer" means the receiver's CA is not trusted; see `[webhooks] ca_file`).
fn describe(error: &reqwest::Error) -> String {
    let mut causes = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push_str(": ");
        causes.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() {
        "the receiver did not answer in time".to_string()
    } else if error.is_connect() {
        format!("could not connect to the receiver{causes}")
    } else {
        format!("the request failed: {error}{causes}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_time_a_dot_and_the_body() {
        // The value below is what
        // `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret` prints.
        assert_eq!(
            signature("secret", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
