//! The pipeline from the event log to what it means: at start, every stored event is
//! replayed into a [`Casebook`] (persons, places, households, alerts); then the
//! casebook follows the log, taking each newly stored event and moving its clock so
//! that deadline rules fire on time. The store stays the only source of truth: the
//! casebook is rebuilt from it, never saved on its own.
//!
//! Reading the log (rather than being handed events by the API) means an import, a
//! second Vigil process on the same database, or a restart all reach the casebook the
//! same way.

pub mod outbox;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Mutex, Notify, RwLock};
use vigil_linkage::LinkageModel;
use vigil_rules::{AlertResponse, CaseEvent, Casebook, Derivation, PairDecision, RulesConfig};
use vigil_store::{
    AlertActionKind, EventStore, LinkageDecisionKind, NewDerivation, Page, StoreError,
    StoredAlertAction, StoredEvent, StoredLinkageDecision,
};

fn case_event(stored: StoredEvent) -> CaseEvent {
    CaseEvent {
        id: stored.id,
        recorded_at: stored.recorded_at,
        event: stored.event,
    }
}

/// Reads a log from `after` to its end, a page at a time. Returns the entries and the
/// last sequence number read (`after` when there was nothing new).
async fn read_to_end<T, F, Fut>(
    after: i64,
    sequence: impl Fn(&T) -> i64,
    fetch: F,
) -> Result<(Vec<T>, i64), StoreError>
where
    F: Fn(Page) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, StoreError>>,
{
    const PAGE: u32 = 1000;
    let mut entries = Vec::new();
    let mut last = after;
    loop {
        let page = fetch(Page {
            after: last,
            limit: PAGE,
        })
        .await?;
        let Some(tail) = page.last() else {
            break;
        };
        last = sequence(tail);
        let full = page.len() == PAGE as usize;
        entries.extend(page);
        if !full {
            break;
        }
    }
    Ok((entries, last))
}

/// Every stored event after `after`, in log order, with the last sequence number read.
pub async fn read_log<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<(i64, CaseEvent)>, i64), StoreError> {
    let (events, last) = read_to_end(
        after,
        |e: &StoredEvent| e.sequence,
        |page| store.events_after(page),
    )
    .await?;
    Ok((
        events
            .into_iter()
            .map(|e| (e.sequence, case_event(e)))
            .collect(),
        last,
    ))
}

fn response(stored: StoredAlertAction) -> AlertResponse {
    let action = stored.action;
    AlertResponse {
        alert: action.alert,
        close: action.action == AlertActionKind::Close,
        by: action.by,
        reason: action.reason,
        signed_off_by: action.signed_off_by,
        at: action.at,
    }
}

/// Every recorded response to an alert after `after`, in log order, with the last
/// sequence number read.
pub async fn read_responses<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<AlertResponse>, i64), StoreError> {
    let (actions, last) = read_to_end(
        after,
        |a: &StoredAlertAction| a.sequence,
        |page| store.alert_actions_after(page),
    )
    .await?;
    Ok((actions.into_iter().map(response).collect(), last))
}

fn pair_decision(stored: StoredLinkageDecision) -> PairDecision {
    let decision = stored.decision;
    PairDecision {
        left: decision.left,
        right: decision.right,
        same_person: decision.decision == LinkageDecisionKind::Link,
        by: decision.by_name,
        reason: decision.reason,
        at: decision.at,
    }
}

/// Every recorded decision about a pair of identity records after `after`, in log
/// order, with the last sequence number read.
pub async fn read_pair_decisions<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<PairDecision>, i64), StoreError> {
    let (decisions, last) = read_to_end(
        after,
        |d: &StoredLinkageDecision| d.sequence,
        |page| store.linkage_decisions_after(page),
    )
    .await?;
    Ok((decisions.into_iter().map(pair_decision).collect(), last))
}

/// The last sequence numbers the casebook has taken from each log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Taken {
    events: i64,
    responses: i64,
    pair_decisions: i64,
}

