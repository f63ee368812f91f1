//! The work queues: the MASH front door (every open alert with its RAG clock, and the
//! referrals that came in lately, each with its current decision and a form to decide
//! and assign it) and "my work" (what was assigned to the signed-in person or their
//! role, and the alerts and open questions the role holds, by deadline); and the forms
//! that acknowledge or close an alert with a reason and record a front-door decision.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vigil_access::{Access, Role};
use vigil_domain::EventDetails;
use vigil_rules::front_door::FrontDoorItem;
use vigil_rules::{Casebook, OwnerRole};
use vigil_store::EventStore;

use super::views::{
    AlertView, DecideChoices, DecidedView, QuestionView, local_time, parse_local_time,
};
use super::{CurrentSession, Layout, PageError, check_csrf, render};
use crate::AppState;
use crate::api::casework::{list_decision, shown, with_casebook};

/// How far back the front door lists referrals.
const REFERRALS_WINDOW_DAYS: i64 = 14;

pub struct ReferralView {
    /// The referral's event id.
    pub id: String,
    pub anchor: String,
    pub child: Option<String>,
    pub child_name: String,
    pub agency: String,
    pub received: String,
    pub reason: String,
    pub urgency: String,
    pub decision: Option<DecidedView>,
}

#[derive(Template)]
#[template(path = "front_door.html")]
struct FrontDoor {
    layout: Layout,
    as_at: String,
    alerts: Vec<AlertView>,
    referrals: Vec<ReferralView>,
    /// The decide form's choices, when the signed-in person may decide.
    decide: Option<DecideChoices>,
}

/// Open alerts first by level (red first), then by deadline.
fn queue(casebook: &Casebook, keep: impl Fn(&vigil_rules::Alert) -> bool) -> Vec<AlertView> {
    let mut open: Vec<_> = casebook
        .alerts()
        .all()
        .iter()
        .filter(|a| a.is_open() && keep(a))
        .collect();
    open.sort_by(|a, b| super::views::most_urgent_first(a, b));
    open.into_iter()
        .map(|a| AlertView::new(a, casebook))
        .collect()
}

fn referrals(casebook: &Casebook, keep: impl Fn(&str) -> bool) -> Vec<ReferralView> {
    let since = casebook.now() - jiff::SignedDuration::from_hours(24 * REFERRALS_WINDOW_DAYS);
    let mut list: Vec<ReferralView> = casebook
        .events()
        .iter()
        .rev()
        .take_while(|e| e.recorded_at >= since)
        .filter_map(|e| {
            let EventDetails::Referral(referral) = &e.event.details else {
                return None;
            };
            let child = vigil_rules::front_door::referral_child(casebook, e);
            if let Some(child) = &child
                && !keep(child)
            {
                return None;
            }
            Some(ReferralView {
                id: e.id.to_string(),
                anchor: super::views::item_anchor("referral", &e.id.to_string()),
                decision: casebook
                    .front_door()
                    .current(&FrontDoorItem::Referral(e.id))
                    .map(|d| DecidedView::new(d, casebook)),
                child_name: child
                    .as_ref()
                    .map(|c| casebook.display_name(c))
                    .unwrap_or_else(|| "(no child named)".into()),
                child: child.map(|c| c.to_string()),
                agency: e.event.agency.to_string(),
                received: local_time(e.recorded_at),
                reason: referral
                    .reason
                    .clone()
                    .or_else(|| e.event.summary.clone())
                    .unwrap_or_default(),
                urgency: referral
                    .urgency
                    .map(|u| format!("{u:?}").to_lowercase())
                    .unwrap_or_else(|| "not stated".into()),
            })
        })
        .collect();
    list.truncate(50);
    list
}

/// `GET /front-door`
pub async fn front_door<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let principal = &session.principal;
    let decision = list_decision(principal, Access::ListAlerts, None)
        .map_err(|p| PageError::from(p).within(&session))?;
    let may_decide =
        !vigil_access::decide(principal, Access::DecideFrontDoor, &Default::default()).is_refused();
    let page = with_casebook(&state, None, |casebook| {
        let keep = |child: &str| shown(&decision, casebook, principal, child);
        Ok(FrontDoor {
            layout: Layout::new("Front door", Some(&session), "/front-door"),
            as_at: local_time(casebook.now()),
            alerts: queue(casebook, |a| keep(&a.subject)),
            referrals: referrals(casebook, keep),
            decide: may_decide.then(|| DecideChoices::new(casebook.now())),
        })
    })
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWork {
    layout: Layout,
    holder: &'static str,
    /// Front-door decisions assigned to me by name, or to my role with no one named.
    assigned: Vec<DecidedView>,
    alerts: Vec<AlertView>,
    questions: Vec<QuestionView>,
}

/// Which alert holder the signed-in role answers for.
fn holder_of(role: Role) -> OwnerRole {
    match role {
        Role::TeamManager => OwnerRole::TeamManager,
        Role::Practitioner => OwnerRole::KeyWorker,
        _ => OwnerRole::MashAnalyst,
    }
}

