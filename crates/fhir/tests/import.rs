//! One small bundle per case: each resource type, each relationship code Vigil reads,
//! and each kind of error, with the element the OperationOutcome names.

use jiff::Timestamp;
use serde_json::{Value, json};
use vigil_domain::{AgencyCode, EventDetails, Limits, Role};
use vigil_fhir::{ImportOptions, Imported, IssueCode, OperationOutcome, import_bundle};

const CHILD: &str = "urn:uuid:11111111-0000-4000-8000-000000000001";

fn options() -> ImportOptions {
    ImportOptions {
        default_agency: Some(AgencyCode::parse("SAH").unwrap()),
        now: "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap(),
        limits: Limits::default(),
    }
}

fn patient(extra: Value) -> Value {
    let mut patient = json!({
        "resourceType": "Patient",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9992100311"}],
        "name": [{"family": "NORTH", "given": ["Alfie"]}],
        "birthDate": "2023-01-15"
    });
    patient
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    patient
}

fn encounter(extra: Value) -> Value {
    let mut encounter = json!({
        "resourceType": "Encounter",
        "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "ED-1"}],
        "class": {"code": "EMER"},
        "subject": {"reference": CHILD},
        "period": {"start": "2024-02-01"}
    });
    encounter
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    encounter
}

fn bundle(resources: Vec<Value>) -> Value {
    let entry: Vec<Value> = resources
        .into_iter()
        .enumerate()
        .map(|(i, resource)| {
            let url = if i == 0 {
                CHILD.to_string()
            } else {
                format!("urn:uuid:22222222-0000-4000-8000-{i:012}")
            };
            json!({"fullUrl": url, "resource": resource})
        })
        .collect();
    json!({"resourceType": "Bundle", "type": "collection", "entry": entry})
}

fn ok(resources: Vec<Value>) -> Imported {
    import_bundle(&bundle(resources), &options())
        .unwrap_or_else(|o| panic!("{}", serde_json::to_string_pretty(&o).unwrap()))
}

fn refused(resources: Vec<Value>) -> OperationOutcome {
    match import_bundle(&bundle(resources), &options()) {
        Ok(imported) => panic!("accepted: {:?}", imported.events),
        Err(outcome) => outcome,
    }
}

fn check_refused(resources: Vec<Value>, code: IssueCode, expression: &str) {
    let outcome = refused(resources);
    assert!(
        outcome
            .errors()
            .any(|i| i.code == code && i.expression == [expression]),
        "wanted {code:?} at {expression}; got {:#?}",
        outcome.issue
    );
}

#[test]
fn an_emergency_encounter_is_an_a_and_e_attendance_by_the_callers_agency() {
    let imported = ok(vec![
        patient(json!({})),
        encounter(json!({"reasonCode": [{"text": "Fall"}]})),
    ]);
    let event = &imported.events[0];
    assert_eq!(event.agency.as_str(), "SAH");
    assert_eq!(event.source_system, "SAH-PAS");
    let EventDetails::HealthAttendance(attendance) = &event.details else {
        panic!("{:?}", event.details)
    };
    assert_eq!(serde_json::to_value(attendance.setting).unwrap(), "a_and_e");
    assert_eq!(attendance.presenting_complaint.as_deref(), Some("Fall"));
    assert_eq!(event.people[0].role, Role::SubjectChild);
    assert_eq!(
        event.people[0].nhs_number.as_ref().unwrap().digits(),
        "9992100311"
    );
}

#[test]
fn encounter_classes_give_admissions_clinics_and_home_visits() {
    let admission = ok(vec![
        patient(json!({})),
        encounter(json!({"class": {"code": "IMP"}, "reasonCode": [{"text": "observation"}]})),
    ]);
    assert_eq!(admission.events[0].kind(), "hospital_admission");
    let clinic = ok(vec![
        patient(json!({})),
        encounter(json!({"class": {"code": "AMB"}})),
    ]);
    let EventDetails::HealthAttendance(a) = &clinic.events[0].details else {
        panic!()
    };
    assert_eq!(serde_json::to_value(a.setting).unwrap(), "outpatient");
    let visit = ok(vec![
        patient(json!({})),
        encounter(json!({"class": {"code": "HH"},
        "type": [{"coding": [{"system": "https://vigil.example/fhir/CodeSystem/visit-outcome", "code": "child_not_seen"}]}]})),
    ]);
    assert_eq!(visit.events[0].kind(), "home_visit");
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"class": {"code": "HH"}})),
        ],
        IssueCode::Required,
        "Bundle.entry[1].resource.type",
    );
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"class": {"code": "VR"}})),
        ],
        IssueCode::NotSupported,
        "Bundle.entry[1].resource.class.code",
    );
}

