//! The MASH's front-door decisions (an outcome for a referral or an alert, its
//! rationale, who takes it on and by when), as the store keeps them.
//!
//! An append-only log of its own, followed and replayed with the events like responses
//! to alerts, so what had been decided and assigned is part of the record as known at
//! any later moment. The store does not read the body: the rules crate owns its
//! meaning (`vigil_rules::FrontDoorDecision`), as it owns the derivations'. The columns
//! beside it (the item decided, who decided, when) are what a look-up needs.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::StoreError;

/// One front-door decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontDoorEntry {
    pub id: Uuid,
    /// What was decided about, as `alert:ID` or `referral:EVENT-ID`.
    pub item: String,
    /// The account id of who decided.
    pub by_id: String,
    pub at: Timestamp,
    pub body: serde_json::Value,
}

impl FrontDoorEntry {
    /// The body as the backends store it: JSON text.
    pub fn body_text(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.body).map_err(|e| StoreError::Internal(e.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredFrontDoorEntry {
    pub sequence: i64,
    pub entry: FrontDoorEntry,
}

/// The columns both backends read back: sequence, id, item, by_id, at_us, body text.
pub type FrontDoorColumns = (i64, String, String, String, i64, String);

pub fn entry_from_columns(
    (sequence, id, item, by_id, at_us, body): FrontDoorColumns,
) -> Result<StoredFrontDoorEntry, StoreError> {
    let bad =
        |what: String| StoreError::Internal(format!("front-door decision {sequence}: {what}"));
    Ok(StoredFrontDoorEntry {
        sequence,
        entry: FrontDoorEntry {
            id: Uuid::parse_str(&id).map_err(|e| bad(e.to_string()))?,
            item,
            by_id,
            at: Timestamp::from_microsecond(at_us).map_err(|e| bad(e.to_string()))?,
            body: serde_json::from_str(&body).map_err(|e| bad(e.to_string()))?,
        },
    })
}
