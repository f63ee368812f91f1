//! The one place where FHIR becomes Vigil. Each clinical resource becomes one event in
//! Vigil's own import format (the JSON `POST /api/v1/events` takes), which
//! `vigil_domain::parse_event` then reads, so a FHIR record passes exactly the checks a
//! JSON record does and cannot mean anything a JSON record could not.
//!
//! - Encounter: A&E, GP, clinic and health-visitor attendances (`health_attendance`),
//!   admissions (`hospital_admission`), home visits (`home_visit`), by `class`.
//! - Observation or Condition with a `bodySite`: `injury_observation`; an Observation
//!   with `hasMember` is a body map whose members are its injuries.
//! - Observation or Condition without one: `medical_finding`.
//! - Encounter of class IMP with `hospitalization.dischargeDisposition`:
//!   `hospital_discharge` dated `period.end` (and the admission too, when the same
//!   Encounter has a `period.start`); an Encounter with status `cancelled`:
//!   `missed_appointment`.
//! - Observation coded from Vigil's household-change system: `household_change`.
//! - Patient with its own record identifier (`registration`): with `contact`,
//!   `form_submitted`, the registration form that named the next of kin and emergency
//!   contacts; without, a `note` of the registration (a birth, a new patient).
//! - ServiceRequest: `referral` (`requests`); Communication: `contact` (`requests`).
//! - Provenance says who recorded a record, for which agency, and when it happened,
//!   where the record itself has no element for it (`provenance`).
//!
//! The people of an event are its subject (the child, unless the Patient's Vigil role
//! extension says otherwise), every RelatedPerson of that Patient, then the Patient's
//! contacts, as the agency recorded them.

mod outcomes;
mod provenance;
mod registration;
mod requests;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};
use vigil_domain::event::details::HealthSetting;
use vigil_domain::{AgencyCode, DateOfBirth, NhsNumber, Role};

use crate::ImportOptions;
use crate::bundle::{Bundle, Entry, at};
use crate::codes::{self, ContactRole, EncounterKind, SiteReading};
use crate::model::*;
use crate::outcome::{Issue, IssueCode};

/// One event in Vigil's wire format, and the entry it came from.
pub struct WireEvent {
    pub entry: usize,
    pub json: Value,
}

pub fn map(bundle: &Bundle, options: &ImportOptions, issues: &mut Vec<Issue>) -> Vec<WireEvent> {
    let mut mapper = Mapper {
        bundle,
        options,
        issues,
        related: HashMap::new(),
        people: HashMap::new(),
        subjects: HashSet::new(),
        provenance: HashMap::new(),
    };
    mapper.index_related_people();
    mapper.index_provenance();
    let members = mapper.body_map_members();
    let mut events = Vec::new();
    for entry in &bundle.entries {
        let json = match &entry.resource {
            Resource::Encounter(encounter) => mapper.encounter_events(entry, encounter),
            Resource::Observation(observation) if !members.contains(&entry.index) => {
                mapper.observation(entry, observation).into_iter().collect()
            }
            Resource::Condition(condition) => {
                mapper.condition(entry, condition).into_iter().collect()
            }
            Resource::Patient(patient) => mapper.registration(entry, patient).into_iter().collect(),
            Resource::ServiceRequest(request) => {
                mapper.referral(entry, request).into_iter().collect()
            }
            Resource::Communication(message) => {
                mapper.communication(entry, message).into_iter().collect()
            }
            _ => Vec::new(),
        };
        for json in json {
            events.push(WireEvent {
                entry: entry.index,
                json,
            });
        }
    }
    mapper.report_unused_contacts();
    events
}

struct Mapper<'a> {
    bundle: &'a Bundle,
    options: &'a ImportOptions,
    issues: &'a mut Vec<Issue>,
    /// Patient entry index to the RelatedPerson entries of that patient.
    related: HashMap<usize, Vec<usize>>,
    /// Patient entry index to the people of an event about that patient (built once).
    people: HashMap<usize, Option<Vec<Value>>>,
    /// Patients that are the subject of an event.
    subjects: HashSet<usize>,
    /// Entry index of a record to the Provenance entry that targets it.
    provenance: HashMap<usize, usize>,
}

/// What every event needs, gathered before its details.
struct Common {
    agency: Option<String>,
    source_system: String,
    source_id: String,
    occurred_at: String,
    recorded_at: Option<String>,
    recorded_by: Option<Value>,
    summary: Option<String>,
    people: Vec<Value>,
}

impl Common {
    fn event(self, kind: &str, details: Value) -> Value {
        let mut event = Map::new();
        event.insert("kind".into(), json!(kind));
        if let Some(agency) = self.agency {
            event.insert("agency".into(), json!(agency));
        }
        event.insert("source_system".into(), json!(self.source_system));
        event.insert("source_id".into(), json!(self.source_id));
        event.insert("occurred_at".into(), json!(self.occurred_at));
        if let Some(recorded_at) = self.recorded_at {
            event.insert("recorded_at".into(), json!(recorded_at));
        }
        if let Some(recorded_by) = self.recorded_by {
            event.insert("recorded_by".into(), recorded_by);
        }
        if let Some(summary) = self.summary {
            event.insert("summary".into(), json!(summary));
        }
        event.insert("people".into(), Value::Array(self.people));
        event.insert("details".into(), details);
        Value::Object(event)
    }
}

/// Adds `key: value` when the value is there.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        object.insert(key.into(), value.into());
    }
}

impl<'a> Mapper<'a> {
    fn error(&mut self, code: IssueCode, expression: impl Into<String>, text: impl Into<String>) {
        self.issues.push(Issue::error(code, expression, text));
    }

