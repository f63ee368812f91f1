//! A synthetic, entirely fictional UK population recorded by several agencies, with the
//! true answer attached.
//!
//! Linkage cannot be measured on real safeguarding records, and FEBRL's corruptions are
//! not the ones that make child-safeguarding linkage hard. This generator builds what
//! matters: households sharing a surname and address, twins (same date of birth, same
//! address), siblings, a son carrying his father's name, partners; and records written
//! the way agencies write them: nicknames, typos, day/month swaps, one wrong digit, a
//! former surname, a previous address after a move, and NHS numbers missing from most
//! police, housing and social-care records. It is pure and deterministic: the same
//! options give the same population, byte for byte. The caller writes the files.
//!
//! Fictional by construction: postcodes start with Q (no UK postcode does), NHS numbers
//! are in the 999 range with a valid check digit (never issued), phone numbers are from
//! Ofcom's drama ranges, towns are invented, and names are drawn independently from
//! pools of common given names and (mostly invented) surnames.

use crate::random::SplitMix64 as Rng;
use crate::record::IdentityRecord;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// Exactly this many records are produced.
    pub records: usize,
    pub seed: u64,
}

/// How two true people are related, or that two records are one person. Written in the
/// truth file's third column so that an evaluation can count false merges by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relationship {
    SamePerson,
    /// Same household, same date of birth, different given name.
    Twin,
    Sibling,
    ParentChild,
    /// A parent and child with the same given and family name (father and son "junior").
    ParentChildSameName,
    Partner,
}

impl Relationship {
    pub const ALL: [Relationship; 6] = [
        Relationship::SamePerson,
        Relationship::Twin,
        Relationship::Sibling,
        Relationship::ParentChild,
        Relationship::ParentChildSameName,
        Relationship::Partner,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Relationship::SamePerson => "same",
            Relationship::Twin => "twin",
            Relationship::Sibling => "sibling",
            Relationship::ParentChild => "parent_child",
            Relationship::ParentChildSameName => "parent_child_same_name",
            Relationship::Partner => "partner",
        }
    }

    pub fn from_label(label: &str) -> Option<Relationship> {
        Relationship::ALL
            .into_iter()
            .find(|r| r.label() == label.trim())
    }
}

/// The records and the truth behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticPopulation {
    /// Shuffled, so that neighbouring records say nothing about identity; ids `R0000001`...
    pub records: Vec<IdentityRecord>,
    /// The true person (an index) of each record.
    pub person_of: Vec<u32>,
    /// Relationships between true people (indices), each pair once.
    pub relations: Vec<(u32, u32, Relationship)>,
}

impl SyntheticPopulation {
    /// The truth file's rows: every pair of records of one person (`SamePerson`), then
    /// one row per related pair of people, naming the first record of each (a person's
    /// records are joined by the `SamePerson` rows, so one row is enough to relate them).
    pub fn truth_rows(&self) -> Vec<(&str, &str, Relationship)> {
        let people = self.person_of.iter().map(|&p| p as usize + 1).max();
        let mut records_of: Vec<Vec<usize>> = vec![Vec::new(); people.unwrap_or(0)];
        for (r, &p) in self.person_of.iter().enumerate() {
            records_of[p as usize].push(r);
        }
        let id = |r: usize| self.records[r].record_id.as_str();
        let mut rows = Vec::new();
        for records in &records_of {
            for (i, &a) in records.iter().enumerate() {
                for &b in &records[i + 1..] {
                    rows.push((id(a), id(b), Relationship::SamePerson));
                }
            }
        }
        for &(a, b, kind) in &self.relations {
            if let (Some(&ra), Some(&rb)) = (
                records_of[a as usize].first(),
                records_of[b as usize].first(),
            ) {
                rows.push((id(ra), id(rb), kind));
            }
        }
        rows
    }
}

