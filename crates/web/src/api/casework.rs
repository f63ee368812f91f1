//! What the record means: children, their summaries, chronologies and households,
//! alerts and open questions, the rule catalogue, and the missed-opportunity report.
//! Read from the live casebook, or, with `as_at`, from a replay of the log as it was
//! known then.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;
use vigil_access::{Access, Decision, Facts, Principal};
use vigil_rules::Casebook;
use vigil_rules::child::ChildRecord;
use vigil_store::EventStore;

use super::events::store_problem;
use crate::AppState;
use crate::auth::check;
use crate::problem::Problem;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsAt {
    /// RFC 3339: the record as it was known at that moment.
    pub(crate) as_at: Option<String>,
    /// A date, for the household.
    pub(crate) on: Option<String>,
}

pub(crate) fn read_query(query: Result<Query<AsAt>, QueryRejection>) -> Result<AsAt, Problem> {
    query
        .map(|Query(q)| q)
        .map_err(|rejection| Problem::bad_parameter("query", rejection.body_text()))
}

fn parse_as_at(text: &str) -> Result<Timestamp, Problem> {
    text.parse::<Timestamp>().map_err(|_| {
        Problem::bad_parameter(
            "as_at",
            format!("write a moment as RFC 3339, such as 2022-06-11T09:00:00Z; found {text:?}"),
        )
    })
}

/// Runs `f` on the casebook as known at `as_at` (a replay), or on the live one.
pub(crate) async fn with_casebook<S: EventStore, T>(
    state: &AppState<S>,
    as_at: Option<&str>,
    f: impl FnOnce(&Casebook) -> Result<T, Problem>,
) -> Result<T, Problem> {
    match as_at {
        Some(text) => {
            let at = parse_as_at(text)?;
            let casebook = state
                .casework
                .as_at(&state.store, at)
                .await
                .map_err(|error| store_problem(error, ""))?;
            f(&casebook)
        }
        None => {
            // Read your writes: take whatever was stored before answering.
            state
                .casework
                .catch_up(&state.store)
                .await
                .map_err(|error| store_problem(error, ""))?;
            let live = state.casework.read().await;
            f(&live)
        }
    }
}

/// Runs `f` on one child's record (404 for an unknown child), live or as at a moment.
pub(crate) async fn with_child<S: EventStore, T>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
    as_at: Option<&str>,
    f: impl FnOnce(&Casebook, &ChildRecord<'_>) -> T,
) -> Result<T, Problem> {
    // Without a relationship, a break-glass opening may still open the record. It is
    // looked up only for those whom nothing else lets in (not the MASH or reviewers,
    // who need no relationship), and not for a replay, which break-glass never opens.
    let unrelated = Facts {
        relationship: Some(false),
        ..Facts::default()
    };
    let needs_opening = as_at.is_none()
        && vigil_access::decide(principal, Access::ReadChild, &unrelated).is_refused()
        && !related(&*state.casework.read().await, principal, id);
    let break_glass = if needs_opening {
        Some(
            super::break_glass::has_open_break_glass(state, principal, id, Timestamp::now())
                .await?,
        )
    } else {
        None
    };
    with_casebook(state, as_at, |casebook| {
        // The relationship is checked before whether the child exists, so a refusal
        // says nothing about whether there is such a child.
        let facts = Facts {
            relationship: Some(related(casebook, principal, id)),
            as_at: as_at.is_some(),
            break_glass,
            ..Facts::default()
        };
        check(principal, Access::ReadChild, &facts)?;
        known_child(casebook, id)?;
        let record = ChildRecord::build(casebook, id, casebook.now());
        Ok(f(casebook, &record))
    })
    .await
}

