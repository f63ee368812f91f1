//! A child's record as the rules see it: every current event that concerns the child,
//! the child's carers, where the child has lived, plans, placements and injury episodes,
//! all as known at one moment. Built fresh for each evaluation from the casebook, so a
//! merge or split of persons is reflected at once.

use std::collections::{BTreeSet, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use vigil_domain::body_map::BodyRegion;
use vigil_domain::event::details::{EventDetails, Injury, PlanType};
use vigil_domain::event::{EventId, PersonInEvent, Role};

use crate::alerts::Evidence;
use crate::calendar::{days_between, uk_date};
use crate::casebook::{CaseEvent, Casebook, PersonId};
use crate::household::{self, HouseholdMember};
use crate::places::PlaceId;

/// How an event concerns the child.
#[derive(Debug, Clone, PartialEq)]
pub enum Concern {
    /// The child is named in it, in this role.
    Named { role: Role, person_index: usize },
    /// A carer of the child is named in it and the child is not.
    Carer { carer: PersonId },
    /// It happened at the child's home.
    AtHome { place: PlaceId },
}

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub event: &'a CaseEvent,
    pub concern: Concern,
}

impl Entry<'_> {
    pub fn date(&self) -> Date {
        self.event.event.occurred_at.date()
    }

    pub fn is_named(&self) -> bool {
        matches!(self.concern, Concern::Named { .. })
    }

    pub fn evidence(&self, shows: impl Into<String>) -> Evidence {
        Evidence {
            event: self.event.id,
            agency: self.event.event.agency.clone(),
            occurred_at: self.event.event.occurred_at,
            recorded_at: self.event.recorded_at,
            shows: shows.into(),
            noted_at: None,
        }
    }
}

/// Where the child lived from a date, on what evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Residence {
    pub place: PlaceId,
    pub from: Date,
    pub until: Option<Date>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanPeriod {
    pub plan: PlanType,
    pub start: Date,
    pub end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub start: Date,
    pub end: Option<Date>,
    pub returned_home: bool,
}

/// Injuries recorded close together (by one or several agencies) are one episode.
#[derive(Debug, Clone)]
pub struct InjuryEpisode<'a> {
    pub start: Date,
    pub end: Date,
    pub injuries: Vec<(&'a CaseEvent, &'a Injury)>,
}

impl InjuryEpisode<'_> {
    pub fn agencies(&self) -> BTreeSet<&str> {
        self.injuries
            .iter()
            .map(|(e, _)| e.event.agency.as_str())
            .collect()
    }

    pub fn events(&self) -> Vec<&CaseEvent> {
        let mut seen = Vec::<&CaseEvent>::new();
        for (event, _) in &self.injuries {
            if !seen.iter().any(|e| e.id == event.id) {
                seen.push(event);
            }
        }
        seen
    }

    pub fn touches_head(&self) -> bool {
        self.injuries
            .iter()
            .any(|(_, i)| i.body_site.region() == BodyRegion::HeadFaceEarsNeck)
    }

    pub fn describe(&self) -> String {
        let mut sites: Vec<String> = Vec::new();
        for (_, injury) in &self.injuries {
            let site = format!("{:?} {:?}", injury.injury_type, injury.body_site).to_lowercase();
            if !sites.contains(&site) {
                sites.push(site);
            }
        }
        sites.join(", ")
    }
}

pub struct ChildRecord<'a> {
    pub casebook: &'a Casebook,
    pub child: PersonId,
    pub name: String,
    pub born: Option<Date>,
    pub now: Timestamp,
    pub today: Date,
    /// Current events concerning the child, in the order they happened.
    pub entries: Vec<Entry<'a>>,
    pub carers: BTreeSet<PersonId>,
    pub residences: Vec<Residence>,
    pub plans: Vec<PlanPeriod>,
    pub placements: Vec<Placement>,
    pub episodes: Vec<InjuryEpisode<'a>>,
    pub household: Vec<HouseholdMember>,
}

/// Relationships that make an adult one of the child's carers.
const CARER_WORDS: &[&str] = &[
    "mother", "father", "parent", "carer", "step", "guardian", "grand", "mum", "dad",
];

pub fn is_carer(person: &PersonInEvent) -> bool {
    matches!(person.role, Role::Parent | Role::Carer)
        || person.relationship.as_deref().is_some_and(|r| {
            let r = r.to_lowercase().replace('\u{2019}', "'");
            // "mother's friend" names the mother, but describes a friend.
            let someone_elses = r.contains("'s ") || r.contains("friend");
            !someone_elses && CARER_WORDS.iter().any(|w| r.contains(w))
        })
}

