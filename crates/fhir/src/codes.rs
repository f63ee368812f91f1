//! The code systems Vigil reads and what each code means in Vigil's vocabulary. Every
//! table lives here so that a clinical coder can review the mapping in one file:
//! SNOMED CT body structures to the body map, SNOMED CT morphologies to injury types,
//! HL7 v2 table 0131 and v3 RoleCode to a person's part in a record, v3 ActCode
//! encounter classes to event kinds.
//!
//! Where no international code says what Vigil needs (a visit where the child was not
//! seen, a recorder's opinion of an explanation), Vigil's own code systems under
//! [`VIGIL`] carry Vigil's wire names, so a feed already speaking Vigil's JSON can say
//! the same in FHIR.

use vigil_domain::Role;
use vigil_domain::body_map::{BodySite, InjuryType, Side};

pub const NHS_NUMBER: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const V2_0131: &str = "http://terminology.hl7.org/CodeSystem/v2-0131";
pub const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub const V3_ROLE_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
pub const V3_ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
pub const V3_PARTICIPATION_TYPE: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

/// The root of Vigil's own identifier and code systems.
pub const VIGIL: &str = "https://vigil.example/fhir";
/// `Organization.identifier` system whose value is a Vigil agency code (`SAH`).
pub const AGENCY: &str = "https://vigil.example/fhir/Id/agency";
/// An identifier system `urn:vigil:source-system:NAME` names the source system
/// directly, so that a record sent by FHIR and by Vigil's JSON has the same key.
pub const SOURCE_SYSTEM_PREFIX: &str = "urn:vigil:source-system:";
pub const BODY_SITE: &str = "https://vigil.example/fhir/CodeSystem/body-site";
pub const SIDE: &str = "https://vigil.example/fhir/CodeSystem/side";
pub const INJURY_TYPE: &str = "https://vigil.example/fhir/CodeSystem/injury-type";
pub const RECORDER_OPINION: &str = "https://vigil.example/fhir/CodeSystem/recorder-opinion";
pub const HEALTH_SETTING: &str = "https://vigil.example/fhir/CodeSystem/health-setting";
pub const VISIT_OUTCOME: &str = "https://vigil.example/fhir/CodeSystem/visit-outcome";
/// Encounter types: `announced`, `unannounced`, `child-present`, `child-not-present`.
pub const ENCOUNTER_FLAG: &str = "https://vigil.example/fhir/CodeSystem/encounter-flag";
/// Observation codes for a change in who lives in the household: `moved_in`, `moved_out`.
pub const HOUSEHOLD_CHANGE: &str = "https://vigil.example/fhir/CodeSystem/household-change";
/// v3 ParticipationMode: how a Communication was made (PHONE, EMAILWRIT, MAILWRIT, ...).
pub const V3_PARTICIPATION_MODE: &str =
    "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode";
/// Patient extension (valueCode): the person's part in Vigil's records about them when
/// they are not the child, as a Vigil role (`parent`, `mentioned`, ...). Without it, the
/// subject of a record is the child (`subject_child`).
pub const EXTENSION_ROLE: &str = "https://vigil.example/fhir/StructureDefinition/role";
/// The Vigil roles the role extension takes, for messages.
pub const ROLES: &str = "subject_child, sibling, parent, carer, partner, next_of_kin, emergency_contact, household_member, suspect, victim, witness, reporter, professional, mentioned";
/// Patient extension (valueString): how the person is related to the child, as
/// written (`mother`).
pub const EXTENSION_RELATIONSHIP: &str =
    "https://vigil.example/fhir/StructureDefinition/relationship";
/// Patient extension (valueString): what the agency noted about the person
/// (`Registered at birth as ...`), which Patient has no element for.
pub const EXTENSION_NOTES: &str = "https://vigil.example/fhir/StructureDefinition/person-notes";
/// Observation component codes: `count`, `size`, `estimated-age`,
/// `examination-completed`, `contradicts-explanation`.
pub const COMPONENT: &str = "https://vigil.example/fhir/CodeSystem/component";

