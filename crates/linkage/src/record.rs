//! The record as an agency sent it (`IdentityRecord`) and the same record standardised
//! for comparison (`StandardisedRecord`).
//!
//! Everything an agency sends is optional text, because every agency leaves different
//! fields empty and writes the rest in its own way. Standardisation happens once per
//! record, so that the many pairwise comparisons that follow only compare prepared values.

use serde::{Deserialize, Serialize};

use crate::address::{Address, parse_address_line};
use crate::date::{DateOfBirth, parse_date_of_birth};
use crate::name::{FamilyName, GivenName, parse_name};
use crate::nhs::parse_nhs_number;
use crate::postcode::{Postcode, parse_postcode};
use crate::text::{digits_only, fold};

/// One person as one agency recorded them. `record_id` must be unique across everything
/// given to one linkage run or index; `source` names the agency or system (used by the
/// link-only mode, which never compares two records of the same source).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IdentityRecord {
    pub record_id: String,
    pub given_name: Option<String>,
    pub middle_names: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<String>,
    pub nhs_number: Option<String>,
    pub other_id: Option<String>,
    pub address_line: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
}

/// Recorded sex. Anything else ("unknown", "not stated", "X") counts as missing: it is
/// not evidence about whether two records are the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

pub fn parse_sex(input: &str) -> Option<Sex> {
    match fold(input, false).as_str() {
        "m" | "male" | "man" | "boy" => Some(Sex::Male),
        "f" | "female" | "woman" | "girl" => Some(Sex::Female),
        _ => None,
    }
}

/// A record ready for comparison. Every field is either a valid prepared value or
/// `None` (missing, or present but unusable, such as an NHS number that fails its check).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardisedRecord {
    pub record_id: String,
    pub source: Option<String>,
    pub given: Option<GivenName>,
    pub given_aliases: Vec<GivenName>,
    pub middle_names: Vec<String>,
    pub family: Option<FamilyName>,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Option<Sex>,
    pub nhs_number: Option<String>,
    pub other_id: Option<String>,
    pub address: Option<Address>,
    pub town: Option<String>,
    pub postcode: Option<Postcode>,
    pub phone: Option<String>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Normalises a UK phone number to national digits (`07700900123`); numbers too short
/// to identify a line are dropped.
pub fn normalise_phone(input: &str) -> Option<String> {
    // "+44 (0)7700..." writes the trunk zero in brackets; drop it before reading digits.
    let mut digits = digits_only(&input.replace("(0)", ""));
    if let Some(rest) = digits.strip_prefix("0044") {
        digits = format!("0{rest}");
    } else if let Some(rest) = digits
        .strip_prefix("44")
        .filter(|_| input.trim_start().starts_with('+'))
    {
        digits = format!("0{rest}");
    }
    (digits.len() >= 6).then_some(digits)
}

/// Standardises one record. Pure: the same input always gives the same output.
pub fn standardise(record: &IdentityRecord) -> StandardisedRecord {
    let name = parse_name(
        non_empty(&record.given_name),
        non_empty(&record.middle_names),
        non_empty(&record.family_name),
    );
    let sex = non_empty(&record.sex)
        .and_then(parse_sex)
        .or(name.implied_sex);
    StandardisedRecord {
        record_id: record.record_id.clone(),
        source: non_empty(&record.source).map(str::to_owned),
        given: name.given,
        given_aliases: name.given_aliases,
        middle_names: name.middle_names,
        family: name.family,
        date_of_birth: non_empty(&record.date_of_birth).and_then(parse_date_of_birth),
        sex,
        nhs_number: non_empty(&record.nhs_number).and_then(parse_nhs_number),
        other_id: non_empty(&record.other_id)
            .map(|v| {
                v.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_uppercase()
            })
            .filter(|v| !v.is_empty()),
        address: non_empty(&record.address_line).and_then(parse_address_line),
        town: non_empty(&record.town)
            .map(|t| fold(t, false))
            .filter(|t| !t.is_empty()),
        postcode: non_empty(&record.postcode).and_then(parse_postcode),
        phone: non_empty(&record.phone).and_then(normalise_phone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardises_a_case_record() {
        let record = IdentityRecord {
            record_id: "R08".into(),
            given_name: Some("Pip".into()),
            family_name: Some("CARTER".into()),
            date_of_birth: Some("03/10/2021".into()),
            nhs_number: Some("999 210 0312".into()),
            address_line: Some("41 Marlow Road, Northborough".into()),
            postcode: Some("qn7 5dx".into()),
            phone: Some("+44 7700 900123".into()),
            sex: Some("unknown".into()),
            source: Some("SAH".into()),
            ..Default::default()
        };
        let s = standardise(&record);
        assert_eq!(s.given.as_ref().unwrap().text, "pip");
        assert!(
            s.given
                .as_ref()
                .unwrap()
                .nickname_group
                .contains(&"philip".to_string())
        );
        assert_eq!(s.family.as_ref().unwrap().full, "carter");
        assert_eq!(s.date_of_birth.as_ref().unwrap().to_string(), "2021-10-03");
        assert_eq!(s.nhs_number, None, "invalid check digit is missing");
        assert_eq!(s.postcode.as_ref().unwrap().unit, "QN7 5DX");
        assert_eq!(s.phone.as_deref(), Some("07700900123"));
        assert_eq!(s.sex, None);
        assert_eq!(
            s.address.as_ref().unwrap().street_name.as_deref(),
            Some("marlow")
        );
    }

    #[test]
    fn sexes() {
        for (input, expected) in [
            ("M", Some(Sex::Male)),
            ("female", Some(Sex::Female)),
            ("F", Some(Sex::Female)),
            ("X", None),
            ("", None),
        ] {
            assert_eq!(parse_sex(input), expected, "{input}");
        }
    }

    #[test]
    fn phones() {
        for (input, expected) in [
            ("07700 900123", Some("07700900123")),
            ("+44 (0)7700 900123", Some("07700900123")),
            ("+44 7700 900123", Some("07700900123")),
            ("0044 7700 900123", Some("07700900123")),
            ("12", None),
        ] {
            assert_eq!(normalise_phone(input).as_deref(), expected, "{input}");
        }
    }
}