impl<'a> ChildRecord<'a> {
    pub fn build(casebook: &'a Casebook, child: &str, now: Timestamp) -> ChildRecord<'a> {
        let today = uk_date(now);
        let mut named: Vec<Entry<'a>> = Vec::new();
        // The events already taken, so that each is one entry: a set rather than a scan
        // of the entries, which made each build quadratic in the record's length.
        let mut taken: HashSet<EventId> = HashSet::new();
        let mut carers = BTreeSet::new();
        for (record, event, person) in casebook.records_of(child) {
            if !casebook.is_current(event) {
                continue;
            }
            let person_index = record
                .rsplit('.')
                .next()
                .and_then(|i| i.parse().ok())
                .unwrap_or(0);
            if taken.insert(event.id) {
                named.push(Entry {
                    event,
                    concern: Concern::Named {
                        role: person.role,
                        person_index,
                    },
                });
            }
            for (i, other) in event.event.people.iter().enumerate() {
                if i != person_index
                    && is_carer(other)
                    && let Some(carer) = casebook.person_in(event, i)
                    && carer != child
                {
                    carers.insert(carer);
                }
            }
        }

        let mut entries = named;
        for carer in &carers {
            for (_, event, _) in casebook.records_of(carer) {
                if casebook.is_current(event) && taken.insert(event.id) {
                    entries.push(Entry {
                        event,
                        concern: Concern::Carer {
                            carer: carer.clone(),
                        },
                    });
                }
            }
        }

        let residences = residences(casebook, child, &entries);
        for residence in &residences {
            for &index in casebook
                .place_events
                .get(&residence.place)
                .into_iter()
                .flatten()
            {
                let event = &casebook.events[index];
                let date = event.event.occurred_at.date();
                if !casebook.is_current(event)
                    || date < residence.from
                    || residence.until.is_some_and(|until| date >= until)
                    || !taken.insert(event.id)
                {
                    continue;
                }
                entries.push(Entry {
                    event,
                    concern: Concern::AtHome {
                        place: residence.place.clone(),
                    },
                });
            }
        }
        entries.sort_by_key(|e| {
            (
                e.event.event.occurred_at.start(),
                e.event.recorded_at,
                e.event.id,
            )
        });

        let plans = plans(&entries);
        let placements = placements(&entries);
        let episodes = episodes(&entries, casebook.config.injuries.episode_gap_days);
        let mut record = ChildRecord {
            casebook,
            child: child.to_string(),
            name: casebook.display_name(child),
            born: casebook.date_of_birth(child),
            now,
            today,
            entries,
            carers,
            residences,
            plans,
            placements,
            episodes,
            household: Vec::new(),
        };
        record.household = household::members(&record, today);
        record
    }

    /// The child and the brothers and sisters recorded with them (as siblings, or as the
    /// subject of a record in which the child is a sibling).
    pub fn family(&self) -> Vec<PersonId> {
        let mut family = vec![self.child.clone()];
        for entry in self.named_entries() {
            let Concern::Named { role, .. } = entry.concern else {
                continue;
            };
            for (i, person) in entry.event.event.people.iter().enumerate() {
                let sibling = matches!(
                    (role, person.role),
                    (Role::SubjectChild, Role::Sibling)
                        | (Role::Sibling, Role::SubjectChild | Role::Sibling)
                );
                if sibling
                    && let Some(other) = self.casebook.person_in(entry.event, i)
                    && !family.contains(&other)
                {
                    family.push(other);
                }
            }
        }
        family
    }

    /// The child's age in whole months on a date, when the date of birth is known.
    pub fn age_months(&self, on: Date) -> Option<i32> {
        self.born
            .map(|born| crate::calendar::age_in_months(born, on))
    }

    /// Whether a child protection plan was in force on a date.
    pub fn on_plan(&self, on: Date) -> bool {
        self.plans.iter().any(|p| {
            p.plan == PlanType::ChildProtection && p.start <= on && p.end.is_none_or(|end| end > on)
        })
    }

    /// Whether the child was placed away from home on a date.
    pub fn placed_away(&self, on: Date) -> bool {
        self.placements
            .iter()
            .any(|p| p.start <= on && p.end.is_none_or(|end| end > on))
    }

    /// The place the child lived on a date.
    pub fn home_on(&self, on: Date) -> Option<&Residence> {
        self.residences
            .iter()
            .filter(|r| r.from <= on && r.until.is_none_or(|u| u > on))
            .max_by_key(|r| r.from)
    }

    pub fn named_entries(&self) -> impl Iterator<Item = &Entry<'a>> {
        self.entries.iter().filter(|e| e.is_named())
    }

