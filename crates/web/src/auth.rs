//! Authentication, and the first of the two access checks: who is asking, and whether
//! their role may use the route at all.
//!
//! Every request except `/health` and `/ready` carries either an API key
//! (`Authorization: Bearer vigil_<id>_<secret>`, from `vigil key create`), a bearer
//! token from the deployment's identity provider when one is configured (`[oidc]`,
//! checked by [`crate::oidc`] and `vigil_access::oidc`) or, for scripts, a local
//! account's user name and password as HTTP Basic. Anything else is answered 401 with
//! `WWW-Authenticate`.
//!
//! A credential that was accepted is remembered for [`CACHE_LIFETIME`] (30 s), keyed by
//! the SHA-256 of the whole `Authorization` value, so that an authenticated request
//! neither reads the store nor runs Argon2 each time. A key's expiry is checked on every
//! request; a revocation (`vigil key revoke`, possibly from another process) takes
//! effect within the cache's lifetime. Refusals are never cached.
//!
//! Whether the local account behind a credential (a password, a session, a key the
//! account owns) is disabled is read from the store on every request, cached or not,
//! so disabling an account (`vigil user disable`, the administration page, from any
//! process) stops its sessions and keys at once: the cost is one indexed read.
//!
//! The route's [`Access`] comes from the route table (`api::route_table`); the decision
//! is `vigil_access::decide`'s. The authenticated [`Principal`] goes into the request's
//! extensions for handlers, and a clone into the response's extensions for the audit
//! layer outside this one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use vigil_access::{Access, AccountStatus, Credential, Decision, Facts, Principal, decide, secret};
use vigil_store::EventStore;

use crate::pages::{PageError, is_page};
use crate::problem::Problem;
use crate::session::{Session, Sessions};

/// How long an accepted credential is trusted without asking the store again: the most
/// a revoked key or a removed account can go on working in a running Vigil.
pub const CACHE_LIFETIME: Duration = Duration::from_secs(30);

/// At most this many credentials are remembered; past it the cache starts afresh.
const CACHE_CAPACITY: usize = 10_000;

