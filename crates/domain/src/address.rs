//! Addresses as agencies record them. The text is kept exactly; the parts (flat,
//! number, street, town, postcode) are read from it so that '41 Marlow Road' and
//! '41 Marlowe Avenue' at one postcode can later be recognised as one home.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::postcode::{Postcode, PostcodeError, split_trailing_postcode};

pub const MAX_ADDRESS_LENGTH: usize = 500;

/// On the wire an address is either its text (`"41 Marlowe Road, Northborough QN7 5DX"`)
/// or `{"text": ..., "postcode": ...}`; the parts are always derived from those two, so
/// a stored address read back is parsed exactly as it was on arrival.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// The text as the agency holds it, with runs of spaces and line breaks made one space.
    pub as_recorded: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Postcode>,
}

/// What an agency may send: the text, and a postcode when its system holds one apart.
/// The derived parts of a stored address are accepted and ignored, so that the stored
/// form reads back through the same parser.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressParts {
    #[serde(alias = "as_recorded")]
    pub text: String,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default, rename = "flat")]
    _flat: Option<IgnoredAny>,
    #[serde(default, rename = "building")]
    _building: Option<IgnoredAny>,
    #[serde(default, rename = "number")]
    _number: Option<IgnoredAny>,
    #[serde(default, rename = "street")]
    _street: Option<IgnoredAny>,
    #[serde(default, rename = "locality")]
    _locality: Option<IgnoredAny>,
    #[serde(default, rename = "town")]
    _town: Option<IgnoredAny>,
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AddressVisitor;
        impl<'de> Visitor<'de> for AddressVisitor {
            type Value = Address;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an address as text, or an object with `text` and optionally `postcode`",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Address, E> {
                Address::from_text(text).map_err(E::custom)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Address, M::Error> {
                let parts = AddressParts::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Address::parse(parts).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(AddressVisitor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("an address cannot be empty")]
    Empty,
    #[error("an address is at most {MAX_ADDRESS_LENGTH} characters; this is {0}")]
    TooLong(usize),
    #[error("an address cannot contain control characters")]
    ControlCharacter,
    #[error("postcode: {0}")]
    Postcode(#[from] PostcodeError),
}

const FLAT_WORDS: &[&str] = &["flat", "apartment", "apt", "unit", "room", "maisonette"];

impl Address {
    pub fn parse(parts: AddressParts) -> Result<Self, AddressError> {
        let as_recorded = parts.text.split_whitespace().collect::<Vec<_>>().join(" ");
        if as_recorded.is_empty() {
            return Err(AddressError::Empty);
        }
        let length = as_recorded.chars().count();
        if length > MAX_ADDRESS_LENGTH {
            return Err(AddressError::TooLong(length));
        }
        if as_recorded.chars().any(char::is_control) {
            return Err(AddressError::ControlCharacter);
        }
        let explicit_postcode = parts.postcode.as_deref().map(Postcode::parse).transpose()?;
        let (lines, found_postcode) = match split_trailing_postcode(&as_recorded) {
            Some((before, postcode)) => (before.to_string(), Some(postcode)),
            None => (as_recorded.clone(), None),
        };
        let mut address = read_lines(&lines);
        address.as_recorded = as_recorded;
        address.postcode = explicit_postcode.or(found_postcode);
        Ok(address)
    }

    pub fn from_text(text: &str) -> Result<Self, AddressError> {
        Self::parse(AddressParts {
            text: text.to_string(),
            ..AddressParts::default()
        })
    }
}

/// Reads "Flat 3, 18 Carlow Street, Northborough, London": a flat line, an optional
/// building name, the numbered street, then locality and town.
fn read_lines(lines: &str) -> Address {
    let mut parts: Vec<String> = lines
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let mut address = Address {
        as_recorded: String::new(),
        flat: None,
        building: None,
        number: None,
        street: None,
        locality: None,
        town: None,
        postcode: None,
    };
    if let Some(first) = parts.first().cloned() {
        let mut words = first.split_whitespace();
        if let (Some(word), Some(flat)) = (words.next(), words.next())
            && FLAT_WORDS.contains(&word.to_lowercase().as_str())
        {
            address.flat = Some(flat.to_string());
            let rest: Vec<String> = words.map(str::to_string).collect();
            if rest.is_empty() {
                parts.remove(0);
            } else {
                // "Flat 3 18 Carlow Street" on one line.
                parts[0] = rest.join(" ");
            }
        }
    }
    let numbered = parts.iter().position(|part| starts_with_house_number(part));
    let after_street = match numbered {
        Some(index) => {
            if index > 0 {
                address.building = Some(parts[..index].join(", "));
            }
            let (number, street) = split_house_number(&parts[index]);
            address.number = Some(number.to_string());
            address.street = (!street.is_empty()).then(|| street.to_string());
            index + 1
        }
        None if parts.len() >= 3 => {
            address.building = Some(parts[0].clone());
            address.street = Some(parts[1].clone());
            2
        }
        None if parts.len() == 2 => {
            address.street = Some(parts[0].clone());
            1
        }
        None => 0,
    };
    let rest = &parts[after_street.min(parts.len())..];
    match rest {
        [] => {}
        [town] => address.town = Some(town.clone()),
        [locality, .., town] => {
            address.locality = Some(locality.clone());
            address.town = Some(town.clone());
        }
    }
    address
}

fn starts_with_house_number(part: &str) -> bool {
    part.split_whitespace().next().is_some_and(|word| {
        word.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && word.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

fn split_house_number(part: &str) -> (&str, &str) {
    match part.split_once(char::is_whitespace) {
        Some((number, street)) => (number, street.trim()),
        None => (part, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: [Option<&str>; 7]) {
        let address = Address::from_text(text).unwrap();
        let got = [
            address.flat.as_deref(),
            address.building.as_deref(),
            address.number.as_deref(),
            address.street.as_deref(),
            address.locality.as_deref(),
            address.town.as_deref(),
            address.postcode.as_ref().map(Postcode::unit),
        ];
        assert_eq!(got, expected, "{text}");
        assert_eq!(address.as_recorded, text);
    }

    #[test]
    fn reads_the_parts_of_recorded_addresses() {
        check(
            "Flat 3, 18 Carlow Street, Northborough, London QN4 2LS",
            [
                Some("3"),
                None,
                Some("18"),
                Some("Carlow Street"),
                Some("Northborough"),
                Some("London"),
                Some("QN4 2LS"),
            ],
        );
        check(
            "41 Marlow Road, Northborough QN7 5DX",
            [
                None,
                None,
                Some("41"),
                Some("Marlow Road"),
                None,
                Some("Northborough"),
                Some("QN7 5DX"),
            ],
        );
        check(
            "Flat 9, Corran House, Westhill Estate, Northborough, London QN6 1PF",
            [
                Some("9"),
                Some("Corran House"),
                None,
                Some("Westhill Estate"),
                Some("Northborough"),
                Some("London"),
                Some("QN6 1PF"),
            ],
        );
        check(
            "12a Linnet Way, Northborough",
            [
                None,
                None,
                Some("12a"),
                Some("Linnet Way"),
                None,
                Some("Northborough"),
                None,
            ],
        );
        check(
            "Northborough, address unknown",
            [
                None,
                None,
                None,
                Some("Northborough"),
                None,
                Some("address unknown"),
                None,
            ],
        );
    }

    #[test]
    fn an_explicit_postcode_wins_and_is_checked() {
        let address = Address::parse(AddressParts {
            text: "41 Marlowe Road".into(),
            postcode: Some("qn75dx".into()),
            ..AddressParts::default()
        })
        .unwrap();
        assert_eq!(address.postcode.unwrap().unit(), "QN7 5DX");
        let error = Address::parse(AddressParts {
            text: "41 Marlowe Road".into(),
            postcode: Some("QN7 5D".into()),
            ..AddressParts::default()
        });
        assert!(matches!(error, Err(AddressError::Postcode(_))));
    }

    #[test]
    fn the_stored_form_reads_back_identically() {
        for text in [
            "Flat 3, 18 Carlow Street, Northborough, London QN4 2LS",
            "41 Marlowe Road",
        ] {
            let address = Address::from_text(text).unwrap();
            let json = serde_json::to_string(&address).unwrap();
            assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), address);
        }
        let object: Address =
            serde_json::from_str(r#"{"text": "41 Marlowe Road", "postcode": "QN7 5DX"}"#).unwrap();
        assert_eq!(object.postcode.unwrap().unit(), "QN7 5DX");
        let error = serde_json::from_str::<Address>(r#"{"txt": "41 Marlowe Road"}"#).unwrap_err();
        assert!(error.to_string().contains("unknown field `txt`"), "{error}");
    }

    #[test]
    fn refuses_empty_text() {
        assert_eq!(Address::from_text("  "), Err(AddressError::Empty));
    }
}