    /// The child as recorded in an entry that names them.
    pub fn child_in(&self, entry: &Entry<'a>) -> Option<&'a PersonInEvent> {
        match entry.concern {
            Concern::Named { person_index, .. } => entry.event.event.people.get(person_index),
            _ => None,
        }
    }

    /// Days from a date to today.
    pub fn days_ago(&self, date: Date) -> i32 {
        days_between(date, self.today)
    }
}

/// Where the child has lived. A new address counts from the first time any agency
/// records the child (or a carer's tenancy or move) there; the address before stays
/// the child's until then. An agency that goes on writing the old address afterwards is
/// out of date, not evidence of a move back (the address-discrepancy rule says so).
fn residences(casebook: &Casebook, child: &str, entries: &[Entry<'_>]) -> Vec<Residence> {
    let mut first_seen: Vec<(Date, PlaceId, String)> = Vec::new();
    let mut note = |date: Date, place: &PlaceId, text: &str| match first_seen
        .iter_mut()
        .find(|(_, p, _)| p == place)
    {
        Some(seen) if seen.0 > date => seen.0 = date,
        Some(_) => {}
        None => first_seen.push((date, place.clone(), text.to_string())),
    };
    for entry in entries {
        let event = entry.event;
        let index = casebook
            .index_of(&event.id)
            .expect("entries come from the casebook");
        let date = match &event.event.details {
            EventDetails::Tenancy(t) => t.start.unwrap_or(event.event.occurred_at.date()),
            _ => event.event.occurred_at.date(),
        };
        match &entry.concern {
            Concern::Named { person_index, .. } => {
                let person = &event.event.people[*person_index];
                for (address, found) in person.addresses.iter().zip(
                    casebook.event_places[index]
                        .iter()
                        .filter(|p| p.person == Some(*person_index)),
                ) {
                    note(date, &found.place, &address.as_recorded);
                }
            }
            Concern::Carer { .. } => {
                // A carer's tenancy or reported move takes the child along.
                if let EventDetails::Tenancy(t) = &event.event.details
                    && let Some(found) = casebook.event_places[index]
                        .iter()
                        .find(|p| p.person.is_none())
                {
                    note(date, &found.place, &t.address.as_recorded);
                }
                if let EventDetails::HouseholdChange(change) = &event.event.details
                    && let Some(found) = casebook.event_places[index]
                        .iter()
                        .find(|p| p.person.is_none())
                {
                    note(date, &found.place, &change.address.as_recorded);
                }
            }
            Concern::AtHome { .. } => {}
        }
    }
    let _ = child;
    first_seen.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let mut residences: Vec<Residence> = Vec::new();
    for (i, (from, place, address)) in first_seen.iter().enumerate() {
        residences.push(Residence {
            place: place.clone(),
            from: *from,
            until: first_seen.get(i + 1).map(|next| next.0),
            address: address.clone(),
        });
    }
    residences
}

fn plans(entries: &[Entry<'_>]) -> Vec<PlanPeriod> {
    let mut plans: Vec<PlanPeriod> = Vec::new();
    for entry in entries {
        // A plan is the child's when the child is named in the plan's record.
        let Concern::Named { .. } = entry.concern else {
            continue;
        };
        match &entry.event.event.details {
            // A plan already in force is not started again.
            EventDetails::PlanStart(start)
                if !plans
                    .iter()
                    .any(|p| p.plan == start.plan && p.end.is_none()) =>
            {
                plans.push(PlanPeriod {
                    plan: start.plan,
                    start: entry.date(),
                    end: None,
                });
            }
            EventDetails::PlanEnd(end) => {
                if let Some(open) = plans
                    .iter_mut()
                    .find(|p| p.plan == end.plan && p.end.is_none())
                {
                    open.end = Some(entry.date());
                }
            }
            _ => {}
        }
    }
    plans
}

fn placements(entries: &[Entry<'_>]) -> Vec<Placement> {
    let mut placements: Vec<Placement> = Vec::new();
    for entry in entries.iter().filter(|e| e.is_named()) {
        match &entry.event.event.details {
            EventDetails::PlacementStart(_) if !placements.iter().any(|p| p.end.is_none()) => {
                placements.push(Placement {
                    start: entry.date(),
                    end: None,
                    returned_home: false,
                });
            }
            EventDetails::PlacementEnd(end) => {
                if let Some(open) = placements.iter_mut().find(|p| p.end.is_none()) {
                    open.end = Some(entry.date());
                    open.returned_home = end.returned_home;
                }
            }
            _ => {}
        }
    }
    placements
}

fn episodes<'a>(entries: &[Entry<'a>], gap_days: i32) -> Vec<InjuryEpisode<'a>> {
    let mut episodes: Vec<InjuryEpisode<'a>> = Vec::new();
    for entry in entries.iter().filter(|e| e.is_named()) {
        let EventDetails::InjuryObservation(observation) = &entry.event.event.details else {
            continue;
        };
        let date = entry.date();
        match episodes.last_mut() {
            Some(last) if days_between(last.end, date) <= gap_days => {
                last.end = last.end.max(date);
                last.injuries
                    .extend(observation.injuries.iter().map(|i| (entry.event, i)));
            }
            _ => episodes.push(InjuryEpisode {
                start: date,
                end: date,
                injuries: observation
                    .injuries
                    .iter()
                    .map(|i| (entry.event, i))
                    .collect(),
            }),
        }
    }
    episodes
}
