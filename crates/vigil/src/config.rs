//! What an operator sets: where the database is, where to listen, the limits on input
//! and how to log. Read from a TOML file (`--config`, `VIGIL_CONFIG`, or `vigil.toml`
//! in the working directory when present); flags and environment variables override
//! the file; everything has a default that runs on a laptop.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

pub const DEFAULT_DATABASE: &str = "sqlite://vigil.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfigFile {
    pub database: DatabaseSection,
    pub server: ServerSection,
    pub limits: LimitsSection,
    pub log: LogSection,
    pub webhooks: WebhooksSection,
    pub access: AccessSection,
    pub oidc: OidcSection,
    /// The rules' parameters and the agency register (see docs/RULES.md).
    pub rules: vigil_rules::RulesConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSection {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: Option<String>,
    /// `full` (default) or `normal`; see docs/OPERATIONS.md.
    pub sqlite_durability: Option<String>,
    pub postgres_max_connections: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    pub listen: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    pub max_event_bytes: Option<usize>,
    pub max_batch_bytes: Option<usize>,
    pub max_batch_events: Option<usize>,
}

/// The webhook sender (docs/OPERATIONS.md, "Webhooks").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksSection {
    /// Tries before a delivery becomes a dead letter (default 6).
    pub attempts: Option<u32>,
    /// The wait after the first failed try; it doubles after each further one
    /// (default 10 s).
    pub base_delay_seconds: Option<f64>,
    /// How long one request may take (default 10 s).
    pub timeout_seconds: Option<f64>,
    /// A PEM file of certificate authorities to trust for `https://` receivers besides
    /// the system's (an agency's own CA). Relative to the working directory.
    pub ca_file: Option<std::path::PathBuf>,
}

/// Access control (docs/SECURITY.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessSection {
    /// How long a break-glass opening lasts, in whole hours (default 24, 1 to 72).
    pub break_glass_hours: Option<i64>,
}

/// The identity provider whose bearer tokens Vigil accepts (docs/SECURITY.md). Absent:
/// only Vigil's own keys and accounts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OidcSection {
    /// The provider's issuer, exactly as its tokens write `iss`.
    pub issuer: Option<String>,
    /// Vigil's client id at the provider, which tokens must name in `aud`.
    pub audience: Option<String>,
    /// A JWKS file with the provider's public keys...
    pub jwks_file: Option<PathBuf>,
    /// ...or the provider's JWKS URL (https).
    pub jwks_url: Option<String>,
    /// The claims that carry the role, the agency and the team (defaults
    /// `vigil_role`, `vigil_agency`, `vigil_team`).
    pub role_claim: Option<String>,
    pub agency_claim: Option<String>,
    pub team_claim: Option<String>,
    /// How far the provider's clock may differ from Vigil's (default 60).
    pub leeway_seconds: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// `text` (default) or `json`.
    pub format: Option<String>,
}

impl ConfigFile {
    /// Reads the named file, or `vigil.toml` in the working directory if it exists.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => (PathBuf::from("vigil.toml"), false),
        };
        if !path.exists() {
            if required {
                bail!("the configuration file {} does not exist", path.display());
            }
            return Ok(ConfigFile::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Vigil configuration", path.display()))
    }
}

/// Where the events live, decided from the URL's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite {
        path: PathBuf,
        durability: vigil_store_sqlite::Durability,
    },
    Postgres {
        url: String,
        max_connections: u32,
    },
}

