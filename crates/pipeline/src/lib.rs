//! The pipeline from the event log to what it means: at start, every stored event is
//! replayed into a [`Casebook`] (persons, places, households, alerts); then the
//! casebook follows the log, taking each newly stored event and moving its clock so
//! that deadline rules fire on time. The store stays the only source of truth: the
//! casebook is rebuilt from it, never saved on its own.
//!
//! Reading the log (rather than being handed events by the API) means an import, a
//! second Vigil process on the same database, or a restart all reach the casebook the
//! same way; taking it in one order worked out from the log alone (`order`) means they
//! all reach the same casebook.

mod order;
mod past;

pub mod outbox;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Mutex, Notify, RwLock};
use vigil_linkage::LinkageModel;
use vigil_rules::{
    AlertResponse, CaseEvent, Casebook, Derivation, FrontDoorDecision, PairDecision, RulesConfig,
};

pub use order::LATE_RECORD;
use order::{Entry, EventClock, Log, Place, take};
use vigil_store::{
    AlertActionKind, EventStore, LinkageDecisionKind, NewDerivation, Page, StoreError,
    StoredAlertAction, StoredEvent, StoredFrontDoorEntry, StoredLinkageDecision,
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
async fn read_events<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<StoredEvent>, i64), StoreError> {
    read_to_end(
        after,
        |e: &StoredEvent| e.sequence,
        |page| store.events_after(page),
    )
    .await
}

fn response(stored: StoredAlertAction) -> (Place, Entry) {
    let action = stored.action;
    let place = Place {
        at: action.at,
        log: Log::Responses,
        sequence: stored.sequence,
    };
    let response = AlertResponse {
        alert: action.alert,
        close: action.action == AlertActionKind::Close,
        by: action.by,
        reason: action.reason,
        signed_off_by: action.signed_off_by,
        at: action.at,
    };
    (place, Entry::Response(response))
}

/// Every recorded response to an alert after `after`, placed, with the last sequence
/// number read.
async fn read_responses<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<(Place, Entry)>, i64), StoreError> {
    let (actions, last) = read_to_end(
        after,
        |a: &StoredAlertAction| a.sequence,
        |page| store.alert_actions_after(page),
    )
    .await?;
    Ok((actions.into_iter().map(response).collect(), last))
}

fn pair_decision(stored: StoredLinkageDecision) -> (Place, Entry) {
    let decision = stored.decision;
    let place = Place {
        at: decision.at,
        log: Log::PairDecisions,
        sequence: stored.sequence,
    };
    let decision = PairDecision {
        left: decision.left,
        right: decision.right,
        same_person: decision.decision == LinkageDecisionKind::Link,
        by: decision.by_name,
        reason: decision.reason,
        at: decision.at,
    };
    (place, Entry::PairDecision(decision))
}

/// Every recorded decision about a pair of identity records after `after`, placed,
/// with the last sequence number read.
async fn read_pair_decisions<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<(Place, Entry)>, i64), StoreError> {
    let (decisions, last) = read_to_end(
        after,
        |d: &StoredLinkageDecision| d.sequence,
        |page| store.linkage_decisions_after(page),
    )
    .await?;
    Ok((decisions.into_iter().map(pair_decision).collect(), last))
}

/// A stored front-door decision, placed. The store keeps the body as the rules crate
/// wrote it; one that does not read as a decision (written by a later version of
/// Vigil) is passed over, the same way by every process and replay.
fn front_door_decision(stored: StoredFrontDoorEntry) -> Option<(Place, Entry)> {
    let place = Place {
        at: stored.entry.at,
        log: Log::FrontDoor,
        sequence: stored.sequence,
    };
    match serde_json::from_value::<FrontDoorDecision>(stored.entry.body) {
        Ok(decision) => Some((place, Entry::FrontDoor(Box::new(decision)))),
        Err(error) => {
            tracing::warn!(sequence = stored.sequence, %error, "a stored front-door decision could not be read; passed over");
            None
        }
    }
}