#[test]
fn organization_and_practitioner_give_the_agency_and_the_recorder() {
    let imported = ok(vec![
        patient(json!({})),
        encounter(json!({
            "serviceProvider": {"reference": "Organization/ngp"},
            "participant": [{"individual": {"reference": "Practitioner/reeve"}}]})),
        json!({"resourceType": "Organization", "id": "ngp", "identifier": [{"system": "https://vigil.example/fhir/Id/agency", "value": "NGP"}]}),
        json!({"resourceType": "Practitioner", "id": "reeve", "name": [{"text": "Dr Alan REEVE"}], "qualification": [{"code": {"text": "GP"}}]}),
    ]);
    let event = &imported.events[0];
    assert_eq!(event.agency.as_str(), "NGP");
    let by = event.recorded_by.as_ref().unwrap();
    assert_eq!(
        (by.name.as_str(), by.role.as_deref()),
        ("Dr Alan REEVE", Some("GP"))
    );
}

fn contact(codes: Value) -> Value {
    json!({"relationship": codes, "name": {"text": "Daz PRICE"}, "telecom": [{"system": "phone", "value": "07700 900587"}],
           "address": {"text": "41 Marlowe Road QN7 5DX"}, "period": {"start": "2024-06-10"}})
}

fn v2(code: &str) -> Value {
    json!({"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": code}]})
}

#[test]
fn patient_contacts_n_c_and_u_are_next_of_kin_emergency_contact_and_mentioned() {
    for (code, role) in [
        ("N", Role::NextOfKin),
        ("C", Role::EmergencyContact),
        ("U", Role::Mentioned),
    ] {
        let imported = ok(vec![patient(json!({
                "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "FORM-1", "type": {"text": "admission registration"}}],
                "contact": [contact(json!([v2(code), {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "FRND"}]}]))]}))]);
        let event = &imported.events[0];
        assert_eq!(event.kind(), "form_submitted", "{code}");
        let person = &event.people[1];
        assert_eq!(person.role, role, "{code}");
        assert_eq!(person.relationship.as_deref(), Some("friend"));
        assert_eq!(person.phone.as_ref().unwrap().digits(), "07700900587");
        assert_eq!(
            person.addresses[0].postcode.as_ref().unwrap().to_string(),
            "QN7 5DX"
        );
    }
}

#[test]
fn a_contact_that_is_an_organisation_is_reported_not_recorded() {
    let imported = ok(vec![
        patient(json!({"contact": [contact(json!([v2("E")]))]})),
        encounter(json!({})),
    ]);
    assert_eq!(imported.events[0].people.len(), 1);
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.expression == ["Bundle.entry[0].resource.contact[0].relationship"])
    );
}

#[test]
fn related_people_take_their_part_from_the_role_code() {
    for (code, role, words) in [
        ("MTH", Role::Parent, "mother"),
        ("STPFTH", Role::Carer, "stepfather"),
        ("SIS", Role::Sibling, "sister"),
        ("NBOR", Role::Mentioned, "neighbour"),
        ("N", Role::NextOfKin, ""),
    ] {
        let system = if code == "N" {
            "http://terminology.hl7.org/CodeSystem/v2-0131"
        } else {
            "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
        };
        let imported = ok(vec![
            patient(json!({})),
            encounter(json!({})),
            json!({"resourceType": "RelatedPerson", "patient": {"reference": CHILD},
                   "relationship": [{"coding": [{"system": system, "code": code}]}],
                   "name": [{"text": "Kerry CARTER"}], "period": {"start": "2021-03-10"}}),
        ]);
        let person = &imported.events[0].people[1];
        assert_eq!(person.role, role, "{code}");
        assert_eq!(
            person.relationship.as_deref().unwrap_or(""),
            words,
            "{code}"
        );
        assert_eq!(
            person.notes.as_deref(),
            Some("Related person from 2021-03-10.")
        );
    }
}

