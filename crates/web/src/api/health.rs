//! Liveness and readiness, for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use vigil_store::EventStore;

use crate::AppState;
use crate::problem::Problem;

/// The process is up. Answers without touching the database.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its store answers.
pub async fn ready<S: EventStore>(
    State(state): State<AppState<S>>,
) -> Result<Json<Value>, Problem> {
    state.store.ping().await.map_err(|error| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            error.to_string(),
        )
        .retry_after(5)
    })?;
    Ok(Json(json!({ "status": "ready" })))
}
