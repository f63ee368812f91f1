//! Who is who: a person's identity records as each agency holds them with the reason
//! each was linked (the waterfall of match weights), and the review queue of pairs the
//! model would not decide alone, side by side, each settled by a person with a reason.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vigil_linkage::explain::Explanation;
use vigil_rules::linkage_review::RecordAsHeld;
use vigil_store::{EventStore, LinkageDecisionKind};

use super::views::local_time;
use super::{CurrentSession, Layout, PageError, check_csrf, render};
use crate::AppState;
use crate::api::identity::{decide_pair, person_identity, review_queue};

/// One step of the waterfall: a field's contribution to the match weight.
pub struct Step {
    pub field: &'static str,
    pub level: String,
    pub left: String,
    pub right: String,
    pub weight: String,
    pub running: String,
    pub against: bool,
}

/// Why two records scored as they did, in steps from the prior to the total.
pub struct Waterfall {
    pub prior: String,
    pub steps: Vec<Step>,
    pub total: String,
    pub probability: String,
    pub outcome: String,
}

impl Waterfall {
    fn new(explanation: &Explanation) -> Self {
        let mut running = explanation.prior_weight;
        let steps = explanation
            .contributions
            .iter()
            .map(|c| {
                let weight = c.match_weight + c.term_frequency_adjustment;
                running += weight;
                Step {
                    field: c.field.label(),
                    level: c.level_label.clone(),
                    left: c
                        .left_value
                        .clone()
                        .unwrap_or_else(|| "(not recorded)".into()),
                    right: c
                        .right_value
                        .clone()
                        .unwrap_or_else(|| "(not recorded)".into()),
                    weight: format!("{weight:+.2}"),
                    running: format!("{running:.2}"),
                    against: weight < 0.0,
                }
            })
            .collect();
        Waterfall {
            prior: format!("{:.2}", explanation.prior_weight),
            steps,
            total: format!("{:.2}", explanation.total_weight),
            probability: format!("{:.1}%", explanation.probability * 100.0),
            outcome: format!("{:?}", explanation.outcome).to_lowercase(),
        }
    }
}

pub struct RecordRow {
    pub record: String,
    pub agency: String,
    pub name: String,
    pub born: String,
    pub recorded: String,
    pub copy_of: String,
    pub why: Option<Waterfall>,
}

impl RecordRow {
    fn new(record: &RecordAsHeld) -> Self {
        RecordRow {
            record: record.record.clone(),
            agency: record.agency.to_string(),
            name: record.name.clone(),
            born: record
                .date_of_birth
                .clone()
                .unwrap_or_else(|| "not recorded".into()),
            recorded: local_time(record.recorded_at),
            copy_of: String::new(),
            why: None,
        }
    }
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    name: String,
    person: String,
    records: Vec<RecordRow>,
    decisions: Vec<String>,
}

/// `GET /persons/{id}`
pub async fn person<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let identity = person_identity(&state, &session.principal, &id)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    let records = identity
        .records
        .iter()
        .map(|r| RecordRow {
            copy_of: r.copy_of.clone().unwrap_or_default(),
            why: r.explanation.as_ref().map(Waterfall::new),
            ..RecordRow::new(&r.record)
        })
        .collect();
    Ok(render(&PersonPage {
        layout: Layout::new(identity.name.clone(), Some(&session), ""),
        name: identity.name.clone(),
        person: identity.person.to_string(),
        records,
        decisions: identity
            .decisions
            .iter()
            .map(|d| {
                format!(
                    "{}, {}: {} {} and {}: {}",
                    d.by,
                    local_time(d.at),
                    if d.same_person {
                        "linked"
                    } else {
                        "kept apart"
                    },
                    d.left,
                    d.right,
                    d.reason
                )
            })
            .collect(),
    }))
}

pub struct PairView {
    pub left: RecordRow,
    pub right: RecordRow,
    pub probability: String,
    pub reason: String,
    pub why: Waterfall,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct ReviewQueuePage {
    layout: Layout,
    pairs: Vec<PairView>,
    total: usize,
}

/// At most this many pairs on the page, oldest first.
const PAIRS_SHOWN: usize = 25;

/// `GET /review-queue`
pub async fn queue<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let pairs = review_queue(&state, &session.principal)
        .await
        .map_err(|p| PageError::from(p).within(&session))?;
    let total = pairs.len();
    let pairs = pairs
        .iter()
        .take(PAIRS_SHOWN)
        .map(|pair| PairView {
            left: RecordRow::new(&pair.left),
            right: RecordRow::new(&pair.right),
            probability: format!("{:.1}%", pair.probability * 100.0),
            reason: format!("{:?}", pair.reason)
                .replace('_', " ")
                .to_lowercase(),
            why: Waterfall::new(&pair.explanation),
        })
        .collect();
    Ok(render(&ReviewQueuePage {
        layout: Layout::new("Review queue", Some(&session), "/review-queue"),
        pairs,
        total,
    }))
}

#[derive(Deserialize)]
pub struct Decide {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    left: String,
    #[serde(default)]
    right: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /review-queue/decide`: link, or keep apart, with a reason.
pub async fn decide<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Form(form): Form<Decide>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let decision = match form.decision.as_str() {
        "link" => LinkageDecisionKind::Link,
        "keep_apart" => LinkageDecisionKind::KeepApart,
        _ => {
            return Err(PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose link or keep apart",
                "The form did not say whether the two records are the same person. Nothing was changed.",
            )
            .within(&session));
        }
    };
    decide_pair(
        &state,
        &session.principal,
        &form.left,
        &form.right,
        decision,
        form.reason.trim(),
    )
    .await
    .map_err(|p| PageError::from(p).within(&session))?;
    Ok(Redirect::to("/review-queue").into_response())
}
