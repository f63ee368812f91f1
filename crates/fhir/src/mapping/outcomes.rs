//! How an encounter ended, when that is the record: a discharge from hospital (an
//! inpatient Encounter with `hospitalization.dischargeDisposition`, dated
//! `period.end`), or an appointment the child was not brought to (an Encounter with
//! status `cancelled`). Trusts often send the admission and later the same Encounter
//! with its discharge, so an Encounter with both a start and a discharge gives both
//! events: the admission under its own identifier, the discharge under that identifier
//! with `/discharge` after it, so that sending the Encounter again stores neither twice.

use serde_json::{Map, Value, json};

use super::{Mapper, flag_pair, put};
use crate::bundle::{Entry, at};
use crate::codes::{self, EncounterKind};
use crate::model::Encounter;
use crate::outcome::IssueCode;

impl<'a> Mapper<'a> {
    /// The events of one Encounter: usually one, two for an admission sent with its
    /// discharge.
    pub(super) fn encounter_events(&mut self, entry: &Entry, encounter: &Encounter) -> Vec<Value> {
        if encounter.status.as_deref() == Some("cancelled") {
            return self
                .missed_appointment(entry, encounter)
                .into_iter()
                .collect();
        }
        let inpatient = encounter
            .class
            .as_ref()
            .and_then(|c| codes::encounter_class(c.code.as_deref()?))
            == Some(EncounterKind::HospitalAdmission);
        let disposition = encounter
            .hospitalization
            .as_ref()
            .and_then(|h| h.discharge_disposition.as_ref());
        let Some(disposition) = disposition.filter(|_| inpatient) else {
            return self.encounter(entry, encounter).into_iter().collect();
        };
        let admitted = encounter.period.as_ref().is_some_and(|p| p.start.is_some());
        let mut events = Vec::new();
        if admitted {
            events.extend(self.encounter(entry, encounter));
        }
        let ended = encounter.period.as_ref().and_then(|p| p.end.as_deref());
        let common = self.encounter_common(
            entry,
            encounter,
            ended,
            "Encounter.period.end (when the patient was discharged)",
            "period.end",
        );
        let mut details = Map::new();
        put(
            &mut details,
            "discharged_to",
            disposition.words().map(str::to_string),
        );
        if let Some(mut common) = common {
            if admitted {
                common.source_id.push_str("/discharge");
            }
            events.push(common.event("hospital_discharge", Value::Object(details)));
        }
        events
    }

    fn missed_appointment(&mut self, entry: &Entry, encounter: &Encounter) -> Option<Value> {
        let expression = at(entry.index);
        let common = self.encounter_common(
            entry,
            encounter,
            encounter.period.as_ref().and_then(|p| p.start.as_deref()),
            "Encounter.period.start (when the appointment was)",
            "period.start",
        );
        let was_not_brought = flag_pair(encounter, "was-not-brought", "did-not-attend");
        let appointment = encounter
            .type_
            .iter()
            .find_map(|t| t.text.as_deref())
            .or_else(|| encounter.reason_code.first()?.words());
        let Some(appointment) = appointment else {
            self.error(
                IssueCode::Required,
                format!("{expression}.type"),
                "a cancelled Encounter is a missed appointment: say which appointment in a type's text (\"GP follow-up\")",
            );
            return None;
        };
        let mut details = Map::new();
        details.insert("appointment".into(), json!(appointment));
        put(&mut details, "was_not_brought", was_not_brought);
        Some(common?.event("missed_appointment", Value::Object(details)))
    }
}
