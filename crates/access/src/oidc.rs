//! Bearer tokens from the deployment's identity provider (OpenID Connect): a signed
//! JWT checked against the provider's keys, its issuer, Vigil's audience and its
//! lifetime, whose claims say who the person is and in what role, agency and team
//! they act.
//!
//! Checked here without I/O: the caller fetches (and caches) the provider's keys as a
//! JWKS and passes the moment to check against, so expiry is tested without waiting
//! and the verification is tested with keys a test makes. jsonwebtoken's own clock
//! check is turned off for that reason; the expiry and not-before checks below use
//! the moment given, with [`OidcSettings::leeway_seconds`] for clocks that drift.
//!
//! Only asymmetric algorithms are accepted (RS256/384/512, PS256/384/512, ES256/384,
//! EdDSA): a token signed with a shared secret (HS256) could be forged by anyone who
//! holds the secret, and a token that names an algorithm its key does not have is
//! refused.

use std::collections::HashSet;

use jiff::Timestamp;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use vigil_domain::AgencyCode;

use crate::{Credential, Principal, Role};

/// What Vigil expects of the identity provider's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The provider's issuer (`iss`), exactly as it writes it.
    pub issuer: String,
    /// Vigil's client id at the provider: a token must name it in `aud`.
    pub audience: String,
    /// The claim that carries the role (one of Vigil's role names).
    pub role_claim: String,
    /// The claim that carries the agency code.
    pub agency_claim: String,
    /// The claim that carries the team's name.
    pub team_claim: String,
    /// How far the provider's clock and Vigil's may disagree.
    pub leeway_seconds: u64,
}

impl OidcSettings {
    /// Settings with the default claim names (`vigil_role`, `vigil_agency`,
    /// `vigil_team`) and a minute's leeway.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        OidcSettings {
            issuer: issuer.into(),
            audience: audience.into(),
            role_claim: "vigil_role".into(),
            agency_claim: "vigil_agency".into(),
            team_claim: "vigil_team".into(),
            leeway_seconds: 60,
        }
    }
}

/// Why a token was not accepted. Said in logs, never to the client (which gets the
/// same 401 as for any credential not accepted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("not a signed JWT: {0}")]
    Malformed(String),
    #[error("the algorithm {0:?} is not accepted; sign with RS256, PS256, ES256 or EdDSA")]
    Algorithm(String),
    #[error("no key {0:?} among the provider's keys")]
    UnknownKey(String),
    #[error("the signature does not match the provider's key")]
    Signature,
    #[error("issued by someone else (iss)")]
    Issuer,
    #[error("meant for someone else (aud)")]
    Audience,
    #[error("expired")]
    Expired,
    #[error("not valid yet (nbf)")]
    NotYetValid,
    #[error("claim {claim}: {problem}")]
    Claim { claim: String, problem: String },
}

impl TokenError {
    /// Whether fetching the provider's keys again might help (a key rotated in).
    pub fn wants_fresh_keys(&self) -> bool {
        matches!(self, TokenError::UnknownKey(_))
    }
}

const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, Value>,
}

/// A token the provider signed, read: the principal and when the token expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub principal: Principal,
    pub expires_at: Timestamp,
}

