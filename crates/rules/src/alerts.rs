//! Alerts: a rule's finding about a child, addressed to a role with a deadline.
//!
//! Alert fatigue kills safeguarding systems, so there is one open alert per rule and
//! child: when the rule fires again the open alert is updated with the new evidence
//! rather than a second one raised. An alert records when it became due given what was
//! known, who must act and by when; acknowledging it records who and why; an alert at
//! suspect level or above cannot be closed without a reason and a manager's sign-off;
//! an alert left unacknowledged past its deadline escalates to the team manager and
//! then to the emergency duty team. Nothing in the ledger is rewritten: every change is
//! an entry in the alert's history.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vigil_domain::agency::AgencyCode;
use vigil_domain::event::EventId;
use vigil_domain::time::OccurredAt;

use crate::casebook::PersonId;
use crate::config::Deadlines;

/// How serious: the three levels of NICE CG89's language, with a RAG colour each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Green: consider maltreatment, look for more information.
    Consider,
    /// Amber: suspect maltreatment, refer.
    Suspect,
    /// Red: a child may be in immediate danger.
    ImmediateDanger,
}

impl Level {
    pub fn colour(self) -> &'static str {
        match self {
            Level::Consider => "green",
            Level::Suspect => "amber",
            Level::ImmediateDanger => "red",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Consider => "consider",
            Level::Suspect => "suspect",
            Level::ImmediateDanger => "immediate danger",
        }
    }
}

/// Who must act on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerRole {
    /// The child's allocated social worker (the MASH until one is allocated).
    KeyWorker,
    /// The multi-agency safeguarding hub's front door.
    MashAnalyst,
    TeamManager,
    EmergencyDutyTeam,
    /// The police child abuse investigation team.
    PoliceChildAbuseTeam,
    /// The safeguarding lead of the health service that recorded the finding.
    HealthSafeguardingLead,
    /// The council's legal services.
    LegalServices,
}

impl OwnerRole {
    pub fn label(self) -> &'static str {
        match self {
            OwnerRole::KeyWorker => "key worker",
            OwnerRole::MashAnalyst => "MASH analyst",
            OwnerRole::TeamManager => "team manager",
            OwnerRole::EmergencyDutyTeam => "emergency duty team",
            OwnerRole::PoliceChildAbuseTeam => "police child abuse investigation team",
            OwnerRole::HealthSafeguardingLead => "health safeguarding lead",
            OwnerRole::LegalServices => "legal services",
        }
    }
}

/// One record an alert rests on, and what it showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub event: EventId,
    pub agency: AgencyCode,
    pub occurred_at: OccurredAt,
    pub recorded_at: Timestamp,
    /// What this record contributes, in a sentence.
    pub shows: String,
    /// When the alert first rested on this record (set by the ledger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noted_at: Option<Timestamp>,
}

/// What a rule concluded about a child at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub subject: PersonId,
    /// When the finding became true given what was recorded: the recording time of the
    /// evidence that completed it, or the moment a deadline passed.
    pub due_since: Timestamp,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// What to do, in order.
    pub actions: Vec<String>,
    /// Agencies to be told: the ones that recorded the evidence, so the loop closes.
    pub notify: Vec<AgencyCode>,
    /// Raise the rule's level for this finding (never lower it).
    pub level: Option<Level>,
    /// The owner when it differs from the rule's (health findings go to the health
    /// service that made them).
    pub owner: Option<OwnerRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertId(pub String);

impl std::fmt::Display for AlertId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum AlertStatus {
    Open,
    Acknowledged {
        by: String,
        at: Timestamp,
        reason: String,
    },
    Closed {
        by: String,
        at: Timestamp,
        reason: String,
        signed_off_by: Option<String>,
    },
}

/// One change in an alert's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEntry {
    pub at: Timestamp,
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub rule: String,
    pub rule_version: u32,
    pub title: String,
    pub citation: String,
    pub level: Level,
    pub subject: PersonId,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub actions: Vec<String>,
    pub owner: OwnerRole,
    pub notify: Vec<AgencyCode>,
    /// When it became due given what was known then.
    pub due_since: Timestamp,
    /// When Vigil raised it.
    pub raised_at: Timestamp,
    pub updated_at: Timestamp,
    /// Act by then.
    pub deadline: Timestamp,
    /// A blocking alert stands in the way of a decision (a return home) until cleared.
    pub blocking: bool,
    pub status: AlertStatus,
    pub history: Vec<AlertEntry>,
}

