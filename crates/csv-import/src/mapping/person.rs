//! A `[[people]]` entry of a mapping: who a row names and from which columns. Kept apart
//! from the rest of the mapping because a person is more than a list of fields: a name
//! may be one column or several (`Forename`, `Middle Names`, `Surname`), and a person
//! may have several addresses (current and previous), each from its own columns.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::{
    Checker, Field, FieldSpec, FieldTable, FixedConversion, Slot, check_marker, check_role,
    check_sex,
};
use crate::dates::DateUse;

// ----- as written -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PersonFile {
    role: Spanned<FieldSpec>,
    #[serde(default)]
    name: Option<Spanned<NameSpec>>,
    #[serde(default)]
    date_of_birth: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    sex: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    nhs_number: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    address: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    postcode: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    addresses: Option<Spanned<Vec<Spanned<AddressSpec>>>>,
    #[serde(default)]
    phone: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    agency_reference: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    relationship: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    markers: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    notes: Option<Spanned<FieldSpec>>,
}

/// `name = "Child Name"`, or a table: a field's own keys (`column`, `values`...) for a
/// name in one column, or the name's parts, each a field of its own.
enum NameSpec {
    Column(String),
    Table(Box<NameTable>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NameTable {
    // The keys of a field, for a name in one column.
    column: Option<String>,
    value: Option<toml::Value>,
    values: Option<std::collections::BTreeMap<String, toml::Value>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    formats: Option<Vec<String>>,
    separator: Option<String>,
    // The parts, for a name in several columns: the domain's own name fields.
    text: Option<Spanned<FieldSpec>>,
    given: Option<Spanned<FieldSpec>>,
    middle: Option<Spanned<FieldSpec>>,
    family: Option<Spanned<FieldSpec>>,
    preferred: Option<Spanned<FieldSpec>>,
}

impl<'de> Deserialize<'de> for NameSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = NameSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a column name, or a table with `column`, or with the name's parts (`given`, `middle`, `family`)",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<NameSpec, E> {
                Ok(NameSpec::Column(text.to_string()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<NameSpec, M::Error> {
                NameTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|table| NameSpec::Table(Box::new(table)))
            }
        }
        deserializer.deserialize_any(NameVisitor)
    }
}