impl Database {
    pub fn from_url(url: &str, file: &DatabaseSection) -> anyhow::Result<Self> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if path.starts_with(":memory:") || path.contains("mode=memory") {
                bail!(
                    "an in-memory SQLite database cannot be used: Vigil's readers and writer need one shared file; name a file, such as sqlite://vigil.db"
                );
            }
            if path.is_empty() {
                bail!(
                    "the SQLite URL {url:?} names no file; write sqlite://vigil.db or sqlite:///var/lib/vigil/vigil.db"
                );
            }
            let durability = match file.sqlite_durability.as_deref() {
                None | Some("full") => vigil_store_sqlite::Durability::Full,
                Some("normal") => vigil_store_sqlite::Durability::Normal,
                Some(other) => {
                    bail!("database.sqlite_durability is `full` or `normal`, not {other:?}")
                }
            };
            Ok(Database::Sqlite {
                path: PathBuf::from(path),
                durability,
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres {
                url: url.to_string(),
                max_connections: file.postgres_max_connections.unwrap_or(16),
            })
        } else {
            bail!("the database URL must start with sqlite:// or postgres://; got {url:?}")
        }
    }

    /// For messages: the URL without any password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite { path, .. } => format!("SQLite file {}", path.display()),
            Database::Postgres { url, .. } => {
                let shown = match (url.find("://"), url.rfind('@')) {
                    (Some(scheme_end), Some(at)) if at > scheme_end => {
                        let credentials = &url[scheme_end + 3..at];
                        let user = credentials.split(':').next().unwrap_or("");
                        format!("{}{}@{}", &url[..scheme_end + 3], user, &url[at + 1..])
                    }
                    _ => url.clone(),
                };
                format!("PostgreSQL {shown}")
            }
        }
    }
}

pub fn parse_listen(text: &str) -> anyhow::Result<SocketAddr> {
    text.parse().with_context(|| {
        format!("--listen takes ADDRESS:PORT such as 127.0.0.1:8080; got {text:?}")
    })
}

/// The sender's settings: the file's, else the defaults. Refuses values that would stop
/// it working (no tries, a negative or endless wait).
pub fn webhook_settings(
    file: &WebhooksSection,
) -> anyhow::Result<vigil_web::webhook_sender::WebhookSettings> {
    let defaults = vigil_web::webhook_sender::WebhookSettings::default();
    let seconds = |value: Option<f64>, default: std::time::Duration, name: &str| match value {
        None => Ok(default),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Ok(std::time::Duration::from_secs_f64(s))
        }
        Some(s) => {
            bail!("[webhooks] {name} = {s}: give a number of seconds above 0 and at most 86400")
        }
    };
    let attempts = match file.attempts {
        None => defaults.backoff.attempts,
        Some(n @ 1..=50) => n,
        Some(n) => bail!("[webhooks] attempts = {n}: give a number of tries from 1 to 50"),
    };
    let timeout = seconds(file.timeout_seconds, defaults.timeout, "timeout_seconds")?;
    let extra_roots = match &file.ca_file {
        None => Vec::new(),
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| {
                format!("[webhooks] ca_file = {}: cannot read it", path.display())
            })?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem).with_context(|| {
                format!(
                    "[webhooks] ca_file = {}: not PEM certificates (-----BEGIN CERTIFICATE-----)",
                    path.display()
                )
            })?;
            if roots.is_empty() {
                bail!(
                    "[webhooks] ca_file = {}: holds no certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                );
            }
            roots
        }
    };
    Ok(vigil_web::webhook_sender::WebhookSettings {
        backoff: vigil_store::Backoff {
            attempts,
            base_delay: seconds(
                file.base_delay_seconds,
                defaults.backoff.base_delay,
                "base_delay_seconds",
            )?,
            // A claimed try with no result after twice the timeout and a minute was
            // lost with its process.
            abandoned_after: timeout * 2 + std::time::Duration::from_secs(60),
        },
        timeout,
        tick: defaults.tick,
        extra_roots,
    })
}

/// The access settings: the file's, else the defaults; a value out of bounds is refused
/// with the bounds, not silently clamped.
pub fn access_settings(
    file: &AccessSection,
    oidc: &OidcSection,
) -> anyhow::Result<vigil_web::AccessSettings> {
    let break_glass_lasts = match file.break_glass_hours {
        None => vigil_access::break_glass::OpeningLasts::default(),
        Some(hours) => vigil_access::break_glass::OpeningLasts::from_hours(hours)
            .map_err(|error| anyhow::anyhow!("[access] break_glass_hours = {hours}: {error}"))?,
    };
    Ok(vigil_web::AccessSettings {
        break_glass_lasts,
        oidc: oidc_verifier(oidc)?.map(std::sync::Arc::new),
    })
}