const MALE: &[&str] = &[
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Noah",
    "Leo",
    "Arthur",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "William",
    "James",
    "Henry",
    "Alfie",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Edward",
    "Samuel",
    "Max",
    "Daniel",
    "Benjamin",
    "Logan",
    "Lucas",
    "Mason",
    "Theo",
    "Teddy",
    "Finley",
    "Adam",
    "Dylan",
    "Harrison",
    "Luca",
    "Reuben",
    "Sebastian",
    "Toby",
    "Louis",
    "Elliot",
    "Riley",
    "Jude",
    "Zachary",
    "Frederick",
    "Matthew",
    "Michael",
    "Christopher",
    "Robert",
    "Richard",
    "Philip",
    "Darren",
    "Anthony",
    "Jonathan",
    "Nicholas",
    "Stephen",
    "Andrew",
    "David",
    "Paul",
    "Mark",
    "Peter",
    "John",
    "Kevin",
    "Gary",
    "Lee",
    "Craig",
    "Dean",
    "Wayne",
    "Jason",
    "Carl",
    "Neil",
    "Ian",
    "Simon",
    "Martin",
    "Graham",
    "Kieran",
    "Callum",
    "Connor",
    "Ryan",
    "Liam",
    "Jamie",
    "Aaron",
    "Nathan",
    "Bradley",
    "Scott",
    "Shane",
    "Ross",
    "Gavin",
    "Stuart",
    "Raymond",
    "Douglas",
    "Francis",
    "Patrick",
    "Gregory",
    "Lewis",
    "Owen",
    "Rhys",
    "Tyler",
    "Kyle",
    "Jordan",
    "Declan",
    "Ronan",
    "Eamon",
    "Tomasz",
    "Piotr",
    "Mohammed",
    "Ibrahim",
    "Yusuf",
    "Omar",
    "Arjun",
    "Rohan",
    "Kwame",
    "Tobi",
];
const FEMALE: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Willow",
    "Florence",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Elsie",
    "Charlotte",
    "Evelyn",
    "Sophie",
    "Daisy",
    "Matilda",
    "Phoebe",
    "Sienna",
    "Harper",
    "Ruby",
    "Alice",
    "Esme",
    "Millie",
    "Maya",
    "Chloe",
    "Holly",
    "Megan",
    "Hannah",
    "Lucy",
    "Abigail",
    "Jessica",
    "Elizabeth",
    "Margaret",
    "Catherine",
    "Rebecca",
    "Jennifer",
    "Victoria",
    "Samantha",
    "Kerry",
    "Patricia",
    "Susan",
    "Deborah",
    "Natalie",
    "Nicola",
    "Amber",
    "Zara",
    "Sarah",
    "Emma",
    "Laura",
    "Claire",
    "Rachel",
    "Joanne",
    "Lisa",
    "Michelle",
    "Helen",
    "Karen",
    "Julie",
    "Tracey",
    "Donna",
    "Kelly",
    "Leanne",
    "Gemma",
    "Stacey",
    "Danielle",
    "Kirsty",
    "Jade",
    "Louise",
    "Amy",
    "Katie",
    "Lauren",
    "Bethany",
    "Shannon",
    "Courtney",
    "Chantelle",
    "Paige",
    "Caitlin",
    "Niamh",
    "Siobhan",
    "Aoife",
    "Rhiannon",
    "Carys",
    "Bronwen",
    "Agnieszka",
    "Katarzyna",
    "Fatima",
    "Aisha",
    "Amina",
    "Priya",
    "Anjali",
    "Ngozi",
    "Adaeze",
    "Teresa",
    "Angela",
    "Christine",
    "Alexandra",
    "Frances",
    "Josephine",
    "Georgina",
    "Harriet",
];
const COMMON_FAMILY: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Harrison", "Baker", "Patel", "Khan",
    "Murphy", "Kelly", "Nowak", "Kaur", "Okafor", "Campbell", "Stewart", "Morgan", "Price",
];
const FAMILY_ROOTS: &[&str] = &[
    "Ash", "Black", "Brad", "Brook", "Cald", "Craw", "Dal", "Fair", "Gold", "Hart", "Hol", "Kings",
    "Lang", "Mar", "Nor", "Pem", "Ral", "Ros", "Stan", "Thorn", "Wal", "Whit", "Win", "Ather",
    "Bar", "Bick", "Brom", "Carl", "Chad", "Col", "Dun", "Els", "Farn", "Gar", "Gil", "Hal",
    "Hock", "Ken", "Lin", "Lox", "Mel", "Mor", "Nether", "Ock", "Pen", "Quen", "Red", "Sel",
    "Sher", "Sil", "Tal", "Tre", "Ush", "Ver", "Wel", "Yar", "Bel", "Cran", "Dray", "Elm", "Fen",
    "Grim", "Hed",
];
const FAMILY_ENDINGS: &[&str] = &[
    "worth", "ton", "ley", "field", "by", "wood", "ford", "well", "more", "shaw", "den", "wick",
    "ham", "cott", "bury", "stead", "ridge", "combe", "hurst", "thwaite",
];
const STREET_SUFFIXES: &[(&str, &str)] = &[
    ("Road", "Rd"),
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Close", "Cl"),
    ("Lane", "Ln"),
    ("Drive", "Dr"),
    ("Crescent", "Cres"),
    ("Terrace", "Terr"),
    ("Way", "Way"),
    ("Court", "Ct"),
];
const TOWNS: &[&str] = &[
    "Quarrington",
    "Westmere",
    "Ashby Quay",
    "Hollinsford",
    "Cranleigh Moor",
    "Dunmarsh",
    "Eldersby",
    "Fennick",
    "Galloway Cross",
    "Hetherby",
    "Ivelwick",
    "Kestlemoor",
    "Larkhollow",
    "Merrowby",
    "Northquay",
    "Oxendale",
    "Pellingham",
    "Queensmere",
    "Redstow",
    "Sallowfield",
    "Tarnbridge",
    "Upperquay",
    "Vexford",
    "Wrayhaven",
    "Yarrowby",
    "Zennor Quay",
];

