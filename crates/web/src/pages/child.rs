//! A child's record on one page: the summary (flags, plan, who is involved and how to
//! reach them, open alerts with their evidence, open questions), the household on any
//! date with the evidence for each member, counters, the body map, and the merged
//! chronology with a lane per agency and filters. With a date (`as_at`), the record as
//! it was known at the end of that day: the practice reviewer's replay. Also the list
//! of children and the missed-opportunity report.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use vigil_access::{Access, Decision, Facts, decide};
use vigil_rules::child::ChildRecord;
use vigil_store::EventStore;

use super::body_map::{BodyMap, body_map};
use super::views::{AlertView, QuestionView, local_date, local_time};
use super::{CurrentSession, Layout, PageError, render};
use crate::AppState;
use crate::api::casework::{list_decision, related, shown, with_casebook, with_child};

/// At most this many chronology entries on the page; filters narrow the rest.
const CHRONOLOGY_SHOWN: usize = 200;

/// The window of the counters, in days.
const COUNTER_WINDOW_DAYS: i32 = 60;

/// What a child page's address may ask for. Read from the pairs of the query string,
/// because a filter form sends `agency` once per ticked box.
#[derive(Debug, Default)]
pub struct ChildQuery {
    /// The record as known at the end of this date (YYYY-MM-DD), UK time.
    as_at: Option<String>,
    /// The household on this date.
    on: Option<String>,
    /// Only these agencies' entries.
    agencies: BTreeSet<String>,
    /// Only entries with an injury.
    injuries_only: bool,
}

impl ChildQuery {
    fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, PageError> {
        let mut query = ChildQuery::default();
        for (key, value) in pairs {
            match key.as_str() {
                "as_at" => query.as_at = Some(value),
                "on" => query.on = Some(value),
                "agency" => {
                    query.agencies.extend(
                        value
                            .split(',')
                            .map(|a| a.trim().to_uppercase())
                            .filter(|a| !a.is_empty()),
                    );
                }
                "injuries" => query.injuries_only = value == "on",
                other => {
                    return Err(PageError::new(
                        StatusCode::BAD_REQUEST,
                        "This address asks for something unknown",
                        format!(
                            "A child's page understands as_at, on, agency and injuries; it does not know {other:?}."
                        ),
                    ));
                }
            }
        }
        Ok(query)
    }
}

fn bad_date(field: &str, text: &str) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "That date could not be read",
        format!(
            "The {field} date {text:?} is not a date: write it as YYYY-MM-DD, for example 2022-03-01."
        ),
    )
}

fn parse_date(field: &str, text: Option<&str>) -> Result<Option<Date>, PageError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<Date>()
            .map(Some)
            .map_err(|_| bad_date(field, text)),
    }
}

/// The end of `date` in UK time, as RFC 3339: "as known at 1 March" means by the end
/// of that day.
fn end_of_day(date: Date) -> Result<String, PageError> {
    let next = date
        .tomorrow()
        .map_err(|_| bad_date("as at", &date.to_string()))?;
    let tz = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    let end = next
        .to_zoned_datetime(tz)
        .map_err(|_| bad_date("as at", &date.to_string()))?
        .timestamp()
        - jiff::SignedDuration::from_secs(1);
    Ok(end.to_string())
}

/// The query of a child's page, the date it is replayed to, and that date's last moment.
#[allow(clippy::type_complexity)]
pub(super) fn read_query(
    pairs: Vec<(String, String)>,
    session: &crate::session::Session,
) -> Result<(ChildQuery, Option<Date>, Option<String>), PageError> {
    let query = ChildQuery::from_pairs(pairs).map_err(|e| e.within(session))?;
    let date = parse_date("as at", query.as_at.as_deref()).map_err(|e| e.within(session))?;
    let moment = date
        .map(end_of_day)
        .transpose()
        .map_err(|e| e.within(session))?;
    Ok((query, date, moment))
}

pub struct ChildRow {
    pub id: String,
    pub name: String,
    pub born: String,
    pub on_plan: bool,
    pub open_alerts: usize,
}

#[derive(Template)]
#[template(path = "children.html")]
struct ChildrenPage {
    layout: Layout,
    children: Vec<ChildRow>,
    only_related: bool,
}

