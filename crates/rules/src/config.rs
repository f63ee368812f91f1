//! The parameters of the rules: windows, ages, counts and deadlines, and the register of
//! agencies. They live in configuration (the `[rules]` table of `vigil.toml`), not in
//! code, because a safeguarding partnership sets its own thresholds; every one has a
//! default that is documented with the reason for it in `docs/RULES.md`.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vigil_domain::agency::{AgencyCode, Sector};

use crate::alerts::Level;

/// Everything the rules need to know that is not in the events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Hours to act, by level: red (immediate danger), amber (suspect), green (consider).
    pub deadlines: Deadlines,
    /// Each agency's sector. An agency not listed counts as `other`: its records still
    /// count, but it is never taken for children's social care.
    pub agencies: BTreeMap<String, AgencyEntry>,
    /// Days that are not working days besides weekends (bank holidays in England).
    pub bank_holidays: Vec<Date>,
    pub injuries: InjuryParameters,
    pub casework: CaseworkParameters,
    pub legal: LegalParameters,
    pub health: HealthParameters,
    pub household: HouseholdParameters,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    #[serde(default)]
    pub name: Option<String>,
    pub sector: Sector,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deadlines {
    pub red_hours: i64,
    pub amber_hours: i64,
    pub green_hours: i64,
    /// After the deadline passes unacknowledged, the alert goes to the team manager;
    /// after this many more hours, to the emergency duty team.
    pub escalate_to_duty_team_after_hours: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            red_hours: 4,
            amber_hours: 24,
            green_hours: 72,
            escalate_to_duty_team_after_hours: 4,
        }
    }
}

