//! Recording and reading events. Recording is idempotent on (agency, source system,
//! source id): a retry after a lost response is always safe.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Value, json};
use vigil_access::{Access, Facts, Principal};
use vigil_domain::{AgencyCode, EventId, FieldError, SourceKey, parse_event};
use vigil_store::{Appended, EventStore, IdentityRecordId, Page, StoreError};

use super::body::read_json;
use crate::AppState;
use crate::auth::check;
use crate::metrics::Metrics;
use crate::problem::Problem;

/// `POST /api/v1/events`: one event.
pub async fn record_one<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Extension(metrics): Extension<Metrics>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let value = read_json(&headers, body, state.limits.max_event_bytes).await?;
    let now = Timestamp::now();
    let event =
        parse_event(&value, "", now, &state.limits.event).map_err(Problem::invalid_fields)?;
    check(
        &principal,
        Access::RecordEvents,
        &agencies_of([&event.agency]),
    )?;
    let outcome = metrics
        .append(&state.store, vec![event], now)
        .await
        .map_err(|error| store_problem(error, ""))?;
    state.casework.wake();
    Ok(match outcome[0] {
        Appended::Created { id, sequence } => {
            let location = format!("/api/v1/events/{id}");
            let mut response = (
                StatusCode::CREATED,
                Json(json!({ "id": id, "sequence": sequence, "outcome": "created" })),
            )
                .into_response();
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).expect("ids are ASCII"),
            );
            response
        }
        Appended::AlreadyStored { id } => (
            StatusCode::OK,
            Json(json!({ "id": id, "outcome": "already_stored" })),
        )
            .into_response(),
    })
}

/// `POST /api/v1/events/batch`: up to 10,000 events, stored all together or not at all.
pub async fn record_batch<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Extension(metrics): Extension<Metrics>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let value = read_json(&headers, body, state.limits.max_batch_bytes).await?;
    let list = match &value {
        Value::Object(object) => {
            let unknown: Vec<FieldError> = object
                .keys()
                .filter(|key| key.as_str() != "events")
                .map(|key| {
                    FieldError::new(
                        format!("/{key}"),
                        "unknown field; a batch has only `events`",
                    )
                })
                .collect();
            if !unknown.is_empty() {
                return Err(Problem::invalid_fields(unknown));
            }
            match object.get("events") {
                Some(Value::Array(list)) => list,
                _ => {
                    return Err(Problem::invalid_fields(vec![FieldError::new(
                        "/events",
                        "is required: a list of events",
                    )]));
                }
            }
        }
        _ => {
            return Err(Problem::invalid_fields(vec![FieldError::new(
                "",
                "a batch is an object: {\"events\": [...]}",
            )]));
        }
    };
    if list.is_empty() {
        return Err(Problem::invalid_fields(vec![FieldError::new(
            "/events",
            "lists at least one event",
        )]));
    }
    let max = state.limits.max_batch_events;
    if list.len() > max {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-events",
            "The batch has too many events",
            format!(
                "a batch holds at most {max} events; this one has {}: split it",
                list.len()
            ),
        )
        .with("limit_events", max));
    }
    let now = Timestamp::now();
    let mut events = Vec::with_capacity(list.len());
    let mut errors = Vec::new();
    for (index, item) in list.iter().enumerate() {
        match parse_event(item, &format!("/events/{index}"), now, &state.limits.event) {
            Ok(event) => events.push(event),
            Err(found) => errors.extend(found),
        }
    }
    if !errors.is_empty() {
        let invalid_events = {
            let mut indexes: Vec<&str> = errors
                .iter()
                .filter_map(|e| e.field.split('/').nth(2))
                .collect();
            indexes.dedup();
            indexes.len()
        };
        let detail = format!(
            "{invalid_events} of {} events are invalid, so none was stored; each error is listed in `errors`",
            list.len()
        );
        return Err(Problem::invalid_fields(errors).with_detail(detail));
    }
    check(
        &principal,
        Access::RecordEvents,
        &agencies_of(events.iter().map(|e| &e.agency)),
    )?;
    let outcomes = metrics
        .append(&state.store, events, now)
        .await
        .map_err(|error| store_problem(error, "/events"))?;
    state.casework.wake();
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, Appended::Created { .. }))
        .count();
    let results: Vec<Value> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            Appended::Created { id, sequence } => {
                json!({ "index": index, "id": id, "sequence": sequence, "outcome": "created" })
            }
            Appended::AlreadyStored { id } => {
                json!({ "index": index, "id": id, "outcome": "already_stored" })
            }
        })
        .collect();
    Ok(Json(json!({ "created": created, "already_stored": outcomes.len() - created, "results": results })).into_response())
}

