//! The casebook: everything Vigil knows, derived from the events in the order it
//! learned them.
//!
//! `record` takes one event: each person in it becomes an identity record and is
//! resolved to a person, each address to a place, and the rules run for every child the
//! event concerns (a child named in it, a child living at an address in it, a child of
//! an adult named in it). `advance_to` moves the clock, so that rules about things that
//! did *not* happen (no legal planning meeting ten working days after advice) fire when
//! their time comes. Both are deterministic: the same events give the same casebook, so
//! replaying the events recorded up to a moment rebuilds what was known then.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vigil_domain::event::details::EventDetails;
use vigil_domain::event::{EventId, NewEvent, PersonInEvent, Role};
use vigil_linkage::index::{Outcome, PersonChange};
use vigil_linkage::{LinkageIndex, LinkageModel};

use crate::alerts::{AlertActionError, AlertChange, AlertId, AlertLedger};
use crate::calendar::uk_date;
use crate::catalogue::{self, Evaluation};
use crate::child::ChildRecord;
use crate::config::RulesConfig;
use crate::derivation::Derivation;
use crate::front_door::{FrontDoorDecision, FrontDoorError, FrontDoorItem, FrontDoorLedger};
use crate::notices::{Notice, notices_for_action};
use crate::places::{PlaceId, PlaceRegister};
use crate::questions::QuestionLedger;
use vigil_linkage::agency_record::identity_record;

/// A person as linkage resolved them: the record id of their earliest record.
pub type PersonId = String;

/// An event as stored, with what the casebook needs of its storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseEvent {
    pub id: EventId,
    /// When the agency recorded it: the moment it became known.
    pub recorded_at: Timestamp,
    pub event: NewEvent,
}

impl CaseEvent {
    /// The identity record id of the `person_index`th person: `{event id}.{index}`, so a
    /// person id (the id of their first record) is safe in a URL path.
    pub fn record_id(&self, person_index: usize) -> String {
        format!("{}.{}", self.id, person_index)
    }
}

/// A person's response to an alert: an acknowledgement, or a closure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertResponse {
    pub alert: String,
    pub close: bool,
    pub by: String,
    pub reason: String,
    pub signed_off_by: Option<String>,
    pub at: Timestamp,
}

/// A person's decision about two identity records: the same person (`same_person`),
/// or two people. Taken from the stored linkage decisions in time order, like responses
/// to alerts, so a replay reproduces every merge and split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairDecision {
    /// Identity records as the casebook names them (`{event id}.{position}`).
    pub left: String,
    pub right: String,
    pub same_person: bool,
    /// Who decided, as shown to people.
    pub by: String,
    pub reason: String,
    pub at: Timestamp,
}

/// Why a decision about a pair of records was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairDecisionError {
    #[error("there is no identity record {0:?}; the review queue lists the pairs to decide")]
    UnknownRecord(String),
    #[error(
        "{0:?} and {1:?} are copies of one record (the same agency recorded the person the same way): they cannot be kept apart"
    )]
    SameRecord(String, String),
    #[error(
        "deciding that {0:?} and {1:?} {2} contradicts earlier decisions (through the records linked by people): decide the earlier pairs again instead"
    )]
    Contradicts(String, String, &'static str),
    #[error("a reason is required: a linkage decision is never recorded without one")]
    ReasonRequired,
}

/// Where an address appears in an event.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceInEvent {
    pub place: PlaceId,
    pub confidence: f64,
    /// The person whose address it is, or `None` for the event's own location (an
    /// incident, a visit, a placement, a tenancy).
    pub person: Option<usize>,
}

/// A possible identity that linkage could not confirm: sent to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PossibleMatch {
    pub record: String,
    pub probability: f64,
}

