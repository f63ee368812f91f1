//! The rule catalogue. Each rule is a pure function of a child's record as known at a
//! moment; it returns what it found (with the records it rests on), the questions that
//! must be asked, and when it wants to look again (for rules about something that has
//! *not* happened by a deadline). A rule has an id, a version (bumped whenever what it
//! finds changes), a level, the guidance or review lesson it encodes, the role that must
//! act and whether it blocks a decision. Parameters are in [`crate::config`]. No rule
//! knows anything of a particular case: they see only the record.
//!
//! The catalogue and its citations are listed for people in `docs/RULES.md`.

mod adults;
mod casework;
mod health;
mod injuries;
mod legal;

use jiff::Timestamp;

use crate::alerts::{Finding, Level, OwnerRole, RuleHeader};
use crate::child::ChildRecord;
use crate::config::RulesConfig;
use crate::questions::OpenQuestion;

/// What one rule concluded for one child.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub questions: Vec<OpenQuestion>,
    /// Look again at this moment (a deadline the rule is waiting on).
    pub recheck_at: Option<Timestamp>,
}

impl Evaluation {
    pub fn none() -> Self {
        Evaluation::default()
    }

    pub fn found(finding: Finding) -> Self {
        Evaluation {
            findings: vec![finding],
            ..Evaluation::default()
        }
    }

    pub fn recheck(mut self, at: Option<Timestamp>) -> Self {
        self.recheck_at = match (self.recheck_at, at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self
    }
}

pub struct Rule {
    pub id: &'static str,
    pub version: u32,
    pub title: &'static str,
    /// The guidance or review lesson the rule encodes.
    pub citation: &'static str,
    /// When it fires, in a sentence for the catalogue page.
    pub fires_when: &'static str,
    pub level: Level,
    pub owner: OwnerRole,
    pub blocking: bool,
    pub evaluate: fn(&ChildRecord<'_>, &RulesConfig) -> Evaluation,
}

impl Rule {
    pub fn header(&self) -> RuleHeader<'_> {
        RuleHeader {
            id: self.id,
            version: self.version,
            title: self.title,
            citation: self.citation,
            level: self.level,
            owner: self.owner,
            blocking: self.blocking,
        }
    }
}

/// Every rule, in the order they are evaluated.
pub static RULES: &[Rule] = &[
    injuries::NOT_INDEPENDENTLY_MOBILE,
    injuries::REPEAT_INJURY,
    injuries::INJURY_ON_PLAN,
    injuries::HEAD_INJURIES_TWO_AGENCIES,
    injuries::SERIOUS_INJURY_UNEXPLAINED,
    injuries::EXPLANATIONS_DIFFER,
    injuries::CUMULATIVE_INJURIES,
    adults::UNIDENTIFIED_ADULT,
    adults::UNKNOWN_ADULT_AT_HOME,
    adults::MARKED_ADULT_AT_HOME,
    adults::POLICE_AT_HOME_ON_PLAN,
    adults::MISSING_CHILD_AT_HOME,
    casework::CONTACTS_WITHOUT_CHANGE,
    casework::CHILD_NOT_SEEN,
    casework::NOT_BROUGHT,
    casework::ADDRESS_DISCREPANCY,
    legal::PLANNING_MEETING_OVERDUE,
    legal::RETURN_HOME_WHILE_CARER_ON_BAIL,
    legal::CHRONOLOGY_PACK,
    health::ROUTINE_TRIAGE_ON_PLAN,
    health::ASSESSMENT_NOT_DONE,
    health::EXAMINATION_NOT_COMPLETED,
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// A finding about the record's child, resting on `evidence`: due since the last of it
/// was recorded, and to be told to every agency that recorded it (closing the loop).
pub(crate) fn finding(
    record: &ChildRecord<'_>,
    summary: String,
    actions: Vec<String>,
    evidence: Vec<crate::alerts::Evidence>,
) -> Finding {
    Finding {
        subject: record.child.clone(),
        due_since: injuries::latest_recorded(&evidence),
        summary,
        actions,
        notify: agencies_of(&evidence),
        owner: None,
        level: None,
        evidence,
    }
}

/// Agencies to tell about a finding: those that recorded its evidence, in order.
pub(crate) fn agencies_of(
    evidence: &[crate::alerts::Evidence],
) -> Vec<vigil_domain::agency::AgencyCode> {
    let mut agencies = Vec::new();
    for e in evidence {
        if !agencies.contains(&e.agency) {
            agencies.push(e.agency.clone());
        }
    }
    agencies
}

#[cfg(test)]
mod tests;