/// The route table's rules, looked up by method and path template.
pub type Rules = Arc<HashMap<(Method, &'static str), Access>>;

#[derive(Clone)]
struct Remembered {
    principal: Principal,
    expires_at: Option<Timestamp>,
    /// The local account the credential leads back to, whose standing is checked on
    /// every request.
    account: Option<String>,
    until: Instant,
}

/// What a credential was found to be.
struct Accepted {
    principal: Principal,
    expires_at: Option<Timestamp>,
    account: Option<String>,
}

/// Authenticates requests against the store, with a short cache.
#[derive(Clone)]
pub struct Authenticator<S> {
    store: S,
    rules: Rules,
    sessions: Sessions,
    cache: Arc<Mutex<HashMap<[u8; 32], Remembered>>>,
    oidc: Option<Arc<crate::oidc::OidcVerifier>>,
}

impl<S: EventStore> Authenticator<S> {
    pub fn new(store: S, rules: Rules, sessions: Sessions) -> Self {
        Authenticator {
            store,
            rules,
            sessions,
            cache: Arc::new(Mutex::new(HashMap::new())),
            oidc: None,
        }
    }

    /// Also accepts the bearer tokens `oidc` checks.
    pub fn with_oidc(mut self, oidc: Option<Arc<crate::oidc::OidcVerifier>>) -> Self {
        self.oidc = oidc;
        self
    }

    /// The principal behind an `Authorization` value, or `None` when it is not accepted
    /// (unknown, wrong, revoked, expired, or its account disabled).
    async fn principal(&self, authorization: &str) -> Result<Option<Principal>, Problem> {
        let fingerprint: [u8; 32] = Sha256::digest(authorization.as_bytes()).into();
        let now = Timestamp::now();
        let cached = self
            .cache
            .lock()
            .expect("cache")
            .get(&fingerprint)
            .filter(|known| known.until > Instant::now())
            .cloned();
        let found = match cached {
            Some(known) => Some(Accepted {
                principal: known.principal,
                expires_at: known.expires_at,
                account: known.account,
            }),
            None => {
                let found = match authorization.split_once(' ') {
                    Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => {
                        let key = key.trim();
                        match &self.oidc {
                            Some(oidc) if !key.starts_with(secret::KEY_PREFIX) => {
                                oidc.verify(key, now).await.map(|verified| Accepted {
                                    principal: verified.principal,
                                    expires_at: Some(verified.expires_at),
                                    account: None,
                                })
                            }
                            _ => self.api_key(key, now).await?,
                        }
                    }
                    Some((scheme, encoded)) if scheme.eq_ignore_ascii_case("basic") => {
                        self.password(encoded.trim()).await?
                    }
                    _ => None,
                };
                if let Some(accepted) = &found {
                    let mut cache = self.cache.lock().expect("cache");
                    if cache.len() >= CACHE_CAPACITY {
                        cache.clear();
                    }
                    cache.insert(
                        fingerprint,
                        Remembered {
                            principal: accepted.principal.clone(),
                            expires_at: accepted.expires_at,
                            account: accepted.account.clone(),
                            until: Instant::now() + CACHE_LIFETIME,
                        },
                    );
                }
                found
            }
        };
        let Some(accepted) = found else {
            return Ok(None);
        };
        if accepted.expires_at.is_some_and(|at| now >= at) {
            return Ok(None);
        }
        if let Some(account) = &accepted.account
            && !account_status(&self.store, account).await?.may_act()
        {
            return Ok(None);
        }
        Ok(Some(accepted.principal))
    }

    async fn api_key(&self, presented: &str, now: Timestamp) -> Result<Option<Accepted>, Problem> {
        let Some((id, secret_part)) = secret::parse_key(presented) else {
            return Ok(None);
        };
        let stored = self
            .store
            .api_key(id)
            .await
            .map_err(|error| crate::api::store_problem(error, ""))?;
        let Some(stored) = stored
            .filter(|stored| secret::verify_key_secret(secret_part, &stored.key.secret_hash))
            .filter(|stored| stored.is_usable(now))
        else {
            return Ok(None);
        };
        let key = stored.key;
        // A key that belongs to an account acts as that person: their name, role,
        // agency and team, and their break-glass openings.
        if let Some(owner) = &key.owner {
            let account = self
                .store
                .account(owner)
                .await
                .map_err(|error| crate::api::store_problem(error, ""))?;
            return Ok(account.map(|account| Accepted {
                principal: Principal {
                    id: account.user_name.clone(),
                    name: account.display_name,
                    role: account.role,
                    agency: account.agency,
                    team: account.team,
                    credential: Credential::ApiKey,
                },
                expires_at: key.expires_at,
                account: Some(account.user_name),
            }));
        }
        Ok(Some(Accepted {
            principal: Principal {
                id: format!("key:{}", key.id),
                name: key.name,
                role: key.role,
                agency: key.agency,
                team: None,
                credential: Credential::ApiKey,
            },
            expires_at: key.expires_at,
            account: None,
        }))
    }

    async fn password(&self, encoded: &str) -> Result<Option<Accepted>, Problem> {
        let Some((user_name, password)) = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| {
                text.split_once(':')
                    .map(|(u, p)| (u.to_string(), p.to_string()))
            })
        else {
            return Ok(None);
        };
        Ok(
            match check_password(&self.store, &user_name, password).await? {
                PasswordCheck::Accepted(principal) => Some(Accepted {
                    account: Some(principal.id.clone()),
                    principal,
                    expires_at: None,
                }),
                PasswordCheck::Disabled | PasswordCheck::Refused => None,
            },
        )
    }

    /// The session behind a page request's cookie.
    fn session(&self, request: &Request) -> Option<Session> {
        crate::session::token(request.headers()).and_then(|token| self.sessions.find(&token))
    }
}

