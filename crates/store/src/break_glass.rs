//! Break-glass openings and their reviews, as the store keeps them.
//!
//! Two append-only logs: an opening is never changed or withdrawn (it expires by its
//! own date), and a review is a new row naming the opening, so the record shows who
//! opened what, why, and what the privacy officer concluded, at any later moment. The
//! rules (how long an opening lasts, what a reason needs) are `vigil_access::break_glass`.

use jiff::Timestamp;
use serde::Serialize;
use uuid::Uuid;
use vigil_access::{ReviewOutcome, Role};
use vigil_domain::AgencyCode;

use crate::StoreError;

/// Someone opened a child's record without a legitimate relationship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakGlassOpening {
    pub id: Uuid,
    /// Who opened it: the principal's id, name, role and agency at the time.
    pub principal_id: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    /// The child's person id.
    pub child: String,
    pub reason: String,
    pub opened_at: Timestamp,
    pub expires_at: Timestamp,
}

/// The privacy officer's conclusion about an opening. An opening may be reviewed more
/// than once (`referred`, then an outcome); the latest review is the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakGlassReview {
    pub id: Uuid,
    pub opening: Uuid,
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub outcome: ReviewOutcome,
    pub note: String,
    pub at: Timestamp,
}

/// An opening with its reviews, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewedOpening {
    #[serde(flatten)]
    pub opening: BreakGlassOpening,
    pub reviews: Vec<BreakGlassReview>,
}

impl ReviewedOpening {
    pub fn is_reviewed(&self) -> bool {
        !self.reviews.is_empty()
    }
}

/// The columns of an opening row: id, principal id, display name, role, agency, child,
/// reason, opened and expiry microseconds.
pub type OpeningColumns = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

/// The columns of a review row: id, opening id, reviewer id and name, outcome, note,
/// microseconds.
pub type ReviewColumns = (String, String, String, String, String, String, i64);

fn uuid_column(text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text)
        .map_err(|error| StoreError::Internal(format!("stored id {text:?}: {error}")))
}

pub fn opening_from_columns(row: OpeningColumns) -> Result<BreakGlassOpening, StoreError> {
    let (id, principal_id, display_name, role, agency, child, reason, opened_us, expires_us) = row;
    Ok(BreakGlassOpening {
        id: uuid_column(&id)?,
        principal_id,
        display_name,
        role: crate::accounts::role_column(&role)?,
        agency: crate::accounts::agency_column(agency)?,
        child,
        reason,
        opened_at: crate::accounts::moment_column(opened_us)?,
        expires_at: crate::accounts::moment_column(expires_us)?,
    })
}

pub fn review_from_columns(row: ReviewColumns) -> Result<BreakGlassReview, StoreError> {
    let (id, opening, reviewer_id, reviewer_name, outcome, note, at_us) = row;
    Ok(BreakGlassReview {
        id: uuid_column(&id)?,
        opening: uuid_column(&opening)?,
        reviewer_id,
        reviewer_name,
        outcome: outcome
            .parse()
            .map_err(|error| StoreError::Internal(format!("stored outcome: {error}")))?,
        note,
        at: crate::accounts::moment_column(at_us)?,
    })
}

/// Puts each review under its opening, keeping both in the order given.
pub fn with_reviews(
    openings: Vec<BreakGlassOpening>,
    reviews: Vec<BreakGlassReview>,
) -> Vec<ReviewedOpening> {
    let mut list: Vec<ReviewedOpening> = openings
        .into_iter()
        .map(|opening| ReviewedOpening {
            opening,
            reviews: Vec::new(),
        })
        .collect();
    let position: std::collections::HashMap<Uuid, usize> = list
        .iter()
        .enumerate()
        .map(|(i, o)| (o.opening.id, i))
        .collect();
    for review in reviews {
        if let Some(&i) = position.get(&review.opening) {
            list[i].reviews.push(review);
        }
    }
    list
}
