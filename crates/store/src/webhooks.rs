//! Webhooks and disclosures, as the store keeps them.
//!
//! An agency's system subscribes to be told of alerts, acknowledgements, closures and
//! linkage decisions; Vigil sends each as a signed HTTP request and retries until the
//! receiver accepts it. Every part of that is an append-only log, so the record shows
//! what was sent to whom, each try and its answer, and what an administrator replayed:
//!
//! - subscriptions, and their revocations (a new row, never a change);
//! - deliveries: one per (subscription, what it reports), unique in the database, so two
//!   Vigil processes following the same logs queue the same thing once;
//! - attempts: a claim before the request is sent (unique per delivery and try number,
//!   so two processes never send the same try) and its result after;
//! - replays of dead letters by an administrator;
//! - disclosures: what left Vigil, to which agency, about which child, on what lawful
//!   basis (docs/SECURITY.md).
//!
//! Where a delivery stands (due, in flight, delivered, dead) is derived from those rows
//! here, without SQL ([`DeliveryHistory::state`]), so both backends agree.

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use uuid::Uuid;
use vigil_domain::AgencyCode;

use crate::StoreError;

/// What a subscription asks to be told of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// A rule raised an alert about a child the agency recorded an event about.
    AlertRaised,
    /// An alert the agency's record was evidence for was acknowledged.
    AlertAcknowledged,
    /// An alert the agency's record was evidence for was closed.
    AlertClosed,
    /// A person decided whether two identity records, one of them the agency's, are the
    /// same person.
    LinkageDecision,
}

impl Topic {
    pub const ALL: [Topic; 4] = [
        Topic::AlertRaised,
        Topic::AlertAcknowledged,
        Topic::AlertClosed,
        Topic::LinkageDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::AlertRaised => "alert_raised",
            Topic::AlertAcknowledged => "alert_acknowledged",
            Topic::AlertClosed => "alert_closed",
            Topic::LinkageDecision => "linkage_decision",
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown topic {0:?}; the topics are: alert_raised, alert_acknowledged, alert_closed, linkage_decision"
)]
pub struct TopicParseError(pub String);

impl FromStr for Topic {
    type Err = TopicParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Topic::ALL
            .into_iter()
            .find(|topic| topic.as_str() == text.trim())
            .ok_or_else(|| TopicParseError(text.to_string()))
    }
}

/// An agency's system asked to be sent what it may be told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookSubscription {
    pub id: Uuid,
    pub agency: AgencyCode,
    pub url: String,
    pub topics: Vec<Topic>,
    /// Why the agency may be told (e.g. "Children Act 1989 s.47; UK GDPR 6(1)(e)"):
    /// copied onto every disclosure made under the subscription.
    pub lawful_basis: String,
    /// The key each delivery is signed with. Kept as given: Vigil needs it to sign, so
    /// it cannot be stored as a hash (docs/SECURITY.md). Never serialised.
    #[serde(skip)]
    pub secret: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A subscription ended. The first revocation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionRevocation {
    pub subscription: Uuid,
    pub revoked_by: String,
    pub reason: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSubscription {
    #[serde(flatten)]
    pub subscription: WebhookSubscription,
    pub revoked: Option<SubscriptionRevocation>,
}

impl StoredSubscription {
    /// Whether it was in force at `at`: created by then and not yet revoked.
    pub fn in_force_at(&self, at: Timestamp) -> bool {
        self.subscription.created_at <= at && self.revoked.as_ref().is_none_or(|r| r.at > at)
    }
}

/// One thing to send to one subscription.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewDelivery {
    pub id: Uuid,
    pub subscription: Uuid,
    /// What it reports, as the key of the derivation it comes from: with the
    /// subscription, unique, so the same thing is queued once however many processes
    /// follow the log.
    pub subject: String,
    pub topic: Topic,
    /// The child concerned, for the disclosures ledger.
    pub child: Option<String>,
    pub alert: Option<String>,
    /// The body sent, minimal by design (docs/SECURITY.md).
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}

