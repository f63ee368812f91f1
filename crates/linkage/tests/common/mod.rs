//! A synthetic population for tests and the benchmark: households (adults, children,
//! sometimes twins, sometimes a parent and child with the same name), each person
//! recorded by several agencies with the kinds of error agencies make. Entirely
//! fictional: names from common-name pools, postcodes starting with Q (never used in
//! the UK), NHS numbers in the 999 range (never issued).

#![allow(dead_code)]

use vigil_linkage::IdentityRecord;

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
    pub fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const MALE: &[&str] = &[
    "William",
    "James",
    "Thomas",
    "Daniel",
    "Matthew",
    "Michael",
    "Christopher",
    "Robert",
    "Richard",
    "Philip",
    "Darren",
    "Anthony",
    "Edward",
    "Jonathan",
    "Samuel",
    "Benjamin",
    "Joseph",
    "Alexander",
    "Nicholas",
    "Stephen",
    "Oliver",
    "Harry",
    "Jack",
    "George",
    "Noah",
    "Leo",
    "Oscar",
    "Arthur",
    "Henry",
    "Frederick",
    "Callum",
    "Kieran",
];
const FEMALE: &[&str] = &[
    "Elizabeth",
    "Margaret",
    "Catherine",
    "Rebecca",
    "Jennifer",
    "Victoria",
    "Samantha",
    "Kerry",
    "Jessica",
    "Charlotte",
    "Emily",
    "Olivia",
    "Amelia",
    "Isabella",
    "Sophie",
    "Hannah",
    "Lucy",
    "Abigail",
    "Patricia",
    "Susan",
    "Deborah",
    "Natalie",
    "Nicola",
    "Amber",
    "Ruby",
    "Holly",
    "Grace",
    "Freya",
    "Megan",
    "Chloe",
    "Ellie",
    "Zara",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Hughes",
    "Edwards",
    "Turner",
    "Harrison",
    "Baker",
    "Ashworth",
    "Pemberton",
    "Threlfall",
    "Oyelaran",
    "Nowak",
    "Kaur",
    "Okafor",
    "Lindqvist",
    "Fairbairn",
    "Quigley",
    "Haddow",
    "Marchetti",
    "Szabo",
    "Penhaligon",
    "Achterberg",
    "Smith-Jones",
    "Morgan-Price",
];
const STREETS: &[&str] = &[
    "Albert", "Victoria", "Station", "Church", "Mill", "Park", "Kings", "Queens", "Manor",
    "Orchard", "Willow", "Beech", "Ferrier", "Cobden", "Saltings", "Linden", "Harbour", "Granary",
    "Tanner", "Cooper",
];
const SUFFIXES: &[&str] = &[
    "Road", "Street", "Avenue", "Close", "Court", "Lane", "Way", "Terrace",
];
const NICKNAMES: &[(&str, &str)] = &[
    ("William", "Bill"),
    ("James", "Jim"),
    ("Thomas", "Tom"),
    ("Daniel", "Dan"),
    ("Matthew", "Matt"),
    ("Michael", "Mike"),
    ("Christopher", "Chris"),
    ("Robert", "Bob"),
    ("Richard", "Rick"),
    ("Philip", "Pip"),
    ("Darren", "Daz"),
    ("Anthony", "Tony"),
    ("Edward", "Ted"),
    ("Samuel", "Sam"),
    ("Benjamin", "Ben"),
    ("Joseph", "Joe"),
    ("Alexander", "Alex"),
    ("Nicholas", "Nick"),
    ("Stephen", "Steve"),
    ("Elizabeth", "Liz"),
    ("Margaret", "Maggie"),
    ("Catherine", "Kate"),
    ("Rebecca", "Becky"),
    ("Jennifer", "Jenny"),
    ("Victoria", "Vicky"),
    ("Samantha", "Sam"),
    ("Kerry", "Kez"),
    ("Jessica", "Jess"),
    ("Charlotte", "Lottie"),
    ("Patricia", "Trish"),
    ("Susan", "Sue"),
    ("Deborah", "Debbie"),
    ("Frederick", "Freddie"),
    ("Henry", "Harry"),
];
const SOURCES: &[&str] = &["GP", "HOSP", "SOCIAL", "POLICE", "SCHOOL", "HOUSING"];

/// One true person.
#[derive(Clone, Debug)]
pub struct TruePerson {
    pub given: String,
    pub family: String,
    pub sex: &'static str,
    pub dob: (u16, u8, u8),
    pub nhs: Option<String>,
    pub house: u16,
    pub street: String,
    pub suffix: String,
    pub postcode: String,
    pub phone: String,
}

pub fn nhs_number(rng: &mut Rng) -> String {
    loop {
        let body: Vec<u32> = [9, 9, 9]
            .into_iter()
            .chain((0..6).map(|_| rng.below(10) as u32))
            .collect();
        let sum: u32 = body.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        return body
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| d.to_string())
            .collect();
    }
}

fn typo(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        return text.to_owned();
    }
    let i = 1 + rng.below(chars.len() - 2);
    match rng.below(3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => chars[i] = (b'a' + rng.below(26) as u8) as char,
    }
    chars.into_iter().collect()
}