/// One address: its columns (`["Address 1", "Town"]`), or a table with the columns and
/// the postcode's own column.
enum AddressSpec {
    Columns(Vec<String>),
    Table(AddressTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressTable {
    #[serde(default)]
    columns: Vec<String>,
    #[serde(default)]
    postcode: Option<Spanned<FieldSpec>>,
}

impl<'de> Deserialize<'de> for AddressSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AddressVisitor;
        impl<'de> Visitor<'de> for AddressVisitor {
            type Value = AddressSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a list of columns, or a table with `columns` and `postcode` (such as { columns = [\"Address 1\", \"Town\"], postcode = \"Postcode\" })",
                )
            }
            fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<AddressSpec, S::Error> {
                Vec::<String>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(AddressSpec::Columns)
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<AddressSpec, M::Error> {
                AddressTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(AddressSpec::Table)
            }
        }
        deserializer.deserialize_any(AddressVisitor)
    }
}

// ----- as checked -----

#[derive(Debug, Clone, PartialEq)]
pub struct PersonMapping {
    pub role: Field,
    pub name: NameMapping,
    /// JSON field name and how to fill it, in the order of the person's fields.
    pub fields: Vec<(&'static str, Field)>,
    /// The person's addresses in order; a row's blank ones are left out.
    pub addresses: Vec<AddressMapping>,
}

/// Where a person's name comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum NameMapping {
    /// One field holding the name as written (`CARTER, Philip James`).
    Whole(Field),
    /// The domain's name parts (`text`, `given`, `middle`, `family`, `preferred`), each
    /// from its own field; `middle` is split into words.
    Parts(Vec<(&'static str, Field)>),
}

impl NameMapping {
    pub fn fields(&self) -> Vec<&Field> {
        match self {
            NameMapping::Whole(field) => vec![field],
            NameMapping::Parts(parts) => parts.iter().map(|(_, field)| field).collect(),
        }
    }
}

/// One address of a person: columns joined with ", " into its text, and its postcode.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressMapping {
    /// Its key in the mapping, for messages (`people[0].addresses[1]`).
    pub key: String,
    pub line: Option<usize>,
    pub columns: Vec<String>,
    pub postcode: Option<Field>,
}

impl Checker<'_> {
    pub(super) fn person(&mut self, index: usize, person: &PersonFile) -> Option<PersonMapping> {
        let prefix = format!("people[{index}]");
        let errors_before = self.errors.len();
        let role = self.field(&format!("{prefix}.role"), &person.role, Slot::Vocabulary);
        if let Some(role) = &role {
            self.vocabulary(role, "a role", check_role);
        }
        let name = match &person.name {
            Some(spec) => self.name(&format!("{prefix}.name"), spec),
            None => {
                self.error(
                    &prefix,
                    None,
                    "a person needs `name`: the column holding their name, or its parts (`given`, `family`...)",
                );
                None
            }
        };
        let text = Slot::Fixed(FixedConversion::Text);
        let slots: [(&'static str, &Option<Spanned<FieldSpec>>, Slot); 8] = [
            (
                "date_of_birth",
                &person.date_of_birth,
                Slot::Fixed(FixedConversion::Date(DateUse::Birth)),
            ),
            ("sex", &person.sex, text),
            ("nhs_number", &person.nhs_number, text),
            ("phone", &person.phone, text),
            ("agency_reference", &person.agency_reference, text),
            ("relationship", &person.relationship, text),
            (
                "markers",
                &person.markers,
                Slot::Fixed(FixedConversion::List),
            ),
            ("notes", &person.notes, text),
        ];
        let mut fields = Vec::new();
        for (name, spec, slot) in slots {
            let Some(spec) = spec else { continue };
            if let Some(field) = self.field(&format!("{prefix}.{name}"), spec, slot) {
                match name {
                    "sex" => self.vocabulary(&field, "a sex", check_sex),
                    "markers" => self.vocabulary(&field, "a marker", check_marker),
                    _ => {}
                }
                fields.push((name, field));
            }
        }
        let addresses = self.addresses(&prefix, person);
        (self.errors.len() == errors_before).then(|| PersonMapping {
            role: role.expect("no errors, so the role was read"),
            name: name.expect("no errors, so the name was read"),
            fields,
            addresses,
        })
    }

    fn name(&mut self, key: &str, spec: &Spanned<NameSpec>) -> Option<NameMapping> {
        let line = Some(self.line(spec.span().start));
        let text = Slot::Fixed(FixedConversion::Text);
        let table = match spec.get_ref() {
            NameSpec::Column(column) => {
                return self
                    .field_at(key, line, &FieldSpec::Column(column.clone()), text)
                    .map(NameMapping::Whole);
            }
            NameSpec::Table(table) => table,
        };
        let parts: Vec<(&'static str, &Spanned<FieldSpec>)> = [
            ("text", &table.text),
            ("given", &table.given),
            ("middle", &table.middle),
            ("family", &table.family),
            ("preferred", &table.preferred),
        ]
        .into_iter()
        .filter_map(|(part, spec)| Some((part, spec.as_ref()?)))
        .collect();
        let field_keys_given = table.column.is_some()
            || table.value.is_some()
            || table.values.is_some()
            || table.kind.is_some()
            || table.formats.is_some()
            || table.separator.is_some();
        if parts.is_empty() {
            let whole = FieldSpec::Table(FieldTable {
                column: table.column.clone(),
                value: table.value.clone(),
                values: table.values.clone(),
                kind: table.kind.clone(),
                formats: table.formats.clone(),
                separator: table.separator.clone(),
            });
            return self
                .field_at(key, line, &whole, text)
                .map(NameMapping::Whole);
        }
        if field_keys_given {
            self.error(
                key,
                line,
                "give the name either as one field (`column`, `values`...) or as its parts (`given`, `middle`, `family`...), not both",
            );
            return None;
        }
        if !parts
            .iter()
            .any(|(part, _)| matches!(*part, "given" | "family" | "text"))
        {
            self.error(
                key,
                line,
                "a name in parts needs `given` or `family` (or both, or `text`: the name as written); a middle or preferred name alone is not a name",
            );
            return None;
        }
        let errors_before = self.errors.len();
        let mut read = Vec::new();
        for (part, spec) in parts {
            if let Some(field) = self.field(&format!("{key}.{part}"), spec, text) {
                read.push((part, field));
            }
        }
        (self.errors.len() == errors_before).then_some(NameMapping::Parts(read))
    }

    /// The person's addresses: `addresses = [...]`, or the single `address` with its
    /// `postcode`.
    fn addresses(&mut self, prefix: &str, person: &PersonFile) -> Vec<AddressMapping> {
        let text = Slot::Fixed(FixedConversion::Text);
        let Some(list) = &person.addresses else {
            let key = format!("{prefix}.address");
            let line = person
                .address
                .as_ref()
                .map(|columns| self.line(columns.span().start));
            let columns =
                self.address_columns(&key, line, person.address.as_ref().map(|c| c.get_ref()));
            let postcode = person
                .postcode
                .as_ref()
                .and_then(|spec| self.field(&format!("{prefix}.postcode"), spec, text));
            if columns.is_empty() && postcode.is_none() {
                return Vec::new();
            }
            return vec![AddressMapping {
                key,
                line,
                columns,
                postcode,
            }];
        };
        let list_line = Some(self.line(list.span().start));
        if person.address.is_some() || person.postcode.is_some() {
            self.error(
                &format!("{prefix}.addresses"),
                list_line,
                "give `addresses` (a list, each with its own postcode) or `address` and `postcode` (one address), not both",
            );
        }
        if list.get_ref().is_empty() {
            self.error(
                &format!("{prefix}.addresses"),
                list_line,
                "list each address, such as [[\"Address 1\", \"Town\"], [\"Previous Address\", \"Previous Town\"]], or leave `addresses` out",
            );
        }
        let mut addresses = Vec::new();
        for (index, spec) in list.get_ref().iter().enumerate() {
            let key = format!("{prefix}.addresses[{index}]");
            let line = Some(self.line(spec.span().start));
            let (columns, postcode) = match spec.get_ref() {
                AddressSpec::Columns(columns) => {
                    (self.address_columns(&key, line, Some(columns)), None)
                }
                AddressSpec::Table(table) => {
                    let postcode = table
                        .postcode
                        .as_ref()
                        .and_then(|spec| self.field(&format!("{key}.postcode"), spec, text));
                    if table.columns.is_empty() && table.postcode.is_none() {
                        self.error(&key, line, "an address needs `columns`, `postcode` or both");
                    }
                    let columns = if table.columns.is_empty() {
                        Vec::new()
                    } else {
                        self.address_columns(&format!("{key}.columns"), line, Some(&table.columns))
                    };
                    (columns, postcode)
                }
            };
            addresses.push(AddressMapping {
                key,
                line,
                columns,
                postcode,
            });
        }
        addresses
    }

    fn address_columns(
        &mut self,
        key: &str,
        line: Option<usize>,
        columns: Option<&Vec<String>>,
    ) -> Vec<String> {
        let Some(columns) = columns else {
            return Vec::new();
        };
        if columns.is_empty() {
            self.error(
                key,
                line,
                "list the address columns in order, such as [\"Address 1\", \"Town\"]",
            );
        }
        if columns.iter().any(|column| column.trim().is_empty()) {
            self.error(key, line, "a column name is empty");
        }
        columns
            .iter()
            .map(|column| column.trim().to_string())
            .collect()
    }
}
