//! Signed-in sessions for the web pages.
//!
//! A person signs in once with their local account; the browser then carries a random
//! 256-bit token in the `vigil_session` cookie (HttpOnly, SameSite=Strict, Secure when
//! Vigil is told it is served over TLS). Only the SHA-256 of the token is kept, in
//! memory, with the principal and a CSRF token for the session's forms.
//!
//! A session ends when its owner signs out, after [`IDLE_TIMEOUT`] without a request,
//! or [`MAX_LIFETIME`] after sign-in, whichever comes first. Sessions are held in this
//! process only: a restart signs everyone out, which is the safe failure for a record
//! of this sensitivity. The JSON API never accepts the cookie (it takes API keys or
//! HTTP Basic), so a cross-site request can reach only the pages, whose forms carry
//! the CSRF token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};
use vigil_access::{Principal, secret};

/// A session with no request for this long is over: a shared computer left signed in
/// in a clinic is the case this guards.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// However active, a session lasts at most a working day.
pub const MAX_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The cookie's name.
pub const COOKIE: &str = "vigil_session";

/// Past this many sessions, expired ones are swept before a new one starts.
const SWEEP_AT: usize = 10_000;

/// One signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    /// Sent back in every form of the session; a POST without it is refused.
    pub csrf: String,
    started: Instant,
    last_seen: Instant,
}

impl Session {
    fn is_live(&self, now: Instant) -> bool {
        now.duration_since(self.last_seen) < IDLE_TIMEOUT
            && now.duration_since(self.started) < MAX_LIFETIME
    }
}

/// Wrong passwords for one user name within [`LOCKOUT`] before it is locked.
pub const FAILURES_ALLOWED: u32 = 5;

/// How long a run of failures counts, and how long the lock lasts.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// The sessions of this process, and the recent failed sign-ins.
#[derive(Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<HashMap<[u8; 32], Session>>>,
    /// By user name (lower case): how many failures since when.
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
    /// Add `Secure` to the cookie: set when Vigil is served over TLS.
    pub secure_cookies: bool,
}

