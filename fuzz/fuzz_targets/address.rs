//! Addresses as agencies record them: the domain's `Address` (one line of text, or text
//! and a postcode, on the wire as a string or an object) and linkage's
//! `parse_address_line` and `canonical_suffix`.
//!
//! Properties: a domain address survives the store's round trip (serialised with its
//! derived parts and read back through its `Deserialize`, which re-derives them)
//! unchanged; `as_recorded` is never empty, within the limit, free of control characters
//! and runs of spaces; a derived part is never empty; a postcode read from the text is
//! one `Postcode::parse` accepts. Linkage's parts are folded text, never empty.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use vigil_domain::address::MAX_ADDRESS_LENGTH;
use vigil_domain::{Address, Postcode};
use vigil_fuzz::{ADDRESS_PIECES, POSTCODE_PIECES, as_text, field_text};
use vigil_linkage::address::{canonical_suffix, parse_address_line};

fn check_domain(address: Result<Address, impl std::fmt::Debug>) {
    let Ok(address) = address else { return };
    assert!(!address.as_recorded.is_empty());
    assert!(address.as_recorded.chars().count() <= MAX_ADDRESS_LENGTH);
    assert!(!address.as_recorded.chars().any(char::is_control));
    assert_eq!(
        address.as_recorded,
        address
            .as_recorded
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
    for part in [
        &address.flat,
        &address.building,
        &address.number,
        &address.street,
        &address.locality,
        &address.town,
    ]
    .into_iter()
    .flatten()
    {
        assert!(!part.trim().is_empty(), "an empty part in {address:?}");
    }
    if let Some(postcode) = &address.postcode {
        assert_eq!(
            Postcode::parse(&postcode.to_string()).as_ref(),
            Ok(postcode)
        );
    }
    let stored = serde_json::to_string(&address).expect("an address serialises");
    let read: Address = serde_json::from_str(&stored)
        .unwrap_or_else(|error| panic!("{address:?} stored as {stored} reads back as {error}"));
    assert_eq!(read, address, "stored as {stored}");
}

fn check_linkage(text: &str) {
    if let Some(parsed) = parse_address_line(text) {
        for part in [
            &parsed.flat,
            &parsed.house_number,
            &parsed.street_name,
            &parsed.street_suffix,
        ]
        .into_iter()
        .flatten()
        {
            assert!(!part.is_empty(), "an empty part in {parsed:?}");
        }
    }
    for word in text.split_whitespace() {
        let _ = canonical_suffix(word);
    }
}

fn check_text(text: &str) {
    check_domain(Address::from_text(text));
    check_domain(serde_json::from_value::<Address>(serde_json::Value::from(
        text,
    )));
    check_linkage(text);
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check_text(text);
    }
    let mut u = Unstructured::new(data);
    let Ok(text) = field_text(&mut u, ADDRESS_PIECES) else {
        return;
    };
    check_text(&text);
    let postcode = match u.ratio(1, 2) {
        Ok(true) => field_text(&mut u, POSTCODE_PIECES).ok(),
        _ => None,
    };
    let mut object = serde_json::Map::new();
    object.insert("text".into(), text.into());
    if let Some(postcode) = postcode {
        object.insert("postcode".into(), postcode.into());
    }
    check_domain(serde_json::from_value::<Address>(object.into()));
});