/// The identity provider's verifier, when `[oidc]` names one; a half-filled section is
/// refused with what is missing.
fn oidc_verifier(section: &OidcSection) -> anyhow::Result<Option<vigil_web::oidc::OidcVerifier>> {
    use vigil_web::oidc::{JwksSource, OidcVerifier};
    let named = section.issuer.is_some()
        || section.audience.is_some()
        || section.jwks_file.is_some()
        || section.jwks_url.is_some();
    if !named {
        return Ok(None);
    }
    let (Some(issuer), Some(audience)) = (&section.issuer, &section.audience) else {
        bail!("[oidc] needs both issuer and audience (Vigil's client id at the provider)");
    };
    let source = match (&section.jwks_file, &section.jwks_url) {
        (Some(path), None) => JwksSource::File(path.clone()),
        (None, Some(url)) => {
            JwksSource::url(url).map_err(|error| anyhow::anyhow!("[oidc] jwks_url: {error}"))?
        }
        _ => {
            bail!("[oidc] needs one of jwks_file or jwks_url: where the provider's public keys are")
        }
    };
    let mut settings = vigil_access::oidc::OidcSettings::new(issuer, audience);
    if let Some(claim) = &section.role_claim {
        settings.role_claim = claim.clone();
    }
    if let Some(claim) = &section.agency_claim {
        settings.agency_claim = claim.clone();
    }
    if let Some(claim) = &section.team_claim {
        settings.team_claim = claim.clone();
    }
    if let Some(seconds) = section.leeway_seconds {
        if seconds > 300 {
            bail!("[oidc] leeway_seconds = {seconds}: at most 300 (five minutes)");
        }
        settings.leeway_seconds = seconds;
    }
    Ok(Some(OidcVerifier::new(settings, source)))
}