/// The record as known at `as_at` (now when `None`): every event recorded by then, in
/// the order they were recorded.
pub async fn replay<S: EventStore>(
    store: &S,
    model: LinkageModel,
    config: RulesConfig,
    as_at: Option<Timestamp>,
) -> Result<Casebook, StoreError> {
    let as_at = as_at.unwrap_or_else(Timestamp::now);
    Ok(rebuild(store, model, config, as_at).await?.0)
}

/// The live casebook, shared by the API's handlers and kept current by [`follow`].
#[derive(Clone)]
pub struct Casework {
    casebook: Arc<RwLock<Casebook>>,
    /// The last sequence numbers taken from the event, alert-action and linkage
    /// decision logs.
    last_sequence: Arc<RwLock<Taken>>,
    /// How many of the casebook's derivations are written to the store's log.
    derivations_stored: Arc<Mutex<usize>>,
    wake: Arc<Notify>,
}

impl Casework {
    /// Replays the whole log into a new casebook.
    pub async fn load<S: EventStore>(
        store: &S,
        model: LinkageModel,
        config: RulesConfig,
    ) -> Result<Casework, StoreError> {
        let (casebook, last) = rebuild(store, model, config, Timestamp::now()).await?;
        Ok(Casework {
            casebook: Arc::new(RwLock::new(casebook)),
            last_sequence: Arc::new(RwLock::new(last)),
            derivations_stored: Arc::new(Mutex::new(0)),
            wake: Arc::new(Notify::new()),
        })
    }

    pub async fn read(&self) -> tokio::sync::RwLockReadGuard<'_, Casebook> {
        self.casebook.read().await
    }

    pub async fn write(&self) -> tokio::sync::RwLockWriteGuard<'_, Casebook> {
        self.casebook.write().await
    }

    /// Says new events were stored, so the follower reads them now rather than at its
    /// next tick.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Reads what the logs hold beyond what the casebook has taken (events, then
    /// people's responses to alerts and decisions about pairs of records, in time
    /// order), and takes it. Returns how many entries were taken.
    ///
    /// New events are taken in the order they were recorded. An event recorded long
    /// before the casebook's clock (an import of history, a feed catching up after an
    /// outage) cannot be slotted in after the fact, since deadlines that fell between
    /// its recording and now would be missed: the casebook is rebuilt from the log
    /// instead, so the live record is always the replay of the log.
    pub async fn catch_up<S: EventStore>(&self, store: &S) -> Result<usize, StoreError> {
        let mut last = self.last_sequence.write().await;
        let (mut events, new_last) = read_log(store, last.events).await?;
        let (responses, new_last_response) = read_responses(store, last.responses).await?;
        let (decisions, new_last_decision) =
            read_pair_decisions(store, last.pair_decisions).await?;
        let count = events.len() + responses.len() + decisions.len();
        if count == 0 {
            // Nothing new: readers are not held up (the follower's tick moves the clock).
            return Ok(0);
        }
        events.sort_by_key(|(sequence, e)| (e.recorded_at, *sequence));
        let clock = self.casebook.read().await.now();
        let late = events
            .first()
            .is_some_and(|(_, first)| first.recorded_at < clock - LATE_RECORD);
        if late {
            let (model, config) = {
                let casebook = self.casebook.read().await;
                (
                    casebook.linkage().model().clone(),
                    casebook.config().clone(),
                )
            };
            tracing::info!(
                "records arrived out of the order they were recorded; rebuilding the casebook from the log"
            );
            let (rebuilt, rebuilt_last) = rebuild(store, model, config, Timestamp::now()).await?;
            let mut stored = self.derivations_stored.lock().await;
            *self.casebook.write().await = rebuilt;
            // The rebuilt casebook concluded everything afresh: the store keeps each
            // conclusion once, so writing them all again adds only what is new.
            *stored = 0;
            *last = rebuilt_last;
            return Ok(count);
        }
        let started = std::time::Instant::now();
        let mut casebook = self.casebook.write().await;
        let waited = started.elapsed();
        let taken = events.len();
        for (_, event) in events {
            casebook.record(event);
        }
        for input in vigil_rules::human_inputs(&responses, &decisions) {
            if let Err(error) = input.apply(&mut casebook) {
                tracing::warn!(%error, "a person's recorded response or linkage decision was refused");
            }
        }
        let now = Timestamp::now().max(casebook.now());
        casebook.advance_to(now);
        *last = Taken {
            events: new_last,
            responses: new_last_response,
            pair_decisions: new_last_decision,
        };
        tracing::debug!(
            events = taken,
            responses = responses.len(),
            pair_decisions = decisions.len(),
            casebook_events = casebook.events().len(),
            waited_for_lock_ms = waited.as_secs_f64() * 1000.0,
            took_ms = (started.elapsed() - waited).as_secs_f64() * 1000.0,
            "the casebook took what was new in the log"
        );
        Ok(count)
    }
}

