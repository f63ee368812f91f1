//! An injury from a row. An injury observation's details are a list of injuries, each an
//! object, which no single cell can hold; exports of body maps write one injury per row
//! ("R cheek", "Bruise", "2", "mother: fell off the sofa"). A mapping's
//! `[details.injury_observation.injury]` table says which column holds each of the
//! injury's fields, and the row becomes an observation of that one injury. Its fields are
//! asked of the domain's own `Injury` and `Explanation` types, as other details fields
//! are, so the two cannot drift; the words of the body map (sites, sides, types,
//! opinions) are checked against the domain's vocabularies when the mapping is loaded
//! and again for each cell read as it is.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::json;
use toml::Spanned;
use vigil_domain::event::details::{Explanation, Injury};

use super::{Checker, Field, FieldSpec, FixedConversion, Slot, Words};
use crate::dates::DateUse;

/// The event kind whose details are injuries.
pub(super) const KIND: &str = "injury_observation";

/// The key, within `[details.injury_observation]`, of the table mapping one injury.
const INJURY_KEY: &str = "injury";

/// One kind's `[details.KIND]` table as written: its fields and, for an injury
/// observation, the `injury` table.
#[derive(Default)]
pub(super) struct DetailsFile {
    pub(super) fields: BTreeMap<String, Spanned<FieldSpec>>,
    pub(super) injury: Option<Spanned<InjuryFile>>,
}

/// `[details.injury_observation.injury]`: the injury's fields, and its `explanation`
/// (a table of the explanation's own fields).
#[derive(Default)]
pub(super) struct InjuryFile {
    fields: BTreeMap<String, Spanned<FieldSpec>>,
    explanation: Option<Spanned<BTreeMap<String, Spanned<FieldSpec>>>>,
    explanations: Option<Spanned<toml::Value>>,
}

impl<'de> Deserialize<'de> for DetailsFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DetailsVisitor;
        impl<'de> Visitor<'de> for DetailsVisitor {
            type Value = DetailsFile;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of the kind's details fields")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<DetailsFile, M::Error> {
                let mut details = DetailsFile::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == INJURY_KEY {
                        details.injury = Some(map.next_value()?);
                    } else {
                        let value = map.next_value()?;
                        details.fields.insert(key, value);
                    }
                }
                Ok(details)
            }
        }
        deserializer.deserialize_map(DetailsVisitor)
    }
}

impl<'de> Deserialize<'de> for InjuryFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InjuryVisitor;
        impl<'de> Visitor<'de> for InjuryVisitor {
            type Value = InjuryFile;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of the injury's fields (body_site, side, injury_type, ...)")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<InjuryFile, M::Error> {
                let mut injury = InjuryFile::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "explanation" => injury.explanation = Some(map.next_value()?),
                        // The domain's list, written by mistake for the one explanation:
                        // kept whatever its shape, to be refused with the right advice.
                        "explanations" => injury.explanations = Some(map.next_value()?),
                        _ => {
                            let value = map.next_value()?;
                            injury.fields.insert(key, value);
                        }
                    }
                }
                Ok(injury)
            }
        }
        deserializer.deserialize_map(InjuryVisitor)
    }
}

/// The one injury a row of an injury observation holds, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct InjuryMapping {
    /// The injury's fields by their API names, in the order of the mapping file.
    pub fields: Vec<(String, Field)>,
    /// The explanation's fields (`given_by`, `text`, `given_at`); empty when the mapping
    /// reads no explanation.
    pub explanation: Vec<(String, Field)>,
}

impl InjuryMapping {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.fields
            .iter()
            .chain(&self.explanation)
            .map(|(_, field)| field)
    }
}

/// Whether the domain's `T` has a field `name`: an object holding only that field (as
/// null) is refused for an unknown field and for nothing else.
fn is_field_of<T: serde::de::DeserializeOwned>(name: &str) -> bool {
    match serde_json::from_value::<T>(json!({ name: null })) {
        Err(error) => !error.to_string().starts_with("unknown field"),
        Ok(_) => true,
    }
}