impl Deadlines {
    pub fn hours(&self, level: Level) -> i64 {
        match level {
            Level::ImmediateDanger => self.red_hours,
            Level::Suspect => self.amber_hours,
            Level::Consider => self.green_hours,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InjuryParameters {
    /// Below this age a child whose mobility is not recorded is presumed not
    /// independently mobile (not yet crawling, cruising, bottom-shuffling or walking).
    /// The WHO motor-development study puts the median age of crawling at about 8.3
    /// months; presuming immobility up to 9 months errs towards looking.
    pub presumed_not_mobile_under_months: i32,
    /// Injuries recorded this many days apart or closer are one episode (a GP sees the
    /// bruise on Monday, A&E admits the child on Thursday).
    pub episode_gap_days: i32,
    /// A second episode within this many days is a repeat injury.
    pub repeat_window_days: i32,
    /// Head, face, ear or neck injuries recorded by two agencies within this window.
    pub head_injury_window_days: i32,
    /// Cumulative pattern: this many episodes within `cumulative_window_days` in a child
    /// under `cumulative_under_months`.
    pub cumulative_episodes: usize,
    pub cumulative_window_days: i32,
    pub cumulative_under_months: i32,
}

impl Default for InjuryParameters {
    fn default() -> Self {
        InjuryParameters {
            presumed_not_mobile_under_months: 9,
            episode_gap_days: 7,
            repeat_window_days: 90,
            head_injury_window_days: 14,
            cumulative_episodes: 3,
            cumulative_window_days: 183,
            cumulative_under_months: 24,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseworkParameters {
    /// Contacts piling up: this many agency contacts within the window with no change
    /// of plan.
    pub contacts_threshold: usize,
    pub contacts_window_days: i32,
    /// Child not seen: this many visits without seeing the child within the window.
    pub not_seen_threshold: usize,
    pub not_seen_window_days: i32,
    /// Not brought: this many missed health appointments within the window.
    pub not_brought_threshold: usize,
    pub not_brought_window_days: i32,
}

impl Default for CaseworkParameters {
    fn default() -> Self {
        CaseworkParameters {
            contacts_threshold: 10,
            contacts_window_days: 60,
            not_seen_threshold: 3,
            not_seen_window_days: 90,
            not_brought_threshold: 2,
            not_brought_window_days: 90,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LegalParameters {
    /// A legal planning meeting is due this many working days after advice that the
    /// threshold for proceedings is met, or after a meeting is requested.
    pub planning_meeting_working_days: i64,
    /// After a cumulative-injury pattern, a legal planning meeting within this many
    /// working days.
    pub escalation_working_days: i64,
}

impl Default for LegalParameters {
    fn default() -> Self {
        LegalParameters {
            planning_meeting_working_days: 10,
            escalation_working_days: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthParameters {
    /// A referral received by a health service for a child on a plan must lead to an
    /// assessment within this many days.
    pub assessment_within_days: i32,
}

impl Default for HealthParameters {
    fn default() -> Self {
        HealthParameters {
            assessment_within_days: 14,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HouseholdParameters {
    /// An adult's link to the child's address counts for this many days after the
    /// record that made it, unless a later record moves them.
    pub link_lasts_days: i32,
    /// Age from which a person is an adult for the household rules.
    pub adult_from_years: i32,
}

impl Default for HouseholdParameters {
    fn default() -> Self {
        HouseholdParameters {
            link_lasts_days: 180,
            adult_from_years: 18,
        }
    }
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            deadlines: Deadlines::default(),
            agencies: BTreeMap::new(),
            bank_holidays: england_bank_holidays(),
            injuries: InjuryParameters::default(),
            casework: CaseworkParameters::default(),
            legal: LegalParameters::default(),
            health: HealthParameters::default(),
            household: HouseholdParameters::default(),
        }
    }
}

impl RulesConfig {
    pub fn sector(&self, agency: &AgencyCode) -> Sector {
        self.agencies
            .get(agency.as_str())
            .map(|entry| entry.sector)
            .unwrap_or(Sector::Other)
    }

    pub fn agency_name(&self, agency: &AgencyCode) -> String {
        self.agencies
            .get(agency.as_str())
            .and_then(|entry| entry.name.clone())
            .unwrap_or_else(|| agency.as_str().to_string())
    }
}

/// Bank holidays in England, 2021 to 2026, as published on GOV.UK
/// (<https://www.gov.uk/bank-holidays>), including the 2022 Platinum Jubilee and the
/// State Funeral of 19 September 2022.
fn england_bank_holidays() -> Vec<Date> {
    const DAYS: &[(i16, i8, i8)] = &[
        (2021, 1, 1),
        (2021, 4, 2),
        (2021, 4, 5),
        (2021, 5, 3),
        (2021, 5, 31),
        (2021, 8, 30),
        (2021, 12, 27),
        (2021, 12, 28),
        (2022, 1, 3),
        (2022, 4, 15),
        (2022, 4, 18),
        (2022, 5, 2),
        (2022, 6, 2),
        (2022, 6, 3),
        (2022, 8, 29),
        (2022, 9, 19),
        (2022, 12, 26),
        (2022, 12, 27),
        (2023, 1, 2),
        (2023, 4, 7),
        (2023, 4, 10),
        (2023, 5, 1),
        (2023, 5, 8),
        (2023, 5, 29),
        (2023, 8, 28),
        (2023, 12, 25),
        (2023, 12, 26),
        (2024, 1, 1),
        (2024, 3, 29),
        (2024, 4, 1),
        (2024, 5, 6),
        (2024, 5, 27),
        (2024, 8, 26),
        (2024, 12, 25),
        (2024, 12, 26),
        (2025, 1, 1),
        (2025, 4, 18),
        (2025, 4, 21),
        (2025, 5, 5),
        (2025, 5, 26),
        (2025, 8, 25),
        (2025, 12, 25),
        (2025, 12, 26),
        (2026, 1, 1),
        (2026, 4, 3),
        (2026, 4, 6),
        (2026, 5, 4),
        (2026, 5, 25),
        (2026, 8, 31),
        (2026, 12, 25),
        (2026, 12, 28),
    ];
    DAYS.iter()
        .map(|&(y, m, d)| Date::new(y, m, d).expect("a real date"))
        .collect()
}