/// Where the local account `user_name` stands now, from its account-change log.
pub(crate) async fn account_status<S: EventStore>(
    store: &S,
    user_name: &str,
) -> Result<AccountStatus, Problem> {
    let changes = store
        .account_changes(user_name)
        .await
        .map_err(|error| crate::api::store_problem(error, ""))?;
    Ok(vigil_store::accounts::status_after(&changes))
}

/// What a user name and password were found to be.
pub(crate) enum PasswordCheck {
    Accepted(Principal),
    /// The password is right but the account is disabled. Said only to someone who
    /// knows the password, so it tells a guesser nothing.
    Disabled,
    /// No such account, or the wrong password.
    Refused,
}

/// The local account `user_name`, if `password` is its password and it is not disabled.
pub(crate) async fn check_password<S: EventStore>(
    store: &S,
    user_name: &str,
    password: String,
) -> Result<PasswordCheck, Problem> {
    let account = store
        .account(user_name)
        .await
        .map_err(|error| crate::api::store_problem(error, ""))?;
    let Some(account) = account else {
        return Ok(PasswordCheck::Refused);
    };
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let hash = account.password_hash.clone();
    let matches = tokio::task::spawn_blocking(move || secret::verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    if !matches {
        return Ok(PasswordCheck::Refused);
    }
    if !account_status(store, &account.user_name).await?.may_act() {
        return Ok(PasswordCheck::Disabled);
    }
    Ok(PasswordCheck::Accepted(Principal {
        id: account.user_name,
        name: account.display_name,
        role: account.role,
        agency: account.agency,
        team: account.team,
        credential: Credential::Password,
    }))
}

/// 401: no credentials, or credentials that were not accepted.
pub fn unauthenticated(detail: &str) -> Response {
    let mut response = Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Authentication required",
        detail,
    )
    .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer realm=\"vigil\", Basic realm=\"vigil\", charset=\"UTF-8\"",
        ),
    );
    response
}

/// 403, with the sentence from `decide` saying what is needed.
pub fn forbidden(detail: String) -> Problem {
    Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not permitted", detail)
}

/// Refuses a request unless `decide` allows it; `OnlyRelated` is returned for lists.
pub fn check(principal: &Principal, access: Access, facts: &Facts) -> Result<Decision, Problem> {
    match decide(principal, access, facts) {
        Decision::Refuse(why) => Err(forbidden(why)),
        other => Ok(other),
    }
}

fn asks_for_a_past_moment(request: &Request) -> bool {
    request.uri().query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some("as_at"))
    })
}

/// The middleware: authenticate, check the route's rule, run the handler, and hand the
/// principal to the layers outside.
pub async fn authenticate<S: EventStore>(
    State(auth): State<Authenticator<S>>,
    mut request: Request,
    next: Next,
) -> Response {
    let access = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|path| {
            auth.rules
                .get(&(request.method().clone(), path.as_str()))
                .or_else(|| {
                    // HEAD is answered by the GET route.
                    (request.method() == Method::HEAD)
                        .then(|| auth.rules.get(&(Method::GET, path.as_str())))
                        .flatten()
                })
        })
        .copied();
    // An address no route matches is a page to a browser, but to a client that sends
    // credentials it is the API's: it gets the API's answers (401, 404 problem).
    let page = match request.extensions().get::<MatchedPath>() {
        Some(path) => is_page(path.as_str()),
        None => {
            is_page(request.uri().path()) && !request.headers().contains_key(header::AUTHORIZATION)
        }
    };
    if page {
        return authenticate_page(&auth, access, request, next).await;
    }
    if access == Some(Access::Public) {
        return next.run(request).await;
    }
    let Some(authorization) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
    else {
        return unauthenticated(
            "every address but /health and /ready needs credentials: send an API key as `Authorization: Bearer vigil_...` (from `vigil key create`), or a local account's user name and password as HTTP Basic (for scripts); see docs/API.md",
        );
    };
    let principal = match auth.principal(&authorization).await {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            return unauthenticated(
                "the credentials were not accepted: the key is unknown, revoked or expired, the account it belongs to is disabled, or the user name or password is wrong",
            );
        }
        Err(problem) => return problem.into_response(),
    };
    // Deny by default: a registered route with no rule in the table is refused. A
    // method the path does not take is left to the router's 405, an unknown address to
    // its 404: there is nothing there to protect.
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    if access.is_none()
        && let Some(path) = matched
        && !auth.rules.keys().any(|(_, template)| *template == path)
    {
        return forbidden(format!(
            "{path} has no rule in the access table, so it is refused to everyone"
        ))
        .into_response();
    }
    if let Some(access) = access {
        let facts = Facts {
            as_at: asks_for_a_past_moment(&request),
            ..Facts::default()
        };
        if let Err(problem) = check(&principal, access, &facts) {
            let mut response = problem.into_response();
            response.extensions_mut().insert(principal);
            return response;
        }
    }
    request.extensions_mut().insert(principal.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(principal);
    response
}