/// An NHS number in the 999 range with a valid modulus-11 check digit.
pub fn synthetic_nhs_number(draw: &mut impl FnMut() -> u64) -> String {
    loop {
        let mut digits = [9u32; 10];
        for d in digits.iter_mut().take(9).skip(3) {
            *d = (draw() % 10) as u32;
        }
        let sum: u32 = digits[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        digits[9] = check;
        return digits.iter().map(|d| char::from(b'0' + *d as u8)).collect();
    }
}

#[derive(Clone)]
struct Address {
    flat: Option<u8>,
    house: u16,
    street: String,
    suffix: usize,
    town: &'static str,
    postcode: String,
}

#[derive(Clone)]
struct Person {
    given: &'static str,
    middle: Option<&'static str>,
    family: String,
    /// A former surname (a mother recorded under her maiden name by some agency).
    former_family: Option<String>,
    male: bool,
    dob: (u16, u8, u8),
    nhs: Option<String>,
    home: Address,
    previous: Option<Address>,
    phone: Option<String>,
    child: bool,
}

fn family_name(rng: &mut Rng) -> String {
    // A quarter of people carry one of the common surnames; the commonest then holds
    // about 1.6% of the population (Smith is about 1.2% in England and Wales).
    if rng.chance(0.25) {
        return (*rng.skewed(COMMON_FAMILY)).to_owned();
    }
    let name = format!("{}{}", rng.pick(FAMILY_ROOTS), rng.pick(FAMILY_ENDINGS));
    if rng.chance(0.03) {
        format!("{name}-{}", rng.skewed(COMMON_FAMILY))
    } else {
        name
    }
}

fn address(rng: &mut Rng) -> Address {
    let area = rng.below(TOWNS.len());
    let letter = char::from(b'A' + area as u8);
    let unit: String = (0..2)
        .map(|_| char::from(b"ABDEFGHJLNPQRSTUWXYZ"[rng.below(20)]))
        .collect();
    Address {
        flat: rng.chance(0.12).then(|| rng.range(1, 12) as u8),
        house: rng.range(1, 240) as u16,
        street: format!("{}{}", rng.pick(FAMILY_ROOTS), rng.pick(FAMILY_ENDINGS)),
        suffix: rng.below(STREET_SUFFIXES.len()),
        town: TOWNS[area],
        postcode: format!("Q{letter}{} {}{unit}", rng.range(1, 40), rng.below(10)),
    }
}

fn phone(rng: &mut Rng) -> String {
    // Ofcom's ranges reserved for drama: never a real line.
    match rng.below(3) {
        0 => format!("07700 900{:03}", rng.below(1000)),
        1 => format!("01632 960{:03}", rng.below(1000)),
        _ => format!("020 7946 0{:03}", rng.below(1000)),
    }
}

fn days_in(month: u8, year: u16) -> u8 {
    match month {
        2 if year.is_multiple_of(4) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn date(rng: &mut Rng, first_year: u16, last_year: u16) -> (u16, u8, u8) {
    let year = rng.range(u32::from(first_year), u32::from(last_year)) as u16;
    let month = rng.range(1, 12) as u8;
    let day = rng.range(1, u32::from(days_in(month, year))) as u8;
    (year, month, day)
}

/// Builds the households and their relationships until `target_people` exist.
fn households(rng: &mut Rng, target_people: usize) -> (Vec<Person>, Vec<(u32, u32, Relationship)>) {
    let mut people: Vec<Person> = Vec::new();
    let mut relations = Vec::new();
    while people.len() < target_people {
        let family = family_name(rng);
        let home = address(rng);
        let previous = rng.chance(0.12).then(|| address(rng));
        let household_phone = rng.chance(0.5).then(|| phone(rng));
        let nhs = |rng: &mut Rng| {
            rng.chance(0.95)
                .then(|| synthetic_nhs_number(&mut || rng.next()))
        };
        let new_person = |rng: &mut Rng, given: &'static str, male: bool, dob, child| Person {
            given,
            middle: rng
                .chance(0.5)
                .then(|| *rng.skewed(if male { MALE } else { FEMALE })),
            family: family.clone(),
            former_family: None,
            male,
            dob,
            nhs: nhs(rng),
            home: home.clone(),
            previous: previous.clone(),
            phone: if rng.chance(0.5) {
                household_phone.clone()
            } else {
                rng.chance(0.3).then(|| phone(rng))
            },
            child,
        };
        let start = people.len() as u32;
        let single = rng.chance(0.2);
        let parent_year = rng.range(1950, 2004) as u16;
        let mut adults: Vec<u32> = Vec::new();
        let mother_male = single && rng.chance(0.4);
        let first_given = rng_name(rng, mother_male);
        let first_dob = date(rng, parent_year, parent_year);
        let mut first = new_person(rng, first_given, mother_male, first_dob, false);
        if !first.male && rng.chance(0.3) {
            first.former_family = Some(family_name(rng));
        }
        people.push(first);
        adults.push(start);
        let mut father_given = None;
        if !single {
            let given = rng_name(rng, true);
            father_given = Some(given);
            let father_year = (parent_year as u32 - rng.range(0, 6)) as u16;
            let father_dob = date(rng, father_year, father_year);
            let mut father = new_person(rng, given, true, father_dob, false);
            if rng.chance(0.15) {
                // An unmarried partner keeps his own surname.
                father.family = family_name(rng);
            }
            people.push(father);
            adults.push(start + 1);
            relations.push((start, start + 1, Relationship::Partner));
        }
        let child_count = if single && rng.chance(0.5) {
            0
        } else {
            *rng.pick(&[0usize, 1, 1, 2, 2, 2, 3, 3, 4, 5])
        };
        let first_child_year = (parent_year + 18).min(2024);
        let last_child_year = (parent_year + 44).min(2025);
        let mut children: Vec<u32> = Vec::new();
        let mut used: Vec<&'static str> =
            people[start as usize..].iter().map(|p| p.given).collect();
        for c in 0..child_count {
            let male = rng.chance(0.5);
            let mut given = rng_name(rng, male);
            // A son named after his father: the namesake the household rule must catch.
            if c == 0
                && male
                && let Some(father) = father_given
                && rng.chance(0.15)
            {
                given = father;
            } else if used.contains(&given) {
                continue;
            }
            used.push(given);
            let dob = date(rng, first_child_year, last_child_year);
            people.push(new_person(rng, given, male, dob, true));
            children.push(people.len() as u32 - 1);
            if rng.chance(0.03) {
                // Twins: same date of birth and address, different first name.
                let twin_male = rng.chance(0.5);
                let twin = rng_name(rng, twin_male);
                if !used.contains(&twin) {
                    used.push(twin);
                    people.push(new_person(rng, twin, twin_male, dob, true));
                    children.push(people.len() as u32 - 1);
                }
            }
        }
        for (i, &a) in children.iter().enumerate() {
            for &b in &children[i + 1..] {
                let kind = if people[a as usize].dob == people[b as usize].dob {
                    Relationship::Twin
                } else {
                    Relationship::Sibling
                };
                relations.push((a, b, kind));
            }
            for &parent in &adults {
                let same_name = people[parent as usize].given == people[a as usize].given
                    && people[parent as usize].family == people[a as usize].family;
                let kind = if same_name {
                    Relationship::ParentChildSameName
                } else {
                    Relationship::ParentChild
                };
                relations.push((parent, a, kind));
            }
        }
    }
    (people, relations)
}

fn rng_name(rng: &mut Rng, male: bool) -> &'static str {
    let names = if male { MALE } else { FEMALE };
    names[rng.skewed_index(names.len())]
}

fn typo(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if chars.len() < 4 {
        return text.to_owned();
    }
    let i = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        2 => chars.insert(i, chars[i]),
        _ => chars[i] = char::from(b'a' + rng.below(26) as u8),
    }
    chars.into_iter().collect()
}

