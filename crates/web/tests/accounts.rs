//! Disabling accounts: a disabled account's password, sessions and owned keys stop at
//! once (the credential cache notwithstanding), a system's key is untouched, enabling
//! restores them; and the administrator's users page adds, disables and enables
//! accounts only with the session's CSRF token and a reason, shows what it was given
//! escaped, and is refused to every other role.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use tower::ServiceExt;
use vigil_access::{AccountChangeKind, ChangeReason, Role};
use vigil_store::EventStore;
use vigil_store::accounts::{ChangeOutcome, change_account};

const PASSWORD: &str = "a long enough password";

async fn add_account(app: &common::TestApp, user_name: &str, role: Role, agency: Option<&str>) {
    assert!(
        app.store
            .add_account(&vigil_store::Account {
                user_name: user_name.into(),
                display_name: format!("{user_name} (fictional)"),
                role,
                agency: agency.map(|a| vigil_domain::AgencyCode::parse(a).unwrap()),
                team: Some("Health visiting north".into()),
                password_hash: vigil_access::secret::hash_password(PASSWORD).unwrap(),
                created_at: jiff::Timestamp::now(),
                created_by: "test".into(),
            })
            .await
            .unwrap()
    );
}

async fn set(app: &common::TestApp, user_name: &str, change: AccountChangeKind) {
    let outcome = change_account(
        &app.store,
        user_name,
        change,
        ChangeReason::parse("a test of disabling").unwrap(),
        "test",
    )
    .await
    .unwrap();
    assert!(matches!(outcome, ChangeOutcome::Made(_)), "{outcome:?}");
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
        .or_else(|| response.headers().get(header::LOCATION))
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap(), cookie)
}

fn basic(user_name: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user_name}:{PASSWORD}"))
    )
}

async fn api_status(app: &common::TestApp, authorization: &str) -> StatusCode {
    let request = Request::get("/api/v1/rules")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .unwrap();
    send(app, request).await.0
}

fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Signs in as `user_name`; the cookie and the session's CSRF token.
async fn sign_in(app: &common::TestApp, user_name: &str) -> (String, String) {
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "user_name={user_name}&password={}",
            encode(PASSWORD)
        )))
        .unwrap();
    let (status, page, set_cookie) = send(app, request).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let cookie = set_cookie.unwrap().split(';').next().unwrap().to_string();
    let (status, page, _) = send(app, get("/rules", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn a_disabled_accounts_password_sessions_and_keys_stop_at_once_and_come_back_when_enabled() {
    let app = common::TestApp::spawn("QAH").await;
    add_account(&app, "ana.quill", Role::Practitioner, Some("QAH")).await;
    add_account(&app, "ben.ash", Role::Practitioner, Some("QAH")).await;
    let owner = app.store.account("ana.quill").await.unwrap().unwrap();
    let (key, secret) = vigil_store::accounts::issue_owned_api_key(
        &app.store,
        &owner,
        "Ana's script",
        None,
        "test",
    )
    .await
    .unwrap();
    let owned = format!("Bearer {secret}");
    let (_, system) = app.key_for(Role::MashAnalyst, None, "a system's key").await;
    let system = format!("Bearer {system}");

    // Everything works, and the credentials are now in the 30-second cache.
    assert_eq!(api_status(&app, &basic("ana.quill")).await, StatusCode::OK);
    assert_eq!(api_status(&app, &owned).await, StatusCode::OK);
    let (cookie, _) = sign_in(&app, "ana.quill").await;
    let (ben, _) = sign_in(&app, "ben.ash").await;
    // The owned key acts as its owner: what it does is audited under her name.
    let (status, _, body) =
        common::call_router(&app.router, &secret, Method::GET, "/api/v1/children", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let audit = app
        .store
        .audit_after(vigil_store::Page {
            after: 0,
            limit: 1_000,
        })
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.entry.actor_id == "ana.quill" && e.entry.path == "/api/v1/children"),
        "the owned key's request is audited as its owner"
    );
    assert_eq!(
        app.store
            .api_key(&key.id)
            .await
            .unwrap()
            .unwrap()
            .key
            .owner
            .as_deref(),
        Some("ana.quill")
    );

    set(&app, "ana.quill", AccountChangeKind::Disabled).await;
    assert_eq!(
        api_status(&app, &basic("ana.quill")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(api_status(&app, &owned).await, StatusCode::UNAUTHORIZED);
    let (status, _, location) = send(&app, get("/my-work", &cookie)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session is over");
    assert!(location.unwrap().starts_with("/sign-in"));
    // Others are untouched: another person's session, a system's key.
    assert_eq!(send(&app, get("/my-work", &ben)).await.0, StatusCode::OK);
    assert_eq!(api_status(&app, &system).await, StatusCode::OK);
    // Signing in again says why, but only to someone who knows the password.
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "user_name=ana.quill&password={}",
            encode(PASSWORD)
        )))
        .unwrap();
    let (status, page, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("This account is disabled"), "{page}");
    let request = Request::post("/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "user_name=ana.quill&password=not+the+password+at+all",
        ))
        .unwrap();
    let (status, page, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!page.contains("disabled"), "{page}");

    set(&app, "ana.quill", AccountChangeKind::Enabled).await;
    assert_eq!(api_status(&app, &basic("ana.quill")).await, StatusCode::OK);
    assert_eq!(api_status(&app, &owned).await, StatusCode::OK);
    // The ended session stays ended: enabling is not signing in.
    assert_eq!(
        send(&app, get("/my-work", &cookie)).await.0,
        StatusCode::SEE_OTHER
    );
    sign_in(&app, "ana.quill").await;
}