    fn warning(&mut self, code: IssueCode, expression: impl Into<String>, text: impl Into<String>) {
        self.issues.push(Issue::warning(code, expression, text));
    }

    fn index_related_people(&mut self) {
        for entry in &self.bundle.entries {
            if let Resource::RelatedPerson(person) = &entry.resource {
                let expression = format!("{}.patient", at(entry.index));
                match &person.patient {
                    None => self.issues.push(Issue::error(
                        IssueCode::Required,
                        expression,
                        "RelatedPerson.patient is required: the patient this person is related to",
                    )),
                    Some(reference) => {
                        if let Some(patient) =
                            self.bundle
                                .resolve(reference, &expression, &["Patient"], self.issues)
                        {
                            self.related
                                .entry(patient.index)
                                .or_default()
                                .push(entry.index);
                        }
                    }
                }
            }
        }
    }

    /// Observations that are members of a body map: they are injuries of that event,
    /// not events of their own.
    fn body_map_members(&mut self) -> HashSet<usize> {
        let mut members = HashSet::new();
        for entry in &self.bundle.entries {
            if let Resource::Observation(observation) = &entry.resource {
                for (k, member) in observation.has_member.iter().enumerate() {
                    let expression = format!("{}.hasMember[{k}]", at(entry.index));
                    if let Some(found) =
                        self.bundle
                            .resolve(member, &expression, &["Observation"], self.issues)
                    {
                        members.insert(found.index);
                    }
                }
            }
        }
        members
    }

