//! NHS numbers as agencies type them: the domain's `NhsNumber::parse` (the boundary of
//! every event) and linkage's `parse_nhs_number` (identity records from extracts).
//!
//! Properties beyond "no panic": a parsed number re-parses from its display (`999 000
//! 0018`) and from its digits to itself, its check digit is the one `check_digit` gives,
//! and the two parsers, which implement the same modulus-11 rule, agree on every text
//! made only of digits, spaces and hyphens (the domain also trims other white space at
//! the ends; linkage refuses it).
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use vigil_domain::NhsNumber;
use vigil_domain::nhs_number::check_digit;
use vigil_fuzz::{NHS_PIECES, as_text, shaped_text};
use vigil_linkage::nhs::parse_nhs_number;

fn check(text: &str) {
    let parsed = NhsNumber::parse(text);
    if let Ok(number) = &parsed {
        let digits = number.digits();
        assert_eq!(digits.len(), 10);
        assert_eq!(NhsNumber::parse(&number.to_string()).as_ref(), Ok(number));
        assert_eq!(NhsNumber::parse(&digits).as_ref(), Ok(number));
        let values: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        assert_eq!(check_digit(&values[..9]), Some(values[9]));
        assert_eq!(number.is_test_range(), digits.starts_with("999"));
    }
    let linkage = parse_nhs_number(text);
    if text
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        assert_eq!(
            parsed.as_ref().ok().map(NhsNumber::digits),
            linkage,
            "the domain and linkage disagree on {text:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check(text);
    }
    if let Ok(text) = shaped_text(&mut Unstructured::new(data), NHS_PIECES, 8) {
        check(&text);
    }
});
