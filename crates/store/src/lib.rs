//! Where events live. Vigil has one storage contract, [`EventStore`], with two
//! implementations: embedded SQLite (the default, one file) and PostgreSQL (for
//! deployments with several processes). Both pass the same [`conformance`] suite.
//!
//! The rules of appending (idempotency on the source key, conflicts, corrections) are
//! decided here, in [`plan`], without SQL, so that both backends apply them identically:
//! a backend only looks things up, then writes what the plan says, in one transaction.
//!
//! Architecture invariant: this crate knows no SQL; backends know nothing else.

pub mod accounts;
pub mod audit;
pub mod audit_queue;
pub mod backup;
pub mod break_glass;
#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(test)]
mod conformance_fixture;
pub mod front_door;
pub mod linkage_decisions;
pub mod plan;
pub mod queue;
pub mod row;
pub mod webhooks;

use std::fmt;
use std::future::Future;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vigil_domain::{AgencyCode, EventId, NewEvent, PersonInEvent, SourceKey};

pub use accounts::{Account, AccountChange, ApiKey, KeyRevocation, StoredAccount, StoredApiKey};
pub use audit::{AuditEntry, ChainBreak, ChainHead, ChainVerifier, NewAuditEntry, verify_chain};
pub use audit_queue::{AuditQueue, AuditWriter};
pub use backup::BackupSummary;
pub use break_glass::{BreakGlassOpening, BreakGlassReview, ReviewedOpening};
pub use front_door::{FrontDoorEntry, StoredFrontDoorEntry};
pub use linkage_decisions::{LinkageDecision, LinkageDecisionKind, StoredLinkageDecision};
pub use plan::{AppendPlan, Existing, PlannedEvent, SupersedeTarget, plan_append};
pub use queue::{AppendQueue, GroupTransaction, GroupWriter};
pub use webhooks::{
    Attempt, AttemptClaim, AttemptResult, Backoff, DeliveryHistory, DeliveryReplay, DeliveryState,
    Disclosure, NewDelivery, StoredSubscription, SubscriptionRevocation, Topic, WebhookCounts,
    WebhookSubscription,
};

/// The id of one identity record: one person as one agency recorded them in one event.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IdentityRecordId(pub Uuid);

impl IdentityRecordId {
    pub fn new() -> Self {
        IdentityRecordId(Uuid::now_v7())
    }
}

impl Default for IdentityRecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for IdentityRecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for IdentityRecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityRecordId({})", self.0)
    }
}

/// An event as Vigil holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub id: EventId,
    /// Its place in the log: later events have larger numbers.
    pub sequence: i64,
    /// When the agency recorded it: as the import stated, or when Vigil stored it.
    pub recorded_at: Timestamp,
    /// When Vigil stored it.
    pub ingested_at: Timestamp,
    pub content_hash: String,
    /// The correction that replaced this event, if any. Reads show the current view;
    /// the superseded event stays for the history.
    pub superseded_by: Option<EventId>,
    /// One per person, in the order of `event.people`.
    pub identity_records: Vec<IdentityRecordId>,
    pub event: NewEvent,
}

/// One person as one agency recorded them in one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityRecord {
    pub id: IdentityRecordId,
    pub event_id: EventId,
    pub agency: AgencyCode,
    pub recorded_at: Timestamp,
    pub person: PersonInEvent,
}

/// What happened to one event of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Appended {
    /// Stored now.
    Created { id: EventId, sequence: i64 },
    /// The same record was stored before (or earlier in this batch): nothing new.
    AlreadyStored { id: EventId },
}

impl Appended {
    pub fn id(&self) -> EventId {
        match self {
            Appended::Created { id, .. } | Appended::AlreadyStored { id } => *id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The source key is taken by a different record. Nothing of the append was stored.
    #[error(
        "event {index}: {key} is already stored as event {existing} with different content; send a correction (a new source id with `supersedes`) instead"
    )]
    Conflict {
        index: usize,
        key: SourceKey,
        existing: EventId,
    },
    /// Two events of one batch share a source key but differ. Nothing was stored.
    #[error(
        "event {index}: {key} is also the key of event {earlier} in this batch, with different content"
    )]
    DifferentRepeatInBatch {
        index: usize,
        earlier: usize,
        key: SourceKey,
    },
    #[error("event {index}: supersedes {target}, which is not stored")]
    UnknownSupersedes { index: usize, target: EventId },
    #[error(
        "event {index}: supersedes {target}, which {owner} recorded; an agency can only correct its own records"
    )]
    SupersedesOtherAgency {
        index: usize,
        target: EventId,
        owner: AgencyCode,
    },
    #[error(
        "event {index}: supersedes {target}, which event {by} already corrected; correct {by} instead"
    )]
    AlreadySuperseded {
        index: usize,
        target: EventId,
        by: EventId,
    },
    /// The database cannot be reached or is out of space: worth retrying later.
    #[error("the event store is unavailable: {0}")]
    Unavailable(String),
    #[error("the event store failed: {0}")]
    Internal(String),
}

