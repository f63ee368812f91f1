//! The front door over HTTP: a MASH analyst's or team manager's decision about a
//! referral or an alert (the outcome, the rationale) and who takes it on by when, and
//! the decisions taken.
//!
//! Decisions are stored in the append-only front-door log and reach the casebook
//! through the pipeline, like responses to alerts, so a replay shows what had been
//! decided and assigned as known then. The work is in plain functions ([`decide`],
//! [`parse_request`]) that check access themselves, for the pages and the JSON
//! handlers alike.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_access::{Access, Facts, Principal};
use vigil_domain::{EventId, FieldError};
use vigil_rules::front_door::{
    Assignment, FrontDoorError, FrontDoorItem, MashOutcome, child_of, is_outstanding,
};
use vigil_rules::{AlertId, Casebook, FrontDoorDecision, OwnerRole};
use vigil_store::{EventStore, FrontDoorEntry};

use super::casework::{AsAt, list_decision, read_query, shown, with_casebook};
use super::fields::Fields;
use super::{catch_up, store_problem};
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

/// The roles work can be assigned to, by wire name.
pub(crate) const ASSIGNABLE: [OwnerRole; 7] = [
    OwnerRole::KeyWorker,
    OwnerRole::MashAnalyst,
    OwnerRole::TeamManager,
    OwnerRole::EmergencyDutyTeam,
    OwnerRole::PoliceChildAbuseTeam,
    OwnerRole::HealthSafeguardingLead,
    OwnerRole::LegalServices,
];

/// An owner role's wire name (`key_worker`).
pub(crate) fn role_wire_name(role: OwnerRole) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_role(text: &str) -> Option<OwnerRole> {
    ASSIGNABLE.into_iter().find(|r| role_wire_name(*r) == text)
}

/// A decision as asked for, read and checked field by field, before the casebook or
/// the store is looked at.
pub(crate) struct DecisionRequest {
    pub item: FrontDoorItem,
    pub outcome: MashOutcome,
    pub rationale: String,
    pub assign_role: Option<OwnerRole>,
    pub assign_person: Option<String>,
    pub due_by: Option<Timestamp>,
}

/// The fields of a decision, as the API's JSON and the page's form both send them.
pub(crate) const FIELDS: [&str; 7] = [
    "alert",
    "referral",
    "outcome",
    "rationale",
    "assign_role",
    "assign_person",
    "due_by",
];

/// Reads a decision from a JSON object of text fields; every wrong field is named.
pub(crate) fn parse_request(value: &Value) -> Result<DecisionRequest, Problem> {
    let mut fields = Fields::read(
        value,
        &FIELDS,
        "a front-door decision",
        "{\"alert\": \"ALERT\" or \"referral\": \"EVENT\", \"outcome\": \"strategy_discussion\", \"rationale\": \"...\", \"assign_role\": \"key_worker\", \"assign_person\": \"USER\", \"due_by\": \"2026-01-01T17:00:00Z\"}",
    );
    let alert = fields.optional_text("alert");
    let referral = fields.optional_text("referral");
    let item = match (alert, referral) {
        (Some(alert), None) => Some(FrontDoorItem::Alert(AlertId(alert))),
        (None, Some(referral)) => match EventId::parse(&referral) {
            Ok(event) => Some(FrontDoorItem::Referral(event)),
            Err(_) => {
                fields.error(
                    "referral",
                    format!("is a referral's event id (a UUID); found {referral:?}"),
                );
                None
            }
        },
        (Some(_), Some(_)) => {
            fields.error(
                "referral",
                "name either an alert or a referral, not both: one decision is about one item",
            );
            None
        }
        (None, None) => {
            fields.error(
                "alert",
                "is required (or referral): the alert or the referral decided about",
            );
            None
        }
    };
    let outcomes = MashOutcome::ALL.map(MashOutcome::as_str).join(", ");
    let outcome = fields
        .text("outcome", &format!("is required: one of {outcomes}"))
        .and_then(|text| {
            let parsed = MashOutcome::parse(&text);
            if parsed.is_none() {
                fields.error(
                    "outcome",
                    format!("{text:?} is not an outcome; the outcomes are {outcomes}"),
                );
            }
            parsed
        });
    let rationale = fields.text(
        "rationale",
        "is required: a front-door decision is never recorded without its rationale",
    );
    let roles = ASSIGNABLE.map(role_wire_name).join(", ");
    let assign_role = fields.optional_text("assign_role").and_then(|text| {
        let parsed = parse_role(&text);
        if parsed.is_none() {
            fields.error(
                "assign_role",
                format!("{text:?} is not a role work is assigned to; the roles are {roles}"),
            );
        }
        parsed
    });
    let assign_person = fields.optional_text("assign_person");
    let due_by = fields.optional_text("due_by").and_then(|text| {
        let parsed = text.parse::<Timestamp>().ok();
        if parsed.is_none() {
            fields.error(
                "due_by",
                format!("write a moment as RFC 3339, such as 2026-01-05T17:00:00Z; found {text:?}"),
            );
        }
        parsed
    });
    if assign_person.is_some() && assign_role.is_none() {
        fields.error(
            "assign_role",
            "is required with assign_person: the role the person takes it on in",
        );
    }
    if assign_role.is_some() != due_by.is_some() && fields.errors.is_empty() {
        let missing = if assign_role.is_some() {
            "due_by"
        } else {
            "assign_role"
        };
        fields.error(
            missing,
            "an assignment names a role and a deadline (due_by) together",
        );
    }
    let (Some(item), Some(outcome), Some(rationale), true) =
        (item, outcome, rationale, fields.errors.is_empty())
    else {
        return Err(Problem::invalid_fields(fields.errors));
    };
    Ok(DecisionRequest {
        item,
        outcome,
        rationale,
        assign_role,
        assign_person,
        due_by,
    })
}

