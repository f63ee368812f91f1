//! htmx, where it helps: a front-door decision or a chronology filter answers in place
//! instead of reloading the whole page. Every page works without it: each form is a
//! plain form that posts or gets and is answered with a redirect or a page, and htmx
//! only fetches that same answer and swaps in the part that changed (`hx-select`).
//!
//! The library is vendored (`static/htmx-2.0.11.min.js`, 0BSD, as published on npm;
//! its SHA-256 is in docs/UI.md), served by Vigil itself, never from a CDN: a page
//! with personal data loads no script from anywhere else. Its configuration (in
//! `base.html`) keeps no page in the browser's local storage (`historyCacheSize: 0`),
//! evaluates no script from attributes (`allowEval: false`) and swaps error pages.
//!
//! Two things htmx cannot know are said here, for requests it sends (`HX-Request`):
//! an error page replaces the main content rather than the part the form targeted
//! (which an error page does not contain), and a redirect to sign in (the session
//! ended) is a full navigation.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The vendored library's address: versioned, so it can be cached for a year.
pub const SCRIPT_PATH: &str = "/static/htmx-2.0.11.min.js";

/// `GET /static/htmx-2.0.11.min.js`
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // The address names the version: a new version is a new address.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("../../static/htmx-2.0.11.min.js"),
    )
        .into_response()
}

/// Whether htmx sent the request.
fn from_htmx(request: &Request) -> bool {
    request
        .headers()
        .get("hx-request")
        .is_some_and(|value| value.as_bytes() == b"true")
}

/// Middleware: tells htmx where an error page and a sign-in redirect go.
pub async fn guide(request: Request, next: Next) -> Response {
    let htmx = from_htmx(&request);
    let mut response = next.run(request).await;
    if !htmx {
        return response;
    }
    let status = response.status();
    let to_sign_in = status.is_redirection()
        && response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/sign-in"));
    if to_sign_in {
        let location = response.headers().get(header::LOCATION).cloned();
        let mut answer = StatusCode::OK.into_response();
        if let Some(location) = location {
            answer.headers_mut().insert("hx-redirect", location);
        }
        return answer;
    }
    if status.is_client_error() || status.is_server_error() {
        let headers = response.headers_mut();
        headers.insert("hx-retarget", HeaderValue::from_static("#main"));
        headers.insert("hx-reselect", HeaderValue::from_static("#main"));
        headers.insert("hx-reswap", HeaderValue::from_static("outerHTML"));
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vendored_library_is_htmx_2_0_11_as_published() {
        use sha2::Digest;
        let script = include_bytes!("../../static/htmx-2.0.11.min.js");
        let digest = sha2::Sha256::digest(script);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
        );
    }
}
