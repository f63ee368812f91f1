//! Field-by-field comparison of two standardised records into graded agreement levels.
//!
//! Fellegi–Sunter needs each comparison to land in one of a few discrete levels, strongest
//! first, so that each level can carry its own weight of evidence: a nickname match
//! ("Pip"/"Philip") is good evidence, an initial ("D"/"Darren") weak, a day/month swap
//! almost as good as an exact date. Level 0 is always the strongest agreement and the last
//! level is "else" (disagreement). A field missing on either side gets [`MISSING`], which
//! carries no weight: absence of data is not evidence.
//!
//! Every function here is symmetric: `compare(a, b) == compare(b, a)`, so a pair's score
//! never depends on which record arrived first.

use serde::{Deserialize, Serialize};
use strsim::jaro_winkler;

use crate::address::Address;
use crate::date::DateOfBirth;
use crate::name::{FamilyName, GivenName};
use crate::nicknames::groups_meet;
use crate::postcode::Postcode;
use crate::record::StandardisedRecord;

/// Level code for "missing on one side or both": weight 0.
pub const MISSING: u8 = u8::MAX;

/// The fields compared, in the order of a [`ComparisonVector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    GivenName,
    FamilyName,
    DateOfBirth,
    Sex,
    Postcode,
    Address,
    Town,
    NhsNumber,
    OtherId,
    Phone,
}

pub const FIELD_COUNT: usize = 10;

pub const FIELDS: [Field; FIELD_COUNT] = [
    Field::GivenName,
    Field::FamilyName,
    Field::DateOfBirth,
    Field::Sex,
    Field::Postcode,
    Field::Address,
    Field::Town,
    Field::NhsNumber,
    Field::OtherId,
    Field::Phone,
];

/// One agreement level per field, in [`FIELDS`] order.
pub type ComparisonVector = [u8; FIELD_COUNT];

pub mod level {
    //! Named level indices, so that rules (household evidence, vetoes) read as words.
    pub const GIVEN_EXACT: u8 = 0;
    pub const GIVEN_NICKNAME: u8 = 1;
    pub const GIVEN_PHONETIC: u8 = 2;
    pub const GIVEN_JW_HIGH: u8 = 3;
    pub const GIVEN_JW_LOW: u8 = 4;
    pub const GIVEN_INITIAL: u8 = 5;
    pub const GIVEN_ELSE: u8 = 6;

    pub const FAMILY_EXACT: u8 = 0;
    pub const FAMILY_PART: u8 = 1;
    pub const FAMILY_PHONETIC: u8 = 2;
    pub const FAMILY_JW_HIGH: u8 = 3;
    pub const FAMILY_JW_LOW: u8 = 4;
    pub const FAMILY_ELSE: u8 = 5;

    pub const DOB_EXACT: u8 = 0;
    pub const DOB_SWAPPED: u8 = 1;
    pub const DOB_ONE_DIGIT: u8 = 2;
    pub const DOB_YEAR_MONTH: u8 = 3;
    pub const DOB_YEAR: u8 = 4;
    pub const DOB_ELSE: u8 = 5;

    pub const SAME: u8 = 0;
    pub const DIFFERENT: u8 = 1;

    pub const POSTCODE_UNIT: u8 = 0;
    /// Same postcode, but both address lines were compared and differ: neighbours, a
    /// typo'd house number, or a move within a street. Only [`super::compare`] gives it.
    pub const POSTCODE_UNIT_OTHER_ADDRESS: u8 = 1;
    pub const POSTCODE_SECTOR: u8 = 2;
    pub const POSTCODE_DISTRICT: u8 = 3;
    pub const POSTCODE_ELSE: u8 = 4;

    pub const ADDRESS_EXACT: u8 = 0;
    pub const ADDRESS_SIMILAR: u8 = 1;
    pub const ADDRESS_ELSE: u8 = 2;

    pub const TOWN_EXACT: u8 = 0;
    pub const TOWN_SIMILAR: u8 = 1;
    pub const TOWN_ELSE: u8 = 2;

    pub const ID_EXACT: u8 = 0;
    pub const ID_ONE_EDIT: u8 = 1;
    pub const ID_ELSE: u8 = 2;
}

