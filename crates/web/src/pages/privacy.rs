//! Emergency access and its review: the break-glass form a practitioner fills in to
//! open a child's record they have no relationship with (a reason, and access for a
//! day), and the privacy officer's queue of every such opening, unreviewed first, each
//! needing an outcome.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vigil_access::ReviewOutcome;
use vigil_store::EventStore;

use super::views::local_time;
use super::{CurrentSession, Layout, PageError, check_csrf, render, role_name};
use crate::AppState;
use crate::api::break_glass::{break_glass_queue, open_break_glass, review_break_glass};

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    layout: Layout,
    child: String,
}

/// `GET /children/{id}/break-glass`: the form. It says nothing about the child, not
/// even whether there is one, until the glass is broken.
pub async fn form(axum::Extension(session): CurrentSession, Path(id): Path<String>) -> Response {
    render(&BreakGlassPage {
        layout: Layout::new("Emergency access", Some(&session), ""),
        child: id,
    })
}

#[derive(Deserialize)]
pub struct Open {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /children/{id}/break-glass`
pub async fn open<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Form(form): Form<Open>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    open_break_glass(&state, &session.principal, &id, &form.reason)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    Ok(Redirect::to(&format!("/children/{id}")).into_response())
}

pub struct OpeningRow {
    pub id: String,
    pub who: String,
    pub child: String,
    pub child_name: String,
    pub reason: String,
    pub opened: String,
    pub expires: String,
    pub open: bool,
    pub reviews: Vec<String>,
    pub reviewed: bool,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    openings: Vec<OpeningRow>,
    unreviewed: usize,
}

/// `GET /privacy`: the break-glass review queue.
pub async fn queue<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let entries = break_glass_queue(&state, &session.principal, false)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    let openings: Vec<OpeningRow> = entries
        .iter()
        .map(|entry| {
            let o = &entry.opening.opening;
            OpeningRow {
                id: o.id.to_string(),
                who: format!(
                    "{} ({}{})",
                    o.display_name,
                    role_name(o.role),
                    o.agency
                        .as_ref()
                        .map(|a| format!(", {a}"))
                        .unwrap_or_default()
                ),
                child: o.child.clone(),
                child_name: entry.child_name.clone(),
                reason: o.reason.clone(),
                opened: local_time(o.opened_at),
                expires: local_time(o.expires_at),
                open: entry.open,
                reviewed: entry.outcome.is_some(),
                reviews: entry
                    .opening
                    .reviews
                    .iter()
                    .map(|r| {
                        format!(
                            "{}: {} by {}: {}",
                            local_time(r.at),
                            r.outcome.to_string().replace('_', " "),
                            r.reviewer_name,
                            r.note
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(render(&PrivacyPage {
        layout: Layout::new("Break-glass reviews", Some(&session), "/privacy"),
        unreviewed: openings.iter().filter(|o| !o.reviewed).count(),
        openings,
    }))
}

#[derive(Deserialize)]
pub struct Review {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

/// `POST /privacy/{id}/review`: record an outcome.
pub async fn review<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Form(form): Form<Review>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let bad = |what: &str| {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The review was not recorded",
            what.to_string(),
        )
        .within(&session)
    };
    let id = id
        .parse::<uuid::Uuid>()
        .map_err(|_| bad("This is not the address of a break-glass opening."))?;
    let outcome = form
        .outcome
        .parse::<ReviewOutcome>()
        .map_err(|_| bad("Choose an outcome: justified, not justified, or referred."))?;
    review_break_glass(&state, &session.principal, id, outcome, &form.note)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    Ok(Redirect::to("/privacy").into_response())
}

pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub role: String,
    pub what: String,
    pub purpose: String,
    pub allowed: bool,
    pub status: u16,
}

pub struct DisclosureRow {
    pub at: String,
    pub recipient: String,
    pub what: String,
    pub channel: String,
    pub lawful_basis: String,
}

#[derive(Template)]
#[template(path = "audit_trail.html")]
struct AuditTrailPage {
    layout: Layout,
    child: String,
    name: String,
    rows: Vec<AuditRow>,
    disclosures: Vec<DisclosureRow>,
    first_page: bool,
    next_after: Option<i64>,
}

/// The entries shown on one page of a child's audit trail.
const AUDIT_ROWS: u32 = 500;

/// `GET /children/{id}/audit[?after=N]`: the privacy officer's view of who looked.
pub async fn audit_trail<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut after = 0;
    for (key, value) in pairs {
        match (key.as_str(), value.parse::<i64>()) {
            ("after", Ok(number)) if number >= 0 => after = number,
            _ => {
                return Err(PageError::new(
                    StatusCode::BAD_REQUEST,
                    "This address asks for something unknown",
                    "The audit trail's address takes only after=N, a number from the link at the foot of the page.",
                )
                .within(&session));
            }
        }
    }
    let page = vigil_store::Page {
        after,
        limit: AUDIT_ROWS,
    };
    let trail = crate::api::audit_trail::audit_trail(&state, &session.principal, &id, page)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    // What left Vigil about the child: the privacy officer's other half of the record.
    crate::auth::check(
        &session.principal,
        vigil_access::Access::ReadDisclosures,
        &vigil_access::Facts::default(),
    )
    .map_err(|p| PageError::from(p).within(&session))?;
    let disclosures = state
        .store
        .disclosures(Some(&id))
        .await
        .map_err(|error| PageError::from(crate::api::store_problem(error, "")).within(&session))?
        .into_iter()
        .map(|d| DisclosureRow {
            at: local_time(d.at),
            recipient: d.recipient.to_string(),
            what: d.what,
            channel: d.channel,
            lawful_basis: d.lawful_basis,
        })
        .collect();
    let rows = trail
        .entries
        .iter()
        .map(|e| {
            let entry = &e.entry;
            AuditRow {
                at: local_time(entry.at),
                who: entry.actor_id.clone(),
                role: [entry.actor_role.clone(), entry.actor_agency.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                what: entry.action.clone(),
                purpose: entry.purpose.clone().unwrap_or_default(),
                allowed: entry.allowed,
                status: entry.status,
            }
        })
        .collect();
    Ok(render(&AuditTrailPage {
        layout: Layout::new(
            format!("Audit trail: {}", trail.name),
            Some(&session),
            "/privacy",
        ),
        child: trail.child,
        name: trail.name,
        rows,
        disclosures,
        first_page: after == 0,
        next_after: trail.next_after,
    }))
}

pub struct DisclosureListRow {
    pub at: String,
    pub recipient: String,
    pub child: Option<String>,
    pub child_name: String,
    pub alert: String,
    pub what: String,
    pub channel: String,
    pub lawful_basis: String,
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct DisclosuresPage {
    layout: Layout,
    rows: Vec<DisclosureListRow>,
    /// Every agency anything was disclosed to, for the filter.
    agencies: Vec<String>,
    agency: String,
    from: String,
    to: String,
    total: usize,
}

/// `GET /privacy/disclosures[?agency=X&from=DATE&to=DATE]`: what left Vigil about any
/// child, newest first, for the privacy officer; filtered by the receiving agency and
/// by the UK dates it left between (both days included).
pub async fn disclosures<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    axum::extract::Query(pairs): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let within = |p: crate::problem::Problem| PageError::from(p).within(&session);
    crate::auth::check(
        &session.principal,
        vigil_access::Access::ReadDisclosures,
        &vigil_access::Facts::default(),
    )
    .map_err(within)?;
    let (mut agency, mut from, mut to) = (String::new(), String::new(), String::new());
    for (key, value) in pairs {
        let value = value.trim().to_string();
        match key.as_str() {
            "agency" => agency = value,
            "from" => from = value,
            "to" => to = value,
            _ => {
                return Err(PageError::new(
                    StatusCode::BAD_REQUEST,
                    "This address asks for something unknown",
                    format!("The disclosures page takes only agency, from and to; not {key:?}."),
                )
                .within(&session));
            }
        }
    }
    let date = |name: &str, text: &str| -> Result<Option<jiff::civil::Date>, PageError> {
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "Write a date as YYYY-MM-DD",
                format!("The {name} date {text:?} is not a date such as 2026-11-01."),
            )
            .within(&session)
        })
    };
    let (from_date, to_date) = (date("from", &from)?, date("to", &to)?);
    let all = state
        .store
        .disclosures(None)
        .await
        .map_err(|error| within(crate::api::store_problem(error, "")))?;
    let mut agencies: Vec<String> = all.iter().map(|d| d.recipient.to_string()).collect();
    agencies.sort();
    agencies.dedup();
    let total = all.len();
    crate::api::catch_up(&state).await.map_err(within)?;
    let casebook = state.casework.read().await;
    let mut rows: Vec<_> = all
        .into_iter()
        .filter(|d| agency.is_empty() || d.recipient.as_str() == agency)
        .filter(|d| {
            let day = vigil_rules::calendar::uk_date(d.at);
            from_date.is_none_or(|from| day >= from) && to_date.is_none_or(|to| day <= to)
        })
        .collect();
    rows.sort_by_key(|d| std::cmp::Reverse(d.at));
    let rows = rows
        .into_iter()
        .map(|d| DisclosureListRow {
            at: local_time(d.at),
            recipient: d.recipient.to_string(),
            child_name: d
                .child
                .as_deref()
                .map(|c| casebook.display_name(c))
                .unwrap_or_else(|| "(no child)".into()),
            child: d.child,
            alert: d.alert.unwrap_or_default(),
            what: d.what,
            channel: d.channel,
            lawful_basis: d.lawful_basis,
        })
        .collect();
    drop(casebook);
    Ok(render(&DisclosuresPage {
        layout: Layout::new("Disclosures", Some(&session), "/privacy/disclosures"),
        rows,
        agencies,
        agency,
        from,
        to,
        total,
    }))
}
