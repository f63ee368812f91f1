//! UK postcodes split into area, district, sector and unit.
//!
//! Two records at the same unit (one street side, ~15 homes) are strong evidence; the same
//! sector or district is weaker but still tells against a false match across the country.
//! Validation is by format only: the test data deliberately use outward codes starting
//! with `Q`, which no real postcode does, so the first letter is never checked. A string
//! that is not a UK postcode (FEBRL's four-digit Australian codes) is kept whole and
//! compared by plain equality.

use serde::{Deserialize, Serialize};

/// A normalised postcode. For a UK-format code every part is present; for anything else
/// only `unit` (the whole normalised string) is, and the comparison falls back to equality.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Postcode {
    /// Whole code, upper case, one space before the inward code for UK codes (`QN4 2LS`).
    pub unit: String,
    /// Outward code plus the sector digit (`QN4 2`).
    pub sector: Option<String>,
    /// Outward code (`QN4`).
    pub district: Option<String>,
    /// Leading letters (`QN`).
    pub area: Option<String>,
}

/// Normalises a postcode. Returns `None` for empty input.
pub fn parse_postcode(input: &str) -> Option<Postcode> {
    let compact: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return None;
    }
    if let Some((outward, inward)) = split_uk(&compact) {
        let area: String = outward
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        return Some(Postcode {
            unit: format!("{outward} {inward}"),
            sector: Some(format!("{outward} {}", &inward[..1])),
            district: Some(outward.to_owned()),
            area: Some(area),
        });
    }
    Some(Postcode {
        unit: compact,
        sector: None,
        district: None,
        area: None,
    })
}

/// UK format: outward code `A9`, `A99`, `AA9`, `AA99`, `A9A` or `AA9A`, then the inward
/// code `9AA`.
fn split_uk(compact: &str) -> Option<(&str, &str)> {
    let bytes = compact.as_bytes();
    if !(5..=7).contains(&bytes.len()) {
        return None;
    }
    let (outward, inward) = compact.split_at(bytes.len() - 3);
    let ib = inward.as_bytes();
    if !(ib[0].is_ascii_digit() && ib[1].is_ascii_alphabetic() && ib[2].is_ascii_alphabetic()) {
        return None;
    }
    let pattern: String = outward
        .bytes()
        .map(|b| if b.is_ascii_digit() { '9' } else { 'A' })
        .collect();
    match pattern.as_str() {
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A" => Some((outward, inward)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        input: &str,
        unit: &str,
        sector: Option<&str>,
        district: Option<&str>,
        area: Option<&str>,
    ) {
        let p = parse_postcode(input).expect("parses");
        assert_eq!(p.unit, unit, "{input}");
        assert_eq!(p.sector.as_deref(), sector, "{input}");
        assert_eq!(p.district.as_deref(), district, "{input}");
        assert_eq!(p.area.as_deref(), area, "{input}");
    }

    #[test]
    fn uk_formats() {
        check("QN4 2LS", "QN4 2LS", Some("QN4 2"), Some("QN4"), Some("QN"));
        check("qn42ls", "QN4 2LS", Some("QN4 2"), Some("QN4"), Some("QN"));
        check("Q1 1AA", "Q1 1AA", Some("Q1 1"), Some("Q1"), Some("Q"));
        check(
            "SW1A 1AA",
            "SW1A 1AA",
            Some("SW1A 1"),
            Some("SW1A"),
            Some("SW"),
        );
        check("W1A 0AX", "W1A 0AX", Some("W1A 0"), Some("W1A"), Some("W"));
        check("M60 1NW", "M60 1NW", Some("M60 1"), Some("M60"), Some("M"));
        check(
            "EC1A 1BB",
            "EC1A 1BB",
            Some("EC1A 1"),
            Some("EC1A"),
            Some("EC"),
        );
    }

    #[test]
    fn non_uk_kept_whole() {
        check("4011", "4011", None, None, None);
        check("0800", "0800", None, None, None);
        check("12345 6AB", "123456AB", None, None, None);
    }

    #[test]
    fn empty_is_missing() {
        assert!(parse_postcode("  ").is_none());
    }
}