impl StoreError {
    /// Whether the same request may succeed if sent again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// What a person did about an alert. Stored in a log of its own, append-only like the
/// events, and replayed with them, so an acknowledgement is part of the record as known
/// at any later moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertAction {
    pub id: Uuid,
    pub alert: String,
    pub action: AlertActionKind,
    /// Who acted, as they are known to Vigil.
    pub by: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_off_by: Option<String>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertActionKind {
    Acknowledge,
    Close,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlertAction {
    pub sequence: i64,
    pub action: AlertAction,
}

/// A conclusion Vigil drew from the events (a linkage decision, a place resolution, an
/// alert raised or updated, a question asked, an agency told what was done), as the
/// store keeps it. The store does not read the body: the rules crate owns its meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDerivation {
    /// Identifies the conclusion: the same key is the same conclusion, stored once.
    pub key: String,
    pub kind: String,
    /// When it was concluded, on the record's clock.
    pub at: Timestamp,
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredDerivation {
    pub sequence: i64,
    pub key: String,
    pub kind: String,
    pub at: Timestamp,
    /// When this process wrote it down: a replay after a restart can reach a
    /// conclusion whose `at` is long past.
    pub stored_at: Timestamp,
    pub body: serde_json::Value,
}

/// Which page of a listing: events after `after` (a sequence number), at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub after: i64,
    pub limit: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            after: 0,
            limit: 100,
        }
    }
}