/// The claim on one try, written before the request is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptClaim {
    pub delivery: Uuid,
    /// 1 for the first try; numbers go on rising across replays.
    pub number: u32,
    pub started_at: Timestamp,
}

/// What came of one try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptResult {
    pub delivery: Uuid,
    pub number: u32,
    pub finished_at: Timestamp,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why it failed, in words, if it did.
    pub error: Option<String>,
    /// A 2xx answer: the receiver has it.
    pub delivered: bool,
    /// The last try allowed: the delivery is now a dead letter until replayed.
    pub gave_up: bool,
}

/// One try, with its result once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub number: u32,
    pub started_at: Timestamp,
    pub result: Option<AttemptResult>,
}

/// An administrator sent a dead letter round again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReplay {
    pub id: Uuid,
    pub delivery: Uuid,
    /// The last try before the replay: with the delivery, unique, so a dead letter is
    /// replayed once however many administrators press the button.
    pub after_attempt: u32,
    pub by: String,
    pub at: Timestamp,
}

/// A delivery with every try and replay, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryHistory {
    #[serde(flatten)]
    pub delivery: NewDelivery,
    pub attempts: Vec<Attempt>,
    pub replays: Vec<DeliveryReplay>,
}

/// How hard the sender tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Tries before a delivery becomes a dead letter.
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub base_delay: std::time::Duration,
    /// How long a claimed try may go without a result before it is taken as lost (the
    /// process sending it stopped): longer than the request timeout.
    pub abandoned_after: std::time::Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            attempts: 6,
            base_delay: std::time::Duration::from_secs(10),
            abandoned_after: std::time::Duration::from_secs(120),
        }
    }
}

impl Backoff {
    /// The wait after the `failures`th failure of a round (1 for the first).
    pub fn delay_after(&self, failures: u32) -> SignedDuration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        SignedDuration::try_from(self.base_delay.saturating_mul(factor))
            .unwrap_or(SignedDuration::MAX)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryState {
    /// Try `number` may be sent from `at`.
    Due {
        number: u32,
        at: Timestamp,
    },
    /// Try `number` is being sent.
    InFlight {
        number: u32,
    },
    /// Try `number` was claimed but no result came within [`Backoff::abandoned_after`]:
    /// the sender records it as failed, then goes on.
    Abandoned {
        number: u32,
        round_tries: u32,
    },
    Delivered {
        at: Timestamp,
    },
    /// The last try allowed failed; waiting for an administrator's replay.
    DeadLetter {
        since: Timestamp,
    },
}

impl DeliveryHistory {
    /// The tries since the delivery was queued or last replayed.
    fn round(&self) -> (u32, Timestamp, Vec<&Attempt>) {
        let (after, since) = self
            .replays
            .iter()
            .max_by_key(|replay| replay.after_attempt)
            .map_or((0, self.delivery.created_at), |replay| {
                (replay.after_attempt, replay.at)
            });
        let round = self
            .attempts
            .iter()
            .filter(|attempt| attempt.number > after)
            .collect();
        (after, since, round)
    }

    /// Where the delivery stands at `now`, under `backoff`.
    pub fn state(&self, now: Timestamp, backoff: &Backoff) -> DeliveryState {
        if let Some(done) = self
            .attempts
            .iter()
            .filter_map(|attempt| attempt.result.as_ref())
            .find(|result| result.delivered)
        {
            return DeliveryState::Delivered {
                at: done.finished_at,
            };
        }
        let (after, since, round) = self.round();
        let tries = round.len() as u32;
        let Some(last) = round.last() else {
            return DeliveryState::Due {
                number: after + 1,
                at: since,
            };
        };
        match &last.result {
            None => {
                let lost_at = last.started_at
                    + SignedDuration::try_from(backoff.abandoned_after)
                        .unwrap_or(SignedDuration::MAX);
                if now >= lost_at {
                    DeliveryState::Abandoned {
                        number: last.number,
                        round_tries: tries,
                    }
                } else {
                    DeliveryState::InFlight {
                        number: last.number,
                    }
                }
            }
            Some(result) if result.gave_up => DeliveryState::DeadLetter {
                since: result.finished_at,
            },
            Some(result) => DeliveryState::Due {
                number: last.number + 1,
                at: result.finished_at + backoff.delay_after(tries),
            },
        }
    }

