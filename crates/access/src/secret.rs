//! Secrets: local accounts' passwords and API keys, hashed for the store and checked
//! against what a request presents.
//!
//! Passwords are chosen by people, so they are guessable: they are hashed with
//! Argon2id (19 MiB, 2 passes, 1 lane: OWASP's recommendation), which makes every guess
//! against a stolen database cost tens of milliseconds of CPU and 19 MiB of memory.
//!
//! API keys are 256 random bits chosen by Vigil: no guess can find one, slow or fast,
//! so their hash only has to be one-way. SHA-256 is enough and costs a microsecond, so
//! a key can be checked against the store on every request without a cache making
//! revocation late (docs/SECURITY.md).

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// The start of every API key, so that a leaked key is recognisable in logs and by
/// secret scanners.
pub const KEY_PREFIX: &str = "vigil_";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a password has at least 12 characters; this one has {0}")]
    PasswordTooShort(usize),
    #[error("a password has at most 1,024 bytes")]
    PasswordTooLong,
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    #[error("hashing failed: {0}")]
    Hash(String),
}

/// Hashes a password as an Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`),
/// with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    let characters = password.chars().count();
    if characters < 12 {
        return Err(SecretError::PasswordTooShort(characters));
    }
    if password.len() > 1024 {
        return Err(SecretError::PasswordTooLong);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| SecretError::Hash(error.to_string()))
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored_hash)
        .is_ok()
}

/// An API key as issued: its public id, and the whole key to show once.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// Public: listed, logged, named in revocations. 16 hex digits.
    pub id: String,
    /// `vigil_<id>_<secret>`: shown to the person who created it, once, never stored.
    pub key: String,
    /// SHA-256 of the key's secret part, hex: what the store keeps.
    pub secret_hash: String,
}

impl fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuedKey({}, <secret>)", self.id)
    }
}

/// Makes a new API key from the system's random number generator: a 64-bit id and a
/// 256-bit secret.
pub fn issue_key() -> Result<IssuedKey, SecretError> {
    let mut id = [0u8; 8];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id).map_err(|error| SecretError::Random(error.to_string()))?;
    getrandom::fill(&mut secret).map_err(|error| SecretError::Random(error.to_string()))?;
    let id = hex(&id);
    let secret = hex(&secret);
    Ok(IssuedKey {
        key: format!("{KEY_PREFIX}{id}_{secret}"),
        secret_hash: hash_key_secret(&secret),
        id,
    })
}

/// A key as presented by a request, split into its id and secret. `None` when it does
/// not have the shape of a Vigil key.
pub fn parse_key(presented: &str) -> Option<(&str, &str)> {
    let rest = presented.strip_prefix(KEY_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex_of =
        |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit());
    (hex_of(id, 16) && hex_of(secret, 64)).then_some((id, secret))
}

/// SHA-256 of a key's secret part, as lowercase hex.
pub fn hash_key_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether a presented secret matches the stored hash, in time that does not depend on
/// where they first differ.
pub fn verify_key_secret(secret: &str, stored_hash: &str) -> bool {
    let presented = hash_key_secret(secret);
    presented.len() == stored_hash.len()
        && presented
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 256-bit random token, hex: a session's cookie value or a form's CSRF token.
pub fn random_token() -> Result<String, SecretError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| SecretError::Random(error.to_string()))?;
    Ok(hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert_eq!(
            hash_password("short"),
            Err(SecretError::PasswordTooShort(5))
        );
    }

    #[test]
    fn an_issued_key_parses_and_verifies() {
        let issued = issue_key().unwrap();
        let (id, secret) = parse_key(&issued.key).unwrap();
        assert_eq!(id, issued.id);
        assert!(verify_key_secret(secret, &issued.secret_hash));
        assert!(!verify_key_secret(&"0".repeat(64), &issued.secret_hash));
        assert!(parse_key("vigil_xyz_abc").is_none());
        assert!(parse_key("Bearer something").is_none());
        assert_ne!(issue_key().unwrap().key, issued.key);
    }
}
