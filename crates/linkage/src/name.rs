//! Personal names: titles, placeholders, initials, nicknames, double-barrelled surnames
//! and phonetic keys.
//!
//! A newborn is registered as "Baby boy CARTER" before he has a name; a police officer
//! writes "Mr D.P."; a mother is "Kerry CARTER (née HOLLIS)". Treating "Baby" as a given
//! name would link every unnamed baby to every other one, so placeholders become missing
//! given names; an initial is kept as an initial so it can only ever count as weak
//! evidence; a double-barrelled or maiden surname is kept whole and as parts.

use std::sync::OnceLock;

use rphonetic::DoubleMetaphone;
use serde::{Deserialize, Serialize};

use crate::nicknames::nickname_group;
use crate::text::fold;

/// Double Metaphone primary and alternate codes. Both are compared, so "Smith" and
/// "Schmidt" (alternate XMT) can meet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct PhoneticKey {
    pub primary: String,
    pub alternate: String,
}

impl PhoneticKey {
    /// The codes of a name. Callers pass folded names; text that is not ASCII is folded
    /// here first, because rphonetic 4.0's Double Metaphone slices its input by byte
    /// and panics inside a multi-byte character (found by the `person_name` fuzz target).
    pub fn of(name: &str) -> Self {
        static ENCODER: OnceLock<DoubleMetaphone> = OnceLock::new();
        let encoder = ENCODER.get_or_init(DoubleMetaphone::default);
        let folded;
        let name = if name.is_ascii() {
            name
        } else {
            folded = fold(name, false);
            folded.as_str()
        };
        let result = encoder.double_metaphone(name);
        PhoneticKey {
            primary: result.primary(),
            alternate: result.alternate(),
        }
    }

    /// Codes agree when any of the four primary/alternate combinations agree.
    pub fn agrees_with(&self, other: &PhoneticKey) -> bool {
        if self.primary.is_empty() || other.primary.is_empty() {
            return false;
        }
        self.primary == other.primary
            || self.primary == other.alternate
            || self.alternate == other.primary
            || (!self.alternate.is_empty() && self.alternate == other.alternate)
    }
}

/// A given name as recorded, folded, with what the comparisons need precomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenName {
    /// Folded name (`philip`), or the single letter of an initial.
    pub text: String,
    /// True when only an initial was recorded.
    pub is_initial: bool,
    /// The name and every formal name it may be a diminutive of, sorted.
    pub nickname_group: Vec<String>,
    pub phonetic: PhoneticKey,
}

impl GivenName {
    pub fn new(text: &str) -> Self {
        let is_initial = text.chars().count() == 1;
        GivenName {
            text: text.to_owned(),
            is_initial,
            nickname_group: if is_initial {
                vec![text.to_owned()]
            } else {
                nickname_group(text)
            },
            phonetic: if is_initial {
                PhoneticKey::default()
            } else {
                PhoneticKey::of(text)
            },
        }
    }

    pub fn initial(&self) -> char {
        self.text.chars().next().unwrap_or(' ')
    }
}

/// A family name kept whole and as parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyName {
    /// The recorded surname with spaces and hyphens removed (`smithjones`), so that
    /// "Smith-Jones" and "Smith Jones" agree exactly.
    pub full: String,
    /// Each part of a double-barrelled name (`["jones", "smith"]`). A former or alias
    /// name is not a part: it is a name of its own (`ParsedName::family_aliases`).
    pub parts: Vec<String>,
    pub phonetic: PhoneticKey,
}

/// What the name fields of a record resolve to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedName {
    pub given: Option<GivenName>,
    /// Other given names this person is recorded as known by ("Pip (Philip)").
    pub given_aliases: Vec<GivenName>,
    pub middle_names: Vec<String>,
    pub family: Option<FamilyName>,
    /// Other family names: former (née), deed-poll and alias names.
    pub family_aliases: Vec<FamilyName>,
    /// Sex implied by a placeholder ("Baby boy"), used only when the record has none.
    pub implied_sex: Option<crate::record::Sex>,
}