    /// How many tries the current round has had.
    pub fn round_tries(&self) -> u32 {
        self.round().2.len() as u32
    }

    /// The last try's result, if any: what an administrator reads on a dead letter.
    pub fn last_result(&self) -> Option<&AttemptResult> {
        self.attempts
            .iter()
            .rev()
            .find_map(|attempt| attempt.result.as_ref())
    }

    pub fn last_attempt_number(&self) -> u32 {
        self.attempts.iter().map(|a| a.number).max().unwrap_or(0)
    }
}

/// Information about a child that left Vigil: to whom, what, when, why, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub id: Uuid,
    pub recipient: AgencyCode,
    /// The subscription and delivery it was sent under, for the `webhook` channel.
    pub subscription: Option<Uuid>,
    pub delivery: Option<Uuid>,
    /// How it left: `webhook`.
    pub channel: String,
    pub child: Option<String>,
    pub alert: Option<String>,
    /// What was told: the topic.
    pub what: String,
    pub lawful_basis: String,
    pub at: Timestamp,
}

/// Counts for the metrics, read when scraped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WebhookCounts {
    pub delivered: u64,
    pub failed_attempts: u64,
}

/// The columns of a subscription row with its revocation: id, agency, url, topics
/// (comma separated), lawful basis, secret, created by, created microseconds, then the
/// revocation's by, reason and microseconds (absent when in force).
pub type SubscriptionColumns = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn uuid_column(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|error| StoreError::Internal(format!("stored id {text:?}: {error}")))
}

fn number_column(number: i64) -> Result<u32, StoreError> {
    u32::try_from(number)
        .map_err(|_| StoreError::Internal(format!("stored try number {number} is out of range")))
}

/// Topics as one column.
pub fn topics_text(topics: &[Topic]) -> String {
    topics
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn subscription_from_columns(
    row: SubscriptionColumns,
) -> Result<StoredSubscription, StoreError> {
    let (id, agency, url, topics, lawful_basis, secret, created_by, created_us, by, reason, at) =
        row;
    let id = uuid_column(&id)?;
    let topics = topics
        .split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse()
                .map_err(|error| StoreError::Internal(format!("stored topic: {error}")))
        })
        .collect::<Result<Vec<Topic>, _>>()?;
    let revoked = match (by, reason, at) {
        (Some(revoked_by), Some(reason), Some(at)) => Some(SubscriptionRevocation {
            subscription: id,
            revoked_by,
            reason,
            at: crate::accounts::moment_column(at)?,
        }),
        _ => None,
    };
    Ok(StoredSubscription {
        subscription: WebhookSubscription {
            id,
            agency: crate::accounts::agency_column(Some(agency))?
                .ok_or_else(|| StoreError::Internal("a subscription without an agency".into()))?,
            url,
            topics,
            lawful_basis,
            secret,
            created_by,
            created_at: crate::accounts::moment_column(created_us)?,
        },
        revoked,
    })
}

/// The columns of a delivery row: id, subscription, subject, topic, child, alert,
/// payload (JSON text), created microseconds.
pub type DeliveryColumns = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
);

pub fn delivery_from_columns(row: DeliveryColumns) -> Result<NewDelivery, StoreError> {
    let (id, subscription, subject, topic, child, alert, payload, created_us) = row;
    Ok(NewDelivery {
        id: uuid_column(&id)?,
        subscription: uuid_column(&subscription)?,
        subject,
        topic: topic
            .parse()
            .map_err(|error| StoreError::Internal(format!("stored topic: {error}")))?,
        child,
        alert,
        payload: serde_json::from_str(&payload)
            .map_err(|error| StoreError::Internal(format!("stored payload: {error}")))?,
        created_at: crate::accounts::moment_column(created_us)?,
    })
}

