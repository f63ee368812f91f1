//! Break-glass over HTTP: a practitioner or team manager opens a child's record they
//! have no legitimate relationship with, giving a reason; the opening lasts a day, or
//! what the deployment configured (`[access] break_glass_hours`, carried in
//! [`crate::AccessSettings`]); the privacy officer sees every opening
//! in a review queue and records an outcome.
//!
//! The work is in plain functions ([`open_break_glass`], [`break_glass_queue`],
//! [`review_break_glass`], [`has_open_break_glass`]) that take the principal and check
//! access themselves, so the pages call them as the JSON handlers do; the handlers only
//! read bodies and write JSON.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vigil_access::break_glass::{self as rules, BreakGlassReason};
use vigil_access::{Access, Facts, Principal, ReviewOutcome};
use vigil_store::{BreakGlassOpening, BreakGlassReview, EventStore, ReviewedOpening};

use super::fields::Fields;
use super::{catch_up, now_to_the_microsecond, store_problem};
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

/// Whether `principal` holds a break-glass opening of `child`'s record that is still
/// open at `now`.
pub(crate) async fn has_open_break_glass<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    child: &str,
    now: Timestamp,
) -> Result<bool, Problem> {
    let latest = state
        .store
        .latest_break_glass(&principal.id, child)
        .await
        .map_err(|error| store_problem(error, ""))?;
    Ok(latest.is_some_and(|opening| rules::is_open(opening.expires_at, now)))
}

/// Opens `child`'s record for `principal` by break-glass, with `reason`. Refused (403)
/// to roles that may not break the glass; 422 naming `/reason` for a reason too short;
/// 404 for an unknown child; 409 when the principal has a legitimate relationship
/// already and needs no break-glass.
pub(crate) async fn open_break_glass<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    child: &str,
    reason: &str,
) -> Result<BreakGlassOpening, Problem> {
    check(principal, Access::BreakGlass, &Facts::default())?;
    let reason = BreakGlassReason::parse(reason).map_err(|error| {
        Problem::invalid_fields(vec![vigil_domain::FieldError::new(
            "/reason",
            error.to_string(),
        )])
    })?;
    catch_up(state).await?;
    {
        let casebook = state.casework.read().await;
        if !casebook.was_ever_child(child) {
            return Err(Problem::not_found(format!(
                "there is no child {child:?}; check the id with the person who asked you"
            )));
        }
        if super::casework::related(&casebook, principal, child) {
            return Err(Problem::new(
                StatusCode::CONFLICT,
                "break-glass-not-needed",
                "No break-glass needed",
                "you have a legitimate relationship with this child (your agency recorded events about them, or your team is involved with them): open the record as usual; break-glass is only for records you could not otherwise see",
            ));
        }
    }
    let opened_at = now_to_the_microsecond();
    let opening = BreakGlassOpening {
        id: Uuid::now_v7(),
        principal_id: principal.id.clone(),
        display_name: principal.name.clone(),
        role: principal.role,
        agency: principal.agency.clone(),
        child: child.to_string(),
        reason: reason.into_string(),
        opened_at,
        expires_at: rules::expires_at(opened_at, state.access.break_glass_lasts),
    };
    state
        .store
        .record_break_glass(&opening)
        .await
        .map_err(|error| store_problem(error, ""))?;
    tracing::warn!(
        principal = %opening.principal_id,
        child = %opening.child,
        opening = %opening.id,
        "a child's record was opened by break-glass"
    );
    Ok(opening)
}

/// One opening in the privacy officer's queue.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct QueueEntry {
    #[serde(flatten)]
    pub opening: ReviewedOpening,
    /// The child's name as Vigil shows it, so the reviewer knows whose record it was.
    pub child_name: String,
    /// Whether the opening still opens the record now.
    pub open: bool,
    /// The latest review's outcome, if reviewed.
    pub outcome: Option<ReviewOutcome>,
}

/// Every opening with its reviews, unreviewed first, then oldest first; only the
/// unreviewed ones with `unreviewed_only`. For the privacy officer.
pub(crate) async fn break_glass_queue<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    unreviewed_only: bool,
) -> Result<Vec<QueueEntry>, Problem> {
    check(principal, Access::ReviewBreakGlass, &Facts::default())?;
    let openings = state
        .store
        .break_glass_openings()
        .await
        .map_err(|error| store_problem(error, ""))?;
    let now = Timestamp::now();
    let casebook = state.casework.read().await;
    let mut queue: Vec<QueueEntry> = openings
        .into_iter()
        .filter(|o| !(unreviewed_only && o.is_reviewed()))
        .map(|opening| QueueEntry {
            child_name: casebook.display_name(&opening.opening.child),
            open: rules::is_open(opening.opening.expires_at, now),
            outcome: opening.reviews.last().map(|r| r.outcome),
            opening,
        })
        .collect();
    // Stable: within each group the store's order (oldest first) stays.
    queue.sort_by_key(|entry| entry.opening.is_reviewed());
    Ok(queue)
}