#[derive(Clone)]
pub struct Casebook {
    pub(crate) config: RulesConfig,
    linkage: LinkageIndex,
    pub(crate) events: Vec<CaseEvent>,
    event_index: HashMap<EventId, usize>,
    pub(crate) superseded: HashSet<EventId>,
    /// Person id → the linkage records it holds.
    members: BTreeMap<PersonId, BTreeSet<String>>,
    /// Record id → (event index, person index).
    record_location: HashMap<String, (usize, usize)>,
    /// (event index, person index) of every record that carries a warning marker, so
    /// that finding the marked persons does not read every record.
    marked_records: Vec<(usize, usize)>,
    /// The indexes of the missing-person reports among the events, in order, so that a
    /// rule looking for them does not read every event.
    missing_person_reports: Vec<usize>,
    /// An agency sends the same person, recorded the same way, in event after event
    /// (the child and mother in every GP consultation). Those copies are one identity
    /// record for linkage: each event's record id maps to the first copy's id.
    canonical: HashMap<String, String>,
    copies: HashMap<String, Vec<String>>,
    by_content: HashMap<String, String>,
    pub(crate) possible: HashMap<String, Vec<PossibleMatch>>,
    places: PlaceRegister,
    pub(crate) event_places: Vec<Vec<PlaceInEvent>>,
    pub(crate) place_events: HashMap<PlaceId, Vec<usize>>,
    alerts: AlertLedger,
    questions: QuestionLedger,
    log: Vec<Derivation>,
    notices: Vec<Notice>,
    timers: BTreeMap<Timestamp, BTreeSet<PersonId>>,
    /// The latest deadline that has passed (a timer that fired). A follower that takes
    /// entries as they arrive needs it: an entry dated before it would have been taken
    /// before that deadline in a replay, so the follower must rebuild instead.
    last_deadline_passed: Option<Timestamp>,
    /// The clock the rules see: the latest moment of what was taken (events, people's
    /// inputs, deadlines) or of an explicit `advance_to`. `now` also moves with
    /// `pass_time`, for readers; this does not, so conclusions follow from the record
    /// alone and not from when a follower happened to look.
    record_clock: Timestamp,
    /// People's decisions about pairs of records, in the order taken.
    pair_decisions: Vec<PairDecision>,
    /// The MASH's decisions about referrals and alerts, in the order taken.
    front_door: FrontDoorLedger,
    now: Timestamp,
}

impl Casebook {
    pub fn new(model: LinkageModel, config: RulesConfig) -> Self {
        Casebook {
            config,
            linkage: LinkageIndex::new(model),
            events: Vec::new(),
            event_index: HashMap::new(),
            superseded: HashSet::new(),
            members: BTreeMap::new(),
            record_location: HashMap::new(),
            marked_records: Vec::new(),
            missing_person_reports: Vec::new(),
            canonical: HashMap::new(),
            copies: HashMap::new(),
            by_content: HashMap::new(),
            possible: HashMap::new(),
            places: PlaceRegister::default(),
            event_places: Vec::new(),
            place_events: HashMap::new(),
            alerts: AlertLedger::default(),
            questions: QuestionLedger::default(),
            log: Vec::new(),
            notices: Vec::new(),
            timers: BTreeMap::new(),
            last_deadline_passed: None,
            record_clock: Timestamp::UNIX_EPOCH,
            pair_decisions: Vec::new(),
            front_door: FrontDoorLedger::default(),
            now: Timestamp::UNIX_EPOCH,
        }
    }

    pub fn config(&self) -> &RulesConfig {
        &self.config
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The latest deadline that has passed so far, if any.
    pub fn last_deadline_passed(&self) -> Option<Timestamp> {
        self.last_deadline_passed
    }

    pub fn events(&self) -> &[CaseEvent] {
        &self.events
    }

    pub fn event(&self, id: &EventId) -> Option<&CaseEvent> {
        self.event_index.get(id).map(|&i| &self.events[i])
    }

    /// The position of an event in the casebook.
    pub fn index_of(&self, id: &EventId) -> Option<usize> {
        self.event_index.get(id).copied()
    }

    pub fn alerts(&self) -> &AlertLedger {
        &self.alerts
    }

    pub fn alerts_mut(&mut self) -> &mut AlertLedger {
        &mut self.alerts
    }

    pub fn front_door(&self) -> &FrontDoorLedger {
        &self.front_door
    }

    pub fn questions(&self) -> &QuestionLedger {
        &self.questions
    }

    pub fn questions_mut(&mut self) -> &mut QuestionLedger {
        &mut self.questions
    }

    pub fn derivations(&self) -> &[Derivation] {
        &self.log
    }

    /// What agencies were told about alerts their records contributed to, in order.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    pub fn places(&self) -> &PlaceRegister {
        &self.places
    }

    pub fn linkage(&self) -> &LinkageIndex {
        &self.linkage
    }

