//! The rule catalogue as a page (what each rule looks for, its level, who must act, the
//! guidance it cites, and the parameters in force), and the administrator's overview of
//! the API keys agencies' systems use.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;
use vigil_store::EventStore;

use super::views::{level, local_time};
use super::{CurrentSession, Layout, PageError, render, role_name};
use crate::AppState;

pub struct RuleRow {
    pub id: &'static str,
    pub version: u32,
    pub title: &'static str,
    pub level: &'static str,
    pub colour: &'static str,
    pub owner: &'static str,
    pub blocking: bool,
    pub citation: &'static str,
    pub fires_when: &'static str,
}

pub struct Parameter {
    pub name: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    layout: Layout,
    rules: Vec<RuleRow>,
    parameters: Vec<Parameter>,
}

/// Flattens a configuration into `section.name = value` rows.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<Parameter>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, value, out);
            }
        }
        other => out.push(Parameter {
            name: prefix.to_string(),
            value: match other {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            },
        }),
    }
}

/// `GET /rules`
pub async fn rules<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Response {
    let config = state.casework.read().await.config().clone();
    let mut parameters = Vec::new();
    flatten(
        "",
        &serde_json::to_value(&config).unwrap_or(Value::Null),
        &mut parameters,
    );
    let rules = vigil_rules::catalogue::RULES
        .iter()
        .map(|r| {
            let (level, colour) = level(r.level);
            RuleRow {
                id: r.id,
                version: r.version,
                title: r.title,
                level,
                colour,
                owner: r.owner.label(),
                blocking: r.blocking,
                citation: r.citation,
                fires_when: r.fires_when,
            }
        })
        .collect();
    render(&RulesPage {
        layout: Layout::new("Rule catalogue", Some(&session), "/rules"),
        rules,
        parameters,
    })
}

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub agency: String,
    pub created: String,
    pub state: String,
    /// The account the key belongs to, if any (it stops while the account is disabled).
    pub owner: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    keys: Vec<KeyRow>,
}

/// `GET /admin`
pub async fn overview<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    let now = jiff::Timestamp::now();
    let keys = state
        .store
        .api_keys()
        .await
        .map_err(|error| PageError::from(crate::api::store_problem(error, "")).within(&session))?
        .into_iter()
        .map(|stored| KeyRow {
            state: match (&stored.revoked, stored.key.expires_at) {
                (Some(revoked), _) => format!(
                    "revoked {} by {}",
                    local_time(revoked.revoked_at),
                    revoked.revoked_by
                ),
                (None, Some(at)) if at <= now => format!("expired {}", local_time(at)),
                (None, Some(at)) => format!("in use until {}", local_time(at)),
                (None, None) => "in use".into(),
            },
            owner: stored.key.owner.unwrap_or_default(),
            id: stored.key.id,
            name: stored.key.name,
            role: role_name(stored.key.role),
            agency: stored.key.agency.map(|a| a.to_string()).unwrap_or_default(),
            created: local_time(stored.key.created_at),
        })
        .collect();
    Ok(render(&AdminPage {
        layout: Layout::new("Administration", Some(&session), "/admin"),
        keys,
    }))
}
