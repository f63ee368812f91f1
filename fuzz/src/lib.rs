//! Text shaped like what agencies write, built from the fuzzer's bytes.
//!
//! libFuzzer mutates bytes; a parser of dates or postcodes rejects almost every random
//! byte string at its first check, so random bytes alone rarely reach the code that
//! splits, slices and converts. Each target therefore also reads its input as a recipe
//! (through `arbitrary::Unstructured`): pieces of real-format text (`10/03/2021`,
//! `QA1 2BD`, `Flat 3`, `née`) glued with the characters that break parsers (separators,
//! letters whose lower case is longer than themselves, control characters, combining
//! marks). The pieces are formats, never people: no value here names anyone in
//! `fixtures/` or the scenarios.

use arbitrary::{Result, Unstructured};

/// Characters that have broken text handling elsewhere: byte-length changes under
/// `to_lowercase` (`İ`, `ẞ`), non-ASCII digits and spaces, combining marks, controls,
/// brackets and the separators agencies use.
const AWKWARD: &[&str] = &[
    " ",
    "  ",
    ",",
    ", ",
    "-",
    "/",
    ".",
    "(",
    ")",
    "[",
    "]",
    "'",
    "\u{2019}",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{7f}",
    "\u{a0}",
    "\u{2009}",
    "\u{200b}",
    "\u{feff}",
    "\u{301}",
    "İ",
    "ẞ",
    "ß",
    "Ǆ",
    "ﬁ",
    "é",
    "Ø",
    "æ",
    "ñ",
    "\u{661}",
    "\u{ff11}",
    "😀",
    "\u{10ffff}",
    "+",
    ":",
    "T",
    "Z",
    ";",
    "&",
    "\"",
    "\\",
    "%",
    "_",
    "0",
    "9",
    "a",
    "Z",
];

/// Pieces of dates and times in every way agencies write them.
pub const DATE_PIECES: &[&str] = &[
    "2021",
    "1880",
    "1879",
    "1800",
    "2200",
    "9999",
    "0000",
    "-0001",
    "+002021",
    "10",
    "03",
    "3",
    "31",
    "29",
    "30",
    "00",
    "13",
    "99",
    "02",
    "12",
    "01",
    "1",
    "2",
    "/",
    "-",
    ".",
    " ",
    ",",
    "T",
    ":",
    "14:30",
    "00:00",
    "23:59:59",
    "01:30",
    "24:00",
    ":60",
    ".5",
    ".123456789",
    "Z",
    "z",
    "+01:00",
    "-05:00",
    "+14:00",
    "+00:00:30",
    "[Europe/London]",
    "March",
    "Mar",
    "sept",
    "Sept",
    "February",
    "dec",
    "ma",
    "born",
    "2021-03-10",
    "10/03/2021",
    "2021-03",
    "03/2021",
    "2022-03-27T01:30",
    "2022-10-30T01:30",
    "20210310",
    "10032021",
    "2021-02-29",
    "1900-02-29",
    "2000-02-29",
    "9999-12-31T23:59-05:00",
    "0000-01-01T00:00+14:00",
];

/// Pieces of UK postcodes, valid and nearly valid.
pub const POSTCODE_PIECES: &[&str] = &[
    "QA1", "QA", "Q", "SW1A", "M1", "B33", "GIR", "0AA", "2LS", "1AA", "8TH", "5DX", "2CI", "2KM",
    "O", "0", "9", "A", "AA", "1", "99", " ", "  ", "-", ",", ".", "qa1 2bd", "QA12BD", "EC1A 1BB",
    "W1A 0AX", "gir 0aa", "QA1 2B5",
];

/// Pieces of NHS numbers: valid ones in the 999 test range, near misses and separators.
pub const NHS_PIECES: &[&str] = &[
    "999",
    "000",
    "0018",
    "9990000018",
    "999 000 0018",
    "999-000-0018",
    "9995551233",
    "943",
    "476",
    "5919",
    "0",
    "1",
    "9",
    "10",
    " ",
    "-",
    "  ",
    "\t",
    "O",
    "I",
    "+",
    ".",
];

/// Pieces of names as agencies record them: parts, placeholders, titles, markers of
/// former names, initials, punctuation.
pub const NAME_PIECES: &[&str] = &[
    "SMITH",
    "Smith",
    "Jones",
    "O'Brien",
    "Smith-Jones",
    "van der",
    "Mc",
    "John",
    "Jack",
    "Jonathan",
    "Alex",
    "J",
    "J.",
    "D.P.",
    "Baby",
    "baby boy",
    "Baby of",
    "girl",
    "twin 1",
    "Unknown",
    "not known",
    "no name",
    "Mr",
    "Mrs",
    "Dr",
    "née",
    "nee",
    "formerly",
    "aka",
    "known as",
    "also known as",
    "(",
    ")",
    "[",
    "]",
    ",",
    ", ",
    " ",
    "-",
    "'",
    "Zoë",
    "Ørsted",
    "Ślęzak",
    "ßtraße",
    "İpek",
    "Ǆemal",
    "\u{301}",
    "a",
    "x",
    "X",
];

