//! A Patient as a record of its own. A registration is what an agency records when a
//! person becomes its patient: the form that named the next of kin and emergency
//! contacts (`form_submitted`, when the Patient has `contact`), or the registration
//! itself (a birth, a new patient at a practice: a `note`, when a Provenance says who
//! recorded it). Either way the Patient needs an identifier of the record, other than
//! the NHS number and the medical record number, which identify the person. A Patient
//! with neither contacts nor Provenance is only the subject of other records.

use serde_json::{Value, json};

use super::{Common, Mapper, is_medical_record_number, narrative_text};
use crate::bundle::{Entry, at};
use crate::codes;
use crate::model::{Identifier, Patient};

fn is_record_identifier(id: &Identifier) -> bool {
    id.system.as_deref() != Some(codes::NHS_NUMBER) && !is_medical_record_number(id)
}

impl<'a> Mapper<'a> {
    pub(super) fn registration(&mut self, entry: &Entry, patient: &Patient) -> Option<Value> {
        let form = !patient.contact.is_empty();
        if !form && !self.provenance.contains_key(&entry.index) {
            return None;
        }
        let record = patient
            .identifier
            .iter()
            .find(|id| is_record_identifier(id))?;
        let expression = at(entry.index);
        let what = record
            .type_
            .as_ref()
            .and_then(|t| t.text.clone())
            .unwrap_or_else(|| "patient registration".to_string());
        let provenance = self.provenance_of(entry.index);
        let occurred = if form {
            patient
                .contact
                .iter()
                .find_map(|c| c.period.as_ref()?.start.as_deref())
        } else {
            None
        }
        .or(provenance.occurred)
        .or(patient.meta.last_updated.as_deref());
        let key = self.source_key(&patient.identifier, &expression);
        self.subjects.insert(entry.index);
        let people = self.people_of(entry.index);
        let occurred = self.occurred(
            occurred,
            &format!("{expression}.contact[0].period.start"),
            "Patient.contact.period.start (or its Provenance's occurredDateTime, or meta.lastUpdated)",
        );
        let agency = self.agency(
            patient
                .managing_organization
                .as_ref()
                .or(provenance.on_behalf_of),
            &format!("{expression}.managingOrganization"),
        );
        let (source_system, source_id) = key?;
        let common = Common {
            agency: Some(agency?),
            source_system,
            source_id,
            occurred_at: occurred?,
            recorded_at: patient.meta.last_updated.clone(),
            recorded_by: provenance.recorded_by,
            summary: patient.text.as_ref().and_then(narrative_text),
            people: people?,
        };
        Some(if form {
            common.event("form_submitted", json!({ "form": what }))
        } else {
            common.event("note", json!({ "topic": what }))
        })
    }
}
