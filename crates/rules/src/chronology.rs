//! The merged chronology of a child across agencies, the counters practitioners ask
//! for (injury episodes, contacts per agency in a window), the household on a date,
//! and the one-page summary. Views over a [`ChildRecord`], for the API, the CLI and the
//! reports.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use vigil_domain::event::EventId;
use vigil_domain::event::details::EventDetails;

use crate::alerts::Alert;
use crate::casebook::{Casebook, PersonId};
use crate::child::{ChildRecord, Concern};
use crate::household::HouseholdMember;
use crate::questions::OpenQuestion;

#[derive(Debug, Clone, Serialize)]
pub struct ChronologyEntry {
    pub event: EventId,
    pub occurred_at: String,
    pub date: Date,
    pub recorded_at: Timestamp,
    pub agency: String,
    pub agency_name: String,
    pub kind: &'static str,
    pub summary: Option<String>,
    /// How the entry concerns the child: `named`, `carer`, `at_home`.
    pub concerns: &'static str,
    /// Injuries recorded, one line each.
    pub injuries: Vec<String>,
    /// The injury episode this entry belongs to (1-based), if any.
    pub episode: Option<usize>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counters {
    pub injury_episodes: usize,
    pub injury_episodes_in_window: usize,
    pub window_days: i32,
    /// Days with a contact, per agency, within the window.
    pub contacts_in_window: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chronology {
    pub child: PersonId,
    pub name: String,
    pub as_at: Timestamp,
    pub entries: Vec<ChronologyEntry>,
    pub counters: Counters,
}

pub fn chronology(record: &ChildRecord<'_>, window_days: i32) -> Chronology {
    let config = &record.casebook.config;
    // The episode of each injured event, looked up once rather than searched for each
    // entry. An event belongs to the first episode that holds it.
    let mut episode_of: HashMap<EventId, usize> = HashMap::new();
    for (number, episode) in record.episodes.iter().enumerate() {
        for (event, _) in &episode.injuries {
            episode_of.entry(event.id).or_insert(number + 1);
        }
    }
    let mut entries = Vec::with_capacity(record.entries.len());
    for entry in &record.entries {
        let event = &entry.event.event;
        let injuries = match &event.details {
            EventDetails::InjuryObservation(o) => o
                .injuries
                .iter()
                .map(|i| {
                    let side = i.side.map(|s| format!("{s:?} ")).unwrap_or_default();
                    format!(
                        "{} {side}{:?} x{}{}",
                        format!("{:?}", i.injury_type).to_lowercase(),
                        i.body_site,
                        i.count,
                        if i.explanations.is_empty() {
                            ", no explanation".to_string()
                        } else {
                            format!(
                                ", explained: {}",
                                i.explanations
                                    .iter()
                                    .map(|e| format!("'{}' ({})", e.text, e.given_by))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            )
                        }
                    )
                    .to_lowercase()
                })
                .collect(),
            _ => Vec::new(),
        };
        let episode = episode_of.get(&entry.event.id).copied();
        entries.push(ChronologyEntry {
            event: entry.event.id,
            occurred_at: event.occurred_at.to_string(),
            date: entry.date(),
            recorded_at: entry.event.recorded_at,
            agency: event.agency.to_string(),
            agency_name: config.agency_name(&event.agency),
            kind: event.kind(),
            summary: event.summary.clone(),
            concerns: match entry.concern {
                Concern::Named { .. } => "named",
                Concern::Carer { .. } => "carer",
                Concern::AtHome { .. } => "at_home",
            },
            injuries,
            episode,
            recorded_by: event.recorded_by.as_ref().map(|p| match &p.role {
                Some(role) => format!("{} ({role})", p.name),
                None => p.name.clone(),
            }),
        });
    }
    Chronology {
        child: record.child.clone(),
        name: record.name.clone(),
        as_at: record.now,
        counters: counters(record, window_days),
        entries,
    }
}

/// The counters alone, without the entries: what the summary shows.
pub fn counters(record: &ChildRecord<'_>, window_days: i32) -> Counters {
    let mut contacts: BTreeMap<String, std::collections::BTreeSet<Date>> = BTreeMap::new();
    for entry in record.named_entries() {
        if record.days_ago(entry.date()) <= window_days {
            contacts
                .entry(entry.event.event.agency.to_string())
                .or_default()
                .insert(entry.date());
        }
    }
    Counters {
        injury_episodes: record.episodes.len(),
        injury_episodes_in_window: record
            .episodes
            .iter()
            .filter(|e| record.days_ago(e.start) <= window_days)
            .count(),
        window_days,
        contacts_in_window: contacts.into_iter().map(|(a, d)| (a, d.len())).collect(),
    }
}

/// Who was linked to the child's home on a date, with the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Household {
    pub child: PersonId,
    pub on: Date,
    pub home: Option<String>,
    pub members: Vec<HouseholdMember>,
}

pub fn household_on(record: &ChildRecord<'_>, on: Date) -> Household {
    let lasts = record.casebook.config.household.link_lasts_days;
    let home = record.home_on(on);
    Household {
        child: record.child.clone(),
        on,
        home: home.map(|h| h.address.clone()),
        members: record
            .household
            .iter()
            .filter(|m| home.is_some_and(|h| h.place == m.place) && m.present_on(on, lasts))
            .cloned()
            .collect(),
    }
}

/// The one-page summary of a child.
#[derive(Debug, Clone, Serialize)]
pub struct ChildSummary {
    pub child: PersonId,
    pub name: String,
    pub date_of_birth: Option<Date>,
    pub age_months: Option<i32>,
    pub on_child_protection_plan: bool,
    pub plan_since: Option<Date>,
    pub placed_away: bool,
    pub home: Option<String>,
    /// Agencies involved, with the last practitioner recorded and how to reach them.
    pub involved: Vec<Involvement>,
    pub open_alerts: Vec<Alert>,
    pub open_questions: Vec<OpenQuestion>,
    pub counters: Counters,
}

#[derive(Debug, Clone, Serialize)]
pub struct Involvement {
    pub agency: String,
    pub agency_name: String,
    pub last_contact: Date,
    pub practitioner: Option<String>,
    pub contact: Option<String>,
}

pub fn summary(casebook: &Casebook, record: &ChildRecord<'_>) -> ChildSummary {
    let today = record.today;
    let mut involved: BTreeMap<String, Involvement> = BTreeMap::new();
    // Each agency's latest entry: read from the end, so each agency is written once
    // rather than once per entry.
    for entry in record.named_entries().collect::<Vec<_>>().into_iter().rev() {
        let event = &entry.event.event;
        if involved.contains_key(event.agency.as_str()) {
            continue;
        }
        involved.insert(
            event.agency.to_string(),
            Involvement {
                agency: event.agency.to_string(),
                agency_name: casebook.config.agency_name(&event.agency),
                last_contact: entry.date(),
                practitioner: event.recorded_by.as_ref().map(|p| p.name.clone()),
                contact: event.recorded_by.as_ref().and_then(|p| p.contact.clone()),
            },
        );
    }
    let plan_since = record
        .plans
        .iter()
        .filter(|p| p.end.is_none_or(|e| e > today))
        .map(|p| p.start)
        .min();
    ChildSummary {
        child: record.child.clone(),
        name: record.name.clone(),
        date_of_birth: record.born,
        age_months: record.age_months(today),
        on_child_protection_plan: record.on_plan(today),
        plan_since,
        placed_away: record.placed_away(today),
        home: record.home_on(today).map(|h| h.address.clone()),
        involved: involved.into_values().collect(),
        open_alerts: casebook
            .alerts()
            .all()
            .iter()
            .filter(|a| a.subject == record.child && a.is_open())
            .cloned()
            .collect(),
        open_questions: casebook
            .questions()
            .all()
            .iter()
            .filter(|q| q.child == record.child && q.answer.is_none())
            .cloned()
            .collect(),
        counters: counters(record, 90),
    }
}