fn fingerprint(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    pub fn new(secure_cookies: bool) -> Self {
        Sessions {
            inner: Arc::default(),
            failures: Arc::default(),
            secure_cookies,
        }
    }

    /// Starts a session; returns its token (for the cookie only) and the session.
    pub fn start(&self, principal: Principal) -> Result<(String, Session), secret::SecretError> {
        let token = secret::random_token()?;
        let now = Instant::now();
        let session = Session {
            principal,
            csrf: secret::random_token()?,
            started: now,
            last_seen: now,
        };
        let mut sessions = self.inner.lock().expect("sessions");
        if sessions.len() >= SWEEP_AT {
            sessions.retain(|_, s| s.is_live(now));
        }
        sessions.insert(fingerprint(&token), session.clone());
        Ok((token, session))
    }

    /// The live session behind `token`, marked as seen now; an expired one is removed.
    pub fn find(&self, token: &str) -> Option<Session> {
        self.find_at(token, Instant::now())
    }

    fn find_at(&self, token: &str, now: Instant) -> Option<Session> {
        let key = fingerprint(token);
        let mut sessions = self.inner.lock().expect("sessions");
        match sessions.get_mut(&key) {
            Some(session) if session.is_live(now) => {
                session.last_seen = now;
                Some(session.clone())
            }
            Some(_) => {
                sessions.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends the session behind `token`, if any.
    pub fn end(&self, token: &str) {
        self.inner
            .lock()
            .expect("sessions")
            .remove(&fingerprint(token));
    }

    /// Counts a wrong password for `user_name`.
    pub fn note_failure(&self, user_name: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("failures");
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, (_, since)| now.duration_since(*since) < LOCKOUT);
        }
        let entry = failures.entry(user_name.to_lowercase()).or_insert((0, now));
        if now.duration_since(entry.1) >= LOCKOUT {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// How long `user_name` stays locked after too many wrong passwords, if it is.
    pub fn locked_out(&self, user_name: &str) -> Option<Duration> {
        self.locked_out_at(user_name, Instant::now())
    }

    fn locked_out_at(&self, user_name: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().expect("failures");
        let (count, since) = failures.get(&user_name.to_lowercase())?;
        let elapsed = now.duration_since(*since);
        (*count >= FAILURES_ALLOWED && elapsed < LOCKOUT).then(|| LOCKOUT - elapsed)
    }

    /// A successful sign-in clears the count.
    pub fn forget_failures(&self, user_name: &str) {
        self.failures
            .lock()
            .expect("failures")
            .remove(&user_name.to_lowercase());
    }

    /// The `Set-Cookie` value that hands `token` to the browser.
    pub fn cookie(&self, token: &str) -> HeaderValue {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            MAX_LIFETIME.as_secs()
        ))
        .expect("a hex token is a valid header value")
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn removal_cookie(&self) -> HeaderValue {
        HeaderValue::from_static("vigil_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }
}

/// The session token in a request's cookies, if any.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_access::{Credential, Role};

    fn someone() -> Principal {
        Principal {
            id: "ana".into(),
            name: "Ana Analyst".into(),
            role: Role::MashAnalyst,
            agency: None,
            team: None,
            credential: Credential::Password,
        }
    }

    #[test]
    fn a_session_is_found_by_its_token_and_not_by_another() {
        let sessions = Sessions::default();
        let (token, session) = sessions.start(someone()).unwrap();
        assert_eq!(sessions.find(&token).unwrap().csrf, session.csrf);
        assert!(sessions.find(&"0".repeat(64)).is_none());
        sessions.end(&token);
        assert!(sessions.find(&token).is_none());
    }

    #[test]
    fn an_idle_session_expires_and_an_active_one_lasts_at_most_a_day() {
        let sessions = Sessions::default();
        let (token, _) = sessions.start(someone()).unwrap();
        let start = Instant::now();
        // Active every 20 minutes: still live after an hour.
        for step in 1..=3 {
            assert!(
                sessions
                    .find_at(&token, start + Duration::from_secs(20 * 60 * step))
                    .is_some()
            );
        }
        // Then 31 minutes idle: gone.
        assert!(
            sessions
                .find_at(&token, start + Duration::from_secs(60 * 60 + 31 * 60))
                .is_none()
        );
        let (token, _) = sessions.start(someone()).unwrap();
        let start = Instant::now();
        let mut at = start;
        while at < start + MAX_LIFETIME - Duration::from_secs(60) {
            at += Duration::from_secs(10 * 60);
            if at >= start + MAX_LIFETIME {
                break;
            }
            assert!(sessions.find_at(&token, at).is_some());
        }
        assert!(
            sessions
                .find_at(&token, start + MAX_LIFETIME + Duration::from_secs(1))
                .is_none()
        );
    }

    #[test]
    fn a_user_name_locks_after_repeated_failures_and_unlocks_later() {
        let sessions = Sessions::default();
        for _ in 1..FAILURES_ALLOWED {
            sessions.note_failure("Dana");
        }
        assert!(sessions.locked_out("dana").is_none());
        sessions.note_failure("DANA");
        let wait = sessions.locked_out("dana").expect("locked");
        assert!(wait <= LOCKOUT && wait > LOCKOUT - Duration::from_secs(60));
        assert!(sessions.locked_out("someone else").is_none());
        assert!(
            sessions
                .locked_out_at("dana", Instant::now() + LOCKOUT)
                .is_none()
        );
        sessions.forget_failures("Dana");
        assert!(sessions.locked_out("dana").is_none());
    }

    #[test]
    fn the_token_is_read_from_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; vigil_session=abc123; other=1"),
        );
        assert_eq!(token(&headers).as_deref(), Some("abc123"));
        headers.insert(header::COOKIE, HeaderValue::from_static("vigil_session="));
        assert_eq!(token(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_and_strict_and_secure_when_asked() {
        let plain = Sessions::new(false).cookie("t");
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(
            Sessions::new(true)
                .cookie("t")
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