impl Alert {
    pub fn is_open(&self) -> bool {
        !matches!(self.status, AlertStatus::Closed { .. })
    }

    /// Who holds the alert at `now`: its owner until the deadline, then the team
    /// manager, then the emergency duty team. Acknowledged and closed alerts do not
    /// escalate.
    pub fn holder_at(&self, now: Timestamp, deadlines: &Deadlines) -> OwnerRole {
        if !matches!(self.status, AlertStatus::Open) || now <= self.deadline {
            return self.owner;
        }
        let duty =
            crate::calendar::plus_hours(self.deadline, deadlines.escalate_to_duty_team_after_hours);
        if now > duty {
            OwnerRole::EmergencyDutyTeam
        } else {
            OwnerRole::TeamManager
        }
    }

    pub fn is_overdue(&self, now: Timestamp) -> bool {
        matches!(self.status, AlertStatus::Open) && now > self.deadline
    }
}

/// Why an action on an alert was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertActionError {
    #[error("there is no alert {0}")]
    NoSuchAlert(String),
    #[error("alert {0} is already closed")]
    AlreadyClosed(String),
    #[error("a reason is required")]
    ReasonRequired,
    #[error(
        "alert {0} is at {1} level: closing it needs a team manager's sign-off (signed_off_by)"
    )]
    SignOffRequired(String, &'static str),
}

/// A rule's fixed description, for the ledger.
#[derive(Debug, Clone, Copy)]
pub struct RuleHeader<'a> {
    pub id: &'a str,
    pub version: u32,
    pub title: &'a str,
    pub citation: &'a str,
    pub level: Level,
    pub owner: OwnerRole,
    pub blocking: bool,
}

/// What happened to the ledger when a finding was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum AlertChange {
    Raised { alert: AlertId },
    Updated { alert: AlertId, new_evidence: usize },
}

/// Every alert ever raised, in the order raised.
#[derive(Debug, Clone, Default)]
pub struct AlertLedger {
    alerts: Vec<Alert>,
}

impl AlertLedger {
    pub fn all(&self) -> &[Alert] {
        &self.alerts
    }

    pub fn get(&self, id: &AlertId) -> Option<&Alert> {
        self.alerts.iter().find(|a| &a.id == id)
    }

    fn open_for(&mut self, rule: &str, subject: &PersonId) -> Option<&mut Alert> {
        self.alerts
            .iter_mut()
            .rev()
            .find(|a| a.rule == rule && &a.subject == subject && a.is_open())
    }

    /// Opens an alert for a new finding, or updates the open one of the same rule and
    /// child when the finding brings evidence it does not have.
    pub fn apply(
        &mut self,
        rule: RuleHeader<'_>,
        finding: Finding,
        now: Timestamp,
        deadlines: &Deadlines,
    ) -> Option<AlertChange> {
        let level = finding.level.map_or(rule.level, |l| l.max(rule.level));
        if let Some(open) = self.open_for(rule.id, &finding.subject) {
            let new: Vec<Evidence> = finding
                .evidence
                .into_iter()
                .filter(|e| !open.evidence.iter().any(|o| o.event == e.event))
                .map(|e| Evidence {
                    noted_at: Some(now),
                    ..e
                })
                .collect();
            if new.is_empty() && level <= open.level {
                return None;
            }
            let count = new.len();
            open.evidence.extend(new);
            open.summary = finding.summary;
            open.actions = finding.actions;
            for agency in finding.notify {
                if !open.notify.contains(&agency) {
                    open.notify.push(agency);
                }
            }
            open.updated_at = now;
            if level > open.level {
                open.level = level;
                open.deadline = crate::calendar::plus_hours(now, deadlines.hours(level));
            }
            open.history.push(AlertEntry {
                at: now,
                what: format!("updated: {count} new record(s) of evidence"),
                by: None,
            });
            return Some(AlertChange::Updated {
                alert: open.id.clone(),
                new_evidence: count,
            });
        }
        // A closed alert is not raised again on the evidence it was closed on.
        let already_seen = self
            .alerts
            .iter()
            .rev()
            .find(|a| a.rule == rule.id && a.subject == finding.subject)
            .is_some_and(|closed| {
                finding
                    .evidence
                    .iter()
                    .all(|e| closed.evidence.iter().any(|c| c.event == e.event))
            });
        if already_seen {
            return None;
        }
        // Stable across replays and catalogue changes: the rule, the child, and how many
        // alerts of that rule the child had before.
        let earlier = self
            .alerts
            .iter()
            .filter(|a| a.rule == rule.id && a.subject == finding.subject)
            .count();
        let id = AlertId(format!("{}.{}.{}", rule.id, finding.subject, earlier + 1));
        self.alerts.push(Alert {
            id: id.clone(),
            rule: rule.id.to_string(),
            rule_version: rule.version,
            title: rule.title.to_string(),
            citation: rule.citation.to_string(),
            level,
            subject: finding.subject,
            summary: finding.summary,
            evidence: finding
                .evidence
                .into_iter()
                .map(|e| Evidence {
                    noted_at: Some(now),
                    ..e
                })
                .collect(),
            actions: finding.actions,
            owner: finding.owner.unwrap_or(rule.owner),
            notify: finding.notify,
            due_since: finding.due_since,
            raised_at: now,
            updated_at: now,
            deadline: crate::calendar::plus_hours(now, deadlines.hours(level)),
            blocking: rule.blocking,
            status: AlertStatus::Open,
            history: vec![AlertEntry {
                at: now,
                what: "raised".to_string(),
                by: None,
            }],
        });
        Some(AlertChange::Raised { alert: id })
    }

