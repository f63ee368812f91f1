//! NHS number validation (modulus 11).
//!
//! The NHS number is the one identifier that health records share, so a valid match is
//! the strongest evidence Vigil has and two different valid numbers are strong evidence
//! against. A number that fails its check digit is a typo or a local number in the wrong
//! field: it proves nothing either way, so it is treated as missing.

use crate::text::digits_only;

/// Returns the ten digits when `input` holds a valid NHS number (spaces and dashes
/// allowed), otherwise `None`. Weights 10 down to 2; check = 11 - (sum mod 11); a
/// check of 11 becomes 0 and a check of 10 means the number was never issued.
pub fn parse_nhs_number(input: &str) -> Option<String> {
    if input
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
    {
        return None;
    }
    let digits = digits_only(input);
    if digits.len() != 10 {
        return None;
    }
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = values[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - (sum % 11) {
        11 => 0,
        10 => return None,
        c => c,
    };
    (check == values[9]).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        let cases = [
            ("943 476 5919", true),
            ("9434765919", true),
            ("943-476-5919", true),
            ("9434765918", false),
            ("999 210 0311", true),
            ("999 210 0312", false),
            ("123", false),
            ("94347659190", false),
            ("943476591X", false),
            ("", false),
        ];
        for (input, valid) in cases {
            assert_eq!(parse_nhs_number(input).is_some(), valid, "{input}");
        }
    }
}