/// Whether the principal has a legitimate relationship with the person: an event their
/// agency recorded about them, or an open involvement of their team with them. The
/// casebook's records are gathered here; `vigil_access::relationship` decides.
pub(crate) fn related(casebook: &Casebook, principal: &Principal, person: &str) -> bool {
    use vigil_access::relationship::{InvolvementFacts, RecordFacts, relationship};
    use vigil_domain::event::details::{EventDetails, InvolvementStatus};
    if principal.agency.is_none() {
        return false;
    }
    let config = casebook.config();
    // The latest involvement record about a team stands: take them in recorded order.
    let mut records: Vec<_> = casebook.records_of(person).collect();
    records.sort_by_key(|(_, event, _)| (event.recorded_at, event.id));
    records.dedup_by_key(|(_, event, _)| event.id);
    let facts = records.iter().map(|(_, event, in_event)| {
        let agency = &event.event.agency;
        let involvement = match &event.event.details {
            // Only an involvement with this person as its subject involves a team with them.
            EventDetails::Involvement(involvement)
                if in_event.role == vigil_domain::Role::SubjectChild =>
            {
                Some(InvolvementFacts {
                    agency: involvement.team_agency(agency),
                    team: involvement.team.as_str(),
                    open: involvement.status == InvolvementStatus::Open,
                })
            }
            _ => None,
        };
        RecordFacts {
            agency,
            agency_leads: config.sector(agency) == vigil_domain::Sector::SocialCare,
            involvement,
        }
    });
    relationship(principal, facts).is_some()
}

/// Whether a list item about `person` is shown: all of them, or only the related ones.
pub(crate) fn shown(
    decision: &Decision,
    casebook: &Casebook,
    principal: &Principal,
    person: &str,
) -> bool {
    *decision != Decision::OnlyRelated || related(casebook, principal, person)
}

pub(crate) fn list_decision(
    principal: &Principal,
    access: Access,
    as_at: Option<&str>,
) -> Result<Decision, Problem> {
    check(
        principal,
        access,
        &Facts {
            as_at: as_at.is_some(),
            ..Facts::default()
        },
    )
}

pub(crate) fn known_child(casebook: &Casebook, id: &str) -> Result<(), Problem> {
    if casebook.was_ever_child(id) {
        Ok(())
    } else {
        Err(Problem::not_found(format!(
            "there is no child {id:?}; GET /api/v1/children lists them"
        )))
    }
}

/// `GET /api/v1/children`
pub async fn children<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let decision = list_decision(&principal, Access::ListChildren, query.as_at.as_deref())?;
    with_casebook(&state, query.as_at.as_deref(), |casebook| {
        let list: Vec<_> = casebook
            .children_ever()
            .into_iter()
            .filter(|child| shown(&decision, casebook, &principal, child))
            .map(|child| {
                let record = ChildRecord::build(casebook, &child, casebook.now());
                let open = casebook
                    .alerts()
                    .all()
                    .iter()
                    .filter(|a| a.subject == child && a.is_open())
                    .count();
                json!({
                    "id": child,
                    "name": record.name,
                    "date_of_birth": record.born,
                    "on_child_protection_plan": record.on_plan(record.today),
                    "open_alerts": open,
                })
            })
            .collect();
        Ok(Json(json!({ "children": list })).into_response())
    })
    .await
}

/// `GET /api/v1/children/{id}`: the one-page summary.
pub async fn child<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    with_child(
        &state,
        &principal,
        &id,
        query.as_at.as_deref(),
        |casebook, record| Json(vigil_rules::chronology::summary(casebook, record)).into_response(),
    )
    .await
}

/// `GET /api/v1/children/{id}/chronology`
pub async fn chronology<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    with_child(
        &state,
        &principal,
        &id,
        query.as_at.as_deref(),
        |_, record| {
            Json(vigil_rules::chronology::chronology(
                record,
                super::export::COUNTER_WINDOW_DAYS,
            ))
            .into_response()
        },
    )
    .await
}

