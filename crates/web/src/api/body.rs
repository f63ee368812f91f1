//! Reading a JSON request body into a `serde_json::Value`, turning each way a body
//! can be unusable (wrong media type, too large, not UTF-8, not JSON) into its own
//! problem, so that an integrator sees exactly which it was.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use crate::problem::Problem;

pub async fn read_json(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
) -> Result<Value, Problem> {
    check_media_type(headers)?;
    let too_large = || {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "The request body is too large",
            format!("the body is over the limit of {max_bytes} bytes for this address; send fewer events per request"),
        )
        .with("limit_bytes", max_bytes)
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > max_bytes) {
        return Err(too_large());
    }
    let bytes = match Limited::new(body, max_bytes).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Err(error) => {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable-body",
                "The request body could not be read",
                format!("the body ended early or broke off ({error}); send it again"),
            ));
        }
    };
    if bytes.is_empty() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "empty-body",
            "The request body is empty",
            "send a JSON document",
        ));
    }
    let text = std::str::from_utf8(&bytes).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-utf8",
            "The request body is not UTF-8",
            format!(
                "the body is not valid UTF-8 at byte {}; JSON must be sent as UTF-8",
                error.valid_up_to()
            ),
        )
        .with("byte_offset", error.valid_up_to())
    })?;
    serde_json::from_str(text).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The request body is not well-formed JSON",
            format!(
                "malformed JSON at line {} column {}: {error}",
                error.line(),
                error.column()
            ),
        )
        .with("line", error.line())
        .with("column", error.column())
    })
}

fn check_media_type(headers: &HeaderMap) -> Result<(), Problem> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    match media_type.as_deref() {
        Some("application/json") => Ok(()),
        Some(other) if other.starts_with("application/") && other.ends_with("+json") => Ok(()),
        other => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The request body must be JSON",
            format!(
                "send `Content-Type: application/json`; this request has {}",
                other.map_or("no Content-Type".to_string(), |media| format!("{media:?}"))
            ),
        )),
    }
}