    fn entry_at(&self, index: usize) -> &'a Entry {
        let bundle: &'a Bundle = self.bundle;
        let position = bundle
            .entries
            .binary_search_by_key(&index, |e| e.index)
            .expect("an indexed entry");
        &bundle.entries[position]
    }

    // ----- the parts every event has -----

    /// The record's key: its first identifier that is neither an NHS number nor a
    /// medical record number (those identify the person, not the record).
    fn source_key(
        &mut self,
        identifiers: &[Identifier],
        expression: &str,
    ) -> Option<(String, String)> {
        let found = identifiers.iter().find(|id| {
            id.system.as_deref() != Some(codes::NHS_NUMBER) && !is_medical_record_number(id)
        });
        match found {
            Some(Identifier {
                system: Some(system),
                value: Some(value),
                ..
            }) => {
                let system = system
                    .strip_prefix(codes::SOURCE_SYSTEM_PREFIX)
                    .unwrap_or(system);
                Some((system.to_string(), value.to_string()))
            }
            _ => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.identifier"),
                    "an identifier with system and value is required: Vigil keys each record by its source system and id, so that sending it again stores it once",
                );
                None
            }
        }
    }

    /// The agency an organisation is, by its Vigil agency identifier; the importer's
    /// own agency when the record names none.
    fn agency(&mut self, organisation: Option<&Reference>, expression: &str) -> Option<String> {
        let found =
            self.bundle
                .resolve_optional(organisation, expression, &["Organization"], self.issues);
        if let Some(entry) = found
            && let Resource::Organization(organisation) = &entry.resource
        {
            for (k, identifier) in organisation.identifier.iter().enumerate() {
                if identifier.system.as_deref() == Some(codes::AGENCY) {
                    let value = identifier.value.as_deref().unwrap_or("");
                    return match AgencyCode::parse(value) {
                        Ok(code) => Some(code.as_str().to_string()),
                        Err(error) => {
                            self.error(
                                IssueCode::Value,
                                format!("{}.identifier[{k}].value", at(entry.index)),
                                error.to_string(),
                            );
                            None
                        }
                    };
                }
            }
        }
        match &self.options.default_agency {
            Some(agency) => Some(agency.as_str().to_string()),
            None => {
                self.error(
                    IssueCode::Required,
                    expression,
                    format!(
                        "which agency recorded this is not known: refer to an Organization with an identifier of system {} (the Vigil agency code), or import as an agency",
                        codes::AGENCY
                    ),
                );
                None
            }
        }
    }

    fn practitioner(&self, entry: &Entry) -> Option<Value> {
        let Resource::Practitioner(practitioner) = &entry.resource else {
            return None;
        };
        let name = practitioner
            .name
            .first()
            .and_then(name_text)
            .unwrap_or_else(|| "(name not recorded)".to_string());
        let mut object = Map::new();
        object.insert("name".into(), json!(name));
        put(
            &mut object,
            "role",
            practitioner
                .qualification
                .iter()
                .find_map(|q| q.code.as_ref()?.words().map(str::to_string)),
        );
        put(
            &mut object,
            "contact",
            practitioner.telecom.iter().find_map(|t| t.value.clone()),
        );
        Some(Value::Object(object))
    }

    fn subject(&mut self, reference: Option<&Reference>, expression: &str) -> Option<usize> {
        match reference {
            None => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.subject"),
                    "subject is required: the Patient (the child) the record is about",
                );
                None
            }
            Some(reference) => {
                let index = self
                    .bundle
                    .resolve(
                        reference,
                        &format!("{expression}.subject"),
                        &["Patient"],
                        self.issues,
                    )?
                    .index;
                self.subjects.insert(index);
                Some(index)
            }
        }
    }

    fn occurred(&mut self, value: Option<&str>, expression: &str, what: &str) -> Option<String> {
        match value {
            Some(value) => Some(value.to_string()),
            None => {
                self.error(
                    IssueCode::Required,
                    expression,
                    format!("{what} is required: when it happened"),
                );
                None
            }
        }
    }

    // ----- people -----

    /// The people of an event about this patient, built once per patient.
    fn people_of(&mut self, patient_index: usize) -> Option<Vec<Value>> {
        if let Some(people) = self.people.get(&patient_index) {
            return people.clone();
        }
        let entry = self.entry_at(patient_index);
        let Resource::Patient(patient) = &entry.resource else {
            return None;
        };
        let expression = at(patient_index);
        let mut failed = false;
        let mut people = Vec::new();
        let role = match extension_value(&patient.extension, codes::EXTENSION_ROLE) {
            None => Some(Role::SubjectChild),
            Some(code) => {
                let role = codes::wire_name::<Role>(code);
                if role.is_none() {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.extension"),
                        format!(
                            "{code:?} is not a Vigil role ({}); the extension {} gives the person's part in the records about them",
                            codes::ROLES,
                            codes::EXTENSION_ROLE
                        ),
                    );
                }
                role
            }
        };
        let relationship =
            extension_value(&patient.extension, codes::EXTENSION_RELATIONSHIP).map(str::to_string);
        let notes = extension_value(&patient.extension, codes::EXTENSION_NOTES).map(str::to_string);
        match self.person(
            role.unwrap_or(Role::SubjectChild),
            relationship,
            &PersonFields {
                names: &patient.name,
                birth_date: patient.birth_date.as_deref(),
                gender: patient.gender.as_deref(),
                identifiers: &patient.identifier,
                addresses: &patient.address,
                telecom: &patient.telecom,
                notes,
            },
            &expression,
        ) {
            Some(_) if role.is_none() => failed = true,
            Some(person) => people.push(person),
            None => failed = true,
        }
        for related_index in self
            .related
            .get(&patient_index)
            .cloned()
            .unwrap_or_default()
        {
            let related_entry = self.entry_at(related_index);
            let Resource::RelatedPerson(related) = &related_entry.resource else {
                continue;
            };
            let expression = at(related_index);
            let relationship =
                self.relationship(&related.relationship, &format!("{expression}.relationship"));
            let notes = related.period.as_ref().and_then(period_words);
            match self.person(
                relationship.role,
                relationship.words,
                &PersonFields {
                    names: &related.name,
                    birth_date: related.birth_date.as_deref(),
                    gender: related.gender.as_deref(),
                    identifiers: &related.identifier,
                    addresses: &related.address,
                    telecom: &related.telecom,
                    notes,
                },
                &expression,
            ) {
                Some(person) => people.push(person),
                None => failed = true,
            }
        }
        for (k, contact) in patient.contact.iter().enumerate() {
            let expression = format!("{expression}.contact[{k}]");
            match self.contact(contact, &expression) {
                Ok(Some(person)) => people.push(person),
                Ok(None) => {}
                Err(()) => failed = true,
            }
        }
        let result = (!failed).then_some(people);
        self.people.insert(patient_index, result.clone());
        result
    }

    /// A Patient.contact as a person; `Ok(None)` for an organisation (reported).
    fn contact(&mut self, contact: &PatientContact, expression: &str) -> Result<Option<Value>, ()> {
        let organisation_role = contact.relationship.iter().find_map(|concept| {
            match codes::contact_role(concept.code_in(codes::V2_0131)?) {
                Some(ContactRole::Organisation(what)) => Some(what),
                _ => None,
            }
        });
        if let Some(what) = organisation_role {
            self.warning(
                IssueCode::Informational,
                format!("{expression}.relationship"),
                format!("a contact coded as {what} (HL7 v2 table 0131) is an organisation, not a person; it is not recorded"),
            );
            return Ok(None);
        }
        if contact.name.is_none() {
            if contact.organization.is_some() {
                self.warning(
                    IssueCode::Informational,
                    expression,
                    "a contact that is only an organisation is not a person; it is not recorded",
                );
                return Ok(None);
            }
            self.error(
                IssueCode::Required,
                format!("{expression}.name"),
                "a contact person needs a name",
            );
            return Err(());
        }
        let relationship =
            self.relationship(&contact.relationship, &format!("{expression}.relationship"));
        let names: Vec<HumanName> = contact.name.iter().cloned().collect();
        let addresses: Vec<Address> = contact.address.iter().cloned().collect();
        self.person(
            relationship.role,
            relationship.words,
            &PersonFields {
                names: &names,
                birth_date: None,
                gender: contact.gender.as_deref(),
                identifiers: &[],
                addresses: &addresses,
                telecom: &contact.telecom,
                notes: None,
            },
            expression,
        )
        .map(Some)
        .ok_or(())
    }

    /// A relationship from v2 table 0131 (the contact role wins) and v3 RoleCode (the
    /// relationship in words and, without a contact role, the part in the record).
    fn relationship(
        &mut self,
        concepts: &[CodeableConcept],
        expression: &str,
    ) -> codes::Relationship {
        let mut contact_role = None;
        let mut personal: Option<(Option<String>, Role)> = None;
        let mut words = None;
        for (k, concept) in concepts.iter().enumerate() {
            let mut understood = false;
            if let Some(code) = concept.code_in(codes::V2_0131) {
                understood = true;
                match codes::contact_role(code) {
                    Some(ContactRole::Person(role)) => contact_role = contact_role.or(Some(role)),
                    Some(ContactRole::Organisation(_)) => {}
                    None => self.warning(
                        IssueCode::CodeInvalid,
                        format!("{expression}[{k}]"),
                        format!("{code:?} is not a code of HL7 v2 table 0131 that Vigil reads (N, C, U); the person is recorded as mentioned"),
                    ),
                }
            }
            if let Some(code) = concept.code_in(codes::V3_ROLE_CODE) {
                understood = true;
                match codes::role_code(code) {
                    Some((name, role)) => {
                        personal = personal.or(Some((
                            Some(concept.text.clone().unwrap_or_else(|| name.to_string())),
                            role,
                        )))
                    }
                    None => {
                        self.warning(
                            IssueCode::CodeInvalid,
                            format!("{expression}[{k}]"),
                            format!("{code:?} is not a v3 RoleCode relationship Vigil maps; its words are kept and the person is recorded as mentioned"),
                        );
                        words = words.or(concept.words().map(str::to_string));
                    }
                }
            }
            if !understood {
                if !concept.coding.is_empty() {
                    self.warning(
                        IssueCode::CodeInvalid,
                        format!("{expression}[{k}]"),
                        "a relationship in a code system Vigil does not read; its words are kept and the person is recorded as mentioned",
                    );
                }
                words = words.or(concept.words().map(str::to_string));
            }
        }
        let personal_role = personal.as_ref().map(|(_, role)| *role);
        codes::Relationship {
            role: contact_role.or(personal_role).unwrap_or(Role::Mentioned),
            words: personal.and_then(|(words, _)| words).or(words),
        }
    }

    fn person(
        &mut self,
        role: Role,
        relationship: Option<String>,
        fields: &PersonFields,
        expression: &str,
    ) -> Option<Value> {
        let mut person = Map::new();
        person.insert("role".into(), serde_json::to_value(role).expect("a role"));
        let mut names = fields.names.iter().enumerate().collect::<Vec<_>>();
        // The official or usual name first; the others are aliases.
        names.sort_by_key(|(_, name)| !matches!(name.use_.as_deref(), Some("official" | "usual")));
        let mut ok = true;
        let mut read = Vec::new();
        for (k, name) in names {
            match name_json(name) {
                Some(value) => read.push(value),
                None => {
                    self.error(
                        IssueCode::Required,
                        format!("{expression}.name[{k}]"),
                        "a name needs text, a family name or a given name",
                    );
                    ok = false;
                }
            }
        }
        let mut read = read.into_iter();
        match read.next() {
            Some(first) => {
                person.insert("name".into(), first);
            }
            None if ok => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.name"),
                    "a person needs a name",
                );
                return None;
            }
            None => return None,
        }
        let aliases: Vec<Value> = read.collect();
        if !aliases.is_empty() {
            person.insert("aliases".into(), Value::Array(aliases));
        }
        if let Some(birth_date) = fields.birth_date {
            match DateOfBirth::parse(birth_date) {
                Ok(_) => {
                    person.insert("date_of_birth".into(), json!(birth_date));
                }
                Err(error) => {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.birthDate"),
                        error.to_string(),
                    );
                    ok = false;
                }
            }
        }
        if let Some(gender) = fields.gender {
            let sex = match gender {
                "male" => "male",
                "female" => "female",
                "other" => "indeterminate",
                "unknown" => "unknown",
                other => {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.gender"),
                        format!("{other:?} is not an R4 administrative gender (male, female, other, unknown)"),
                    );
                    ok = false;
                    "unknown"
                }
            };
            person.insert("sex".into(), json!(sex));
        }
        for (k, identifier) in fields.identifiers.iter().enumerate() {
            if identifier.system.as_deref() == Some(codes::NHS_NUMBER) {
                let value = identifier.value.as_deref().unwrap_or("");
                match NhsNumber::parse(value) {
                    Ok(_) => {
                        person.insert("nhs_number".into(), json!(value));
                    }
                    Err(error) => {
                        self.error(
                            IssueCode::Value,
                            format!("{expression}.identifier[{k}].value"),
                            error.to_string(),
                        );
                        ok = false;
                    }
                }
            }
        }
        let addresses: Vec<Value> = fields.addresses.iter().filter_map(address_json).collect();
        if !addresses.is_empty() {
            person.insert("addresses".into(), Value::Array(addresses));
        }
        put(
            &mut person,
            "phone",
            fields
                .telecom
                .iter()
                .find(|t| matches!(t.system.as_deref(), Some("phone" | "sms")))
                .and_then(|t| t.value.clone()),
        );
        put(
            &mut person,
            "agency_reference",
            fields
                .identifiers
                .iter()
                .find(|id| is_medical_record_number(id))
                .and_then(|id| id.value.clone()),
        );
        put(&mut person, "relationship", relationship);
        put(&mut person, "notes", fields.notes.clone());
        ok.then_some(Value::Object(person))
    }

    // ----- resources to events -----

    fn encounter(&mut self, entry: &Entry, encounter: &Encounter) -> Option<Value> {
        let expression = at(entry.index);
        let kind = match encounter.class.as_ref().and_then(|c| c.code.as_deref()) {
            None => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.class"),
                    format!(
                        "Encounter.class is required; Vigil reads {}",
                        codes::ENCOUNTER_CLASSES
                    ),
                );
                None
            }
            Some(code) => match codes::encounter_class(code) {
                Some(kind) => Some(kind),
                None => {
                    self.error(
                        IssueCode::NotSupported,
                        format!("{expression}.class.code"),
                        format!(
                            "{code:?} is an encounter class Vigil does not import; it reads {}",
                            codes::ENCOUNTER_CLASSES
                        ),
                    );
                    None
                }
            },
        };
        let common = self.encounter_common(
            entry,
            encounter,
            encounter.period.as_ref().and_then(|p| p.start.as_deref()),
            "Encounter.period.start",
            "period.start",
        );
        let flag_pair = |yes: &str, no: &str| flag_pair(encounter, yes, no);
        let reason = encounter
            .reason_code
            .first()
            .and_then(|r| r.words())
            .map(str::to_string);
        let type_code = |system: &str| encounter.type_.iter().find_map(|t| t.code_in(system));
        let details = match kind? {
            EncounterKind::Attendance(fixed) => {
                let setting = match fixed {
                    Some(setting) => setting.to_string(),
                    None => match type_code(codes::HEALTH_SETTING) {
                        Some(code) if codes::wire_name::<HealthSetting>(code).is_some() => {
                            code.to_string()
                        }
                        Some(code) => {
                            self.error(
                                IssueCode::Value,
                                format!("{expression}.type"),
                                format!("{code:?} is not a setting of {}", codes::HEALTH_SETTING),
                            );
                            return None;
                        }
                        None => "outpatient".to_string(),
                    },
                };
                let mut details = Map::new();
                details.insert("setting".into(), json!(setting));
                put(&mut details, "presenting_complaint", reason);
                put(
                    &mut details,
                    "brought_by",
                    self.escort(encounter, &expression),
                );
                put(
                    &mut details,
                    "child_present",
                    flag_pair("child-present", "child-not-present"),
                );
                ("health_attendance", details)
            }
            EncounterKind::HospitalAdmission => {
                let mut details = Map::new();
                put(&mut details, "ward", self.ward(encounter, &expression));
                put(&mut details, "reason", reason);
                ("hospital_admission", details)
            }
            EncounterKind::HomeVisit => {
                let Some(outcome) = type_code(codes::VISIT_OUTCOME) else {
                    self.error(
                        IssueCode::Required,
                        format!("{expression}.type"),
                        format!("a home visit says whether the child was seen: add a type coding from {} (child_seen, child_seen_alone, child_not_seen, no_access)", codes::VISIT_OUTCOME),
                    );
                    return None;
                };
                let mut details = Map::new();
                details.insert("outcome".into(), json!(outcome));
                put(
                    &mut details,
                    "announced",
                    flag_pair("announced", "unannounced"),
                );
                put(&mut details, "purpose", reason);
                ("home_visit", details)
            }
        };
        Some(common?.event(details.0, Value::Object(details.1)))
    }

    /// What every event from an Encounter has, dated by `occurred` (the start, or the
    /// end for a discharge).
    fn encounter_common(
        &mut self,
        entry: &Entry,
        encounter: &Encounter,
        occurred: Option<&str>,
        occurred_name: &str,
        occurred_element: &str,
    ) -> Option<Common> {
        let practitioner = self.encounter_practitioner(encounter, &at(entry.index));
        self.common(
            entry.index,
            &encounter.identifier,
            encounter.subject.as_ref(),
            occurred,
            occurred_name,
            occurred_element,
            &encounter.meta,
            encounter.text.as_ref(),
            encounter.service_provider.as_ref(),
            "serviceProvider",
            practitioner,
        )
    }

    fn encounter_practitioner(&mut self, encounter: &Encounter, expression: &str) -> Option<Value> {
        for (k, participant) in encounter.participant.iter().enumerate() {
            let expression = format!("{expression}.participant[{k}].individual");
            let found = self.bundle.resolve_optional(
                participant.individual.as_ref(),
                &expression,
                &["Practitioner", "RelatedPerson"],
                self.issues,
            );
            if let Some(entry) = found
                && let Some(practitioner) = self.practitioner(entry)
            {
                return Some(practitioner);
            }
        }
        None
    }

    /// Who brought the child: the escort (v3 ParticipationType ESC), by relationship.
    fn escort(&mut self, encounter: &Encounter, expression: &str) -> Option<String> {
        let (k, participant) = encounter.participant.iter().enumerate().find(|(_, p)| {
            p.type_
                .iter()
                .any(|t| t.code_in(codes::V3_PARTICIPATION_TYPE) == Some("ESC"))
        })?;
        let individual = participant.individual.as_ref()?;
        let found = self.bundle.resolve(
            individual,
            &format!("{expression}.participant[{k}].individual"),
            &["RelatedPerson", "Practitioner"],
            self.issues,
        )?;
        match &found.resource {
            Resource::RelatedPerson(person) => {
                let relationship = self.relationship(
                    &person.relationship,
                    &format!("{}.relationship", at(found.index)),
                );
                relationship
                    .words
                    .or_else(|| person.name.first().and_then(name_text))
            }
            Resource::Practitioner(person) => person.name.first().and_then(name_text),
            _ => None,
        }
    }

    fn ward(&mut self, encounter: &Encounter, expression: &str) -> Option<String> {
        let location = encounter.location.first()?.location.as_ref()?;
        if location.reference.is_none() {
            return location.display.clone();
        }
        let found = self.bundle.resolve(
            location,
            &format!("{expression}.location[0].location"),
            &["Location"],
            self.issues,
        )?;
        match &found.resource {
            Resource::Location(place) => place.name.clone().or_else(|| location.display.clone()),
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn common(
        &mut self,
        index: usize,
        identifiers: &[Identifier],
        subject: Option<&Reference>,
        occurred_at: Option<&str>,
        occurred_name: &str,
        occurred_element: &str,
        meta: &Meta,
        text: Option<&Narrative>,
        organisation: Option<&Reference>,
        organisation_element: &str,
        recorded_by: Option<Value>,
    ) -> Option<Common> {
        let expression = &at(index);
        let provenance = self.provenance_of(index);
        let key = self.source_key(identifiers, expression);
        let subject = self.subject(subject, expression);
        let people = subject.and_then(|s| self.people_of(s));
        let occurred_at = self.occurred(
            occurred_at.or(provenance.occurred),
            &format!("{expression}.{occurred_element}"),
            occurred_name,
        );
        let agency = self.agency(
            organisation.or(provenance.on_behalf_of),
            &format!("{expression}.{organisation_element}"),
        );
        let recorded_by = recorded_by.or(provenance.recorded_by);
        let (source_system, source_id) = key?;
        Some(Common {
            agency: Some(agency?),
            source_system,
            source_id,
            occurred_at: occurred_at?,
            recorded_at: meta.last_updated.clone(),
            recorded_by,
            summary: text.and_then(narrative_text),
            people: people?,
        })
    }

    /// The encounter a record was made at, if it names one.
    fn encounter_of(
        &mut self,
        reference: Option<&Reference>,
        expression: &str,
    ) -> Option<&'a Encounter> {
        let bundle: &'a Bundle = self.bundle;
        let entry = bundle.resolve_optional(
            reference,
            &format!("{expression}.encounter"),
            &["Encounter"],
            self.issues,
        )?;
        match &entry.resource {
            Resource::Encounter(encounter) => Some(encounter),
            _ => None,
        }
    }

    fn observation(&mut self, entry: &Entry, observation: &Observation) -> Option<Value> {
        let expression = at(entry.index);
        let encounter = self.encounter_of(observation.encounter.as_ref(), &expression);
        let recorded_by = self
            .performer(&observation.performer, &expression)
            .or_else(|| encounter.and_then(|e| self.encounter_practitioner(e, &expression)));
        let bundle: &'a Bundle = self.bundle;
        let organisation = encounter
            .and_then(|e| e.service_provider.clone())
            .or_else(|| {
                observation
                    .performer
                    .iter()
                    .find(|p| {
                        let mut ignored = Vec::new();
                        bundle
                            .resolve(p, "", &["Organization"], &mut ignored)
                            .is_some()
                    })
                    .cloned()
            });
        let occurred = observation
            .effective_date_time
            .clone()
            .or_else(|| encounter.and_then(|e| e.period.as_ref()?.start.clone()));
        let common = self.common(
            entry.index,
            &observation.identifier,
            observation.subject.as_ref(),
            occurred.as_deref(),
            "Observation.effectiveDateTime (or its encounter's period.start)",
            "effectiveDateTime",
            &observation.meta,
            observation.text.as_ref(),
            organisation.as_ref(),
            "encounter",
            recorded_by,
        );
        if !observation.has_member.is_empty() {
            let mut injuries = Vec::new();
            let mut ok = true;
            for (k, member) in observation.has_member.iter().enumerate() {
                let found = self.bundle.resolve(
                    member,
                    &format!("{expression}.hasMember[{k}]"),
                    &["Observation"],
                    self.issues,
                );
                match found {
                    Some(Entry {
                        index,
                        resource: Resource::Observation(member),
                    }) => match self.observed_injury(member, &at(*index)) {
                        Some(injury) => injuries.push(injury),
                        None => ok = false,
                    },
                    _ => ok = false,
                }
            }
            return (ok).then(|| {
                common.map(|c| c.event("injury_observation", json!({ "injuries": injuries })))
            })?;
        }
        if let Some(change) = observation
            .code
            .as_ref()
            .and_then(|c| c.code_in(codes::HOUSEHOLD_CHANGE))
        {
            let Some(address) = observation.value_string.clone() else {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.valueString"),
                    "a household change needs the address it happened at, in valueString",
                );
                return None;
            };
            let change = change.to_string();
            return Some(common?.event(
                "household_change",
                json!({ "change": change, "address": address }),
            ));
        }
        if observation.body_site.is_some() {
            let injury = self.observed_injury(observation, &expression);
            return Some(common?.event("injury_observation", json!({ "injuries": [injury?] })));
        }
        let finding = observation
            .value_string
            .clone()
            .or_else(|| observation.code.as_ref()?.words().map(str::to_string));
        let Some(finding) = finding else {
            self.error(
                IssueCode::Required,
                format!("{expression}.valueString"),
                "a finding needs its words: valueString, or code.text",
            );
            return None;
        };
        let mut details = Map::new();
        details.insert("finding".into(), json!(finding));
        put(
            &mut details,
            "opinion",
            observation
                .interpretation
                .first()
                .and_then(|i| i.words())
                .map(str::to_string),
        );
        put(
            &mut details,
            "examination_completed",
            component(observation, "examination-completed").and_then(|c| c.value_boolean),
        );
        put(
            &mut details,
            "contradicts_explanation",
            component(observation, "contradicts-explanation").and_then(|c| c.value_boolean),
        );
        Some(common?.event("medical_finding", Value::Object(details)))
    }

    fn performer(&mut self, performers: &[Reference], expression: &str) -> Option<Value> {
        for (k, performer) in performers.iter().enumerate() {
            let found = self.bundle.resolve(
                performer,
                &format!("{expression}.performer[{k}]"),
                &["Practitioner", "Organization", "Patient", "RelatedPerson"],
                self.issues,
            );
            if let Some(entry) = found
                && let Some(practitioner) = self.practitioner(entry)
            {
                return Some(practitioner);
            }
        }
        None
    }

    fn observed_injury(&mut self, observation: &Observation, expression: &str) -> Option<Value> {
        let mut injury = self.injury(
            observation.code.as_ref(),
            observation.body_site.as_ref(),
            &observation.note,
            observation.value_string.clone(),
            expression,
        )?;
        let object = injury.as_object_mut().expect("an object");
        if let Some(count) = component(observation, "count") {
            match count.value_integer {
                Some(n) if n >= 1 => {
                    object.insert("count".into(), json!(n));
                }
                _ => {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.component"),
                        "the count component has a valueInteger of at least 1",
                    );
                    return None;
                }
            }
        }
        if let Some(size) = component(observation, "size") {
            let quantity = size.value_quantity.as_ref();
            let unit = quantity.and_then(|q| q.code.as_deref().or(q.unit.as_deref()));
            let centimetres = match (quantity.and_then(|q| q.value), unit) {
                (Some(value), Some("cm")) => value,
                (Some(value), Some("mm")) => value / 10.0,
                _ => {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.component"),
                        "the size component has a valueQuantity in cm or mm",
                    );
                    return None;
                }
            };
            object.insert("size_cm".into(), json!(centimetres));
        }
        put(
            object,
            "estimated_age",
            component(observation, "estimated-age").and_then(|c| c.value_string.clone()),
        );
        put(
            object,
            "recorder_opinion",
            observation
                .interpretation
                .iter()
                .find_map(|i| i.code_in(codes::RECORDER_OPINION))
                .map(str::to_string),
        );
        Some(injury)
    }

    /// One injury: site and side from `bodySite`, type from `code`, explanations from
    /// `note` (who gave each, when, in their words). An unknown code is kept in the
    /// description and reported.
    fn injury(
        &mut self,
        code: Option<&CodeableConcept>,
        body_site: Option<&CodeableConcept>,
        notes: &[Annotation],
        description: Option<String>,
        expression: &str,
    ) -> Option<Value> {
        let mut kept = Vec::new();
        let site = match body_site.map(codes::body_site) {
            Some(SiteReading::Known(site)) => Some(site),
            Some(SiteReading::Unknown { code, display }) => {
                self.warning(
                    IssueCode::CodeInvalid,
                    format!("{expression}.bodySite"),
                    format!("{code} is not on Vigil's body map; the injury is recorded at an unspecified site with the code kept in its description"),
                );
                kept.push(
                    format!("Body site as coded: {code} {display}")
                        .trim()
                        .to_string(),
                );
                Some(vigil_domain::body_map::BodySite::Unspecified)
            }
            Some(SiteReading::Absent) | None => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.bodySite"),
                    format!(
                        "an injury needs a body site: a SNOMED CT body structure or a code of {}",
                        codes::BODY_SITE
                    ),
                );
                None
            }
        };
        let side = body_site.and_then(codes::side);
        let injury_type = match code {
            None => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.code"),
                    "an injury needs a code saying what kind (bruise, burn, fracture...)",
                );
                None
            }
            Some(concept) => match codes::injury_type(concept) {
                Some(found) => Some(found),
                None => {
                    let coded = concept
                        .coding
                        .first()
                        .map(|c| {
                            format!(
                                "{} {}",
                                c.system.as_deref().unwrap_or(""),
                                c.code.as_deref().unwrap_or("")
                            )
                        })
                        .unwrap_or_default();
                    self.warning(
                        IssueCode::CodeInvalid,
                        format!("{expression}.code"),
                        format!("{} is not an injury type Vigil maps; recorded as other, with the code kept in the description", coded.trim()),
                    );
                    kept.push(
                        format!(
                            "Injury type as coded: {} {}",
                            coded.trim(),
                            concept.words().unwrap_or("")
                        )
                        .trim()
                        .to_string(),
                    );
                    Some(vigil_domain::body_map::InjuryType::Other)
                }
            },
        };
        let mut explanations = Vec::new();
        let mut ok = true;
        for (k, note) in notes.iter().enumerate() {
            let given_by = note
                .author_string
                .clone()
                .or_else(|| note.author_reference.as_ref()?.display.clone());
            match (given_by, note.text.as_deref()) {
                (Some(given_by), Some(text)) => {
                    let mut explanation = Map::new();
                    explanation.insert("given_by".into(), json!(given_by));
                    put(&mut explanation, "given_at", note.time.clone());
                    explanation.insert("text".into(), json!(text));
                    explanations.push(Value::Object(explanation));
                }
                (None, _) => {
                    self.error(
                        IssueCode::Required,
                        format!("{expression}.note[{k}].authorString"),
                        "an explanation says who gave it: authorString (\"mother\") or authorReference.display",
                    );
                    ok = false;
                }
                (_, None) => {
                    self.error(
                        IssueCode::Required,
                        format!("{expression}.note[{k}].text"),
                        "an explanation needs its text",
                    );
                    ok = false;
                }
            }
        }
        let description = match (description, kept.is_empty()) {
            (description, true) => description,
            (Some(text), false) => Some(format!("{text} {}", kept.join(". "))),
            (None, false) => Some(kept.join(". ")),
        };
        let mut injury = Map::new();
        injury.insert(
            "body_site".into(),
            serde_json::to_value(site?).expect("a site"),
        );
        put(
            &mut injury,
            "side",
            side.map(|s| serde_json::to_value(s).expect("a side")),
        );
        injury.insert(
            "injury_type".into(),
            serde_json::to_value(injury_type?).expect("a type"),
        );
        put(&mut injury, "description", description);
        injury.insert("explanations".into(), Value::Array(explanations));
        ok.then_some(Value::Object(injury))
    }

    fn condition(&mut self, entry: &Entry, condition: &Condition) -> Option<Value> {
        let expression = at(entry.index);
        let encounter = self.encounter_of(condition.encounter.as_ref(), &expression);
        let recorder = condition.recorder.as_ref().or(condition.asserter.as_ref());
        let recorded_by = self
            .performer(
                recorder.map(std::slice::from_ref).unwrap_or(&[]),
                &expression,
            )
            .or_else(|| encounter.and_then(|e| self.encounter_practitioner(e, &expression)));
        let occurred = condition
            .recorded_date
            .clone()
            .or_else(|| encounter.and_then(|e| e.period.as_ref()?.start.clone()));
        let common = self.common(
            entry.index,
            &condition.identifier,
            condition.subject.as_ref(),
            occurred.as_deref(),
            "Condition.recordedDate (or its encounter's period.start)",
            "recordedDate",
            &condition.meta,
            condition.text.as_ref(),
            encounter.and_then(|e| e.service_provider.as_ref()),
            "encounter",
            recorded_by,
        );
        if let Some(site) = condition.body_site.first() {
            let injury = self.injury(
                condition.code.as_ref(),
                Some(site),
                &condition.note,
                None,
                &expression,
            );
            return Some(common?.event("injury_observation", json!({ "injuries": [injury?] })));
        }
        let Some(finding) = condition
            .code
            .as_ref()
            .and_then(|c| c.words())
            .map(str::to_string)
        else {
            self.error(
                IssueCode::Required,
                format!("{expression}.code"),
                "a condition needs a code with text or display: the finding in words",
            );
            return None;
        };
        let mut details = Map::new();
        details.insert("finding".into(), json!(finding));
        put(
            &mut details,
            "opinion",
            condition.note.first().and_then(|n| n.text.clone()),
        );
        Some(common?.event("medical_finding", Value::Object(details)))
    }

    fn report_unused_contacts(&mut self) {
        for entry in &self.bundle.entries {
            if let Resource::Patient(patient) = &entry.resource
                && !patient.contact.is_empty()
                && !self.subjects.contains(&entry.index)
            {
                self.issues.push(Issue::warning(
                    IssueCode::Informational,
                    format!("{}.contact", at(entry.index)),
                    "these contacts are not stored: no record in the bundle is about this Patient, and the Patient has no record identifier of its own (an identifier other than the NHS number and the medical record number) to store them as a registration form",
                ));
            }
        }
    }
}