impl Field {
    /// Human-readable labels of the levels, strongest first.
    pub fn level_labels(self) -> &'static [&'static str] {
        match self {
            Field::GivenName => &[
                "exact",
                "nickname of each other",
                "sounds the same (Double Metaphone)",
                "very similar spelling (Jaro-Winkler >= 0.92)",
                "similar spelling (Jaro-Winkler >= 0.80)",
                "initial agrees",
                "different",
            ],
            Field::FamilyName => &[
                "exact",
                "shares a part of a double-barrelled or former name",
                "sounds the same (Double Metaphone)",
                "very similar spelling (Jaro-Winkler >= 0.92)",
                "similar spelling (Jaro-Winkler >= 0.80)",
                "different",
            ],
            Field::DateOfBirth => &[
                "exact",
                "day and month swapped",
                "one digit wrong or two adjacent digits swapped",
                "same year and month",
                "same year",
                "different",
            ],
            Field::Sex => &["same", "different"],
            Field::Postcode => &[
                "same postcode",
                "same postcode, address lines differ",
                "same sector",
                "same district",
                "different",
            ],
            Field::Address => &[
                "same house number and street",
                "same number, street similar or suffix differs",
                "different",
            ],
            Field::Town => &[
                "same",
                "similar spelling (Jaro-Winkler >= 0.90)",
                "different",
            ],
            Field::NhsNumber => &["same valid NHS number", "different valid NHS numbers"],
            Field::OtherId => &["same", "one character wrong", "different"],
            Field::Phone => &["same", "different"],
        }
    }

    pub fn level_count(self) -> usize {
        self.level_labels().len()
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::GivenName => "given name",
            Field::FamilyName => "family name",
            Field::DateOfBirth => "date of birth",
            Field::Sex => "sex",
            Field::Postcode => "postcode",
            Field::Address => "address",
            Field::Town => "town",
            Field::NhsNumber => "NHS number",
            Field::OtherId => "other identifier",
            Field::Phone => "phone",
        }
    }

    pub fn index(self) -> usize {
        FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// The value whose frequency adjusts the weight of an exact match, for fields that
    /// have a term-frequency adjustment (a match on a rare surname is worth more).
    pub fn term_frequency_value(self, record: &StandardisedRecord) -> Option<&str> {
        match self {
            Field::GivenName => record
                .given
                .as_ref()
                .filter(|g| !g.is_initial)
                .map(|g| g.text.as_str()),
            Field::FamilyName => record.family.as_ref().map(|f| f.full.as_str()),
            _ => None,
        }
    }
}

/// Jaro-Winkler with the arguments in a fixed order: the floating-point sum inside is not
/// bit-for-bit symmetric, and a pair must not change level when its records swap sides.
pub fn symmetric_jaro_winkler(a: &str, b: &str) -> f64 {
    if a <= b {
        jaro_winkler(a, b)
    } else {
        jaro_winkler(b, a)
    }
}

/// True when two identifiers are neighbours in one numbering sequence: the same text up
/// to a run of trailing digits of the same length, and those numbers less than 10 apart
/// (`NCSCH100235` and `NCSCH100236`). Agencies number people as they register them, so a
/// mother's children, registered together, hold such numbers: they are two people, not
/// one number typed wrong, and never count as "one character wrong" (which would also
/// lift the household rule that keeps siblings apart).
pub fn sequential_identifiers(a: &str, b: &str) -> bool {
    let ((prefix_a, digits_a), (prefix_b, digits_b)) = (trailing_digits(a), trailing_digits(b));
    if prefix_a != prefix_b || digits_a.len() != digits_b.len() || digits_a.is_empty() {
        return false;
    }
    // Compare the last 18 digits as numbers (they fit in a u64); any before must agree.
    let cut = digits_a.len().saturating_sub(18);
    if digits_a[..cut] != digits_b[..cut] {
        return false;
    }
    match (
        digits_a[cut..].parse::<u64>(),
        digits_b[cut..].parse::<u64>(),
    ) {
        (Ok(x), Ok(y)) => x != y && x.abs_diff(y) < 10,
        _ => false,
    }
}

/// Splits an identifier into its text and its run of trailing digits.
fn trailing_digits(s: &str) -> (&str, &str) {
    let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    s.split_at(s.len() - digits)
}

