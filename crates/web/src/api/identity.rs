//! Identity over HTTP: the linkage review queue (pairs of identity records the model
//! could not decide, side by side with the waterfall of match weights), a person's
//! decision about a pair (link, or keep apart, always with a reason), and a person's
//! records as each agency holds them with why each was linked.
//!
//! Decisions are stored in the append-only linkage-decisions log and reach the
//! casebook through the pipeline, like responses to alerts, so a replay reproduces
//! every merge and split. The work is in plain functions ([`review_queue`],
//! [`decide_pair`], [`person_identity`]) that check access themselves, for the pages
//! and the JSON handlers alike.

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;
use vigil_access::{Access, Facts, Principal};
use vigil_domain::FieldError;
use vigil_linkage::PersonChange;
use vigil_rules::linkage_review::{PersonIdentity, ReviewQueuePair};
use vigil_rules::{PairDecision, PairDecisionError};
use vigil_store::{EventStore, LinkageDecision, LinkageDecisionKind};

use super::fields::Fields;
use super::{catch_up, store_problem};
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

/// Every pair waiting for a person's decision, for a MASH analyst or a team manager.
pub(crate) async fn review_queue<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
) -> Result<Vec<ReviewQueuePair>, Problem> {
    check(principal, Access::ReviewLinkage, &Facts::default())?;
    catch_up(state).await?;
    Ok(state.casework.read().await.review_queue())
}

/// A decision taken: what was stored, and the persons each record belongs to after it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DecidedPair {
    pub decision: LinkageDecision,
    pub left_person: Option<String>,
    pub right_person: Option<String>,
    /// The merges and splits that followed.
    pub changes: Vec<PersonChange>,
}

/// Records `principal`'s decision that identity records `left` and `right` are the same
/// person (`Link`) or are not (`KeepApart`), with `reason`. 404 when either record is
/// unknown; 409 when it contradicts earlier decisions; 422 naming `/reason` without one.
pub(crate) async fn decide_pair<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    left: &str,
    right: &str,
    decision: LinkageDecisionKind,
    reason: &str,
) -> Result<DecidedPair, Problem> {
    check(principal, Access::ReviewLinkage, &Facts::default())?;
    let pair = PairDecision {
        left: left.to_string(),
        right: right.to_string(),
        same_person: decision == LinkageDecisionKind::Link,
        by: principal.name.clone(),
        reason: reason.trim().to_string(),
        at: super::now_to_the_microsecond(),
    };
    catch_up(state).await?;
    state
        .casework
        .read()
        .await
        .check_pair(&pair)
        .map_err(pair_problem)?;
    let stored = LinkageDecision {
        id: Uuid::now_v7(),
        left: pair.left.clone(),
        right: pair.right.clone(),
        decision,
        by_id: principal.id.clone(),
        by_name: principal.name.clone(),
        reason: pair.reason.clone(),
        at: pair.at,
    };
    state
        .store
        .record_linkage_decision(&stored)
        .await
        .map_err(|error| store_problem(error, ""))?;
    catch_up(state).await?;
    let casebook = state.casework.read().await;
    // What the casebook concluded from this decision: its entry in the derivation log,
    // at or near the end.
    let changes = casebook
        .derivations()
        .iter()
        .rev()
        .find_map(|d| match d {
            vigil_rules::Derivation::LinkageReviewed {
                left,
                right,
                at,
                changes,
                ..
            } if *left == stored.left && *right == stored.right && *at == stored.at => {
                Some(changes.clone())
            }
            _ => None,
        })
        .unwrap_or_default();
    Ok(DecidedPair {
        left_person: casebook.person_of_record(&stored.left).map(str::to_string),
        right_person: casebook.person_of_record(&stored.right).map(str::to_string),
        decision: stored,
        changes,
    })
}

fn pair_problem(error: PairDecisionError) -> Problem {
    match &error {
        PairDecisionError::UnknownRecord(record) => {
            Problem::not_found(error.to_string()).with("record", record)
        }
        PairDecisionError::SameRecord(..) | PairDecisionError::Contradicts(..) => Problem::new(
            StatusCode::CONFLICT,
            "linkage-decision-contradicts",
            "The decision contradicts earlier decisions",
            error.to_string(),
        ),
        PairDecisionError::ReasonRequired => {
            Problem::invalid_fields(vec![FieldError::new("/reason", error.to_string())])
        }
    }
}

/// A person's identity records as each agency holds them, and why each was linked to
/// the person's first record. Refused before whether the person exists is looked at.
pub(crate) async fn person_identity<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    person: &str,
) -> Result<PersonIdentity, Problem> {
    catch_up(state).await?;
    let casebook = state.casework.read().await;
    let facts = Facts {
        relationship: Some(super::casework::related(&casebook, principal, person)),
        ..Facts::default()
    };
    check(principal, Access::ReadPerson, &facts)?;
    casebook.identity_of(person).ok_or_else(|| {
        Problem::not_found(format!(
            "there is no person {person:?}; a person's id is the id of their first identity record"
        ))
    })
}

/// `GET /api/v1/review-queue`
pub async fn queue<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, Problem> {
    let pairs = review_queue(&state, &principal).await?;
    Ok(Json(serde_json::json!({ "pairs": pairs })).into_response())
}

/// `POST /api/v1/review-queue/decisions` with `{"left", "right", "decision", "reason"}`:
/// 201 and the decision with the persons after it. Who decided is the authenticated
/// principal, never a field of the body.
pub async fn decide<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    check(&principal, Access::ReviewLinkage, &Facts::default())?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let mut fields = Fields::read(
        &value,
        &["left", "right", "decision", "reason"],
        "a linkage decision",
        "{\"left\": \"RECORD\", \"right\": \"RECORD\", \"decision\": \"link\" or \"keep_apart\", \"reason\": \"...\"}",
    );
    let left = fields.text(
        "left",
        "is required: the id of one identity record of the pair",
    );
    let right = fields.text(
        "right",
        "is required: the id of the other identity record of the pair",
    );
    let decision = fields
        .text("decision", "is required: link or keep_apart")
        .and_then(|text| match text.parse::<LinkageDecisionKind>() {
            Ok(decision) => Some(decision),
            Err(error) => {
                fields.error("decision", error.to_string());
                None
            }
        });
    let reason = fields.text(
        "reason",
        "is required: a linkage decision is never recorded without one",
    );
    if let (Some(left), Some(right)) = (&left, &right)
        && left == right
    {
        fields.error("right", "is the same record as left: name two records");
    }
    let (Some(left), Some(right), Some(decision), Some(reason), true) =
        (left, right, decision, reason, fields.errors.is_empty())
    else {
        return Err(Problem::invalid_fields(fields.errors));
    };
    let decided = decide_pair(&state, &principal, &left, &right, decision, &reason).await?;
    Ok((StatusCode::CREATED, Json(decided)).into_response())
}

/// `GET /api/v1/persons/{id}`
pub async fn person<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let identity = person_identity(&state, &principal, &id).await?;
    Ok(Json(identity).into_response())
}