/// The columns of an attempt with its result: delivery, number, started microseconds,
/// then the result's finished microseconds, status, error, delivered and gave-up flags.
pub type AttemptColumns = (
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<bool>,
    Option<bool>,
);

pub fn attempt_from_columns(row: AttemptColumns) -> Result<(Uuid, Attempt), StoreError> {
    let (delivery, number, started_us, finished_us, status, error, delivered, gave_up) = row;
    let delivery = uuid_column(&delivery)?;
    let number = number_column(number)?;
    let result = match finished_us {
        Some(finished_us) => Some(AttemptResult {
            delivery,
            number,
            finished_at: crate::accounts::moment_column(finished_us)?,
            status: status.and_then(|s| u16::try_from(s).ok()),
            error,
            delivered: delivered.unwrap_or(false),
            gave_up: gave_up.unwrap_or(false),
        }),
        None => None,
    };
    Ok((
        delivery,
        Attempt {
            number,
            started_at: crate::accounts::moment_column(started_us)?,
            result,
        },
    ))
}

/// The columns of a replay row: id, delivery, after-attempt, by, microseconds.
pub type ReplayColumns = (String, String, i64, String, i64);

pub fn replay_from_columns(row: ReplayColumns) -> Result<DeliveryReplay, StoreError> {
    let (id, delivery, after, by, at) = row;
    Ok(DeliveryReplay {
        id: uuid_column(&id)?,
        delivery: uuid_column(&delivery)?,
        after_attempt: number_column(after)?,
        by,
        at: crate::accounts::moment_column(at)?,
    })
}

/// Puts each attempt and replay under its delivery, keeping the deliveries' order and
/// each list's.
pub fn with_histories(
    deliveries: Vec<NewDelivery>,
    attempts: Vec<(Uuid, Attempt)>,
    replays: Vec<DeliveryReplay>,
) -> Vec<DeliveryHistory> {
    let mut list: Vec<DeliveryHistory> = deliveries
        .into_iter()
        .map(|delivery| DeliveryHistory {
            delivery,
            attempts: Vec::new(),
            replays: Vec::new(),
        })
        .collect();
    let position: std::collections::HashMap<Uuid, usize> = list
        .iter()
        .enumerate()
        .map(|(i, h)| (h.delivery.id, i))
        .collect();
    for (delivery, attempt) in attempts {
        if let Some(&i) = position.get(&delivery) {
            list[i].attempts.push(attempt);
        }
    }
    for replay in replays {
        if let Some(&i) = position.get(&replay.delivery) {
            list[i].replays.push(replay);
        }
    }
    for history in &mut list {
        history.attempts.sort_by_key(|a| a.number);
        history.replays.sort_by_key(|r| r.after_attempt);
    }
    list
}

/// The columns of a disclosure row: id, recipient, subscription, delivery, channel,
/// child, alert, what, lawful basis, microseconds.
pub type DisclosureColumns = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
);

