//! Rules about casework: contacts piling up with nothing changing, children not seen,
//! children not brought to appointments, and records left at an old address. These are
//! the patterns behind 'disguised compliance' and 'start again' in case reviews.

use std::collections::BTreeSet;

use vigil_domain::event::details::{EventDetails, VisitOutcome};

use super::{Evaluation, Rule, agencies_of, finding};
use crate::alerts::{Finding, Level, OwnerRole};
use crate::calendar::days_between;
use crate::child::{ChildRecord, Entry};
use crate::config::RulesConfig;

pub const CONTACTS_WITHOUT_CHANGE: Rule = Rule {
    id: "contacts-without-change",
    version: 1,
    title: "Contacts piling up with no change of plan",
    citation: "Munro Review of Child Protection (2011): the 'start again' principle; NSPCC learning from case reviews on drift",
    fires_when: "Agencies record contacts with the child on ten or more days within 60 days (by default) with no plan, conference or placement decision in that time.",
    level: Level::Consider,
    owner: OwnerRole::TeamManager,
    blocking: false,
    evaluate: contacts_without_change,
};

fn is_decision(entry: &Entry<'_>) -> bool {
    matches!(
        entry.event.event.details,
        EventDetails::PlanStart(_)
            | EventDetails::PlanEnd(_)
            | EventDetails::ChildProtectionConference(_)
            | EventDetails::PlacementStart(_)
            | EventDetails::PlacementEnd(_)
            | EventDetails::CourtOrder(_)
            | EventDetails::LegalPlanningMeeting(_)
    )
}

fn contacts_without_change(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let p = &config.casework;
    let window: Vec<&Entry<'_>> = record
        .named_entries()
        .filter(|e| record.days_ago(e.date()) <= p.contacts_window_days)
        .collect();
    if window.iter().any(|e| is_decision(e)) {
        return Evaluation::none();
    }
    // A contact is an agency's involvement on a day: three records of one consultation
    // are one contact.
    let contacts: BTreeSet<(String, jiff::civil::Date)> = window
        .iter()
        .map(|e| (e.event.event.agency.to_string(), e.date()))
        .collect();
    if contacts.len() < p.contacts_threshold {
        return Evaluation::none();
    }
    let evidence: Vec<_> = window
        .iter()
        .map(|e| e.evidence(format!("{} contact", e.event.event.agency)))
        .collect();
    Evaluation::found(finding(
        record,
        format!(
            "{} contacts with {} in {} days and no change of plan.",
            contacts.len(),
            record.name,
            p.contacts_window_days
        ),
        vec!["Review the plan with fresh eyes: what has changed for the child?".into()],
        evidence,
    ))
}

pub const CHILD_NOT_SEEN: Rule = Rule {
    id: "child-not-seen",
    version: 1,
    title: "Child not seen on repeated visits",
    citation: "Working Together to Safeguard Children 2023, chapter 4 (the child is seen, and seen alone, on visits under a plan); NSPCC learning on disguised compliance",
    fires_when: "Three or more visits within 90 days (by default) found no one in or did not see the child.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: child_not_seen,
};

fn child_not_seen(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let p = &config.casework;
    let missed: Vec<&Entry<'_>> = record
        .named_entries()
        .filter(|e| {
            matches!(
                &e.event.event.details,
                EventDetails::HomeVisit(v) if matches!(v.outcome, VisitOutcome::ChildNotSeen | VisitOutcome::NoAccess)
            ) && record.days_ago(e.date()) <= p.not_seen_window_days
        })
        .collect();
    if missed.len() < p.not_seen_threshold {
        return Evaluation::none();
    }
    let evidence: Vec<_> = missed
        .iter()
        .map(|e| {
            let outcome = match &e.event.event.details {
                EventDetails::HomeVisit(v) if v.outcome == VisitOutcome::NoAccess => "no access",
                _ => "child not seen",
            };
            e.evidence(format!("{} visit: {outcome}", e.event.event.agency))
        })
        .collect();
    Evaluation::found(Finding {
        level: record
            .on_plan(record.today)
            .then_some(Level::ImmediateDanger),
        ..finding(
            record,
            format!(
                "{} was not seen on {} visits in {} days, by {}.",
                record.name,
                missed.len(),
                p.not_seen_window_days,
                agencies_of(&evidence)
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            vec![
                "See the child today, alone if old enough, in daylight and unannounced if needed."
                    .into(),
                "Consider disguised compliance; discuss with the team manager.".into(),
            ],
            evidence,
        )
    })
}

pub const NOT_BROUGHT: Rule = Rule {
    id: "not-brought",
    version: 1,
    title: "Child not brought to appointments",
    citation: "NICE CG89 section 1.3 (neglect: failure to bring a child to appointments); NSPCC 'Was not brought' learning",
    fires_when: "A child is not brought to two or more appointments within 90 days (by default).",
    level: Level::Consider,
    owner: OwnerRole::HealthSafeguardingLead,
    blocking: false,
    evaluate: not_brought,
};

fn not_brought(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let p = &config.casework;
    let missed: Vec<&Entry<'_>> = record
        .named_entries()
        .filter(|e| {
            matches!(&e.event.event.details, EventDetails::MissedAppointment(m) if m.was_not_brought)
                && record.days_ago(e.date()) <= p.not_brought_window_days
        })
        .collect();
    if missed.len() < p.not_brought_threshold {
        return Evaluation::none();
    }
    let evidence: Vec<_> = missed
        .iter()
        .map(|e| e.evidence(format!("{}: not brought", e.event.event.agency)))
        .collect();
    Evaluation::found(Finding {
        level: record.on_plan(record.today).then_some(Level::Suspect),
        ..finding(
            record,
            format!(
                "{} was not brought to {} appointments in {} days.",
                record.name,
                missed.len(),
                p.not_brought_window_days
            ),
            vec!["Contact the family and the key worker; rebook and follow up.".into()],
            evidence,
        )
    })
}

pub const ADDRESS_DISCREPANCY: Rule = Rule {
    id: "address-discrepancy",
    version: 1,
    title: "An agency holds an old address for the child",
    citation: "Working Together to Safeguard Children 2023, chapter 2 (keeping records accurate and shared); serious case reviews on children lost between addresses",
    fires_when: "After the child is known to have moved, an agency records the child at the previous address.",
    level: Level::Consider,
    owner: OwnerRole::MashAnalyst,
    blocking: false,
    evaluate: address_discrepancy,
};

fn address_discrepancy(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let casebook = record.casebook;
    let mut evidence = Vec::new();
    for entry in record.named_entries() {
        let Some(child) = record.child_in(entry) else {
            continue;
        };
        let Some(home) = record.home_on(entry.date()) else {
            continue;
        };
        for address in &child.addresses {
            let Some(found) = casebook.places().lookup(address) else {
                continue;
            };
            let earlier = record
                .residences
                .iter()
                .any(|r| r.place == found.place && r.from < home.from);
            if found.place != home.place && earlier && days_between(home.from, entry.date()) > 0 {
                evidence.push(entry.evidence(format!(
                    "{} recorded '{}' after the move to '{}'",
                    entry.event.event.agency, address.as_recorded, home.address
                )));
            }
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(finding(
        record,
        format!(
            "{} agency record(s) hold an old address for {}. Check the child's status under the new address (a plan is not lost on an address mismatch) and ask the agency to update it.",
            evidence.len(),
            record.name
        ),
        vec![
            "Tell the recording agency the current address.".into(),
            "Make sure the agency can see the child's plan status.".into(),
        ],
        evidence,
    ))
}
