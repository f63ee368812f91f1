//! Linkage's standardisation of raw identity records: the entry point every agency
//! extract and CSV row reaches (`standardise`, which folds names, reads aliases, dates,
//! sex, NHS numbers, postcodes, address lines and phone numbers written any way), and the
//! comparison of two standardised records, which must cope with whatever standardisation
//! leaves behind. Also `parse_sex` and `normalise_phone` on raw text.
//!
//! Properties: no panic; comparing two records gives the same levels in either order
//! (the model scores an unordered pair, and the comparisons are written to be symmetric);
//! a standardised NHS number is ten digits; a normalised phone number is digits only.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use vigil_fuzz::{
    ADDRESS_PIECES, DATE_PIECES, NAME_PIECES, NHS_PIECES, POSTCODE_PIECES, WORDS, as_text,
    field_text,
};
use vigil_linkage::compare::compare;
use vigil_linkage::record::{normalise_phone, parse_sex};
use vigil_linkage::{IdentityRecord, NameAlias, standardise};

fn optional(u: &mut Unstructured, pieces: &[&str]) -> Result<Option<String>> {
    Ok(if u.ratio(1, 4)? {
        None
    } else {
        Some(field_text(u, pieces)?)
    })
}

fn record(u: &mut Unstructured, id: &str) -> Result<IdentityRecord> {
    let mut aliases = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        aliases.push(NameAlias {
            given_name: optional(u, NAME_PIECES)?,
            middle_names: optional(u, NAME_PIECES)?,
            family_name: optional(u, NAME_PIECES)?,
        });
    }
    Ok(IdentityRecord {
        record_id: id.to_owned(),
        given_name: optional(u, NAME_PIECES)?,
        middle_names: optional(u, NAME_PIECES)?,
        family_name: optional(u, NAME_PIECES)?,
        date_of_birth: optional(u, DATE_PIECES)?,
        sex: optional(u, &["male", "female", "M", "F", "unknown", "X", "Male "])?,
        nhs_number: optional(u, NHS_PIECES)?,
        other_id: optional(u, WORDS)?,
        address_line: optional(u, ADDRESS_PIECES)?,
        town: optional(u, ADDRESS_PIECES)?,
        postcode: optional(u, POSTCODE_PIECES)?,
        phone: optional(
            u,
            &["07700", "900", "123", "+44", "(0)", "0044", " ", "-", "0"],
        )?,
        source: optional(u, WORDS)?,
        aliases,
        mention: u.arbitrary()?,
    })
}

fn check_text(text: &str) {
    let _ = parse_sex(text);
    if let Some(phone) = normalise_phone(text) {
        assert!(phone.bytes().all(|b| b.is_ascii_digit()), "{phone:?}");
    }
    let _ = NameAlias::from_text(text);
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check_text(text);
    }
    let mut u = Unstructured::new(data);
    let (Ok(first), Ok(second)) = (record(&mut u, "A"), record(&mut u, "B")) else {
        return;
    };
    let first = standardise(&first);
    let second = standardise(&second);
    for record in [&first, &second] {
        if let Some(number) = &record.nhs_number {
            assert!(number.len() == 10 && number.bytes().all(|b| b.is_ascii_digit()));
        }
        if let Some(phone) = &record.phone {
            assert!(phone.bytes().all(|b| b.is_ascii_digit()), "{phone:?}");
        }
        let _ = record.may_merge_automatically();
    }
    assert_eq!(
        compare(&first, &second),
        compare(&second, &first),
        "comparison is not symmetric for {first:?} and {second:?}"
    );
    let _ = compare(&first, &first);
});
