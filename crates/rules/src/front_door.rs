//! The front door's decisions: what the MASH decided about a referral or an alert, why,
//! and who takes it on by when.
//!
//! A multi-agency safeguarding hub decides every contact: no further action, early
//! help, a child in need assessment (section 17), a strategy discussion that may lead
//! to a section 47 enquiry, or a referral to another agency (Working Together to
//! Safeguard Children 2023, chapter 2). Serious case reviews keep finding contacts
//! decided with no recorded reasoning and no named owner, so a decision here always
//! carries its rationale, and any outcome other than no further action names who takes
//! it on and by when.
//!
//! Decisions are people's inputs, like responses to alerts: appended to a log of their
//! own, never changed, and taken into the casebook at their time, so a replay shows
//! what had been decided as known then. A later decision about the same item replaces
//! the earlier one as the item's current decision (a reassignment, a changed mind);
//! the earlier stays in the history. Which child an item concerns is worked out when
//! asked, not stored, so a merge of persons after the decision is followed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vigil_domain::event::EventId;
use vigil_domain::event::details::EventDetails;

use crate::alerts::{AlertId, AlertStatus, OwnerRole};
use crate::casebook::{Casebook, PersonId};

/// The MASH outcomes of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MashOutcome {
    NoFurtherAction,
    EarlyHelp,
    /// A child in need assessment under section 17 of the Children Act 1989.
    ChildInNeedAssessment,
    /// A strategy discussion, which may decide a section 47 enquiry.
    StrategyDiscussion,
    ReferToAnotherAgency,
}

impl MashOutcome {
    pub const ALL: [MashOutcome; 5] = [
        MashOutcome::NoFurtherAction,
        MashOutcome::EarlyHelp,
        MashOutcome::ChildInNeedAssessment,
        MashOutcome::StrategyDiscussion,
        MashOutcome::ReferToAnotherAgency,
    ];

    /// The wire name (`strategy_discussion`).
    pub fn as_str(self) -> &'static str {
        match self {
            MashOutcome::NoFurtherAction => "no_further_action",
            MashOutcome::EarlyHelp => "early_help",
            MashOutcome::ChildInNeedAssessment => "child_in_need_assessment",
            MashOutcome::StrategyDiscussion => "strategy_discussion",
            MashOutcome::ReferToAnotherAgency => "refer_to_another_agency",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MashOutcome::NoFurtherAction => "No further action",
            MashOutcome::EarlyHelp => "Early help",
            MashOutcome::ChildInNeedAssessment => "Child in need assessment (s17)",
            MashOutcome::StrategyDiscussion => "Strategy discussion / s47 enquiry",
            MashOutcome::ReferToAnotherAgency => "Refer to another agency",
        }
    }

    pub fn parse(text: &str) -> Option<MashOutcome> {
        MashOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// What a decision is about: an alert Vigil raised, or a referral an agency sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum FrontDoorItem {
    Alert(AlertId),
    Referral(EventId),
}

impl std::fmt::Display for FrontDoorItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrontDoorItem::Alert(id) => write!(f, "alert {id}"),
            FrontDoorItem::Referral(id) => write!(f, "referral {id}"),
        }
    }
}

/// Who takes the work on: a role's queue, or a named person in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub role: OwnerRole,
    /// The account id of a named person, when one is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Their name as shown to people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_name: Option<String>,
    /// Act by then.
    pub due_by: Timestamp,
}

impl Assignment {
    /// "key worker" or "Sam Patel (key worker)".
    pub fn describe(&self) -> String {
        match &self.person_name {
            Some(name) => format!("{name} ({})", self.role.label()),
            None => self.role.label().to_string(),
        }
    }
}

/// A front-door decision as a person made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontDoorDecision {
    pub item: FrontDoorItem,
    pub outcome: MashOutcome,
    pub rationale: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// The account id of who decided.
    pub by_id: String,
    /// Who decided, as shown to people.
    pub by: String,
    pub at: Timestamp,
}

/// Why a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontDoorError {
    #[error("there is no alert {0:?}; the front door lists the alerts waiting")]
    NoSuchAlert(String),
    #[error("alert {0} is closed: a closed alert takes no further decision")]
    AlertClosed(String),
    #[error("there is no referral {0:?}; the front door lists the referrals received")]
    NoSuchReferral(String),
    #[error("a rationale is required: a front-door decision is never recorded without one")]
    RationaleRequired,
    #[error(
        "{0} needs someone to take it on: assign it to a role (and, if you can, a person) with a deadline"
    )]
    AssignmentRequired(&'static str),
    #[error("the deadline must be after the decision: {0} is not after {1}")]
    DeadlineNotAfterDecision(Timestamp, Timestamp),
}