/// How long before the casebook's clock a new record may have been recorded and still
/// be taken as it arrives. Agencies' feeds send within minutes, and no rule's deadline
/// is as short as this; a record older than this came from a history import or a feed
/// catching up, and the casebook is rebuilt so that it stays the replay of the log.
const LATE_RECORD: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// The casebook as known at `as_at`, replayed from the whole log, with the last
/// sequence numbers read from each log.
async fn rebuild<S: EventStore>(
    store: &S,
    model: LinkageModel,
    config: RulesConfig,
    as_at: Timestamp,
) -> Result<(Casebook, Taken), StoreError> {
    let (mut events, last) = read_log(store, 0).await?;
    events.sort_by_key(|(sequence, e)| (e.recorded_at, *sequence));
    let events: Vec<CaseEvent> = events.into_iter().map(|(_, e)| e).collect();
    let (mut responses, last_response) = read_responses(store, 0).await?;
    responses.sort_by_key(|r| r.at);
    let (mut decisions, last_decision) = read_pair_decisions(store, 0).await?;
    decisions.sort_by_key(|d| d.at);
    let casebook =
        vigil_rules::replay_with_decisions(&events, &responses, &decisions, model, config, as_at);
    Ok((
        casebook,
        Taken {
            events: last,
            responses: last_response,
            pair_decisions: last_decision,
        },
    ))
}

impl Casework {
    /// Writes the conclusions the casebook drew since the last call to the store's
    /// derivations log. After a restart the replay reaches most of them again; the
    /// store keeps each once (by key), so the log says what was concluded and when it
    /// was first written down. Returns how many were new to the store.
    pub async fn store_derivations<S: EventStore>(&self, store: &S) -> Result<usize, StoreError> {
        // One writer at a time, so the count stays true.
        let mut stored = self.derivations_stored.lock().await;
        let pending: Vec<Derivation> = {
            let casebook = self.casebook.read().await;
            casebook.derivations()[*stored..].to_vec()
        };
        if pending.is_empty() {
            return Ok(0);
        }
        let entries: Vec<NewDerivation> = pending.iter().map(new_derivation).collect();
        let new = store.record_derivations(&entries, Timestamp::now()).await?;
        *stored += pending.len();
        Ok(new)
    }

    /// Moves the casebook's clock to now, so rules waiting on a deadline fire.
    pub async fn advance(&self) {
        let mut casebook = self.casebook.write().await;
        let now = Timestamp::now().max(casebook.now());
        casebook.advance_to(now);
    }
}

fn new_derivation(derivation: &Derivation) -> NewDerivation {
    NewDerivation {
        key: derivation.key(),
        kind: derivation.kind().to_string(),
        at: derivation.at(),
        body: derivation.to_json(),
    }
}

/// Follows the log until the process ends: on every wake, and at least every `tick`
/// so that deadlines pass on time and other processes' writes arrive.
pub async fn follow<S: EventStore>(casework: Casework, store: S, tick: Duration) {
    loop {
        tokio::select! {
            () = casework.wake.notified() => {}
            () = tokio::time::sleep(tick) => {}
        }
        if let Err(error) = casework.catch_up(&store).await {
            tracing::warn!(%error, "could not read new events for the casebook; will retry");
        }
        casework.advance().await;
        if let Err(error) = casework.store_derivations(&store).await {
            tracing::warn!(%error, "could not write the casebook's conclusions; will retry");
        }
    }
}
