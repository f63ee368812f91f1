//! The subset of FHIR R4 (4.0.1) that Vigil reads, as plain serde types. Hand-written
//! rather than generated: the generated R4 models cost minutes of build time and
//! gigabytes of memory on our machines (docs/STACK.md), and Vigil reads a few dozen
//! elements of eight resources. Elements Vigil does not read are ignored, as FHIR asks
//! of a receiver that supports a subset; everything Vigil does read is typed here so a
//! wrong shape is reported with its path.

use serde::Deserialize;

/// The resource types Vigil reads, by their `resourceType`.
pub const SUPPORTED_RESOURCE_TYPES: &[&str] = &[
    "Patient",
    "RelatedPerson",
    "Encounter",
    "Condition",
    "Observation",
    "Practitioner",
    "Organization",
    "Location",
    "ServiceRequest",
    "Communication",
    "Provenance",
];

#[derive(Debug, Clone)]
pub enum Resource {
    Patient(Patient),
    RelatedPerson(RelatedPerson),
    Encounter(Encounter),
    Condition(Condition),
    Observation(Observation),
    Practitioner(Practitioner),
    Organization(Organization),
    Location(Location),
    ServiceRequest(ServiceRequest),
    Communication(Communication),
    Provenance(Provenance),
}

impl Resource {
    pub fn type_name(&self) -> &'static str {
        match self {
            Resource::Patient(_) => "Patient",
            Resource::RelatedPerson(_) => "RelatedPerson",
            Resource::Encounter(_) => "Encounter",
            Resource::Condition(_) => "Condition",
            Resource::Observation(_) => "Observation",
            Resource::Practitioner(_) => "Practitioner",
            Resource::Organization(_) => "Organization",
            Resource::Location(_) => "Location",
            Resource::ServiceRequest(_) => "ServiceRequest",
            Resource::Communication(_) => "Communication",
            Resource::Provenance(_) => "Provenance",
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Resource::Patient(r) => r.id.as_deref(),
            Resource::RelatedPerson(r) => r.id.as_deref(),
            Resource::Encounter(r) => r.id.as_deref(),
            Resource::Condition(r) => r.id.as_deref(),
            Resource::Observation(r) => r.id.as_deref(),
            Resource::Practitioner(r) => r.id.as_deref(),
            Resource::Organization(r) => r.id.as_deref(),
            Resource::Location(r) => r.id.as_deref(),
            Resource::ServiceRequest(r) => r.id.as_deref(),
            Resource::Communication(r) => r.id.as_deref(),
            Resource::Provenance(r) => r.id.as_deref(),
        }
    }
}

/// An extension: Vigil reads only its own, with a code or a string value
/// ([`crate::codes::EXTENSION_ROLE`] and its siblings).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: Option<String>,
    pub value_code: Option<String>,
    pub value_string: Option<String>,
}

/// The value of the first extension with this `url`, code or string.
pub fn extension_value<'a>(extensions: &'a [Extension], url: &str) -> Option<&'a str> {
    extensions
        .iter()
        .find(|e| e.url.as_deref() == Some(url))
        .and_then(|e| e.value_code.as_deref().or(e.value_string.as_deref()))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub last_updated: Option<String>,
}

/// The resource's human-readable narrative (XHTML).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Narrative {
    pub div: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeableConcept {
    #[serde(default)]
    pub coding: Vec<Coding>,
    pub text: Option<String>,
}

impl CodeableConcept {
    /// The first code from `system`.
    pub fn code_in(&self, system: &str) -> Option<&str> {
        self.coding
            .iter()
            .find(|c| c.system.as_deref() == Some(system))
            .and_then(|c| c.code.as_deref())
    }