/// Agencies, and how often each records the NHS number.
const SOURCES: &[(&str, f64)] = &[
    ("GP", 0.97),
    ("HOSP", 0.9),
    ("SCHOOL", 0.5),
    ("SOCIAL", 0.35),
    ("POLICE", 0.1),
    ("HOUSING", 0.05),
];

fn write_date(rng: &mut Rng, (y, m, d): (u16, u8, u8)) -> String {
    let (mut y, mut m, mut d) = (y, m, d);
    if rng.chance(0.02) {
        // One digit wrong: a slip of the key in the day or the year.
        if rng.chance(0.5) && d < 20 {
            d = if d % 10 == 9 { d - 1 } else { d + 1 };
        } else {
            y = if y % 10 == 9 { y - 1 } else { y + 1 };
        }
    }
    if rng.chance(0.03) && d <= 12 && d != m {
        // Day and month swapped (an American-order entry).
        std::mem::swap(&mut d, &mut m);
    }
    match rng.below(4) {
        0 => format!("{y}-{m:02}-{d:02}"),
        1 => format!("{d}/{m}/{y}"),
        _ => format!("{d:02}/{m:02}/{y}"),
    }
}

fn write_address(rng: &mut Rng, address: &Address) -> String {
    let (full, short) = STREET_SUFFIXES[address.suffix];
    let suffix = if rng.chance(0.25) { short } else { full };
    let street = format!("{} {} {suffix}", address.house, address.street);
    match address.flat {
        Some(flat) if rng.chance(0.8) => {
            if rng.chance(0.5) {
                format!("Flat {flat}, {street}")
            } else {
                format!("{flat}/{street}")
            }
        }
        _ => street,
    }
}

