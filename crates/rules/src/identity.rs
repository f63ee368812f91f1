//! From a person in an agency's event to an identity record for linkage.

use vigil_domain::agency::AgencyCode;
use vigil_domain::event::{PersonInEvent, Sex};
use vigil_linkage::IdentityRecord;

pub fn identity_record(record_id: &str, agency: &AgencyCode, person: &PersonInEvent) -> IdentityRecord {
    let name = &person.name;
    let address = person.addresses.first();
    IdentityRecord {
        record_id: record_id.to_string(),
        given_name: name.preferred.clone().or_else(|| name.given.clone()).or_else(|| name.given.clone()),
        middle_names: (!name.middle.is_empty()).then(|| name.middle.join(" ")),
        family_name: name.family.clone(),
        date_of_birth: person.date_of_birth.as_ref().map(|d| d.to_string()),
        sex: person.sex.and_then(|s| match s {
            Sex::Male => Some("male".to_string()),
            Sex::Female => Some("female".to_string()),
            _ => None,
        }),
        nhs_number: person.nhs_number.as_ref().map(|n| n.to_string()),
        other_id: person
            .agency_reference
            .as_ref()
            .map(|r| format!("{}:{r}", agency.as_str())),
        address_line: address.map(|a| a.as_recorded.clone()),
        town: address.and_then(|a| a.town.clone()),
        postcode: address.and_then(|a| a.postcode.as_ref().map(|p| p.to_string())),
        phone: person.phone.as_ref().map(|p| p.as_written().to_string()),
        source: Some(agency.as_str().to_string()),
    }
}
