//! People's decisions about pairs of identity records, as the store keeps them.
//!
//! The model sends pairs it cannot decide to a review queue; a MASH analyst or a team
//! manager decides that two records are the same person (`link`) or are not
//! (`keep_apart`), with a reason. The decisions are an append-only log of their own,
//! replayed with the events in time order, so persons as they were known at any moment
//! (a merge, a split) are rebuilt exactly, and who decided what, and why, stays on the
//! record.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkageDecisionKind {
    /// The two records are the same person.
    Link,
    /// The two records are different people.
    KeepApart,
}

impl LinkageDecisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkageDecisionKind::Link => "link",
            LinkageDecisionKind::KeepApart => "keep_apart",
        }
    }
}

impl fmt::Display for LinkageDecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown decision {0:?}; the decisions are: link, keep_apart")]
pub struct DecisionParseError(pub String);

impl FromStr for LinkageDecisionKind {
    type Err = DecisionParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "link" => Ok(LinkageDecisionKind::Link),
            "keep_apart" => Ok(LinkageDecisionKind::KeepApart),
            _ => Err(DecisionParseError(text.to_string())),
        }
    }
}

/// One person's decision about one pair of identity records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkageDecision {
    pub id: Uuid,
    /// The identity records, as the casebook names them (`{event id}.{position}`).
    pub left: String,
    pub right: String,
    pub decision: LinkageDecisionKind,
    /// Who decided: the principal's id and name.
    pub by_id: String,
    pub by_name: String,
    pub reason: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLinkageDecision {
    pub sequence: i64,
    #[serde(flatten)]
    pub decision: LinkageDecision,
}

/// The columns of a decision row: sequence, id, left, right, decision, by id, by name,
/// reason, microseconds.
pub type DecisionColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
);

pub fn decision_from_columns(row: DecisionColumns) -> Result<StoredLinkageDecision, StoreError> {
    let (sequence, id, left, right, decision, by_id, by_name, reason, at_us) = row;
    Ok(StoredLinkageDecision {
        sequence,
        decision: LinkageDecision {
            id: Uuid::parse_str(&id)
                .map_err(|error| StoreError::Internal(format!("stored id {id:?}: {error}")))?,
            left,
            right,
            decision: decision
                .parse()
                .map_err(|error| StoreError::Internal(format!("stored decision: {error}")))?,
            by_id,
            by_name,
            reason,
            at: crate::accounts::moment_column(at_us)?,
        },
    })
}