/// Records the privacy officer's `outcome` for opening `id`, with a `note`. Returns
/// the opening with all its reviews. 404 for an unknown opening; 422 naming `/note`
/// when the note is empty.
pub(crate) async fn review_break_glass<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    id: Uuid,
    outcome: ReviewOutcome,
    note: &str,
) -> Result<ReviewedOpening, Problem> {
    check(principal, Access::ReviewBreakGlass, &Facts::default())?;
    let note = note.trim();
    if note.is_empty() {
        return Err(Problem::invalid_fields(vec![
            vigil_domain::FieldError::new(
                "/note",
                "is required: say what you checked and why you reached this outcome",
            ),
        ]));
    }
    let known = state
        .store
        .break_glass_opening(id)
        .await
        .map_err(|error| store_problem(error, ""))?;
    if known.is_none() {
        return Err(not_found(id));
    }
    let review = BreakGlassReview {
        id: Uuid::now_v7(),
        opening: id,
        reviewer_id: principal.id.clone(),
        reviewer_name: principal.name.clone(),
        outcome,
        note: note.to_string(),
        at: now_to_the_microsecond(),
    };
    state
        .store
        .record_break_glass_review(&review)
        .await
        .map_err(|error| store_problem(error, ""))?;
    state
        .store
        .break_glass_opening(id)
        .await
        .map_err(|error| store_problem(error, ""))?
        .ok_or_else(|| not_found(id))
}

fn not_found(id: Uuid) -> Problem {
    Problem::not_found(format!(
        "there is no break-glass opening {id}; GET /api/v1/break-glass lists them"
    ))
}

/// `POST /api/v1/children/{id}/break-glass` with `{"reason": "..."}`: 201 and the
/// opening.
pub async fn open<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(child): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    // Refused before the body or the child is looked at, so a refusal says nothing
    // about whether there is such a child.
    check(&principal, Access::BreakGlass, &Facts::default())?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let mut fields = Fields::read(
        &value,
        &["reason"],
        "a break-glass request",
        "{\"reason\": \"...\"}",
    );
    let reason = fields.text(
        "reason",
        "is required: say why you need this child's record now; the privacy officer reviews it",
    );
    if !fields.errors.is_empty() {
        return Err(Problem::invalid_fields(fields.errors));
    }
    let opening =
        open_break_glass(&state, &principal, &child, reason.as_deref().unwrap_or("")).await?;
    Ok((StatusCode::CREATED, Json(opening)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    unreviewed: Option<String>,
}

/// `GET /api/v1/break-glass[?unreviewed=true]`: the privacy officer's queue.
pub async fn queue<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = query
        .map(|Query(q)| q)
        .map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))?;
    let unreviewed_only = match query.unreviewed.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Problem::bad_parameter(
                "unreviewed",
                format!("write true or false; found {other:?}"),
            ));
        }
    };
    let openings = break_glass_queue(&state, &principal, unreviewed_only).await?;
    Ok(Json(serde_json::json!({ "openings": openings })).into_response())
}

/// `POST /api/v1/break-glass/{id}/review` with `{"outcome": "...", "note": "..."}`: 201
/// and the opening with its reviews.
pub async fn review<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    check(&principal, Access::ReviewBreakGlass, &Facts::default())?;
    let id = Uuid::parse_str(&id).map_err(|_| {
        Problem::bad_parameter(
            "id",
            format!("a break-glass opening's id is a UUID; found {id:?}"),
        )
    })?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let mut fields = Fields::read(
        &value,
        &["outcome", "note"],
        "a break-glass review",
        "{\"outcome\": \"justified\", \"note\": \"...\"}",
    );
    let outcome = fields
        .text(
            "outcome",
            "is required: justified, not_justified or referred",
        )
        .and_then(|text| match text.parse::<ReviewOutcome>() {
            Ok(outcome) => Some(outcome),
            Err(error) => {
                fields.error("outcome", error.to_string());
                None
            }
        });
    let note = fields.text(
        "note",
        "is required: say what you checked and why you reached this outcome",
    );
    let (Some(outcome), Some(note), true) = (outcome, note, fields.errors.is_empty()) else {
        return Err(Problem::invalid_fields(fields.errors));
    };
    let reviewed = review_break_glass(&state, &principal, id, outcome, &note).await?;
    Ok((StatusCode::CREATED, Json(reviewed)).into_response())
}
