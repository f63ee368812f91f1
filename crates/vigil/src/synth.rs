//! Realistic, wholly fictional events for benchmarks and load tests: each one an
//! injury observation about a child, with a parent and the parent's partner, one of
//! them carrying two injuries' worth of explanation. Names are invented, NHS numbers are
//! in the 999 range that is never issued, and postcodes begin with Q, which no real
//! postcode does. Deterministic for a given seed, with no dependency on a random crate.

use serde_json::{Value, json};
use vigil_domain::nhs_number::check_digit;

const GIVEN_CHILD: &[&str] = &[
    "Tomos", "Isla", "Rowan", "Elsie", "Caspian", "Wren", "Otto", "Marnie", "Jago", "Tilda",
];
const GIVEN_ADULT: &[&str] = &[
    "Bryony", "Fergal", "Imogen", "Lachlan", "Perpetua", "Oswin", "Delphine", "Rufus",
];
const FAMILY: &[&str] = &[
    "QUILLBY",
    "ZEBEDEE",
    "MARCHBANK",
    "TIDDICOMBE",
    "VOSPER",
    "YARWOOD",
    "KELLAWAY",
    "PENROSE",
];
const STREETS: &[&str] = &[
    "Quill Lane",
    "Ashgrove Road",
    "Tanyard Close",
    "Orchard Way",
    "Ferrier Court",
    "Saltmarsh Street",
];
const AGENCIES: &[(&str, &str)] = &[
    ("QAH", "QAH-ED"),
    ("QGP", "QGP-EMIS"),
    ("QCS", "QCS-CASE"),
    ("QPD", "QPD-NICHE"),
];

/// A small deterministic generator (SplitMix64).
pub struct Sequence(u64);

impl Sequence {
    pub fn new(seed: u64) -> Self {
        Sequence(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len() as u64) as usize]
    }
}

/// An NHS number in the test range with a correct check digit.
pub fn test_nhs_number(sequence: &mut Sequence) -> String {
    loop {
        let mut digits = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
        for digit in &mut digits[3..] {
            *digit = sequence.below(10) as u8;
        }
        if let Some(last) = check_digit(&digits) {
            return digits
                .iter()
                .chain(std::iter::once(&last))
                .map(|d| char::from(b'0' + d))
                .collect();
        }
    }
}

/// The `index`-th event of a run: unique source id, stable content.
pub fn injury_event(sequence: &mut Sequence, run: &str, index: u64) -> Value {
    let (agency, system) = AGENCIES[sequence.below(AGENCIES.len() as u64) as usize];
    let family = sequence.pick(FAMILY);
    let child = sequence.pick(GIVEN_CHILD);
    let mother = sequence.pick(GIVEN_ADULT);
    let partner = sequence.pick(GIVEN_ADULT);
    let partner_family = sequence.pick(FAMILY);
    let house = 1 + sequence.below(120);
    let street = sequence.pick(STREETS);
    // Inward codes never use C, I, K, M, O or V.
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let mut inward_letter = || char::from(INWARD[sequence.below(INWARD.len() as u64) as usize]);
    let (first, second) = (inward_letter(), inward_letter());
    let postcode = format!(
        "Q{}{} {}{first}{second}",
        char::from(b'A' + sequence.below(20) as u8),
        1 + sequence.below(9),
        sequence.below(10)
    );
    let address = format!("{house} {street}, Testwick {postcode}");
    let day = 1 + sequence.below(28);
    let month = 1 + sequence.below(12);
    json!({
        "kind": "injury_observation",
        "agency": agency,
        "source_system": system,
        "source_id": format!("{run}-{index}"),
        "occurred_at": format!("2024-{month:02}-{day:02}T{:02}:{:02}", 8 + sequence.below(12), sequence.below(60)),
        "recorded_by": { "name": "Dr Ada QUILL", "role": "paediatric registrar" },
        "summary": "Child brought in with bruising; mother gave an account; partner present at triage.",
        "people": [
            { "role": "subject_child", "name": format!("{family}, {child}"), "date_of_birth": format!("2023-{month:02}-{day:02}"),
              "sex": if sequence.below(2) == 0 { "male" } else { "female" }, "nhs_number": test_nhs_number(sequence),
              "addresses": [address.clone()], "agency_reference": format!("{agency}-C-{index}") },
            { "role": "parent", "name": format!("{family}, {mother}"), "relationship": "mother", "date_of_birth": "1996-04-02",
              "addresses": [address.clone()], "phone": format!("07700 900{:03}", sequence.below(1000)),
              "agency_reference": format!("{agency}-M-{index}") },
            { "role": "partner", "name": format!("{partner} {partner_family}"), "relationship": "mother's partner",
              "addresses": [address] }
        ],
        "details": { "injuries": [
            { "body_site": "cheek", "side": "left", "injury_type": "bruise", "count": 2, "size_cm": 1.5,
              "explanations": [{ "given_by": "mother", "text": "fell against the coffee table" }],
              "recorder_opinion": "concern" },
            { "body_site": "upper_arm", "side": "right", "injury_type": "bruise", "count": 4,
              "description": "fingertip-pattern bruising",
              "explanations": [{ "given_by": "partner", "text": "caught him as he fell" }],
              "recorder_opinion": "probable_non_accidental" }
        ] }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::{Limits, parse_event};

    #[test]
    fn synthetic_events_are_valid_and_in_the_test_ranges() {
        let mut sequence = Sequence::new(7);
        for index in 0..500 {
            let value = injury_event(&mut sequence, "T", index);
            let event = parse_event(&value, "", jiff::Timestamp::now(), &Limits::default())
                .unwrap_or_else(|errors| panic!("{value}: {errors:?}"));
            assert_eq!(event.people.len(), 3);
            assert!(event.people[0].nhs_number.unwrap().is_test_range());
            let postcode = event.people[0].addresses[0].postcode.clone().unwrap();
            assert!(postcode.area().starts_with('Q'));
        }
    }
}