/// Pieces of addresses: flats, numbers, streets and suffixes, towns, postcodes.
pub const ADDRESS_PIECES: &[&str] = &[
    "Flat",
    "flat",
    "Apartment",
    "apt",
    "Unit",
    "Room",
    "Maisonette",
    "3",
    "18",
    "3/18",
    "41a",
    "12-14",
    "0",
    "High",
    "Street",
    "St",
    "Road",
    "Rd",
    "Avenue",
    "Ave",
    "Close",
    "Court",
    "Lane",
    "House",
    "Mill",
    "Anytown",
    "London",
    "Oldtown",
    "QA1 2BD",
    "QA12BD",
    "QZ9 9ZZ",
    "GIR 0AA",
    ",",
    ", ",
    " ",
    ";",
    "\n",
    ".",
    "c/o",
    "NFA",
];

/// Texts of a few agency-written fields for the event builder's free-text fields.
pub const WORDS: &[&str] = &[
    "seen", "at home", "bruise", "left", "right", "mother", "friend", "", " ", "yes", "no",
    "unknown", "PAS", "CASE-SYS", "HOSP", "GP", "POL",
];

/// Up to `max_pieces` pieces, each either from `pieces` or awkward, joined as they come.
pub fn shaped_text(u: &mut Unstructured, pieces: &[&str], max_pieces: usize) -> Result<String> {
    let count = u.int_in_range(0..=max_pieces)?;
    let mut text = String::new();
    for _ in 0..count {
        let piece = if u.ratio(1, 4)? {
            *u.choose(AWKWARD)?
        } else {
            *u.choose(pieces)?
        };
        text.push_str(piece);
    }
    Ok(text)
}

/// Text that is sometimes shaped and sometimes arbitrary UTF-8 from the input.
pub fn field_text(u: &mut Unstructured, pieces: &[&str]) -> Result<String> {
    if u.ratio(1, 8)? {
        <String as arbitrary::Arbitrary>::arbitrary(u)
    } else {
        shaped_text(u, pieces, 8)
    }
}

/// The input as text when it is UTF-8: every target also feeds its parser the raw input,
/// so that the seed corpus (real-format examples) is mutated directly.
pub fn as_text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Detail field names that occur across the event kinds, so a built event's details
/// sometimes carry the fields its kind reads.
pub const DETAIL_KEYS: &[&str] = &[
    "address",
    "advice",
    "agencies_present",
    "announced",
    "appointment",
    "body_site",
    "brought_by",
    "category",
    "change",
    "child_present",
    "conference_type",
    "count",
    "decision",
    "description",
    "direction",
    "discharge_address",
    "discharged_to",
    "estimated_age",
    "examination_completed",
    "explanations",
    "finding",
    "form",
    "given_by",
    "incident_type",
    "injuries",
    "injury_type",
    "location",
    "mode",
    "offence",
    "opinion",
    "outcome",
    "placement_type",
    "plan",
    "presenting_complaint",
    "purpose",
    "reason",
    "recorder_opinion",
    "referred_to",
    "return_date",
    "returned_home",
    "risk",
    "setting",
    "side",
    "start",
    "end",
    "status",
    "text",
    "topic",
    "urgency",
    "ward",
    "with",
    "with_whom",
];

/// Values a detail field may hold: vocabulary of the body map and outcomes, booleans.
const DETAIL_WORDS: &[&str] = &[
    "head",
    "scalp",
    "forehead",
    "left",
    "right",
    "both",
    "bruise",
    "burn",
    "scald",
    "consistent_with_explanation",
    "uncertain",
    "concern",
    "child_protection",
    "child_in_need",
    "home",
    "school",
    "urgent",
    "routine",
    "mother",
    "foster_care",
    "yes",
];

const ROLES: &[&str] = &[
    "subject_child",
    "sibling",
    "parent",
    "carer",
    "partner",
    "next_of_kin",
    "emergency_contact",
    "household_member",
    "suspect",
    "victim",
    "witness",
    "reporter",
    "professional",
    "mentioned",
    "child",
];

const MARKERS: &[&str] = &[
    "violence",
    "child_harm",
    "domestic_abuse",
    "sexual_offence",
    "weapons",
    "drugs",
    "vulnerable_adult_victim",
    "animal_cruelty",
    "other",
];

const SEXES: &[&str] = &[
    "male",
    "female",
    "M",
    "f",
    "U",
    "indeterminate",
    "unknown",
    "X",
];

const AGENCIES: &[&str] = &["HOSP", "GP", "POL", "CSC", "A", "AB-1", "-AB", "ab", ""];

fn sometimes(u: &mut Unstructured) -> Result<bool> {
    u.ratio(2, 3)
}

fn string(u: &mut Unstructured, pieces: &[&str]) -> Result<serde_json::Value> {
    field_text(u, pieces).map(serde_json::Value::from)
}

