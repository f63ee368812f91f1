//! Address resolution: which recorded addresses are the same place.
//!
//! Agencies write one house several ways ('41 Marlowe Road', '41 Marlow Road',
//! '41 Marlowe Avenue', all QN7 5DX). Two addresses are the same place when they share
//! the postcode, the house number and the flat, and their street names agree closely
//! enough; a different street suffix (Road against Avenue) is weaker evidence than a
//! spelling variant, so it lowers the confidence rather than deciding. Without a
//! postcode, the street, number and town must agree. An address without a house number
//! or name ('Northborough, address unknown') is no place at all.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use vigil_domain::address::Address;

/// Vigil's id for a place, in the order places were first seen: `PL-1`, `PL-2`, ...
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaceId(pub String);

impl std::fmt::Display for PlaceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A place and every way it has been written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub id: PlaceId,
    /// The address as first recorded.
    pub address: Address,
    /// Every distinct text it was recorded as.
    pub variants: Vec<String>,
}

/// The outcome of resolving one recorded address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceMatch {
    pub place: PlaceId,
    /// 1.0 when the address was written the same way (or the place is new); lower for
    /// variants, with the reason.
    pub confidence: f64,
    pub reason: String,
    pub new_place: bool,
}

#[derive(Debug, Default, Clone)]
pub struct PlaceRegister {
    places: Vec<Place>,
    by_key: HashMap<String, Vec<usize>>,
    by_text: HashMap<String, PlaceMatch>,
}

/// Street-type words. Their variants ('Rd', 'Ave') are read as the same word; a
/// different type is weaker evidence than a spelling variant of the name.
const STREET_TYPES: &[(&str, &[&str])] = &[
    ("ROAD", &["RD"]),
    ("STREET", &["ST"]),
    ("AVENUE", &["AVE", "AV"]),
    ("LANE", &["LN"]),
    ("CLOSE", &["CL"]),
    ("COURT", &["CT"]),
    ("TERRACE", &["TERR", "TCE"]),
    ("DRIVE", &["DR"]),
    ("CRESCENT", &["CRES"]),
    ("GARDENS", &["GDNS"]),
    ("PLACE", &["PL"]),
    ("SQUARE", &["SQ"]),
    ("WAY", &[]),
    ("WALK", &[]),
    ("VIEW", &[]),
    ("GROVE", &["GR"]),
    ("HILL", &[]),
    ("PARK", &[]),
    ("ROW", &[]),
    ("MEWS", &[]),
];

/// A street name split into its name and its type: ("MARLOWE", Some("ROAD")).
fn street_parts(street: &str) -> (String, Option<&'static str>) {
    let words: Vec<String> = street
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_uppercase())
        .collect();
    if let Some((last, rest)) = words.split_last() {
        for (canonical, variants) in STREET_TYPES {
            if last == canonical || variants.contains(&last.as_str()) {
                return (rest.join(" "), Some(canonical));
            }
        }
    }
    (words.join(" "), None)
}