/// Pages: the principal comes from the session cookie only. Without a session a page
/// sends the browser to sign in and back; a refusal is a page that says what is needed.
async fn authenticate_page<S: EventStore>(
    auth: &Authenticator<S>,
    access: Option<Access>,
    mut request: Request,
    next: Next,
) -> Response {
    let mut session = auth.session(&request);
    // A session of an account disabled since it began ends now: the person is signed
    // out on their next request, whichever process disabled the account.
    if let Some(current) = &session
        && current.principal.credential == Credential::Password
    {
        match account_status(&auth.store, &current.principal.id).await {
            Ok(status) if status.may_act() => {}
            Ok(_) => {
                if let Some(token) = crate::session::token(request.headers()) {
                    auth.sessions.end(&token);
                }
                session = None;
            }
            Err(problem) => return PageError::from(problem).into_response(),
        }
    }
    if let Some(session) = &session {
        request.extensions_mut().insert(session.clone());
        request.extensions_mut().insert(session.principal.clone());
    }
    let with_principal = |mut response: Response, session: &Option<Session>| {
        if let Some(session) = session {
            response.extensions_mut().insert(session.principal.clone());
        }
        response
    };
    // A form posted from another site is refused before anything else looks at it,
    // signing in and out included (SameSite=Strict already keeps the cookie off such
    // requests; this is the second lock). Each form also carries the session's CSRF
    // token, checked by its handler.
    if request.method() != Method::GET
        && request.method() != Method::HEAD
        && request
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|site| site.as_bytes() == b"cross-site")
    {
        let mut refused = PageError::new(
            StatusCode::FORBIDDEN,
            "Refused: sent from another site",
            "This form was sent to Vigil from a page on another site. Nothing was changed.",
        );
        if let Some(session) = &session {
            refused = refused.within(session);
        }
        return with_principal(refused.into_response(), &session);
    }
    if access == Some(Access::Public) {
        let response = next.run(request).await;
        return with_principal(response, &session);
    }
    let Some(signed_in) = session.clone() else {
        if request.method() == Method::GET || request.method() == Method::HEAD {
            let wanted = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into());
            let to = format!("/sign-in?next={}", crate::pages::encode_component(&wanted));
            return axum::response::Redirect::to(&to).into_response();
        }
        return PageError::new(
            StatusCode::UNAUTHORIZED,
            "You are signed out",
            "Your session ended (after 30 minutes without activity, or 12 hours after you signed in), so nothing was changed. Sign in again and repeat what you were doing.",
        )
        .into_response();
    };
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    if access.is_none()
        && let Some(path) = matched
        && !auth.rules.keys().any(|(_, template)| *template == path)
    {
        let refused = PageError::from(forbidden(format!(
            "{path} has no rule in the access table, so it is refused to everyone"
        )))
        .within(&signed_in);
        return with_principal(refused.into_response(), &session);
    }
    if let Some(access) = access {
        let facts = Facts {
            as_at: asks_for_a_past_moment(&request),
            ..Facts::default()
        };
        if let Err(problem) = check(&signed_in.principal, access, &facts) {
            let refused = PageError::from(problem).within(&signed_in);
            return with_principal(refused.into_response(), &session);
        }
    }
    let response = next.run(request).await;
    with_principal(response, &session)
}
