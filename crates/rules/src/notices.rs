//! Closing the loop: the agencies whose records were evidence for an alert hear what was
//! done about it. Serious case reviews keep finding referrers who never learned whether
//! anyone acted on what they reported, and so stopped reporting; a notice tells them who
//! acknowledged or closed the alert, when, and why.
//!
//! Notices are derived like everything else (from the alerts and the recorded responses
//! to them), so they replay; delivering them to an agency's system is the job of the
//! layers above (the API lists them per agency).

use jiff::Timestamp;
use serde::Serialize;
use vigil_domain::agency::AgencyCode;

use crate::alerts::{Alert, AlertId, Level};
use crate::casebook::PersonId;

/// What an agency is told about an alert its record contributed to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub at: Timestamp,
    pub agency: AgencyCode,
    pub alert: AlertId,
    pub rule: String,
    pub title: String,
    pub level: Level,
    pub child: PersonId,
    /// `acknowledged` or `closed`.
    pub action: &'static str,
    pub by: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_off_by: Option<String>,
}

/// One notice for each agency the alert names to be told, in the order they were named.
pub fn notices_for_action(
    alert: &Alert,
    action: &'static str,
    by: &str,
    reason: &str,
    signed_off_by: Option<&str>,
    at: Timestamp,
) -> Vec<Notice> {
    alert
        .notify
        .iter()
        .map(|agency| Notice {
            at,
            agency: agency.clone(),
            alert: alert.id.clone(),
            rule: alert.rule.clone(),
            title: alert.title.clone(),
            level: alert.level,
            child: alert.subject.clone(),
            action,
            by: by.to_string(),
            reason: reason.to_string(),
            signed_off_by: signed_off_by.map(str::to_string),
        })
        .collect()
}