/// Every recorded front-door decision after `after`, placed, with the last sequence
/// number read.
async fn read_front_door_decisions<S: EventStore>(
    store: &S,
    after: i64,
) -> Result<(Vec<(Place, Entry)>, i64), StoreError> {
    let (decisions, last) = read_to_end(
        after,
        |d: &StoredFrontDoorEntry| d.sequence,
        |page| store.front_door_decisions_after(page),
    )
    .await?;
    Ok((
        decisions
            .into_iter()
            .filter_map(front_door_decision)
            .collect(),
        last,
    ))
}

/// How far a casebook has read the logs, and where the last entry it took stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Followed {
    events: i64,
    responses: i64,
    pair_decisions: i64,
    front_door: i64,
    /// Places the next events read, continuing from the last one.
    clock: EventClock,
    /// The place of the last entry taken; anything new must come after it.
    last_place: Option<Place>,
}

impl Followed {
    /// Reads what the logs hold beyond `self` and places it, sorted; `self` moves past it.
    ///
    /// People's inputs are read before the events: a response or decision is made on what
    /// its process had taken, so every event it rests on committed before it, and is
    /// seen by the read of the events that follows (the stores make each log visible in
    /// sequence order).
    async fn read_new<S: EventStore>(
        &mut self,
        store: &S,
    ) -> Result<Vec<(Place, Entry)>, StoreError> {
        let (mut entries, responses) = read_responses(store, self.responses).await?;
        let (decisions, pair_decisions) = read_pair_decisions(store, self.pair_decisions).await?;
        let (front_door, front_door_last) =
            read_front_door_decisions(store, self.front_door).await?;
        let (events, last_event) = read_events(store, self.events).await?;
        entries.extend(decisions);
        entries.extend(front_door);
        for stored in events {
            let place = Place {
                at: self.clock.place(stored.recorded_at, stored.ingested_at),
                log: Log::Events,
                sequence: stored.sequence,
            };
            entries.push((place, Entry::Event(Box::new(case_event(stored)))));
        }
        entries.sort_by_key(|(place, _)| *place);
        self.events = last_event;
        self.responses = responses;
        self.pair_decisions = pair_decisions;
        self.front_door = front_door_last;
        Ok(entries)
    }
}

/// The record as known at `as_at` (now when `None`): every entry of the logs placed by
/// then, in the casebook's order (`order`).
pub async fn replay<S: EventStore>(
    store: &S,
    model: LinkageModel,
    config: RulesConfig,
    as_at: Option<Timestamp>,
) -> Result<Casebook, StoreError> {
    Ok(rebuild(store, model, config, as_at).await?.0)
}

/// The live casebook, shared by the API's handlers and kept current by [`follow`].
#[derive(Clone)]
pub struct Casework {
    casebook: Arc<RwLock<Casebook>>,
    /// How far the casebook has read the event, alert-action, linkage decision and
    /// front-door decision logs.
    followed: Arc<RwLock<Followed>>,
    /// How many of the casebook's derivations are written to the store's log.
    derivations_stored: Arc<Mutex<usize>>,
    wake: Arc<Notify>,
    /// Casebooks of past moments, for `as_at` reads (`past`).
    past: past::PastRecords,
}

