//! The person or system behind a request, and the role they act in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use vigil_domain::AgencyCode;

/// The roles of the people and systems that use Vigil (docs/SECURITY.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A social worker, health visitor, school nurse, police officer...: of an agency
    /// and a team; sees a child's record only with a legitimate relationship.
    Practitioner,
    /// The multi-agency safeguarding hub's analyst: sees every agency's records.
    MashAnalyst,
    /// Manages a team: signs off closures; sees what the team sees.
    TeamManager,
    /// Reviews practice after the event: reads and replays, changes nothing.
    PracticeReviewer,
    /// Reviews emergency access and disclosures; reads the audit.
    PrivacyOfficer,
    /// Manages accounts and keys; sees no child's record by that role alone.
    Administrator,
    /// An agency's system: sends its agency's records, reads nothing else.
    IntegrationClient,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Practitioner,
        Role::MashAnalyst,
        Role::TeamManager,
        Role::PracticeReviewer,
        Role::PrivacyOfficer,
        Role::Administrator,
        Role::IntegrationClient,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Practitioner => "practitioner",
            Role::MashAnalyst => "mash_analyst",
            Role::TeamManager => "team_manager",
            Role::PracticeReviewer => "practice_reviewer",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Administrator => "administrator",
            Role::IntegrationClient => "integration_client",
        }
    }

    /// Whether a principal in this role must belong to an agency.
    pub fn needs_agency(self) -> bool {
        matches!(
            self,
            Role::Practitioner | Role::TeamManager | Role::IntegrationClient
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role {0:?}; the roles are: practitioner, mash_analyst, team_manager, practice_reviewer, privacy_officer, administrator, integration_client"
)]
pub struct RoleParseError(pub String);

impl FromStr for Role {
    type Err = RoleParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or_else(|| RoleParseError(text.to_string()))
    }
}

/// How the principal proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A local account's password, then a session cookie.
    Password,
    /// An API key issued by `vigil key create`.
    ApiKey,
    /// A bearer token from the deployment's identity provider (OIDC).
    Token,
}

/// The person or system behind a request, as authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// Stable: a local account's user name, a key's id, or the token's subject.
    pub id: String,
    /// As shown to people: "Ana Quill (health visitor)".
    pub name: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    pub team: Option<String>,
    pub credential: Credential,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_as_written() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
    }
}
