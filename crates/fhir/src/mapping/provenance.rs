//! Provenance: who recorded a record, for which agency, and when what it records
//! happened. A Patient registration or a referral has no element for the clerk who
//! registered the birth or for the practice a letter came from; FHIR's answer is a
//! Provenance resource that targets the record, and Vigil reads it as a fallback for
//! the record's own elements (`recorded_by`, the agency, `occurred_at`).

use serde_json::Value;

use super::Mapper;
use crate::bundle::at;
use crate::model::{Reference, Resource};
use crate::outcome::{Issue, IssueCode};

/// What a Provenance adds to the record it targets.
#[derive(Default)]
pub(super) struct Provenance<'a> {
    pub occurred: Option<&'a str>,
    pub on_behalf_of: Option<&'a Reference>,
    pub recorded_by: Option<Value>,
}

impl<'a> Mapper<'a> {
    /// Which record each Provenance is about; a record with two is reported.
    pub(super) fn index_provenance(&mut self) {
        let bundle = self.bundle;
        for entry in &bundle.entries {
            let Resource::Provenance(provenance) = &entry.resource else {
                continue;
            };
            if provenance.target.is_empty() {
                self.error(
                    IssueCode::Required,
                    format!("{}.target", at(entry.index)),
                    "Provenance.target is required: the record it is the provenance of",
                );
            }
            for (k, target) in provenance.target.iter().enumerate() {
                let expression = format!("{}.target[{k}]", at(entry.index));
                let Some(found) = bundle.resolve(
                    target,
                    &expression,
                    &[
                        "Patient",
                        "Encounter",
                        "Observation",
                        "Condition",
                        "ServiceRequest",
                        "Communication",
                    ],
                    self.issues,
                ) else {
                    continue;
                };
                if self.provenance.insert(found.index, entry.index).is_some() {
                    self.issues.push(Issue::error(
                        IssueCode::Value,
                        expression,
                        "this record is the target of an earlier Provenance too; give each record one",
                    ));
                }
            }
        }
    }

    /// The Provenance of the record at entry `index`, read.
    pub(super) fn provenance_of(&mut self, index: usize) -> Provenance<'a> {
        let bundle = self.bundle;
        let Some(&position) = self.provenance.get(&index) else {
            return Provenance::default();
        };
        let entry = self.entry_at(position);
        let Resource::Provenance(provenance) = &entry.resource else {
            return Provenance::default();
        };
        let mut read = Provenance {
            occurred: provenance.occurred_date_time.as_deref(),
            ..Provenance::default()
        };
        for (k, agent) in provenance.agent.iter().enumerate() {
            let expression = format!("{}.agent[{k}]", at(position));
            if read.recorded_by.is_none()
                && let Some(who) = bundle.resolve_optional(
                    agent.who.as_ref(),
                    &format!("{expression}.who"),
                    &["Practitioner", "Organization"],
                    self.issues,
                )
            {
                read.recorded_by = self.practitioner(who).or_else(|| match &who.resource {
                    Resource::Organization(organisation) => organisation
                        .name
                        .as_ref()
                        .map(|name| serde_json::json!({ "name": name })),
                    _ => None,
                });
            }
            if read.on_behalf_of.is_none() {
                read.on_behalf_of = agent.on_behalf_of.as_ref();
            }
        }
        read
    }
}