    /// Persons on whom any agency holds a warning marker.
    pub fn marked_persons(&self) -> Vec<PersonId> {
        let mut persons = BTreeSet::new();
        for &(event, index) in &self.marked_records {
            if let Some(person) = self.person_in(&self.events[event], index) {
                persons.insert(person);
            }
        }
        persons.into_iter().collect()
    }

    /// Every person id, in order.
    pub fn persons(&self) -> impl Iterator<Item = &PersonId> {
        self.members.keys()
    }

    pub fn person_of_record(&self, record: &str) -> Option<&str> {
        self.linkage.person_of(self.linkage_id(record))
    }

    /// The linkage record an event's record is a copy of (itself if the first).
    pub fn linkage_id<'a>(&'a self, record: &'a str) -> &'a str {
        self.canonical.get(record).map_or(record, String::as_str)
    }

    /// One identity record: the event it is in and the person as the agency recorded
    /// them.
    pub fn record_as_held(&self, record: &str) -> Option<(&CaseEvent, &PersonInEvent)> {
        let &(event, index) = self.record_location.get(record)?;
        let event = &self.events[event];
        Some((event, &event.event.people[index]))
    }

    /// People's decisions about pairs of records, in the order taken.
    pub fn pair_decisions(&self) -> &[PairDecision] {
        &self.pair_decisions
    }

    /// The person of the `index`th person in an event.
    pub fn person_in(&self, event: &CaseEvent, index: usize) -> Option<PersonId> {
        self.person_of_record(&event.record_id(index))
            .map(str::to_string)
    }