impl Casework {
    /// Replays the whole log into a new casebook.
    pub async fn load<S: EventStore>(
        store: &S,
        model: LinkageModel,
        config: RulesConfig,
    ) -> Result<Casework, StoreError> {
        let (casebook, followed) = rebuild(store, model, config, None).await?;
        Ok(Casework {
            casebook: Arc::new(RwLock::new(casebook)),
            followed: Arc::new(RwLock::new(followed)),
            derivations_stored: Arc::new(Mutex::new(0)),
            wake: Arc::new(Notify::new()),
            past: past::PastRecords::default(),
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

    /// Reads what the logs hold beyond what the casebook has taken (events, people's
    /// responses to alerts and decisions about pairs of records, by what every other
    /// process wrote as well as this one), and takes it in the casebook's order
    /// (`order`). Returns how many entries were taken.
    ///
    /// What is new is normally placed after everything taken, and is taken as it is.
    /// Anything placed earlier (history imported, a feed catching up, a person's input
    /// made on another process a moment before an event taken here) or before a
    /// deadline that has already passed cannot be slotted in after the fact: the
    /// casebook is rebuilt from the log instead, so the live record is always the replay
    /// of the log, and the same in every process.
    pub async fn catch_up<S: EventStore>(&self, store: &S) -> Result<usize, StoreError> {
        let mut followed = self.followed.write().await;
        let mut next = *followed;
        let entries = next.read_new(store).await?;
        let Some(&(first, _)) = entries.first() else {
            // Nothing new: readers are not held up (the follower's tick moves the clock).
            return Ok(0);
        };
        let count = entries.len();
        let deadline_passed = self.casebook.read().await.last_deadline_passed();
        let in_order = followed.last_place.is_none_or(|last| first > last)
            && deadline_passed.is_none_or(|deadline| first.at >= deadline);
        if !in_order {
            let (model, config) = {
                let casebook = self.casebook.read().await;
                (
                    casebook.linkage().model().clone(),
                    casebook.config().clone(),
                )
            };
            tracing::info!(
                "an entry in the log is placed before what the casebook has taken; rebuilding the casebook from the log"
            );
            let (rebuilt, rebuilt_followed) = rebuild(store, model, config, None).await?;
            let mut stored = self.derivations_stored.lock().await;
            *self.casebook.write().await = rebuilt;
            // The rebuilt casebook concluded everything afresh: the store keeps each
            // conclusion once, so writing them all again adds only what is new.
            *stored = 0;
            *followed = rebuilt_followed;
            return Ok(count);
        }
        let started = std::time::Instant::now();
        let mut casebook = self.casebook.write().await;
        let waited = started.elapsed();
        next.last_place = entries.last().map(|(place, _)| *place);
        take(&mut casebook, entries);
        let now = Timestamp::now().max(casebook.now());
        casebook.pass_time(now);
        *followed = next;
        tracing::debug!(
            entries = count,
            casebook_events = casebook.events().len(),
            waited_for_lock_ms = waited.as_secs_f64() * 1000.0,
            took_ms = (started.elapsed() - waited).as_secs_f64() * 1000.0,
            "the casebook took what was new in the log"
        );
        Ok(count)
    }
}

/// The casebook replayed from the whole log, with how far it read. With `as_at`, only
/// what was placed by then, and the clock moved to it; without, everything in the log
/// (another process's clock may run a little ahead of this one's) and the clock moved to
/// now.
async fn rebuild<S: EventStore>(
    store: &S,
    model: LinkageModel,
    config: RulesConfig,
    as_at: Option<Timestamp>,
) -> Result<(Casebook, Followed), StoreError> {
    let mut followed = Followed::default();
    let mut entries = followed.read_new(store).await?;
    followed.last_place = entries.last().map(|(place, _)| *place);
    if let Some(as_at) = as_at {
        entries.retain(|(place, _)| place.at <= as_at);
    }
    let mut casebook = Casebook::new(model, config);
    take(&mut casebook, entries);
    let now = as_at.unwrap_or_else(|| Timestamp::now().max(casebook.now()));
    casebook.pass_time(now);
    Ok((casebook, followed))
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

    /// The record as known at `as_at`, with the live casebook's model and rules: the
    /// same casebook [`replay`] builds, kept for the next read of the same entries
    /// (`past`).
    pub async fn as_at<S: EventStore>(
        &self,
        store: &S,
        as_at: Timestamp,
    ) -> Result<Casebook, StoreError> {
        let (model, config) = {
            let live = self.casebook.read().await;
            (live.linkage().model().clone(), live.config().clone())
        };
        let mut entries = Followed::default().read_new(store).await?;
        entries.retain(|(place, _)| place.at <= as_at);
        Ok(self.past.at(entries, model, config, as_at).await)
    }

    /// How many past casebooks are kept for `as_at` reads.
    pub fn past_records_kept(&self) -> usize {
        self.past.len()
    }

    /// Lets time pass to now, so rules waiting on a deadline fire.
    pub async fn advance(&self) {
        let mut casebook = self.casebook.write().await;
        let now = Timestamp::now().max(casebook.now());
        casebook.pass_time(now);
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