/// SNOMED CT body structures (the "structure of" concepts) for each body-map site.
const SNOMED_BODY_SITES: &[(&str, BodySite)] = &[
    ("69536005", BodySite::Head),
    ("41695006", BodySite::Scalp),
    ("52795006", BodySite::Forehead),
    ("89545001", BodySite::Face),
    ("371398005", BodySite::Eye),
    ("81745001", BodySite::Eye),
    ("60819002", BodySite::Cheek),
    ("117590005", BodySite::Ear),
    ("45206002", BodySite::Nose),
    ("123851003", BodySite::Mouth),
    ("74262004", BodySite::Mouth),
    ("48477009", BodySite::Lip),
    ("661005", BodySite::Jaw),
    ("30291003", BodySite::Chin),
    ("45048000", BodySite::Neck),
    ("51185008", BodySite::Chest),
    ("56873002", BodySite::Sternum),
    ("113197003", BodySite::Ribs),
    ("113345001", BodySite::Abdomen),
    ("26893007", BodySite::Groin),
    ("77568009", BodySite::Back),
    ("37822005", BodySite::LowerBack),
    ("421060004", BodySite::Spine),
    ("46862004", BodySite::Buttocks),
    ("53120007", BodySite::Arm),
    ("16982005", BodySite::Shoulder),
    ("40983000", BodySite::UpperArm),
    ("127949000", BodySite::Elbow),
    ("14975008", BodySite::Forearm),
    ("8205005", BodySite::Wrist),
    ("85562004", BodySite::Hand),
    ("7569003", BodySite::Finger),
    ("61685007", BodySite::Leg),
    ("29836001", BodySite::Hip),
    ("68367000", BodySite::Thigh),
    ("72696002", BodySite::Knee),
    ("30021000", BodySite::Shin),
    ("53840002", BodySite::Calf),
    ("344001", BodySite::Ankle),
    ("56459004", BodySite::Foot),
    ("29707007", BodySite::Toe),
];

/// SNOMED CT laterality qualifiers, sent as a second coding of `bodySite`.
const SNOMED_SIDES: &[(&str, Side)] = &[
    ("7771000", Side::Left),
    ("24028007", Side::Right),
    ("51440002", Side::Both),
];

/// SNOMED CT morphologies and findings for each injury type.
const SNOMED_INJURY_TYPES: &[(&str, InjuryType)] = &[
    ("125667009", InjuryType::Bruise),
    ("125666000", InjuryType::Burn),
    ("72704001", InjuryType::Fracture),
    ("399963005", InjuryType::Abrasion),
    ("82271004", InjuryType::HeadInjury),
    ("65124004", InjuryType::Swelling),
    ("35566002", InjuryType::Haematoma),
];

/// What a `bodySite` concept says.
pub enum SiteReading {
    Known(BodySite),
    /// A code Vigil does not map: recorded as `unspecified`, the code kept in the text.
    Unknown {
        code: String,
        display: String,
    },
    Absent,
}

pub fn body_site(concept: &crate::model::CodeableConcept) -> SiteReading {
    if let Some(code) = concept.code_in(BODY_SITE)
        && let Some(site) = wire_name::<BodySite>(code)
    {
        return SiteReading::Known(site);
    }
    if let Some(code) = concept.code_in(SNOMED) {
        if let Some((_, site)) = SNOMED_BODY_SITES.iter().find(|(c, _)| *c == code) {
            return SiteReading::Known(*site);
        }
        // A laterality coding alone is not a site.
        if !SNOMED_SIDES.iter().any(|(c, _)| *c == code) {
            return SiteReading::Unknown {
                code: format!("SNOMED CT {code}"),
                display: concept.words().unwrap_or("").to_string(),
            };
        }
    }
    match concept.coding.iter().find(|c| c.code.is_some()) {
        Some(coding) if coding.system.as_deref() != Some(SIDE) => SiteReading::Unknown {
            code: format!(
                "{} {}",
                coding.system.as_deref().unwrap_or("(no system)"),
                coding.code.as_deref().unwrap_or("")
            ),
            display: concept.words().unwrap_or("").to_string(),
        },
        _ => SiteReading::Absent,
    }
}

