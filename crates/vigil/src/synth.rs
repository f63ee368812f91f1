//! Realistic, wholly fictional events for benchmarks and load tests: each one an
//! injury observation about a child, with a parent and the parent's partner, one of
//! them carrying two injuries' worth of explanation. Names are invented, NHS numbers are
//! in the 999 range that is never issued, and postcodes begin with Q, which no real
//! postcode does. Deterministic for a given seed, with no dependency on a random crate.

use serde_json::{Value, json};
use vigil_domain::nhs_number::check_digit;

pub const GIVEN_CHILD: &[&str] = &[
    "Tomos", "Isla", "Rowan", "Elsie", "Caspian", "Wren", "Otto", "Marnie", "Jago", "Tilda",
];
pub const GIVEN_ADULT: &[&str] = &[
    "Bryony", "Fergal", "Imogen", "Lachlan", "Perpetua", "Oswin", "Delphine", "Rufus",
];
pub const FAMILY: &[&str] = &[
    "QUILLBY",
    "ZEBEDEE",
    "MARCHBANK",
    "TIDDICOMBE",
    "VOSPER",
    "YARWOOD",
    "KELLAWAY",
    "PENROSE",
];
pub const STREETS: &[&str] = &[
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

    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
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

/// Family names for the latency benchmark's population, made of two parts so that a
/// casebook of tens of thousands of families has hundreds of surnames, as a borough's
/// has, rather than a handful that every record would share.
const FAMILY_START: &[&str] = &[
    "ASH", "BRAM", "COL", "DUN", "ELL", "FARN", "GOLD", "HAR", "IVER", "KEM", "LANG", "MOR",
    "NETH", "OAK", "PEN", "QUAR", "ROS", "STAN", "THORN", "UPP", "WHIT", "YEO",
];
const FAMILY_END: &[&str] = &[
    "BRIDGE", "COMBE", "DALE", "FIELD", "FORD", "GATE", "HURST", "LEY", "MERE", "STEAD", "THWAITE",
    "TON", "WELL", "WICK", "WORTH", "BY",
];
/// Street names for the same population: hundreds of streets, as a borough has, so that
/// a house number and street name are shared by a few families, not by hundreds.
const STREET_START: &[&str] = &[
    "Alder", "Beacon", "Chapel", "Dairy", "Elm", "Furze", "Glebe", "Hollow", "Kiln", "Larch",
    "Mill", "Nursery", "Osier", "Priory", "Quarry", "Rectory", "Sandpit", "Tanner", "Vicarage",
    "Warren", "Yew", "Bramble", "Cooper", "Drover", "Forge", "Granary", "Heron", "Linnet", "Mason",
    "Pound",
];
const STREET_END: &[&str] = &[
    "Road", "Lane", "Close", "Way", "Street", "Court", "Avenue", "Gardens", "Drive", "Row",
];
const GIVEN_CHILD_MORE: &[&str] = &[
    "Tomos", "Isla", "Rowan", "Elsie", "Caspian", "Wren", "Otto", "Marnie", "Jago", "Tilda",
    "Arlo", "Bea", "Cosmo", "Dulcie", "Ezra", "Flora", "Gus", "Hattie", "Idris", "Juno", "Kit",
    "Lyra", "Monty", "Nell", "Orla", "Piers", "Queenie", "Rafferty", "Sable", "Tobin",
];

/// One family of the latency benchmark's background population: a child, the mother,
/// and their home. The same index always gives the same family, so a later event about
/// it names the same people the same way.
struct Family {
    family: String,
    child: &'static str,
    child_born: String,
    sex: &'static str,
    nhs_number: String,
    mother: &'static str,
    mother_born: String,
    address: String,
}

fn family(index: u64) -> Family {
    let mut sequence = Sequence::new(index.wrapping_mul(0xD129_0A2B_6C8E_5F13) ^ 0x5EED);
    let family = format!(
        "{}{}",
        sequence.pick(FAMILY_START),
        sequence.pick(FAMILY_END)
    );
    let child = sequence.pick(GIVEN_CHILD_MORE);
    let child_born = format!(
        "{}-{:02}-{:02}",
        2016 + sequence.below(8),
        1 + sequence.below(12),
        1 + sequence.below(28)
    );
    let sex = if sequence.below(2) == 0 {
        "male"
    } else {
        "female"
    };
    let nhs_number = test_nhs_number(&mut sequence);
    let mother = sequence.pick(GIVEN_ADULT);
    let mother_born = format!(
        "{}-{:02}-{:02}",
        1980 + sequence.below(20),
        1 + sequence.below(12),
        1 + sequence.below(28)
    );
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let mut inward_letter = || char::from(INWARD[sequence.below(INWARD.len() as u64) as usize]);
    let (first, second) = (inward_letter(), inward_letter());
    let postcode = format!(
        "Q{}{} {}{first}{second}",
        char::from(b'A' + sequence.below(20) as u8),
        1 + sequence.below(9),
        sequence.below(10)
    );
    let address = format!(
        "{} {} {}, Testwick {postcode}",
        1 + sequence.below(200),
        sequence.pick(STREET_START),
        sequence.pick(STREET_END)
    );
    Family {
        family,
        child,
        child_born,
        sex,
        nhs_number,
        mother,
        mother_born,
        address,
    }
}

/// The `index`-th routine event of a latency run: a GP or health-visitor attendance,
/// the child seen with the mother, which raises no alert. Three in four are about a new
/// family; the rest about an earlier one, so children gain records as the casebook grows.
pub fn routine_event(sequence: &mut Sequence, run: &str, index: u64) -> Value {
    let about = if index >= 4 && sequence.below(4) == 0 {
        sequence.below(index)
    } else {
        index
    };
    let family = family(about);
    let (agency, system, setting) = if sequence.below(2) == 0 {
        ("QGP", "QGP-EMIS", "gp")
    } else {
        ("QHV", "QHV-RIO", "health_visitor")
    };
    let day = 1 + sequence.below(28);
    let month = 1 + sequence.below(12);
    json!({
        "kind": "health_attendance",
        "agency": agency,
        "source_system": system,
        "source_id": format!("{run}-{index}"),
        "occurred_at": format!("2025-{month:02}-{day:02}T{:02}:{:02}", 8 + sequence.below(10), sequence.below(60)),
        "recorded_by": { "name": "Dr Ada QUILL", "role": "general practitioner" },
        "summary": "Routine review; child seen with mother; no concerns.",
        "people": [
            { "role": "subject_child", "name": format!("{}, {}", family.family, family.child),
              "date_of_birth": family.child_born, "sex": family.sex, "nhs_number": family.nhs_number,
              "addresses": [family.address.clone()], "agency_reference": format!("{agency}-C-{about}") },
            { "role": "parent", "name": format!("{}, {}", family.family, family.mother), "relationship": "mother",
              "date_of_birth": family.mother_born, "addresses": [family.address],
              "agency_reference": format!("{agency}-M-{about}") }
        ],
        "details": { "setting": setting, "presenting_complaint": "routine review", "brought_by": "mother", "child_present": true }
    })
}

/// The `index`-th probe of a latency run: bruising seen in an infant of four months
/// with an NHS number of its own, which raises the alert "bruising or injury in a child
/// who is not independently mobile" (NICE CG89) for a child new to Vigil. The child is
/// the event's first person, so its person id is `{event id}.0`.
pub fn probe_event(sequence: &mut Sequence, run: &str, index: u64) -> Value {
    let family = sequence.pick(FAMILY_START).to_string() + sequence.pick(FAMILY_END);
    let child = sequence.pick(GIVEN_CHILD_MORE);
    let address = format!(
        "{} {} {}, Testwick QT{} {}AB",
        1 + sequence.below(200),
        sequence.pick(STREET_START),
        sequence.pick(STREET_END),
        1 + sequence.below(9),
        sequence.below(10)
    );
    json!({
        "kind": "injury_observation",
        "agency": "QAH",
        "source_system": "QAH-ED",
        "source_id": format!("{run}-probe-{index}"),
        "occurred_at": "2025-06-10T10:30",
        "recorded_by": { "name": "Dr Ada QUILL", "role": "paediatric registrar" },
        "summary": "Infant brought in with a bruise to the cheek.",
        "people": [
            { "role": "subject_child", "name": format!("{family}, {child}"), "date_of_birth": "2025-02-03",
              "sex": "female", "nhs_number": test_nhs_number(sequence), "addresses": [address] }
        ],
        "details": { "injuries": [
            { "body_site": "cheek", "side": "left", "injury_type": "bruise", "count": 1, "size_cm": 1.0,
              "explanations": [{ "given_by": "mother", "text": "rolled against the cot side" }],
              "recorder_opinion": "concern" }
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

    #[test]
    fn latency_events_are_valid_and_a_family_is_named_the_same_way_each_time() {
        let mut sequence = Sequence::new(7);
        for index in 0..200 {
            for value in [
                routine_event(&mut sequence, "T", index),
                probe_event(&mut sequence, "T", index),
            ] {
                let event = parse_event(&value, "", jiff::Timestamp::now(), &Limits::default())
                    .unwrap_or_else(|errors| panic!("{value}: {errors:?}"));
                assert!(event.people[0].nhs_number.unwrap().is_test_range());
            }
        }
        let a = family(42);
        let b = family(42);
        assert_eq!((a.nhs_number, a.address), (b.nhs_number, b.address));
    }
}
