//! The webhook outbox: which conclusions of the derivations log each subscribed agency
//! is sent, and what the message says.
//!
//! The derivations log is the source because it is already what every process agrees
//! on: each conclusion is stored once under the hash of its content, so a delivery keyed
//! by (subscription, that key) is queued once however many Vigil processes follow the
//! logs, and a restart's replay queues nothing twice.
//!
//! An agency is sent only what it may be told (docs/SECURITY.md, "Webhooks"): an alert
//! raised about a child it recorded an event about; the acknowledgement or closure of an
//! alert it would get a notice for (its record was evidence); a person's decision about
//! a pair of identity records one of which it recorded. Messages are minimal: ids, the
//! rule, the level, the deadline, who acted, and a link, never names, dates of birth or
//! addresses. [`deliveries_for`] decides without I/O; [`Outbox::queue`] reads the logs
//! and queues what it decided.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;
use vigil_rules::{Casebook, Derivation};
use vigil_store::{
    EventStore, NewDelivery, Page, StoreError, StoredDerivation, StoredSubscription, Topic,
};

use crate::Casework;

/// Follows the derivations log for the webhook sender: remembers how far it has read.
#[derive(Clone, Default)]
pub struct Outbox {
    read_up_to: Arc<Mutex<i64>>,
}

/// Derivations read per page.
const PAGE: u32 = 1000;

impl Outbox {
    /// Reads the derivations written since the last call, decides who is sent each, and
    /// queues the deliveries. Returns how many were new to the store.
    pub async fn queue<S: EventStore>(
        &self,
        casework: &Casework,
        store: &S,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let mut read_up_to = self.read_up_to.lock().await;
        let subscriptions = store.webhook_subscriptions().await?;
        // With no subscription nothing is owed; a later subscription is sent only what
        // is concluded after it was made, so there is nothing to catch up on.
        if subscriptions.is_empty() {
            return Ok(0);
        }
        let mut queued = 0;
        loop {
            let page = store
                .derivations_after(Page {
                    after: *read_up_to,
                    limit: PAGE,
                })
                .await?;
            let Some(last) = page.last().map(|d| d.sequence) else {
                break;
            };
            let deliveries: Vec<NewDelivery> = {
                let casebook = casework.read().await;
                page.iter()
                    .flat_map(|d| deliveries_for(&casebook, d, &subscriptions, now))
                    .collect()
            };
            if !deliveries.is_empty() {
                queued += store.queue_webhook_deliveries(&deliveries).await?;
            }
            *read_up_to = last;
            if page.len() < PAGE as usize {
                break;
            }
        }
        Ok(queued)
    }
}

/// The deliveries one stored conclusion leads to: one per subscription in force when it
/// was written down whose agency may be told it and which asked for its topic.
pub fn deliveries_for(
    casebook: &Casebook,
    stored: &StoredDerivation,
    subscriptions: &[StoredSubscription],
    now: Timestamp,
) -> Vec<NewDelivery> {
    // Kinds that are never sent (linkage, places, questions) are not read further.
    if !matches!(
        stored.kind.as_str(),
        "alert_raised" | "agency_notified" | "linkage_reviewed"
    ) {
        return Vec::new();
    }
    let Ok(derivation) = serde_json::from_value::<Derivation>(stored.body.clone()) else {
        tracing::warn!(
            sequence = stored.sequence,
            "a stored derivation could not be read; no webhook is sent for it"
        );
        return Vec::new();
    };
    let Some(message) = message_of(casebook, &derivation) else {
        return Vec::new();
    };
    subscriptions
        .iter()
        .filter(|s| s.in_force_at(stored.stored_at))
        .filter(|s| s.subscription.topics.contains(&message.topic))
        .filter(|s| {
            message
                .audience
                .includes(casebook, s.subscription.agency.as_str())
        })
        .map(|s| {
            let id = Uuid::now_v7();
            let mut payload = message.payload.clone();
            payload["delivery"] = json!(id);
            payload["topic"] = json!(message.topic.as_str());
            NewDelivery {
                id,
                subscription: s.subscription.id,
                subject: stored.key.clone(),
                topic: message.topic,
                child: message.child.clone(),
                alert: message.alert.clone(),
                payload,
                created_at: now,
            }
        })
        .collect()
}

