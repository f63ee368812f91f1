//! The administrator's users page: every local account with its role, agency, team and
//! status, a form to add one, and on each account a form to disable or enable it with
//! a reason. Accounts are append-only (docs/SECURITY.md): disabling is a new row in the
//! account-change log, and takes effect at once because authentication reads that log
//! on every request.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use serde::Deserialize;
use vigil_access::{AccountChangeKind, ChangeReason, Role, UserName};
use vigil_domain::AgencyCode;
use vigil_store::accounts::ChangeOutcome;
use vigil_store::{Account, EventStore};

use super::views::local_time;
use super::{CurrentSession, Layout, PageError, check_csrf, render, role_name};
use crate::AppState;
use crate::session::Session;

pub struct UserRow {
    pub user_name: String,
    pub display_name: String,
    pub role: &'static str,
    pub agency: String,
    pub team: String,
    pub active: bool,
    /// When the account was made, or when its latest change was.
    pub since: String,
    /// The latest change in words: who, when, why.
    pub history: String,
    /// The signed-in administrator's own account, which they cannot disable.
    pub is_me: bool,
}

/// What was typed into the add form, shown again after a mistake (never the password).
#[derive(Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage<'a> {
    layout: Layout,
    users: Vec<UserRow>,
    disabled: usize,
    roles: Vec<(&'static str, &'static str)>,
    form: &'a AddForm,
    error: Option<String>,
    done: Option<String>,
}

async fn show<S: EventStore>(
    state: &AppState<S>,
    session: &Session,
    form: &AddForm,
    error: Option<String>,
    done: Option<String>,
) -> Result<Response, PageError> {
    let stored =
        state.store.accounts().await.map_err(|error| {
            PageError::from(crate::api::store_problem(error, "")).within(session)
        })?;
    let users: Vec<UserRow> = stored
        .into_iter()
        .map(|stored| {
            let active = stored.status().may_act();
            let (since, history) = match &stored.latest_change {
                Some(change) => (
                    local_time(change.at),
                    format!(
                        "{} by {} on {}: {}",
                        match change.change {
                            AccountChangeKind::Disabled => "Disabled",
                            AccountChangeKind::Enabled => "Enabled again",
                        },
                        change.by,
                        local_time(change.at),
                        change.reason
                    ),
                ),
                None => (local_time(stored.account.created_at), String::new()),
            };
            let account = stored.account;
            UserRow {
                is_me: account.user_name == session.principal.id,
                role: role_name(account.role),
                agency: account.agency.map(|a| a.to_string()).unwrap_or_default(),
                team: account.team.unwrap_or_default(),
                user_name: account.user_name,
                display_name: account.display_name,
                active,
                since,
                history,
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&UsersPage {
        layout: Layout::new("Users", Some(session), "/admin/users"),
        disabled: users.iter().filter(|u| !u.active).count(),
        users,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_name(*r)))
            .collect(),
        form,
        error,
        done,
    });
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    Ok(response)
}

/// `GET /admin/users`
pub async fn list<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
) -> Result<Response, PageError> {
    show(&state, &session, &AddForm::default(), None, None).await
}

/// Reads the add form into an account, or says what is wrong with it.
fn new_account(form: &AddForm, created_by: &str) -> Result<Account, String> {
    let user_name = UserName::parse(&form.user_name)
        .map_err(|error| format!("The user name {error}."))?
        .into_string();
    let role: Role = form
        .role
        .parse()
        .map_err(|_| "Choose a role from the list.".to_string())?;
    let agency = match form.agency.trim() {
        "" => None,
        code => {
            Some(AgencyCode::parse(code).map_err(|error| format!("The agency code: {error}."))?)
        }
    };
    if role.needs_agency() && agency.is_none() {
        return Err(format!(
            "A {} acts for one agency: give its code.",
            role_name(role).to_lowercase()
        ));
    }
    let password_hash = vigil_access::secret::hash_password(&form.password)
        .map_err(|error| format!("The password: {error}."))?;
    let display_name = match form.display_name.trim() {
        "" => user_name.clone(),
        name => name.to_string(),
    };
    Ok(Account {
        user_name,
        display_name,
        role,
        agency,
        team: Some(form.team.trim().to_string()).filter(|t| !t.is_empty()),
        password_hash,
        created_at: Timestamp::now(),
        created_by: created_by.to_string(),
    })
}

/// `POST /admin/users`: add a local account.
pub async fn add<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Form(form): Form<AddForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    // Argon2 takes tens of milliseconds of CPU (hundreds in a debug build): off the
    // async workers.
    let by = session.principal.id.clone();
    let (form, account) = tokio::task::spawn_blocking(move || {
        let account = new_account(&form, &by);
        (form, account)
    })
    .await
    .map_err(|_| {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The user was not added",
            "Vigil failed while reading the form. Nothing was stored.",
        )
        .within(&session)
    })?;
    let account = match account {
        Ok(account) => account,
        Err(error) => return show(&state, &session, &form, Some(error), None).await,
    };
    let name = account.user_name.clone();
    let added =
        state.store.add_account(&account).await.map_err(|error| {
            PageError::from(crate::api::store_problem(error, "")).within(&session)
        })?;
    if !added {
        let error = format!(
            "There is already an account {name:?}: user names are never reused. Choose another."
        );
        return show(&state, &session, &form, Some(error), None).await;
    }
    let done = format!(
        "Added {name} as {}. Give them their first password by a separate channel.",
        role_name(account.role)
    );
    show(&state, &session, &AddForm::default(), None, Some(done)).await
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/users/change`: disable or enable an account, with a reason.
pub async fn change<S: EventStore>(
    State(state): State<AppState<S>>,
    axum::Extension(session): CurrentSession,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let refused = |detail: String| {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The account was not changed",
            detail,
        )
        .within(&session)
    };
    let change: AccountChangeKind = form
        .change
        .parse()
        .map_err(|_| refused("Use the account's own Disable or Enable button.".into()))?;
    let reason = ChangeReason::parse(&form.reason)
        .map_err(|error| refused(format!("The reason {error}.")))?;
    if form.user_name == session.principal.id && change == AccountChangeKind::Disabled {
        return Err(refused(
            "You cannot disable the account you are signed in with: another administrator can."
                .into(),
        ));
    }
    let outcome = vigil_store::accounts::change_account(
        &state.store,
        &form.user_name,
        change,
        reason,
        &session.principal.id,
    )
    .await
    .map_err(|error| PageError::from(crate::api::store_problem(error, "")).within(&session))?;
    match outcome {
        ChangeOutcome::Made(_) => Ok(Redirect::to("/admin/users").into_response()),
        ChangeOutcome::NoSuchAccount => Err(PageError::new(
            StatusCode::NOT_FOUND,
            "No such account",
            format!("There is no account {:?}.", form.user_name),
        )
        .within(&session)),
        ChangeOutcome::Unchanged(status) => Err(PageError::new(
            StatusCode::CONFLICT,
            "Nothing to change",
            format!(
                "The account {:?} is {} already, perhaps changed by someone else a moment ago. Nothing was stored.",
                form.user_name,
                status.as_str()
            ),
        )
        .within(&session)),
    }
}
