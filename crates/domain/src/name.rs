//! A person's name as one agency recorded it. The words exactly as written are kept
//! beside the parts, because "CARTER, Baby boy" or "'Daz', mother's friend" says more to
//! a practitioner than any parsed form, and identity resolution needs both.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The longest name text accepted; longer text is a pasted note, not a name.
pub const MAX_NAME_LENGTH: usize = 300;

/// On the wire a name is its text (`"CARTER, Philip James"`) or its parts
/// (`{"text": ..., "given": ..., "family": ..., "preferred": ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// The text as the agency holds it, with runs of spaces made one space.
    pub as_recorded: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub middle: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The name the person goes by when it differs from the given name ("Pip", "Daz").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("a name needs at least the text as recorded, a given name or a family name")]
    Empty,
    #[error("a name is at most {MAX_NAME_LENGTH} characters; this is {0}")]
    TooLong(usize),
    #[error("a name cannot contain control characters")]
    ControlCharacter,
}

/// The parts an agency may send; any may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameParts {
    #[serde(default, alias = "as_recorded")]
    pub text: Option<String>,
    #[serde(default)]
    pub given: Option<String>,
    #[serde(default)]
    pub middle: Vec<String>,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub preferred: Option<String>,
}

impl PersonName {
    /// Builds a name from what was sent. Parts given explicitly win; parts missing are
    /// read from the text in the two ways agencies write names: `FAMILY, Given Middle`
    /// and `Given Middle Family`.
    pub fn parse(parts: NameParts) -> Result<Self, PersonNameError> {
        let clean = |value: Option<String>| -> Result<Option<String>, PersonNameError> {
            match value {
                Some(text) => {
                    let text = collapse_spaces(&text);
                    check_text(&text)?;
                    Ok((!text.is_empty()).then_some(text))
                }
                None => Ok(None),
            }
        };
        let text = clean(parts.text)?;
        let mut given = clean(parts.given)?;
        let mut family = clean(parts.family)?;
        let preferred = clean(parts.preferred)?;
        let mut middle = Vec::new();
        for part in parts.middle {
            if let Some(part) = clean(Some(part))? {
                middle.push(part);
            }
        }
        // Middle or preferred names alone are not a name. Joined into the recorded text
        // they would read back, from the store, as a given name too.
        if text.is_none() && given.is_none() && family.is_none() {
            return Err(PersonNameError::Empty);
        }
        if given.is_none()
            && family.is_none()
            && let Some(text) = &text
        {
            let read = read_name_text(text);
            given = read.given;
            family = read.family;
            if middle.is_empty() {
                middle = read.middle;
            }
        }
        let as_recorded = match text {
            Some(text) => text,
            None => [given.as_deref()]
                .into_iter()
                .chain(middle.iter().map(|part| Some(part.as_str())))
                .chain([family.as_deref()])
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        if as_recorded.is_empty() {
            return Err(PersonNameError::Empty);
        }
        // Parts each within the limit can join into a recorded text beyond it, which the
        // store would keep and then refuse to read back.
        check_text(&as_recorded)?;
        Ok(PersonName {
            as_recorded,
            given,
            middle,
            family,
            preferred,
        })
    }

    /// Convenience for text-only names.
    pub fn from_text(text: &str) -> Result<Self, PersonNameError> {
        Self::parse(NameParts {
            text: Some(text.to_string()),
            ..NameParts::default()
        })
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = PersonName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name as text, or an object with `text`, `given`, `middle`, `family`, `preferred`")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<PersonName, E> {
                PersonName::from_text(text).map_err(E::custom)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<PersonName, M::Error> {
                let parts = NameParts::deserialize(de::value::MapAccessDeserializer::new(map))?;
                PersonName::parse(parts).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_any(NameVisitor)
    }
}

struct ReadName {
    given: Option<String>,
    middle: Vec<String>,
    family: Option<String>,
}

fn read_name_text(text: &str) -> ReadName {
    if let Some((family, rest)) = text.split_once(',') {
        let mut words = rest.split_whitespace().map(str::to_string);
        let family = family.trim();
        return ReadName {
            given: words.next(),
            middle: words.collect(),
            family: (!family.is_empty()).then(|| family.to_string()),
        };
    }
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    match words.len() {
        0 => ReadName {
            given: None,
            middle: Vec::new(),
            family: None,
        },
        // A single word is as likely a first name ('Shannon') as a surname: keep it
        // as the given name and let identity resolution weigh it.
        1 => ReadName {
            given: words.pop(),
            middle: Vec::new(),
            family: None,
        },
        _ => {
            let family = words.pop();
            let given = Some(words.remove(0));
            ReadName {
                given,
                middle: words,
                family,
            }
        }
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_text(text: &str) -> Result<(), PersonNameError> {
    let length = text.chars().count();
    if length > MAX_NAME_LENGTH {
        return Err(PersonNameError::TooLong(length));
    }
    if text.chars().any(char::is_control) {
        return Err(PersonNameError::ControlCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, given: Option<&str>, middle: &[&str], family: Option<&str>) {
        let name = PersonName::from_text(text).unwrap();
        assert_eq!(
            name.as_recorded,
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert_eq!(name.given.as_deref(), given, "{text}");
        assert_eq!(name.middle, middle, "{text}");
        assert_eq!(name.family.as_deref(), family, "{text}");
    }

    #[test]
    fn reads_the_ways_agencies_write_names() {
        check(
            "CARTER, Philip James",
            Some("Philip"),
            &["James"],
            Some("CARTER"),
        );
        check("CARTER, Philip J", Some("Philip"), &["J"], Some("CARTER"));
        check(
            "Kerry Anne Carter",
            Some("Kerry"),
            &["Anne"],
            Some("Carter"),
        );
        check("Shannon", Some("Shannon"), &[], None);
        check("PRICE,  Darren", Some("Darren"), &[], Some("PRICE"));
        check("  Lee   CORBETT ", Some("Lee"), &[], Some("CORBETT"));
    }

    #[test]
    fn explicit_parts_win_over_the_text() {
        let name = PersonName::parse(NameParts {
            text: Some("CARTER, Pip (Philip)".into()),
            given: Some("Philip".into()),
            family: Some("CARTER".into()),
            preferred: Some("Pip".into()),
            ..NameParts::default()
        })
        .unwrap();
        assert_eq!(name.as_recorded, "CARTER, Pip (Philip)");
        assert_eq!(name.given.as_deref(), Some("Philip"));
        assert_eq!(name.preferred.as_deref(), Some("Pip"));
    }

    #[test]
    fn parts_alone_make_the_recorded_text() {
        let name = PersonName::parse(NameParts {
            given: Some("Ruby".into()),
            family: Some("CARTER".into()),
            ..NameParts::default()
        })
        .unwrap();
        assert_eq!(name.as_recorded, "Ruby CARTER");
    }

    #[test]
    fn the_stored_form_reads_back_identically() {
        for text in ["CARTER, Pip (Philip)", "Shannon", "Kerry Anne Carter"] {
            let name = PersonName::from_text(text).unwrap();
            let json = serde_json::to_string(&name).unwrap();
            assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), name);
        }
    }

    /// Found by the `person_name` fuzz target: a name of middle names only was
    /// accepted with no given name, and read back from its stored form with the middle
    /// name as the given name.
    #[test]
    fn middle_or_preferred_names_alone_are_refused() {
        for parts in [
            NameParts {
                middle: vec!["James".into()],
                ..NameParts::default()
            },
            NameParts {
                middle: vec!["James".into()],
                preferred: Some("Jim".into()),
                ..NameParts::default()
            },
            NameParts {
                text: Some("  ".into()),
                given: Some(" ".into()),
                middle: vec!["James".into()],
                ..NameParts::default()
            },
        ] {
            assert_eq!(PersonName::parse(parts), Err(PersonNameError::Empty));
        }
    }

    /// Found by the `fhir_bundle` fuzz target: a given and a family name each within
    /// the limit made a recorded text of 305 characters, stored, and then refused when
    /// the event was read back.
    #[test]
    fn parts_that_join_beyond_the_limit_are_refused() {
        let parts = NameParts {
            given: Some("Jane".into()),
            family: Some("a".repeat(MAX_NAME_LENGTH)),
            ..NameParts::default()
        };
        assert_eq!(
            PersonName::parse(parts),
            Err(PersonNameError::TooLong(MAX_NAME_LENGTH + 5))
        );
        let at_the_limit = NameParts {
            given: Some("Jane".into()),
            family: Some("a".repeat(MAX_NAME_LENGTH - 5)),
            ..NameParts::default()
        };
        let name = PersonName::parse(at_the_limit).unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), name);
    }

    #[test]
    fn refuses_empty_long_and_control_text() {
        assert_eq!(PersonName::from_text("   "), Err(PersonNameError::Empty));
        assert_eq!(
            PersonName::parse(NameParts::default()),
            Err(PersonNameError::Empty)
        );
        assert_eq!(
            PersonName::from_text(&"a".repeat(301)),
            Err(PersonNameError::TooLong(301))
        );
        assert_eq!(
            PersonName::from_text("Ann\u{0}e"),
            Err(PersonNameError::ControlCharacter)
        );
    }
}