    /// Records that someone has seen the alert and is acting on it.
    pub fn acknowledge(
        &mut self,
        id: &AlertId,
        by: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<(), AlertActionError> {
        let alert = self.alert_mut(id)?;
        if reason.trim().is_empty() {
            return Err(AlertActionError::ReasonRequired);
        }
        alert.status = AlertStatus::Acknowledged {
            by: by.to_string(),
            at,
            reason: reason.to_string(),
        };
        alert.history.push(AlertEntry {
            at,
            what: format!("acknowledged: {reason}"),
            by: Some(by.to_string()),
        });
        Ok(())
    }

    /// Closes an alert. Always needs a reason; at suspect level and above, a manager's
    /// sign-off too.
    pub fn close(
        &mut self,
        id: &AlertId,
        by: &str,
        reason: &str,
        signed_off_by: Option<&str>,
        at: Timestamp,
    ) -> Result<(), AlertActionError> {
        let alert = self.alert_mut(id)?;
        if reason.trim().is_empty() {
            return Err(AlertActionError::ReasonRequired);
        }
        let signed_off_by = signed_off_by.filter(|s| !s.trim().is_empty());
        if alert.level >= Level::Suspect && signed_off_by.is_none() {
            return Err(AlertActionError::SignOffRequired(
                id.0.clone(),
                alert.level.label(),
            ));
        }
        alert.status = AlertStatus::Closed {
            by: by.to_string(),
            at,
            reason: reason.to_string(),
            signed_off_by: signed_off_by.map(str::to_string),
        };
        alert.history.push(AlertEntry {
            at,
            what: match signed_off_by {
                Some(manager) => format!("closed: {reason} (signed off by {manager})"),
                None => format!("closed: {reason}"),
            },
            by: Some(by.to_string()),
        });
        Ok(())
    }

    /// Adds a person's entry to an open alert's history without changing its status (a
    /// front-door decision about an alert already acknowledged).
    pub fn note(
        &mut self,
        id: &AlertId,
        by: &str,
        what: String,
        at: Timestamp,
    ) -> Result<(), AlertActionError> {
        let alert = self.alert_mut(id)?;
        alert.history.push(AlertEntry {
            at,
            what,
            by: Some(by.to_string()),
        });
        Ok(())
    }

    fn alert_mut(&mut self, id: &AlertId) -> Result<&mut Alert, AlertActionError> {
        let alert = self
            .alerts
            .iter_mut()
            .find(|a| &a.id == id)
            .ok_or_else(|| AlertActionError::NoSuchAlert(id.0.clone()))?;
        if !alert.is_open() {
            return Err(AlertActionError::AlreadyClosed(id.0.clone()));
        }
        Ok(alert)
    }
}
