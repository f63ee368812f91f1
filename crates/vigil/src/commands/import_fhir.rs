//! `vigil import --fhir FILE`: a FHIR R4 Bundle from a health system, read by
//! `vigil-fhir` and stored in one atomic append, so a bundle with any error stores
//! nothing. `vigil bench import --fhir` measures how fast bundles are read and stored.

use std::path::PathBuf;

use anyhow::{Context, bail};
use jiff::Timestamp;
use serde_json::{Value, json};
use vigil_domain::{AgencyCode, Limits};
use vigil_fhir::{ImportOptions, import_bundle};
use vigil_store::{Appended, EventStore};

use crate::database::StoreTask;

pub struct FhirImport {
    pub file: PathBuf,
    /// The agency of records whose organisation names none.
    pub agency: Option<AgencyCode>,
}

pub struct FhirImportSummary {
    pub created: usize,
    pub already_stored: usize,
    pub warnings: Vec<vigil_fhir::Issue>,
}

impl StoreTask for FhirImport {
    type Output = FhirImportSummary;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<FhirImportSummary> {
        let text = std::fs::read_to_string(&self.file)
            .with_context(|| format!("cannot read {}", self.file.display()))?;
        let value: Value = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not JSON; a FHIR bundle is a JSON document",
                self.file.display()
            )
        })?;
        let now = Timestamp::now();
        let options = ImportOptions {
            default_agency: self.agency,
            now,
            limits: Limits::default(),
        };
        let imported = match import_bundle(&value, &options) {
            Ok(imported) => imported,
            Err(outcome) => {
                for issue in &outcome.issue {
                    eprintln!(
                        "{} {:?} at {}: {}",
                        serde_json::to_value(issue.severity)?.as_str().unwrap_or(""),
                        issue.code,
                        issue.expression.join(", "),
                        issue.diagnostics
                    );
                }
                bail!(
                    "{} was refused with {} errors; nothing of it was stored",
                    self.file.display(),
                    outcome.errors().count()
                );
            }
        };
        let outcomes = store
            .append(imported.events, now)
            .await
            .map_err(|error| anyhow::anyhow!("{error}; nothing of the bundle was stored"))?;
        let created = outcomes
            .iter()
            .filter(|o| matches!(o, Appended::Created { .. }))
            .count();
        Ok(FhirImportSummary {
            created,
            already_stored: outcomes.len() - created,
            warnings: imported.warnings,
        })
    }
}

/// A bundle of `records` A&E attendances with an injury each (half Encounters, half
/// Conditions), ten records per child, each child with a mother as a RelatedPerson.
pub fn synthetic_bundle(records: usize) -> Value {
    let mut entries = Vec::with_capacity(records * 2);
    let children = records.div_ceil(10);
    for child in 0..children {
        let patient = format!("urn:uuid:00000000-0000-4000-8000-{child:012}");
        entries.push(json!({"fullUrl": patient, "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "urn:vigil:local-id", "value": format!("H{child}"),
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}}],
            "name": [{"family": format!("FAMILY{}", child % 997), "given": ["Sam", "Lee"]}],
            "birthDate": format!("20{:02}-{:02}-{:02}", 15 + child % 8, 1 + child % 12, 1 + child % 28),
            "gender": if child % 2 == 0 { "male" } else { "female" },
            "address": [{"line": [format!("{} Bench Street", 1 + child % 200)], "city": "Northborough", "postalCode": "QN1 1AA"}]}}));
        entries.push(json!({"fullUrl": format!("urn:uuid:00000000-0000-4000-9000-{child:012}"), "resource": {
            "resourceType": "RelatedPerson", "patient": {"reference": patient},
            "relationship": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "MTH"}]}],
            "name": [{"family": format!("FAMILY{}", child % 997), "given": ["Jo"]}]}}));
    }
    for record in 0..records {
        let patient = format!("urn:uuid:00000000-0000-4000-8000-{:012}", record / 10);
        let start = format!(
            "2024-{:02}-{:02}T10:00:00Z",
            1 + record % 12,
            1 + record % 28
        );
        let resource = if record % 2 == 0 {
            json!({"resourceType": "Encounter",
                "identifier": [{"system": "urn:vigil:source-system:BENCH-PAS", "value": format!("R{record}")}],
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"},
                "subject": {"reference": patient}, "period": {"start": start},
                "reasonCode": [{"text": "Fall"}]})
        } else {
            json!({"resourceType": "Condition",
                "identifier": [{"system": "urn:vigil:source-system:BENCH-PAS", "value": format!("R{record}")}],
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "125667009"}]},
                "bodySite": [{"coding": [{"system": "http://snomed.info/sct", "code": "60819002"},
                                         {"system": "http://snomed.info/sct", "code": "7771000"}]}],
                "subject": {"reference": patient}, "recordedDate": start,
                "note": [{"authorString": "mother", "text": "Fell over"}]})
        };
        entries.push(json!({"fullUrl": format!("urn:uuid:00000000-0000-4000-a000-{record:012}"), "resource": resource}));
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
}