/// The one storage contract. Every write goes through [`EventStore::append`].
///
/// Append-only: there is no update and no delete. Implementations also refuse UPDATE
/// and DELETE in the database itself, so a mistake in SQL elsewhere cannot rewrite
/// history.
pub trait EventStore: Clone + Send + Sync + 'static {
    /// Stores the events atomically: all or (on any error) none. Idempotent per event on
    /// (agency, source system, source id). `ingested_at` is Vigil's clock, passed in.
    fn append(
        &self,
        events: Vec<NewEvent>,
        ingested_at: Timestamp,
    ) -> impl Future<Output = Result<Vec<Appended>, StoreError>> + Send;

    fn event(
        &self,
        id: EventId,
    ) -> impl Future<Output = Result<Option<StoredEvent>, StoreError>> + Send;

    fn event_by_source(
        &self,
        key: &SourceKey,
    ) -> impl Future<Output = Result<Option<StoredEvent>, StoreError>> + Send;

    /// Events in which the agency recorded a person under its own reference `reference`,
    /// in log order. Superseded events only when `include_superseded`.
    fn events_for_reference(
        &self,
        agency: &AgencyCode,
        reference: &str,
        include_superseded: bool,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    /// One agency's events in log order.
    fn events_by_agency(
        &self,
        agency: &AgencyCode,
        include_superseded: bool,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    /// The whole log in order, for those who derive state from it.
    fn events_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    fn identity_record(
        &self,
        id: IdentityRecordId,
    ) -> impl Future<Output = Result<Option<IdentityRecord>, StoreError>> + Send;

    fn event_count(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Appends an action on an alert; returns its place in the actions log.
    fn record_alert_action(
        &self,
        action: &AlertAction,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The actions log in order.
    fn alert_actions_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredAlertAction>, StoreError>> + Send;

    /// Appends conclusions, skipping any whose key is stored already; returns how many
    /// were new. All or nothing.
    fn record_derivations(
        &self,
        entries: &[NewDerivation],
        stored_at: Timestamp,
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// The derivations log in order.
    fn derivations_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredDerivation>, StoreError>> + Send;

    /// Appends entries to the audit log, all or none, and returns once they are
    /// durable. The backend reads the last entry's sequence and hash, chains the new
    /// entries onto it ([`audit::chain`]) and writes them in one transaction, serialised
    /// against every other writer of the log, so the chain never forks. Appends that
    /// arrive together share that transaction ([`audit_queue`]).
    fn append_audit(
        &self,
        entries: Vec<NewAuditEntry>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The audit log in order, as stored (not verified: see [`audit::ChainVerifier`]).
    fn audit_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
    /// The entries about one resource (`child:<person id>`), oldest first: who looked at
    /// a child's record, for the privacy officer.
    fn audit_about(
        &self,
        resource: &str,
        page: Page,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;
    /// Adds a local account. `false` (and nothing stored) when the user name is taken.
    fn add_account(
        &self,
        account: &Account,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    fn account(
        &self,
        user_name: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Every account with its latest change, oldest account first.
    fn accounts(&self) -> impl Future<Output = Result<Vec<StoredAccount>, StoreError>> + Send;

    /// An account's changes (disabled, enabled), oldest first. Read on every request
    /// whose credential leads back to an account, so a change takes effect at once.
    fn account_changes(
        &self,
        user_name: &str,
    ) -> impl Future<Output = Result<Vec<AccountChange>, StoreError>> + Send;

    /// Appends a change to an account's standing. The caller checks that the account
    /// exists and that the change changes something; the database refuses a change to
    /// an unknown account.
    fn record_account_change(
        &self,
        change: &AccountChange,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds an API key (its secret only as a hash).
    fn add_api_key(&self, key: &ApiKey) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One key with its revocation, if any.
    fn api_key(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<StoredApiKey>, StoreError>> + Send;

    /// Every key, oldest first.
    fn api_keys(&self) -> impl Future<Output = Result<Vec<StoredApiKey>, StoreError>> + Send;

    /// Revokes a key by appending a revocation. `false` when it was revoked already (the
    /// first revocation stands). The caller checks that the key exists.
    fn revoke_api_key(
        &self,
        revocation: &KeyRevocation,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Appends a break-glass opening.
    fn record_break_glass(
        &self,
        opening: &BreakGlassOpening,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The principal's opening of the child's record that expires last, if any: the
    /// caller decides whether it is still open (`vigil_access::break_glass::is_open`).
    fn latest_break_glass(
        &self,
        principal_id: &str,
        child: &str,
    ) -> impl Future<Output = Result<Option<BreakGlassOpening>, StoreError>> + Send;

    /// One opening with its reviews.
    fn break_glass_opening(
        &self,
        id: uuid::Uuid,
    ) -> impl Future<Output = Result<Option<ReviewedOpening>, StoreError>> + Send;

    /// Every opening with its reviews, oldest first.
    fn break_glass_openings(
        &self,
    ) -> impl Future<Output = Result<Vec<ReviewedOpening>, StoreError>> + Send;

    /// Appends a review of an opening. The caller checks that the opening exists; the
    /// database refuses a review of an unknown opening.
    fn record_break_glass_review(
        &self,
        review: &BreakGlassReview,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends a person's decision about a pair of identity records; returns its place
    /// in the decisions log.
    fn record_linkage_decision(
        &self,
        decision: &LinkageDecision,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The linkage decisions log in order.
    fn linkage_decisions_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredLinkageDecision>, StoreError>> + Send;

    /// Appends a front-door decision; returns its place in the front-door log.
    fn record_front_door_decision(
        &self,
        entry: &FrontDoorEntry,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The front-door decisions log in order.
    fn front_door_decisions_after(
        &self,
        page: Page,
    ) -> impl Future<Output = Result<Vec<StoredFrontDoorEntry>, StoreError>> + Send;

    /// Adds a webhook subscription (its secret as given: it is needed to sign).
    fn add_webhook_subscription(
        &self,
        subscription: &WebhookSubscription,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Ends a subscription by appending a revocation. `false` when it was revoked
    /// already (the first revocation stands). The caller checks that it exists.
    fn revoke_webhook_subscription(
        &self,
        revocation: &SubscriptionRevocation,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every subscription with its revocation, if any, oldest first.
    fn webhook_subscriptions(
        &self,
    ) -> impl Future<Output = Result<Vec<StoredSubscription>, StoreError>> + Send;

    /// Queues deliveries, skipping any whose (subscription, subject) is queued already;
    /// returns how many were new. All or nothing.
    fn queue_webhook_deliveries(
        &self,
        deliveries: &[NewDelivery],
    ) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Every delivery that no try has delivered yet (due, in flight or dead), with its
    /// tries and replays, oldest first.
    fn undelivered_webhooks(
        &self,
    ) -> impl Future<Output = Result<Vec<DeliveryHistory>, StoreError>> + Send;

    /// One delivery with its tries and replays.
    fn webhook_delivery(
        &self,
        id: uuid::Uuid,
    ) -> impl Future<Output = Result<Option<DeliveryHistory>, StoreError>> + Send;

    /// Claims a try before it is sent. `false` when that try of that delivery was
    /// claimed already (by this or another process): then it must not be sent.
    fn claim_webhook_attempt(
        &self,
        claim: &AttemptClaim,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records what came of a claimed try and, when it delivered, the disclosure it
    /// made, in one transaction.
    fn record_webhook_attempt(
        &self,
        result: &AttemptResult,
        disclosure: Option<&Disclosure>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends a replay of a dead letter. `false` when the same round was replayed
    /// already. The caller checks that the delivery is a dead letter.
    fn replay_webhook_delivery(
        &self,
        replay: &DeliveryReplay,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The disclosures ledger, oldest first; only those about `child` when given.
    fn disclosures(
        &self,
        child: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Disclosure>, StoreError>> + Send;

    /// Deliveries made and tries failed, ever: for the metrics.
    fn webhook_counts(&self) -> impl Future<Output = Result<WebhookCounts, StoreError>> + Send;

    /// Whether the store answers: for readiness checks.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The store's connection pools as they are now, for the metrics: no I/O.
    fn pools(&self) -> Vec<PoolStatus>;
}

/// One connection pool of a store, at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoolStatus {
    /// Which pool: `read` and `write` for SQLite, `main` for PostgreSQL.
    pub name: &'static str,
    /// Connections open now (in use plus idle).
    pub open: u32,
    pub idle: u32,
    /// The most it will open.
    pub max: u32,
}
