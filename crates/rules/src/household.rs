//! Households over time: who is linked to the child's home, from when, on what
//! evidence, and whether children's social care knows them as part of the household.
//!
//! Evidence that puts a person at the child's address: their own address recorded there
//! by any agency, being named next of kin or emergency contact with that address, a
//! tenancy, a placement, a reported move, or being present at an incident there. Each
//! kind has a weight (a tenancy is stronger than presence at one incident), and the
//! place match's confidence scales it ('41 Marlowe Avenue' for '41 Marlowe Road' counts
//! a little less). An adult linked to the child's home and not recorded by children's
//! social care as a member of the household is an *unknown adult*.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vigil_domain::agency::Sector;
use vigil_domain::event::details::EventDetails;
use vigil_domain::event::{EventId, Marker, Role};

use crate::casebook::{Casebook, PersonId};
use crate::child::ChildRecord;
use crate::places::PlaceId;

/// A possible identity of a household member that linkage could not confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PossibleIdentity {
    pub person: PersonId,
    pub name: String,
    /// The linkage probability; for a lead found by name alone, the pair's probability
    /// all the same (low), so nobody mistakes it for a match.
    pub probability: f64,
    /// `linkage review` (the pair is in the review queue) or `name search` (an
    /// unidentified adult whose name could be this person's: a lead to check).
    pub basis: String,
    pub markers: Vec<Marker>,
    /// The records that hold those markers.
    pub marker_events: Vec<EventId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdEvidence {
    pub event: EventId,
    pub date: Date,
    pub agency: String,
    /// 'address recorded', 'next of kin at the address', 'tenancy', ...
    pub kind: String,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdMember {
    pub person: PersonId,
    pub name: String,
    pub adult: bool,
    pub place: PlaceId,
    pub since: Date,
    pub last_evidence: Date,
    pub confidence: f64,
    pub evidence: Vec<HouseholdEvidence>,
    /// Recorded by children's social care as a parent, carer or household member of
    /// this child.
    pub known_to_social_care: bool,
    /// Whether the person's identity is established (a family name and a date of birth
    /// on some record).
    pub identified: bool,
    pub markers: Vec<Marker>,
    pub marker_events: Vec<EventId>,
    pub possible_identities: Vec<PossibleIdentity>,
}

impl HouseholdMember {
    /// Linked to the home on a date: the evidence began by then and is not stale.
    pub fn present_on(&self, on: Date, lasts_days: i32) -> bool {
        self.since <= on && crate::calendar::days_between(self.last_evidence, on) <= lasts_days
    }
}

fn evidence_kind(details: &EventDetails, role: Role, own_address: bool) -> (&'static str, f64) {
    match (details, role) {
        (EventDetails::Tenancy(_), _) => ("tenancy", 0.95),
        (EventDetails::PlacementStart(_), _) => ("placement", 0.95),
        (EventDetails::HouseholdChange(_), _) => ("reported move", 0.9),
        (_, Role::NextOfKin | Role::EmergencyContact) if own_address => {
            ("next of kin or emergency contact at the address", 0.8)
        }
        (_, _) if own_address => ("address recorded", 0.85),
        (EventDetails::PoliceIncident(_) | EventDetails::Arrest(_), _) => {
            ("present at an incident at the address", 0.7)
        }
        _ => ("named in a record at the address", 0.5),
    }
}

/// Everyone linked to any of the child's homes, with their evidence.
pub fn members(record: &ChildRecord<'_>, _today: Date) -> Vec<HouseholdMember> {
    let casebook = record.casebook;
    let mut by_person: BTreeMap<(PersonId, PlaceId), HouseholdMember> = BTreeMap::new();
    for residence in &record.residences {
        for &index in casebook
            .place_events
            .get(&residence.place)
            .into_iter()
            .flatten()
        {
            let event = &casebook.events[index];
            let date = event.event.occurred_at.date();
            if !casebook.is_current(event)
                || date < residence.from
                || residence.until.is_some_and(|until| date >= until)
            {
                continue;
            }
            let places = &casebook.event_places[index];
            // The event's own location puts everyone in it at the address only when the
            // event happened there (an incident, an arrest, a tenancy, a placement, a
            // move); a missing-person report's 'missing from' is the missing person's
            // home, not their associates'.
            let happened_here = matches!(
                event.event.details,
                EventDetails::PoliceIncident(_)
                    | EventDetails::Arrest(_)
                    | EventDetails::Tenancy(_)
                    | EventDetails::PlacementStart(_)
                    | EventDetails::HouseholdChange(_)
            );
            let located_here = places
                .iter()
                .find(|p| happened_here && p.person.is_none() && p.place == residence.place);
            for (i, person) in event.event.people.iter().enumerate() {
                if person.role == Role::Professional {
                    continue;
                }
                let own = places
                    .iter()
                    .find(|p| p.person == Some(i) && p.place == residence.place);
                let Some(found) = own.or(located_here) else {
                    continue;
                };
                let Some(person_id) = casebook.person_in(event, i) else {
                    continue;
                };
                if person_id == record.child {
                    continue;
                }
                let (kind, weight) =
                    evidence_kind(&event.event.details, person.role, own.is_some());
                let evidence = HouseholdEvidence {
                    event: event.id,
                    date,
                    agency: event.event.agency.as_str().to_string(),
                    kind: kind.to_string(),
                    confidence: weight * found.confidence,
                };
                let member = by_person
                    .entry((person_id.clone(), residence.place.clone()))
                    .or_insert_with(|| {
                        new_member(casebook, record, &person_id, &residence.place, date)
                    });
                member.since = member.since.min(date);
                member.last_evidence = member.last_evidence.max(date);
                member.confidence = member.confidence.max(evidence.confidence);
                member.evidence.push(evidence);
            }
        }
    }
    by_person.into_values().collect()
}

fn new_member(
    casebook: &Casebook,
    record: &ChildRecord<'_>,
    person: &str,
    place: &PlaceId,
    date: Date,
) -> HouseholdMember {
    let (markers, marker_events) = markers_of(casebook, person);
    let identified = casebook
        .records_of(person)
        .any(|(_, _, p)| p.name.family.is_some() && p.date_of_birth.is_some());
    HouseholdMember {
        person: person.to_string(),
        name: casebook.display_name(person),
        adult: !casebook.is_child(person, date),
        place: place.clone(),
        since: date,
        last_evidence: date,
        confidence: 0.0,
        evidence: Vec::new(),
        known_to_social_care: known_to_social_care(casebook, record, person),
        identified,
        markers,
        marker_events,
        possible_identities: {
            let mut list = possible_identities(casebook, person);
            if !identified {
                for lead in marked_namesakes(casebook, person) {
                    if !list.iter().any(|p| p.person == lead.person) {
                        list.push(lead);
                    }
                }
            }
            list
        },
    }
}

/// For an adult whose identity is not established: the persons holding a harm marker
/// whose names could be theirs (nickname, sound-alike or near spelling). What a police
/// check by name would turn up; a lead, never a link.
pub fn marked_namesakes(casebook: &Casebook, person: &str) -> Vec<PossibleIdentity> {
    use vigil_linkage::agency_record::identity_record;
    use vigil_linkage::compare::names_compatible;
    use vigil_linkage::standardise;
    let own: Vec<_> = casebook
        .records_of(person)
        .map(|(record, event, p)| standardise(&identity_record(p, &event.event.agency, record)))
        .collect();
    let mut leads: Vec<PossibleIdentity> = Vec::new();
    for other in casebook.marked_persons() {
        if other == person || leads.iter().any(|l| l.person == other) {
            continue;
        }
        let compatible = casebook.records_of(&other).any(|(record, event, p)| {
            let theirs = standardise(&identity_record(p, &event.event.agency, record));
            own.iter().any(|mine| names_compatible(mine, &theirs))
        });
        if compatible {
            let (markers, marker_events) = markers_of(casebook, &other);
            leads.push(PossibleIdentity {
                name: casebook.display_name(&other),
                person: other,
                probability: 0.0,
                basis: "name search".to_string(),
                markers,
                marker_events,
            });
        }
    }
    leads
}

/// Every marker any agency holds on a person, with the records that hold them.
pub fn markers_of(casebook: &Casebook, person: &str) -> (Vec<Marker>, Vec<EventId>) {
    let mut markers = Vec::new();
    let mut events = Vec::new();
    for (_, event, record) in casebook.records_of(person) {
        if !record.markers.is_empty() && casebook.is_current(event) {
            events.push(event.id);
            for marker in &record.markers {
                if !markers.contains(marker) {
                    markers.push(*marker);
                }
            }
        }
    }
    (markers, events)
}

/// Whether children's social care records this person as a parent, carer or household
/// member of the child or of a brother or sister recorded with the child.
pub fn known_to_social_care(casebook: &Casebook, record: &ChildRecord<'_>, person: &str) -> bool {
    let family = record.family();
    family.iter().any(|child| {
        casebook.records_of(child).any(|(_, event, _)| {
            casebook.is_current(event)
                && casebook.config.sector(&event.event.agency) == Sector::SocialCare
                && event.event.people.iter().enumerate().any(|(i, p)| {
                    matches!(
                        p.role,
                        Role::Parent | Role::Carer | Role::HouseholdMember | Role::Sibling
                    ) && casebook.person_in(event, i).as_deref() == Some(person)
                })
        })
    })
}

/// Persons this person may be, by the pairs linkage sent to review, strongest first.
pub fn possible_identities(casebook: &Casebook, person: &str) -> Vec<PossibleIdentity> {
    let mut found: BTreeMap<PersonId, f64> = BTreeMap::new();
    for (record, _, _) in casebook.records_of(person) {
        for possible in casebook
            .possible
            .get(casebook.linkage_id(record))
            .into_iter()
            .flatten()
        {
            if let Some(other) = casebook.person_of_record(&possible.record)
                && other != person
            {
                let best = found.entry(other.to_string()).or_insert(0.0);
                *best = best.max(possible.probability);
            }
        }
    }
    let mut list: Vec<PossibleIdentity> = found
        .into_iter()
        .map(|(other, probability)| {
            let (markers, marker_events) = markers_of(casebook, &other);
            PossibleIdentity {
                name: casebook.display_name(&other),
                person: other,
                probability,
                basis: "linkage review".to_string(),
                markers,
                marker_events,
            }
        })
        .collect();
    list.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    list
}