pub fn side(concept: &crate::model::CodeableConcept) -> Option<Side> {
    if let Some(code) = concept.code_in(SIDE) {
        return wire_name(code);
    }
    concept.coding.iter().find_map(|coding| {
        (coding.system.as_deref() == Some(SNOMED))
            .then(|| {
                SNOMED_SIDES
                    .iter()
                    .find(|(c, _)| Some(*c) == coding.code.as_deref())
                    .map(|(_, side)| *side)
            })
            .flatten()
    })
}

/// The injury type a code names; `None` when no coding is one Vigil knows.
pub fn injury_type(concept: &crate::model::CodeableConcept) -> Option<InjuryType> {
    if let Some(code) = concept.code_in(INJURY_TYPE)
        && let Some(found) = wire_name(code)
    {
        return Some(found);
    }
    let code = concept.code_in(SNOMED)?;
    SNOMED_INJURY_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| *t)
}

/// A person's part in a record, from HL7 v2 table 0131 (contact role) or v3 RoleCode
/// (personal relationship to the patient), with the relationship in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    pub role: Role,
    /// In words, as Vigil keeps it ("mother", "friend"); `None` when only a contact
    /// role such as next of kin was coded.
    pub words: Option<String>,
}

/// The HL7 v2 table 0131 codes Vigil reads: contact roles that are people.
/// E (employer), F (federal agency), I (insurer) and S (state agency) are
/// organisations, not people, and are reported rather than recorded.
pub fn contact_role(code: &str) -> Option<ContactRole> {
    match code {
        "N" => Some(ContactRole::Person(Role::NextOfKin)),
        "C" => Some(ContactRole::Person(Role::EmergencyContact)),
        "U" => Some(ContactRole::Person(Role::Mentioned)),
        "E" => Some(ContactRole::Organisation("employer")),
        "F" => Some(ContactRole::Organisation("federal agency")),
        "I" => Some(ContactRole::Organisation("insurance company")),
        "S" => Some(ContactRole::Organisation("state agency")),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRole {
    Person(Role),
    Organisation(&'static str),
}

/// v3 RoleCode personal relationships: (code, words, Vigil role). Parents are parents;
/// step-parents, foster parents and guardians care for the child; siblings are
/// siblings; anyone else is named with their relationship and no household part.
const ROLE_CODES: &[(&str, &str, Role)] = &[
    ("MTH", "mother", Role::Parent),
    ("FTH", "father", Role::Parent),
    ("PRN", "parent", Role::Parent),
    ("NMTH", "natural mother", Role::Parent),
    ("NFTH", "natural father", Role::Parent),
    ("NPRN", "natural parent", Role::Parent),
    ("ADOPTMTH", "adoptive mother", Role::Parent),
    ("ADOPTFTH", "adoptive father", Role::Parent),
    ("STPMTH", "stepmother", Role::Carer),
    ("STPFTH", "stepfather", Role::Carer),
    ("STPPRN", "step parent", Role::Carer),
    ("FSTPRN", "foster parent", Role::Carer),
    ("FSTMTH", "foster mother", Role::Carer),
    ("FSTFTH", "foster father", Role::Carer),
    ("GUARD", "guardian", Role::Carer),
    ("SIB", "sibling", Role::Sibling),
    ("BRO", "brother", Role::Sibling),
    ("SIS", "sister", Role::Sibling),
    ("HSIB", "half-sibling", Role::Sibling),
    ("STPSIB", "step sibling", Role::Sibling),
    ("GRMTH", "grandmother", Role::Mentioned),
    ("GRFTH", "grandfather", Role::Mentioned),
    ("GRPRN", "grandparent", Role::Mentioned),
    ("AUNT", "aunt", Role::Mentioned),
    ("UNCLE", "uncle", Role::Mentioned),
    ("FAMMEMB", "family member", Role::Mentioned),
    ("FRND", "friend", Role::Mentioned),
    ("NBOR", "neighbour", Role::Mentioned),
    ("SIGOTHR", "significant other", Role::Mentioned),
    ("DOMPART", "domestic partner", Role::Mentioned),
];

pub fn role_code(code: &str) -> Option<(&'static str, Role)> {
    ROLE_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, words, role)| (*words, *role))
}

/// What an encounter's class makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterKind {
    /// `health_attendance`, with the setting when the class fixes it.
    Attendance(Option<&'static str>),
    HospitalAdmission,
    HomeVisit,
}

pub const ENCOUNTER_CLASSES: &str = "EMER (A&E), AMB (GP, outpatient and clinic attendances), IMP, ACUTE, NONAC or SS (admission) and HH (home visit)";

/// A Communication's medium (v3 ParticipationMode) as a Vigil contact mode.
pub fn contact_mode(code: &str) -> Option<&'static str> {
    match code {
        "PHONE" => Some("phone"),
        "VIDEOCONF" => Some("video"),
        "EMAILWRIT" | "ELECTRONIC" => Some("email"),
        "MAILWRIT" | "WRITTEN" | "FAXWRIT" | "HANDWRIT" | "TYPEWRIT" => Some("letter"),
        "FACE" => Some("in_person"),
        _ => None,
    }
}