impl ParsedName {
    /// Adds another name of the person (an alias the agency holds). Its given name joins
    /// the given-name aliases, its middle names the middle names, its family name the
    /// family-name aliases; a part the main name lacks is taken as the main part.
    pub fn add_alias(&mut self, given: Option<&str>, middle: Option<&str>, family: Option<&str>) {
        let alias = parse_name(given, middle, family);
        for given in alias.given.into_iter().chain(alias.given_aliases) {
            if self.given.is_none() {
                self.given = Some(given);
            } else if self.given.as_ref() != Some(&given) && !self.given_aliases.contains(&given) {
                self.given_aliases.push(given);
            }
        }
        for middle in alias.middle_names {
            if !self.middle_names.contains(&middle) {
                self.middle_names.push(middle);
            }
        }
        for family in alias.family.into_iter().chain(alias.family_aliases) {
            self.add_family_alias(family);
        }
    }

    fn add_family_alias(&mut self, family: FamilyName) {
        if self.family.is_none() {
            self.family = Some(family);
        } else if self.family.as_ref().map(|f| &f.full) != Some(&family.full)
            && !self.family_aliases.iter().any(|f| f.full == family.full)
        {
            self.family_aliases.push(family);
        }
    }
}

/// Words that introduce another name of the person inside a family-name field: "CARTER
/// (née HOLLIS)", "CORBETT (aka PRYCE, Lee Anthony)", "CARTER, alias HOLLIS", "Smith
/// formerly Jones". Compared after folding and without spaces ("a.k.a." is "aka").
const ALIAS_MARKERS: &[&[&str]] = &[
    &["also", "known", "as"],
    &["formerly", "known", "as"],
    &["known", "as"],
    &["aka"],
    &["fka"],
    &["alias"],
    &["nee"],
    &["formerly"],
    &["previously"],
    &["born"],
    &["maiden", "name"],
    &["maiden"],
];

fn marker_word(token: &str) -> String {
    fold(token, false).replace(' ', "")
}

/// Length in tokens of the alias marker starting at `words[i]`, if one does.
fn marker_at(words: &[String], i: usize) -> Option<usize> {
    ALIAS_MARKERS
        .iter()
        .find(|marker| {
            words.len() >= i + marker.len() && marker.iter().zip(&words[i..]).all(|(m, w)| m == w)
        })
        .map(|marker| marker.len())
}

/// Splits a raw family-name field into the main family name and the alias texts it
/// holds, in brackets or after a marker word. A marker that starts the field is read as
/// a name ("Born" is a surname). Bracketed text without a marker is an alias too
/// ("SMITH (JONES)").
pub fn split_family_aliases(raw: &str) -> (String, Vec<String>) {
    let mut main = String::new();
    let mut bracketed: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for ch in raw.chars() {
        match ch {
            '(' | '[' => {
                if depth == 0 {
                    current.clear();
                } else {
                    current.push(' ');
                }
                depth += 1;
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    bracketed.push(std::mem::take(&mut current));
                } else {
                    current.push(' ');
                }
            }
            _ if depth > 0 => current.push(ch),
            _ => main.push(ch),
        }
    }
    if depth > 0 {
        // An unclosed bracket: what follows it is still another name.
        bracketed.push(current);
    }
    let mut aliases = Vec::new();
    for text in bracketed {
        let words: Vec<&str> = text.split_whitespace().collect();
        let folded: Vec<String> = words.iter().map(|w| marker_word(w)).collect();
        let skip = marker_at(&folded, 0).unwrap_or(0);
        let alias = words[skip..].join(" ");
        if !alias.trim_matches([',', ' ', ';']).is_empty() {
            aliases.push(alias);
        }
    }
    // Inline markers: everything from a marker to the next one is one alias.
    let words: Vec<&str> = main.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| marker_word(w)).collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut alias: Option<Vec<&str>> = None;
    let mut i = 0;
    while i < words.len() {
        if let Some(length) = marker_at(&folded, i).filter(|_| i > 0) {
            if let Some(done) = alias.take() {
                aliases.push(done.join(" "));
            }
            alias = Some(Vec::new());
            i += length;
            continue;
        }
        match &mut alias {
            Some(words_of_alias) => words_of_alias.push(words[i]),
            None => kept.push(words[i]),
        }
        i += 1;
    }
    if let Some(done) = alias {
        aliases.push(done.join(" "));
    }
    let aliases = aliases
        .into_iter()
        .map(|a| a.trim_matches([',', ' ', ';']).to_owned())
        .filter(|a| !a.is_empty())
        .collect();
    let main = kept.join(" ").trim_matches([',', ' ', ';']).to_owned();
    (main, aliases)
}

