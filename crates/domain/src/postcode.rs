//! UK postcodes. Agencies write them in every case and spacing; Vigil keeps one
//! normal form and its parts, because the parts are graded evidence: the same unit is
//! a street or a block, the same sector a few thousand homes.
//!
//! Only the shape is checked, never a list of real postcodes: Vigil works offline, and
//! its fictional test data uses outward codes beginning with `Q`, which no real postcode
//! does. The letters that Royal Mail never uses in the inward code (C, I, K, M, O, V) are
//! refused, because they catch common typing slips such as `O` for `0`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UK postcode in normal form: upper case, one space before the inward code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode {
    normal: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("a postcode has 5 to 7 letters and digits besides spaces; this has {0}")]
    WrongLength(usize),
    #[error(
        "the inward code (the last three characters) must be a digit and two letters, such as 2LS; found {0:?}"
    )]
    BadInwardCode(String),
    #[error("{0:?} is not a UK outward code: it must be one of A9, A99, AA9, AA99, A9A or AA9A")]
    BadOutwardCode(String),
    #[error("a postcode holds only letters, digits and spaces; found {0:?}")]
    InvalidCharacter(char),
}

const INWARD_LETTERS_NEVER_USED: &[u8] = b"CIKMOV";

impl Postcode {
    pub fn parse(text: &str) -> Result<Self, PostcodeError> {
        let mut compact = String::with_capacity(8);
        for character in text.trim().chars() {
            if character.is_ascii_alphanumeric() {
                compact.push(character.to_ascii_uppercase());
            } else if character != ' ' {
                return Err(PostcodeError::InvalidCharacter(character));
            }
        }
        if !(5..=7).contains(&compact.len()) {
            return Err(PostcodeError::WrongLength(compact.len()));
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_bytes = inward.as_bytes();
        let inward_ok = inward_bytes[0].is_ascii_digit()
            && inward_bytes[1..]
                .iter()
                .all(|byte| byte.is_ascii_uppercase() && !INWARD_LETTERS_NEVER_USED.contains(byte));
        if !inward_ok {
            return Err(PostcodeError::BadInwardCode(inward.to_string()));
        }
        if !outward_shape_is_valid(outward) && compact != "GIR0AA" {
            return Err(PostcodeError::BadOutwardCode(outward.to_string()));
        }
        Ok(Postcode {
            normal: format!("{outward} {inward}"),
        })
    }

    /// The whole postcode, e.g. `QN4 2LS`: a street or part of one.
    pub fn unit(&self) -> &str {
        &self.normal
    }

    /// The outward code and the inward digit, e.g. `QN4 2`.
    pub fn sector(&self) -> &str {
        &self.normal[..self.normal.len() - 2]
    }

    /// The outward code, e.g. `QN4`.
    pub fn district(&self) -> &str {
        &self.normal[..self.normal.len() - 4]
    }

    /// The leading letters, e.g. `QN`.
    pub fn area(&self) -> &str {
        let district = self.district();
        let letters = district.bytes().take_while(u8::is_ascii_alphabetic).count();
        &district[..letters]
    }
}

/// A9, A99, AA9, AA99, A9A, AA9A, where A is a letter and 9 a digit.
fn outward_shape_is_valid(outward: &str) -> bool {
    let shape: String = outward
        .bytes()
        .map(|byte| if byte.is_ascii_digit() { '9' } else { 'A' })
        .collect();
    matches!(
        shape.as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    )
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normal)
    }
}

impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postcode({})", self.normal)
    }
}

impl Serialize for Postcode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.normal)
    }
}

impl<'de> Deserialize<'de> for Postcode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Postcode::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Finds a postcode at the end of an address written as one line, as agencies do:
/// `41 Marlow Road, Northborough QN7 5DX`. Returns it and the text before it.
pub fn split_trailing_postcode(text: &str) -> Option<(&str, Postcode)> {
    let is_separator = |c: char| c.is_whitespace() || c == ',';
    let trimmed = text.trim_end_matches(|c: char| is_separator(c) || c == '.');
    let word_start = |before: &str| {
        before
            .char_indices()
            .rev()
            .find(|(_, c)| is_separator(*c))
            .map_or(0, |(index, c)| index + c.len_utf8())
    };
    let last = word_start(trimmed);
    let second_last = word_start(trimmed[..last].trim_end_matches(is_separator));
    // Two words ("QN4 2LS") first, then one ("QN42LS").
    for start in [second_last, last] {
        if let Ok(postcode) = Postcode::parse(&trimmed[start..]) {
            return Some((trimmed[..start].trim_end_matches(is_separator), postcode));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_splits_into_parts() {
        let cases = [
            ("qn4 2ls", "QN4 2LS", "QN4 2", "QN4", "QN"),
            ("QN42LS", "QN4 2LS", "QN4 2", "QN4", "QN"),
            ("  sw1a 1aa ", "SW1A 1AA", "SW1A 1", "SW1A", "SW"),
            ("M1 1AE", "M1 1AE", "M1 1", "M1", "M"),
            ("B33 8TH", "B33 8TH", "B33 8", "B33", "B"),
            ("W1A 0AX", "W1A 0AX", "W1A 0", "W1A", "W"),
            ("QS10 9JD", "QS10 9JD", "QS10 9", "QS10", "QS"),
        ];
        for (text, unit, sector, district, area) in cases {
            let postcode = Postcode::parse(text).unwrap();
            assert_eq!(postcode.unit(), unit, "{text}");
            assert_eq!(postcode.sector(), sector, "{text}");
            assert_eq!(postcode.district(), district, "{text}");
            assert_eq!(postcode.area(), area, "{text}");
        }
    }

    #[test]
    fn rejects_with_the_reason() {
        assert_eq!(Postcode::parse("QN4"), Err(PostcodeError::WrongLength(3)));
        assert_eq!(
            Postcode::parse("QN4 2L5"),
            Err(PostcodeError::BadInwardCode("2L5".into()))
        );
        assert_eq!(
            Postcode::parse("QN4 2LO"),
            Err(PostcodeError::BadInwardCode("2LO".into()))
        );
        assert_eq!(
            Postcode::parse("4QN 2LS"),
            Err(PostcodeError::BadOutwardCode("4QN".into()))
        );
        assert_eq!(
            Postcode::parse("QN4-2LS"),
            Err(PostcodeError::InvalidCharacter('-'))
        );
        assert_eq!(
            Postcode::parse("QNN44 2LS"),
            Err(PostcodeError::WrongLength(8))
        );
    }

    #[test]
    fn finds_a_postcode_at_the_end_of_an_address_line() {
        let (before, postcode) =
            split_trailing_postcode("Flat 3, 18 Carlow Street, Northborough, London QN4 2LS")
                .unwrap();
        assert_eq!(before, "Flat 3, 18 Carlow Street, Northborough, London");
        assert_eq!(postcode.unit(), "QN4 2LS");
        let (before, postcode) =
            split_trailing_postcode("41 Marlow Road, Northborough, QN75DX").unwrap();
        assert_eq!(before, "41 Marlow Road, Northborough");
        assert_eq!(postcode.unit(), "QN7 5DX");
        assert!(split_trailing_postcode("Northborough, address unknown").is_none());
    }
}