struct PersonFields<'a> {
    names: &'a [HumanName],
    birth_date: Option<&'a str>,
    gender: Option<&'a str>,
    identifiers: &'a [Identifier],
    addresses: &'a [Address],
    telecom: &'a [ContactPoint],
    notes: Option<String>,
}

/// A yes-or-no an Encounter states by one of two codes of Vigil's encounter-flag system
/// in its `type` (`announced` / `unannounced`); `None` when it gives neither.
fn flag_pair(encounter: &Encounter, yes: &str, no: &str) -> Option<bool> {
    let flag = |code: &str| {
        encounter
            .type_
            .iter()
            .any(|t| t.code_in(codes::ENCOUNTER_FLAG) == Some(code))
    };
    if flag(yes) {
        Some(true)
    } else if flag(no) {
        Some(false)
    } else {
        None
    }
}

fn is_medical_record_number(identifier: &Identifier) -> bool {
    identifier
        .type_
        .as_ref()
        .is_some_and(|t| t.code_in(codes::V2_0203) == Some("MR"))
}

fn component<'a>(observation: &'a Observation, code: &str) -> Option<&'a ObservationComponent> {
    observation
        .component
        .iter()
        .find(|c| c.code.as_ref().and_then(|c| c.code_in(codes::COMPONENT)) == Some(code))
}