    /// The records of a person, each with the event and the person as recorded.
    pub fn records_of<'a>(
        &'a self,
        person: &str,
    ) -> impl Iterator<Item = (&'a str, &'a CaseEvent, &'a PersonInEvent)> + 'a {
        self.members
            .get(person)
            .into_iter()
            .flatten()
            .flat_map(move |linkage_id| self.copies.get(linkage_id).into_iter().flatten())
            .filter_map(move |record| {
                let &(event, index) = self.record_location.get(record)?;
                let event = &self.events[event];
                Some((record.as_str(), event, &event.event.people[index]))
            })
    }

    /// Every missing-person report, in the order Vigil learned them.
    pub fn missing_person_reports(&self) -> impl Iterator<Item = &CaseEvent> {
        self.missing_person_reports.iter().map(|&i| &self.events[i])
    }

    pub fn is_current(&self, event: &CaseEvent) -> bool {
        !self.superseded.contains(&event.id)
    }

    /// The name to show for a person: the fullest name among their records.
    pub fn display_name(&self, person: &str) -> String {
        self.records_of(person)
            .map(|(_, _, p)| &p.name)
            .max_by_key(|name| {
                (
                    name.family.is_some() as u8,
                    name.given.is_some() as u8,
                    name.middle.len(),
                )
            })
            .map(|name| match (&name.given, &name.family) {
                (Some(given), Some(family)) => format!("{given} {family}"),
                _ => name.as_recorded.clone(),
            })
            .unwrap_or_else(|| person.to_string())
    }

    /// The date of birth most of a person's records agree on, at day precision.
    pub fn date_of_birth(&self, person: &str) -> Option<Date> {
        let mut counts: BTreeMap<Date, usize> = BTreeMap::new();
        for (_, _, record) in self.records_of(person) {
            if let Some(born) = &record.date_of_birth
                && born.day().is_some()
            {
                *counts.entry(born.earliest()).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by_key(|&(date, count)| (count, std::cmp::Reverse(date)))
            .map(|(date, _)| date)
    }

    /// The earliest year a person can have been born, from any partial date.
    fn birth_year(&self, person: &str) -> Option<i16> {
        self.records_of(person)
            .filter_map(|(_, _, p)| p.date_of_birth.as_ref().map(|d| d.year()))
            .max()
    }

    /// Whether a person is a child on a date: by date of birth, or, when no record
    /// gives one, because an agency recorded them as the child of a record.
    pub fn is_child(&self, person: &str, on: Date) -> bool {
        self.childhood(person).is_child_on(on)
    }

    /// What decides whether a person is a child on any date, read from their records
    /// once: a caller asking about many dates (or many events of one person) asks this
    /// and not `is_child`, which reads every record of the person each time.
    pub fn childhood(&self, person: &str) -> Childhood {
        let adult_from_years = self.config.household.adult_from_years;
        let basis = if let Some(born) = self.date_of_birth(person) {
            ChildhoodBasis::Born(born)
        } else if let Some(year) = self.birth_year(person) {
            ChildhoodBasis::BornInYear(year)
        } else {
            ChildhoodBasis::RecordedAsChild(
                self.records_of(person)
                    .any(|(_, _, p)| matches!(p.role, Role::SubjectChild | Role::Sibling)),
            )
        };
        Childhood {
            adult_from_years,
            basis,
        }
    }

    /// Takes one event, in the order Vigil learned them.
    pub fn record(&mut self, event: CaseEvent) -> Vec<AlertChange> {
        let mut changes = self.advance_to(event.recorded_at);
        self.now = self.now.max(event.recorded_at);
        self.record_clock = self.record_clock.max(event.recorded_at);
        // Conclusions are dated on the record's clock: the moment the agency recorded
        // this, so a replay dates them as the live casebook did, however late the
        // record reached Vigil.
        let at = event.recorded_at;
        let index = self.events.len();
        if let Some(target) = event.event.supersedes {
            self.superseded.insert(target);
        }
        self.event_index.insert(event.id, index);
        if matches!(event.event.details, EventDetails::MissingPersonReport(_)) {
            self.missing_person_reports.push(index);
        }
        self.events.push(event);
        let event = &self.events[index];

        for (person_index, person) in event.event.people.iter().enumerate() {
            let record_id = event.record_id(person_index);
            let record = identity_record(person, &event.event.agency, &record_id);
            self.record_location
                .insert(record_id.clone(), (index, person_index));
            if !person.markers.is_empty() {
                self.marked_records.push((index, person_index));
            }
            let content = content_key(&record);
            if let Some(first) = self.by_content.get(&content) {
                self.canonical.insert(record_id.clone(), first.clone());
                self.copies
                    .entry(first.clone())
                    .or_default()
                    .push(record_id);
                continue;
            }
            self.by_content.insert(content, record_id.clone());
            self.copies
                .entry(record_id.clone())
                .or_default()
                .push(record_id.clone());
            let decision = match self.linkage.add(&record) {
                Ok(decision) => decision,
                // A record id is unique by construction (event id and position).
                Err(error) => unreachable!("linkage refused {record_id}: {error}"),
            };
            self.members
                .entry(decision.person_id.clone())
                .or_default()
                .insert(record_id.clone());
            // Field by field rather than `apply_person_changes`: `event` borrows the
            // events while the members change.
            for change in &decision.changes {
                for before in &change.before {
                    self.members.remove(&before.person_id);
                }
                for after in &change.after {
                    self.members.insert(
                        after.person_id.clone(),
                        after.record_ids.iter().cloned().collect(),
                    );
                }
            }
            let outcome = match &decision.outcome {
                Outcome::Linked(_) => "linked",
                Outcome::Review(pairs) => {
                    for pair in pairs {
                        for (a, b) in [
                            (&pair.left_record_id, &pair.right_record_id),
                            (&pair.right_record_id, &pair.left_record_id),
                        ] {
                            let list = self.possible.entry(a.clone()).or_default();
                            if !list.iter().any(|m| &m.record == b) {
                                list.push(PossibleMatch {
                                    record: b.clone(),
                                    probability: pair.probability,
                                });
                            }
                        }
                    }
                    "review"
                }
                Outcome::NewPerson(_) => "new_person",
            };
            self.log.push(Derivation::Linkage {
                at,
                event: event.id,
                record: record_id,
                person: decision.person_id.clone(),
                outcome: outcome.to_string(),
                candidates: decision.candidates.iter().take(50).cloned().collect(),
                changes: decision.changes.clone(),
            });
        }

        let mut found = Vec::new();
        for (person_index, person) in event.event.people.iter().enumerate() {
            for address in &person.addresses {
                found.push((Some(person_index), address));
            }
        }
        for address in event_locations(&event.event.details) {
            found.push((None, address));
        }
        let mut in_event = Vec::new();
        // An address written the same way for several people in one event is one
        // conclusion about it.
        let mut concluded = HashSet::new();
        for (person, address) in found {
            if let Some(matched) = self.places.resolve(address) {
                if (matched.new_place || matched.confidence < 1.0)
                    && concluded.insert(address.as_recorded.clone())
                {
                    self.log.push(Derivation::Place {
                        at,
                        event: event.id,
                        address: address.as_recorded.clone(),
                        place: matched.place.clone(),
                        confidence: matched.confidence,
                        reason: matched.reason.clone(),
                    });
                }
                let list = self.place_events.entry(matched.place.clone()).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
                in_event.push(PlaceInEvent {
                    place: matched.place,
                    confidence: matched.confidence,
                    person,
                });
            }
        }
        self.event_places.push(in_event);

        let cause = self.events[index].id;
        for child in self.children_concerned(index) {
            changes.extend(self.evaluate(&child, Some(cause), at));
        }
        changes
    }

    fn apply_person_changes(&mut self, changes: &[PersonChange]) {
        for change in changes {
            for before in &change.before {
                self.members.remove(&before.person_id);
            }
            for after in &change.after {
                self.members.insert(
                    after.person_id.clone(),
                    after.record_ids.iter().cloned().collect(),
                );
            }
        }
    }

    /// Whether [`Casebook::decide_pair`] would accept this decision now, without taking
    /// it: both records are known, a reason is given, and it does not contradict the
    /// decisions taken before (records linked by people, directly or through others,
    /// cannot also be kept apart).
    pub fn check_pair(&self, decision: &PairDecision) -> Result<(), PairDecisionError> {
        if decision.reason.trim().is_empty() {
            return Err(PairDecisionError::ReasonRequired);
        }
        for record in [&decision.left, &decision.right] {
            if !self.record_location.contains_key(record.as_str()) {
                return Err(PairDecisionError::UnknownRecord(record.clone()));
            }
        }
        let (a, b) = (
            self.linkage_id(&decision.left),
            self.linkage_id(&decision.right),
        );
        if a == b {
            return if decision.same_person {
                Ok(())
            } else {
                Err(PairDecisionError::SameRecord(
                    decision.left.clone(),
                    decision.right.clone(),
                ))
            };
        }
        // The records linked by people, as sets; a keep-apart inside one contradicts.
        let mut parent: HashMap<&str, &str> = HashMap::new();
        fn root<'a>(parent: &HashMap<&'a str, &'a str>, mut x: &'a str) -> &'a str {
            while let Some(&up) = parent.get(x) {
                x = up;
            }
            x
        }
        let taken = self
            .pair_decisions
            .iter()
            .map(|d| {
                (
                    self.linkage_id(&d.left),
                    self.linkage_id(&d.right),
                    d.same_person,
                )
            })
            .chain(std::iter::once((a, b, decision.same_person)));
        let mut apart = Vec::new();
        for (x, y, same) in taken {
            if same {
                let (rx, ry) = (root(&parent, x), root(&parent, y));
                if rx != ry {
                    parent.insert(rx, ry);
                }
            } else {
                apart.push((x, y));
            }
        }
        if apart
            .iter()
            .any(|&(x, y)| root(&parent, x) == root(&parent, y))
        {
            return Err(PairDecisionError::Contradicts(
                decision.left.clone(),
                decision.right.clone(),
                if decision.same_person {
                    "are the same person"
                } else {
                    "are different people"
                },
            ));
        }
        Ok(())
    }

    /// Takes a person's decision about two identity records, at its time: linkage
    /// re-clusters what it affects (a merge, a split), the derivation log records it,
    /// and the rules run again for the children concerned. A refused decision changes
    /// nothing, so a replay gives the same answer.
    pub fn decide_pair(
        &mut self,
        decision: &PairDecision,
    ) -> Result<Vec<PersonChange>, PairDecisionError> {
        self.check_pair(decision)?;
        let mut alert_changes = self.advance_to(decision.at);
        let (a, b) = (
            self.linkage_id(&decision.left).to_string(),
            self.linkage_id(&decision.right).to_string(),
        );
        let changes = if a == b {
            Vec::new()
        } else {
            self.linkage
                .decide(&a, &b, decision.same_person)
                .map_err(|_| {
                    PairDecisionError::Contradicts(
                        decision.left.clone(),
                        decision.right.clone(),
                        if decision.same_person {
                            "are the same person"
                        } else {
                            "are different people"
                        },
                    )
                })?
        };
        self.apply_person_changes(&changes);
        for (x, y) in [(&a, &b), (&b, &a)] {
            if let Some(list) = self.possible.get_mut(x) {
                list.retain(|m| &m.record != y);
            }
        }
        self.pair_decisions.push(decision.clone());
        self.log.push(Derivation::LinkageReviewed {
            at: decision.at,
            left: decision.left.clone(),
            right: decision.right.clone(),
            decision: if decision.same_person {
                "link"
            } else {
                "keep_apart"
            }
            .to_string(),
            by: decision.by.clone(),
            reason: decision.reason.clone(),
            changes: changes.clone(),
        });
        // The children whose record the decision touches: those in any event of the
        // persons now holding either record.
        let mut persons = BTreeSet::new();
        for record in [&a, &b] {
            if let Some(person) = self.linkage.person_of(record) {
                persons.insert(person.to_string());
            }
        }
        for change in &changes {
            persons.extend(change.after.iter().map(|p| p.person_id.clone()));
        }
        let mut events = BTreeSet::new();
        for person in &persons {
            for (_, event, _) in self.records_of(person) {
                if let Some(index) = self.index_of(&event.id) {
                    events.insert(index);
                }
            }
        }
        let mut children = BTreeSet::new();
        for index in events {
            children.extend(self.children_concerned(index));
        }
        for child in children {
            alert_changes.extend(self.evaluate(&child, None, decision.at));
        }
        Ok(changes)
    }

    /// Records what a person did about an alert, at its time. A stored action that the
    /// ledger refuses (the alert was already closed by someone else a moment before) is
    /// reported and changes nothing, so replay gives the same answer.
    pub fn act(&mut self, response: &AlertResponse) -> Result<(), AlertActionError> {
        self.advance_to(response.at);
        let id = AlertId(response.alert.clone());
        let signed_off_by = response.signed_off_by.as_deref();
        let action = if response.close {
            self.alerts.close(
                &id,
                &response.by,
                &response.reason,
                signed_off_by,
                response.at,
            )?;
            "closed"
        } else {
            self.alerts
                .acknowledge(&id, &response.by, &response.reason, response.at)?;
            "acknowledged"
        };
        let alert = self.alerts.get(&id).expect("the alert was just acted on");
        for notice in notices_for_action(
            alert,
            action,
            &response.by,
            &response.reason,
            signed_off_by,
            response.at,
        ) {
            self.log.push(Derivation::AgencyNotified {
                at: notice.at,
                alert: notice.alert.clone(),
                agency: notice.agency.clone(),
                action: action.to_string(),
                by: notice.by.clone(),
            });
            self.notices.push(notice);
        }
        Ok(())
    }

    /// Whether `act` would accept this response now, without recording it.
    pub fn check(&self, response: &AlertResponse) -> Result<(), AlertActionError> {
        let mut ledger = self.alerts.clone();
        let id = AlertId(response.alert.clone());
        if response.close {
            ledger.close(
                &id,
                &response.by,
                &response.reason,
                response.signed_off_by.as_deref(),
                response.at,
            )
        } else {
            ledger.acknowledge(&id, &response.by, &response.reason, response.at)
        }
    }

    /// Records a front-door decision at its time (`front_door`). Deciding about an alert
    /// not yet acknowledged acknowledges it with the decision as the reason, so its
    /// escalation stops and the agencies whose records were evidence hear what was
    /// decided; otherwise the decision is added to the alert's history. A stored
    /// decision the casebook refuses (the alert was closed a moment before) changes
    /// nothing, so replay gives the same answer.
    pub fn decide_front_door(
        &mut self,
        decision: &FrontDoorDecision,
    ) -> Result<(), FrontDoorError> {
        self.advance_to(decision.at);
        crate::front_door::validate(self, decision)?;
        if let FrontDoorItem::Alert(id) = &decision.item {
            let what = crate::front_door::describe(decision);
            let unacknowledged = self
                .alerts
                .get(id)
                .is_some_and(|a| matches!(a.status, crate::alerts::AlertStatus::Open));
            let acted = if unacknowledged {
                self.act(&AlertResponse {
                    alert: id.0.clone(),
                    close: false,
                    by: decision.by.clone(),
                    reason: what,
                    signed_off_by: None,
                    at: decision.at,
                })
            } else {
                self.alerts.note(id, &decision.by, what, decision.at)
            };
            acted.map_err(|_| FrontDoorError::AlertClosed(id.0.clone()))?;
        }
        self.front_door.push(decision.clone());
        Ok(())
    }

    /// Whether `decide_front_door` would accept this decision now, without recording it.
    pub fn check_front_door(&self, decision: &FrontDoorDecision) -> Result<(), FrontDoorError> {
        crate::front_door::validate(self, decision).map(|_| ())
    }

    /// Moves the clock to `now`, running the rules whose time has come.
    pub fn advance_to(&mut self, now: Timestamp) -> Vec<AlertChange> {
        let changes = self.pass_time(now);
        self.record_clock = self.record_clock.max(now);
        changes
    }

    /// Lets time pass to `now` for whoever reads the casebook, running the rules whose
    /// deadline has come, each at its deadline; the rules themselves go on seeing the
    /// record's own clock (the last event, input or deadline taken). A follower calls
    /// this as the wall clock moves, so that what the rules conclude does not depend on
    /// when it happened to look, and a replay of the log concludes the same.
    pub fn pass_time(&mut self, now: Timestamp) -> Vec<AlertChange> {
        let mut changes = Vec::new();
        while let Some((&at, _)) = self.timers.first_key_value() {
            if at > now {
                break;
            }
            let children = self.timers.remove(&at).unwrap_or_default();
            self.now = self.now.max(at);
            self.record_clock = self.record_clock.max(at);
            self.last_deadline_passed =
                Some(self.last_deadline_passed.map_or(at, |last| last.max(at)));
            for child in children {
                changes.extend(self.evaluate(&child, None, at));
            }
        }
        self.now = self.now.max(now);
        changes
    }

    /// The children an event concerns: those named in it, those living at an address
    /// in it, and the children of any adult named in it.
    fn children_concerned(&self, index: usize) -> BTreeSet<PersonId> {
        let event = &self.events[index];
        let on = event.event.occurred_at.date();
        // Each person is asked about once: the same person turns up in every event at
        // the address and every record shared with them, and each `is_child` reads all
        // of that person's records (cubic over a long record without this).
        let mut asked: HashMap<PersonId, bool> = HashMap::new();
        let mut is_child = |person: &str| -> bool {
            if let Some(&answer) = asked.get(person) {
                return answer;
            }
            let answer = self.is_child(person, on);
            asked.insert(person.to_string(), answer);
            answer
        };
        let mut people = BTreeSet::new();
        for person_index in 0..event.event.people.len() {
            if let Some(person) = self.person_in(event, person_index) {
                people.insert(person);
            }
        }
        let mut children = BTreeSet::new();
        for person in &people {
            if is_child(person) {
                children.insert(person.clone());
            }
            // Children who share a record with this person.
            for (_, other_event, _) in self.records_of(person) {
                for i in 0..other_event.event.people.len() {
                    if let Some(other) = self.person_in(other_event, i)
                        && other != *person
                        && is_child(&other)
                    {
                        children.insert(other);
                    }
                }
            }
        }
        for place in &self.event_places[index] {
            for &other in self.place_events.get(&place.place).into_iter().flatten() {
                let other_event = &self.events[other];
                for found in &self.event_places[other] {
                    if found.place != place.place {
                        continue;
                    }
                    if let Some(i) = found.person
                        && let Some(person) = self.person_in(other_event, i)
                        && is_child(&person)
                    {
                        children.insert(person);
                    }
                }
            }
        }
        children
    }

    /// Runs the catalogue for one child and applies what it finds. `cause` is the event
    /// being recorded, or `None` when a deadline passed; `at` is that event's recorded
    /// time or the deadline, the date the derivation log gives what follows.
    fn evaluate(&mut self, child: &str, cause: Option<EventId>, at: Timestamp) -> Vec<AlertChange> {
        let now = self.record_clock;
        let evaluations: Vec<(usize, Evaluation)> = {
            let record = ChildRecord::build(self, child, now);
            catalogue::RULES
                .iter()
                .enumerate()
                .map(|(i, rule)| (i, (rule.evaluate)(&record, &self.config)))
                .collect()
        };
        let mut changes = Vec::new();
        for (i, evaluation) in evaluations {
            let rule = &catalogue::RULES[i];
            if let Some(recheck) = evaluation.recheck_at
                && recheck > now
            {
                self.timers
                    .entry(recheck)
                    .or_default()
                    .insert(child.to_string());
            }
            for finding in evaluation.findings {
                if let Some(change) =
                    self.alerts
                        .apply(rule.header(), finding, now, &self.config.deadlines)
                {
                    self.log.push(match &change {
                        AlertChange::Raised { alert } => Derivation::AlertRaised {
                            at,
                            event: cause,
                            alert: alert.clone(),
                            rule: rule.id.to_string(),
                            rule_version: rule.version,
                            child: child.to_string(),
                        },
                        AlertChange::Updated {
                            alert,
                            new_evidence,
                        } => Derivation::AlertUpdated {
                            at,
                            event: cause,
                            alert: alert.clone(),
                            new_evidence: *new_evidence,
                        },
                    });
                    changes.push(change);
                }
            }
            for question in evaluation.questions {
                if let Some(id) = self.questions.ask(question) {
                    self.log.push(Derivation::QuestionAsked {
                        at,
                        event: cause,
                        question: id,
                        child: child.to_string(),
                    });
                }
            }
        }
        changes
    }

    /// Every person who was a child when any of their records was made.
    pub fn children_ever(&self) -> Vec<PersonId> {
        self.members
            .keys()
            .filter(|p| self.was_ever_child(p))
            .cloned()
            .collect()
    }

    /// Whether `person` is known and was a child when any of their records was made:
    /// whether `children_ever` holds them, without looking at every other person.
    pub fn was_ever_child(&self, person: &str) -> bool {
        if !self.members.contains_key(person) {
            return false;
        }
        let childhood = self.childhood(person);
        self.records_of(person)
            .any(|(_, e, _)| childhood.is_child_on(e.event.occurred_at.date()))
    }

    /// The children Vigil knows of: persons who are children today by their records.
    pub fn children(&self) -> Vec<PersonId> {
        let today = uk_date(self.now);
        self.members
            .keys()
            .filter(|p| self.is_child(p, today))
            .cloned()
            .collect()
    }
}

