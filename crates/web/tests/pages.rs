//! The pages' locks, tested without a browser: a signed-out browser is sent to sign in,
//! the JSON API ignores the session cookie, a form without the session's CSRF token or
//! sent from another site changes nothing, and repeated wrong passwords lock the user
//! name. (The people's journeys through the pages are in tests/browser.)

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigil_store::EventStore;

const PASSWORD: &str = "a long enough password";

async fn app_with_account() -> common::TestApp {
    let app = common::TestApp::spawn("QAH").await;
    app.store
        .add_account(&vigil_store::Account {
            user_name: "ana".into(),
            display_name: "Ana Analyst".into(),
            role: vigil_access::Role::MashAnalyst,
            agency: None,
            team: None,
            password_hash: vigil_access::secret::hash_password(PASSWORD).unwrap(),
            created_at: jiff::Timestamp::now(),
            created_by: "test".into(),
        })
        .await
        .unwrap();
    app
}

async fn send(
    app: &common::TestApp,
    request: Request<Body>,
) -> (StatusCode, String, Option<String>) {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    (status, body, cookie.or(location))
}

fn form(uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// Signs in; returns the `Cookie` header value and the session's CSRF token.
async fn sign_in(app: &common::TestApp) -> (String, String) {
    let (status, _, set_cookie) = send(
        app,
        form(
            "/sign-in",
            None,
            &format!("user_name=ana&password={}", PASSWORD.replace(' ', "+")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let set_cookie = set_cookie.expect("a session cookie");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let (status, page, _) = send(app, get("/rules", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries the CSRF token")
        .to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn a_signed_out_browser_is_sent_to_sign_in_and_back() {
    let app = app_with_account().await;
    let (status, _, location) = send(&app, get("/front-door", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/sign-in?next=/front-door"));
    let (status, page, _) = send(&app, get("/sign-in?next=/front-door", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"next\" value=\"/front-door\""));
}

#[tokio::test]
async fn the_api_does_not_take_the_session_cookie() {
    let app = app_with_account().await;
    let (cookie, _) = sign_in(&app).await;
    let (status, body, _) = send(&app, get("/api/v1/alerts", Some(&cookie))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_form_without_the_sessions_token_or_from_another_site_changes_nothing() {
    let app = app_with_account().await;
    let (cookie, csrf) = sign_in(&app).await;
    // Signing out with a wrong token: refused, and the session still works.
    let (status, page, _) = send(&app, form("/sign-out", Some(&cookie), "csrf=forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("This form has expired"));
    assert_eq!(
        send(&app, get("/rules", Some(&cookie))).await.0,
        StatusCode::OK
    );
    // The right token, but sent from another site.
    let mut cross_site = form("/sign-out", Some(&cookie), &format!("csrf={csrf}"));
    cross_site
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&app, cross_site).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&app, get("/rules", Some(&cookie))).await.0,
        StatusCode::OK
    );
    // The session's own form: signed out, and the cookie opens nothing any more.
    let (status, _, _) = send(
        &app,
        form("/sign-out", Some(&cookie), &format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(&app, get("/rules", Some(&cookie))).await.0,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_user_name() {
    let app = app_with_account().await;
    for _ in 0..vigil_web::session::FAILURES_ALLOWED {
        let (status, page, _) =
            send(&app, form("/sign-in", None, "user_name=ana&password=wrong")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("not right"));
    }
    // Now even the right password is refused, and the page says for how long.
    let (status, page, _) = send(
        &app,
        form(
            "/sign-in",
            None,
            &format!("user_name=ana&password={}", PASSWORD.replace(' ', "+")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Try again in 15 minutes"), "{page}");
}

#[tokio::test]
async fn an_unknown_page_is_a_page_and_an_unknown_api_address_is_a_problem() {
    let app = app_with_account().await;
    // Signed out, nothing is said about what exists: sign in first.
    let (status, _, location) = send(&app, get("/no-such-page", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/sign-in?next=/no-such-page"));
    let (cookie, _) = sign_in(&app).await;
    let (status, page, _) = send(&app, get("/no-such-page", Some(&cookie))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<h1>Page not found</h1>"));
    let (status, body, _) = send(&app, get("/api/v1/no-such-thing", None)).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::UNAUTHORIZED);
    assert!(body.starts_with('{'), "{body}");
}

/// Two records about one child, a week apart, the later one with text a spreadsheet
/// would run as a formula.
async fn record_two_visits(app: &common::TestApp) -> String {
    let now = jiff::Timestamp::now();
    let days_ago = |days: i64| {
        now.checked_sub(jiff::SignedDuration::from_hours(24 * days))
            .unwrap()
            .to_string()
    };
    for (source_id, when, summary) in [
        ("ED-1", days_ago(10), "Seen in ED, mother present"),
        ("ED-2", days_ago(3), "=HYPERLINK(\"x\") said the note"),
    ] {
        let event = serde_json::json!({
            "kind": "health_attendance", "agency": "QAH", "source_system": "QAH-ED", "source_id": source_id,
            "occurred_at": when, "recorded_at": when, "summary": summary,
            "people": [{ "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": "2019-04-02",
                         "addresses": ["Flat 2, 9 Quill Lane, Testwick QA1 1AA"] }],
            "details": { "setting": "a_and_e", "presenting_complaint": "fall" }
        });
        let (status, _, body) = common::call_router(
            &app.router,
            &app.writer,
            axum::http::Method::POST,
            "/api/v1/events",
            Some(event),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, _, children) = common::call_router(
        &app.router,
        &app.reader,
        axum::http::Method::GET,
        "/api/v1/children",
        None,
    )
    .await;
    children["children"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_chronology_prints_and_downloads_as_known_at_a_date() {
    let app = app_with_account().await;
    let child = record_two_visits(&app).await;
    let (cookie, _) = sign_in(&app).await;

    let (status, page, _) = send(
        &app,
        get(
            &format!("/children/{child}/chronology/print"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("OFFICIAL-SENSITIVE"));
    assert!(page.contains("Chronology (2 records)"), "{page}");
    assert!(page.contains("Prepared by</dt><dd>Ana Analyst"));

    let five_days_ago = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * 5))
        .unwrap()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date();
    let (status, page, _) = send(
        &app,
        get(
            &format!("/children/{child}/chronology/print?as_at={five_days_ago}"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Chronology (1 records)"), "{page}");

    // The download, by a person signed in, and by a key over the API: the same file.
    let (status, from_page, _) = send(
        &app,
        get(&format!("/children/{child}/chronology.csv"), Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get(format!("/api/v1/children/{child}/chronology.csv"))
                .header(header::AUTHORIZATION, format!("Bearer {}", app.reader))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment; filename=\"chronology-"));
    let from_api = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert_eq!(from_api, from_page);

    let lines: Vec<&str> = from_api.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{from_api}");
    assert!(lines[0].starts_with("date,occurred_at,agency,"));
    assert!(lines[1].contains("\"Seen in ED, mother present\""));
    assert!(
        lines[2].contains("\"'=HYPERLINK(\"\"x\"\") said the note\""),
        "{}",
        lines[2]
    );

    let (_, earlier, _) = send(
        &app,
        get(
            &format!("/children/{child}/chronology.csv?as_at={five_days_ago}"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(earlier.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
}
