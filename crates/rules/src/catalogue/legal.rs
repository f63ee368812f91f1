//! Rules about legal planning and decisions: advice that the threshold for proceedings
//! is met must lead to a legal planning meeting; a child must not go home while a carer
//! is on bail for an offence against the child without the police view; a meeting must
//! decide on the whole multi-agency picture, not one agency's file.

use vigil_domain::event::details::{ChargingOutcome, EventDetails, MeetingStatus};

use super::{Evaluation, Rule, agencies_of, finding};
use crate::alerts::{Evidence, Finding, Level, OwnerRole};
use crate::calendar::{add_working_days, uk_instant};
use crate::child::{ChildRecord, Concern, Entry};
use crate::config::RulesConfig;

pub const PLANNING_MEETING_OVERDUE: Rule = Rule {
    id: "legal-planning-meeting-overdue",
    version: 1,
    title: "No legal planning meeting after advice or a request",
    citation: "Public Law Outline (Practice Direction 12A) and the Department for Education's court orders and pre-proceedings guidance (2014, revised 2021): advice that the threshold is met is followed promptly by a legal planning meeting",
    fires_when: "Legal advice says the threshold for proceedings is met, or a legal planning meeting is requested, and no meeting or court order is recorded by the morning of the tenth working day after.",
    level: Level::Suspect,
    owner: OwnerRole::LegalServices,
    blocking: false,
    evaluate: planning_meeting_overdue,
};

fn planning_meeting_overdue(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let days = config.legal.planning_meeting_working_days;
    let mut evaluation = Evaluation::none();
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut due_since = None;
    for trigger in record.named_entries() {
        let what = match &trigger.event.event.details {
            EventDetails::LegalAdvice(advice) if advice.recommends_proceedings => {
                "legal advice: threshold for proceedings met"
            }
            EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Requested => {
                "legal planning meeting requested"
            }
            _ => continue,
        };
        let due_date = add_working_days(trigger.date(), days, &config.bank_holidays);
        let due = uk_instant(due_date, 9, 0);
        let held = record.named_entries().any(|e| {
            e.date() >= trigger.date()
                && e.event.recorded_at <= record.now
                && matches!(
                    &e.event.event.details,
                    EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Held
                )
                || e.date() >= trigger.date()
                    && matches!(e.event.event.details, EventDetails::CourtOrder(_))
        });
        if held {
            continue;
        }
        if record.now < due {
            evaluation = evaluation.recheck(Some(due));
            continue;
        }
        due_since = Some(due_since.map_or(due, |d: jiff::Timestamp| d.min(due)));
        evidence.push(trigger.evidence(format!(
            "{} on {}; no meeting by {due_date}",
            what,
            trigger.date()
        )));
    }
    if let Some(due_since) = due_since {
        evaluation.findings.push(Finding {
            subject: record.child.clone(),
            due_since,
            summary: format!(
                "No legal planning meeting for {} within {days} working days of advice or a request.",
                record.name
            ),
            actions: vec![
                "Convene the legal planning meeting now, with every agency's information.".into(),
            ],
            notify: agencies_of(&evidence),
            owner: None,
            level: None,
            evidence,
        });
    }
    evaluation
}

pub const RETURN_HOME_WHILE_CARER_ON_BAIL: Rule = Rule {
    id: "return-home-while-carer-on-bail",
    version: 1,
    title: "Return home blocked: a carer is on bail for an offence against a child",
    citation: "Working Together to Safeguard Children 2023, chapter 4 (decisions informed by all agencies, including the police view); serious case reviews on children returned home while investigations were open",
    fires_when: "The child is placed away from home (or has just been returned) while a carer is on police bail for an offence against a child.",
    level: Level::ImmediateDanger,
    owner: OwnerRole::TeamManager,
    blocking: true,
    evaluate: return_home_while_carer_on_bail,
};

fn bail_active(record: &ChildRecord<'_>, bail: &Entry<'_>) -> bool {
    let Concern::Carer { carer } = &bail.concern else {
        // A bail record naming the child is about the child, not a carer.
        return false;
    };
    // Bail ends with a charging decision of no further action naming the same carer.
    !record.entries.iter().any(|e| {
        e.date() >= bail.date()
            && matches!(&e.concern, Concern::Carer { carer: c } if c == carer)
            && matches!(
                &e.event.event.details,
                EventDetails::ChargingDecision(d) if d.outcome == ChargingOutcome::NoFurtherAction
            )
    })
}