/// `GET /children`
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let principal = &session.principal;
    let decision = list_decision(principal, Access::ListChildren, None)
        .map_err(|p| PageError::from(p).within(&session))?;
    let page = with_casebook(&state, None, |casebook| {
        let mut children: Vec<ChildRow> = casebook
            .children_ever()
            .into_iter()
            .filter(|child| shown(&decision, casebook, principal, child))
            .map(|child| {
                let record = ChildRecord::build(casebook, &child, casebook.now());
                ChildRow {
                    open_alerts: casebook
                        .alerts()
                        .all()
                        .iter()
                        .filter(|a| a.subject == child && a.is_open())
                        .count(),
                    on_plan: record.on_plan(record.today),
                    born: record.born.map(local_date).unwrap_or_default(),
                    name: record.name.clone(),
                    id: child.to_string(),
                }
            })
            .collect();
        children.sort_by(|a, b| b.open_alerts.cmp(&a.open_alerts).then(a.name.cmp(&b.name)));
        Ok(ChildrenPage {
            layout: Layout::new("Children", Some(&session), "/children"),
            children,
            only_related: decision == Decision::OnlyRelated,
        })
    })
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(render(&page))
}

pub struct InvolvedRow {
    pub agency: String,
    pub agency_name: String,
    pub last_contact: String,
    pub practitioner: String,
    pub contact: String,
}

pub struct EvidenceRow {
    pub date: String,
    pub agency: String,
    pub kind: String,
}

/// The evidence for a household member, one row per date, agency and kind: one
/// hospital attendance copies an address onto several records, which says nothing more.
fn evidence_rows(evidence: &[vigil_rules::household::HouseholdEvidence]) -> Vec<EvidenceRow> {
    let mut rows: Vec<(jiff::civil::Date, String, String, usize)> = Vec::new();
    for e in evidence {
        match rows.last_mut() {
            Some(last) if last.0 == e.date && last.1 == e.agency && last.2 == e.kind => last.3 += 1,
            _ => rows.push((e.date, e.agency.clone(), e.kind.clone(), 1)),
        }
    }
    rows.into_iter()
        .map(|(date, agency, kind, times)| EvidenceRow {
            date: local_date(date),
            agency,
            kind: if times > 1 {
                format!("{kind} ({times} records)")
            } else {
                kind
            },
        })
        .collect()
}

pub struct MemberRow {
    pub person: String,
    pub name: String,
    pub adult: bool,
    pub since: String,
    pub confidence: String,
    pub known_to_social_care: bool,
    pub identified: bool,
    pub markers: String,
    pub evidence: Vec<EvidenceRow>,
}

pub struct Lane {
    pub agency: String,
    pub name: String,
    pub selected: bool,
}

pub struct EntryRow {
    pub date: String,
    pub agency: String,
    pub lane: usize,
    pub kind: String,
    pub summary: String,
    pub injuries: String,
    pub recorded: String,
    pub recorded_by: String,
}

pub struct CounterRow {
    pub agency: String,
    pub contacts: usize,
}

#[derive(Template)]
#[template(path = "child.html")]
struct ChildPage {
    layout: Layout,
    id: String,
    name: String,
    born: String,
    age: String,
    on_plan: bool,
    plan_since: String,
    placed_away: bool,
    home: String,
    /// "" for the live record, else the date it is shown as known at.
    as_at: String,
    as_at_moment: String,
    may_replay: bool,
    may_act: bool,
    involved: Vec<InvolvedRow>,
    alerts: Vec<AlertView>,
    questions: Vec<QuestionView>,
    household_on: String,
    household_home: String,
    members: Vec<MemberRow>,
    injury_episodes: usize,
    injury_episodes_in_window: usize,
    window_days: i32,
    contacts: Vec<CounterRow>,
    body: BodyMap,
    lanes: Vec<Lane>,
    injuries_only: bool,
    entries: Vec<EntryRow>,
    entries_total: usize,
    entries_matching: usize,
    here: String,
}

