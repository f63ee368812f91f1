//! The JSON API, version 1, under `/api/v1`. Breaking changes get a new prefix; fields
//! may be added to responses within a version.
//!
//! [`route_table`] is the one list of routes: the router is built from it, and each
//! route carries the [`Access`] it gives, which `auth` checks before the handler runs.
//! A route cannot be added without saying who may use it.

pub(crate) mod audit_trail;
mod body;
pub(crate) mod break_glass;
pub(crate) mod casework;
pub mod contract;
mod derivations;
mod events;
pub(crate) mod export;
mod fhir;
mod fields;
pub(crate) mod front_door;
mod health;
pub(crate) mod identity;
mod webhooks;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use vigil_access::Access;
use vigil_store::EventStore;

pub(crate) use events::store_problem;

use crate::{AppState, problem};

/// Now, as the stores keep a moment (to the microsecond), so what a write returns is
/// what a later read shows.
pub(crate) fn now_to_the_microsecond() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
}

/// Brings the live casebook up to date with the store before answering, so a person
/// reads what they (or anyone) just wrote.
pub(crate) async fn catch_up<S: EventStore>(state: &AppState<S>) -> Result<(), problem::Problem> {
    state
        .casework
        .catch_up(&state.store)
        .await
        .map(|_| ())
        .map_err(|error| store_problem(error, ""))
}

/// One route: method, path template, who may use it, and the handler.
pub struct Route<S> {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState<S>>,
}

fn route<S>(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState<S>>,
) -> Route<S> {
    Route {
        method,
        path,
        access,
        handler,
    }
}

/// Every route of the API, with its rule.
pub fn route_table<S: EventStore>() -> Vec<Route<S>> {
    use Access::*;
    use Method as M;
    vec![
        route(M::GET, "/health", Public, get(health::health)),
        route(M::GET, "/ready", Public, get(health::ready::<S>)),
        route(
            M::GET,
            "/api/openapi.json",
            SignedIn,
            get(contract::serve::<S>),
        ),
        route(
            M::GET,
            "/metrics",
            ReadMetrics,
            get(crate::metrics::serve::<S>),
        ),
        route(
            M::POST,
            "/api/v1/events",
            RecordEvents,
            post(events::record_one::<S>),
        ),
        route(M::GET, "/api/v1/events", ReadEvents, get(events::list::<S>)),
        route(
            M::POST,
            "/api/v1/events/batch",
            RecordEvents,
            post(events::record_batch::<S>),
        ),
        route(
            M::GET,
            "/api/v1/events/{id}",
            ReadEvents,
            get(events::show::<S>),
        ),
        route(
            M::POST,
            "/api/v1/fhir",
            RecordEvents,
            post(fhir::import_bundle::<S>),
        ),
        route(
            M::GET,
            "/api/v1/identity-records/{id}",
            ReadEvents,
            get(events::identity_record::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children",
            ListChildren,
            get(casework::children::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}",
            ReadChild,
            get(casework::child::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}/chronology",
            ReadChild,
            get(casework::chronology::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}/chronology.csv",
            ReadChild,
            get(export::chronology_csv::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}/household",
            ReadChild,
            get(casework::household::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}/review",
            ReadChild,
            get(casework::review::<S>),
        ),
        route(
            M::GET,
            "/api/v1/alerts",
            ListAlerts,
            get(casework::alerts::<S>),
        ),
        route(
            M::POST,
            "/api/v1/alerts/{id}/acknowledge",
            ActOnAlert,
            post(casework::acknowledge::<S>),
        ),
        route(
            M::POST,
            "/api/v1/alerts/{id}/close",
            ActOnAlert,
            post(casework::close::<S>),
        ),
        route(
            M::POST,
            "/api/v1/front-door/decisions",
            DecideFrontDoor,
            post(front_door::create::<S>),
        ),
        route(
            M::GET,
            "/api/v1/front-door/decisions",
            ListAlerts,
            get(front_door::list::<S>),
        ),
        route(
            M::GET,
            "/api/v1/questions",
            ListQuestions,
            get(casework::questions::<S>),
        ),
        route(
            M::GET,
            "/api/v1/rules",
            ReadRules,
            get(casework::rules::<S>),
        ),
        route(
            M::GET,
            "/api/v1/agencies/{agency}/notices",
            ReadNotices,
            get(casework::notices::<S>),
        ),
        route(
            M::GET,
            "/api/v1/derivations",
            ReadDerivations,
            get(derivations::list::<S>),
        ),
        route(
            M::POST,
            "/api/v1/children/{id}/break-glass",
            BreakGlass,
            post(break_glass::open::<S>),
        ),
        route(
            M::GET,
            "/api/v1/break-glass",
            ReviewBreakGlass,
            get(break_glass::queue::<S>),
        ),
        route(
            M::POST,
            "/api/v1/break-glass/{id}/review",
            ReviewBreakGlass,
            post(break_glass::review::<S>),
        ),
        route(
            M::GET,
            "/api/v1/review-queue",
            ReviewLinkage,
            get(identity::queue::<S>),
        ),
        route(
            M::POST,
            "/api/v1/review-queue/decisions",
            ReviewLinkage,
            post(identity::decide::<S>),
        ),
        route(
            M::GET,
            "/api/v1/children/{id}/audit",
            ReadAuditTrail,
            get(audit_trail::show::<S>),
        ),
        route(
            M::GET,
            "/api/v1/persons/{id}",
            ReadPerson,
            get(identity::person::<S>),
        ),
        route(
            M::POST,
            "/api/v1/webhooks",
            Administer,
            post(webhooks::create::<S>),
        ),
        route(
            M::GET,
            "/api/v1/webhooks",
            Administer,
            get(webhooks::list::<S>),
        ),
        route(
            M::POST,
            "/api/v1/webhooks/{id}/revoke",
            Administer,
            post(webhooks::revoke::<S>),
        ),
        route(
            M::GET,
            "/api/v1/webhook-dead-letters",
            Administer,
            get(webhooks::dead_letters::<S>),
        ),
        route(
            M::POST,
            "/api/v1/webhook-dead-letters/{id}/replay",
            Administer,
            post(webhooks::replay::<S>),
        ),
        route(
            M::GET,
            "/api/v1/disclosures",
            ReadDisclosures,
            get(webhooks::disclosures::<S>),
        ),
    ]
}

/// The router built from [`route_table`] and the pages' table, and the rules for `auth`.
pub fn routes<S: EventStore>() -> (Router<AppState<S>>, crate::auth::Rules) {
    let mut rules = HashMap::new();
    let mut router = Router::new();
    for route in route_table::<S>()
        .into_iter()
        .chain(crate::pages::route_table::<S>())
    {
        let clash = rules.insert((route.method.clone(), route.path), route.access);
        assert!(
            clash.is_none(),
            "{} {} is in the route table twice",
            route.method,
            route.path
        );
        router = router.route(route.path, route.handler);
    }
    (router, Arc::new(rules))
}