/// Builds `households` households. Returns the people and their records; the record's
/// true person is the index in the first vector, given by the second element.
pub fn population(seed: u64, households: usize) -> (Vec<TruePerson>, Vec<(IdentityRecord, usize)>) {
    let mut rng = Rng(seed);
    let mut people: Vec<TruePerson> = Vec::new();
    for h in 0..households {
        let family = rng.pick(FAMILY).to_owned();
        let street = rng.pick(STREETS).to_owned();
        let suffix = rng.pick(SUFFIXES).to_owned();
        let house = 1 + rng.below(120) as u16;
        let postcode = format!(
            "Q{}{} {}{}{}",
            (b'A' + (h % 26) as u8) as char,
            1 + rng.below(9),
            rng.below(10),
            (b'A' + rng.below(26) as u8) as char,
            (b'A' + rng.below(26) as u8) as char
        );
        let phone = format!("07700 900{:03}", rng.below(1000));
        let parent_year = 1960 + rng.below(35) as u16;
        let member =
            |rng: &mut Rng, given: &str, sex: &'static str, dob: (u16, u8, u8)| TruePerson {
                given: given.to_owned(),
                family: family.clone(),
                sex,
                dob,
                nhs: rng.chance(0.85).then(|| nhs_number(rng)),
                house,
                street: street.clone(),
                suffix: suffix.clone(),
                postcode: postcode.clone(),
                phone: phone.clone(),
            };
        let mother_given = rng_pick(&mut rng, FEMALE);
        let mother_dob = (
            parent_year,
            1 + rng.below(12) as u8,
            1 + rng.below(28) as u8,
        );
        let mother = member(&mut rng, mother_given, "F", mother_dob);
        people.push(mother);
        let father_given = rng_pick(&mut rng, MALE).to_owned();
        if rng.chance(0.6) {
            let father_dob = (
                parent_year - rng.below(8) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            );
            let father = member(&mut rng, &father_given, "M", father_dob);
            people.push(father);
        }
        let children = rng.below(4);
        let mut used: Vec<String> = Vec::new();
        for c in 0..children {
            let sex = if rng.chance(0.5) { "M" } else { "F" };
            let mut given = rng_pick(&mut rng, if sex == "M" { MALE } else { FEMALE }).to_owned();
            // Sometimes a son carries his father's name: the parent/child namesake case.
            if c == 0 && sex == "M" && rng.chance(0.3) {
                given = father_given.clone();
            }
            if used.contains(&given) {
                continue;
            }
            used.push(given.clone());
            let dob = (
                2005 + rng.below(18) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
            );
            people.push(member(&mut rng, &given, sex, dob));
            // Twins: same date of birth, same address, different name.
            if rng.chance(0.04) {
                let twin_sex = if rng.chance(0.5) { "M" } else { "F" };
                let twin =
                    rng_pick(&mut rng, if twin_sex == "M" { MALE } else { FEMALE }).to_owned();
                if !used.contains(&twin) {
                    used.push(twin.clone());
                    people.push(member(&mut rng, &twin, twin_sex, dob));
                }
            }
        }
    }
    let mut records = Vec::new();
    for (p, person) in people.iter().enumerate() {
        let copies = 1 + rng.below(4);
        for k in 0..copies {
            records.push((record_of(&mut rng, person, &format!("S{p:05}-{k}")), p));
        }
    }
    (people, records)
}

fn rng_pick(rng: &mut Rng, items: &'static [&'static str]) -> &'static str {
    items[rng.below(items.len())]
}

fn record_of(rng: &mut Rng, person: &TruePerson, id: &str) -> IdentityRecord {
    let mut given = person.given.clone();
    if rng.chance(0.2)
        && let Some((_, nick)) = NICKNAMES.iter().find(|(formal, _)| *formal == person.given)
    {
        given = (*nick).to_owned();
    }
    if rng.chance(0.08) {
        given = typo(rng, &given);
    }
    let mut family = person.family.clone();
    if rng.chance(0.08) {
        family = typo(rng, &family);
    }
    let (y, m, d) = person.dob;
    let dob = if rng.chance(0.05) && d <= 12 && d != m {
        format!("{m:02}/{d:02}/{y}")
    } else if rng.chance(0.5) {
        format!("{d:02}/{m:02}/{y}")
    } else {
        format!("{y}-{m:02}-{d:02}")
    };
    let suffix = if rng.chance(0.1) {
        rng_pick(rng, SUFFIXES).to_owned()
    } else {
        person.suffix.clone()
    };
    IdentityRecord {
        record_id: id.to_owned(),
        given_name: Some(given),
        family_name: Some(if rng.chance(0.5) {
            family.to_uppercase()
        } else {
            family
        }),
        date_of_birth: rng.chance(0.95).then_some(dob),
        sex: rng.chance(0.8).then(|| person.sex.to_owned()),
        nhs_number: person.nhs.clone().filter(|_| rng.chance(0.6)),
        address_line: rng
            .chance(0.9)
            .then(|| format!("{} {} {}", person.house, person.street, suffix)),
        postcode: rng.chance(0.85).then(|| person.postcode.clone()),
        phone: rng.chance(0.3).then(|| person.phone.clone()),
        source: Some(rng_pick(rng, SOURCES).to_owned()),
        ..Default::default()
    }
}

/// A model trained (unsupervised) on a synthetic population, shared by the tests.
pub fn trained_model() -> &'static vigil_linkage::LinkageModel {
    static MODEL: std::sync::OnceLock<vigil_linkage::LinkageModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| {
        let (_, records) = population(42, 300);
        let records: Vec<IdentityRecord> = records.into_iter().map(|(r, _)| r).collect();
        let options = vigil_linkage::TrainingOptions {
            u_sample_pairs: 50_000,
            ..Default::default()
        };
        vigil_linkage::LinkageModel::train_unsupervised(
            &vigil_linkage::standardise_all(&records),
            &options,
        )
        .expect("trains")
    })
}