/// Checks `token` against the provider's `keys` and `settings` at `now`, and maps its
/// claims to a principal: id `oidc:<sub>`, name from `name` (else `sub`), role, agency
/// and team from the configured claims. A role that acts for an agency needs the
/// agency claim.
pub fn verify(
    token: &str,
    keys: &JwkSet,
    settings: &OidcSettings,
    now: Timestamp,
) -> Result<VerifiedToken, TokenError> {
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
    if !ACCEPTED.contains(&header.alg) {
        return Err(TokenError::Algorithm(format!("{:?}", header.alg)));
    }
    let jwk = match &header.kid {
        Some(kid) => keys
            .find(kid)
            .ok_or_else(|| TokenError::UnknownKey(kid.clone()))?,
        // Without a key id, only a provider with a single key is unambiguous.
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => return Err(TokenError::UnknownKey("(no kid)".into())),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| TokenError::Malformed(e.to_string()))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims =
        HashSet::from(["exp", "iss", "aud", "sub"].map(str::to_string));
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        match error.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::InvalidIssuer => TokenError::Issuer,
            ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::InvalidAlgorithm => TokenError::Algorithm(format!("{:?}", header.alg)),
            ErrorKind::MissingRequiredClaim(claim) => TokenError::Claim {
                claim: claim.clone(),
                problem: "is required".into(),
            },
            _ => TokenError::Malformed(error.to_string()),
        }
    })?;
    let claims = data.claims;
    let leeway = i64::try_from(settings.leeway_seconds).unwrap_or(i64::MAX);
    let now_seconds = now.as_second();
    if now_seconds >= claims.exp.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    if claims
        .nbf
        .is_some_and(|nbf| now_seconds.saturating_add(leeway) < nbf)
    {
        return Err(TokenError::NotYetValid);
    }
    let text = |claim: &str| -> Result<Option<String>, TokenError> {
        match claims.other.get(claim) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_string())),
            Some(_) => Err(TokenError::Claim {
                claim: claim.to_string(),
                problem: "is not a string".into(),
            }),
        }
    };
    let role: Role = text(&settings.role_claim)?
        .ok_or_else(|| TokenError::Claim {
            claim: settings.role_claim.clone(),
            problem: "is required: the role the person acts in".into(),
        })?
        .parse()
        .map_err(|error: crate::RoleParseError| TokenError::Claim {
            claim: settings.role_claim.clone(),
            problem: error.to_string(),
        })?;
    let agency = text(&settings.agency_claim)?
        .map(|code| {
            AgencyCode::parse(&code).map_err(|error| TokenError::Claim {
                claim: settings.agency_claim.clone(),
                problem: error.to_string(),
            })
        })
        .transpose()?;
    if role.needs_agency() && agency.is_none() {
        return Err(TokenError::Claim {
            claim: settings.agency_claim.clone(),
            problem: format!("is required for the role {role}"),
        });
    }
    let expires_at = Timestamp::from_second(claims.exp).map_err(|_| TokenError::Claim {
        claim: "exp".into(),
        problem: "is out of range".into(),
    })?;
    Ok(VerifiedToken {
        principal: Principal {
            id: format!("oidc:{}", claims.sub),
            name: claims.name.unwrap_or_else(|| claims.sub.clone()),
            role,
            agency,
            team: text(&settings.team_claim)?,
            credential: Credential::Token,
        },
        expires_at,
    })
}

