//! Vigil over HTTP. The JSON API lives in [`api`], its errors are [`problem`] details;
//! the pages for people in browsers live in [`pages`], signed in through [`session`].
//!
//! Architecture invariant: this is the only crate that knows HTTP and HTML.
//! It holds no business rules: it parses requests, calls the domain and the store, and
//! renders what they return.

pub mod api;
pub mod audit;
pub mod auth;
pub mod export;
pub mod metrics;
pub mod oidc;
pub mod pages;
pub mod problem;
pub mod session;
pub mod webhook_sender;

use std::time::Duration;

use axum::BoxError;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::timeout::TimeoutLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use vigil_domain::Limits;
use vigil_store::EventStore;

use crate::problem::Problem;

/// What a request handler needs: the store, the limits on input, and the casebook.
#[derive(Clone)]
pub struct AppState<S> {
    pub store: S,
    pub limits: WebLimits,
    /// The live casebook: persons, places, households, alerts.
    pub casework: vigil_pipeline::Casework,
    /// The deployment's access settings (`[access]` in the configuration).
    pub access: AccessSettings,
}

/// What a deployment may set about access (docs/SECURITY.md).
#[derive(Debug, Clone, Default)]
pub struct AccessSettings {
    /// How long a break-glass opening lasts (24 hours unless configured).
    pub break_glass_lasts: vigil_access::break_glass::OpeningLasts,
    /// The identity provider whose bearer tokens are accepted, if any (`[oidc]`).
    pub oidc: Option<std::sync::Arc<oidc::OidcVerifier>>,
}

/// Bounds on what one request may carry.
#[derive(Debug, Clone, Copy)]
pub struct WebLimits {
    pub event: Limits,
    pub max_event_bytes: usize,
    pub max_batch_bytes: usize,
    pub max_batch_events: usize,
}

impl Default for WebLimits {
    fn default() -> Self {
        WebLimits {
            event: Limits::default(),
            max_event_bytes: 1024 * 1024,
            max_batch_bytes: 64 * 1024 * 1024,
            max_batch_events: 10_000,
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one `tower::Service`: tests call it in-process, `serve`
/// binds it to a socket.
pub fn router<S: EventStore>(state: AppState<S>) -> Router {
    router_with_sessions(state, session::Sessions::default())
}

/// [`router`], with the sessions' settings given (`Secure` cookies behind TLS).
pub fn router_with_sessions<S: EventStore>(
    state: AppState<S>,
    sessions: session::Sessions,
) -> Router {
    // The audit sits inside the request id (which it records) and outside the panic
    // and timeout handlers, so a failure is audited too. Authentication goes inside it.
    let audit = axum::middleware::from_fn_with_state(state.store.clone(), audit::record::<S>);
    let metrics = axum::middleware::from_fn_with_state(metrics::Metrics::default(), metrics::track);
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|value| value.to_str().ok()).unwrap_or("-");
            // The route template, never the concrete path: paths carry record ids.
            let route = request.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |m| m.as_str());
            tracing::info_span!("request", method = %request.method(), route = %route, request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(metrics)
        .layer(audit)
        .layer(CatchPanicLayer::custom(|_| internal_error()))
        .layer(HandleErrorLayer::new(|error: BoxError| async move { timed_out(error) }))
        .layer(TimeoutLayer::new(REQUEST_TIMEOUT));
    let (routes, rules) = api::routes::<S>();
    let authenticator = auth::Authenticator::new(state.store.clone(), rules, sessions.clone())
        .with_oidc(state.access.oidc.clone());
    routes
        .fallback(|uri: axum::http::Uri| async move {
            if pages::is_page(uri.path()) {
                pages::PageError::new(
                    StatusCode::NOT_FOUND,
                    "Page not found",
                    "There is no page at this address.",
                )
                .into_response()
            } else {
                Problem::not_found(
                    "there is nothing at this address; the API is under /api/v1 (see docs/API.md)",
                )
                .into_response()
            }
        })
        .method_not_allowed_fallback(|uri: axum::http::Uri| async move {
            if pages::is_page(uri.path()) {
                pages::PageError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Not possible here",
                    "This page cannot be used that way. Go back and use the page's own buttons and links.",
                )
                .into_response()
            } else {
                Problem::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method-not-allowed",
                    "Method not allowed",
                    "this address does not take that method; see docs/API.md",
                )
                .into_response()
            }
        })
        .with_state(state)
        .layer(axum::Extension(sessions))
        .layer(axum::middleware::from_fn_with_state(
            authenticator,
            auth::authenticate::<S>,
        ))
        // Outside authentication, so that a sign-in redirect is seen too.
        .layer(axum::middleware::from_fn(pages::htmx::guide))
        .layer(middleware)
}

/// How long one request may take before the client is told to try again.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn timed_out(error: BoxError) -> Problem {
    tracing::warn!(%error, "request timed out");
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "timeout",
        "The request took too long",
        "Vigil did not finish this request within 30 seconds, so it may or may not have been stored. Send the same request again shortly: repeating it is always safe.",
    )
    .retry_after(5)
}

fn internal_error() -> Response {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "Vigil failed while handling this request; nothing of it was stored. The failure is in the log under this request's id.",
    )
    .into_response()
}
