//! FHIR R4 import. Health systems in England send FHIR R4 (4.0.1): a Bundle of Patient,
//! RelatedPerson, Encounter, Condition, Observation, Practitioner and Organization
//! resources. This crate reads the subset Vigil needs (`model`), resolves the
//! references inside the bundle (`bundle`), maps each clinical record to one Vigil event
//! in the same import format the JSON API takes (`mapping`, with the code tables in
//! `codes`) and reads those events with `vigil_domain::parse_event`, so that a FHIR
//! record and a JSON record of the same facts are the same event.
//!
//! A bundle is taken whole or not at all: a dangling reference, a missing required
//! element, an unsupported resource type or an invalid value anywhere yields an
//! [`OperationOutcome`] naming each element (`Bundle.entry[3].resource.subject`) and no
//! events. Codes Vigil does not know (a body site outside the body map) do not refuse
//! the bundle: the code is kept in the event and reported as a warning.
//!
//! Architecture invariant: this is the only crate that knows FHIR, and it does no I/O:
//! no files, no network, no clock (the caller passes "now").

mod bundle;
pub mod codes;
mod mapping;
pub mod model;
mod outcome;

use jiff::Timestamp;
use serde_json::Value;
use vigil_domain::{AgencyCode, Limits, NewEvent, parse_event};

pub use mapping::narrative_text;
pub use outcome::{Issue, IssueCode, OperationOutcome, Severity};

/// What the importer knows beyond the bundle.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The agency of records whose organisation carries no Vigil agency identifier:
    /// over the API, the caller's own agency.
    pub default_agency: Option<AgencyCode>,
    /// Now, for the domain's checks (nothing may have happened in the future).
    pub now: Timestamp,
    pub limits: Limits,
}

/// A bundle read into events, in bundle order, with the warnings to pass on.
#[derive(Debug, Clone)]
pub struct Imported {
    pub events: Vec<NewEvent>,
    /// Each event's entry in `Bundle.entry`.
    pub entries: Vec<usize>,
    /// Codes kept as text, contacts that are organisations, and the like.
    pub warnings: Vec<Issue>,
}

/// Reads a FHIR R4 Bundle into Vigil events, all or nothing.
pub fn import_bundle(
    bundle: &Value,
    options: &ImportOptions,
) -> Result<Imported, OperationOutcome> {
    let mut issues = Vec::new();
    let Some(read) = bundle::read(bundle, &mut issues) else {
        return Err(OperationOutcome::new(issues));
    };
    let wire = mapping::map(&read, options, &mut issues);
    let mut events = Vec::with_capacity(wire.len());
    let mut entries = Vec::with_capacity(wire.len());
    for event in wire {
        match parse_event(&event.json, "", options.now, &options.limits) {
            Ok(parsed) => {
                events.push(parsed);
                entries.push(event.entry);
            }
            Err(errors) => {
                for error in errors {
                    issues.push(Issue::error(
                        IssueCode::Value,
                        bundle::at(event.entry),
                        format!(
                            "as a Vigil event, {}: {}",
                            if error.field.is_empty() {
                                "the record"
                            } else {
                                &error.field
                            },
                            error.detail
                        ),
                    ));
                }
            }
        }
    }
    if issues.iter().any(|i| i.severity == Severity::Error) {
        return Err(OperationOutcome::new(issues));
    }
    if events.is_empty() {
        issues.push(Issue::error(
            IssueCode::Required,
            "Bundle.entry",
            "the bundle holds no record Vigil imports: an Encounter, an Observation, a Condition, or a Patient with contacts and a record identifier",
        ));
        return Err(OperationOutcome::new(issues));
    }
    Ok(Imported {
        events,
        entries,
        warnings: issues,
    })
}
