//! Errors as RFC 9457 problem details (`application/problem+json`). Every error an
//! integrator can meet has its own `type`, a sentence saying what was wrong, and for
//! bad input the list of fields with the reason for each, so that a rejected record
//! can be put right without reading Vigil's code. The types are documented in
//! docs/API.md.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use vigil_domain::FieldError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem document. Boxed, because handlers return `Result<_, Problem>` and the
/// error path should not make every success larger.
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemDetails>);

#[derive(Debug, Clone, Serialize)]
pub struct ProblemDetails {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Members particular to one type, such as `existing_event` on a conflict.
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
    #[serde(skip)]
    retry_after_seconds: Option<u32>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        slug: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Problem(Box::new(ProblemDetails {
            problem_type: format!("/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after_seconds: None,
        }))
    }

    /// What the problem says, for a page or an endpoint that answers in another format
    /// (FHIR's OperationOutcome).
    pub fn details(&self) -> &ProblemDetails {
        &self.0
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = detail.into();
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn with(mut self, key: &str, value: impl Serialize) -> Self {
        self.0.extensions.insert(
            key.to_string(),
            serde_json::to_value(value).expect("serialisable"),
        );
        self
    }

    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.0.retry_after_seconds = Some(seconds);
        self
    }

    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let count = errors.len();
        let detail = if count == 1 {
            format!("{}: {}", errors[0].field, errors[0].detail)
        } else {
            format!("{count} fields are invalid; each is listed in `errors` with the reason")
        };
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            "The request has invalid fields",
            detail,
        )
        .with_errors(errors)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn bad_parameter(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-parameter",
            "A parameter is invalid",
            format!("{field}: {detail}"),
        )
        .with_errors(vec![FieldError::new(field, detail)])
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&*self.0).expect("problems serialise");
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(seconds) = self.0.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