/// `GET /api/v1/children/{id}/household?on=DATE`
pub async fn household<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let on = match &query.on {
        Some(text) => Some(text.parse::<Date>().map_err(|_| {
            Problem::bad_parameter("on", format!("write a date as YYYY-MM-DD; found {text:?}"))
        })?),
        None => None,
    };
    with_child(
        &state,
        &principal,
        &id,
        query.as_at.as_deref(),
        |_, record| {
            let on = on.unwrap_or(record.today);
            Json(vigil_rules::chronology::household_on(record, on)).into_response()
        },
    )
    .await
}

/// `GET /api/v1/children/{id}/review`: the missed-opportunity report.
pub async fn review<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    with_child(
        &state,
        &principal,
        &id,
        query.as_at.as_deref(),
        |casebook, _| Json(vigil_rules::review::report(casebook, &id)).into_response(),
    )
    .await
}

/// `GET /api/v1/alerts`: every alert, with who holds it now (escalation).
pub async fn alerts<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let decision = list_decision(&principal, Access::ListAlerts, query.as_at.as_deref())?;
    with_casebook(&state, query.as_at.as_deref(), |casebook| {
        let now = casebook.now();
        let list: Vec<_> = casebook
            .alerts()
            .all()
            .iter()
            .filter(|a| shown(&decision, casebook, &principal, &a.subject))
            .map(|a| {
                json!({
                    "alert": a,
                    "child_name": casebook.display_name(&a.subject),
                    "held_by": a.holder_at(now, &casebook.config().deadlines),
                    "overdue": a.is_overdue(now),
                })
            })
            .collect();
        Ok(Json(json!({ "as_at": now, "alerts": list })).into_response())
    })
    .await
}

/// `GET /api/v1/questions`: the open-questions ledger.
pub async fn questions<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let decision = list_decision(&principal, Access::ListQuestions, query.as_at.as_deref())?;
    with_casebook(&state, query.as_at.as_deref(), |casebook| {
        let questions: Vec<_> = casebook
            .questions()
            .all()
            .iter()
            .filter(|q| shown(&decision, casebook, &principal, &q.child))
            .collect();
        Ok(Json(json!({ "questions": questions })).into_response())
    })
    .await
}

/// `GET /api/v1/agencies/{agency}/notices`: what the agency has been told about alerts
/// its records contributed to (who acknowledged or closed them, when and why), oldest
/// first.
pub async fn notices<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(agency): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    let agency = vigil_domain::AgencyCode::parse(&agency)
        .map_err(|error| Problem::bad_parameter("agency", error.to_string()))?;
    check(
        &principal,
        Access::ReadNotices,
        &Facts {
            record_agencies: Some(vec![agency.clone()]),
            as_at: query.as_at.is_some(),
            ..Facts::default()
        },
    )?;
    with_casebook(&state, query.as_at.as_deref(), |casebook| {
        let notices: Vec<_> = casebook
            .notices()
            .iter()
            .filter(|n| n.agency == agency)
            .collect();
        Ok(Json(json!({ "agency": agency, "notices": notices })).into_response())
    })
    .await
}

/// `GET /api/v1/rules`: the catalogue, with citations and the parameters in force.
pub async fn rules<S: EventStore>(State(state): State<AppState<S>>) -> Response {
    let casebook = state.casework.read().await;
    let rules: Vec<_> = vigil_rules::catalogue::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "version": r.version, "title": r.title, "level": r.level,
                "owner": r.owner, "blocking": r.blocking, "citation": r.citation,
                "fires_when": r.fires_when,
            })
        })
        .collect();
    Json(json!({ "rules": rules, "parameters": casebook.config() })).into_response()
}