/// `GET /my-work`
pub async fn my_work<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let principal = &session.principal;
    let decision = list_decision(principal, Access::ListAlerts, None)
        .map_err(|p| PageError::from(p).within(&session))?;
    let holder = holder_of(principal.role);
    let page = with_casebook(&state, None, |casebook| {
        let now = casebook.now();
        let deadlines = &casebook.config().deadlines;
        let keep = |child: &str| shown(&decision, casebook, principal, child);
        let mut questions: Vec<_> = casebook
            .questions()
            .all()
            .iter()
            .filter(|q| q.answer.is_none() && q.owner == holder && keep(&q.child))
            .collect();
        questions.sort_by_key(|q| q.due_by);
        let mut assigned: Vec<_> = casebook
            .front_door()
            .current_decisions()
            .into_iter()
            .filter(|d| vigil_rules::front_door::is_outstanding(casebook, d))
            .filter(|d| {
                d.assignment.as_ref().is_some_and(|a| match &a.person {
                    Some(person) => *person == principal.id,
                    None => a.role == holder,
                })
            })
            .filter(|d| {
                vigil_rules::front_door::child_of(casebook, &d.item)
                    .is_none_or(|child| keep(&child))
            })
            .collect();
        assigned.sort_by_key(|d| d.assignment.as_ref().map(|a| a.due_by));
        Ok(MyWork {
            layout: Layout::new("My work", Some(&session), "/my-work"),
            holder: holder.label(),
            assigned: assigned
                .into_iter()
                .map(|d| DecidedView::new(d, casebook))
                .collect(),
            alerts: queue(casebook, |a| {
                a.holder_at(now, deadlines) == holder && keep(&a.subject)
            }),
            questions: questions
                .into_iter()
                .map(|q| QuestionView::new(q, casebook))
                .collect(),
        })
    })
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct Respond {
    #[serde(default)]
    csrf: String,
    /// `acknowledge` or `close`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    signed_off_by: String,
    /// Where to go back to: the child's page or a queue.
    #[serde(default)]
    back: String,
}

/// `POST /alerts/{id}/respond`: acknowledge or close with a reason; the responder is
/// the signed-in person.
pub async fn respond<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Form(form): Form<Respond>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let principal = &session.principal;
    let within = |p: crate::problem::Problem| PageError::from(p).within(&session);
    crate::api::casework::check_may_act(&state, principal, &id)
        .await
        .map_err(within)?;
    let close = match form.action.as_str() {
        "acknowledge" => false,
        "close" => true,
        _ => {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose acknowledge or close",
                "The form did not say whether to acknowledge or close the alert. Nothing was changed.",
            )
            .within(&session));
        }
    };
    let reason = form.reason.trim().to_string();
    if reason.is_empty() {
        return Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A reason is needed",
            "An alert is never acknowledged or closed without a recorded reason: say what you did or decided, and why. Nothing was changed.",
        )
        .within(&session));
    }
    let signed_off_by = Some(form.signed_off_by.trim().to_string()).filter(|s| !s.is_empty());
    let by = format!("{} ({})", principal.name, principal.id);
    crate::api::casework::record_response(&state, id, close, by, reason, signed_off_by)
        .await
        .map_err(within)?;
    let back = if form.back.starts_with('/') && !form.back.starts_with("//") {
        form.back
    } else {
        super::start_page(principal.role).to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct Decide {
    #[serde(default)]
    csrf: String,
    /// `alert` or `referral`.
    #[serde(default)]
    item_kind: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    assign_role: String,
    #[serde(default)]
    assign_person: String,
    /// A `datetime-local` value, read as UK time.
    #[serde(default)]
    due_by: String,
}

/// `POST /front-door/decide`: a front-door decision from the form, read by the same
/// code as the API's JSON (`api::front_door::parse_request`), so both refuse alike. The
/// decider is the signed-in person. Back to the front door, at the item decided.
pub async fn decide<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Form(form): Form<Decide>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let within = |p: crate::problem::Problem| PageError::from(p).within(&session);
    // The form offers a deadline to start from; without a role it assigns nothing.
    let due_by = match form.due_by.trim() {
        _ if form.assign_role.trim().is_empty() => None,
        "" => None,
        text => Some(parse_local_time(text).ok_or_else(|| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Write the deadline as a date and a time",
                format!("The deadline {text:?} is not a date and time such as 2026-11-26T17:00 (UK time). Nothing was stored."),
            )
            .within(&session)
        })?),
    };
    let item_field = match form.item_kind.as_str() {
        "alert" => "alert",
        "referral" => "referral",
        _ => {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose an alert or a referral",
                "The form did not say what the decision is about. Nothing was stored.",
            )
            .within(&session));
        }
    };
    let mut value = serde_json::json!({
        item_field: form.item,
        "outcome": form.outcome,
        "rationale": form.rationale,
        "assign_role": form.assign_role,
        "assign_person": form.assign_person,
    });
    if let Some(due_by) = due_by {
        value["due_by"] = serde_json::Value::String(due_by.to_string());
    }
    let request = crate::api::front_door::parse_request(&value).map_err(within)?;
    let decided = crate::api::front_door::decide(&state, &session.principal, request)
        .await
        .map_err(within)?;
    let anchor = match &decided.decision.item {
        FrontDoorItem::Alert(id) => super::views::item_anchor("alert", &id.0),
        FrontDoorItem::Referral(event) => super::views::item_anchor("referral", &event.to_string()),
    };
    Ok(Redirect::to(&format!("/front-door#{anchor}")).into_response())
}
