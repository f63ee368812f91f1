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
    if let Err(error) = state.store.ping().await {
        // The reason (host names, file paths) goes to the log, not to whoever asked.
        tracing::warn!(%error, "not ready");
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            "Vigil cannot use its database just now; the reason is in Vigil's log",
        )
        .retry_after(5));
    }
    Ok(Json(json!({ "status": "ready" })))
}
