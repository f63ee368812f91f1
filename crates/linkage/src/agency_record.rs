//! From a person as an agency recorded them in an event to an identity record.
//!
//! Live linkage adds every person of every ingested event to a `LinkageIndex`. The event
//! model (`vigil_domain::event::PersonInEvent`) keeps a person as the agency sent them,
//! parsed into typed values (names in parts, an NHS number that passed its check, a date
//! of birth with its precision, addresses with their postcodes); linkage takes the plain
//! `IdentityRecord` that every agency extract and CSV file can also give. This module is
//! the one place that maps the first onto the second, so the hub, the CLI and the tests
//! all link the same fields the same way. It is pure: no I/O, no clock.

use vigil_domain::AgencyCode;
use vigil_domain::address::Address;
use vigil_domain::event::{PersonInEvent, Role, Sex};
use vigil_domain::name::PersonName;

use crate::record::{IdentityRecord, NameAlias};

/// The identity record of `person` as recorded by `agency`, under `record_id` (which must
/// be unique in the index, such as the event id and the person's position in it).
///
/// * Name: given, middle and family name; a preferred name ("Pip", "Daz") that differs
///   from the given name is kept as another given name (an alias), since either may be
///   the one another agency wrote. Without a given name the preferred name is the given.
/// * `aliases`: every other name the agency holds (a née or deed-poll name).
/// * Date of birth at its recorded precision (`2021-03-10`, `2021-03`, `2021`).
/// * Sex when male or female; "indeterminate" and "unknown" are not evidence.
/// * NHS number (already checked); the agency's own person reference as `other_id`,
///   prefixed by the agency code (`SAH:7730041`), so that two agencies' numbers never
///   agree by accident.
/// * Address line, town and postcode from the first address the agency gave.
/// * Phone as written; `source` is the agency code.
/// * `mention` when the agency only named the person in passing (`Role::Mentioned`): a
///   mention is attached for review, never merged automatically.
pub fn identity_record(
    person: &PersonInEvent,
    agency: &AgencyCode,
    record_id: &str,
) -> IdentityRecord {
    let name = &person.name;
    let given = name.given.clone().or_else(|| name.preferred.clone());
    let mut aliases: Vec<NameAlias> = Vec::new();
    if let (Some(given), Some(preferred)) = (&name.given, &name.preferred)
        && !given.eq_ignore_ascii_case(preferred)
    {
        aliases.push(NameAlias {
            given_name: Some(preferred.clone()),
            ..NameAlias::default()
        });
    }
    aliases.extend(person.aliases.iter().map(alias_of));
    let address = person.addresses.first();
    IdentityRecord {
        record_id: record_id.to_owned(),
        given_name: given,
        middle_names: joined(&name.middle),
        family_name: name.family.clone(),
        date_of_birth: person.date_of_birth.map(|d| d.to_string()),
        sex: match person.sex {
            Some(Sex::Male) => Some("male".to_owned()),
            Some(Sex::Female) => Some("female".to_owned()),
            Some(Sex::Indeterminate | Sex::Unknown) | None => None,
        },
        nhs_number: person.nhs_number.as_ref().map(|n| n.digits()),
        other_id: person
            .agency_reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| format!("{}:{r}", agency.as_str())),
        address_line: address.and_then(address_line),
        town: address.and_then(|a| a.town.clone()),
        postcode: address
            .and_then(|a| a.postcode.as_ref())
            .map(|p| p.unit().to_owned()),
        phone: person.phone.as_ref().map(|p| p.as_written().to_owned()),
        source: Some(agency.as_str().to_owned()),
        aliases,
        mention: person.role == Role::Mentioned,
    }
}

fn joined(parts: &[String]) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn alias_of(name: &PersonName) -> NameAlias {
    NameAlias {
        given_name: name.given.clone().or_else(|| name.preferred.clone()),
        middle_names: joined(&name.middle),
        family_name: name.family.clone(),
    }
}