fn injury_observation(site: Value) -> Value {
    json!({"resourceType": "Observation",
        "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "INJ-1"}],
        "subject": {"reference": CHILD}, "effectiveDateTime": "2024-02-01",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "125667009"}]},
        "bodySite": site,
        "component": [{"code": {"coding": [{"system": "https://vigil.example/fhir/CodeSystem/component", "code": "count"}]}, "valueInteger": 3}],
        "note": [{"authorString": "mother", "text": "Rough play"}]})
}

#[test]
fn an_observation_with_a_snomed_body_site_is_an_injury_on_the_body_map() {
    let imported = ok(vec![
        patient(json!({})),
        injury_observation(json!({"coding": [
        {"system": "http://snomed.info/sct", "code": "60819002"}, {"system": "http://snomed.info/sct", "code": "7771000"}]})),
    ]);
    let EventDetails::InjuryObservation(observation) = &imported.events[0].details else {
        panic!()
    };
    let injury = &observation.injuries[0];
    assert_eq!(serde_json::to_value(injury.body_site).unwrap(), "cheek");
    assert_eq!(serde_json::to_value(injury.side).unwrap(), "left");
    assert_eq!(serde_json::to_value(injury.injury_type).unwrap(), "bruise");
    assert_eq!(injury.count, 3);
    assert_eq!(injury.explanations[0].given_by, "mother");
}

#[test]
fn an_unknown_body_site_is_kept_in_the_injury_and_reported() {
    let imported = ok(vec![
        patient(json!({})),
        injury_observation(json!({"coding": [
        {"system": "http://snomed.info/sct", "code": "123456789", "display": "Structure of somewhere"}]})),
    ]);
    let EventDetails::InjuryObservation(observation) = &imported.events[0].details else {
        panic!()
    };
    let injury = &observation.injuries[0];
    assert_eq!(
        serde_json::to_value(injury.body_site).unwrap(),
        "unspecified"
    );
    assert!(
        injury
            .description
            .as_deref()
            .unwrap()
            .contains("SNOMED CT 123456789 Structure of somewhere")
    );
    assert_eq!(imported.warnings[0].code, IssueCode::CodeInvalid);
    assert_eq!(
        imported.warnings[0].expression,
        ["Bundle.entry[1].resource.bodySite"]
    );
}

#[test]
fn conditions_are_injuries_with_a_site_and_findings_without() {
    let condition = |site: Value| {
        json!({"resourceType": "Condition",
        "identifier": [{"system": "urn:vigil:source-system:SAH-PAS", "value": "C-1"}],
        "subject": {"reference": CHILD}, "recordedDate": "2024-02-01",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "72704001"}], "text": "Fracture of the arm"},
        "bodySite": site})
    };
    let injury = ok(vec![
        patient(json!({})),
        condition(json!([{"coding": [{"system": "http://snomed.info/sct", "code": "40983000"}]}])),
    ]);
    assert_eq!(injury.events[0].kind(), "injury_observation");
    let finding = ok(vec![patient(json!({})), condition(json!([]))]);
    let EventDetails::MedicalFinding(found) = &finding.events[0].details else {
        panic!()
    };
    assert_eq!(found.finding, "Fracture of the arm");
}