/// Reads one alias written as text: `FAMILY, Given Middle` when it has a comma,
/// otherwise a family name alone. Leading marker words ("aka", "née") are skipped.
/// Returns (family, given, middle), raw (unfolded).
pub fn parse_alias_text(text: &str) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| marker_word(w)).collect();
    let skip = marker_at(&folded, 0).unwrap_or(0);
    let text = words[skip..].join(" ");
    let text = text.trim_matches([',', ' ', ';']);
    if text.is_empty() {
        return None;
    }
    let non_empty = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    match text.split_once(',') {
        Some((family, rest)) => {
            let mut words = rest.split_whitespace();
            let given = words.next().map(str::to_owned);
            let middle = non_empty(&words.collect::<Vec<_>>().join(" "));
            Some((non_empty(family), given, middle))
        }
        None => Some((Some(text.to_owned()), None, None)),
    }
}

const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "miss",
    "ms",
    "mx",
    "dr",
    "prof",
    "professor",
    "rev",
    "revd",
    "reverend",
    "sir",
    "dame",
    "lady",
    "lord",
    "master",
    "fr",
    "father",
    "sr",
    "jr",
    "snr",
    "jnr",
    "junior",
    "senior",
];

/// Words that mean "no name was given yet": registration placeholders for newborns and
/// unknown people.
const PLACEHOLDERS: &[&str] = &[
    "baby",
    "infant",
    "newborn",
    "unborn",
    "unknown",
    "unk",
    "nk",
    "unnamed",
    "twin",
    "triplet",
    "notknown",
    "anon",
    "anonymous",
    "male",
    "female",
    "boy",
    "girl",
    "son",
    "daughter",
];

fn is_placeholder_word(word: &str) -> bool {
    PLACEHOLDERS.contains(&word) || (word.len() == 1 && word.chars().all(|c| c.is_ascii_digit()))
}

/// Pulls "(Philip)", "known as Philip" and "aka Philip" out of a given-name field.
fn split_aliases(raw: &str) -> (String, Vec<String>) {
    let mut main = String::new();
    let mut aliases = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for ch in raw.chars() {
        match ch {
            '(' | '[' => {
                depth += 1;
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    aliases.push(std::mem::take(&mut current));
                }
            }
            _ if depth > 0 => current.push(ch),
            _ => main.push(ch),
        }
    }
    let folded = fold(&main, false);
    for marker in [" known as ", " aka ", " also known as "] {
        let padded = format!(" {folded} ");
        if let Some(pos) = padded.find(marker) {
            let before = padded[..pos].trim().to_owned();
            let after = padded[pos + marker.len()..].trim().to_owned();
            aliases.push(after);
            return (before, aliases);
        }
    }
    (folded, aliases)
}

fn without_titles(tokens: Vec<String>) -> Vec<String> {
    tokens
        .into_iter()
        .filter(|t| !TITLES.contains(&t.as_str()))
        .collect()
}