pub fn disclosure_from_columns(row: DisclosureColumns) -> Result<Disclosure, StoreError> {
    let (id, recipient, subscription, delivery, channel, child, alert, what, lawful_basis, at) =
        row;
    Ok(Disclosure {
        id: uuid_column(&id)?,
        recipient: crate::accounts::agency_column(Some(recipient))?
            .ok_or_else(|| StoreError::Internal("a disclosure without a recipient".into()))?,
        subscription: subscription.as_deref().map(uuid_column).transpose()?,
        delivery: delivery.as_deref().map(uuid_column).transpose()?,
        channel,
        child,
        alert,
        what,
        lawful_basis,
        at: crate::accounts::moment_column(at)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn history() -> DeliveryHistory {
        DeliveryHistory {
            delivery: NewDelivery {
                id: Uuid::nil(),
                subscription: Uuid::nil(),
                subject: "k".into(),
                topic: Topic::AlertRaised,
                child: None,
                alert: None,
                payload: serde_json::json!({}),
                created_at: at("2024-05-01T10:00:00Z"),
            },
            attempts: Vec::new(),
            replays: Vec::new(),
        }
    }

    fn failed(number: u32, finished: &str, gave_up: bool) -> Attempt {
        Attempt {
            number,
            started_at: at(finished),
            result: Some(AttemptResult {
                delivery: Uuid::nil(),
                number,
                finished_at: at(finished),
                status: Some(503),
                error: Some("503".into()),
                delivered: false,
                gave_up,
            }),
        }
    }

    fn backoff() -> Backoff {
        Backoff {
            attempts: 3,
            base_delay: std::time::Duration::from_secs(10),
            abandoned_after: std::time::Duration::from_secs(60),
        }
    }

    #[test]
    fn a_new_delivery_is_due_at_once_and_failures_wait_twice_as_long_each_time() {
        let now = at("2024-05-01T10:00:00Z");
        let mut h = history();
        assert_eq!(
            h.state(now, &backoff()),
            DeliveryState::Due { number: 1, at: now }
        );
        h.attempts.push(failed(1, "2024-05-01T10:00:01Z", false));
        assert_eq!(
            h.state(now, &backoff()),
            DeliveryState::Due {
                number: 2,
                at: at("2024-05-01T10:00:11Z")
            }
        );
        h.attempts.push(failed(2, "2024-05-01T10:00:12Z", false));
        assert_eq!(
            h.state(now, &backoff()),
            DeliveryState::Due {
                number: 3,
                at: at("2024-05-01T10:00:32Z")
            }
        );
    }

    #[test]
    fn the_last_try_makes_a_dead_letter_and_a_replay_starts_a_new_round() {
        let now = at("2024-05-01T11:00:00Z");
        let mut h = history();
        h.attempts.push(failed(1, "2024-05-01T10:00:01Z", false));
        h.attempts.push(failed(2, "2024-05-01T10:00:12Z", true));
        assert_eq!(
            h.state(now, &backoff()),
            DeliveryState::DeadLetter {
                since: at("2024-05-01T10:00:12Z")
            }
        );
        h.replays.push(DeliveryReplay {
            id: Uuid::nil(),
            delivery: Uuid::nil(),
            after_attempt: 2,
            by: "admin".into(),
            at: at("2024-05-01T10:30:00Z"),
        });
        assert_eq!(h.round_tries(), 0);
        assert_eq!(
            h.state(now, &backoff()),
            DeliveryState::Due {
                number: 3,
                at: at("2024-05-01T10:30:00Z")
            }
        );
    }

    #[test]
    fn a_claim_without_a_result_is_in_flight_then_abandoned() {
        let mut h = history();
        h.attempts.push(Attempt {
            number: 1,
            started_at: at("2024-05-01T10:00:00Z"),
            result: None,
        });
        assert_eq!(
            h.state(at("2024-05-01T10:00:30Z"), &backoff()),
            DeliveryState::InFlight { number: 1 }
        );
        assert_eq!(
            h.state(at("2024-05-01T10:01:00Z"), &backoff()),
            DeliveryState::Abandoned {
                number: 1,
                round_tries: 1
            }
        );
    }

    #[test]
    fn a_delivered_try_ends_it() {
        let mut h = history();
        let mut done = failed(1, "2024-05-01T10:00:01Z", false);
        if let Some(result) = done.result.as_mut() {
            result.delivered = true;
            result.status = Some(204);
        }
        h.attempts.push(done);
        assert_eq!(
            h.state(at("2024-05-01T11:00:00Z"), &backoff()),
            DeliveryState::Delivered {
                at: at("2024-05-01T10:00:01Z")
            }
        );
    }

    #[test]
    fn topics_read_back_as_written() {
        for topic in Topic::ALL {
            assert_eq!(topic.as_str().parse::<Topic>().unwrap(), topic);
        }
        assert!("alerts".parse::<Topic>().is_err());
    }
}