    /// The text, else the first coding's display.
    pub fn words(&self) -> Option<&str> {
        self.text
            .as_deref()
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Identifier {
    #[serde(rename = "use")]
    pub use_: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<CodeableConcept>,
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    pub reference: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub use_: Option<String>,
    pub text: Option<String>,
    pub family: Option<String>,
    #[serde(default)]
    pub given: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub text: Option<String>,
    #[serde(default)]
    pub line: Vec<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactPoint {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub author_string: Option<String>,
    pub author_reference: Option<Reference>,
    pub time: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Quantity {
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    #[serde(default)]
    pub extension: Vec<Extension>,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    #[serde(default)]
    pub telecom: Vec<ContactPoint>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
    #[serde(default)]
    pub contact: Vec<PatientContact>,
    pub managing_organization: Option<Reference>,
}

/// A contact party: next of kin, emergency contact, and the like (HL7 v2 table 0131).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PatientContact {
    #[serde(default)]
    pub relationship: Vec<CodeableConcept>,
    pub name: Option<HumanName>,
    #[serde(default)]
    pub telecom: Vec<ContactPoint>,
    pub address: Option<Address>,
    pub gender: Option<String>,
    pub organization: Option<Reference>,
    pub period: Option<Period>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedPerson {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub patient: Option<Reference>,
    #[serde(default)]
    pub relationship: Vec<CodeableConcept>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    #[serde(default)]
    pub telecom: Vec<ContactPoint>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
    pub period: Option<Period>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encounter {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub status: Option<String>,
    pub class: Option<Coding>,
    #[serde(default, rename = "type")]
    pub type_: Vec<CodeableConcept>,
    pub subject: Option<Reference>,
    #[serde(default)]
    pub participant: Vec<EncounterParticipant>,
    pub period: Option<Period>,
    #[serde(default)]
    pub reason_code: Vec<CodeableConcept>,
    #[serde(default)]
    pub location: Vec<EncounterLocation>,
    pub service_provider: Option<Reference>,
    pub hospitalization: Option<Hospitalization>,
}

/// Details of an admission; Vigil reads where the patient was discharged to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hospitalization {
    pub discharge_disposition: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EncounterParticipant {
    #[serde(default, rename = "type")]
    pub type_: Vec<CodeableConcept>,
    pub individual: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EncounterLocation {
    pub location: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub code: Option<CodeableConcept>,
    #[serde(default)]
    pub body_site: Vec<CodeableConcept>,
    pub subject: Option<Reference>,
    pub encounter: Option<Reference>,
    pub recorded_date: Option<String>,
    pub recorder: Option<Reference>,
    pub asserter: Option<Reference>,
    #[serde(default)]
    pub note: Vec<Annotation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub code: Option<CodeableConcept>,
    pub subject: Option<Reference>,
    pub encounter: Option<Reference>,
    pub effective_date_time: Option<String>,
    #[serde(default)]
    pub performer: Vec<Reference>,
    pub value_string: Option<String>,
    #[serde(default)]
    pub interpretation: Vec<CodeableConcept>,
    #[serde(default)]
    pub note: Vec<Annotation>,
    pub body_site: Option<CodeableConcept>,
    #[serde(default)]
    pub has_member: Vec<Reference>,
    #[serde(default)]
    pub component: Vec<ObservationComponent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationComponent {
    pub code: Option<CodeableConcept>,
    pub value_string: Option<String>,
    pub value_integer: Option<i64>,
    pub value_quantity: Option<Quantity>,
    pub value_boolean: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Practitioner {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    #[serde(default)]
    pub telecom: Vec<ContactPoint>,
    #[serde(default)]
    pub qualification: Vec<Qualification>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Qualification {
    pub code: Option<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Organization {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Location {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// A referral: a request for another service to see the patient.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequest {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub status: Option<String>,
    pub intent: Option<String>,
    pub priority: Option<String>,
    pub subject: Option<Reference>,
    pub encounter: Option<Reference>,
    pub authored_on: Option<String>,
    pub requester: Option<Reference>,
    #[serde(default)]
    pub performer: Vec<Reference>,
    #[serde(default)]
    pub reason_code: Vec<CodeableConcept>,
}

/// A message between a service and a patient or the people around them: a phone call,
/// a letter, an email.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Communication {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    pub text: Option<Narrative>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub status: Option<String>,
    #[serde(default)]
    pub medium: Vec<CodeableConcept>,
    pub subject: Option<Reference>,
    pub sent: Option<String>,
    pub received: Option<String>,
    #[serde(default)]
    pub recipient: Vec<Reference>,
    pub sender: Option<Reference>,
}

/// Who recorded a resource, on behalf of which organisation, and when what it records
/// happened: the FHIR way to say what a resource has no element for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub id: Option<String>,
    #[serde(default)]
    pub target: Vec<Reference>,
    pub occurred_date_time: Option<String>,
    pub recorded: Option<String>,
    #[serde(default)]
    pub agent: Vec<ProvenanceAgent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceAgent {
    pub who: Option<Reference>,
    pub on_behalf_of: Option<Reference>,
}
