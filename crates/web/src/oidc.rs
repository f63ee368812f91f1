//! Bearer tokens from the deployment's identity provider: where its keys come from
//! (a JWKS file, or its JWKS URL), and a small cache of them. Whether a token is good
//! is decided by `vigil_access::oidc::verify`, with the moment passed in; this module
//! only fetches, because only the web crate does HTTP.
//!
//! Keys are kept for [`KEYS_LAST`]; a token signed with a key id Vigil has not seen
//! makes it fetch again (a provider rotating its keys), at most once per
//! [`REFETCH_AT_MOST_EVERY`], so a stream of forged key ids cannot make Vigil hammer
//! the provider. When a fetch fails, the keys already held go on being used; with
//! none, tokens are refused (401) and the failure is logged.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;
use vigil_access::oidc::{OidcSettings, TokenError, VerifiedToken, read_jwks, verify};

/// How long fetched keys are used before they are fetched again.
pub const KEYS_LAST: Duration = Duration::from_secs(10 * 60);

/// The least time between two fetches prompted by an unknown key id.
pub const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

/// Where the provider's public keys are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksSource {
    /// A JWKS document on disk (for a provider whose keys are distributed by hand, and
    /// for tests).
    File(PathBuf),
    /// The provider's `jwks_uri`: `https://`, or `http://` to 127.0.0.1 or localhost.
    Url(String),
}

impl JwksSource {
    /// Refuses a URL that would fetch keys in clear text over a network.
    pub fn url(url: &str) -> Result<JwksSource, String> {
        let local = ["http://127.0.0.1", "http://localhost"]
            .iter()
            .any(|prefix| {
                url.starts_with(&format!("{prefix}:")) || url.starts_with(&format!("{prefix}/"))
            });
        if url.starts_with("https://") || local {
            Ok(JwksSource::Url(url.to_string()))
        } else {
            Err(format!(
                "the JWKS URL {url:?} must start with https:// (or http:// to 127.0.0.1 or localhost): keys fetched in clear text could be swapped"
            ))
        }
    }
}

struct Held {
    keys: Arc<JwkSet>,
    fetched: Instant,
}

/// Checks bearer tokens against the provider's keys, fetched and cached here.
pub struct OidcVerifier {
    settings: OidcSettings,
    source: JwksSource,
    held: Mutex<Option<Held>>,
    client: reqwest::Client,
}

impl std::fmt::Debug for OidcVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcVerifier")
            .field("issuer", &self.settings.issuer)
            .field("audience", &self.settings.audience)
            .field("source", &self.source)
            .finish()
    }
}

impl OidcVerifier {
    pub fn new(settings: OidcSettings, source: JwksSource) -> Self {
        OidcVerifier {
            settings,
            source,
            held: Mutex::new(None),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client with rustls"),
        }
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let text = match &self.source {
            JwksSource::File(path) => tokio::fs::read_to_string(path)
                .await
                .map_err(|error| format!("reading {}: {error}", path.display()))?,
            JwksSource::Url(url) => {
                let response = self
                    .client
                    .get(url)
                    .send()
                    .await
                    .map_err(|error| format!("fetching {url}: {error}"))?;
                if !response.status().is_success() {
                    return Err(format!("fetching {url}: HTTP {}", response.status()));
                }
                response
                    .text()
                    .await
                    .map_err(|error| format!("reading {url}: {error}"))?
            }
        };
        read_jwks(&text).map_err(|error| error.to_string())
    }

    /// The keys to check with: those held, unless they are old (or `fresh` is asked
    /// and the last fetch was long enough ago).
    async fn keys(&self, fresh: bool) -> Option<Arc<JwkSet>> {
        let mut held = self.held.lock().await;
        let due = match held.as_ref() {
            None => true,
            Some(h) => {
                h.fetched.elapsed() >= KEYS_LAST
                    || (fresh && h.fetched.elapsed() >= REFETCH_AT_MOST_EVERY)
            }
        };
        if due {
            match self.fetch().await {
                Ok(keys) => {
                    *held = Some(Held {
                        keys: Arc::new(keys),
                        fetched: Instant::now(),
                    });
                }
                Err(error) => {
                    tracing::error!(%error, "the identity provider's keys could not be read");
                    // Keep using what is held; note the attempt so a broken provider
                    // is not asked on every request.
                    if let Some(h) = held.as_mut() {
                        h.fetched = Instant::now() - KEYS_LAST + REFETCH_AT_MOST_EVERY;
                    }
                }
            }
        }
        held.as_ref().map(|h| h.keys.clone())
    }

    /// The principal behind `token` at `now`, or `None` (the reason is logged).
    pub async fn verify(&self, token: &str, now: Timestamp) -> Option<VerifiedToken> {
        let keys = self.keys(false).await?;
        let result = match verify(token, &keys, &self.settings, now) {
            Err(error) if error.wants_fresh_keys() => {
                let keys = self.keys(true).await?;
                verify(token, &keys, &self.settings, now)
            }
            other => other,
        };
        result
            .map_err(|error: TokenError| {
                tracing::info!(%error, "a bearer token was not accepted");
            })
            .ok()
    }
}
