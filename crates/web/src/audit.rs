//! Every request on the record: one audit entry per request (health checks aside),
//! written after the answer is ready and before a byte of it is sent.
//!
//! The entry says who asked (the authenticated [`Principal`], or `anonymous`), in what
//! role and agency, what they asked for (the method and route template, the concrete
//! path, and the resource the path names), why (the optional `Vigil-Purpose` header),
//! when, the request id, and the answer's status. If the entry cannot be written the
//! request fails closed: the answer is dropped and the client gets a 503 instead, so a
//! read that is not on the record is never served.
//!
//! The actor contract: authentication runs inside this middleware and puts the
//! [`Principal`] into the *response's* extensions, so the audit names whoever the
//! request was decided for, including a refusal.

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use vigil_access::Principal;
use vigil_store::{EventStore, NewAuditEntry};

use crate::REQUEST_ID;
use crate::problem::Problem;

/// The request header in which a person states why they are looking.
pub const PURPOSE_HEADER: &str = "vigil-purpose";

/// How much of a stated purpose is kept; the rest is cut off.
const MAX_PURPOSE_CHARS: usize = 500;

/// Probes that say nothing about anyone, asked every few seconds by load balancers.
const NOT_AUDITED: [&str; 2] = ["/health", "/ready"];

/// The actor of a request that carried no credentials (or reached no authentication).
pub const ANONYMOUS: &str = "anonymous";

/// The middleware: see the module documentation.
pub async fn record<S: EventStore>(
    State(store): State<S>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if NOT_AUDITED.contains(&path.as_str()) {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_string());
    let action = format!(
        "{} {}",
        request.method(),
        route.as_deref().unwrap_or("(no such route)")
    );
    let resource = route
        .as_deref()
        .and_then(|route| resource_named(route, &path));
    let request_id = header_text(&request, REQUEST_ID.as_str());
    let purpose = header_text(&request, PURPOSE_HEADER)
        .map(|purpose| purpose.trim().chars().take(MAX_PURPOSE_CHARS).collect())
        .filter(|purpose: &String| !purpose.is_empty());

    let response = next.run(request).await;

    let principal = response.extensions().get::<Principal>();
    let status = response.status();
    let entry = NewAuditEntry {
        at: Timestamp::now(),
        actor_id: principal.map_or_else(|| ANONYMOUS.to_string(), |p| p.id.clone()),
        actor_role: principal.map(|p| p.role.as_str().to_string()),
        actor_agency: principal.and_then(|p| p.agency.as_ref().map(|a| a.to_string())),
        action,
        path,
        resource,
        purpose,
        status: status.as_u16(),
        allowed: !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        request_id,
    };
    match store.append_audit(vec![entry]).await {
        Ok(()) => response,
        Err(error) => {
            tracing::error!(%error, "the audit entry could not be written; the answer is withheld");
            drop(response);
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "audit-unavailable",
                "The audit log is unavailable",
                "Vigil could not record this request in its audit log, so it does not answer it: every read and write must be on the record. A write may have been stored; sending the same request again is safe. Try again shortly.",
            )
            .retry_after(5)
            .into_response()
        }
    }
}

/// A header's value as text (not valid UTF-8 is replaced, not refused: the audit takes
/// what was sent).
fn header_text(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// What a path is about, from its route template: `/api/v1/children/{id}/chronology`
/// asked as `/api/v1/children/C-1/chronology` is about `child:C-1`. The first
/// parameter names the resource; the segment before it says what kind.
fn resource_named(route: &str, path: &str) -> Option<String> {
    let mut kind = None;
    for (template, actual) in route.split('/').zip(path.split('/')) {
        if template.starts_with('{') && template.ends_with('}') {
            let kind = singular(kind?);
            return Some(format!("{kind}:{actual}"));
        }
        kind = Some(template);
    }
    None
}

fn singular(collection: &str) -> String {
    match collection {
        "children" => "child".to_string(),
        "agencies" => "agency".to_string(),
        other => other.strip_suffix('s').unwrap_or(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::resource_named;

    #[test]
    fn the_first_parameter_names_the_resource() {
        for (route, path, expected) in [
            (
                "/api/v1/children/{id}",
                "/api/v1/children/C-1",
                Some("child:C-1"),
            ),
            (
                "/api/v1/children/{id}/chronology",
                "/api/v1/children/C-1/chronology",
                Some("child:C-1"),
            ),
            (
                "/api/v1/events/{id}",
                "/api/v1/events/E-9",
                Some("event:E-9"),
            ),
            (
                "/api/v1/identity-records/{id}",
                "/api/v1/identity-records/R-2",
                Some("identity-record:R-2"),
            ),
            (
                "/api/v1/agencies/{agency}/notices",
                "/api/v1/agencies/NCS/notices",
                Some("agency:NCS"),
            ),
            (
                "/api/v1/alerts/{id}/close",
                "/api/v1/alerts/A.1/close",
                Some("alert:A.1"),
            ),
            ("/api/v1/events", "/api/v1/events", None),
        ] {
            assert_eq!(resource_named(route, path).as_deref(), expected, "{path}");
        }
    }
}
