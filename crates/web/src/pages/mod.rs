//! The web pages: server-rendered HTML for the people in the brief, from the same
//! casebook and the same access decisions as the JSON API.
//!
//! Pages live outside `/api`; a signed-in browser carries a session cookie
//! ([`crate::session`]), never an API key. [`route_table`] lists every page with the
//! [`Access`] it gives, and is joined to the API's table so the same middleware checks
//! both. Templates are compiled into the binary (askama, `templates/`), escape HTML by
//! default, and need no script: every action is a plain form, so the pages work with a
//! keyboard, a screen reader and a phone; where it helps, htmx ([`htmx`]) fetches the
//! same answer and swaps in only the part that changed. Errors are pages that say what happened and
//! what to do ([`PageError`]).

mod admin;
mod body_map;
mod child;
mod export;
pub mod htmx;
mod identity;
mod privacy;
mod sign_in;
mod users;
mod views;
mod work;

use askama::Template;
use axum::http::{Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use vigil_access::{Access, Principal, Role};
use vigil_store::EventStore;

use crate::api::Route;
use crate::problem::Problem;
use crate::session::Session;

/// Whether `path` (a route template or a request path) is a page rather than the API
/// or a probe.
pub fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/") || matches!(path, "/health" | "/ready" | "/metrics"))
}

/// Every page, with its rule.
pub fn route_table<S: EventStore>() -> Vec<Route<S>> {
    use Access::*;
    use Method as M;
    let page = |method, path, access, handler| Route {
        method,
        path,
        access,
        handler,
    };
    vec![
        page(M::GET, "/static/vigil.css", Public, get(stylesheet)),
        page(M::GET, htmx::SCRIPT_PATH, Public, get(htmx::script)),
        page(M::GET, "/sign-in", Public, get(sign_in::form)),
        page(M::POST, "/sign-in", Public, post(sign_in::submit::<S>)),
        page(M::POST, "/sign-out", Public, post(sign_in::sign_out)),
        page(M::GET, "/", SignedIn, get(start)),
        page(
            M::GET,
            "/front-door",
            ListAlerts,
            get(work::front_door::<S>),
        ),
        page(
            M::POST,
            "/front-door/decide",
            DecideFrontDoor,
            post(work::decide::<S>),
        ),
        page(M::GET, "/my-work", ListAlerts, get(work::my_work::<S>)),
        page(M::GET, "/children", ListChildren, get(child::list::<S>)),
        page(M::GET, "/children/{id}", ReadChild, get(child::page::<S>)),
        page(
            M::GET,
            "/children/{id}/review",
            ReadChild,
            get(child::review::<S>),
        ),
        page(
            M::GET,
            "/children/{id}/chronology/print",
            ReadChild,
            get(export::print::<S>),
        ),
        page(
            M::GET,
            "/children/{id}/chronology.csv",
            ReadChild,
            get(export::csv::<S>),
        ),
        page(
            M::POST,
            "/alerts/{id}/respond",
            ActOnAlert,
            post(work::respond::<S>),
        ),
        page(
            M::GET,
            "/persons/{id}",
            ReadPerson,
            get(identity::person::<S>),
        ),
        page(
            M::GET,
            "/review-queue",
            ReviewLinkage,
            get(identity::queue::<S>),
        ),
        page(
            M::POST,
            "/review-queue/decide",
            ReviewLinkage,
            post(identity::decide::<S>),
        ),
        page(
            M::GET,
            "/children/{id}/break-glass",
            BreakGlass,
            get(privacy::form),
        ),
        page(
            M::POST,
            "/children/{id}/break-glass",
            BreakGlass,
            post(privacy::open::<S>),
        ),
        page(
            M::GET,
            "/privacy",
            ReviewBreakGlass,
            get(privacy::queue::<S>),
        ),
        page(
            M::GET,
            "/privacy/disclosures",
            ReadDisclosures,
            get(privacy::disclosures::<S>),
        ),
        page(
            M::POST,
            "/privacy/{id}/review",
            ReviewBreakGlass,
            post(privacy::review::<S>),
        ),
        page(
            M::GET,
            "/children/{id}/audit",
            ReadAuditTrail,
            get(privacy::audit_trail::<S>),
        ),
        page(M::GET, "/rules", ReadRules, get(admin::rules::<S>)),
        page(M::GET, "/admin", Administer, get(admin::overview::<S>)),
        page(M::GET, "/admin/users", Administer, get(users::list::<S>)),
        page(M::POST, "/admin/users", Administer, post(users::add::<S>)),
        page(
            M::POST,
            "/admin/users/change",
            Administer,
            post(users::change::<S>),
        ),
    ]
}

/// What every page's frame shows: the title, who is signed in, where they can go, and
/// the CSRF token its forms carry.
pub struct Layout {
    pub title: String,
    pub signed_in: Option<SignedIn>,
    /// The navigation entry that is the current page, for `aria-current`.
    pub current: &'static str,
}

pub struct SignedIn {
    pub name: String,
    pub role: String,
    pub agency: String,
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

impl Layout {
    pub fn new(title: impl Into<String>, session: Option<&Session>, current: &'static str) -> Self {
        Layout {
            title: title.into(),
            signed_in: session.map(|s| SignedIn {
                name: s.principal.name.clone(),
                role: role_name(s.principal.role).to_string(),
                agency: s
                    .principal
                    .agency
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                csrf: s.csrf.clone(),
                nav: navigation(s.principal.role),
            }),
            current,
        }
    }