/// A JSON value of any shape, shallow, for fields whose type is being probed.
fn any_value(u: &mut Unstructured, depth: u8) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match u.int_in_range(0..=7)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => serde_json::Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 if depth > 0 => {
            let count = u.int_in_range(0..=3)?;
            let mut items = Vec::new();
            for _ in 0..count {
                items.push(any_value(u, depth - 1)?);
            }
            Value::Array(items)
        }
        5 if depth > 0 => details(u, depth - 1)?,
        6 => string(u, DATE_PIECES)?,
        _ => string(u, DETAIL_WORDS)?,
    })
}

fn details(u: &mut Unstructured, depth: u8) -> Result<serde_json::Value> {
    let mut object = serde_json::Map::new();
    for _ in 0..u.int_in_range(0..=6)? {
        let key = *u.choose(DETAIL_KEYS)?;
        object.insert(key.to_owned(), any_value(u, depth)?);
    }
    Ok(object.into())
}

fn name(u: &mut Unstructured) -> Result<serde_json::Value> {
    if u.ratio(1, 3)? {
        let mut object = serde_json::Map::new();
        for key in [
            "text",
            "given",
            "family",
            "preferred",
            "as_recorded",
            "middle",
        ] {
            if u.ratio(1, 2)? {
                let value = if key == "middle" {
                    serde_json::Value::from(vec![field_text(u, NAME_PIECES)?])
                } else {
                    string(u, NAME_PIECES)?
                };
                object.insert(key.to_owned(), value);
            }
        }
        Ok(object.into())
    } else {
        string(u, NAME_PIECES)
    }
}

fn address(u: &mut Unstructured) -> Result<serde_json::Value> {
    if u.ratio(1, 4)? {
        let mut object = serde_json::Map::new();
        object.insert("text".to_owned(), string(u, ADDRESS_PIECES)?);
        if u.ratio(1, 2)? {
            object.insert("postcode".to_owned(), string(u, POSTCODE_PIECES)?);
        }
        Ok(object.into())
    } else {
        string(u, ADDRESS_PIECES)
    }
}

fn person(u: &mut Unstructured) -> Result<serde_json::Value> {
    use serde_json::Value;
    let mut object = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        object.insert(key.to_owned(), value);
    };
    put("role", Value::from(*u.choose(ROLES)?));
    put("name", name(u)?);
    if sometimes(u)? {
        put("date_of_birth", string(u, DATE_PIECES)?);
    }
    if u.ratio(1, 2)? {
        put("sex", Value::from(*u.choose(SEXES)?));
    }
    if u.ratio(1, 2)? {
        put("nhs_number", string(u, NHS_PIECES)?);
    }
    if sometimes(u)? {
        let mut addresses = Vec::new();
        for _ in 0..u.int_in_range(0..=2)? {
            addresses.push(address(u)?);
        }
        put("addresses", Value::Array(addresses));
    }
    if u.ratio(1, 3)? {
        let mut aliases = Vec::new();
        for _ in 0..u.int_in_range(0..=2)? {
            aliases.push(name(u)?);
        }
        put("aliases", Value::Array(aliases));
    }
    if u.ratio(1, 3)? {
        put(
            "phone",
            string(u, &["07700", "900", "123", "+44", "(0)", " ", "-", "+"])?,
        );
    }
    if u.ratio(1, 3)? {
        put("markers", Value::from(vec![*u.choose(MARKERS)?]));
    }
    for key in ["agency_reference", "relationship", "notes"] {
        if u.ratio(1, 4)? {
            put(key, string(u, WORDS)?);
        }
    }
    if u.ratio(1, 16)? {
        put("unexpected", any_value(u, 1)?);
    }
    Ok(object.into())
}

/// An event shaped like the import format (`docs/API.md`): the right top-level fields
/// most of the time, each filled with agency-shaped text, so that the fuzzer reaches the
/// parsing of people, dates and details instead of stopping at a missing `kind`.
pub fn event(u: &mut Unstructured, kinds: &[&str]) -> Result<serde_json::Value> {
    use serde_json::Value;
    let mut object = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        object.insert(key.to_owned(), value);
    };
    put("kind", Value::from(*u.choose(kinds)?));
    put("agency", Value::from(*u.choose(AGENCIES)?));
    put("source_system", string(u, WORDS)?);
    put(
        "source_id",
        Value::from(format!("id-{}", u.arbitrary::<u16>()?)),
    );
    put("occurred_at", string(u, DATE_PIECES)?);
    if u.ratio(1, 3)? {
        put("recorded_at", string(u, DATE_PIECES)?);
    }
    if u.ratio(1, 3)? {
        put(
            "recorded_by",
            serde_json::json!({ "name": field_text(u, NAME_PIECES)? }),
        );
    }
    if u.ratio(1, 8)? {
        let id = if u.ratio(1, 2)? {
            "0190b2a4-0000-7000-8000-000000000000".to_owned()
        } else {
            field_text(u, WORDS)?
        };
        put("supersedes", Value::from(id));
    }
    if u.ratio(1, 2)? {
        put("summary", string(u, WORDS)?);
    }
    let mut people = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        people.push(person(u)?);
    }
    put("people", Value::Array(people));
    put("details", details(u, 2)?);
    if u.ratio(1, 16)? {
        put("unexpected", any_value(u, 1)?);
    }
    Ok(object.into())
}
