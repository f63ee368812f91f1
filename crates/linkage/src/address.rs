//! Address lines split into flat, house number, street name and street suffix.
//!
//! "41 Marlow Road" and "41 Marlowe Avenue" were the same house in the Case P chronology:
//! agencies get the suffix wrong more often than the name or the number. Splitting the
//! suffix off lets the comparison treat a suffix difference as weaker evidence instead of
//! either equality or a different address. A flat number is kept apart because two flats
//! in one building are different households.

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// A parsed first address line. All parts are folded lower-case ASCII.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Address {
    pub flat: Option<String>,
    pub house_number: Option<String>,
    /// Street name without its suffix (`marlow`).
    pub street_name: Option<String>,
    /// Canonical suffix (`road` for Rd, Road).
    pub street_suffix: Option<String>,
}

const FLAT_WORDS: &[&str] = &["flat", "apartment", "apt", "unit", "room", "maisonette"];

/// Canonical suffix for a word, if it is a street suffix (British and, for FEBRL,
/// Australian usage).
pub fn canonical_suffix(word: &str) -> Option<&'static str> {
    Some(match word {
        "road" | "rd" => "road",
        "street" | "st" | "str" => "street",
        "avenue" | "ave" | "av" => "avenue",
        "close" | "cl" => "close",
        "court" | "ct" => "court",
        "lane" | "ln" => "lane",
        "way" => "way",
        "terrace" | "terr" | "tce" => "terrace",
        "drive" | "dr" => "drive",
        "gardens" | "gdns" => "gardens",
        "grove" | "gr" | "gro" => "grove",
        "place" | "pl" => "place",
        "crescent" | "cres" | "cresc" => "crescent",
        "square" | "sq" => "square",
        "walk" => "walk",
        "mews" => "mews",
        "hill" => "hill",
        "park" => "park",
        "rise" => "rise",
        "row" => "row",
        "parade" | "pde" => "parade",
        "circuit" | "cct" => "circuit",
        "highway" | "hwy" => "highway",
        "boulevard" | "blvd" => "boulevard",
        "green" => "green",
        "view" => "view",
        "vale" => "vale",
        "wharf" => "wharf",
        "yard" => "yard",
        _ => return None,
    })
}

fn is_house_number(token: &str) -> bool {
    let mut chars = token.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_digit())
        && token.chars().all(|c| c.is_ascii_alphanumeric())
        && token.chars().filter(|c| c.is_ascii_alphabetic()).count() <= 1
}

/// Parses the first address line. The street is taken from the comma-separated segment
/// that holds the house number (or the first segment when there is none), so that a town
/// written on the same line ("41 Marlow Road, Northborough") is not read as the street.
pub fn parse_address_line(input: &str) -> Option<Address> {
    let segments: Vec<String> = input
        .split([',', ';', '\n'])
        .map(|s| fold(s, false))
        .filter(|s| !s.is_empty())
        .collect();
    if segments.is_empty() {
        return None;
    }
    let mut address = Address::default();
    let mut street_tokens: Vec<String> = Vec::new();
    for segment in &segments {
        let tokens: Vec<&str> = segment.split(' ').collect();
        let mut i = 0;
        while i < tokens.len() {
            let token = tokens[i];
            if FLAT_WORDS.contains(&token) && i + 1 < tokens.len() && address.flat.is_none() {
                address.flat = Some(tokens[i + 1].to_owned());
                i += 2;
                continue;
            }
            if address.house_number.is_none() && street_tokens.is_empty() && is_house_number(token)
            {
                // "3/18" style is folded to "3 18": a number followed by another number is flat + house.
                if i + 1 < tokens.len() && is_house_number(tokens[i + 1]) && address.flat.is_none()
                {
                    address.flat = Some(token.to_owned());
                    address.house_number = Some(tokens[i + 1].to_owned());
                    i += 2;
                    continue;
                }
                address.house_number = Some(token.to_owned());
                i += 1;
                continue;
            }
            if address.house_number.is_some() || !street_tokens.is_empty() || address.flat.is_none()
            {
                street_tokens.push(token.to_owned());
            }
            i += 1;
        }
        if !street_tokens.is_empty() && (address.house_number.is_some() || segments.len() == 1) {
            break;
        }
        if !street_tokens.is_empty() && address.house_number.is_none() {
            // A building name ("Ashby House") before the numbered street: keep looking.
            street_tokens.clear();
        }
    }
    if street_tokens.is_empty() {
        // Fall back: the first segment without a number is the street.
        if let Some(first) = segments.iter().find(|s| !s.split(' ').any(is_house_number)) {
            street_tokens = first.split(' ').map(str::to_owned).collect();
        }
    }
    if let Some(last) = street_tokens.last()
        && street_tokens.len() > 1
        && let Some(suffix) = canonical_suffix(last)
    {
        address.street_suffix = Some(suffix.to_owned());
        street_tokens.pop();
    }
    if !street_tokens.is_empty() {
        address.street_name = Some(street_tokens.join(" "));
    }
    if address == Address::default() {
        None
    } else {
        Some(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        input: &str,
        flat: Option<&str>,
        number: Option<&str>,
        name: Option<&str>,
        suffix: Option<&str>,
    ) {
        let a = parse_address_line(input).unwrap_or_default();
        assert_eq!(a.flat.as_deref(), flat, "flat of {input:?}");
        assert_eq!(a.house_number.as_deref(), number, "number of {input:?}");
        assert_eq!(a.street_name.as_deref(), name, "street of {input:?}");
        assert_eq!(a.street_suffix.as_deref(), suffix, "suffix of {input:?}");
    }

    #[test]
    fn lines() {
        check(
            "Flat 3, 18 Carlow Street",
            Some("3"),
            Some("18"),
            Some("carlow"),
            Some("street"),
        );
        check(
            "41 Marlow Road, Northborough",
            None,
            Some("41"),
            Some("marlow"),
            Some("road"),
        );
        check(
            "41 Marlowe Rd",
            None,
            Some("41"),
            Some("marlowe"),
            Some("road"),
        );
        check(
            "41 Marlowe Avenue",
            None,
            Some("41"),
            Some("marlowe"),
            Some("avenue"),
        );
        check(
            "22 Ferrier Court",
            None,
            Some("22"),
            Some("ferrier"),
            Some("court"),
        );
        check(
            "5 Saltings Lane",
            None,
            Some("5"),
            Some("saltings"),
            Some("lane"),
        );
        check(
            "12a High St.",
            None,
            Some("12a"),
            Some("high"),
            Some("street"),
        );
        check(
            "3/18 Carlow Street",
            Some("3"),
            Some("18"),
            Some("carlow"),
            Some("street"),
        );
        check(
            "Ashby House, 7 Kings Way",
            None,
            Some("7"),
            Some("kings"),
            Some("way"),
        );
        check(
            "69 giblin street",
            None,
            Some("69"),
            Some("giblin"),
            Some("street"),
        );
        check(
            "maltby circuit",
            None,
            None,
            Some("maltby"),
            Some("circuit"),
        );
        check("The Close", None, None, Some("the"), Some("close"));
        check("Way", None, None, Some("way"), None);
    }

    #[test]
    fn empty_is_missing() {
        assert_eq!(parse_address_line(" , "), None);
    }
}