fn write_record(rng: &mut Rng, person: &Person, record_id: String) -> IdentityRecord {
    let (source, nhs_rate) = loop {
        let candidate = rng.pick(SOURCES);
        if candidate.0 != "SCHOOL" || person.child {
            break *candidate;
        }
    };
    let mut given = person.given.to_owned();
    if rng.chance(0.15) {
        let nicknames = crate::nicknames::diminutives(&given.to_lowercase());
        if !nicknames.is_empty() {
            let nick = rng.pick(nicknames);
            given = nick[..1].to_uppercase() + &nick[1..];
        }
    }
    if rng.chance(0.04) {
        given = typo(rng, &given);
    }
    if rng.chance(0.01) {
        given = given[..1].to_owned();
    }
    let mut family = match &person.former_family {
        Some(former) if rng.chance(0.3) => former.clone(),
        _ => person.family.clone(),
    };
    if rng.chance(0.04) {
        family = typo(rng, &family);
    }
    if rng.chance(0.5) {
        family = family.to_uppercase();
    }
    let address = match &person.previous {
        Some(previous) if rng.chance(0.35) => previous,
        _ => &person.home,
    };
    let postcode = match rng.below(10) {
        0 => address.postcode.replace(' ', ""),
        1 => address.postcode.to_lowercase(),
        _ => address.postcode.clone(),
    };
    let sex = match (person.male, rng.below(3)) {
        (true, 0) => "Male",
        (true, _) => "M",
        (false, 0) => "Female",
        (false, _) => "F",
    };
    let nhs = person
        .nhs
        .as_ref()
        .filter(|_| rng.chance(nhs_rate))
        .map(|n| {
            if rng.chance(0.5) {
                format!("{} {} {}", &n[..3], &n[3..6], &n[6..])
            } else {
                n.clone()
            }
        });
    IdentityRecord {
        record_id,
        given_name: Some(given),
        middle_names: person.middle.filter(|_| rng.chance(0.3)).map(str::to_owned),
        family_name: Some(family),
        date_of_birth: rng.chance(0.97).then(|| write_date(rng, person.dob)),
        sex: rng.chance(0.85).then(|| sex.to_owned()),
        nhs_number: nhs,
        other_id: None,
        address_line: rng.chance(0.92).then(|| write_address(rng, address)),
        town: rng.chance(0.7).then(|| address.town.to_owned()),
        postcode: rng.chance(0.9).then_some(postcode),
        phone: person.phone.clone().filter(|_| rng.chance(0.3)),
        source: Some(source.to_owned()),
        aliases: Vec::new(),
        mention: false,
    }
}

