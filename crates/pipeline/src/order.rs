//! The one order in which a casebook takes the four logs (events, responses to alerts,
//! decisions about pairs of identity records, front-door decisions): the same for the replay at start, for the
//! follower taking what is new, and for every Vigil process on one database.
//!
//! Why an order of its own. Identity is derived incrementally: a person is named after
//! the first of its records taken, and copies of a record count from the first copy. Two
//! processes therefore name people alike only if they take events in the same order,
//! and a live casebook equals a replay of the log only if it took events in the replay's
//! order. Ordering by the time each event was recorded cannot be followed live: Vigil
//! stamps that time when a request arrives, before the append waits its turn, so an
//! event can commit after one stamped later, and an agency may state a time of its own.
//! Sequence numbers can be followed (the store makes them visible in commit order) but
//! say nothing of time, which deadlines and imports of history need.
//!
//! So each event gets a *place* in time, worked out from the log alone, in sequence
//! order, the same way in every process:
//! - an event recorded more than [`LATE_RECORD`] before it was stored is history (an
//!   import, a feed catching up): its place is when it was recorded;
//! - any other event's place is the later of when it was recorded and the latest place
//!   of an event before it in the log. Such places never go back, so a follower takes
//!   these events as they arrive, in sequence order, and stays the replay of the log.
//!
//! People's responses and pair decisions are placed at the moment they were made. A
//! follower that finds anything placed before what it has already taken (history, or an
//! input made on another process a moment before an event it already took) or before a
//! deadline that has already passed rebuilds the casebook from the log instead.

use jiff::{SignedDuration, Timestamp};
use vigil_rules::{
    AlertResponse, CaseEvent, Casebook, FrontDoorDecision, HumanInput, PairDecision,
};

/// How long before it was stored an event may have been recorded and still be taken in
/// the order it arrived. Agencies' feeds send within minutes; a record older than this
/// came from a history import or a feed catching up, and is placed in its time.
pub const LATE_RECORD: SignedDuration = SignedDuration::from_hours(1);

/// Which log an entry comes from. At the same moment an event is taken before people's
/// inputs, responses to alerts before pair decisions, and pair decisions before
/// front-door decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Log {
    Events,
    Responses,
    PairDecisions,
    FrontDoor,
}

/// Where an entry stands in the casebook's order: by moment, then log, then the entry's
/// sequence number in its log. Unique, so the order is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub at: Timestamp,
    pub log: Log,
    pub sequence: i64,
}

/// One entry of the merged logs. (An event is far larger than a person's input.)
#[derive(Debug, Clone)]
pub enum Entry {
    Event(Box<CaseEvent>),
    Response(AlertResponse),
    PairDecision(PairDecision),
    FrontDoor(Box<FrontDoorDecision>),
}

/// Gives events their places, fed in sequence order. Carried by a follower between
/// reads, so that what it places later continues what it placed before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventClock {
    latest: Option<Timestamp>,
}

impl EventClock {
    /// The place of the next event in the log.
    pub fn place(&mut self, recorded_at: Timestamp, ingested_at: Timestamp) -> Timestamp {
        let history = recorded_at < ingested_at - LATE_RECORD;
        let at = match self.latest {
            Some(latest) if !history => latest.max(recorded_at),
            _ => recorded_at,
        };
        self.latest = Some(self.latest.map_or(at, |latest| latest.max(at)));
        at
    }
}

/// Takes entries, sorted by place, into the casebook: the clock first moves to each
/// entry's place, so deadlines fall between entries exactly as they did live.
pub fn take(casebook: &mut Casebook, entries: Vec<(Place, Entry)>) {
    for (place, entry) in entries {
        casebook.advance_to(place.at);
        let refused = match entry {
            Entry::Event(event) => {
                casebook.record(*event);
                continue;
            }
            Entry::Response(response) => HumanInput::Response(&response).apply(casebook),
            Entry::PairDecision(decision) => HumanInput::Pair(&decision).apply(casebook),
            Entry::FrontDoor(decision) => HumanInput::FrontDoor(&decision).apply(casebook),
        };
        if let Err(error) = refused {
            // Refused when it was made too: it changed nothing then either.
            tracing::debug!(%error, "a person's recorded response, linkage or front-door decision was refused");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_750_000_000 + seconds).unwrap()
    }

    #[test]
    fn an_event_stamped_before_one_already_placed_takes_the_later_place() {
        let mut clock = EventClock::default();
        assert_eq!(clock.place(at(10), at(10)), at(10));
        // Stamped at 9 by another process, stored after the one stamped at 10.
        assert_eq!(clock.place(at(9), at(9)), at(10));
        assert_eq!(clock.place(at(12), at(12)), at(12));
    }

    #[test]
    fn history_is_placed_when_it_was_recorded_and_does_not_hold_back_what_follows() {
        let mut clock = EventClock::default();
        assert_eq!(clock.place(at(7200), at(7200)), at(7200));
        // Recorded two hours before it was stored: an import of history.
        assert_eq!(clock.place(at(0), at(7300)), at(0));
        assert_eq!(clock.place(at(7250), at(7300)), at(7250));
        // Within the hour but behind the latest place: moved up to it.
        assert_eq!(clock.place(at(7000), at(7300)), at(7250));
    }

    #[test]
    fn at_one_moment_events_come_before_inputs_and_responses_before_decisions() {
        let place = |log, sequence| Place {
            at: at(0),
            log,
            sequence,
        };
        let mut places = [
            place(Log::PairDecisions, 1),
            place(Log::Responses, 9),
            place(Log::Events, 20),
            place(Log::Events, 3),
        ];
        places.sort();
        assert_eq!(
            places.map(|p| (p.log, p.sequence)),
            [
                (Log::Events, 3),
                (Log::Events, 20),
                (Log::Responses, 9),
                (Log::PairDecisions, 1)
            ]
        );
    }
}