/// The facts for a decision about events recorded by these agencies.
fn agencies_of<'a>(agencies: impl IntoIterator<Item = &'a AgencyCode>) -> Facts {
    let mut list: Vec<AgencyCode> = agencies.into_iter().cloned().collect();
    list.sort();
    list.dedup();
    Facts {
        record_agencies: Some(list),
        ..Facts::default()
    }
}

/// What the store said, as a problem. `prefix` locates the event in the body.
pub(crate) fn store_problem(error: StoreError, prefix: &str) -> Problem {
    let at = |index: usize| {
        if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/{index}")
        }
    };
    match error {
        StoreError::Conflict { index, ref key, existing } => Problem::new(
            StatusCode::CONFLICT,
            "source-id-conflict",
            "A different record is stored under this source id",
            format!("{key} is already stored as event {existing} with different content. A record is never overwritten: to correct it, send a new event with its own source id and \"supersedes\": \"{existing}\""),
        )
        .with_errors(vec![FieldError::new(format!("{}/source_id", at(index)), "already used by a different record")])
        .with("existing_event", existing)
        .with("existing_event_location", format!("/api/v1/events/{existing}")),
        StoreError::DifferentRepeatInBatch { index, earlier, .. } => Problem::invalid_fields(vec![FieldError::new(
            format!("{}/source_id", at(index)),
            format!("the same agency, source system and source id as {} but different content: one record, one content", at(earlier)),
        )]),
        StoreError::UnknownSupersedes { index, .. } | StoreError::SupersedesOtherAgency { index, .. } => {
            let detail = error.to_string();
            Problem::invalid_fields(vec![FieldError::new(format!("{}/supersedes", at(index)), detail)])
        }
        StoreError::AlreadySuperseded { index, by, .. } => Problem::new(
            StatusCode::CONFLICT,
            "already-corrected",
            "The record was already corrected",
            error.to_string(),
        )
        .with_errors(vec![FieldError::new(format!("{}/supersedes", at(index)), format!("already corrected by {by}"))])
        .with("correction", by),
        StoreError::Unavailable(detail) => {
            tracing::warn!(%detail, "store unavailable");
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                "The event store is unavailable",
                "Vigil cannot reach its database just now, so this request may not have been stored. Send the same request again shortly: repeating it is always safe.",
            )
            .retry_after(5)
        }
        StoreError::Internal(detail) => {
            tracing::error!(%detail, "store failure");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "Vigil failed while storing; nothing of this request was stored. The failure is in the log under this request's id.",
            )
        }
    }
}

fn read_problem(error: StoreError) -> Problem {
    store_problem(error, "")
}

/// `GET /api/v1/events/{id}`.
pub async fn show<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let Path(id) = id.map_err(|rejection| Problem::bad_parameter("id", rejection.body_text()))?;
    let id = EventId::parse(&id).map_err(|_| {
        Problem::bad_parameter(
            "id",
            "an event id is a UUID such as 0190f5e2-7c4d-7b1a-9a55-3f0c2d8e4b61",
        )
    })?;
    let event = state.store.event(id).await.map_err(read_problem)?;
    let event = event.ok_or_else(|| Problem::not_found(format!("no event {id}")))?;
    check(
        &principal,
        Access::ReadEvents,
        &agencies_of([&event.event.agency]),
    )?;
    Ok(Json(event).into_response())
}

