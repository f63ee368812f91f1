//! The derivations log over HTTP: every conclusion Vigil drew from the events (linkage
//! decisions, place resolutions, alerts raised and updated, questions asked, agencies
//! told what was done), in the order it was written down. A reviewer reads it to see
//! what Vigil concluded at the time, whatever the rules conclude today.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use vigil_store::EventStore;

use super::events::{read_page, refuse_unknown, store_problem};
use crate::AppState;
use crate::problem::Problem;

const PARAMETERS: &[&str] = &["after", "limit"];

/// `GET /api/v1/derivations?after=&limit=`
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(query) =
        query.map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))?;
    refuse_unknown(&query, PARAMETERS)?;
    let page = read_page(&query)?;
    // Read your writes: what is stored is taken, and what it led to written down,
    // before the log is read.
    state
        .casework
        .catch_up(&state.store)
        .await
        .map_err(|error| store_problem(error, ""))?;
    state
        .casework
        .store_derivations(&state.store)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let entries = state
        .store
        .derivations_after(page)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let next_after = (entries.len() == page.limit as usize)
        .then(|| entries.last().map(|e| e.sequence))
        .flatten();
    let entries: Vec<_> = entries
        .into_iter()
        .map(|e| {
            json!({
                "sequence": e.sequence, "kind": e.kind, "at": e.at,
                "stored_at": e.stored_at, "key": e.key, "derivation": e.body,
            })
        })
        .collect();
    Ok(Json(json!({ "derivations": entries, "next_after": next_after })).into_response())
}
