//! The JSON API, version 1, under `/api/v1`. Breaking changes get a new prefix; fields
//! may be added to responses within a version.

mod body;
mod casework;
mod derivations;
mod events;
mod health;

use axum::Router;
use axum::routing::{get, post};
use vigil_store::EventStore;

use crate::AppState;

pub fn routes<S: EventStore>() -> Router<AppState<S>> {
    Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready::<S>))
        .route(
            "/api/v1/events",
            post(events::record_one::<S>).get(events::list::<S>),
        )
        .route("/api/v1/events/batch", post(events::record_batch::<S>))
        .route("/api/v1/events/{id}", get(events::show::<S>))
        .route(
            "/api/v1/identity-records/{id}",
            get(events::identity_record::<S>),
        )
        .route("/api/v1/children", get(casework::children::<S>))
        .route("/api/v1/children/{id}", get(casework::child::<S>))
        .route(
            "/api/v1/children/{id}/chronology",
            get(casework::chronology::<S>),
        )
        .route(
            "/api/v1/children/{id}/household",
            get(casework::household::<S>),
        )
        .route("/api/v1/children/{id}/review", get(casework::review::<S>))
        .route("/api/v1/alerts", get(casework::alerts::<S>))
        .route(
            "/api/v1/alerts/{id}/acknowledge",
            post(casework::acknowledge::<S>),
        )
        .route("/api/v1/alerts/{id}/close", post(casework::close::<S>))
        .route("/api/v1/questions", get(casework::questions::<S>))
        .route("/api/v1/rules", get(casework::rules::<S>))
        .route(
            "/api/v1/agencies/{agency}/notices",
            get(casework::notices::<S>),
        )
        .route("/api/v1/derivations", get(derivations::list::<S>))
}