/// Parses given, middle and family name fields into comparable parts.
pub fn parse_name(given: Option<&str>, middle: Option<&str>, family: Option<&str>) -> ParsedName {
    use crate::record::Sex;
    let mut parsed = ParsedName::default();
    let mut leftover_family: Vec<String> = Vec::new();

    if let Some(raw) = given {
        let (main, aliases) = split_aliases(raw);
        let tokens = without_titles(
            main.split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        );
        let is_placeholder = tokens.first().is_some_and(|t| is_placeholder_word(t))
            || main == "not known"
            || main == "no name";
        if is_placeholder {
            for token in &tokens {
                match token.as_str() {
                    "boy" | "male" | "son" => parsed.implied_sex = Some(Sex::Male),
                    "girl" | "female" | "daughter" => parsed.implied_sex = Some(Sex::Female),
                    _ => {}
                }
            }
            // "Baby of Kerry Carter" names the mother, not the child: drop it all. "Baby
            // boy CARTER" with no family field carries the family name.
            if !tokens.iter().any(|t| t == "of") {
                leftover_family = tokens
                    .iter()
                    .filter(|t| {
                        !is_placeholder_word(t) && t.as_str() != "not" && t.as_str() != "known"
                    })
                    .cloned()
                    .collect();
            }
        } else if let Some((first, rest)) = tokens.split_first() {
            parsed.given = Some(GivenName::new(first));
            parsed.middle_names.extend(rest.iter().cloned());
        }
        for alias in aliases {
            let alias_tokens = without_titles(
                fold(&alias, false)
                    .split(' ')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
            if let Some(first) = alias_tokens.first()
                && !is_placeholder_word(first)
            {
                if parsed.given.is_none() {
                    parsed.given = Some(GivenName::new(first));
                } else {
                    parsed.given_aliases.push(GivenName::new(first));
                }
            }
        }
    }
    if let Some(raw) = middle {
        parsed.middle_names.extend(
            fold(raw, false)
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        );
    }

    let (family, family_aliases) = match family {
        Some(raw) => {
            let (main, aliases) = split_family_aliases(raw);
            (Some(main), aliases)
        }
        None => (None, Vec::new()),
    };
    let family_text = family.map(|f| fold(&f, true)).filter(|f| !f.is_empty());
    let family_text =
        family_text.or_else(|| (!leftover_family.is_empty()).then(|| leftover_family.join(" ")));
    if let Some(text) = family_text {
        parsed.family = parse_family(&text, &mut parsed.implied_sex);
    }
    for alias in family_aliases {
        if let Some((family, given, middle)) = parse_alias_text(&alias) {
            parsed.add_alias(given.as_deref(), middle.as_deref(), family.as_deref());
        }
    }
    parsed
}

fn parse_family(folded: &str, implied_sex: &mut Option<crate::record::Sex>) -> Option<FamilyName> {
    use crate::record::Sex;
    let mut main: Vec<String> = Vec::new();
    let mut leading = true;
    for token in folded.split(' ').filter(|t| !t.is_empty()) {
        let plain = token.trim_matches('-');
        if plain.is_empty() || TITLES.contains(&plain) {
            continue;
        }
        if leading && is_placeholder_word(plain) {
            match plain {
                "boy" | "male" => *implied_sex = Some(Sex::Male),
                "girl" | "female" => *implied_sex = Some(Sex::Female),
                _ => {}
            }
            continue;
        }
        leading = false;
        main.push(plain.to_owned());
    }
    if main.is_empty() || matches!(main.join(" ").as_str(), "not known" | "unknown") {
        return None;
    }
    let full: String = main.iter().flat_map(|t| t.split('-')).collect();
    let mut parts: Vec<String> = main
        .iter()
        .flat_map(|t| t.split('-'))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    parts.sort();
    parts.dedup();
    let phonetic = PhoneticKey::of(&full);
    Some(FamilyName {
        full,
        parts,
        phonetic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Sex;

    #[test]
    fn a_phonetic_key_of_text_that_is_not_ascii_is_the_key_of_its_fold() {
        // Each panicked inside rphonetic before the fold (a character of two bytes or
        // more where Double Metaphone looks at a neighbouring letter).
        for (text, folded) in [
            ("])\u{661}JONATHAN", "jonathan"),
            ("Zo\u{eb}", "zoe"),
            ("\u{1f600}", ""),
        ] {
            assert_eq!(PhoneticKey::of(text), PhoneticKey::of(folded), "{text}");
        }
    }

    struct Expect<'a> {
        given: Option<&'a str>,
        initial: bool,
        aliases: &'a [&'a str],
        middle: &'a [&'a str],
        family: Option<&'a str>,
        parts: &'a [&'a str],
        family_aliases: &'a [&'a str],
        sex: Option<Sex>,
    }

    const NONE: Expect<'static> = Expect {
        given: None,
        initial: false,
        aliases: &[],
        middle: &[],
        family: None,
        parts: &[],
        family_aliases: &[],
        sex: None,
    };

    fn check(given: Option<&str>, middle: Option<&str>, family: Option<&str>, expect: Expect<'_>) {
        let p = parse_name(given, middle, family);
        let what = format!("{given:?} {middle:?} {family:?}");
        assert_eq!(
            p.given.as_ref().map(|g| g.text.as_str()),
            expect.given,
            "given of {what}"
        );
        assert_eq!(
            p.given.as_ref().is_some_and(|g| g.is_initial),
            expect.initial,
            "initial of {what}"
        );
        let aliases: Vec<&str> = p.given_aliases.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(aliases, expect.aliases, "aliases of {what}");
        assert_eq!(p.middle_names, expect.middle, "middle of {what}");
        assert_eq!(
            p.family.as_ref().map(|f| f.full.as_str()),
            expect.family,
            "family of {what}"
        );
        let parts: Vec<&str> = p
            .family
            .as_ref()
            .map(|f| f.parts.iter().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(parts, expect.parts, "parts of {what}");
        let family_aliases: Vec<&str> = p.family_aliases.iter().map(|f| f.full.as_str()).collect();
        assert_eq!(
            family_aliases, expect.family_aliases,
            "family aliases of {what}"
        );
        assert_eq!(p.implied_sex, expect.sex, "sex of {what}");
    }

    #[test]
    fn ordinary_names() {
        check(
            Some("Philip James"),
            None,
            Some("CARTER"),
            Expect {
                given: Some("philip"),
                middle: &["james"],
                family: Some("carter"),
                parts: &["carter"],
                ..NONE
            },
        );
        check(
            Some("Zoë"),
            Some("Anne Marie"),
            Some("O'Brien"),
            Expect {
                given: Some("zoe"),
                middle: &["anne", "marie"],
                family: Some("obrien"),
                parts: &["obrien"],
                ..NONE
            },
        );
        check(
            Some("Mr Darren"),
            None,
            Some("Pryce"),
            Expect {
                given: Some("darren"),
                family: Some("pryce"),
                parts: &["pryce"],
                ..NONE
            },
        );
    }

    #[test]
    fn initials() {
        check(
            Some("D.P."),
            None,
            None,
            Expect {
                given: Some("d"),
                initial: true,
                middle: &["p"],
                ..NONE
            },
        );
        check(
            Some("Philip J"),
            None,
            Some("Carter"),
            Expect {
                given: Some("philip"),
                middle: &["j"],
                family: Some("carter"),
                parts: &["carter"],
                ..NONE
            },
        );
    }

    #[test]
    fn placeholders() {
        check(
            Some("Baby boy"),
            None,
            Some("CARTER"),
            Expect {
                family: Some("carter"),
                parts: &["carter"],
                sex: Some(Sex::Male),
                ..NONE
            },
        );
        check(
            Some("Baby boy CARTER"),
            None,
            None,
            Expect {
                family: Some("carter"),
                parts: &["carter"],
                sex: Some(Sex::Male),
                ..NONE
            },
        );
        check(
            None,
            None,
            Some("Baby girl Smith"),
            Expect {
                family: Some("smith"),
                parts: &["smith"],
                sex: Some(Sex::Female),
                ..NONE
            },
        );
        check(Some("Baby of Kerry Carter"), None, None, NONE);
        check(Some("Unknown"), None, Some("Unknown"), NONE);
        check(
            Some("Twin 1"),
            None,
            Some("Jones"),
            Expect {
                family: Some("jones"),
                parts: &["jones"],
                ..NONE
            },
        );
    }

    #[test]
    fn aliases() {
        check(
            Some("Pip (Philip)"),
            None,
            Some("Carter"),
            Expect {
                given: Some("pip"),
                aliases: &["philip"],
                family: Some("carter"),
                parts: &["carter"],
                ..NONE
            },
        );
        check(
            Some("Darren known as Daz"),
            None,
            None,
            Expect {
                given: Some("darren"),
                aliases: &["daz"],
                ..NONE
            },
        );
    }

    #[test]
    fn double_barrelled_and_maiden() {
        check(
            None,
            None,
            Some("Smith-Jones"),
            Expect {
                family: Some("smithjones"),
                parts: &["jones", "smith"],
                ..NONE
            },
        );
        check(
            None,
            None,
            Some("Smith Jones"),
            Expect {
                family: Some("smithjones"),
                parts: &["jones", "smith"],
                ..NONE
            },
        );
        check(
            None,
            None,
            Some("CARTER (née HOLLIS)"),
            Expect {
                family: Some("carter"),
                parts: &["carter"],
                family_aliases: &["hollis"],
                ..NONE
            },
        );
    }

    #[test]
    fn aliases_in_the_family_name_field() {
        // A deed-poll name written as "FAMILY, Given Middle" inside brackets.
        check(
            Some("Lee"),
            None,
            Some("CORBETT (AKA PRYCE, Lee Anthony)"),
            Expect {
                given: Some("lee"),
                middle: &["anthony"],
                family: Some("corbett"),
                parts: &["corbett"],
                family_aliases: &["pryce"],
                ..NONE
            },
        );
        // Inline, after a comma; a second given name in the alias becomes an alias.
        check(
            Some("Kerry"),
            None,
            Some("CARTER, alias HOLLIS, Kez"),
            Expect {
                given: Some("kerry"),
                aliases: &["kez"],
                family: Some("carter"),
                parts: &["carter"],
                family_aliases: &["hollis"],
                ..NONE
            },
        );
        check(
            None,
            None,
            Some("Smith formerly Jones a.k.a. Brown-Taylor"),
            Expect {
                family: Some("smith"),
                parts: &["smith"],
                family_aliases: &["jones", "browntaylor"],
                ..NONE
            },
        );
        check(
            None,
            None,
            Some("Whitfield (Gray)"),
            Expect {
                family: Some("whitfield"),
                parts: &["whitfield"],
                family_aliases: &["gray"],
                ..NONE
            },
        );
        // A marker word that starts the field is the surname itself.
        check(
            None,
            None,
            Some("Born"),
            Expect {
                family: Some("born"),
                parts: &["born"],
                ..NONE
            },
        );
        // The same name twice is not an alias.
        check(
            None,
            None,
            Some("Carter (née Carter)"),
            Expect {
                family: Some("carter"),
                parts: &["carter"],
                ..NONE
            },
        );
    }

    #[test]
    fn alias_text() {
        assert_eq!(
            parse_alias_text("PRYCE, Lee Anthony"),
            Some((
                Some("PRYCE".to_owned()),
                Some("Lee".to_owned()),
                Some("Anthony".to_owned())
            ))
        );
        assert_eq!(
            parse_alias_text("née HOLLIS"),
            Some((Some("HOLLIS".to_owned()), None, None))
        );
        assert_eq!(parse_alias_text(" , "), None);
    }

    #[test]
    fn phonetic_keys_meet() {
        assert!(PhoneticKey::of("smith").agrees_with(&PhoneticKey::of("smyth")));
        assert!(PhoneticKey::of("pryce").agrees_with(&PhoneticKey::of("price")));
        assert!(!PhoneticKey::of("carter").agrees_with(&PhoneticKey::of("hollis")));
        assert!(!PhoneticKey::default().agrees_with(&PhoneticKey::default()));
    }
}