/// True when `a` becomes `b` by one substitution, one insertion or deletion, or one swap of
/// adjacent characters (optimal string alignment distance <= 1).
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diffs.as_slice() {
                [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

pub fn compare_given(a: &GivenName, b: &GivenName) -> u8 {
    use level::*;
    if a.is_initial || b.is_initial {
        return if a.initial() == b.initial() {
            GIVEN_INITIAL
        } else {
            GIVEN_ELSE
        };
    }
    if a.text == b.text {
        return GIVEN_EXACT;
    }
    if groups_meet(&a.nickname_group, &b.nickname_group) {
        return GIVEN_NICKNAME;
    }
    let jw = symmetric_jaro_winkler(&a.text, &b.text);
    // Double Metaphone is coarse on short names that start with a vowel or a silent
    // letter: Willow and Isla, Ava and Evie, Isla and Ella all share a code. Those are
    // twins' and sisters' names, so a shared code counts only when the spellings are
    // also alike (Catherine/Kathryn 0.76, Stephen/Steven 0.89; Willow/Isla 0.61).
    if a.phonetic.agrees_with(&b.phonetic) && jw >= 0.7 {
        return GIVEN_PHONETIC;
    }
    if jw >= 0.92 {
        GIVEN_JW_HIGH
    } else if jw >= 0.8 {
        GIVEN_JW_LOW
    } else {
        GIVEN_ELSE
    }
}

pub fn compare_family(a: &FamilyName, b: &FamilyName) -> u8 {
    use level::*;
    if a.full == b.full {
        return FAMILY_EXACT;
    }
    if (a.parts.len() > 1 || b.parts.len() > 1) && a.parts.iter().any(|p| b.parts.contains(p)) {
        return FAMILY_PART;
    }
    if a.phonetic.agrees_with(&b.phonetic) {
        return FAMILY_PHONETIC;
    }
    let jw = symmetric_jaro_winkler(&a.full, &b.full);
    if jw >= 0.92 {
        FAMILY_JW_HIGH
    } else if jw >= 0.8 {
        FAMILY_JW_LOW
    } else {
        FAMILY_ELSE
    }
}

pub fn compare_dob(a: &DateOfBirth, b: &DateOfBirth) -> u8 {
    use level::*;
    if let (Some(da), Some(db)) = (a.digits(), b.digits()) {
        if da == db {
            return DOB_EXACT;
        }
        if a.year == b.year && a.month == b.day && a.day == b.month {
            return DOB_SWAPPED;
        }
        if within_one_edit(&da, &db) {
            return DOB_ONE_DIGIT;
        }
    } else if partial_dates_agree(a, b) {
        // "Born March 2021" and 10/03/2021 agree as far as the first goes. The levels
        // below describe whole dates that differ (a sibling's, a parent's), learned as
        // evidence *against*; a partial date that fits is not that, so it weighs nothing
        // either way rather than counting against the pair.
        return MISSING;
    }
    match (a.month, b.month) {
        (Some(ma), Some(mb)) if a.year == b.year && ma == mb => DOB_YEAR_MONTH,
        _ if a.year == b.year => DOB_YEAR,
        _ => DOB_ELSE,
    }
}

/// For dates of which at least one is partial (no day): the same year, and the same
/// month when both give one, reading a whole date's day as its month too (a day/month
/// swap is an error the whole-date levels already recognise).
fn partial_dates_agree(a: &DateOfBirth, b: &DateOfBirth) -> bool {
    if a.year != b.year {
        return false;
    }
    let month_fits = |partial: &DateOfBirth, other: &DateOfBirth| match partial.month {
        None => true,
        Some(m) => other.month.is_none_or(|om| om == m) || other.day == Some(m),
    };
    if a.day.is_none() {
        month_fits(a, b)
    } else {
        month_fits(b, a)
    }
}

pub fn compare_postcode(a: &Postcode, b: &Postcode) -> u8 {
    use level::*;
    if a.unit == b.unit {
        POSTCODE_UNIT
    } else if a.sector.is_some() && a.sector == b.sector {
        POSTCODE_SECTOR
    } else if a.district.is_some() && a.district == b.district {
        POSTCODE_DISTRICT
    } else {
        POSTCODE_ELSE
    }
}

/// `None` when the addresses cannot be compared (no street on one side).
pub fn compare_address(a: &Address, b: &Address) -> Option<u8> {
    use level::*;
    let (street_a, street_b) = (a.street_name.as_ref()?, b.street_name.as_ref()?);
    if let (Some(fa), Some(fb)) = (&a.flat, &b.flat)
        && fa != fb
    {
        // Two flats in one building are two households.
        return Some(ADDRESS_ELSE);
    }
    let numbers_agree = match (&a.house_number, &b.house_number) {
        (Some(na), Some(nb)) => Some(na == nb),
        _ => None,
    };
    let street_equal = street_a == street_b;
    let suffix_equal = a.street_suffix == b.street_suffix;
    Some(match numbers_agree {
        Some(true) if street_equal && suffix_equal => ADDRESS_EXACT,
        Some(true) if street_equal || symmetric_jaro_winkler(street_a, street_b) >= 0.9 => {
            ADDRESS_SIMILAR
        }
        // One side gave no number: the same street is all the evidence there is.
        None if street_equal && suffix_equal => ADDRESS_SIMILAR,
        _ => ADDRESS_ELSE,
    })
}

fn compare_optional<T>(a: &Option<T>, b: &Option<T>, f: impl Fn(&T, &T) -> u8) -> u8 {
    match (a, b) {
        (Some(x), Some(y)) => f(x, y),
        _ => MISSING,
    }
}

fn same_or_different<T: PartialEq>(a: &T, b: &T) -> u8 {
    if a == b {
        level::SAME
    } else {
        level::DIFFERENT
    }
}

/// Best (lowest) given-name level over each side's recorded name and its aliases.
fn compare_given_with_aliases(a: &StandardisedRecord, b: &StandardisedRecord) -> u8 {
    let (Some(ga), Some(gb)) = (&a.given, &b.given) else {
        return MISSING;
    };
    let mut best = compare_given(ga, gb);
    for x in std::iter::once(ga).chain(&a.given_aliases) {
        for y in std::iter::once(gb).chain(&b.given_aliases) {
            best = best.min(compare_given(x, y));
        }
    }
    // Known by a middle name: Philip James recorded elsewhere as James. Graded as a
    // nickname, the same strength of evidence.
    if best > level::GIVEN_NICKNAME
        && ((!ga.is_initial && ga.text.len() > 1 && b.middle_names.contains(&ga.text))
            || (!gb.is_initial && gb.text.len() > 1 && a.middle_names.contains(&gb.text)))
    {
        best = level::GIVEN_NICKNAME;
    }
    best
}

/// Best (lowest) family-name level over each side's family name and its aliases (former,
/// deed-poll and alias names): "CORBETT, aka PRYCE" agrees exactly with "PRYCE".
fn compare_family_with_aliases(a: &StandardisedRecord, b: &StandardisedRecord) -> u8 {
    let mut best = MISSING;
    for x in a.family_names() {
        for y in b.family_names() {
            best = best.min(compare_family(x, y));
        }
    }
    best
}

/// Compares one field of two records on its own. [`compare`] then applies the location
/// hierarchy (address, then postcode, then town), so a field compared here may still be
/// left out of a pair's comparison vector.
pub fn compare_field(field: Field, a: &StandardisedRecord, b: &StandardisedRecord) -> u8 {
    match field {
        Field::GivenName => compare_given_with_aliases(a, b),
        Field::FamilyName => compare_family_with_aliases(a, b),
        Field::DateOfBirth => compare_optional(&a.date_of_birth, &b.date_of_birth, compare_dob),
        Field::Sex => compare_optional(&a.sex, &b.sex, same_or_different),
        Field::Postcode => compare_optional(&a.postcode, &b.postcode, compare_postcode),
        Field::Address => match (&a.address, &b.address) {
            (Some(x), Some(y)) => compare_address(x, y).unwrap_or(MISSING),
            _ => MISSING,
        },
        Field::Town => compare_optional(&a.town, &b.town, |x, y| {
            if x == y {
                level::TOWN_EXACT
            } else if symmetric_jaro_winkler(x, y) >= 0.9 {
                level::TOWN_SIMILAR
            } else {
                level::TOWN_ELSE
            }
        }),
        Field::NhsNumber => compare_optional(&a.nhs_number, &b.nhs_number, same_or_different),
        Field::OtherId => compare_optional(&a.other_id, &b.other_id, |x, y| {
            if x == y {
                level::ID_EXACT
            } else if x.len().min(y.len()) >= 4
                && within_one_edit(x, y)
                && !sequential_identifiers(x, y)
            {
                level::ID_ONE_EDIT
            } else {
                level::ID_ELSE
            }
        }),
        Field::Phone => compare_optional(&a.phone, &b.phone, same_or_different),
    }
}

/// Compares every field of two records.
pub fn compare(a: &StandardisedRecord, b: &StandardisedRecord) -> ComparisonVector {
    let mut vector = [MISSING; FIELD_COUNT];
    for (slot, field) in vector.iter_mut().zip(FIELDS) {
        *slot = compare_field(field, a, b);
    }
    location_hierarchy(&mut vector, a, b);
    if let Some((given, family)) = swapped_names(a, b) {
        let (g, f) = (Field::GivenName.index(), Field::FamilyName.index());
        if given < vector[g] && family < vector[f] {
            vector[g] = given;
            vector[f] = family;
        }
    }
    vector
}

/// Where a person lives is one fact, recorded three times: address line, postcode and
/// town. Fellegi–Sunter adds field weights as if they were independent, so the same
/// address counted as address + postcode + town scored two people in one home as if
/// three facts agreed (and a family that moved was penalised three times), and the model
/// learned households as matches. So a location field is left out of the comparison
/// when a finer one already settles it:
///
/// * when the address lines agree (same number and street), the postcode is left out (the
///   same house has the same postcode, whoever lives there; one in the same district is
///   a typo) unless it puts the house in another district (the same number and street
///   elsewhere), and the town is left out;
/// * otherwise the postcode is compared (with its own level when the address lines
///   differ: a typo'd house number or a neighbour at the same postcode; a move), and the
///   town too unless both postcodes are UK postcodes: a UK postcode names its post town
///   (and agencies write the locality or the post town at will), while a postcode of
///   another shape (FEBRL's Australian ones) spans several towns and leaves the town
///   something to say.
///
/// The model is trained on vectors made the same way, so each level's weight is learned
/// given the levels above it (a different postcode after a different address line is a
/// move and weighs little). Symmetric, like every comparison here.
fn location_hierarchy(
    vector: &mut ComparisonVector,
    a: &StandardisedRecord,
    b: &StandardisedRecord,
) {
    let (address, postcode, town) = (
        Field::Address.index(),
        Field::Postcode.index(),
        Field::Town.index(),
    );
    let address_agrees = matches!(
        vector[address],
        level::ADDRESS_EXACT | level::ADDRESS_SIMILAR
    );
    let uk = |r: &StandardisedRecord| r.postcode.as_ref().is_some_and(|p| p.sector.is_some());
    let both_uk_postcodes = uk(a) && uk(b);
    if address_agrees && vector[postcode] != level::POSTCODE_ELSE {
        vector[postcode] = MISSING;
    }
    if vector[address] == level::ADDRESS_ELSE && vector[postcode] == level::POSTCODE_UNIT {
        // Two houses in one postcode are neighbours far more often than one house is:
        // its own level, so that "same postcode" keeps the weight it has when an address
        // line is missing.
        vector[postcode] = level::POSTCODE_UNIT_OTHER_ADDRESS;
    }
    if address_agrees || both_uk_postcodes {
        vector[town] = MISSING;
    }
}

/// Given and family name entered in each other's fields ("BRAITHWAITE Imogen" typed as
/// given "Braithwaite", family "Imogen"): the levels the names reach when crossed over,
/// graded on spelling only (exact, Jaro-Winkler bands) since the swapped text has lost
/// its nickname and phonetic preparation.
fn swapped_names(a: &StandardisedRecord, b: &StandardisedRecord) -> Option<(u8, u8)> {
    let (ga, fa, gb, fb) = (
        a.given.as_ref()?,
        a.family.as_ref()?,
        b.given.as_ref()?,
        b.family.as_ref()?,
    );
    if ga.is_initial || gb.is_initial {
        return None;
    }
    let grade = |x: &str, y: &str| -> Option<f64> {
        let jw = symmetric_jaro_winkler(x, y);
        (jw >= 0.92).then_some(jw)
    };
    let given_cross = grade(&ga.text, &fb.full)?;
    let family_cross = grade(&fa.full, &gb.text)?;
    // Both names get the weaker of the two grades: which cross comparison is "the given
    // name" depends on which record is on the left, and the result must not.
    if given_cross == 1.0 && family_cross == 1.0 {
        Some((level::GIVEN_EXACT, level::FAMILY_EXACT))
    } else {
        Some((level::GIVEN_JW_HIGH, level::FAMILY_JW_HIGH))
    }
}

/// Whether two records' names could be one person's: given names equal, nicknames of one
/// another or alike in sound (any of either record's given names), and family names
/// equal, sharing a part, alike in sound or very close in spelling (any of either's
/// family names). This is what a name search of an index returns: it says nothing of
/// dates of birth or addresses, so it is a lead for a person to check, never a link.
pub fn names_compatible(a: &StandardisedRecord, b: &StandardisedRecord) -> bool {
    use level::*;
    let givens = |r: &StandardisedRecord| -> Vec<GivenName> {
        r.given
            .iter()
            .chain(r.given_aliases.iter())
            .cloned()
            .collect()
    };
    let families = |r: &StandardisedRecord| -> Vec<FamilyName> {
        r.family
            .iter()
            .chain(r.family_aliases.iter())
            .cloned()
            .collect()
    };
    let given = givens(a).iter().any(|x| {
        givens(b)
            .iter()
            .any(|y| !x.is_initial && !y.is_initial && compare_given(x, y) <= GIVEN_PHONETIC)
    });
    let family = families(a).iter().any(|x| {
        families(b)
            .iter()
            .any(|y| compare_family(x, y) <= FAMILY_JW_HIGH)
    });
    given && family
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{IdentityRecord, standardise};

    fn rec(
        given: &str,
        family: &str,
        dob: &str,
        postcode: &str,
        address: &str,
    ) -> StandardisedRecord {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        standardise(&IdentityRecord {
            record_id: "x".into(),
            given_name: opt(given),
            family_name: opt(family),
            date_of_birth: opt(dob),
            postcode: opt(postcode),
            address_line: opt(address),
            ..Default::default()
        })
    }

    fn check(field: Field, a: &StandardisedRecord, b: &StandardisedRecord, expected: u8) {
        let got = compare_field(field, a, b);
        let label = |l: u8| {
            if l == MISSING {
                "missing"
            } else {
                field.level_labels()[l as usize]
            }
        };
        assert_eq!(label(got), label(expected), "{field:?}: {a:?} vs {b:?}");
        assert_eq!(compare_field(field, b, a), got, "symmetry");
    }

    fn given(a: &str, b: &str, expected: u8) {
        check(
            Field::GivenName,
            &rec(a, "", "", "", ""),
            &rec(b, "", "", "", ""),
            expected,
        );
    }

    #[test]
    fn given_name_levels() {
        use level::*;
        given("Philip", "PHILIP", GIVEN_EXACT);
        given("Pip", "Philip", GIVEN_NICKNAME);
        given("Daz", "Darren", GIVEN_NICKNAME);
        given("Kez", "Kerry", GIVEN_NICKNAME);
        given("Keri", "Kerry", GIVEN_NICKNAME);
        given("Catherine", "Kathryn", GIVEN_NICKNAME);
        given("Stephen", "Stefan", GIVEN_PHONETIC);
        given("Jonathon", "Jonathan", GIVEN_PHONETIC);
        // Same Double Metaphone code, unlike spellings: twins' names, not one name.
        given("Willow", "Isla", GIVEN_ELSE);
        given("Jessica", "Jessiva", GIVEN_JW_HIGH);
        given("Martin", "Marlon", GIVEN_JW_LOW);
        given("D", "Darren", GIVEN_INITIAL);
        given("D", "D", GIVEN_INITIAL);
        given("M", "Darren", GIVEN_ELSE);
        given("Ruby", "Amber", GIVEN_ELSE);
        given("Pip (Philip)", "Phillip", GIVEN_NICKNAME);
        given("", "Philip", MISSING);
        check(
            Field::GivenName,
            &standardise(&IdentityRecord {
                given_name: Some("Philip James".into()),
                ..Default::default()
            }),
            &rec("James", "", "", "", ""),
            GIVEN_NICKNAME,
        );
        given("Baby boy", "Philip", MISSING);
    }

    fn family(a: &str, b: &str, expected: u8) {
        check(
            Field::FamilyName,
            &rec("", a, "", "", ""),
            &rec("", b, "", "", ""),
            expected,
        );
    }

    #[test]
    fn family_name_levels() {
        use level::*;
        family("Carter", "CARTER", FAMILY_EXACT);
        family("Smith-Jones", "Smith Jones", FAMILY_EXACT);
        family("Smith-Jones", "Jones", FAMILY_PART);
        // A former or deed-poll name the agency recorded is one of the person's names.
        family("Carter (née Hollis)", "Hollis", FAMILY_EXACT);
        family("CORBETT (AKA PRYCE, Lee Anthony)", "PRYCE", FAMILY_EXACT);
        family("CARTER, alias HOLLIS", "Hollis", FAMILY_EXACT);
        family("Corbett (aka Pryce)", "Price", FAMILY_PHONETIC);
        family("Corbett (aka Pryce)", "Carter (née Pryce)", FAMILY_EXACT);
        family("Corbett (aka Pryce)", "Hollis", FAMILY_ELSE);
        family("Pryce", "Price", FAMILY_PHONETIC);
        family("Harrington", "Harringten", FAMILY_PHONETIC);
        family("Sondergeld", "Sondergelt", FAMILY_PHONETIC);
        family("Neumann", "Neumaan", FAMILY_PHONETIC);
        family("Whitlock", "Whitlack", FAMILY_PHONETIC);
        family("Carter", "Hollis", FAMILY_ELSE);
        family("", "Hollis", MISSING);
    }

    fn dob(a: &str, b: &str, expected: u8) {
        check(
            Field::DateOfBirth,
            &rec("", "", a, "", ""),
            &rec("", "", b, "", ""),
            expected,
        );
    }

    #[test]
    fn date_of_birth_levels() {
        use level::*;
        dob("10/03/2021", "2021-03-10", DOB_EXACT);
        dob("10/03/2021", "03/10/2021", DOB_SWAPPED);
        dob("10/03/2021", "11/03/2021", DOB_ONE_DIGIT);
        dob("10/03/2021", "01/03/2021", DOB_ONE_DIGIT);
        dob("10/03/2021", "10/03/2012", DOB_ONE_DIGIT);
        dob("10/03/2021", "25/03/2021", DOB_YEAR_MONTH);
        // A partial date that fits is no evidence either way; one that does not fit is.
        dob("March 2021", "10/03/2021", MISSING);
        dob("2021-03", "10/03/2021", MISSING);
        dob("2021", "10/03/2021", MISSING);
        dob("2021-03", "2021-03", MISSING);
        dob("2021-03", "2021", MISSING);
        // Read with day and month swapped, 03/10/2021 is 10 March.
        dob("2021-03", "03/10/2021", MISSING);
        dob("2021-03", "25/07/2021", DOB_YEAR);
        dob("2021-03", "2021-07", DOB_YEAR);
        dob("2020-03", "10/03/2021", DOB_ELSE);
        dob("2020", "10/03/2021", DOB_ELSE);
        dob("10/03/2021", "25/07/2021", DOB_YEAR);
        dob("02/04/1996", "19/09/1990", DOB_ELSE);
        dob("", "19/09/1990", MISSING);
    }

    fn postcode(a: &str, b: &str, expected: u8) {
        check(
            Field::Postcode,
            &rec("", "", "", a, ""),
            &rec("", "", "", b, ""),
            expected,
        );
    }

    #[test]
    fn postcode_levels() {
        use level::*;
        postcode("QN4 2LS", "qn42ls", POSTCODE_UNIT);
        postcode("QN4 2LS", "QN4 2LT", POSTCODE_SECTOR);
        postcode("QN4 2LS", "QN4 7AB", POSTCODE_DISTRICT);
        postcode("QN4 2LS", "QN7 5DX", POSTCODE_ELSE);
        postcode("4011", "4011", POSTCODE_UNIT);
        postcode("4011", "4012", POSTCODE_ELSE);
        postcode("4011", "QN4 2LS", POSTCODE_ELSE);
        postcode("", "QN4 2LS", MISSING);
    }

    fn address(a: &str, b: &str, expected: u8) {
        check(
            Field::Address,
            &rec("", "", "", "", a),
            &rec("", "", "", "", b),
            expected,
        );
    }

    #[test]
    fn address_levels() {
        use level::*;
        address("41 Marlowe Road", "41 marlowe rd", ADDRESS_EXACT);
        address("41 Marlow Road", "41 Marlowe Road", ADDRESS_SIMILAR);
        address("41 Marlowe Road", "41 Marlowe Avenue", ADDRESS_SIMILAR);
        address("41 Marlowe Road", "14 Marlowe Road", ADDRESS_ELSE);
        address(
            "Flat 3, 18 Carlow Street",
            "18 Carlow Street",
            ADDRESS_EXACT,
        );
        address(
            "Flat 3, 18 Carlow Street",
            "Flat 4, 18 Carlow Street",
            ADDRESS_ELSE,
        );
        address("Carlow Street", "18 Carlow Street", ADDRESS_SIMILAR);
        address("22 Ferrier Court", "88 Cobden Street", ADDRESS_ELSE);
        address("", "88 Cobden Street", MISSING);
    }

    fn location(a: (&str, &str, &str), b: (&str, &str, &str)) -> (u8, u8, u8) {
        let make = |(address, postcode, town): (&str, &str, &str)| {
            let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            standardise(&IdentityRecord {
                record_id: "x".into(),
                address_line: opt(address),
                postcode: opt(postcode),
                town: opt(town),
                ..Default::default()
            })
        };
        let (x, y) = (make(a), make(b));
        let v = compare(&x, &y);
        assert_eq!(compare(&y, &x), v, "symmetry");
        (
            v[Field::Address.index()],
            v[Field::Postcode.index()],
            v[Field::Town.index()],
        )
    }

    #[test]
    fn location_is_compared_once_at_the_finest_level() {
        use level::*;
        // Same address: the postcode and town say nothing more.
        assert_eq!(
            location(
                ("41 Marlowe Road", "QN7 5DX", "London"),
                ("41 Marlow Road", "QN7 5DX", "Northborough")
            ),
            (ADDRESS_SIMILAR, MISSING, MISSING)
        );
        // ... unless it puts the house in another district (the same number and street
        // elsewhere); one in the same district is a typo.
        assert_eq!(
            location(
                ("41 Marlowe Road", "QN7 5DX", ""),
                ("41 Marlowe Road", "QB2 1AA", "")
            ),
            (ADDRESS_EXACT, POSTCODE_ELSE, MISSING)
        );
        assert_eq!(
            location(
                ("41 Marlowe Road", "QN7 5DX", ""),
                ("41 Marlowe Road", "QN7 5DY", "")
            ),
            (ADDRESS_EXACT, MISSING, MISSING)
        );
        // Different address lines: the postcode is compared, the town is not.
        assert_eq!(
            location(
                ("14 Marlowe Road", "QN7 5DX", "London"),
                ("41 Marlowe Road", "QN7 5DX", "London")
            ),
            (ADDRESS_ELSE, POSTCODE_UNIT_OTHER_ADDRESS, MISSING)
        );
        // No address line on one side: postcode.
        assert_eq!(
            location(
                ("", "QN7 5DX", "London"),
                ("41 Marlowe Road", "QN7 5DX", "London")
            ),
            (MISSING, POSTCODE_UNIT, MISSING)
        );
        // No postcode on one side: the town is all there is.
        assert_eq!(
            location(
                ("14 Tanner Close", "", "London"),
                ("41 Marlowe Road", "QN7 5DX", "London")
            ),
            (ADDRESS_ELSE, MISSING, TOWN_EXACT)
        );
    }

    #[test]
    fn swapped_given_and_family() {
        let a = rec("Imogen", "Braithwaite", "", "", "");
        let b = rec("Braitwaite", "Imogen", "", "", "");
        let v = compare(&a, &b);
        assert_eq!(v[Field::GivenName.index()], level::GIVEN_JW_HIGH);
        assert_eq!(v[Field::FamilyName.index()], level::FAMILY_JW_HIGH);
        let exact = rec("Braithwaite", "Imogen", "", "", "");
        assert_eq!(
            compare(&a, &exact)[Field::GivenName.index()],
            level::GIVEN_EXACT
        );
        assert_eq!(compare(&b, &a), v);
        let c = rec("Imogen", "Smith", "", "", "");
        assert_eq!(
            compare(&a, &c)[Field::FamilyName.index()],
            level::FAMILY_ELSE
        );
    }

    #[test]
    fn other_identifier_levels() {
        let other = |a: &str, b: &str| {
            let make = |id: &str| {
                standardise(&IdentityRecord {
                    record_id: "x".into(),
                    other_id: Some(id.into()),
                    ..Default::default()
                })
            };
            let (x, y) = (make(a), make(b));
            let level = compare_field(Field::OtherId, &x, &y);
            assert_eq!(compare_field(Field::OtherId, &y, &x), level, "symmetry");
            level
        };
        assert_eq!(
            other("NCS:NCS-CH-100234", "ncs ncs-ch-100234"),
            level::ID_EXACT
        );
        assert_eq!(other("2428295", "2438295"), level::ID_ONE_EDIT);
        // Too short to call one edit a typing slip, whichever side is the shorter
        // (found by the identity_record fuzz target: it was asymmetric).
        assert_eq!(other("POL", "ZPOL"), level::ID_ELSE);
        assert_eq!(other("2428295", "2482295"), level::ID_ONE_EDIT);
        // Neighbours in a numbering sequence: siblings registered together.
        assert_eq!(
            other("NCS:NCS-CH-100235", "NCS:NCS-CH-100236"),
            level::ID_ELSE
        );
        assert_eq!(other("NBP:P-004512", "NBP:P-004513"), level::ID_ELSE);
        assert_eq!(other("SAH:7730041", "SAH:7791187"), level::ID_ELSE);
        assert!(sequential_identifiers("AB0019", "AB0021"));
        assert!(!sequential_identifiers("AB0019", "AB0019"));
        assert!(!sequential_identifiers("AB0019", "AC0019"));
        assert!(!sequential_identifiers("AB019", "AB0019"));
        assert!(!sequential_identifiers("AB", "AB"));
    }

    #[test]
    fn one_edit() {
        for (a, b, expected) in [
            ("1234567", "1234567", true),
            ("1234567", "1234568", true),
            ("1234567", "1243567", true),
            ("1234567", "123456", true),
            ("1234567", "12345678", true),
            ("1234567", "1235567", true),
            ("1234567", "2234568", false),
            ("1234567", "1432567", false),
            ("12", "1234", false),
        ] {
            assert_eq!(within_one_edit(a, b), expected, "{a} {b}");
            assert_eq!(within_one_edit(b, a), expected, "{b} {a}");
        }
    }

    #[test]
    fn names_compatible_is_a_name_search_not_a_match() {
        let record = |given: &str, family: &str| {
            crate::record::standardise(&crate::record::IdentityRecord {
                record_id: given.into(),
                given_name: Some(given.into()),
                family_name: Some(family.into()),
                ..Default::default()
            })
        };
        let nickname = record("Bill", "ASHWORTH");
        assert!(names_compatible(&nickname, &record("William", "Ashworth")));
        assert!(names_compatible(&record("William", "ASHWORTH"), &nickname));
        assert!(!names_compatible(&nickname, &record("Peter", "ASHWORTH")));
        assert!(!names_compatible(&nickname, &record("William", "QUILLER")));
    }
}