    /// The session's CSRF token, for a form on the page.
    pub fn csrf(&self) -> &str {
        self.signed_in.as_ref().map_or("", |s| s.csrf.as_str())
    }

    pub fn is_current(&self, href: &str) -> bool {
        self.current == href
    }
}

/// A role as the people who hold it would say it.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Practitioner => "Practitioner",
        Role::MashAnalyst => "MASH analyst",
        Role::TeamManager => "Team manager",
        Role::PracticeReviewer => "Practice reviewer",
        Role::PrivacyOfficer => "Privacy officer",
        Role::Administrator => "Administrator",
        Role::IntegrationClient => "Integration client",
    }
}

fn navigation(role: Role) -> Vec<NavLink> {
    let link = |href, label| NavLink { href, label };
    match role {
        Role::MashAnalyst => vec![
            link("/front-door", "Front door"),
            link("/my-work", "My work"),
            link("/children", "Children"),
            link("/review-queue", "Review queue"),
            link("/rules", "Rules"),
        ],
        Role::TeamManager => vec![
            link("/my-work", "My work"),
            link("/front-door", "Front door"),
            link("/children", "Children"),
            link("/review-queue", "Review queue"),
            link("/rules", "Rules"),
        ],
        Role::Practitioner => vec![
            link("/my-work", "My work"),
            link("/children", "My children"),
        ],
        Role::PracticeReviewer => vec![link("/children", "Children"), link("/rules", "Rules")],
        Role::PrivacyOfficer => vec![
            link("/privacy", "Break-glass reviews"),
            link("/privacy/disclosures", "Disclosures"),
            link("/rules", "Rules"),
        ],
        Role::Administrator => vec![
            link("/admin", "Administration"),
            link("/admin/users", "Users"),
            link("/rules", "Rules"),
        ],
        Role::IntegrationClient => vec![],
    }
}

/// Where each role starts.
pub fn start_page(role: Role) -> &'static str {
    match role {
        Role::MashAnalyst => "/front-door",
        Role::Practitioner | Role::TeamManager => "/my-work",
        Role::PracticeReviewer => "/children",
        Role::PrivacyOfficer => "/privacy",
        Role::Administrator => "/admin",
        Role::IntegrationClient => "/rules",
    }
}

async fn start(axum::Extension(principal): axum::Extension<Principal>) -> Redirect {
    Redirect::to(start_page(principal.role))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/vigil.css"),
    )
        .into_response()
}

/// Renders a template as a page; a template that fails to render is an error page.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            [
                // Pages show personal data: no shared or browser cache keeps them.
                (header::CACHE_CONTROL, "no-store"),
            ],
            Html(html),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Vigil could not show this page. Nothing was changed. Try again; if it happens again, tell your administrator the time it happened.",
            )
            .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    heading: &'a str,
    detail: &'a str,
    advice: &'a str,
    action: Option<(String, String)>,
}

/// An error shown as a page: what happened and what to do. Never a stack trace.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub heading: String,
    pub detail: String,
    pub session: Option<Box<Session>>,
    /// A way forward, as (address, words): break-glass after a refusal.
    pub action: Option<Box<(String, String)>>,
}

impl PageError {
    pub fn new(status: StatusCode, heading: &str, detail: impl Into<String>) -> Self {
        PageError {
            status,
            heading: heading.into(),
            detail: detail.into(),
            session: None,
            action: None,
        }
    }

    /// Offers a way forward on the error page.
    pub fn offering(mut self, href: String, words: &str) -> Self {
        self.action = Some(Box::new((href, words.to_string())));
        self
    }

    /// The same error, shown inside the signed-in frame.
    pub fn within(mut self, session: &Session) -> Self {
        self.session = Some(Box::new(session.clone()));
        self
    }
}

impl From<Problem> for PageError {
    fn from(problem: Problem) -> Self {
        let details = problem.details();
        let mut detail = details.detail.clone();
        for error in &details.errors {
            detail.push_str(&format!(" {}", error.detail));
        }
        PageError {
            status: StatusCode::from_u16(details.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            heading: details.title.to_string(),
            detail,
            session: None,
            action: None,
        }
    }
}

fn advice(status: StatusCode) -> &'static str {
    match status {
        StatusCode::FORBIDDEN => {
            "If you need this record for your work, ask your team manager or the MASH. Every request to open a record is on the audit record."
        }
        StatusCode::NOT_FOUND => {
            "Check the address, or go back to your start page and find the record from there."
        }
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            "Go back, correct what is described above and send the form again. Nothing was stored."
        }
        StatusCode::CONFLICT => "Reload the record to see its current state.",
        _ => {
            "Nothing was changed. Try again in a moment; if it keeps happening, tell your administrator."
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            layout: Layout::new(self.heading.clone(), self.session.as_deref(), ""),
            status: self.status.as_u16(),
            heading: &self.heading,
            detail: &self.detail,
            advice: advice(self.status),
            action: self.action.as_deref().cloned(),
        };
        let html = page.render().unwrap_or_else(|_| {
            // The error page itself failed: plain text, still no trace.
            format!("{}: {}", self.heading, self.detail)
        });
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(html),
        )
            .into_response()
    }
}

/// The session of a page request: the middleware puts it there for every page that
/// needs one.
pub type CurrentSession = axum::Extension<Session>;

/// A form's CSRF token must be the session's.
pub fn check_csrf(session: &Session, sent: &str) -> Result<(), PageError> {
    if !sent.is_empty() && constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from a Vigil page of your current session (it may be from before you last signed in). Nothing was changed.",
        )
        .within(session))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Percent-encodes `text` for a query string value.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
