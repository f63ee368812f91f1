//! The chronology to take to a meeting: a printable page for a child protection
//! conference or a legal planning meeting (who the child is, who is involved, the
//! household, open alerts and every agency's record in time order, marked as
//! sensitive and saying when it was made and as known at which date), and the same
//! chronology as a CSV download for someone signed in. Both accept `as_at`, so the
//! document can be made again later exactly as it was known then.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use vigil_store::EventStore;

use super::child::read_query;
use super::views::{local_date, local_time};
use super::{CurrentSession, Layout, PageError, render};
use crate::AppState;
use crate::api::casework::with_child;
use crate::api::export::COUNTER_WINDOW_DAYS;

pub struct InvolvedRow {
    pub agency: String,
    pub last_contact: String,
    pub practitioner: String,
    pub contact: String,
}

pub struct MemberRow {
    pub name: String,
    pub adult: bool,
    pub since: String,
    pub known_to_social_care: bool,
    pub evidence: usize,
}

pub struct AlertRow {
    pub title: String,
    pub level: &'static str,
    pub raised: String,
    pub deadline: String,
}

pub struct EntryRow {
    pub date: String,
    pub agency: String,
    pub what: String,
    pub summary: String,
    pub injuries: Vec<String>,
    pub recorded_by: String,
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    layout: Layout,
    id: String,
    name: String,
    born: String,
    home: String,
    plan_since: String,
    as_at: String,
    as_at_moment: String,
    prepared_by: String,
    prepared_at: String,
    involved: Vec<InvolvedRow>,
    household_on: String,
    household: Vec<MemberRow>,
    alerts: Vec<AlertRow>,
    entries: Vec<EntryRow>,
}

/// `GET /children/{id}/chronology/print[?as_at=DATE]`
pub async fn print<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, as_at_date, as_at) = read_query(pairs, &session)?;
    let principal = session.principal.clone();
    let layout_session = session.clone();
    let page = with_child(
        &state,
        &principal,
        &id,
        as_at.as_deref(),
        |casebook, record| {
            let summary = vigil_rules::chronology::summary(casebook, record);
            let household = vigil_rules::chronology::household_on(record, record.today);
            let chronology = vigil_rules::chronology::chronology(record, COUNTER_WINDOW_DAYS);
            PrintPage {
                layout: Layout::new(
                    format!("Chronology: {}", record.name),
                    Some(&layout_session),
                    "/children",
                ),
                id: id.clone(),
                name: record.name.clone(),
                born: summary
                    .date_of_birth
                    .map(local_date)
                    .unwrap_or_else(|| "not known".into()),
                home: summary.home.clone().unwrap_or_else(|| "not known".into()),
                plan_since: summary.plan_since.map(local_date).unwrap_or_default(),
                as_at: as_at_date.map(|d| d.to_string()).unwrap_or_default(),
                as_at_moment: local_time(casebook.now()),
                prepared_by: layout_session.principal.name.clone(),
                prepared_at: local_time(jiff::Timestamp::now()),
                involved: summary
                    .involved
                    .iter()
                    .map(|i| InvolvedRow {
                        agency: i.agency_name.clone(),
                        last_contact: local_date(i.last_contact),
                        practitioner: i.practitioner.clone().unwrap_or_default(),
                        contact: i.contact.clone().unwrap_or_default(),
                    })
                    .collect(),
                household_on: local_date(household.on),
                household: household
                    .members
                    .iter()
                    .map(|m| MemberRow {
                        name: m.name.clone(),
                        adult: m.adult,
                        since: local_date(m.since),
                        known_to_social_care: m.known_to_social_care,
                        evidence: m.evidence.len(),
                    })
                    .collect(),
                alerts: summary
                    .open_alerts
                    .iter()
                    .map(|a| AlertRow {
                        title: a.title.clone(),
                        level: super::views::level(a.level).0,
                        raised: local_time(a.raised_at),
                        deadline: local_time(a.deadline),
                    })
                    .collect(),
                entries: chronology
                    .entries
                    .iter()
                    .map(|e| EntryRow {
                        date: local_date(e.date),
                        agency: e.agency_name.clone(),
                        what: e.kind.replace('_', " "),
                        summary: e.summary.clone().unwrap_or_default(),
                        injuries: e.injuries.clone(),
                        recorded_by: e.recorded_by.clone().unwrap_or_default(),
                    })
                    .collect(),
            }
        },
    )
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(render(&page))
}

/// `GET /children/{id}/chronology.csv[?as_at=DATE]`: the download, for a person
/// signed in (the API's twin takes a key).
pub async fn csv<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, _, as_at) = read_query(pairs, &session)?;
    with_child(
        &state,
        &session.principal,
        &id,
        as_at.as_deref(),
        |_, record| {
            crate::api::export::csv_download(&vigil_rules::chronology::chronology(
                record,
                COUNTER_WINDOW_DAYS,
            ))
        },
    )
    .await
    .map_err(|p| PageError::from(p).within(&session))
}