#[tokio::test]
async fn the_users_page_adds_disables_and_enables_only_with_the_token_and_a_reason() {
    let app = common::TestApp::spawn("QAH").await;
    add_account(&app, "admin.one", Role::Administrator, None).await;
    add_account(&app, "mash.one", Role::MashAnalyst, None).await;
    let (cookie, csrf) = sign_in(&app, "admin.one").await;
    let (status, page, _) = send(&app, get("/admin/users", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("admin.one") && page.contains("mash.one"),
        "{page}"
    );
    assert!(page.contains("Accounts (2; 0 disabled)"), "{page}");

    // Another role is refused the page and its forms.
    let (mash, mash_csrf) = sign_in(&app, "mash.one").await;
    assert_eq!(
        send(&app, get("/admin/users", &mash)).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = send(
        &app,
        form(
            "/admin/users/change",
            &mash,
            &format!(
                "csrf={mash_csrf}&user_name=admin.one&change=disabled&reason=takeover+attempt"
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Adding: a bad user name, a missing agency, a short password are each named, and
    // nothing is stored; hostile text is stored as given and shown escaped.
    let add = |fields: &str| form("/admin/users", &cookie, &format!("csrf={csrf}&{fields}"));
    for (fields, says) in [
        (
            "user_name=new+visitor&role=mash_analyst&password=a+long+enough+password",
            "user name may hold only",
        ),
        (
            "user_name=new.visitor&role=practitioner&password=a+long+enough+password",
            "acts for one agency",
        ),
        (
            "user_name=new.visitor&role=mash_analyst&password=short",
            "at least 12",
        ),
        (
            "user_name=new.visitor&role=superuser&password=a+long+enough+password",
            "Choose a role",
        ),
    ] {
        let (status, page, _) = send(&app, add(fields)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
        assert!(page.contains(says), "{fields}: {page}");
    }
    let (status, _, _) = send(
        &app,
        form(
            "/admin/users",
            &cookie,
            "csrf=forged&user_name=new.visitor&role=mash_analyst&password=a+long+enough+password",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.accounts().await.unwrap().len(),
        2,
        "nothing was stored"
    );
    let hostile = "<script>alert(1)</script> O'Brien";
    let (status, page, _) = send(
        &app,
        add(&format!(
            "user_name=new.visitor&display_name={}&role=practitioner&agency=QAH&team=HV&password=a+long+enough+password",
            encode(hostile)
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Added new.visitor"), "{page}");
    assert!(!page.contains("<script>alert(1)"), "shown escaped");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{page}"
    );
    let stored = app.store.account("new.visitor").await.unwrap().unwrap();
    assert_eq!(stored.display_name, hostile, "stored as given");
    assert_eq!(stored.created_by, "admin.one");
    let (status, page, _) = send(
        &app,
        add("user_name=new.visitor&role=mash_analyst&password=a+long+enough+password"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("already an account"), "{page}");

    // Disabling needs a reason and the token; one's own account cannot be disabled.
    let change = |fields: &str| {
        form(
            "/admin/users/change",
            &cookie,
            &format!("csrf={csrf}&{fields}"),
        )
    };
    let (status, page, _) = send(&app, change("user_name=mash.one&change=disabled&reason=+")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("reason is required"), "{page}");
    let (status, _, _) = send(
        &app,
        form(
            "/admin/users/change",
            &cookie,
            "csrf=forged&user_name=mash.one&change=disabled&reason=moved+team",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page, _) = send(
        &app,
        change("user_name=admin.one&change=disabled&reason=testing+myself"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("signed in with"), "{page}");
    assert!(
        app.store
            .account_changes("mash.one")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .account_changes("admin.one")
            .await
            .unwrap()
            .is_empty()
    );

    let (status, _, location) = send(
        &app,
        change("user_name=mash.one&change=disabled&reason=Left+the+MASH"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/admin/users"));
    // The MASH analyst's open session ended at once.
    assert_eq!(
        send(&app, get("/rules", &mash)).await.0,
        StatusCode::SEE_OTHER
    );
    let changes = app.store.account_changes("mash.one").await.unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].reason.as_str(), changes[0].by.as_str()),
        ("Left the MASH", "admin.one")
    );
    let (_, page, _) = send(&app, get("/admin/users", &cookie)).await;
    assert!(page.contains("Accounts (3; 1 disabled)"), "{page}");
    assert!(
        page.contains("Left the MASH") && page.contains("Enable mash.one"),
        "{page}"
    );
    // Twice is a conflict that stores nothing; an unknown account is not found.
    let (status, _, _) = send(
        &app,
        change("user_name=mash.one&change=disabled&reason=Left+the+MASH"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _, _) = send(
        &app,
        change("user_name=nobody&change=disabled&reason=Left+the+MASH"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.store.account_changes("mash.one").await.unwrap().len(),
        1
    );

    let (status, _, _) = send(
        &app,
        change("user_name=mash.one&change=enabled&reason=Back+from+leave"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    sign_in(&app, "mash.one").await;
    assert_eq!(
        app.store.account_changes("mash.one").await.unwrap().len(),
        2
    );
}