#[test]
fn every_kind_of_error_names_its_element() {
    // An unsupported resource type.
    check_refused(
        vec![
            patient(json!({})),
            json!({"resourceType": "MedicationRequest"}),
        ],
        IssueCode::NotSupported,
        "Bundle.entry[1].resource.resourceType",
    );
    // A dangling reference.
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"subject": {"reference": "Patient/nobody"}})),
        ],
        IssueCode::NotFound,
        "Bundle.entry[1].resource.subject",
    );
    // A reference to the wrong type of resource.
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"serviceProvider": {"reference": CHILD}})),
        ],
        IssueCode::Value,
        "Bundle.entry[1].resource.serviceProvider",
    );
    // Missing required elements.
    check_refused(
        vec![patient(json!({})), encounter(json!({"identifier": []}))],
        IssueCode::Required,
        "Bundle.entry[1].resource.identifier",
    );
    check_refused(
        vec![patient(json!({})), encounter(json!({"period": {}}))],
        IssueCode::Required,
        "Bundle.entry[1].resource.period.start",
    );
    check_refused(
        vec![patient(json!({"name": []})), encounter(json!({}))],
        IssueCode::Required,
        "Bundle.entry[0].resource.name",
    );
    // Wrong values.
    check_refused(
        vec![
            patient(
                json!({"identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9992100312"}]}),
            ),
            encounter(json!({})),
        ],
        IssueCode::Value,
        "Bundle.entry[0].resource.identifier[0].value",
    );
    check_refused(
        vec![
            patient(json!({"birthDate": "2023-02-30"})),
            encounter(json!({})),
        ],
        IssueCode::Value,
        "Bundle.entry[0].resource.birthDate",
    );
    // A wrong shape.
    check_refused(
        vec![patient(json!({"name": "NORTH"})), encounter(json!({}))],
        IssueCode::Structure,
        "Bundle.entry[0].resource.name",
    );
    // The domain's own checks: nothing in the future.
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"period": {"start": "2030-01-01"}})),
        ],
        IssueCode::Value,
        "Bundle.entry[1].resource",
    );
    // Not a bundle of a type Vigil imports.
    let outcome = import_bundle(
        &json!({"resourceType": "Bundle", "type": "searchset", "entry": []}),
        &options(),
    )
    .unwrap_err();
    assert!(
        outcome
            .issue
            .iter()
            .any(|i| i.expression == ["Bundle.type"])
    );
}

#[test]
fn one_bad_record_refuses_the_whole_bundle() {
    let outcome = refused(vec![
        patient(json!({})),
        encounter(json!({})),
        encounter(
            json!({"identifier": [{"system": "x", "value": "2"}], "subject": {"reference": "Patient/gone"}}),
        ),
    ]);
    assert_eq!(outcome.errors().count(), 1, "{:#?}", outcome.issue);
}

fn source(id: &str) -> Value {
    json!([{"system": "urn:vigil:source-system:NGP-EMIS", "value": id}])
}

fn practitioner() -> Value {
    json!({"resourceType": "Practitioner", "name": [{"text": "Dr Ada QUILL"}],
           "qualification": [{"code": {"text": "GP"}}]})
}

#[test]
fn a_service_request_is_a_referral_with_its_urgency_and_who_referred() {
    let imported = ok(vec![
        patient(json!({})),
        practitioner(),
        json!({"resourceType": "ServiceRequest", "identifier": source("REF-1"),
               "status": "active", "intent": "order", "priority": "asap",
               "subject": {"reference": CHILD}, "authoredOn": "2024-02-02",
               "requester": {"reference": "urn:uuid:22222222-0000-4000-8000-000000000001"},
               "performer": [{"display": "Community paediatrics"}],
               "reasonCode": [{"text": "bruising, no explanation"}]}),
    ]);
    let event = &imported.events[0];
    let EventDetails::Referral(referral) = &event.details else {
        panic!("{:?}", event.details)
    };
    assert_eq!(
        referral.referred_to.as_deref(),
        Some("Community paediatrics")
    );
    assert_eq!(referral.reason.as_deref(), Some("bruising, no explanation"));
    assert_eq!(serde_json::to_value(referral.urgency).unwrap(), "soon");
    assert_eq!(event.recorded_by.as_ref().unwrap().name, "Dr Ada QUILL");

    let wrong = json!({"resourceType": "ServiceRequest", "identifier": source("REF-2"),
                       "priority": "whenever", "subject": {"reference": CHILD},
                       "authoredOn": "2024-02-02"});
    check_refused(
        vec![patient(json!({})), wrong],
        IssueCode::Value,
        "Bundle.entry[1].resource.priority",
    );
}