fn fold(text: Option<&str>) -> String {
    text.unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// How alike two street names are, with the reason. `None`: not the same street.
fn street_agreement(a: Option<&str>, b: Option<&str>) -> Option<(f64, String)> {
    let (Some(a), Some(b)) = (a, b) else {
        return Some((0.9, "one record gives no street name".to_string()));
    };
    let (name_a, type_a) = street_parts(a);
    let (name_b, type_b) = street_parts(b);
    let name_similarity = strsim::jaro_winkler(&name_a, &name_b);
    if name_similarity < 0.88 {
        return None;
    }
    let same_name = name_a == name_b;
    let same_type = type_a == type_b || type_a.is_none() || type_b.is_none();
    Some(match (same_name, same_type) {
        (true, true) => (1.0, "same street".to_string()),
        (false, true) => (0.9, format!("street spelled '{a}' and '{b}'")),
        (true, false) => (0.8, format!("street type differs: '{a}' and '{b}'")),
        (false, false) => (
            0.7,
            format!("street spelled and typed differently: '{a}' and '{b}'"),
        ),
    })
}

impl PlaceRegister {
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    pub fn place(&self, id: &PlaceId) -> Option<&Place> {
        self.places.iter().find(|p| &p.id == id)
    }

    /// The key that must agree exactly, or `None` when the address names no house.
    fn key(address: &Address) -> Option<String> {
        let house = match (&address.number, &address.building) {
            (Some(number), _) => fold(Some(number)),
            (None, Some(building)) => fold(Some(building)),
            (None, None) => return None,
        };
        let flat = fold(address.flat.as_deref());
        Some(match &address.postcode {
            Some(postcode) => format!("{}|{flat}|{house}", postcode.unit()),
            None => {
                let (street, _) = street_parts(address.street.as_deref()?);
                format!("{}|{street}|{flat}|{house}", fold(address.town.as_deref()))
            }
        })
    }

    /// Resolves one address to a place, creating the place when it is new. `None` when
    /// the address does not name a house.
    pub fn resolve(&mut self, address: &Address) -> Option<PlaceMatch> {
        if let Some(known) = self.by_text.get(&address.as_recorded) {
            let mut known = known.clone();
            known.new_place = false;
            return Some(known);
        }
        let key = Self::key(address)?;
        let candidates = self.by_key.get(&key).cloned().unwrap_or_default();
        let best = candidates
            .iter()
            .filter_map(|&index| {
                street_agreement(
                    self.places[index].address.street.as_deref(),
                    address.street.as_deref(),
                )
                .map(|(confidence, reason)| (index, confidence, reason))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let found = match best {
            Some((index, confidence, reason)) => {
                let place = &mut self.places[index];
                if !place.variants.contains(&address.as_recorded) {
                    place.variants.push(address.as_recorded.clone());
                }
                PlaceMatch {
                    place: place.id.clone(),
                    confidence,
                    reason,
                    new_place: false,
                }
            }
            None => {
                let index = self.places.len();
                let id = PlaceId(format!("PL-{}", index + 1));
                self.places.push(Place {
                    id: id.clone(),
                    address: address.clone(),
                    variants: vec![address.as_recorded.clone()],
                });
                self.by_key.entry(key).or_default().push(index);
                PlaceMatch {
                    place: id,
                    confidence: 1.0,
                    reason: "first record of this address".to_string(),
                    new_place: true,
                }
            }
        };
        self.by_text
            .insert(address.as_recorded.clone(), found.clone());
        Some(found)
    }

    /// The place an address was resolved to before, without creating one.
    pub fn lookup(&self, address: &Address) -> Option<&PlaceMatch> {
        self.by_text.get(&address.as_recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> Address {
        serde_json::from_value(serde_json::json!(text)).unwrap()
    }

    #[test]
    fn spelling_and_street_type_variants_at_one_postcode_and_number_are_one_place() {
        let mut register = PlaceRegister::default();
        let first = register
            .resolve(&address("12 Quillon Road, Testwick, London QZ7 5DX"))
            .unwrap();
        assert!(first.new_place);
        let spelled = register
            .resolve(&address("12 Quilon Road, Testwick QZ7 5DX"))
            .unwrap();
        assert_eq!(spelled.place, first.place);
        assert!(spelled.confidence < 1.0 && spelled.confidence >= 0.85);
        let typed = register
            .resolve(&address("12 Quillon Avenue, Testwick QZ7 5DX"))
            .unwrap();
        assert_eq!(typed.place, first.place);
        assert!(typed.confidence < spelled.confidence, "{typed:?}");
    }

    #[test]
    fn different_numbers_flats_and_streets_are_different_places() {
        let mut register = PlaceRegister::default();
        let a = register
            .resolve(&address("12 Quillon Road, Testwick QZ7 5DX"))
            .unwrap();
        for other in [
            "14 Quillon Road, Testwick QZ7 5DX",
            "Flat 2, 12 Quillon Road, Testwick QZ7 5DX",
            "12 Harbour View, Testwick QZ7 5DX",
            "12 Quillon Road, Testwick QZ7 5DY",
        ] {
            let b = register.resolve(&address(other)).unwrap();
            assert_ne!(a.place, b.place, "{other}");
        }
    }

    #[test]
    fn an_address_without_a_house_is_no_place() {
        let mut register = PlaceRegister::default();
        assert!(
            register
                .resolve(&address("Testwick, address unknown"))
                .is_none()
        );
    }
}