/// `GET /api/v1/identity-records/{id}`.
pub async fn identity_record<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let Path(id) = id.map_err(|rejection| Problem::bad_parameter("id", rejection.body_text()))?;
    let id = uuid::Uuid::parse_str(&id)
        .map_err(|_| Problem::bad_parameter("id", "an identity record id is a UUID"))?;
    let record = state
        .store
        .identity_record(IdentityRecordId(id))
        .await
        .map_err(read_problem)?;
    let record = record.ok_or_else(|| Problem::not_found(format!("no identity record {id}")))?;
    check(
        &principal,
        Access::ReadEvents,
        &agencies_of([&record.agency]),
    )?;
    Ok(Json(record).into_response())
}

/// The `after` (a sequence number) and `limit` of a listing, with their defaults.
pub(super) fn read_page(query: &HashMap<String, String>) -> Result<Page, Problem> {
    let after = match query.get("after") {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| Problem::bad_parameter("after", "a sequence number, 0 or more"))?,
        None => 0,
    };
    let limit = match query.get("limit") {
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| Problem::bad_parameter("limit", "a number from 1 to 1000"))?,
        None => 100,
    };
    Ok(Page { after, limit })
}

/// Refuses a parameter a listing does not take, naming those it does.
pub(super) fn refuse_unknown(
    query: &HashMap<String, String>,
    known: &[&str],
) -> Result<(), Problem> {
    match query.keys().find(|key| !known.contains(&key.as_str())) {
        Some(unknown) => Err(Problem::bad_parameter(
            unknown,
            format!(
                "unknown parameter; the parameters are: {}",
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

const LIST_PARAMETERS: &[&str] = &[
    "agency",
    "reference",
    "source_system",
    "source_id",
    "after",
    "limit",
    "include_superseded",
];

/// `GET /api/v1/events?agency=...`, with `reference` (the agency's own person
/// reference) or `source_system` and `source_id`, or neither for the agency's log.
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(query) =
        query.map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))?;
    refuse_unknown(&query, LIST_PARAMETERS)?;
    let agency = query
        .get("agency")
        .ok_or_else(|| Problem::bad_parameter("agency", "is required"))?;
    let agency = AgencyCode::parse(agency)
        .map_err(|error| Problem::bad_parameter("agency", error.to_string()))?;
    check(&principal, Access::ReadEvents, &agencies_of([&agency]))?;
    let page = read_page(&query)?;
    let limit = page.limit;
    let include_superseded = match query.get("include_superseded").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(Problem::bad_parameter(
                "include_superseded",
                "true or false",
            ));
        }
    };
    let events = match (query.get("reference"), query.get("source_system"), query.get("source_id")) {
        (Some(reference), None, None) => state.store.events_for_reference(&agency, reference, include_superseded, page).await,
        (None, Some(source_system), Some(source_id)) => {
            // A source key names at most one event: there is no next page.
            let key = SourceKey { agency, source_system: source_system.clone(), source_id: source_id.clone() };
            let found: Vec<_> = state.store.event_by_source(&key).await.map_err(read_problem)?.into_iter().collect();
            return Ok(Json(json!({ "events": found, "next_after": null })).into_response());
        }
        (None, None, None) => state.store.events_by_agency(&agency, include_superseded, page).await,
        _ => {
            return Err(Problem::bad_parameter(
                "reference",
                "give `reference`, or `source_system` with `source_id`, or neither (the agency's whole log)",
            ));
        }
    }
    .map_err(read_problem)?;
    let next_after = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.sequence))
        .flatten();
    Ok(Json(json!({ "events": events, "next_after": next_after })).into_response())
}