#[test]
fn a_communication_is_a_contact_incoming_from_the_family_or_outgoing_from_the_service() {
    let mother = json!({"resourceType": "RelatedPerson", "patient": {"reference": CHILD},
                        "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MTH"}], "text": "mother"}],
                        "name": [{"text": "NORTH, Beth"}]});
    let phone = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode", "code": "PHONE"}]}]);
    let call = |id: &str, sender: &str, recipient: &str| {
        json!({"resourceType": "Communication", "identifier": source(id), "status": "completed",
               "medium": phone, "subject": {"reference": CHILD}, "sent": "2024-02-03T09:30:00Z",
               "sender": {"reference": sender}, "recipient": [{"reference": recipient}]})
    };
    let gp = "urn:uuid:22222222-0000-4000-8000-000000000002";
    let mum = "urn:uuid:22222222-0000-4000-8000-000000000001";
    let imported = ok(vec![
        patient(json!({})),
        mother,
        practitioner(),
        call("CALL-IN", mum, gp),
        call("CALL-OUT", gp, mum),
    ]);
    let contact = |i: usize| match &imported.events[i].details {
        EventDetails::Contact(contact) => serde_json::to_value(contact).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        contact(0),
        json!({"mode": "phone", "direction": "incoming", "with": "mother"})
    );
    assert_eq!(
        contact(1),
        json!({"mode": "phone", "direction": "outgoing", "with": "mother"})
    );
    assert_eq!(
        imported.events[0].people.len(),
        2,
        "the child and the mother"
    );
    assert_eq!(
        imported.events[1].recorded_by.as_ref().unwrap().name,
        "Dr Ada QUILL"
    );

    let no_medium = json!({"resourceType": "Communication", "identifier": source("CALL-3"),
                           "subject": {"reference": CHILD}, "sent": "2024-02-03"});
    check_refused(
        vec![patient(json!({})), no_medium],
        IssueCode::Required,
        "Bundle.entry[1].resource.medium",
    );
}

#[test]
fn a_cancelled_encounter_is_a_missed_appointment_and_a_discharge_ends_an_admission() {
    let missed = ok(vec![
        patient(json!({})),
        encounter(json!({"status": "cancelled", "class": {"code": "AMB"},
            "type": [{"text": "Dental check"},
                     {"coding": [{"system": "https://vigil.example/fhir/CodeSystem/encounter-flag", "code": "was-not-brought"}]}]})),
    ]);
    let EventDetails::MissedAppointment(appointment) = &missed.events[0].details else {
        panic!("{:?}", missed.events[0].details)
    };
    assert_eq!(appointment.appointment, "Dental check");
    assert!(appointment.was_not_brought);
    check_refused(
        vec![
            patient(json!({})),
            encounter(json!({"status": "cancelled", "class": {"code": "AMB"}})),
        ],
        IssueCode::Required,
        "Bundle.entry[1].resource.type",
    );

    // Sent with its discharge, an admission is two records; the discharge alone is one.
    let discharge = json!({"dischargeDisposition": {"text": "home with mother"}});
    let both = ok(vec![
        patient(json!({})),
        encounter(
            json!({"class": {"code": "IMP"}, "hospitalization": discharge,
                         "period": {"start": "2024-02-01", "end": "2024-02-04"}}),
        ),
    ]);
    let kinds: Vec<&str> = both.events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["hospital_admission", "hospital_discharge"]);
    assert_eq!(both.events[1].source_id, "ED-1/discharge");
    assert_eq!(both.events[1].occurred_at.to_string(), "2024-02-04");
    let only = ok(vec![
        patient(json!({})),
        encounter(
            json!({"class": {"code": "IMP"}, "hospitalization": discharge,
                         "period": {"end": "2024-02-04"}}),
        ),
    ]);
    assert_eq!(only.events.len(), 1);
    assert_eq!(only.events[0].source_id, "ED-1");
    let EventDetails::HospitalDischarge(d) = &only.events[0].details else {
        panic!()
    };
    assert_eq!(d.discharged_to.as_deref(), Some("home with mother"));
    check_refused(
        vec![
            patient(json!({})),
            encounter(
                json!({"class": {"code": "IMP"}, "hospitalization": discharge,
                             "period": {}}),
            ),
        ],
        IssueCode::Required,
        "Bundle.entry[1].resource.period.end",
    );
}