/// The address up to the street (flat, building, number and street, locality), which is
/// what the linkage address parser reads; the town and postcode go to their own fields.
/// An address with neither street nor building ("Northborough, address unknown") gives
/// no line: a town read as a street would agree with nothing real.
fn address_line(address: &Address) -> Option<String> {
    let street = match (&address.number, &address.street) {
        (Some(number), Some(street)) => Some(format!("{number} {street}")),
        (None, Some(street)) => Some(street.clone()),
        (Some(number), None) => Some(number.clone()),
        (None, None) => None,
    };
    if street.is_none() && address.building.is_none() {
        return None;
    }
    let parts: Vec<String> = [
        address.flat.as_ref().map(|f| format!("Flat {f}")),
        address.building.clone(),
        street,
        address.locality.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::standardise;
    use vigil_domain::date_of_birth::DateOfBirth;
    use vigil_domain::event::{Marker, PhoneNumber};
    use vigil_domain::name::NameParts;
    use vigil_domain::nhs_number::NhsNumber;

    fn person(name: PersonName) -> PersonInEvent {
        PersonInEvent {
            role: Role::SubjectChild,
            name,
            aliases: Vec::new(),
            date_of_birth: None,
            sex: None,
            nhs_number: None,
            addresses: Vec::new(),
            phone: None,
            agency_reference: None,
            relationship: None,
            markers: Vec::new(),
            notes: None,
        }
    }

    fn agency(code: &str) -> AgencyCode {
        AgencyCode::parse(code).unwrap()
    }

    #[test]
    fn every_field_is_carried_over() {
        let mut child = person(PersonName::from_text("CARTER, Philip James").unwrap());
        child.date_of_birth = Some(DateOfBirth::parse("10/03/2021").unwrap());
        child.sex = Some(Sex::Male);
        child.nhs_number = Some(NhsNumber::parse("999 000 0018").unwrap());
        child.addresses = vec![
            Address::from_text("Flat 3, 18 Tanner Street, Eastfold, Quarrington QF2 7LD").unwrap(),
            Address::from_text("7 Elm Terrace, Quarrington QF2 6HJ").unwrap(),
        ];
        child.phone = Some(PhoneNumber::parse("07700 900123").unwrap());
        child.agency_reference = Some("7730041".into());
        let record = identity_record(&child, &agency("SAH"), "E1/0");
        assert_eq!(
            record,
            IdentityRecord {
                record_id: "E1/0".into(),
                given_name: Some("Philip".into()),
                middle_names: Some("James".into()),
                family_name: Some("CARTER".into()),
                date_of_birth: Some("2021-03-10".into()),
                sex: Some("male".into()),
                nhs_number: Some("9990000018".into()),
                other_id: Some("SAH:7730041".into()),
                address_line: Some("Flat 3, 18 Tanner Street, Eastfold".into()),
                town: Some("Quarrington".into()),
                postcode: Some("QF2 7LD".into()),
                phone: Some("07700 900123".into()),
                source: Some("SAH".into()),
                aliases: Vec::new(),
                mention: false,
            }
        );
        let s = standardise(&record);
        let address = s.address.unwrap();
        assert_eq!(address.flat.as_deref(), Some("3"));
        assert_eq!(address.house_number.as_deref(), Some("18"));
        assert_eq!(address.street_name.as_deref(), Some("tanner"));
        assert_eq!(s.nhs_number.as_deref(), Some("9990000018"));
        assert_eq!(s.other_id.as_deref(), Some("SAH7730041"));
    }

    #[test]
    fn preferred_names_and_aliases_are_compared_names() {
        let mut adult = person(
            PersonName::parse(NameParts {
                text: Some("CORBETT, Lee".into()),
                preferred: Some("Lee".into()),
                ..NameParts::default()
            })
            .unwrap(),
        );
        adult.aliases = vec![PersonName::from_text("PRYCE, Lee Anthony").unwrap()];
        adult.date_of_birth = Some(DateOfBirth::parse("1986-07").unwrap());
        adult.sex = Some(Sex::Unknown);
        adult.markers = vec![Marker::Violence];
        adult.role = Role::HouseholdMember;
        let record = identity_record(&adult, &agency("NBP"), "r");
        // The preferred name equals the given name: no alias for it.
        assert_eq!(
            record.aliases,
            vec![NameAlias {
                given_name: Some("Lee".into()),
                middle_names: Some("Anthony".into()),
                family_name: Some("PRYCE".into()),
            }]
        );
        assert_eq!(record.date_of_birth.as_deref(), Some("1986-07"));
        assert_eq!(record.sex, None);
        let s = standardise(&record);
        assert_eq!(s.family.as_ref().unwrap().full, "corbett");
        assert_eq!(s.family_aliases[0].full, "pryce");
        assert_eq!(s.middle_names, vec!["anthony".to_owned()]);

        let mut nok = person(
            PersonName::parse(NameParts {
                given: Some("Darren".into()),
                family: Some("PRICE".into()),
                preferred: Some("Daz".into()),
                ..NameParts::default()
            })
            .unwrap(),
        );
        nok.role = Role::NextOfKin;
        let record = identity_record(&nok, &agency("SAH"), "n");
        assert_eq!(record.given_name.as_deref(), Some("Darren"));
        assert_eq!(record.aliases[0].given_name.as_deref(), Some("Daz"));
        let s = standardise(&record);
        assert_eq!(s.given_aliases[0].text, "daz");
        assert!(!s.mention);
    }

    #[test]
    fn a_passing_mention_is_marked() {
        let mut mentioned = person(PersonName::from_text("Darren").unwrap());
        mentioned.role = Role::Mentioned;
        let record = identity_record(&mentioned, &agency("NCS"), "m");
        assert!(record.mention);
        assert_eq!(record.given_name.as_deref(), Some("Darren"));
        assert_eq!(record.family_name, None);
        assert_eq!(record.source.as_deref(), Some("NCS"));
        assert!(standardise(&record).mention);
    }

    #[test]
    fn an_address_without_a_street_gives_only_its_town() {
        let mut p = person(PersonName::from_text("Shannon").unwrap());
        p.addresses = vec![Address::from_text("Northborough").unwrap()];
        let record = identity_record(&p, &agency("NBP"), "s");
        assert_eq!(record.address_line, None);
        assert_eq!(record.town.as_deref(), Some("Northborough"));
        assert_eq!(record.postcode, None);
    }
}