fn return_home_while_carer_on_bail(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let bails: Vec<&Entry<'_>> = record
        .entries
        .iter()
        .filter(|e| {
            matches!(&e.event.event.details, EventDetails::Bail(b) if b.offence_against_child == Some(true))
                && bail_active(record, e)
        })
        .collect();
    if bails.is_empty() {
        return Evaluation::none();
    }
    let placement = record.placements.iter().rev().find(|p| {
        p.end
            .is_none_or(|end| bails.iter().any(|b| end >= b.date()))
    });
    let Some(placement) = placement else {
        return Evaluation::none();
    };
    let mut evidence: Vec<Evidence> = bails
        .iter()
        .map(|b| {
            b.evidence(format!(
                "{}: carer on bail for an offence against a child",
                b.event.event.agency
            ))
        })
        .collect();
    for entry in record.named_entries() {
        let relevant = match &entry.event.event.details {
            EventDetails::PlacementStart(_) => entry.date() == placement.start,
            EventDetails::PlacementEnd(end) => {
                end.returned_home && Some(entry.date()) == placement.end
            }
            _ => false,
        };
        if relevant {
            evidence
                .push(entry.evidence(format!("{} placement decision", entry.event.event.agency)));
        }
    }
    // What is still open, so the decision-maker sees it in one place.
    let mut open = vec!["a police investigation (carer on bail)".to_string()];
    let lpm_pending = record.named_entries().any(|e| {
        matches!(&e.event.event.details, EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Requested)
            || matches!(&e.event.event.details, EventDetails::LegalAdvice(a) if a.recommends_proceedings)
    }) && !record.named_entries().any(|e| {
        matches!(&e.event.event.details, EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Held)
    });
    if lpm_pending {
        open.push("a legal planning meeting not yet held".to_string());
    }
    let unknown: Vec<&str> = record
        .household
        .iter()
        .filter(|m| m.adult && !m.known_to_social_care)
        .map(|m| m.name.as_str())
        .collect();
    if !unknown.is_empty() {
        open.push(format!(
            "adults at the home not assessed ({})",
            unknown.join(", ")
        ));
    }
    let returned = placement.returned_home;
    Evaluation::found(finding(
        record,
        format!(
            "{} {} while a carer is on bail for an offence against a child. Open: {}.",
            record.name,
            if returned {
                "has been returned home"
            } else {
                "is placed away from home; a return home is blocked"
            },
            open.join("; ")
        ),
        vec![
            "Record the police view before any decision to return the child home.".into(),
            "Record and verify every condition of the plan before return.".into(),
            "The decision needs a team manager's sign-off with the reasons.".into(),
        ],
        evidence,
    ))
}

pub const CHRONOLOGY_PACK: Rule = Rule {
    id: "chronology-pack",
    version: 1,
    title: "Multi-agency chronology for a legal planning meeting",
    citation: "Public Law Outline (Practice Direction 12A): the social work chronology; serious case reviews on meetings that decided on single-agency files",
    fires_when: "A legal planning meeting is requested; updated with each new injury, incident or missed visit until it is held.",
    level: Level::Consider,
    owner: OwnerRole::LegalServices,
    blocking: false,
    evaluate: chronology_pack,
};

fn chronology_pack(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let Some(request) = record.named_entries().filter(|e| {
        matches!(&e.event.event.details, EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Requested)
    }).last() else {
        return Evaluation::none();
    };
    let held = record.named_entries().any(|e| {
        e.date() >= request.date()
            && matches!(&e.event.event.details, EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Held)
    });
    if held {
        return Evaluation::none();
    }
    let mut evidence =
        vec![request.evidence("legal planning meeting requested: chronology pack generated")];
    for entry in record.entries.iter().filter(|e| e.date() > request.date()) {
        let material = matches!(
            &entry.event.event.details,
            EventDetails::InjuryObservation(_)
                | EventDetails::PoliceIncident(_)
                | EventDetails::Arrest(_)
                | EventDetails::Bail(_)
                | EventDetails::MedicalFinding(_)
                | EventDetails::MissedAppointment(_)
                | EventDetails::MissingPersonReport(_)
        ) || matches!(&entry.event.event.details, EventDetails::HomeVisit(v) if v.outcome != vigil_domain::event::details::VisitOutcome::ChildSeen && v.outcome != vigil_domain::event::details::VisitOutcome::ChildSeenAlone);
        if material {
            evidence.push(entry.evidence(format!(
                "new material since the pack: {} {}",
                entry.event.event.agency,
                entry.event.event.kind().replace('_', " ")
            )));
        }
    }
    Evaluation::found(finding(
        record,
        format!(
            "A legal planning meeting for {} is pending. The consolidated multi-agency chronology is ready; {} new record(s) since the request.",
            record.name,
            evidence.len() - 1
        ),
        vec!["Circulate the chronology to the meeting; refresh it the day before.".into()],
        evidence,
    ))
}