#[test]
fn a_registration_with_provenance_is_a_note_and_the_role_extension_names_an_adult() {
    let org = "urn:uuid:22222222-0000-4000-8000-000000000001";
    let registered = patient(json!({
        "identifier": [{"system": "urn:vigil:source-system:NGP-EMIS", "value": "REG-1",
                        "type": {"text": "patient registration"}}],
        "extension": [
            {"url": "https://vigil.example/fhir/StructureDefinition/role", "valueCode": "parent"},
            {"url": "https://vigil.example/fhir/StructureDefinition/relationship", "valueString": "father"},
            {"url": "https://vigil.example/fhir/StructureDefinition/person-notes", "valueString": "New to the practice."}],
        "birthDate": "1990-05-05"
    }));
    let practice = json!({"resourceType": "Organization",
                          "identifier": [{"system": "https://vigil.example/fhir/Id/agency", "value": "NGP"}]});
    let provenance = json!({"resourceType": "Provenance", "target": [{"reference": CHILD}],
                            "occurredDateTime": "2023-06", "recorded": "2023-06-01T12:00:00Z",
                            "agent": [{"who": {"reference": "urn:uuid:22222222-0000-4000-8000-000000000003"},
                                       "onBehalfOf": {"reference": org}}]});
    let imported = ok(vec![
        registered.clone(),
        practice.clone(),
        provenance.clone(),
        practitioner(),
    ]);
    let event = &imported.events[0];
    assert_eq!(event.kind(), "note");
    assert_eq!(event.agency.as_str(), "NGP");
    assert_eq!(event.occurred_at.to_string(), "2023-06");
    assert_eq!(event.recorded_by.as_ref().unwrap().name, "Dr Ada QUILL");
    let person = &event.people[0];
    assert_eq!(person.role, Role::Parent);
    assert_eq!(person.relationship.as_deref(), Some("father"));
    assert_eq!(person.notes.as_deref(), Some("New to the practice."));
    let EventDetails::Note(note) = &event.details else {
        panic!()
    };
    assert_eq!(note.topic.as_deref(), Some("patient registration"));

    // Without a Provenance the Patient is only a person, not a record.
    let outcome = refused(vec![registered.clone(), practice.clone()]);
    assert!(outcome.errors().any(|i| i.expression == ["Bundle.entry"]));

    let mut wrong_role = registered;
    wrong_role["extension"][0]["valueCode"] = json!("uncle");
    check_refused(
        vec![wrong_role, practice.clone(), provenance, practitioner()],
        IssueCode::Value,
        "Bundle.entry[0].resource.extension",
    );
    let dangling = json!({"resourceType": "Provenance", "target": [{"reference": "Patient/nobody"}],
                          "agent": [{"who": {"reference": org}}]});
    check_refused(
        vec![patient(json!({})), practice, dangling],
        IssueCode::NotFound,
        "Bundle.entry[2].resource.target[0]",
    );
}

#[test]
fn an_observation_coded_as_a_household_change_is_one() {
    let imported = ok(vec![
        patient(json!({})),
        json!({"resourceType": "Observation", "identifier": source("HC-1"), "status": "final",
               "code": {"coding": [{"system": "https://vigil.example/fhir/CodeSystem/household-change", "code": "moved_in"}]},
               "subject": {"reference": CHILD}, "effectiveDateTime": "2024-03-01",
               "valueString": "Flat 2, 9 Quill Lane, Testwick QA1 1AA"}),
    ]);
    assert_eq!(imported.events[0].kind(), "household_change");
    let no_address = json!({"resourceType": "Observation", "identifier": source("HC-2"),
        "code": {"coding": [{"system": "https://vigil.example/fhir/CodeSystem/household-change", "code": "moved_out"}]},
        "subject": {"reference": CHILD}, "effectiveDateTime": "2024-03-01"});
    check_refused(
        vec![patient(json!({})), no_address],
        IssueCode::Required,
        "Bundle.entry[1].resource.valueString",
    );
}
