//! The NHS number: the one identifier that health agencies share, so the strongest
//! evidence Vigil has that two records are one person. It is parsed once, at the
//! boundary, so that code past it never meets a malformed or mistyped number.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A ten-digit NHS number whose modulus-11 check digit is correct.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NhsNumber([u8; 10]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("an NHS number has 10 digits; this has {0}")]
    WrongLength(usize),
    #[error("an NHS number holds only digits, spaces and hyphens; found {0:?}")]
    InvalidCharacter(char),
    #[error(
        "the check digit is wrong (expected {expected}, found {found}): the number was probably mistyped"
    )]
    CheckDigit { expected: u8, found: u8 },
    #[error(
        "no NHS number can produce this check digit (remainder 10): the number was probably mistyped"
    )]
    NoValidCheckDigit,
}

impl NhsNumber {
    /// Accepts the forms people write: `9992100311`, `999 210 0311`, `999-210-0311`.
    pub fn parse(text: &str) -> Result<Self, NhsNumberError> {
        let mut digits = [0u8; 10];
        let mut count = 0usize;
        for character in text.trim().chars() {
            match character {
                '0'..='9' => {
                    if count < 10 {
                        digits[count] = character as u8 - b'0';
                    }
                    count += 1;
                }
                ' ' | '-' => {}
                other => return Err(NhsNumberError::InvalidCharacter(other)),
            }
        }
        if count != 10 {
            return Err(NhsNumberError::WrongLength(count));
        }
        let expected = check_digit(&digits[..9]).ok_or(NhsNumberError::NoValidCheckDigit)?;
        if expected != digits[9] {
            return Err(NhsNumberError::CheckDigit {
                expected,
                found: digits[9],
            });
        }
        Ok(NhsNumber(digits))
    }

    /// The ten digits with no separators, the form stored and compared.
    pub fn digits(&self) -> String {
        self.0
            .iter()
            .map(|digit| char::from(b'0' + digit))
            .collect()
    }

    /// NHS England never issues numbers from 999 000 0000 to 999 999 9999; they exist for
    /// testing, and Vigil's demo and synthetic data use only them.
    pub fn is_test_range(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }
}

/// Modulus 11 with weights 10 down to 2; a remainder giving 11 means 0, and 10 means no
/// number with these nine digits is valid.
pub fn check_digit(first_nine: &[u8]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(digit, weight)| u32::from(*digit) * weight)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        digit => Some(digit as u8),
    }
}

impl fmt::Display for NhsNumber {
    /// The 3-3-4 grouping printed on NHS letters and cards.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits();
        write!(f, "{} {} {}", &digits[..3], &digits[3..6], &digits[6..])
    }
}

impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NhsNumber({self})")
    }
}

impl Serialize for NhsNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits())
    }
}

impl<'de> Deserialize<'de> for NhsNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NhsNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_written_forms() {
        for text in [
            "9992100311",
            "999 210 0311",
            "999-210-0311",
            " 999 210 0311 ",
        ] {
            let number = NhsNumber::parse(text).unwrap();
            assert_eq!(number.digits(), "9992100311");
            assert_eq!(number.to_string(), "999 210 0311");
            assert!(number.is_test_range());
        }
    }

    #[test]
    fn rejects_with_the_reason() {
        let cases = [
            ("999210031", NhsNumberError::WrongLength(9)),
            ("99921003111", NhsNumberError::WrongLength(11)),
            ("999 210 031O", NhsNumberError::InvalidCharacter('O')),
            (
                "9992100312",
                NhsNumberError::CheckDigit {
                    expected: 1,
                    found: 2,
                },
            ),
            ("", NhsNumberError::WrongLength(0)),
        ];
        for (text, error) in cases {
            assert_eq!(NhsNumber::parse(text), Err(error), "{text}");
        }
    }

    #[test]
    fn remainder_ten_is_never_valid() {
        // 000000006: sum 12, 12 % 11 = 1, 11 - 1 = 10.
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
        for last in 0..10 {
            let text = format!("000000006{last}");
            assert_eq!(
                NhsNumber::parse(&text),
                Err(NhsNumberError::NoValidCheckDigit)
            );
        }
    }

    proptest! {
        #[test]
        fn every_nine_digits_have_at_most_one_valid_completion(first in proptest::collection::vec(0u8..10, 9)) {
            let valid: Vec<u8> = (0..10)
                .filter(|last| {
                    let text: String = first.iter().chain(std::iter::once(last)).map(|d| char::from(b'0' + d)).collect();
                    NhsNumber::parse(&text).is_ok()
                })
                .collect();
            prop_assert!(valid.len() <= 1);
            prop_assert_eq!(valid.first().copied(), check_digit(&first));
        }

        #[test]
        fn a_single_digit_typo_is_always_caught(first in proptest::collection::vec(0u8..10, 9), position in 0usize..10, change in 1u8..10) {
            if let Some(last) = check_digit(&first) {
                let mut digits = first.clone();
                digits.push(last);
                digits[position] = (digits[position] + change) % 10;
                let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert!(NhsNumber::parse(&text).is_err());
            }
        }

        #[test]
        fn serde_round_trips(first in proptest::collection::vec(0u8..10, 9)) {
            if let Some(last) = check_digit(&first) {
                let text: String = first.iter().chain(std::iter::once(&last)).map(|d| char::from(b'0' + d)).collect();
                let number = NhsNumber::parse(&text).unwrap();
                let json = serde_json::to_string(&number).unwrap();
                prop_assert_eq!(serde_json::from_str::<NhsNumber>(&json).unwrap(), number);
            }
        }
    }
}
