//! Names as agencies record them: the domain's `PersonName` (text or parts, on the wire
//! as a string or an object) and linkage's name standardisation (`parse_name`, the
//! family-name alias splitter, the alias-text reader, nickname groups and Double
//! Metaphone keys).
//!
//! Properties: a domain name survives the store's round trip (serialised to JSON and read
//! back through its `Deserialize`, as `vigil-store` reads every stored event) unchanged;
//! `as_recorded` is never empty, never longer than the limit, holds no control character
//! and no run of spaces; every name linkage compares is folded (lower-case ASCII letters
//! and digits, hyphens only inside a family name's parts) and non-empty, and an initial
//! is exactly one character.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use vigil_domain::PersonName;
use vigil_domain::name::{MAX_NAME_LENGTH, NameParts};
use vigil_fuzz::{NAME_PIECES, as_text, field_text};
use vigil_linkage::NameAlias;
use vigil_linkage::name::{
    GivenName, PhoneticKey, parse_alias_text, parse_name, split_family_aliases,
};
use vigil_linkage::nicknames::nickname_group;

fn is_folded(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn check_given(given: &GivenName) {
    assert!(
        is_folded(&given.text),
        "given name {:?} is not folded",
        given.text
    );
    assert_eq!(given.is_initial, given.text.chars().count() == 1);
}

fn check_domain(name: Result<PersonName, impl std::fmt::Debug>) {
    let Ok(name) = name else { return };
    assert!(!name.as_recorded.is_empty());
    assert!(name.as_recorded.chars().count() <= MAX_NAME_LENGTH);
    assert!(!name.as_recorded.chars().any(char::is_control));
    assert_eq!(
        name.as_recorded,
        name.as_recorded
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let stored = serde_json::to_string(&name).expect("a name serialises");
    let read: PersonName = serde_json::from_str(&stored)
        .unwrap_or_else(|error| panic!("{name:?} stored as {stored} reads back as {error}"));
    assert_eq!(read, name, "stored as {stored}");
}

fn check_linkage(given: Option<&str>, middle: Option<&str>, family: Option<&str>) {
    let parsed = parse_name(given, middle, family);
    for name in parsed.given.iter().chain(&parsed.given_aliases) {
        check_given(name);
    }
    for middle in &parsed.middle_names {
        assert!(is_folded(middle), "middle name {middle:?} is not folded");
    }
    for family in parsed.family.iter().chain(&parsed.family_aliases) {
        assert!(
            is_folded(&family.full),
            "family name {:?} is not folded",
            family.full
        );
        for part in &family.parts {
            assert!(is_folded(part), "family part {part:?} is not folded");
        }
    }
}

fn check_text(text: &str) {
    check_domain(PersonName::from_text(text));
    check_domain(serde_json::from_value::<PersonName>(
        serde_json::Value::from(text),
    ));
    check_linkage(Some(text), None, None);
    check_linkage(None, Some(text), None);
    check_linkage(None, None, Some(text));
    let (main, aliases) = split_family_aliases(text);
    let _ = parse_alias_text(&main);
    for alias in &aliases {
        assert!(!alias.is_empty());
        let _ = parse_alias_text(alias);
    }
    let _ = NameAlias::from_text(text);
    let _ = PhoneticKey::of(text);
    let _ = nickname_group(text);
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = as_text(data) {
        check_text(text);
    }
    let mut u = Unstructured::new(data);
    let part = |u: &mut Unstructured| -> Option<String> {
        match u.ratio(1, 3) {
            Ok(false) => field_text(u, NAME_PIECES).ok(),
            _ => None,
        }
    };
    let text = part(&mut u);
    let given = part(&mut u);
    let family = part(&mut u);
    let preferred = part(&mut u);
    let middle: Vec<String> = (0..u.int_in_range(0..=3).unwrap_or(0))
        .filter_map(|_| part(&mut u))
        .collect();
    if let Some(text) = &text {
        check_text(text);
    }
    check_linkage(
        given.as_deref(),
        (!middle.is_empty()).then(|| middle.join(" ")).as_deref(),
        family.as_deref(),
    );
    let parts = NameParts {
        text,
        given,
        middle,
        family,
        preferred,
    };
    // On the wire as an object, and built directly: both are boundaries.
    let mut object = serde_json::Map::new();
    for (key, value) in [
        ("text", &parts.text),
        ("given", &parts.given),
        ("family", &parts.family),
        ("preferred", &parts.preferred),
    ] {
        if let Some(value) = value {
            object.insert(key.into(), value.clone().into());
        }
    }
    if !parts.middle.is_empty() {
        object.insert("middle".into(), parts.middle.clone().into());
    }
    check_domain(serde_json::from_value::<PersonName>(object.into()));
    check_domain(PersonName::parse(parts));
});
