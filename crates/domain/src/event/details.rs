//! The closed set of event kinds and what each one records. The set is closed on
//! purpose: a rule can only rely on a fact that has a field, and an integrator learns of
//! a typo at once (unknown fields are refused) instead of months later when an alert
//! fails to fire. Free text still goes in `summary` on every event.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::address::Address;
use crate::agency::AgencyCode;
use crate::body_map::{BodySite, InjuryType, RecorderOpinion, Side};

/// What kind of record this is, with the facts that kind carries.
/// On the wire: `"kind": "home_visit", "details": { ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "details", rename_all = "snake_case")]
pub enum EventDetails {
    Referral(Referral),
    Contact(Contact),
    HomeVisit(HomeVisit),
    HealthAttendance(HealthAttendance),
    HospitalAdmission(HospitalAdmission),
    HospitalDischarge(HospitalDischarge),
    InjuryObservation(InjuryObservation),
    MedicalFinding(MedicalFinding),
    MissedAppointment(MissedAppointment),
    PoliceIncident(PoliceIncident),
    Arrest(Arrest),
    Bail(Bail),
    ChargingDecision(ChargingDecision),
    MissingPersonReport(MissingPersonReport),
    StrategyDiscussion(StrategyDiscussion),
    #[serde(rename = "section_47_enquiry")]
    Section47Enquiry(Section47Enquiry),
    ChildProtectionConference(ChildProtectionConference),
    PlanStart(PlanStart),
    PlanEnd(PlanEnd),
    LegalAdvice(LegalAdvice),
    LegalPlanningMeeting(LegalPlanningMeeting),
    CourtOrder(CourtOrder),
    PlacementStart(PlacementStart),
    PlacementEnd(PlacementEnd),
    FormSubmitted(FormSubmitted),
    HouseholdChange(HouseholdChange),
    Tenancy(Tenancy),
    Involvement(Involvement),
    Note(Note),
}