pub const CONTACT_MODES: &str = "PHONE (phone), VIDEOCONF (video), EMAILWRIT or ELECTRONIC (email), MAILWRIT, WRITTEN, FAXWRIT, HANDWRIT or TYPEWRIT (letter), FACE (in person)";

/// A ServiceRequest's priority as a Vigil urgency.
pub fn referral_urgency(priority: &str) -> Option<&'static str> {
    match priority {
        "routine" => Some("routine"),
        "urgent" => Some("urgent"),
        "asap" => Some("soon"),
        "stat" => Some("emergency"),
        _ => None,
    }
}

pub fn encounter_class(code: &str) -> Option<EncounterKind> {
    match code {
        "EMER" => Some(EncounterKind::Attendance(Some("a_and_e"))),
        "AMB" => Some(EncounterKind::Attendance(None)),
        "IMP" | "ACUTE" | "NONAC" | "SS" => Some(EncounterKind::HospitalAdmission),
        "HH" => Some(EncounterKind::HomeVisit),
        _ => None,
    }
}

/// Reads a Vigil wire name (`upper_arm`) into its enum, through serde, so the names
/// cannot drift from the domain's.
pub fn wire_name<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_the_message_lists_is_a_vigil_role() {
        for name in ROLES.split(", ") {
            assert!(wire_name::<Role>(name).is_some(), "{name}");
        }
        assert_eq!(ROLES.split(", ").count(), 14);
    }

    #[test]
    fn every_body_site_but_a_few_has_a_snomed_code_and_codes_are_unique() {
        let mut codes: Vec<&str> = SNOMED_BODY_SITES.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(
            codes.len(),
            SNOMED_BODY_SITES.len(),
            "a code is listed twice"
        );
        let unmapped: Vec<BodySite> = BodySite::ALL
            .iter()
            .copied()
            .filter(|site| !SNOMED_BODY_SITES.iter().any(|(_, s)| s == site))
            .collect();
        // These have no single SNOMED CT structure Vigil relies on; feeds send them with
        // Vigil's body-site code system.
        assert_eq!(
            unmapped,
            [
                BodySite::Frenulum,
                BodySite::Genitals,
                BodySite::UpperBack,
                BodySite::Multiple,
                BodySite::Unspecified
            ]
        );
    }
}