/// Whether a person is a child on a date, decided once from their records
/// ([`Casebook::childhood`]) and then asked for any number of dates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Childhood {
    adult_from_years: i32,
    basis: ChildhoodBasis,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ChildhoodBasis {
    /// The date of birth most records agree on.
    Born(Date),
    /// No whole date of birth: the latest year of birth any record gives.
    BornInYear(i16),
    /// No date of birth at all: whether an agency recorded them as the child of a record.
    RecordedAsChild(bool),
}

impl Childhood {
    pub fn is_child_on(&self, on: Date) -> bool {
        let adult = self.adult_from_years;
        match self.basis {
            ChildhoodBasis::Born(born) => crate::calendar::age_in_months(born, on) < adult * 12,
            ChildhoodBasis::BornInYear(year) => (on.year() as i32) - (year as i32) < adult,
            ChildhoodBasis::RecordedAsChild(recorded) => recorded,
        }
    }
}

/// What makes two identity records copies of one: every field but the record id.
fn content_key(record: &vigil_linkage::IdentityRecord) -> String {
    let mut copy = record.clone();
    copy.record_id = String::new();
    format!("{copy:?}")
}

/// Addresses an event's details name as where something happened.
pub(crate) fn event_locations(details: &EventDetails) -> Vec<&vigil_domain::address::Address> {
    match details {
        EventDetails::HomeVisit(visit) => visit.location.iter().collect(),
        EventDetails::HospitalDischarge(discharge) => discharge.discharge_address.iter().collect(),
        EventDetails::PoliceIncident(incident) => incident.location.iter().collect(),
        EventDetails::Arrest(arrest) => arrest.location.iter().collect(),
        EventDetails::MissingPersonReport(report) => report
            .missing_from
            .iter()
            .chain(report.found_at.iter())
            .collect(),
        EventDetails::PlacementStart(placement) => placement.address.iter().collect(),
        EventDetails::HouseholdChange(change) => vec![&change.address],
        EventDetails::Tenancy(tenancy) => vec![&tenancy.address],
        _ => Vec::new(),
    }
}
