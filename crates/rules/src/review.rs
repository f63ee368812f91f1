//! The missed-opportunity report for a practice review: every alert that Vigil raises
//! when the child's record is replayed in the order it was recorded, when it became due,
//! on what evidence, and whether an action followed within its deadline. An action is a
//! recorded response by any agency (a strategy discussion, a section 47 enquiry, a
//! conference, a placement, a court order, a legal planning meeting held, a completed
//! examination, a visit that saw the child) or an acknowledgement of the alert.

use jiff::Timestamp;
use serde::Serialize;
use vigil_domain::event::EventId;
use vigil_domain::event::details::{EventDetails, MeetingStatus, VisitOutcome};

use crate::alerts::{Alert, AlertStatus};
use crate::casebook::{Casebook, PersonId};
use crate::child::ChildRecord;

#[derive(Debug, Clone, Serialize)]
pub struct Opportunity {
    pub alert: Alert,
    pub response: Option<Response>,
    pub acted_in_time: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub event: Option<EventId>,
    pub at: Timestamp,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub child: PersonId,
    pub name: String,
    pub as_at: Timestamp,
    pub opportunities: Vec<Opportunity>,
    pub alerts: usize,
    pub acted_in_time: usize,
}

fn is_response(details: &EventDetails) -> Option<&'static str> {
    Some(match details {
        EventDetails::StrategyDiscussion(_) => "strategy discussion",
        EventDetails::Section47Enquiry(_) => "section 47 enquiry",
        EventDetails::ChildProtectionConference(_) => "child protection conference",
        EventDetails::PlacementStart(_) => "placement away from home",
        EventDetails::CourtOrder(_) => "court order",
        EventDetails::LegalPlanningMeeting(m) if m.status == MeetingStatus::Held => {
            "legal planning meeting held"
        }
        EventDetails::MedicalFinding(f) if f.examination_completed != Some(false) => {
            "medical examination"
        }
        EventDetails::HomeVisit(v)
            if matches!(
                v.outcome,
                VisitOutcome::ChildSeen | VisitOutcome::ChildSeenAlone
            ) =>
        {
            "visit that saw the child"
        }
        _ => return None,
    })
}

pub fn report(casebook: &Casebook, child: &str) -> Report {
    let record = ChildRecord::build(casebook, child, casebook.now());
    let mut opportunities = Vec::new();
    for alert in casebook
        .alerts()
        .all()
        .iter()
        .filter(|a| a.subject == child)
    {
        let acknowledged = match &alert.status {
            AlertStatus::Acknowledged { by, at, reason }
            | AlertStatus::Closed { by, at, reason, .. } => Some(Response {
                event: None,
                at: *at,
                what: format!("alert acknowledged by {by}: {reason}"),
            }),
            AlertStatus::Open => None,
        };
        let recorded = record
            .entries
            .iter()
            .filter(|e| e.event.recorded_at >= alert.raised_at)
            .find_map(|e| {
                is_response(&e.event.event.details).map(|what| Response {
                    event: Some(e.event.id),
                    at: e.event.recorded_at,
                    what: format!("{} recorded a {what}", e.event.event.agency),
                })
            });
        let response = match (acknowledged, recorded) {
            (Some(a), Some(r)) => Some(if a.at <= r.at { a } else { r }),
            (a, r) => a.or(r),
        };
        let acted_in_time = response.as_ref().is_some_and(|r| r.at <= alert.deadline);
        opportunities.push(Opportunity {
            alert: alert.clone(),
            response,
            acted_in_time,
        });
    }
    Report {
        child: child.to_string(),
        name: casebook.display_name(child),
        as_at: casebook.now(),
        alerts: opportunities.len(),
        acted_in_time: opportunities.iter().filter(|o| o.acted_in_time).count(),
        opportunities,
    }
}

/// The report as Markdown, for a review panel.
pub fn to_markdown(report: &Report) -> String {
    let mut out = format!(
        "# Missed-opportunity report: {}\n\nRecord replayed as known up to {}. Vigil would have raised {} alert(s); an action followed within the deadline for {}.\n",
        report.name, report.as_at, report.alerts, report.acted_in_time
    );
    for (i, o) in report.opportunities.iter().enumerate() {
        let a = &o.alert;
        out.push_str(&format!(
            "\n## {}. {} ({}, {})\n\n- Rule: `{}` v{} ({})\n- Raised: {} (due since {}); act by {}; owner: {}\n- {}\n",
            i + 1,
            a.title,
            a.level.label(),
            a.level.colour(),
            a.rule,
            a.rule_version,
            a.citation,
            a.raised_at,
            a.due_since,
            a.deadline,
            a.owner.label(),
            a.summary
        ));
        out.push_str("- Evidence:\n");
        for e in &a.evidence {
            out.push_str(&format!(
                "  - {} {} ({}): {}\n",
                e.occurred_at, e.agency, e.event, e.shows
            ));
        }
        out.push_str(&match &o.response {
            Some(r) if o.acted_in_time => format!(
                "- Action within the deadline: yes, {} at {}\n",
                r.what, r.at
            ),
            Some(r) => format!(
                "- Action within the deadline: **no**; first action {} at {}\n",
                r.what, r.at
            ),
            None => "- Action within the deadline: **no**; no action recorded\n".to_string(),
        });
    }
    out
}