/// A decision with the child it concerns, as the API and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DecisionView {
    #[serde(flatten)]
    pub decision: FrontDoorDecision,
    pub child: Option<String>,
    pub child_name: Option<String>,
    /// Whether it is the item's current decision (no later one replaced it).
    pub current: bool,
    /// Whether the work it assigned is still to do.
    pub outstanding: bool,
    pub overdue: bool,
}

pub(crate) fn view(casebook: &Casebook, decision: &FrontDoorDecision) -> DecisionView {
    let child = child_of(casebook, &decision.item);
    let current = casebook.front_door().current(&decision.item) == Some(decision);
    let outstanding = current && is_outstanding(casebook, decision);
    DecisionView {
        child_name: child.as_ref().map(|c| casebook.display_name(c)),
        child,
        current,
        outstanding,
        overdue: outstanding
            && decision
                .assignment
                .as_ref()
                .is_some_and(|a| a.due_by < casebook.now()),
        decision: decision.clone(),
    }
}

fn decision_problem(error: FrontDoorError) -> Problem {
    let field =
        |name: &str| Problem::invalid_fields(vec![FieldError::new(name, error.to_string())]);
    match &error {
        FrontDoorError::NoSuchAlert(_) | FrontDoorError::NoSuchReferral(_) => {
            Problem::not_found(error.to_string())
        }
        FrontDoorError::AlertClosed(_) => Problem::new(
            StatusCode::CONFLICT,
            "alert-closed",
            "The alert is closed",
            error.to_string(),
        ),
        FrontDoorError::RationaleRequired => field("/rationale"),
        FrontDoorError::AssignmentRequired(_) => field("/assign_role"),
        FrontDoorError::DeadlineNotAfterDecision(..) => field("/due_by"),
    }
}

/// Records `principal`'s front-door decision: checks access, the named person's
/// account and the decision against the casebook, appends it to the front-door log and
/// takes it into the casebook; returns it as it now stands.
pub(crate) async fn decide<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    request: DecisionRequest,
) -> Result<DecisionView, Problem> {
    check(principal, Access::DecideFrontDoor, &Facts::default())?;
    let person = match &request.assign_person {
        Some(user_name) => {
            let account = state
                .store
                .account(user_name)
                .await
                .map_err(|error| store_problem(error, ""))?
                .ok_or_else(|| {
                    Problem::invalid_fields(vec![FieldError::new(
                        "/assign_person",
                        format!("there is no account {user_name:?}: name a person by their Vigil user name, or assign to the role alone"),
                    )])
                })?;
            Some(account)
        }
        None => None,
    };
    let assignment = match (request.assign_role, request.due_by) {
        (Some(role), Some(due_by)) => Some(Assignment {
            role,
            person: person.as_ref().map(|a| a.user_name.clone()),
            person_name: person.as_ref().map(|a| a.display_name.clone()),
            due_by,
        }),
        _ => None,
    };
    let decision = FrontDoorDecision {
        item: request.item,
        outcome: request.outcome,
        rationale: request.rationale.trim().to_string(),
        assignment,
        by_id: principal.id.clone(),
        by: principal.name.clone(),
        at: super::now_to_the_microsecond(),
    };
    catch_up(state).await?;
    state
        .casework
        .read()
        .await
        .check_front_door(&decision)
        .map_err(decision_problem)?;
    let item = match &decision.item {
        FrontDoorItem::Alert(id) => format!("alert:{id}"),
        FrontDoorItem::Referral(event) => format!("referral:{event}"),
    };
    let entry = FrontDoorEntry {
        id: Uuid::now_v7(),
        item,
        by_id: decision.by_id.clone(),
        at: decision.at,
        body: serde_json::to_value(&decision).map_err(|error| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong",
                format!("the decision could not be written down: {error}"),
            )
        })?,
    };
    state
        .store
        .record_front_door_decision(&entry)
        .await
        .map_err(|error| store_problem(error, ""))?;
    catch_up(state).await?;
    let casebook = state.casework.read().await;
    let taken = casebook
        .front_door()
        .all()
        .iter()
        .rev()
        .find(|d| **d == decision)
        .ok_or_else(|| {
            // Another decision closed the alert between the check and the append: the
            // casebook refused this one, as a replay will.
            Problem::new(
                StatusCode::CONFLICT,
                "alert-closed",
                "The alert is closed",
                "the alert was closed while the decision was being recorded; reload the front door",
            )
        })?;
    Ok(view(&casebook, taken))
}

/// `POST /api/v1/front-door/decisions`: 201 and the decision. Who decided is the
/// authenticated principal, never a field of the body.
pub async fn create<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    check(&principal, Access::DecideFrontDoor, &Facts::default())?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    let request = parse_request(&value)?;
    let decided = decide(&state, &principal, request).await?;
    Ok((StatusCode::CREATED, Json(decided)).into_response())
}

/// `GET /api/v1/front-door/decisions`: every decision in the order taken (the record
/// as known at `as_at` with that parameter), each with its child and whether it is the
/// item's current one; a practitioner sees those about related children only.
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let decision = list_decision(&principal, Access::ListAlerts, query.as_at.as_deref())?;
    with_casebook(&state, query.as_at.as_deref(), |casebook| {
        let decisions: Vec<DecisionView> = casebook
            .front_door()
            .all()
            .iter()
            .map(|d| view(casebook, d))
            .filter(|v| match &v.child {
                Some(child) => shown(&decision, casebook, &principal, child),
                // No child is known: nothing shows a relationship.
                None => decision != vigil_access::Decision::OnlyRelated,
            })
            .collect();
        Ok(Json(json!({ "as_at": casebook.now(), "decisions": decisions })).into_response())
    })
    .await
}