/// Every front-door decision taken, in order.
#[derive(Debug, Clone, Default)]
pub struct FrontDoorLedger {
    decisions: Vec<FrontDoorDecision>,
}

impl FrontDoorLedger {
    pub fn all(&self) -> &[FrontDoorDecision] {
        &self.decisions
    }

    /// The item's current decision: the latest taken.
    pub fn current(&self, item: &FrontDoorItem) -> Option<&FrontDoorDecision> {
        self.decisions.iter().rev().find(|d| &d.item == item)
    }

    /// Every item's current decision, in the order the items were first decided.
    pub fn current_decisions(&self) -> Vec<&FrontDoorDecision> {
        let mut seen = std::collections::HashSet::new();
        let mut latest: Vec<&FrontDoorDecision> = self
            .decisions
            .iter()
            .rev()
            .filter(|d| seen.insert(&d.item))
            .collect();
        latest.reverse();
        latest
    }

    pub(crate) fn push(&mut self, decision: FrontDoorDecision) {
        self.decisions.push(decision);
    }
}

/// Checks a decision against the casebook as it stands; returns the child it concerns,
/// when one is known.
pub(crate) fn validate(
    casebook: &Casebook,
    decision: &FrontDoorDecision,
) -> Result<Option<PersonId>, FrontDoorError> {
    if decision.rationale.trim().is_empty() {
        return Err(FrontDoorError::RationaleRequired);
    }
    match &decision.assignment {
        None if decision.outcome != MashOutcome::NoFurtherAction => {
            return Err(FrontDoorError::AssignmentRequired(decision.outcome.label()));
        }
        Some(assignment) if assignment.due_by <= decision.at => {
            return Err(FrontDoorError::DeadlineNotAfterDecision(
                assignment.due_by,
                decision.at,
            ));
        }
        _ => {}
    }
    match &decision.item {
        FrontDoorItem::Alert(id) => {
            let alert = casebook
                .alerts()
                .get(id)
                .ok_or_else(|| FrontDoorError::NoSuchAlert(id.0.clone()))?;
            if !alert.is_open() {
                return Err(FrontDoorError::AlertClosed(id.0.clone()));
            }
            Ok(Some(alert.subject.clone()))
        }
        FrontDoorItem::Referral(event) => {
            let referral = casebook
                .event(event)
                .filter(|e| matches!(e.event.details, EventDetails::Referral(_)))
                .ok_or_else(|| FrontDoorError::NoSuchReferral(event.to_string()))?;
            Ok(referral_child(casebook, referral))
        }
    }
}

/// The child a referral is about: the first person in it who was a child on the day.
pub fn referral_child(casebook: &Casebook, referral: &crate::CaseEvent) -> Option<PersonId> {
    let on = referral.event.occurred_at.date();
    (0..referral.event.people.len())
        .filter_map(|i| casebook.person_in(referral, i))
        .find(|p| casebook.is_child(p, on))
}

/// The child an item concerns now (after any merges), when one is known.
pub fn child_of(casebook: &Casebook, item: &FrontDoorItem) -> Option<PersonId> {
    match item {
        FrontDoorItem::Alert(id) => casebook.alerts().get(id).map(|a| a.subject.clone()),
        FrontDoorItem::Referral(event) => casebook
            .event(event)
            .and_then(|referral| referral_child(casebook, referral)),
    }
}

/// Whether the work an item's decision assigned is still to do: a decision with an
/// assignment, about an item that is not finished (a closed alert is).
pub fn is_outstanding(casebook: &Casebook, decision: &FrontDoorDecision) -> bool {
    decision.assignment.is_some()
        && match &decision.item {
            FrontDoorItem::Alert(id) => casebook
                .alerts()
                .get(id)
                .is_some_and(|a| !matches!(a.status, AlertStatus::Closed { .. })),
            FrontDoorItem::Referral(_) => true,
        }
}

/// The sentence an alert's history and the acknowledgement carry.
pub(crate) fn describe(decision: &FrontDoorDecision) -> String {
    let mut text = format!(
        "MASH decision: {}: {}",
        decision.outcome.label(),
        decision.rationale.trim().trim_end_matches('.')
    );
    if let Some(assignment) = &decision.assignment {
        // People read the deadline in UK time, as every page shows times.
        let due = assignment
            .due_by
            .to_zoned_datetime(vigil_domain::time::uk_time_zone())
            .strftime("%-d %b %Y, %H:%M");
        text.push_str(&format!(
            "; assigned to {}, due by {due} (UK time)",
            assignment.describe()
        ));
    }
    text
}