/// What one conclusion says, and to whom it may be said.
struct Message {
    topic: Topic,
    child: Option<String>,
    alert: Option<String>,
    payload: Value,
    audience: Audience,
}

/// Which agencies may be told a conclusion.
enum Audience {
    /// Those that recorded an event about the child: a legitimate relationship.
    RecordedAbout(String),
    /// Only the agencies named (a notice's agency; the agencies of the records decided
    /// about).
    Named(Vec<String>),
}

impl Audience {
    fn includes(&self, casebook: &Casebook, agency: &str) -> bool {
        match self {
            Audience::RecordedAbout(child) => recorded_about(casebook, child, agency),
            Audience::Named(agencies) => agencies.iter().any(|a| a == agency),
        }
    }
}

/// Whether the agency recorded an event about the person: a legitimate relationship.
fn recorded_about(casebook: &Casebook, person: &str, agency: &str) -> bool {
    casebook
        .records_of(person)
        .any(|(_, event, _)| event.event.agency.as_str() == agency)
}

fn message_of(casebook: &Casebook, derivation: &Derivation) -> Option<Message> {
    match derivation {
        Derivation::AlertRaised {
            at,
            alert,
            rule,
            child,
            ..
        } => {
            let held = casebook.alerts().get(alert);
            let child = child.clone();
            Some(Message {
                topic: Topic::AlertRaised,
                child: Some(child.clone()),
                alert: Some(alert.0.clone()),
                payload: json!({
                    "alert": alert.0,
                    "rule": rule,
                    "level": held.map(|a| a.level),
                    "deadline": held.map(|a| a.deadline),
                    "child": child,
                    "at": at,
                    "link": format!("/api/v1/children/{child}"),
                }),
                audience: Audience::RecordedAbout(child.clone()),
            })
        }
        Derivation::AgencyNotified {
            at,
            alert,
            agency,
            action,
            by,
        } => {
            let topic = match action.as_str() {
                "acknowledged" => Topic::AlertAcknowledged,
                "closed" => Topic::AlertClosed,
                _ => return None,
            };
            let held = casebook.alerts().get(alert);
            let child = held.map(|a| a.subject.clone());
            let told = agency.as_str().to_string();
            Some(Message {
                topic,
                child: child.clone(),
                alert: Some(alert.0.clone()),
                payload: json!({
                    "alert": alert.0,
                    "rule": held.map(|a| a.rule.clone()),
                    "level": held.map(|a| a.level),
                    "child": child,
                    "action": action,
                    "by": by,
                    "at": at,
                    "link": child.as_ref().map(|c| format!("/api/v1/children/{c}")),
                }),
                // The notice names the agency: only it is told.
                audience: Audience::Named(vec![told]),
            })
        }
        Derivation::LinkageReviewed {
            at,
            left,
            right,
            decision,
            by,
            ..
        } => {
            let records = [left.clone(), right.clone()];
            let agencies: Vec<String> = records
                .iter()
                .filter_map(|r| casebook.record_as_held(r))
                .map(|(event, _)| event.event.agency.as_str().to_string())
                .collect();
            let child = records
                .iter()
                .filter_map(|r| casebook.person_of_record(r))
                .find(|p| casebook.was_ever_child(p))
                .map(str::to_string);
            Some(Message {
                topic: Topic::LinkageDecision,
                child: child.clone(),
                alert: None,
                payload: json!({
                    "records": records,
                    "decision": decision,
                    "by": by,
                    "at": at,
                    "link": format!("/api/v1/persons/{}", casebook.person_of_record(left).unwrap_or(left)),
                }),
                audience: Audience::Named(agencies),
            })
        }
        _ => None,
    }
}
