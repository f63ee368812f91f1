//! Break-glass: opening a child's record in an emergency without a legitimate
//! relationship. NHS systems call it "emergency access": the person says why, the
//! record opens for a limited time, and the privacy officer later reviews every opening
//! and records whether it was justified.
//!
//! The rules are here, without I/O or a clock: how long an opening lasts, whether it
//! is still open at a moment the caller gives (so expiry is tested without waiting a
//! day), what a reason must contain, and the review outcomes. The store keeps openings
//! and reviews; the web layer gathers whether one is open for [`crate::Facts`].

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How long a break-glass opening lasts unless the deployment says otherwise: long
/// enough for one emergency and its immediate follow-up, short enough that a record
/// does not stay open by accident.
pub const DEFAULT_OPENING_LASTS: OpeningLasts = OpeningLasts(SignedDuration::from_hours(24));

/// The shortest opening a deployment may configure, in hours: less would close a
/// record in the middle of an emergency.
pub const SHORTEST_OPENING_HOURS: u32 = 1;

/// The longest opening a deployment may configure, in hours: a long weekend's cover.
/// Longer and "emergency" access becomes standing access without a relationship.
pub const LONGEST_OPENING_HOURS: u32 = 72;

/// How long a break-glass opening lasts in this deployment: whole hours, between
/// [`SHORTEST_OPENING_HOURS`] and [`LONGEST_OPENING_HOURS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningLasts(SignedDuration);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a break-glass opening lasts between {SHORTEST_OPENING_HOURS} and {LONGEST_OPENING_HOURS} hours; {0} is outside that"
)]
pub struct OpeningLastsError(pub i64);

impl OpeningLasts {
    pub fn from_hours(hours: i64) -> Result<Self, OpeningLastsError> {
        if (i64::from(SHORTEST_OPENING_HOURS)..=i64::from(LONGEST_OPENING_HOURS)).contains(&hours) {
            Ok(OpeningLasts(SignedDuration::from_hours(hours)))
        } else {
            Err(OpeningLastsError(hours))
        }
    }

    pub fn duration(self) -> SignedDuration {
        self.0
    }

    pub fn hours(self) -> i64 {
        self.0.as_hours()
    }
}

impl Default for OpeningLasts {
    fn default() -> Self {
        DEFAULT_OPENING_LASTS
    }
}

/// The fewest characters (not counting white space at either end) a reason may have:
/// "urgent" is not a reason a privacy officer can review.
pub const REASON_MIN_CHARACTERS: usize = 10;

/// The most characters a reason may have.
pub const REASON_MAX_CHARACTERS: usize = 2_000;

/// When an opening made at `opened_at` expires, in a deployment where openings last
/// `lasts`.
pub fn expires_at(opened_at: Timestamp, lasts: OpeningLasts) -> Timestamp {
    opened_at
        .checked_add(lasts.duration())
        .unwrap_or(Timestamp::MAX)
}

/// Whether an opening that expires at `expires_at` still opens the record at `now`.
pub fn is_open(expires_at: Timestamp, now: Timestamp) -> bool {
    now < expires_at
}

/// Why someone broke the glass: checked text, at least [`REASON_MIN_CHARACTERS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BreakGlassReason(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error(
        "is required: say why you need this child's record now, in at least {REASON_MIN_CHARACTERS} characters; the privacy officer reviews it"
    )]
    Missing,
    #[error(
        "is too short ({0} characters): say why you need this child's record now, in at least {REASON_MIN_CHARACTERS} characters"
    )]
    TooShort(usize),
    #[error("is too long ({0} characters): at most {REASON_MAX_CHARACTERS}")]
    TooLong(usize),
}

impl BreakGlassReason {
    pub fn parse(text: &str) -> Result<Self, ReasonError> {
        let text = text.trim();
        let characters = text.chars().count();
        if characters == 0 {
            Err(ReasonError::Missing)
        } else if characters < REASON_MIN_CHARACTERS {
            Err(ReasonError::TooShort(characters))
        } else if characters > REASON_MAX_CHARACTERS {
            Err(ReasonError::TooLong(characters))
        } else {
            Ok(BreakGlassReason(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What the privacy officer concluded about an opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The emergency was real and the opening proportionate.
    Justified,
    /// It should not have happened: a matter for the person's manager.
    NotJustified,
    /// Passed on for a decision elsewhere (a manager, HR, the Caldicott guardian).
    Referred,
}

impl ReviewOutcome {
    pub const ALL: [ReviewOutcome; 3] = [
        ReviewOutcome::Justified,
        ReviewOutcome::NotJustified,
        ReviewOutcome::Referred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::Justified => "justified",
            ReviewOutcome::NotJustified => "not_justified",
            ReviewOutcome::Referred => "referred",
        }
    }
}

impl fmt::Display for ReviewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome {0:?}; the outcomes are: justified, not_justified, referred")]
pub struct OutcomeParseError(pub String);

impl FromStr for ReviewOutcome {
    type Err = OutcomeParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ReviewOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text.trim())
            .ok_or_else(|| OutcomeParseError(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_lasts_a_day_and_not_a_moment_more() {
        let opened: Timestamp = "2024-05-03T10:00:00Z".parse().unwrap();
        let expires = expires_at(opened, OpeningLasts::default());
        assert_eq!(expires, "2024-05-04T10:00:00Z".parse().unwrap());
        assert!(is_open(expires, opened));
        assert!(is_open(
            expires,
            "2024-05-04T09:59:59.999999Z".parse().unwrap()
        ));
        assert!(!is_open(expires, expires));
        assert!(!is_open(expires, "2024-05-05T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn a_deployment_chooses_how_long_within_bounds() {
        let opened: Timestamp = "2024-05-03T10:00:00Z".parse().unwrap();
        let eight = OpeningLasts::from_hours(8).unwrap();
        assert_eq!(eight.hours(), 8);
        let expires = expires_at(opened, eight);
        assert_eq!(expires, "2024-05-03T18:00:00Z".parse().unwrap());
        assert!(!is_open(expires, "2024-05-03T18:00:00Z".parse().unwrap()));
        assert!(OpeningLasts::from_hours(1).is_ok());
        assert!(OpeningLasts::from_hours(72).is_ok());
        assert_eq!(OpeningLasts::from_hours(0), Err(OpeningLastsError(0)));
        assert_eq!(OpeningLasts::from_hours(73), Err(OpeningLastsError(73)));
        assert_eq!(OpeningLasts::from_hours(-5), Err(OpeningLastsError(-5)));
        assert_eq!(OpeningLasts::default().hours(), 24);
    }

    #[test]
    fn a_reason_says_something() {
        assert_eq!(BreakGlassReason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            BreakGlassReason::parse(" urgent   "),
            Err(ReasonError::TooShort(6))
        );
        assert_eq!(
            BreakGlassReason::parse("  Child brought to A&E unconscious  ")
                .unwrap()
                .as_str(),
            "Child brought to A&E unconscious"
        );
        // Characters, not bytes: ten letters with accents are ten.
        assert!(BreakGlassReason::parse("éééééééééé").is_ok());
        assert_eq!(
            BreakGlassReason::parse(&"x".repeat(2_001)),
            Err(ReasonError::TooLong(2_001))
        );
    }

    #[test]
    fn outcomes_read_back_as_written() {
        for outcome in ReviewOutcome::ALL {
            assert_eq!(outcome.as_str().parse::<ReviewOutcome>(), Ok(outcome));
        }
        assert!("fine".parse::<ReviewOutcome>().is_err());
    }
}