/// One list of (variant, wire name) drives the kind names, `kind()` and the reader, so
/// they cannot drift apart.
macro_rules! event_kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// Every kind's wire name, for error messages and documentation.
        pub const EVENT_KINDS: &[&str] = &[$($name),*];

        impl EventDetails {
            /// The wire name of this kind, such as `home_visit`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(EventDetails::$variant(_) => $name,)*
                }
            }

            /// Reads the details of a kind named on the wire, keeping the path of the
            /// first wrong field. `None` for an unknown kind.
            pub fn read(kind: &str, details: &serde_json::Value) -> Option<Result<Self, serde_path_to_error::Error<serde_json::Error>>> {
                match kind {
                    $($name => Some(serde_path_to_error::deserialize(details).map(EventDetails::$variant)),)*
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    Referral => "referral",
    Contact => "contact",
    HomeVisit => "home_visit",
    HealthAttendance => "health_attendance",
    HospitalAdmission => "hospital_admission",
    HospitalDischarge => "hospital_discharge",
    InjuryObservation => "injury_observation",
    MedicalFinding => "medical_finding",
    MissedAppointment => "missed_appointment",
    PoliceIncident => "police_incident",
    Arrest => "arrest",
    Bail => "bail",
    ChargingDecision => "charging_decision",
    MissingPersonReport => "missing_person_report",
    StrategyDiscussion => "strategy_discussion",
    Section47Enquiry => "section_47_enquiry",
    ChildProtectionConference => "child_protection_conference",
    PlanStart => "plan_start",
    PlanEnd => "plan_end",
    LegalAdvice => "legal_advice",
    LegalPlanningMeeting => "legal_planning_meeting",
    CourtOrder => "court_order",
    PlacementStart => "placement_start",
    PlacementEnd => "placement_end",
    FormSubmitted => "form_submitted",
    HouseholdChange => "household_change",
    Tenancy => "tenancy",
    Involvement => "involvement",
    Note => "note",
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Soon,
    Urgent,
    Emergency,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The agency or team referred to, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// How the receiving service triaged it, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triaged_as: Option<Urgency>,
    /// Whether the referral form recorded that the child is on a protection plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_protection_status_recorded: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    Phone,
    Letter,
    Email,
    InPerson,
    Video,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub mode: ContactMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Who the contact was with, as written ("the father", "GP practice").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitOutcome {
    ChildSeen,
    ChildSeenAlone,
    ChildNotSeen,
    NoAccess,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeVisit {
    pub outcome: VisitOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Where the visit was, when it was not the child's home address (a placement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Address>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthSetting {
    AAndE,
    Gp,
    WalkIn,
    Outpatient,
    HealthVisitor,
    Ambulance,
    CommunityPaediatrics,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthAttendance {
    pub setting: HealthSetting,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presenting_complaint: Option<String>,
    /// Who brought the child, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brought_by: Option<String>,
    /// False when the consultation was about the child but the child was not there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_present: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HospitalAdmission {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HospitalDischarge {
    /// To whom the child went, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharged_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharge_address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjuryObservation {
    pub injuries: Vec<Injury>,
}

/// One injury on a body map, with what was said about how it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Injury {
    pub body_site: BodySite,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    pub injury_type: InjuryType,
    /// How many (four bruises on the cheeks is one entry with count 4).
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_cm: Option<f64>,
    /// The recorder's estimate of its age, as written ("2-3 days", "old").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_age: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Empty when no explanation was given: that absence is itself a finding.
    #[serde(default)]
    pub explanations: Vec<Explanation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder_opinion: Option<RecorderOpinion>,
}

fn one() -> u32 {
    1
}

/// An explanation is data: who gave it, when, for which injury, in their words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// Who gave it, by relationship to the child or name ("mother", "grandmother").
    pub given_by: String,
    /// When, if different from the event's time (a date or RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_at: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicalFinding {
    pub finding: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
    /// False when an examination was started or requested but not completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examination_completed: Option<bool>,
    /// True when the finding rules out an explanation that was given ("bruises easily"
    /// against a normal clotting screen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contradicts_explanation: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissedAppointment {
    pub appointment: String,
    /// True when a child depended on an adult to bring them ("was not brought").
    #[serde(default = "yes")]
    pub was_not_brought: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliceIncident {
    /// As the force classifies it ("disturbance", "domestic", "assault").
    pub incident_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crime_recorded: Option<bool>,
    /// Children mentioned but not identified ("several young children, not seen").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_present_not_identified: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrest {
    pub offence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Address>,
    /// True when the suspected offence is against a child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offence_against_child: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bail {
    pub offence: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// The date to return to the police station or court (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offence_against_child: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargingOutcome {
    Charged,
    NoFurtherAction,
    Caution,
    FurtherInvestigation,
    ReleasedUnderInvestigation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChargingDecision {
    pub outcome: ChargingOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offence: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingPersonReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_from: Option<Address>,
    /// Where or with whom they are believed to be, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub believed_with: Option<String>,
    /// Set on a later report when the person is found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_at: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyDiscussion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Agencies present, by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agencies_present: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_47_agreed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section47Enquiry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint_with_police: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConferenceType {
    Initial,
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildProtectionConference {
    pub conference_type: ConferenceType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    ChildProtection,
    ChildInNeed,
    LookedAfter,
    EarlyHelp,
    Safety,
}

/// The categories of a child protection plan in England.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanCategory {
    Neglect,
    PhysicalAbuse,
    EmotionalAbuse,
    SexualAbuse,
    Multiple,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStart {
    pub plan: PlanType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<PlanCategory>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEnd {
    pub plan: PlanType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalAdvice {
    pub advice: String,
    /// Whether the advice is that the threshold for care proceedings is met or that
    /// proceedings should be considered.
    #[serde(default)]
    pub recommends_proceedings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Requested,
    Held,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalPlanningMeeting {
    pub status: MeetingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourtOrder {
    /// As the court names it ("emergency protection order", "interim care order").
    pub order: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementStart {
    /// The kind of placement ("connected person", "foster care").
    pub placement_type: String,
    /// With whom, as written; the carer should also be among the event's people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_whom: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementEnd {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// True when the child went back to the parents' home.
    #[serde(default)]
    pub returned_home: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSubmitted {
    /// The form's name ("admission registration", "school admission").
    pub form: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdChangeType {
    MovedIn,
    MovedOut,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdChange {
    pub change: HouseholdChangeType,
    pub address: Address,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenancy {
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenancy_reference: Option<String>,
    /// Start and end dates, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// The household as the tenant declared it, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_declared: Option<String>,
}

/// A team's involvement with the child opened or closed: an allocation to a social work
/// team, a health visitor's caseload, membership of a child protection core group. An
/// open involvement of a practitioner's team is a legitimate relationship with the
/// child (`vigil_access::relationship`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Involvement {
    /// The team, as its agency names it (and as its people's accounts name it).
    pub team: TeamName,
    /// The team's agency, when it is not the agency recording: children's social care
    /// names the health, school and police teams of a core group. Defaults to the
    /// agency recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_agency: Option<AgencyCode>,
    pub status: InvolvementStatus,
    /// What the team does for the child, as written ("allocated social worker").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvolvementStatus {
    /// The team is involved from this record on.
    Open,
    /// The team's involvement ended (case closed, transferred, child moved away).
    Closed,
}

/// A team's name: not blank, at most 200 characters, spaces at either end dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TeamName(String);

impl TeamName {
    pub const MAX_CHARACTERS: usize = 200;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TeamName {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let text = text.trim();
        let characters = text.chars().count();
        if characters == 0 {
            Err("a team's name is required, as its agency names it".into())
        } else if characters > Self::MAX_CHARACTERS {
            Err(format!(
                "a team's name has at most {} characters; this has {characters}",
                Self::MAX_CHARACTERS
            ))
        } else {
            Ok(TeamName(text.to_string()))
        }
    }
}

impl From<TeamName> for String {
    fn from(team: TeamName) -> String {
        team.0
    }
}

impl Involvement {
    /// The team's agency: the one named, else the one recording.
    pub fn team_agency<'a>(&'a self, recorded_by: &'a AgencyCode) -> &'a AgencyCode {
        self.team_agency.as_ref().unwrap_or(recorded_by)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_name_round_trips_through_serde() {
        for kind in EVENT_KINDS {
            // Kinds whose details are all optional parse from an empty object; the
            // others must fail for a missing field, never for an unknown kind.
            let json = serde_json::json!({ "kind": kind, "details": {} });
            match serde_json::from_value::<EventDetails>(json) {
                Ok(details) => assert_eq!(details.kind(), *kind),
                Err(error) => assert!(
                    error.to_string().contains("missing field"),
                    "{kind}: {error}"
                ),
            }
        }
    }
}
