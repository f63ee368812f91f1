//! Rules about health services' handling of a child on a plan: a referral that does not
//! say the child is on a plan and is triaged as routine, an assessment that does not
//! happen, an examination left unfinished.

use vigil_domain::event::details::{EventDetails, Urgency};

use super::{Evaluation, Rule, agencies_of, finding};
use crate::alerts::{Finding, Level, OwnerRole};
use crate::calendar::uk_instant;
use crate::child::ChildRecord;
use crate::config::RulesConfig;

pub const ROUTINE_TRIAGE_ON_PLAN: Rule = Rule {
    id: "routine-triage-on-plan",
    version: 1,
    title: "Referral for a child on a plan triaged as routine",
    citation: "Working Together to Safeguard Children 2023, chapter 2 (health services know a child's protection status: CP-IS); serious case reviews on referrals that lost the child's status",
    fires_when: "A referral for a child on a child protection plan is triaged as routine or soon, or its form does not record the plan.",
    level: Level::Suspect,
    owner: OwnerRole::HealthSafeguardingLead,
    blocking: false,
    evaluate: routine_triage_on_plan,
};

fn routine_triage_on_plan(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let mut evidence = Vec::new();
    for entry in record.named_entries() {
        let EventDetails::Referral(referral) = &entry.event.event.details else {
            continue;
        };
        if !record.on_plan(entry.date()) {
            continue;
        }
        let routine = matches!(referral.triaged_as, Some(Urgency::Routine | Urgency::Soon));
        let status_missing = referral.child_protection_status_recorded == Some(false);
        if routine || status_missing {
            let mut shows = Vec::new();
            if status_missing {
                shows.push("the form does not record the child protection plan".to_string());
            }
            if let Some(triage) = referral.triaged_as.filter(|_| routine) {
                shows.push(format!("triaged as {triage:?}").to_lowercase());
            }
            evidence.push(entry.evidence(format!(
                "{}: {}",
                entry.event.event.agency,
                shows.join("; ")
            )));
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(finding(
        record,
        format!(
            "{} is on a child protection plan, but a referral did not say so or was triaged as routine. The plan status is now shown on the referral.",
            record.name
        ),
        vec![
            "Re-triage the referral as urgent, knowing the child is on a plan.".into(),
            "Tell the service lead and the key worker.".into(),
        ],
        evidence,
    ))
}

pub const ASSESSMENT_NOT_DONE: Rule = Rule {
    id: "assessment-not-done",
    version: 1,
    title: "Assessment not done for a child on a plan",
    citation: "Working Together to Safeguard Children 2023, chapter 4 (the plan's actions are completed within their timescales)",
    fires_when: "A health service received a referral for a child on a plan and has recorded no assessment of the child within 14 days (by default).",
    level: Level::Suspect,
    owner: OwnerRole::HealthSafeguardingLead,
    blocking: false,
    evaluate: assessment_not_done,
};

fn assessment_not_done(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let days = config.health.assessment_within_days;
    let mut evaluation = Evaluation::none();
    let mut evidence = Vec::new();
    let mut due_since = None;
    for referral in record.named_entries() {
        let EventDetails::Referral(details) = &referral.event.event.details else {
            continue;
        };
        // A referral the service recorded itself is one it received (it has a triage).
        if details.triaged_as.is_none() || !record.on_plan(referral.date()) {
            continue;
        }
        let agency = &referral.event.event.agency;
        let seen = record.named_entries().any(|e| {
            &e.event.event.agency == agency
                && e.date() >= referral.date()
                && e.event.id != referral.event.id
                && matches!(
                    e.event.event.details,
                    EventDetails::HealthAttendance(_)
                        | EventDetails::MedicalFinding(_)
                        | EventDetails::InjuryObservation(_)
                )
        });
        if seen {
            continue;
        }
        let due_date = referral
            .date()
            .checked_add(jiff::Span::new().days(days))
            .expect("dates stay in range");
        let due = uk_instant(due_date, 9, 0);
        if record.now < due {
            evaluation = evaluation.recheck(Some(due));
            continue;
        }
        due_since = Some(due);
        evidence.push(referral.evidence(format!(
            "{} received a referral on {}; no assessment by {due_date}",
            agency,
            referral.date()
        )));
    }
    if let Some(due_since) = due_since {
        evaluation.findings.push(Finding {
            subject: record.child.clone(),
            due_since,
            summary: format!(
                "{} is on a child protection plan and a referred assessment has not happened within {days} days.",
                record.name
            ),
            actions: vec!["Escalate to the service's safeguarding lead; book the assessment now.".into()],
            notify: agencies_of(&evidence),
            owner: None,
            level: None,
            evidence,
        });
    }
    evaluation
}

pub const EXAMINATION_NOT_COMPLETED: Rule = Rule {
    id: "examination-not-completed",
    version: 1,
    title: "Examination not completed",
    citation: "Royal College of Paediatrics and Child Health, Child Protection Companion (the child protection medical examines the whole child); NICE CG89 section 1.1",
    fires_when: "A medical assessment records that the examination was not completed.",
    level: Level::Suspect,
    owner: OwnerRole::HealthSafeguardingLead,
    blocking: false,
    evaluate: examination_not_completed,
};

fn examination_not_completed(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let evidence: Vec<_> = record
        .named_entries()
        .filter(|e| {
            matches!(&e.event.event.details, EventDetails::MedicalFinding(f) if f.examination_completed == Some(false))
        })
        .map(|e| e.evidence(format!("{}: examination not completed", e.event.event.agency)))
        .collect();
    if evidence.is_empty() {
        return Evaluation::none();
    }
    let on_plan = record.on_plan(record.today);
    Evaluation::found(Finding {
        level: on_plan.then_some(Level::ImmediateDanger),
        ..finding(
            record,
            format!(
                "An examination of {} was not completed{}.",
                record.name,
                if on_plan {
                    " although the child is on a child protection plan"
                } else {
                    ""
                }
            ),
            vec![
                "Complete the full examination today.".into(),
                "Tell children's social care of any injury found, the same day.".into(),
            ],
            evidence,
        )
    })
}
