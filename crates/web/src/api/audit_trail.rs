//! `GET /api/v1/children/{id}/audit`: who looked at a child's record, for the privacy
//! officer. Every read and refusal of any address about the child (the API's and the
//! pages') is on the audit log under `child:<id>`; this reads them back, oldest first,
//! a page at a time. `audit_trail` does the work so the privacy page shows the same.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Json, Response};
use serde::Serialize;
use vigil_access::{Access, Facts, Principal};
use vigil_store::{AuditEntry, EventStore, Page};

use super::events::{read_page, refuse_unknown, store_problem};
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

/// A page of the trail.
#[derive(Debug, Serialize)]
pub struct AuditTrail {
    pub child: String,
    pub name: String,
    pub entries: Vec<AuditEntry>,
    /// The sequence to read on from, or `None` on the last page.
    pub next_after: Option<i64>,
}

/// The trail of child `id` from `page`, for `principal` (refused but for the privacy
/// officer). 404 for a child Vigil does not know.
pub(crate) async fn audit_trail<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
    page: Page,
) -> Result<AuditTrail, Problem> {
    check(principal, Access::ReadAuditTrail, &Facts::default())?;
    super::catch_up(state).await?;
    let name = {
        let casebook = state.casework.read().await;
        let known = casebook.children_ever().iter().any(|child| child == id);
        known.then(|| casebook.display_name(id))
    }
    .ok_or_else(|| Problem::not_found(format!("there is no child {id:?}")))?;
    let entries = state
        .store
        .audit_about(&format!("child:{id}"), page)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let next_after = (entries.len() == page.limit as usize)
        .then(|| entries.last().map(|e| e.sequence))
        .flatten();
    Ok(AuditTrail {
        child: id.to_string(),
        name,
        entries,
        next_after,
    })
}

pub async fn show<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(query) =
        query.map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))?;
    refuse_unknown(&query, &["after", "limit"])?;
    let page = read_page(&query)?;
    let trail = audit_trail(&state, &principal, &id, page).await?;
    Ok(Json(trail).into_response())
}
