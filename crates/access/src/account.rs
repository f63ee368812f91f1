//! Local accounts over time: disabling and enabling them, and what that means for the
//! credentials that lead back to an account.
//!
//! Accounts are never changed or deleted (the audit must be able to say who could act
//! at any past moment), so an account is disabled by appending a change with a reason,
//! and enabled again by another. Whether an account may act is decided here from its
//! latest change, so the sign-in page, HTTP Basic, an owned API key and a running
//! session all ask the same question the same way.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The fewest characters (not counting white space at either end) a reason may have:
/// "left" does not tell a later reader of the log why.
pub const REASON_MIN_CHARACTERS: usize = 5;

/// The most characters a reason may have.
pub const REASON_MAX_CHARACTERS: usize = 1_000;

/// The longest user name, in characters.
pub const USER_NAME_MAX_CHARACTERS: usize = 64;

/// A change to an account's standing, appended to the account-change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountChangeKind {
    /// From now on, nothing that leads back to the account is accepted: not its
    /// password, not its sessions, not the API keys it owns.
    Disabled,
    /// The account may act again (its keys too, unless revoked or expired).
    Enabled,
}

impl AccountChangeKind {
    pub const ALL: [AccountChangeKind; 2] =
        [AccountChangeKind::Disabled, AccountChangeKind::Enabled];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountChangeKind::Disabled => "disabled",
            AccountChangeKind::Enabled => "enabled",
        }
    }
}

impl fmt::Display for AccountChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown account change {0:?}; the changes are: disabled, enabled")]
pub struct ChangeParseError(pub String);

impl FromStr for AccountChangeKind {
    type Err = ChangeParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AccountChangeKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
            .ok_or_else(|| ChangeParseError(text.to_string()))
    }
}

/// Where an account stands, from its latest change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    /// An account with no change is active; otherwise its latest change stands.
    pub fn after(latest_change: Option<AccountChangeKind>) -> AccountStatus {
        match latest_change {
            None | Some(AccountChangeKind::Enabled) => AccountStatus::Active,
            Some(AccountChangeKind::Disabled) => AccountStatus::Disabled,
        }
    }

    /// Whether a credential that leads back to the account is accepted.
    pub fn may_act(self) -> bool {
        self == AccountStatus::Active
    }

    /// Whether `change` would change anything: disabling a disabled account (or
    /// enabling an active one) is refused, so the log holds only real changes.
    pub fn would_change(self, change: AccountChangeKind) -> bool {
        AccountStatus::after(Some(change)) != self
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }
}

/// Why an account was disabled or enabled: checked text, kept in the log for ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ChangeReason(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeReasonError {
    #[error(
        "is required: say why (for example \"left the council on 3 May\"), in at least {REASON_MIN_CHARACTERS} characters; it stays in the account's history"
    )]
    Missing,
    #[error(
        "is too short ({0} characters): say why, in at least {REASON_MIN_CHARACTERS} characters"
    )]
    TooShort(usize),
    #[error("is too long ({0} characters): at most {REASON_MAX_CHARACTERS}")]
    TooLong(usize),
}

impl ChangeReason {
    pub fn parse(text: &str) -> Result<Self, ChangeReasonError> {
        let text = text.trim();
        let characters = text.chars().count();
        if characters == 0 {
            Err(ChangeReasonError::Missing)
        } else if characters < REASON_MIN_CHARACTERS {
            Err(ChangeReasonError::TooShort(characters))
        } else if characters > REASON_MAX_CHARACTERS {
            Err(ChangeReasonError::TooLong(characters))
        } else {
            Ok(ChangeReason(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A new account's user name: what the person types to sign in and what the audit
/// shows. Letters, digits and `.`, `_`, `-`, `@`, starting with a letter or digit, so
/// that it reads the same in a log line, a URL and a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UserName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserNameError {
    #[error("is required")]
    Missing,
    #[error("is too long ({0} characters): at most {USER_NAME_MAX_CHARACTERS}")]
    TooLong(usize),
    #[error(
        "may hold only letters, digits and . _ - @, and starts with a letter or a digit; {0:?} is not allowed"
    )]
    Character(char),
}

impl UserName {
    pub fn parse(text: &str) -> Result<Self, UserNameError> {
        let text = text.trim();
        let characters = text.chars().count();
        if characters == 0 {
            return Err(UserNameError::Missing);
        }
        if characters > USER_NAME_MAX_CHARACTERS {
            return Err(UserNameError::TooLong(characters));
        }
        for (index, c) in text.chars().enumerate() {
            let allowed = c.is_alphanumeric() || (index > 0 && matches!(c, '.' | '_' | '-' | '@'));
            if !allowed {
                return Err(UserNameError::Character(c));
            }
        }
        Ok(UserName(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountChangeKind::*;

    #[test]
    fn the_latest_change_stands() {
        assert_eq!(AccountStatus::after(None), AccountStatus::Active);
        assert_eq!(
            AccountStatus::after(Some(Disabled)),
            AccountStatus::Disabled
        );
        assert_eq!(AccountStatus::after(Some(Enabled)), AccountStatus::Active);
        assert!(AccountStatus::Active.may_act());
        assert!(!AccountStatus::Disabled.may_act());
    }

    #[test]
    fn only_real_changes_are_made() {
        assert!(AccountStatus::Active.would_change(Disabled));
        assert!(!AccountStatus::Active.would_change(Enabled));
        assert!(AccountStatus::Disabled.would_change(Enabled));
        assert!(!AccountStatus::Disabled.would_change(Disabled));
    }

    #[test]
    fn changes_read_back_as_written() {
        for kind in AccountChangeKind::ALL {
            assert_eq!(kind.as_str().parse::<AccountChangeKind>(), Ok(kind));
        }
        assert!("deleted".parse::<AccountChangeKind>().is_err());
    }

    #[test]
    fn a_reason_says_something() {
        assert_eq!(ChangeReason::parse("   "), Err(ChangeReasonError::Missing));
        assert_eq!(
            ChangeReason::parse(" left "),
            Err(ChangeReasonError::TooShort(4))
        );
        assert_eq!(
            ChangeReason::parse("  Left the council on 3 May  ")
                .unwrap()
                .as_str(),
            "Left the council on 3 May"
        );
        assert_eq!(
            ChangeReason::parse(&"x".repeat(1_001)),
            Err(ChangeReasonError::TooLong(1_001))
        );
    }

    #[test]
    fn user_names_are_plain() {
        assert_eq!(
            UserName::parse(" ana.quill ").unwrap().as_str(),
            "ana.quill"
        );
        assert!(UserName::parse("a.quill@qah-nhs").is_ok());
        assert_eq!(UserName::parse(""), Err(UserNameError::Missing));
        assert_eq!(UserName::parse(".ana"), Err(UserNameError::Character('.')));
        assert_eq!(
            UserName::parse("ana quill"),
            Err(UserNameError::Character(' '))
        );
        assert_eq!(UserName::parse("<b>"), Err(UserNameError::Character('<')));
        assert_eq!(
            UserName::parse(&"a".repeat(65)),
            Err(UserNameError::TooLong(65))
        );
    }
}