/// Reads a JWKS document (`{"keys": [...]}`), as a provider publishes it.
pub fn read_jwks(text: &str) -> Result<JwkSet, TokenError> {
    serde_json::from_str(text).map_err(|error| TokenError::Malformed(format!("JWKS: {error}")))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use base64::Engine;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    /// A key pair made for the test, and its public half as a JWKS.
    struct Provider {
        kid: String,
        encoding: EncodingKey,
        jwks: JwkSet,
    }

    fn provider(kid: &str) -> Provider {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let jwks = read_jwks(
            &json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" }] })
                .to_string(),
        )
        .unwrap();
        Provider {
            kid: kid.into(),
            encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
            jwks,
        }
    }

    const NOW: i64 = 1_800_000_000;

    fn now() -> Timestamp {
        Timestamp::from_second(NOW).unwrap()
    }

    fn settings() -> OidcSettings {
        OidcSettings::new("https://id.quillshire.example.invalid", "vigil")
    }

    fn claims() -> Value {
        json!({
            "iss": "https://id.quillshire.example.invalid", "aud": "vigil", "sub": "u-123",
            "exp": NOW + 300, "nbf": NOW - 10, "name": "Ana Quill (fictional)",
            "vigil_role": "practitioner", "vigil_agency": "QHV", "vigil_team": "Health visiting north",
        })
    }

    fn sign(provider: &Provider, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(provider.kid.clone());
        jsonwebtoken::encode(&header, claims, &provider.encoding).unwrap()
    }

    fn with(changes: Value) -> Value {
        let mut claims = claims();
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    }

    #[test]
    fn a_good_token_names_the_person_their_role_agency_and_team() {
        let idp = provider("k1");
        let verified = verify(&sign(&idp, &claims()), &idp.jwks, &settings(), now()).unwrap();
        assert_eq!(
            verified.principal,
            Principal {
                id: "oidc:u-123".into(),
                name: "Ana Quill (fictional)".into(),
                role: Role::Practitioner,
                agency: Some(AgencyCode::parse("QHV").unwrap()),
                team: Some("Health visiting north".into()),
                credential: Credential::Token,
            }
        );
        assert_eq!(verified.expires_at.as_second(), NOW + 300);
    }

    #[test]
    fn issuer_audience_lifetime_key_and_signature_are_each_checked() {
        let idp = provider("k1");
        let check = |token: &str| verify(token, &idp.jwks, &settings(), now());
        let cases = [
            (
                with(json!({ "iss": "https://elsewhere.example.invalid" })),
                TokenError::Issuer,
            ),
            (with(json!({ "aud": "another-app" })), TokenError::Audience),
            (with(json!({ "exp": NOW - 61 })), TokenError::Expired),
            (with(json!({ "nbf": NOW + 61 })), TokenError::NotYetValid),
        ];
        for (claims, expected) in cases {
            assert_eq!(check(&sign(&idp, &claims)), Err(expected), "{claims}");
        }
        // Within the minute's leeway either way.
        assert!(check(&sign(&idp, &with(json!({ "exp": NOW - 30 })))).is_ok());
        assert!(check(&sign(&idp, &with(json!({ "nbf": NOW + 30 })))).is_ok());
        // Signed by a key the provider does not publish, under its key id.
        let impostor = provider("k1");
        assert_eq!(
            check(&sign(&impostor, &claims())),
            Err(TokenError::Signature)
        );
        let rotated = provider("k2");
        let error = check(&sign(&rotated, &claims())).unwrap_err();
        assert_eq!(error, TokenError::UnknownKey("k2".into()));
        assert!(error.wants_fresh_keys());
        // A payload changed after signing.
        let token = sign(&idp, &claims());
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(with(json!({ "vigil_role": "mash_analyst" })).to_string());
        assert_eq!(check(&parts.join(".")), Err(TokenError::Signature));
        assert!(matches!(
            check("not-a-token"),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn a_shared_secret_token_is_refused() {
        let idp = provider("k1");
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(b"a secret anyone with the config has"),
        )
        .unwrap();
        assert_eq!(
            verify(&token, &idp.jwks, &settings(), now()),
            Err(TokenError::Algorithm("HS256".into()))
        );
    }

    #[test]
    fn the_role_and_the_agency_it_needs_come_from_the_claims() {
        let idp = provider("k1");
        let check = |claims: Value| verify(&sign(&idp, &claims), &idp.jwks, &settings(), now());
        for (claims, claim) in [
            (with(json!({ "vigil_role": null })), "vigil_role"),
            (with(json!({ "vigil_role": "superuser" })), "vigil_role"),
            (with(json!({ "vigil_agency": null })), "vigil_agency"),
            (
                with(json!({ "vigil_agency": "not a code!" })),
                "vigil_agency",
            ),
            (with(json!({ "vigil_team": 7 })), "vigil_team"),
        ] {
            match check(claims.clone()) {
                Err(TokenError::Claim { claim: named, .. }) => assert_eq!(named, claim, "{claims}"),
                other => panic!("{claims}: {other:?}"),
            }
        }
        // A MASH analyst acts for no agency; other claim names can be configured.
        let mash = with(
            json!({ "vigil_role": null, "vigil_agency": null, "groups_role": "mash_analyst" }),
        );
        let mut custom = settings();
        custom.role_claim = "groups_role".into();
        let verified = verify(&sign(&idp, &mash), &idp.jwks, &custom, now()).unwrap();
        assert_eq!(verified.principal.role, Role::MashAnalyst);
        assert_eq!(verified.principal.agency, None);
    }
}
