//! Referrals and messages: a ServiceRequest becomes a `referral` (to whom, why, how
//! urgently), a Communication a `contact` (a phone call, a letter, an email: which way
//! it went and with whom). Both are how a GP practice or a health visitor tells another
//! service about a child, which is exactly what a hub must see.

use serde_json::{Map, Value, json};

use super::{Mapper, name_text, put};
use crate::bundle::{Entry, at};
use crate::codes;
use crate::model::{Communication, Reference, Resource, ServiceRequest, extension_value};
use crate::outcome::IssueCode;

impl<'a> Mapper<'a> {
    pub(super) fn referral(&mut self, entry: &Entry, request: &ServiceRequest) -> Option<Value> {
        let expression = at(entry.index);
        let bundle = self.bundle;
        // The requester is the practitioner who referred or the organisation that did.
        let requester = bundle.resolve_optional(
            request.requester.as_ref(),
            &format!("{expression}.requester"),
            &["Practitioner", "Organization", "Patient", "RelatedPerson"],
            self.issues,
        );
        let recorded_by = requester.and_then(|e| self.practitioner(e));
        let organisation = match requester {
            Some(found) if matches!(found.resource, Resource::Organization(_)) => {
                request.requester.as_ref()
            }
            _ => None,
        };
        let encounter = self.encounter_of(request.encounter.as_ref(), &expression);
        let organisation = organisation.or_else(|| encounter?.service_provider.as_ref());
        let urgency = match request.priority.as_deref() {
            None => None,
            Some(priority) => match codes::referral_urgency(priority) {
                Some(urgency) => Some(urgency),
                None => {
                    self.error(
                        IssueCode::Value,
                        format!("{expression}.priority"),
                        format!(
                            "{priority:?} is not an R4 request priority (routine, urgent, asap, stat)"
                        ),
                    );
                    return None;
                }
            },
        };
        let referred_to = self.referred_to(&request.performer, &expression);
        let common = self.common(
            entry.index,
            &request.identifier,
            request.subject.as_ref(),
            request.authored_on.as_deref(),
            "ServiceRequest.authoredOn",
            "authoredOn",
            &request.meta,
            request.text.as_ref(),
            organisation,
            "requester",
            recorded_by,
        );
        let mut details = Map::new();
        put(&mut details, "referred_to", referred_to);
        put(
            &mut details,
            "reason",
            request
                .reason_code
                .first()
                .and_then(|r| r.words())
                .map(str::to_string),
        );
        put(&mut details, "urgency", urgency);
        Some(common?.event("referral", Value::Object(details)))
    }

    /// The service referred to, in words: the performer's display, else the name of
    /// the organisation or practitioner it refers to.
    fn referred_to(&mut self, performers: &[Reference], expression: &str) -> Option<String> {
        let performer = performers.first()?;
        if let Some(display) = &performer.display {
            return Some(display.clone());
        }
        let found = self.bundle.resolve(
            performer,
            &format!("{expression}.performer[0]"),
            &["Organization", "Practitioner"],
            self.issues,
        )?;
        match &found.resource {
            Resource::Organization(organisation) => organisation.name.clone(),
            Resource::Practitioner(practitioner) => practitioner.name.first().and_then(name_text),
            _ => None,
        }
    }

    pub(super) fn communication(
        &mut self,
        entry: &Entry,
        message: &Communication,
    ) -> Option<Value> {
        let expression = at(entry.index);
        let mode = match message
            .medium
            .iter()
            .find_map(|m| m.code_in(codes::V3_PARTICIPATION_MODE))
        {
            None => {
                self.error(
                    IssueCode::Required,
                    format!("{expression}.medium"),
                    format!(
                        "how the contact was made is required: a medium coded from {} ({})",
                        codes::V3_PARTICIPATION_MODE,
                        codes::CONTACT_MODES
                    ),
                );
                None
            }
            Some(code) => match codes::contact_mode(code) {
                Some(mode) => Some(mode),
                None => {
                    self.error(
                        IssueCode::NotSupported,
                        format!("{expression}.medium"),
                        format!(
                            "{code:?} is a medium Vigil does not read; it reads {}",
                            codes::CONTACT_MODES
                        ),
                    );
                    None
                }
            },
        };
        let sender = self.party(message.sender.as_ref(), &format!("{expression}.sender"));
        let recipient = self.party(
            message.recipient.first(),
            &format!("{expression}.recipient[0]"),
        );
        // A message from the family is incoming; one from the service is outgoing.
        let (direction, with, recorded_by, organisation) = match (&sender, &recipient) {
            (Some(Party::Family(words)), other) => (
                Some("incoming"),
                words.clone(),
                other.as_ref().and_then(Party::practitioner),
                other.as_ref().and_then(Party::organisation),
            ),
            (Some(service), Some(Party::Family(words))) => (
                Some("outgoing"),
                words.clone(),
                service.practitioner(),
                service.organisation(),
            ),
            (service, _) => (
                None,
                None,
                service.as_ref().and_then(Party::practitioner),
                service.as_ref().and_then(Party::organisation),
            ),
        };
        let occurred = message.sent.as_deref().or(message.received.as_deref());
        let common = self.common(
            entry.index,
            &message.identifier,
            message.subject.as_ref(),
            occurred,
            "Communication.sent (or received)",
            "sent",
            &message.meta,
            message.text.as_ref(),
            organisation.as_ref(),
            "sender",
            recorded_by,
        );
        let mut details = Map::new();
        details.insert("mode".into(), json!(mode?));
        put(&mut details, "direction", direction);
        put(&mut details, "with", with);
        Some(common?.event("contact", Value::Object(details)))
    }

    /// A sender or recipient: the family (a Patient or RelatedPerson, in words: how
    /// they are related, else their name) or the service (a practitioner, an
    /// organisation).
    fn party(&mut self, reference: Option<&Reference>, expression: &str) -> Option<Party> {
        let found = self.bundle.resolve_optional(
            reference,
            expression,
            &["Patient", "RelatedPerson", "Practitioner", "Organization"],
            self.issues,
        )?;
        Some(match &found.resource {
            Resource::Patient(patient) => Party::Family(
                extension_value(&patient.extension, codes::EXTENSION_RELATIONSHIP)
                    .map(str::to_string)
                    .or_else(|| patient.name.first().and_then(name_text)),
            ),
            Resource::RelatedPerson(person) => Party::Family(
                person
                    .relationship
                    .iter()
                    .find_map(|r| r.words())
                    .map(str::to_string)
                    .or_else(|| person.name.first().and_then(name_text)),
            ),
            Resource::Organization(_) => Party::Organisation(reference?.clone()),
            _ => Party::Practitioner(self.practitioner(found)?),
        })
    }
}

enum Party {
    Family(Option<String>),
    Practitioner(Value),
    Organisation(Reference),
}

impl Party {
    fn practitioner(&self) -> Option<Value> {
        match self {
            Party::Practitioner(value) => Some(value.clone()),
            _ => None,
        }
    }

    fn organisation(&self) -> Option<Reference> {
        match self {
            Party::Organisation(reference) => Some(reference.clone()),
            _ => None,
        }
    }
}