/// How each of the injury's fields is read: Vigil decides, as for a person's fields.
fn injury_slot(name: &str) -> (Slot, Option<Words>) {
    let text = Slot::Fixed(FixedConversion::Text);
    match name {
        "body_site" => (text, Some(Words::BodySite)),
        "side" => (text, Some(Words::Side)),
        "injury_type" => (text, Some(Words::InjuryType)),
        "recorder_opinion" => (text, Some(Words::RecorderOpinion)),
        "count" | "size_cm" => (Slot::Fixed(FixedConversion::Number), None),
        // Text fields, and any field the domain adds later: its `type` says how.
        "description" | "estimated_age" => (text, None),
        _ => (Slot::Typed, None),
    }
}

fn explanation_slot(name: &str) -> Slot {
    match name {
        "given_at" => Slot::Fixed(FixedConversion::Date(DateUse::Day)),
        _ => Slot::Fixed(FixedConversion::Text),
    }
}

impl Checker<'_> {
    pub(super) fn injury(
        &mut self,
        key: &str,
        spec: &Spanned<InjuryFile>,
    ) -> Option<InjuryMapping> {
        let errors_before = self.errors.len();
        let table_line = Some(self.line(spec.span().start));
        let file = spec.get_ref();
        let mut fields = Vec::new();
        if let Some(list) = &file.explanations {
            let line = Some(self.line(list.span().start));
            self.error(
                &format!("{key}.explanations"),
                line,
                "a row holds one explanation: map it as `explanation = { given_by = \"Column\", text = \"Column\" }`",
            );
        }
        for (name, spec) in &file.fields {
            let field_key = format!("{key}.{name}");
            let line = Some(self.line(spec.span().start));
            if !is_field_of::<Injury>(name) {
                self.error(
                    &field_key,
                    line,
                    format!(
                        "an injury has no field {name:?}; its fields are body_site, side, injury_type, count, size_cm, estimated_age, description, recorder_opinion and explanation"
                    ),
                );
                continue;
            }
            let (slot, words) = injury_slot(name);
            if let Some(mut field) = self.field(&field_key, spec, slot) {
                if let Some(words) = words {
                    self.vocabulary(&field, "a word of the body map", |word| words.check(word));
                    field.words = Some(words);
                }
                fields.push((name.clone(), field));
            }
        }
        for required in ["body_site", "injury_type"] {
            if !file.fields.contains_key(required) {
                self.error(
                    key,
                    table_line,
                    format!("an injury needs `{required}`: the column that holds it, or `{required} = {{ value = ... }}` when every row's is the same"),
                );
            }
        }
        let mut explanation = Vec::new();
        if let Some(table) = &file.explanation {
            let explanation_key = format!("{key}.explanation");
            let line = Some(self.line(table.span().start));
            for (name, spec) in table.get_ref() {
                let field_key = format!("{explanation_key}.{name}");
                if !is_field_of::<Explanation>(name) {
                    let line = Some(self.line(spec.span().start));
                    self.error(
                        &field_key,
                        line,
                        format!(
                            "an explanation has no field {name:?}; its fields are given_by, text and given_at"
                        ),
                    );
                    continue;
                }
                if let Some(field) = self.field(&field_key, spec, explanation_slot(name)) {
                    explanation.push((name.clone(), field));
                }
            }
            for (required, what) in [("given_by", "who gave it"), ("text", "what they said")] {
                if !table.get_ref().contains_key(required) {
                    self.error(
                        &explanation_key,
                        line,
                        format!("an explanation needs `{required}`: the column holding {what}"),
                    );
                }
            }
        }
        // In the order of the file, so a row's reasons follow the mapping.
        fields.sort_by_key(|(_, field): &(String, Field)| field.line);
        explanation.sort_by_key(|(_, field): &(String, Field)| field.line);
        (self.errors.len() == errors_before).then_some(InjuryMapping {
            fields,
            explanation,
        })
    }
}