/// Generates a population of exactly `options.records` records.
pub fn generate(options: &SynthOptions) -> SyntheticPopulation {
    let mut rng = Rng(options.seed);
    // 2.4 records per person on average; generate a few more people than needed.
    let (people, relations) = households(&mut rng, options.records / 2 + 2);
    let mut owners: Vec<u32> = Vec::with_capacity(options.records);
    'people: for (p, _) in people.iter().enumerate() {
        let copies = *rng.pick(&[1usize, 1, 1, 2, 2, 2, 3, 3, 4, 5]);
        for _ in 0..copies {
            if owners.len() == options.records {
                break 'people;
            }
            owners.push(p as u32);
        }
    }
    // Fisher-Yates, so record order and ids carry no hint of identity.
    for i in (1..owners.len()).rev() {
        let j = rng.below(i + 1);
        owners.swap(i, j);
    }
    let width = options.records.to_string().len().max(7);
    let records: Vec<IdentityRecord> = owners
        .iter()
        .enumerate()
        .map(|(i, &p)| write_record(&mut rng, &people[p as usize], format!("R{:0width$}", i + 1)))
        .collect();
    let present = {
        let mut present = vec![false; people.len()];
        for &p in &owners {
            present[p as usize] = true;
        }
        present
    };
    let relations = relations
        .into_iter()
        .filter(|&(a, b, _)| present[a as usize] && present[b as usize])
        .collect();
    SyntheticPopulation {
        records,
        person_of: owners,
        relations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_exact_size_and_fictional() {
        let options = SynthOptions {
            records: 5_000,
            seed: 7,
        };
        let a = generate(&options);
        assert_eq!(a, generate(&options));
        assert_eq!(a.records.len(), 5_000);
        assert_ne!(a, generate(&SynthOptions { seed: 8, ..options }));
        for r in &a.records {
            if let Some(p) = &r.postcode {
                assert!(p.to_uppercase().starts_with('Q'), "{p}");
            }
            if let Some(n) = &r.nhs_number {
                let n = n.replace(' ', "");
                assert!(n.starts_with("999"), "{n}");
                assert!(crate::nhs::parse_nhs_number(&n).is_some(), "{n}");
            }
        }
    }

    #[test]
    fn truth_has_every_kind_and_matches_the_owners() {
        let population = generate(&SynthOptions {
            records: 20_000,
            seed: 1,
        });
        let rows = population.truth_rows();
        for kind in Relationship::ALL {
            assert!(
                rows.iter().any(|r| r.2 == kind),
                "no {} in 20 000 records",
                kind.label()
            );
        }
        let owner: std::collections::HashMap<&str, u32> = population
            .records
            .iter()
            .zip(&population.person_of)
            .map(|(r, &p)| (r.record_id.as_str(), p))
            .collect();
        for (a, b, kind) in rows {
            assert_eq!(kind == Relationship::SamePerson, owner[a] == owner[b]);
        }
        // Twins share a date of birth by construction.
        let twins = population
            .relations
            .iter()
            .filter(|r| r.2 == Relationship::Twin)
            .count();
        assert!(twins > 0);
    }
}
