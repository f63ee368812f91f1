//! Signing in and out with a local account. A successful sign-in starts a session and
//! sends the person to the page they asked for, or to their role's start page.
//! Repeated failures for one user name lock it for a while ([`crate::session`]), so a
//! password cannot be guessed at speed.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use vigil_access::Role;
use vigil_store::EventStore;

use super::{Layout, PageError, render, start_page};
use crate::AppState;
use crate::session::{Session, Sessions};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    next: String,
    user_name: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site is followed after sign-in, never another site's address.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(str::to_string)
}

/// `GET /sign-in`
pub async fn form(
    session: Option<axum::Extension<Session>>,
    Query(query): Query<Next>,
) -> Response {
    if let Some(axum::Extension(session)) = session {
        return Redirect::to(start_page(session.principal.role)).into_response();
    }
    render(&SignInPage {
        layout: Layout::new("Sign in", None, ""),
        next: safe_next(query.next.as_deref()).unwrap_or_default(),
        user_name: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /sign-in`
pub async fn submit<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(sessions): axum::Extension<Sessions>,
    Form(form): Form<Credentials>,
) -> Response {
    let user_name = form.user_name.trim().to_string();
    let again = |status: StatusCode, error: String| {
        let mut response = render(&SignInPage {
            layout: Layout::new("Sign in", None, ""),
            next: safe_next(Some(&form.next)).unwrap_or_default(),
            user_name: user_name.clone(),
            error: Some(error),
        });
        *response.status_mut() = status;
        response
    };
    if user_name.is_empty() || form.password.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your user name and your password.".into(),
        );
    }
    if let Some(wait) = sessions.locked_out(&user_name) {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong passwords for this user name. Try again in {} minutes, or ask your administrator to check your account.",
                wait.as_secs().div_ceil(60)
            ),
        );
    }
    let principal =
        match crate::auth::check_password(&state.store, &user_name, form.password.clone()).await {
            Ok(found) => found,
            Err(problem) => return PageError::from(problem).into_response(),
        };
    let principal = match principal {
        crate::auth::PasswordCheck::Accepted(principal) => principal,
        crate::auth::PasswordCheck::Disabled => {
            return again(
                StatusCode::FORBIDDEN,
                "This account is disabled. Ask your administrator: they can see why and enable it again.".into(),
            );
        }
        crate::auth::PasswordCheck::Refused => {
            sessions.note_failure(&user_name);
            return again(
                StatusCode::UNAUTHORIZED,
                "The user name or the password is not right.".into(),
            );
        }
    };
    if principal.role == Role::IntegrationClient {
        return again(
            StatusCode::FORBIDDEN,
            "This account is for an agency's system: it sends records through the API and cannot sign in to the pages.".into(),
        );
    }
    sessions.forget_failures(&user_name);
    let to = safe_next(Some(&form.next)).unwrap_or_else(|| start_page(principal.role).into());
    match sessions.start(principal) {
        Ok((token, _)) => {
            let mut response = Redirect::to(&to).into_response();
            response
                .headers_mut()
                .insert(header::SET_COOKIE, sessions.cookie(&token));
            response
        }
        Err(error) => PageError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Could not sign you in",
            format!("Vigil could not start a session ({error}). Try again in a moment."),
        )
        .into_response(),
    }
}

#[derive(Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`: ends the session (when the form is the session's own).
pub async fn sign_out(
    axum::Extension(sessions): axum::Extension<Sessions>,
    session: Option<axum::Extension<Session>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignOut>,
) -> Response {
    if let Some(axum::Extension(session)) = session {
        if let Err(error) = super::check_csrf(&session, &form.csrf) {
            return error.into_response();
        }
        if let Some(token) = crate::session::token(&headers) {
            sessions.end(&token);
        }
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, sessions.removal_cookie());
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_on_this_site_is_followed() {
        assert_eq!(
            safe_next(Some("/children/x")).as_deref(),
            Some("/children/x")
        );
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(None), None);
    }
}
