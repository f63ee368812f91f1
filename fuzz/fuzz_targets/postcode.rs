//! UK postcodes: the domain's `Postcode::parse` and `split_trailing_postcode` (a
//! postcode at the end of a one-line address) and linkage's `parse_postcode`.
//!
//! Properties: a parsed postcode re-parses from its display to itself; its unit, sector,
//! district and area nest (`QA1 2BD` ⊃ `QA1 2` ⊃ `QA1` ⊃ `QA`); a postcode found at the
//! end of an address is one the parser accepts and the text before it is a prefix of the
//! address; linkage's normal form is idempotent and, for every postcode the domain
//! accepts (but the special `GIR 0AA`, whose outward code has no UK shape), has the same
//! parts as the domain's.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use vigil_domain::Postcode;
use vigil_domain::postcode::split_trailing_postcode;
use vigil_fuzz::{POSTCODE_PIECES, as_text, shaped_text};
use vigil_linkage::postcode::parse_postcode;

fn check(text: &str) {
    if let Ok(postcode) = Postcode::parse(text) {
        assert_eq!(
            Postcode::parse(&postcode.to_string()).as_ref(),
            Ok(&postcode)
        );
        assert!(postcode.unit().starts_with(postcode.sector()));
        assert!(postcode.sector().starts_with(postcode.district()));
        assert!(postcode.district().starts_with(postcode.area()));
        assert!(!postcode.area().is_empty());
        if postcode.unit() != "GIR 0AA" {
            let linked = parse_postcode(text).expect("a valid postcode is not empty");
            assert_eq!(linked.unit, postcode.unit());
            assert_eq!(linked.sector.as_deref(), Some(postcode.sector()));
            assert_eq!(linked.district.as_deref(), Some(postcode.district()));
            assert_eq!(linked.area.as_deref(), Some(postcode.area()));
        }
    }
    if let Some((before, postcode)) = split_trailing_postcode(text) {
        assert!(text.starts_with(before));
        assert_eq!(
            Postcode::parse(&postcode.to_string()).as_ref(),
            Ok(&postcode)
        );
    }
    if let Some(linked) = parse_postcode(text) {
        assert_eq!(parse_postcode(&linked.unit).as_ref(), Some(&linked));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check(text);
    }
    if let Ok(text) = shaped_text(&mut Unstructured::new(data), POSTCODE_PIECES, 6) {
        check(&text);
    }
});
