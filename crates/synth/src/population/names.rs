//! Invented names and places. Given names are ordinary English ones, each with the
//! familiar form agencies write when they use one (the school's "Alfie", the GP's
//! "Alfred"), taken from the pairs the linkage crate's nickname table knows; family
//! names, streets and towns are made from invented roots so that no real family or
//! address is described, and none of them is a name or place of the Case P scenario.

/// (formal name, familiar form if any).
pub(crate) const BOYS: &[(&str, Option<&str>)] = &[
    ("Alfred", Some("Alfie")),
    ("Oliver", Some("Ollie")),
    ("Thomas", Some("Tom")),
    ("William", Some("Will")),
    ("Joseph", Some("Joe")),
    ("Samuel", Some("Sam")),
    ("Benjamin", Some("Ben")),
    ("Daniel", Some("Dan")),
    ("Edward", Some("Ted")),
    ("Frederick", Some("Freddie")),
    ("Henry", Some("Harry")),
    ("Jacob", Some("Jake")),
    ("Matthew", Some("Matt")),
    ("Nathaniel", Some("Nate")),
    ("Theodore", Some("Theo")),
    ("Zachary", Some("Zac")),
    ("Noah", None),
    ("Leo", None),
    ("Oscar", None),
    ("Arlo", None),
    ("Ibrahim", None),
    ("Kian", None),
    ("Rory", None),
    ("Yusuf", None),
    ("Elliot", None),
    ("Reuben", None),
    ("Felix", None),
    ("Jude", None),
];

pub(crate) const GIRLS: &[(&str, Option<&str>)] = &[
    ("Elizabeth", Some("Beth")),
    ("Abigail", Some("Abbie")),
    ("Katherine", Some("Katie")),
    ("Margaret", Some("Maggie")),
    ("Rebecca", Some("Becky")),
    ("Samantha", Some("Sam")),
    ("Victoria", Some("Tori")),
    ("Jessica", Some("Jess")),
    ("Charlotte", Some("Lottie")),
    ("Eleanor", Some("Ellie")),
    ("Florence", Some("Flo")),
    ("Isabella", Some("Bella")),
    ("Alexandra", Some("Lexi")),
    ("Amelia", Some("Millie")),
    ("Olivia", None),
    ("Ava", None),
    ("Ivy", None),
    ("Freya", None),
    ("Aisha", None),
    ("Maryam", None),
    ("Niamh", None),
    ("Esme", None),
    ("Poppy", None),
    ("Sienna", None),
    ("Ruby", None),
    ("Hallie", None),
    ("Orla", None),
    ("Zara", None),
];

pub(crate) const MIDDLE_BOYS: &[&str] = &["James", "John", "Lee", "David", "Ray"];
pub(crate) const MIDDLE_GIRLS: &[&str] = &["Rose", "Grace", "Mae", "Anne", "Louise"];

const FAMILY_ROOTS: &[&str] = &[
    "Abber", "Bram", "Cotter", "Dunn", "Evers", "Fallow", "Gorm", "Hask", "Ingle", "Jessop",
    "Keld", "Lutter", "Mabb", "Norr", "Oddle", "Pash", "Quarn", "Rimm", "Scarr", "Tebb", "Ufton",
    "Vell", "Wragg", "Yeld", "Zell", "Aldr", "Birk", "Cobb", "Dimm", "Eyre",
];
const FAMILY_ENDINGS: &[&str] = &[
    "ington", "ridge", "worth", "ley", "ham", "ett", "ock", "ard", "inson", "ery", "er", "stone",
];

/// An invented family name: 360 in all, so unrelated namesakes occur as they do in a
/// real borough, but not so often that every family has one.
pub(crate) fn family_name(index: u64) -> String {
    let root = FAMILY_ROOTS[(index % FAMILY_ROOTS.len() as u64) as usize];
    let ending = FAMILY_ENDINGS
        [((index / FAMILY_ROOTS.len() as u64) % FAMILY_ENDINGS.len() as u64) as usize];
    format!("{root}{ending}").to_uppercase()
}

pub(crate) const FAMILY_NAMES: u64 = (FAMILY_ROOTS.len() * FAMILY_ENDINGS.len()) as u64;

const STREET_ROOTS: &[&str] = &[
    "Quenby",
    "Marram",
    "Tolley",
    "Withy",
    "Brackle",
    "Callow",
    "Dimble",
    "Eskett",
    "Furzen",
    "Grindle",
    "Hobble",
    "Kettering",
    "Larch",
    "Mossop",
    "Nettle",
    "Osier",
    "Pimm",
    "Reddle",
    "Sorrel",
    "Teasel",
    "Umber",
    "Vetch",
    "Wimble",
    "Yarrow",
];
const STREET_TYPES: &[&str] = &[
    "Road", "Street", "Close", "Avenue", "Lane", "Drive", "Crescent", "Grove",
];

pub(crate) const TOWNS: &[&str] = &["Quarrybank", "Eskerby", "Holloway Quay", "Tenmarsh"];

/// The `index`th street of the borough, with its postcode outward code and sector: each
/// street has one postcode, as a short real street does, so neighbours share it and are
/// told apart by their house numbers.
pub(crate) fn street(index: u64) -> (String, String) {
    let root = STREET_ROOTS[(index % STREET_ROOTS.len() as u64) as usize];
    let kind =
        STREET_TYPES[((index / STREET_ROOTS.len() as u64) % STREET_TYPES.len() as u64) as usize];
    // Postcodes starting with Q do not exist; inward codes never use C, I, K, M, O or V.
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let district = 1 + index % 9;
    let area = (b'A' + (index / 9 % 20) as u8) as char;
    let sector = index / 180 % 10;
    let unit_a = INWARD[(index * 7 % 20) as usize] as char;
    let unit_b = INWARD[(index * 13 / 3 % 20) as usize] as char;
    (
        format!("{root} {kind}"),
        format!("Q{area}{district} {sector}{unit_a}{unit_b}"),
    )
}

pub(crate) const STREETS: u64 = (STREET_ROOTS.len() * STREET_TYPES.len()) as u64;

/// Complaints children are brought to a GP with, the commonest first.
pub(crate) const GP_COMPLAINTS: &[&str] = &[
    "Cough and cold",
    "Fever",
    "Ear pain",
    "Sore throat",
    "Rash",
    "Eczema review",
    "Vomiting and diarrhoea",
    "Asthma review",
    "Constipation",
    "Conjunctivitis",
    "Wheeze",
    "Headaches",
    "Tummy ache",
];

pub(crate) const ED_COMPLAINTS: &[&str] = &[
    "Difficulty in breathing",
    "High fever",
    "Persistent vomiting",
    "Febrile convulsion",
    "Allergic reaction",
    "Abdominal pain",
    "Croup",
];
