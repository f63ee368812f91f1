//! Who recorded a thing: the agency (a hospital trust, a police force, a council's
//! children's services) and the practitioner. Agencies are named by short codes that
//! their integrations send with every record.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A short agency code such as `SAH` or `NCH-CDC`: 2 to 24 upper-case letters, digits
/// and hyphens, so that it is safe in a URL, a log line and a file name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "an agency code is 2 to 24 upper-case letters, digits and hyphens, such as SAH or NCH-CDC; found {0:?}"
)]
pub struct AgencyCodeError(pub String);

impl AgencyCode {
    pub fn parse(text: &str) -> Result<Self, AgencyCodeError> {
        let valid = (2..=24).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if valid {
            Ok(AgencyCode(text.to_string()))
        } else {
            Err(AgencyCodeError(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({})", self.0)
    }
}

impl Serialize for AgencyCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AgencyCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AgencyCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The sectors of Working Together's safeguarding partnership, plus the ones that hold
/// pieces of a child's picture without being statutory partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    SocialCare,
    Health,
    Police,
    Legal,
    CriminalJustice,
    Housing,
    Education,
    EarlyYears,
    Coroner,
    Other,
}

/// An agency that sends records to Vigil.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub code: AgencyCode,
    pub name: String,
    pub sector: Sector,
}

/// The person who made a record, as the agency names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practitioner {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// How to reach them: a phone number or a secure e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes() {
        for good in ["SAH", "NCH-CDC", "NBP2", "PATH"] {
            assert_eq!(AgencyCode::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "S",
            "sah",
            "SAH ",
            "-SAH",
            "SAH-",
            "S/AH",
            &"A".repeat(25),
        ] {
            assert!(AgencyCode::parse(bad).is_err(), "{bad}");
        }
    }
}
