//! `POST /api/v1/fhir`: a FHIR R4 Bundle from a health system, stored as Vigil events in
//! one atomic append. FHIR clients expect FHIR errors, so every refusal here is an
//! `OperationOutcome` (`application/fhir+json`) naming the element, never a problem
//! document. The agency is the caller's own unless the bundle's organisations name one;
//! either way the caller must be allowed to record for it, as for `POST /api/v1/events`.

use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Value, json};
use vigil_access::{Access, Facts, Principal};
use vigil_domain::AgencyCode;
use vigil_fhir::{
    ImportOptions, Issue, IssueCode, OperationOutcome, Severity, import_bundle as read_bundle,
};
use vigil_store::{Appended, EventStore, StoreError};

use super::body::read_json;
use super::store_problem;
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

const FHIR_JSON: &str = "application/fhir+json";

pub async fn import_bundle<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match import(state, principal, headers, body).await {
        Ok(response) => response,
        Err((status, outcome)) => outcome_response(status, &outcome),
    }
}

type Refusal = (StatusCode, OperationOutcome);

async fn import<S: EventStore>(
    state: AppState<S>,
    principal: Principal,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let value = read_json(&headers, body, state.limits.max_batch_bytes)
        .await
        .map_err(from_problem)?;
    let now = Timestamp::now();
    let options = ImportOptions {
        default_agency: principal.agency.clone(),
        now,
        limits: state.limits.event,
    };
    let imported = read_bundle(&value, &options)
        .map_err(|outcome| (StatusCode::UNPROCESSABLE_ENTITY, outcome))?;
    let mut agencies: Vec<AgencyCode> = imported.events.iter().map(|e| e.agency.clone()).collect();
    agencies.sort();
    agencies.dedup();
    let facts = Facts {
        record_agencies: Some(agencies),
        ..Facts::default()
    };
    check(&principal, Access::RecordEvents, &facts).map_err(from_problem)?;
    let outcomes = match state.store.append(imported.events.clone(), now).await {
        Ok(outcomes) => outcomes,
        Err(error) => return Err(store_refusal(error, &imported.entries)),
    };
    state.casework.wake();
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, Appended::Created { .. }))
        .count();
    let events: Vec<Value> = outcomes
        .iter()
        .zip(&imported.events)
        .zip(&imported.entries)
        .map(|((outcome, event), entry)| {
            let (id, stored) = match outcome {
                Appended::Created { id, .. } => (id, "created"),
                Appended::AlreadyStored { id } => (id, "already_stored"),
            };
            json!({
                "id": id,
                "outcome": stored,
                "kind": event.kind(),
                "source_id": event.source_id,
                "entry": entry,
            })
        })
        .collect();
    let status = if created > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = json!({
        "created": created,
        "already_stored": outcomes.len() - created,
        "events": events,
        "warnings": OperationOutcome::new(imported.warnings),
    });
    Ok((status, axum::Json(body)).into_response())
}

fn outcome_response(status: StatusCode, outcome: &OperationOutcome) -> Response {
    let body = serde_json::to_vec(outcome).expect("an OperationOutcome serialises");
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON));
    response
}

/// A problem (unreadable body, refused access, store failure) as an OperationOutcome
/// with the same status and words.
fn from_problem(problem: Problem) -> Refusal {
    let details = problem.details();
    let status = StatusCode::from_u16(details.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = match status {
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => IssueCode::Forbidden,
        StatusCode::CONFLICT => IssueCode::Conflict,
        StatusCode::PAYLOAD_TOO_LARGE => IssueCode::TooCostly,
        StatusCode::SERVICE_UNAVAILABLE => IssueCode::Transient,
        s if s.is_server_error() => IssueCode::Exception,
        _ => IssueCode::Structure,
    };
    let issue = Issue {
        severity: Severity::Error,
        code,
        diagnostics: format!("{}: {}", details.title, details.detail),
        expression: vec!["Bundle".to_string()],
    };
    (status, OperationOutcome::new(vec![issue]))
}

fn store_refusal(error: StoreError, entries: &[usize]) -> Refusal {
    let at = match &error {
        StoreError::Conflict { index, .. } | StoreError::DifferentRepeatInBatch { index, .. } => {
            Some(*index)
        }
        _ => None,
    };
    let (status, mut outcome) = from_problem(store_problem(error, ""));
    if let Some(index) = at {
        let entry = entries.get(index).copied().unwrap_or(index);
        outcome.issue[0].code = IssueCode::Duplicate;
        outcome.issue[0].expression = vec![format!("Bundle.entry[{entry}].resource.identifier")];
    }
    (status, outcome)
}