/// A name in Vigil's wire form: its parts when FHIR gives them, else its text.
fn name_json(name: &HumanName) -> Option<Value> {
    if name.family.is_none() && name.given.is_empty() {
        return name.text.as_ref().map(|t| json!(t));
    }
    let mut object = Map::new();
    put(&mut object, "text", name.text.clone());
    put(&mut object, "given", name.given.first().cloned());
    if name.given.len() > 1 {
        object.insert("middle".into(), json!(name.given[1..]));
    }
    put(&mut object, "family", name.family.clone());
    Some(Value::Object(object))
}

fn name_text(name: &HumanName) -> Option<String> {
    name.text.clone().or_else(|| {
        let parts: Vec<&str> = name
            .given
            .iter()
            .map(String::as_str)
            .chain(name.family.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// An address as text (`text`, else its lines, city and postcode joined), with the
/// postcode apart when FHIR gives it.
fn address_json(address: &Address) -> Option<Value> {
    let text = address.text.clone().or_else(|| {
        let parts: Vec<&str> = address
            .line
            .iter()
            .map(String::as_str)
            .chain(address.city.as_deref())
            .chain(address.postal_code.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    })?;
    Some(match &address.postal_code {
        Some(postcode) => json!({ "text": text, "postcode": postcode }),
        None => json!(text),
    })
}

fn period_words(period: &Period) -> Option<String> {
    match (&period.start, &period.end) {
        (Some(start), Some(end)) => Some(format!("Related person from {start} to {end}.")),
        (Some(start), None) => Some(format!("Related person from {start}.")),
        (None, Some(end)) => Some(format!("Related person until {end}.")),
        (None, None) => None,
    }
}

/// The narrative's words: XHTML tags dropped, the five XML entities read.
pub fn narrative_text(narrative: &Narrative) -> Option<String> {
    let div = narrative.div.as_deref()?;
    let mut text = String::with_capacity(div.len());
    let mut in_tag = false;
    for c in div.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}