/// `POST /api/v1/alerts/{id}/acknowledge` and `.../close`: a person's response,
/// checked against the alert, stored in the alert-actions log, then taken into the
/// casebook.
pub async fn respond<S: EventStore>(
    state: AppState<S>,
    principal: Principal,
    id: String,
    close: bool,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    check_may_act(&state, &principal, &id).await?;
    let value = super::body::read_json(&headers, body, state.limits.max_event_bytes).await?;
    // Who responds is who signed in: a name in the body could be anyone's.
    let mut fields = super::fields::Fields::read(
        &value,
        &["reason", "signed_off_by"],
        "a response to an alert",
        "{\"reason\": \"...\", \"signed_off_by\": \"...\"}",
    );
    let reason = fields.text(
        "reason",
        "is required: an alert is never acknowledged or closed without a recorded reason",
    );
    let signed_off_by = fields.optional_text("signed_off_by");
    if !fields.errors.is_empty() {
        return Err(Problem::invalid_fields(fields.errors));
    }
    record_response(
        &state,
        id,
        close,
        principal.name.clone(),
        reason.unwrap_or_default(),
        signed_off_by,
    )
    .await
    .map(|alert| Json(json!({ "alert": alert })).into_response())
}

/// Refuses unless the principal may act on the alert. Checked before the alert is
/// looked at, so a refusal says nothing about whether there is such an alert.
pub(crate) async fn check_may_act<S: EventStore>(
    state: &AppState<S>,
    principal: &Principal,
    id: &str,
) -> Result<(), Problem> {
    state
        .casework
        .catch_up(&state.store)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let casebook = state.casework.read().await;
    let relationship = casebook
        .alerts()
        .get(&vigil_rules::AlertId(id.to_string()))
        .is_some_and(|alert| related(&casebook, principal, &alert.subject));
    let facts = Facts {
        relationship: Some(relationship),
        ..Facts::default()
    };
    check(principal, Access::ActOnAlert, &facts)?;
    Ok(())
}

/// Checks a response to an alert against it, stores it in the alert-actions log, and
/// takes it into the casebook; returns the alert as it now stands. The caller has
/// checked the principal may act on the alert.
pub(crate) async fn record_response<S: EventStore>(
    state: &AppState<S>,
    id: String,
    close: bool,
    by: String,
    reason: String,
    signed_off_by: Option<String>,
) -> Result<vigil_rules::Alert, Problem> {
    let response = vigil_rules::AlertResponse {
        alert: id.clone(),
        close,
        by,
        reason,
        signed_off_by,
        at: Timestamp::now(),
    };
    {
        let casebook = state.casework.read().await;
        casebook.check(&response).map_err(|error| match error {
            vigil_rules::alerts::AlertActionError::NoSuchAlert(_) => {
                Problem::not_found(error.to_string())
            }
            vigil_rules::alerts::AlertActionError::AlreadyClosed(_) => Problem::new(
                axum::http::StatusCode::CONFLICT,
                "alert-closed",
                "The alert is closed",
                error.to_string(),
            ),
            vigil_rules::alerts::AlertActionError::SignOffRequired(..) => {
                Problem::invalid_fields(vec![vigil_domain::FieldError::new(
                    "/signed_off_by",
                    error.to_string(),
                )])
            }
            vigil_rules::alerts::AlertActionError::ReasonRequired => {
                Problem::invalid_fields(vec![vigil_domain::FieldError::new(
                    "/reason",
                    error.to_string(),
                )])
            }
        })?;
    }
    let action = vigil_store::AlertAction {
        id: uuid::Uuid::now_v7(),
        alert: response.alert,
        action: if close {
            vigil_store::AlertActionKind::Close
        } else {
            vigil_store::AlertActionKind::Acknowledge
        },
        by: response.by,
        reason: response.reason,
        signed_off_by: response.signed_off_by,
        at: response.at,
    };
    state
        .store
        .record_alert_action(&action)
        .await
        .map_err(|error| store_problem(error, ""))?;
    state
        .casework
        .catch_up(&state.store)
        .await
        .map_err(|error| store_problem(error, ""))?;
    let casebook = state.casework.read().await;
    let alert = casebook
        .alerts()
        .get(&vigil_rules::AlertId(id))
        .cloned()
        .ok_or_else(|| Problem::not_found("the alert is no longer known"))?;
    Ok(alert)
}

pub async fn acknowledge<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    respond(state, principal, id, false, headers, body).await
}

pub async fn close<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    respond(state, principal, id, true, headers, body).await
}