pub fn web_limits(file: &LimitsSection) -> vigil_web::WebLimits {
    let defaults = vigil_web::WebLimits::default();
    vigil_web::WebLimits {
        event: defaults.event,
        max_event_bytes: file.max_event_bytes.unwrap_or(defaults.max_event_bytes),
        max_batch_bytes: file.max_batch_bytes.unwrap_or(defaults.max_batch_bytes),
        max_batch_events: file.max_batch_events.unwrap_or(defaults.max_batch_events),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in docs/OPERATIONS.md is a configuration Vigil accepts, so the page
    /// cannot drift from the code.
    #[test]
    fn the_documented_example_is_a_valid_configuration() {
        let page = include_str!("../../../docs/OPERATIONS.md");
        let start = page.find("```toml\n").expect("the page has a TOML example") + 8;
        let end = start + page[start..].find("```").expect("closed");
        let file: ConfigFile = toml::from_str(&page[start..end]).expect("the example parses");
        assert_eq!(file.rules.deadlines.red_hours, 4);
        assert!(file.rules.agencies.contains_key("QCS"));
        assert_eq!(
            access_settings(&file.access, &file.oidc)
                .unwrap()
                .break_glass_lasts
                .hours(),
            24
        );
    }

    #[test]
    fn break_glass_lasts_a_day_unless_configured_within_bounds() {
        let hours = |text: &str| {
            let file: ConfigFile = toml::from_str(text).unwrap();
            access_settings(&file.access, &file.oidc).map(|s| s.break_glass_lasts.hours())
        };
        assert_eq!(hours("").unwrap(), 24);
        assert_eq!(hours("[access]\nbreak_glass_hours = 8").unwrap(), 8);
        let error = hours("[access]\nbreak_glass_hours = 0")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("break_glass_hours = 0") && error.contains("between 1 and 72"),
            "{error}"
        );
        assert!(hours("[access]\nbreak_glass_hours = 100").is_err());
        assert!(toml::from_str::<ConfigFile>("[access]\nbreak_glass = 8").is_err());
    }

    #[test]
    fn an_identity_provider_is_named_whole_or_not_at_all() {
        let settings = |text: &str| {
            let file: ConfigFile = toml::from_str(text).unwrap();
            access_settings(&file.access, &file.oidc).map(|s| s.oidc.is_some())
        };
        assert!(!settings("").unwrap());
        let whole = "[oidc]\nissuer = \"https://id.example.invalid\"\naudience = \"vigil\"\njwks_url = \"https://id.example.invalid/jwks\"";
        assert!(settings(whole).unwrap());
        for (text, says) in [
            (
                "[oidc]\nissuer = \"https://id.example.invalid\"",
                "issuer and audience",
            ),
            (
                "[oidc]\nissuer = \"i\"\naudience = \"vigil\"",
                "jwks_file or jwks_url",
            ),
            (
                "[oidc]\nissuer = \"i\"\naudience = \"vigil\"\njwks_url = \"http://id.example.invalid/jwks\"",
                "https://",
            ),
            (
                "[oidc]\nissuer = \"i\"\naudience = \"v\"\njwks_file = \"k.json\"\nleeway_seconds = 3600",
                "at most 300",
            ),
        ] {
            let error = settings(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn webhook_settings_default_and_refuse_what_would_stop_the_sender() {
        let defaults = webhook_settings(&WebhooksSection::default()).unwrap();
        assert_eq!(defaults.backoff.attempts, 6);
        assert_eq!(
            defaults.backoff.base_delay,
            std::time::Duration::from_secs(10)
        );
        let set = webhook_settings(&WebhooksSection {
            attempts: Some(3),
            base_delay_seconds: Some(0.5),
            timeout_seconds: Some(2.0),
            ca_file: None,
        })
        .unwrap();
        assert_eq!(set.backoff.attempts, 3);
        assert_eq!(
            set.backoff.base_delay,
            std::time::Duration::from_millis(500)
        );
        assert_eq!(set.timeout, std::time::Duration::from_secs(2));
        for wrong in [
            WebhooksSection {
                attempts: Some(0),
                ..WebhooksSection::default()
            },
            WebhooksSection {
                base_delay_seconds: Some(-1.0),
                ..WebhooksSection::default()
            },
            WebhooksSection {
                timeout_seconds: Some(f64::INFINITY),
                ..WebhooksSection::default()
            },
        ] {
            let error = webhook_settings(&wrong).unwrap_err().to_string();
            assert!(error.starts_with("[webhooks]"), "{error}");
        }
    }

    #[test]
    fn a_ca_file_adds_its_certificates_and_a_wrong_one_is_named() {
        let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/tests/tls/ca.pem");
        let set = webhook_settings(&WebhooksSection {
            ca_file: Some(ca.into()),
            ..WebhooksSection::default()
        })
        .unwrap();
        assert_eq!(set.extra_roots.len(), 1);
        let directory = tempfile::tempdir().unwrap();
        let not_pem = directory.path().join("key.txt");
        std::fs::write(&not_pem, "not a certificate\n").unwrap();
        for path in [directory.path().join("missing.pem"), not_pem] {
            let error = webhook_settings(&WebhooksSection {
                ca_file: Some(path.clone()),
                ..WebhooksSection::default()
            })
            .unwrap_err();
            let error = format!("{error:#}");
            assert!(error.starts_with("[webhooks] ca_file = "), "{error}");
            assert!(error.contains(&path.display().to_string()), "{error}");
        }
    }

    #[test]
    fn database_urls() {
        let file = DatabaseSection::default();
        assert!(
            matches!(Database::from_url("sqlite://vigil.db", &file).unwrap(), Database::Sqlite { path, .. } if path == Path::new("vigil.db"))
        );
        assert!(
            matches!(Database::from_url("sqlite:///var/lib/v.db", &file).unwrap(), Database::Sqlite { path, .. } if path == Path::new("/var/lib/v.db"))
        );
        assert!(matches!(
            Database::from_url("postgres://u:p@h/db", &file).unwrap(),
            Database::Postgres { .. }
        ));
        assert!(Database::from_url("mysql://h/db", &file).is_err());
        assert!(Database::from_url("sqlite://", &file).is_err());
        assert!(Database::from_url("sqlite::memory:", &file).is_err());
        let postgres =
            Database::from_url("postgres://vigil:secret@db.example:5432/vigil", &file).unwrap();
        assert_eq!(
            postgres.describe(),
            "PostgreSQL postgres://vigil@db.example:5432/vigil"
        );
    }

    #[test]
    fn a_config_file_with_a_typo_is_refused() {
        let error = toml::from_str::<ConfigFile>("[server]\nlisten = \"0.0.0.0:80\"\nport = 80\n")
            .unwrap_err();
        assert!(
            error.to_string().contains("unknown field `port`"),
            "{error}"
        );
        let good: ConfigFile = toml::from_str("[database]\nurl = \"sqlite://x.db\"\n").unwrap();
        assert_eq!(good.database.url.as_deref(), Some("sqlite://x.db"));
    }
}
