//! The record as an agency sent it (`IdentityRecord`) and the same record standardised
//! for comparison (`StandardisedRecord`).
//!
//! Everything an agency sends is optional text, because every agency leaves different
//! fields empty and writes the rest in its own way. Standardisation happens once per
//! record, so that the many pairwise comparisons that follow only compare prepared values.

use serde::{Deserialize, Serialize};

use crate::address::{Address, parse_address_line};
use crate::date::{DateOfBirth, parse_date_of_birth};
use crate::name::{FamilyName, GivenName, parse_alias_text, parse_name};
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
    /// Other names this agency holds for the person: a maiden name, a name before a deed
    /// poll, an alias. Compared as well as the main name (the best agreement counts). A
    /// family-name field written with an alias in it ("CORBETT (aka PRYCE, Lee)",
    /// "CARTER, alias HOLLIS", "CARTER (née HOLLIS)") gives aliases too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<NameAlias>,
    /// True when the agency named this person only in passing, in free text (minutes, a
    /// contact log, "a bloke called Darren"), not as a person it registered or took
    /// details from. A mention is attached to its likely people for a person to confirm
    /// and is never merged automatically, however well it scores: a name overheard is not
    /// an identity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mention: bool,
}

/// Another name of the person, in parts. Any part may be missing ("HOLLIS": a former
/// family name alone).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NameAlias {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

impl NameAlias {
    /// Reads an alias written as text, the two ways agencies write a name:
    /// `FAMILY, Given Middle` (with a comma) or a family name alone (`HOLLIS`). Text
    /// without a comma is a family name, however many words it has, because an alias
    /// recorded against a person is most often a former surname. Empty text gives `None`.
    pub fn from_text(text: &str) -> Option<NameAlias> {
        let (family, given, middle) = parse_alias_text(text)?;
        Some(NameAlias {
            given_name: given,
            middle_names: middle,
            family_name: family,
        })
    }
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
    /// The person's other family names (former, deed-poll, alias), each compared like the
    /// family name itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family_aliases: Vec<FamilyName>,
    pub date_of_birth: Option<DateOfBirth>,
    pub sex: Option<Sex>,
    pub nhs_number: Option<String>,
    pub other_id: Option<String>,
    pub address: Option<Address>,
    pub town: Option<String>,
    pub postcode: Option<Postcode>,
    pub phone: Option<String>,
    /// See [`IdentityRecord::mention`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mention: bool,
}

impl StandardisedRecord {
    /// The family name and every alias family name, main name first.
    pub fn family_names(&self) -> impl Iterator<Item = &FamilyName> {
        self.family.iter().chain(&self.family_aliases)
    }

    /// True when the record says too little about *who* the person is to be merged
    /// without a person's decision: no date of birth, no NHS number, no other identifier
    /// and no phone, and not both a given name (more than an initial) and a family name.
    /// "Pip, male, at 41 Marlowe Road" names where a child was, not which child: a
    /// visitor, a lodger or a relative with that first name at that address would score
    /// the same. Its likely people go to review.
    pub fn too_thin_to_merge(&self) -> bool {
        let full_name = self.given.as_ref().is_some_and(|g| !g.is_initial) && self.family.is_some();
        self.date_of_birth.is_none()
            && self.nhs_number.is_none()
            && self.other_id.is_none()
            && self.phone.is_none()
            && !full_name
    }

    /// Whether clustering may put this record into a person on the scores alone: not a
    /// passing mention, not too thin (see [`Self::too_thin_to_merge`]).
    pub fn may_merge_automatically(&self) -> bool {
        !self.mention && !self.too_thin_to_merge()
    }
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
    let mut name = parse_name(
        non_empty(&record.given_name),
        non_empty(&record.middle_names),
        non_empty(&record.family_name),
    );
    for alias in &record.aliases {
        name.add_alias(
            non_empty(&alias.given_name),
            non_empty(&alias.middle_names),
            non_empty(&alias.family_name),
        );
    }
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
        family_aliases: name.family_aliases,
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
        mention: record.mention,
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
