//! Who may use Vigil: local accounts and API keys, as the store keeps them.
//!
//! Append-only like everything else: a key is revoked by a row in a revocations log,
//! never by changing the key's row, and an account is disabled or enabled by a row in
//! the account-change log, so the store shows who could act, and when, at any past
//! moment. Secrets are stored only as hashes (`vigil_access::secret`).

use jiff::Timestamp;
use serde::Serialize;
use vigil_access::{AccountChangeKind, AccountStatus, ChangeReason, Role};
use vigil_domain::AgencyCode;

use crate::StoreError;

/// A person who signs in with a user name and a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// Unique and stable: the principal's id.
    pub user_name: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    pub team: Option<String>,
    /// Argon2id, as a PHC string.
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A change to an account's standing: a row of its own, never a change to the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountChange {
    pub user_name: String,
    pub change: AccountChangeKind,
    /// Why, as the person who made the change wrote it.
    pub reason: String,
    pub at: Timestamp,
    /// Who made it: an administrator's user name, or `cli:USER` for the command line.
    pub by: String,
}

/// An account with its latest change, if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAccount {
    #[serde(flatten)]
    pub account: Account,
    pub latest_change: Option<AccountChange>,
}

impl StoredAccount {
    pub fn status(&self) -> AccountStatus {
        AccountStatus::after(self.latest_change.as_ref().map(|c| c.change))
    }
}

/// Where an account stands after `changes` (oldest first, as the store returns them).
pub fn status_after(changes: &[AccountChange]) -> AccountStatus {
    AccountStatus::after(changes.last().map(|c| c.change))
}

/// A key an agency's system (or a script) presents as `Authorization: Bearer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Public: 16 hex digits, also the middle part of the key itself.
    pub id: String,
    /// What it is for: "QAH's EPR feed".
    pub name: String,
    /// SHA-256 of the secret part, hex.
    #[serde(skip)]
    pub secret_hash: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub created_by: String,
    /// The local account the key belongs to, if any: it acts as that person, and stops
    /// working while the account is disabled. `None`: a system's key (an agency's feed,
    /// a metrics scraper), which answers to no account.
    pub owner: Option<String>,
}

/// The end of a key: a row of its own, never a change to the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRevocation {
    pub key_id: String,
    pub revoked_at: Timestamp,
    pub revoked_by: String,
}

/// A key with its revocation, if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredApiKey {
    pub key: ApiKey,
    pub revoked: Option<KeyRevocation>,
}

impl StoredApiKey {
    /// Whether the key lets a request in at `now`.
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.revoked.is_none() && self.key.expires_at.is_none_or(|at| now < at)
    }
}

/// Reads a role stored as text.
pub fn role_column(text: &str) -> Result<Role, StoreError> {
    text.parse()
        .map_err(|error| StoreError::Internal(format!("stored role: {error}")))
}

/// Reads an agency stored as text (or NULL).
pub fn agency_column(text: Option<String>) -> Result<Option<AgencyCode>, StoreError> {
    text.map(|t| {
        AgencyCode::parse(&t).map_err(|_| StoreError::Internal(format!("stored agency code {t:?}")))
    })
    .transpose()
}

/// Reads an account change stored as text.
pub fn change_column(text: &str) -> Result<AccountChangeKind, StoreError> {
    text.parse()
        .map_err(|error| StoreError::Internal(format!("stored account change: {error}")))
}

/// Reads a moment stored as microseconds since the Unix epoch.
pub fn moment_column(microseconds: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(microseconds)
        .map_err(|error| StoreError::Internal(format!("stored moment: {error}")))
}

/// Issues a new API key and stores it (only its hash). Returns the stored key and the
/// whole key, to be shown once.
pub async fn issue_api_key<S: crate::EventStore>(
    store: &S,
    name: &str,
    role: Role,
    agency: Option<AgencyCode>,
    expires_at: Option<Timestamp>,
    created_by: &str,
) -> Result<(ApiKey, String), StoreError> {
    let issued = vigil_access::secret::issue_key()
        .map_err(|error| StoreError::Internal(error.to_string()))?;
    let key = ApiKey {
        id: issued.id.clone(),
        name: name.to_string(),
        secret_hash: issued.secret_hash.clone(),
        role,
        agency,
        expires_at,
        created_at: Timestamp::now(),
        created_by: created_by.to_string(),
        owner: None,
    };
    store.add_api_key(&key).await?;
    Ok((key, issued.key))
}

/// Issues a key that belongs to `owner`: it acts with the account's role and agency,
/// and stops working whenever the account is disabled.
pub async fn issue_owned_api_key<S: crate::EventStore>(
    store: &S,
    owner: &Account,
    name: &str,
    expires_at: Option<Timestamp>,
    created_by: &str,
) -> Result<(ApiKey, String), StoreError> {
    let issued = vigil_access::secret::issue_key()
        .map_err(|error| StoreError::Internal(error.to_string()))?;
    let key = ApiKey {
        id: issued.id.clone(),
        name: name.to_string(),
        secret_hash: issued.secret_hash.clone(),
        role: owner.role,
        agency: owner.agency.clone(),
        expires_at,
        created_at: Timestamp::now(),
        created_by: created_by.to_string(),
        owner: Some(owner.user_name.clone()),
    };
    store.add_api_key(&key).await?;
    Ok((key, issued.key))
}

/// What came of asking to disable or enable an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The change was appended.
    Made(AccountChange),
    NoSuchAccount,
    /// The account stands as asked already; nothing was stored.
    Unchanged(AccountStatus),
}

/// Disables or enables `user_name`, with `reason`, by appending a change: the one path
/// the command line and the administration page share.
pub async fn change_account<S: crate::EventStore>(
    store: &S,
    user_name: &str,
    change: AccountChangeKind,
    reason: ChangeReason,
    by: &str,
) -> Result<ChangeOutcome, StoreError> {
    if store.account(user_name).await?.is_none() {
        return Ok(ChangeOutcome::NoSuchAccount);
    }
    let status = status_after(&store.account_changes(user_name).await?);
    if !status.would_change(change) {
        return Ok(ChangeOutcome::Unchanged(status));
    }
    let made = AccountChange {
        user_name: user_name.to_string(),
        change,
        reason: reason.into_string(),
        at: Timestamp::now(),
        by: by.to_string(),
    };
    store.record_account_change(&made).await?;
    Ok(ChangeOutcome::Made(made))
}
