//! `GET /api/v1/children/{id}/chronology.csv`: the chronology as a spreadsheet, as
//! known now or at `as_at`. The JSON export is `GET .../chronology` itself.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use vigil_access::Principal;
use vigil_store::EventStore;

use super::casework::{AsAt, read_query, with_child};
use crate::AppState;
use crate::problem::Problem;

/// The window of the counters in an export, in days: the same as the chronology's.
pub(crate) const COUNTER_WINDOW_DAYS: i32 = 60;

/// The chronology as a CSV download.
pub fn csv_download(chronology: &vigil_rules::chronology::Chronology) -> Response {
    let name = crate::export::file_name(chronology.child.as_str(), chronology.as_at, "csv");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        crate::export::chronology_csv(chronology),
    )
        .into_response()
}

pub async fn chronology_csv<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    query: Result<Query<AsAt>, QueryRejection>,
) -> Result<Response, Problem> {
    let query = read_query(query)?;
    with_child(
        &state,
        &principal,
        &id,
        query.as_at.as_deref(),
        |_, record| {
            csv_download(&vigil_rules::chronology::chronology(
                record,
                COUNTER_WINDOW_DAYS,
            ))
        },
    )
    .await
}