/// `GET /children/{id}`
pub async fn page<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (query, as_at_date, as_at) = read_query(pairs, &session)?;
    let principal = session.principal.clone();
    let on = parse_date("household", query.on.as_deref()).map_err(|e| e.within(&session))?;
    let chosen = query.agencies;
    let injuries_only = query.injuries_only;
    let may_replay = !decide(
        &principal,
        Access::ReadChild,
        &Facts {
            as_at: true,
            relationship: Some(true),
            ..Facts::default()
        },
    )
    .is_refused();
    let layout_session = session.clone();
    let page = with_child(
        &state,
        &principal,
        &id,
        as_at.as_deref(),
        |casebook, record| {
            let summary = vigil_rules::chronology::summary(casebook, record);
            let may_act = as_at.is_none()
                && !decide(
                    &principal,
                    Access::ActOnAlert,
                    &Facts {
                        relationship: Some(related(casebook, &principal, &id)),
                        ..Facts::default()
                    },
                )
                .is_refused();
            // By default the household on the day of the latest record about the child:
            // on an old record, "today" would show only who has been forgotten.
            let latest = record.entries.iter().map(|e| e.date()).max();
            let on = on.unwrap_or_else(|| latest.map_or(record.today, |d| d.min(record.today)));
            let household = vigil_rules::chronology::household_on(record, on);
            let chronology = vigil_rules::chronology::chronology(record, COUNTER_WINDOW_DAYS);
            let agencies: BTreeSet<(String, String)> = chronology
                .entries
                .iter()
                .map(|e| (e.agency.clone(), e.agency_name.clone()))
                .collect();
            let lanes: Vec<Lane> = agencies
                .into_iter()
                .map(|(agency, name)| Lane {
                    selected: chosen.contains(&agency),
                    agency,
                    name,
                })
                .collect();
            let matching: Vec<_> = chronology
                .entries
                .iter()
                .filter(|e| chosen.is_empty() || chosen.contains(&e.agency))
                .filter(|e| !injuries_only || !e.injuries.is_empty())
                .collect();
            let skip = matching.len().saturating_sub(CHRONOLOGY_SHOWN);
            let entries = matching[skip..]
                .iter()
                .map(|e| EntryRow {
                    date: local_date(e.date),
                    lane: lanes.iter().position(|l| l.agency == e.agency).unwrap_or(0) + 2,
                    agency: e.agency.clone(),
                    kind: e.kind.replace('_', " "),
                    summary: e.summary.clone().unwrap_or_default(),
                    injuries: e.injuries.join("; "),
                    recorded: local_time(e.recorded_at),
                    recorded_by: e.recorded_by.clone().unwrap_or_default(),
                })
                .collect();
            let mut alerts: Vec<&vigil_rules::Alert> = summary.open_alerts.iter().collect();
            alerts.sort_by(|a, b| super::views::most_urgent_first(a, b));
            ChildPage {
                layout: Layout::new(record.name.clone(), Some(&layout_session), "/children"),
                id: id.clone(),
                name: record.name.clone(),
                born: record
                    .born
                    .map(local_date)
                    .unwrap_or_else(|| "not recorded".into()),
                age: summary
                    .age_months
                    .map(|m| {
                        if m < 24 {
                            format!("{m} months")
                        } else {
                            format!("{} years", m / 12)
                        }
                    })
                    .unwrap_or_default(),
                on_plan: summary.on_child_protection_plan,
                plan_since: summary.plan_since.map(local_date).unwrap_or_default(),
                placed_away: summary.placed_away,
                home: summary.home.clone().unwrap_or_else(|| "not known".into()),
                as_at: as_at_date.map(|d| d.to_string()).unwrap_or_default(),
                as_at_moment: local_time(casebook.now()),
                may_replay,
                may_act,
                involved: summary
                    .involved
                    .iter()
                    .map(|i| InvolvedRow {
                        agency: i.agency.clone(),
                        agency_name: i.agency_name.clone(),
                        last_contact: local_date(i.last_contact),
                        practitioner: i.practitioner.clone().unwrap_or_default(),
                        contact: i.contact.clone().unwrap_or_default(),
                    })
                    .collect(),
                alerts: alerts
                    .iter()
                    .map(|a| AlertView::about(a, casebook, record.name.clone()))
                    .collect(),
                questions: summary
                    .open_questions
                    .iter()
                    .map(|q| QuestionView::new(q, casebook))
                    .collect(),
                household_on: on.to_string(),
                household_home: household.home.unwrap_or_else(|| "no home known".into()),
                members: household
                    .members
                    .iter()
                    .map(|m| MemberRow {
                        person: m.person.to_string(),
                        name: m.name.clone(),
                        adult: m.adult,
                        since: local_date(m.since),
                        confidence: format!("{:.0}%", m.confidence * 100.0),
                        known_to_social_care: m.known_to_social_care,
                        identified: m.identified,
                        markers: m
                            .markers
                            .iter()
                            .map(|k| format!("{k:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        evidence: evidence_rows(&m.evidence),
                    })
                    .collect(),
                injury_episodes: chronology.counters.injury_episodes,
                injury_episodes_in_window: chronology.counters.injury_episodes_in_window,
                window_days: chronology.counters.window_days,
                contacts: chronology
                    .counters
                    .contacts_in_window
                    .iter()
                    .map(|(agency, contacts)| CounterRow {
                        agency: agency.clone(),
                        contacts: *contacts,
                    })
                    .collect(),
                body: body_map(record),
                lanes,
                injuries_only,
                entries_total: chronology.entries.len(),
                entries_matching: matching.len(),
                entries,
                here: format!("/children/{id}"),
            }
        },
    )
    .await
    .map_err(|p| {
        let error = PageError::from(p).within(&session);
        // Refused for want of a relationship: offer emergency access to those who may
        // use it. The offer says nothing about whether the child exists.
        if error.status == StatusCode::FORBIDDEN
            && !decide(&session.principal, Access::BreakGlass, &Facts::default()).is_refused()
        {
            error.offering(
                format!("/children/{id}/break-glass"),
                "Open this record in an emergency (break-glass)",
            )
        } else {
            error
        }
    })?;
    Ok(render(&page))
}

pub struct OpportunityRow {
    pub title: String,
    pub level: &'static str,
    pub colour: &'static str,
    pub due_since: String,
    pub deadline: String,
    pub evidence: Vec<String>,
    pub response: String,
    pub acted_in_time: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    id: String,
    name: String,
    as_at: String,
    as_at_moment: String,
    alerts: usize,
    acted_in_time: usize,
    opportunities: Vec<OpportunityRow>,
}

/// `GET /children/{id}/review`: the missed-opportunity report, as known at a date.
pub async fn review<S: EventStore>(
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
            let report = vigil_rules::review::report(casebook, &id);
            ReviewPage {
                layout: Layout::new(
                    format!("Practice review: {}", record.name),
                    Some(&layout_session),
                    "/children",
                ),
                id: id.clone(),
                name: record.name.clone(),
                as_at: as_at_date.map(|d| d.to_string()).unwrap_or_default(),
                as_at_moment: local_time(casebook.now()),
                alerts: report.alerts,
                acted_in_time: report.acted_in_time,
                opportunities: report
                    .opportunities
                    .iter()
                    .map(|o| {
                        let (level, colour) = super::views::level(o.alert.level);
                        OpportunityRow {
                            title: o.alert.title.clone(),
                            level,
                            colour,
                            due_since: local_time(o.alert.due_since),
                            deadline: local_time(o.alert.deadline),
                            evidence: o
                                .alert
                                .evidence
                                .iter()
                                .map(|e| format!("{} {}: {}", e.occurred_at, e.agency, e.shows))
                                .collect(),
                            response: o
                                .response
                                .as_ref()
                                .map(|r| format!("{}: {}", local_time(r.at), r.what))
                                .unwrap_or_else(|| "no action recorded".into()),
                            acted_in_time: o.acted_in_time,
                        }
                    })
                    .collect(),
            }
        },
    )
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_at_a_date_means_the_end_of_that_day_in_uk_time() {
        let date: Date = "2022-06-14".parse().unwrap();
        // British Summer Time: the day ends at 22:59:59 UTC.
        assert_eq!(end_of_day(date).unwrap(), "2022-06-14T22:59:59Z");
        let winter: Date = "2022-01-14".parse().unwrap();
        assert_eq!(end_of_day(winter).unwrap(), "2022-01-14T23:59:59Z");
    }
}
