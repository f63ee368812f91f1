//! The mapping file: one TOML file per agency export saying which column holds which
//! field of a Vigil event and how the export writes its dates. A mapping is checked as a
//! whole when it is loaded (every event kind, role, marker, date format and details field
//! it names) and again against the file's header, so that a wrong mapping is refused
//! before any row is read, with every mistake named by its key and line, instead of
//! rejecting every row for the same reason.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Value, json};
use toml::Spanned;
use vigil_domain::AgencyCode;
use vigil_domain::event::{EVENT_KINDS, EventDetails, Marker, Role, Sex};

use crate::dates::{DateFormat, DateFormats};

mod injury;
mod person;

use injury::DetailsFile;
pub use injury::InjuryMapping;
use person::PersonFile;
pub use person::{AddressMapping, NameMapping, PersonMapping};

/// One mistake in a mapping: the key it is at, its line in the mapping file when known,
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub key: String,
    pub line: Option<usize>,
    pub detail: String,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}, {}: {}", self.key, self.detail),
            None => write!(f, "{}: {}", self.key, self.detail),
        }
    }
}

/// Every mistake found in a mapping, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingErrors(pub Vec<MappingError>);

impl fmt::Display for MappingErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, error) in self.0.iter().enumerate() {
            if position > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MappingErrors {}

// ----- the file as written -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    agency: Spanned<String>,
    source_system: Spanned<String>,
    source_id: Spanned<FieldSpec>,
    kind: Spanned<FieldSpec>,
    occurred_at: Spanned<FieldSpec>,
    #[serde(default)]
    recorded_at: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    recorded_by: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    summary: Option<Spanned<FieldSpec>>,
    #[serde(default)]
    people: Vec<PersonFile>,
    #[serde(default)]
    details: BTreeMap<String, DetailsFile>,
}

/// A field is a column's name, or a table saying more.
enum FieldSpec {
    Column(String),
    Table(FieldTable),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FieldTable {
    column: Option<String>,
    value: Option<toml::Value>,
    values: Option<BTreeMap<String, toml::Value>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    formats: Option<Vec<String>>,
    separator: Option<String>,
}

impl<'de> Deserialize<'de> for FieldSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = FieldSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a column name, or a table with `column` or `value`")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<FieldSpec, E> {
                Ok(FieldSpec::Column(text.to_string()))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<FieldSpec, M::Error> {
                FieldTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(FieldSpec::Table)
            }
        }
        deserializer.deserialize_any(SpecVisitor)
    }
}

// ----- the mapping as checked -----

/// How a cell becomes a JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversion {
    Text,
    Boolean,
    Number,
    Date(DateFormats, crate::dates::DateUse),
    /// Items split on the separator, each converted as text (after the value table).
    List(String),
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Column(String),
    Fixed(Value),
}

/// One field of the event, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its key in the mapping, for messages (`people[1].date_of_birth`).
    pub key: String,
    pub line: Option<usize>,
    pub source: Source,
    /// Cell text to value, applied before the conversion (to each item of a list).
    pub values: Option<BTreeMap<String, Value>>,
    pub conversion: Conversion,
    /// For a field whose every value must be one of a vocabulary's words, that
    /// vocabulary: a cell read as it is (not through `values`) is checked as the row is
    /// read, so that each wrong word is named with its column.
    pub words: Option<Words>,
}

/// The vocabularies a cell may be checked against while a row is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Words {
    BodySite,
    Side,
    InjuryType,
    RecorderOpinion,
}

impl Words {
    pub fn check(self, word: &str) -> Result<(), String> {
        use vigil_domain::body_map::{BodySite, InjuryType, RecorderOpinion, Side};
        match self {
            Words::BodySite => check_word::<BodySite>(word, "a body site"),
            Words::Side => check_word::<Side>(word, "a side"),
            Words::InjuryType => check_word::<InjuryType>(word, "an injury type"),
            Words::RecorderOpinion => check_word::<RecorderOpinion>(word, "a recorder's opinion"),
        }
    }
}

/// A mapping, checked: every kind, role, marker, value and format it names is one Vigil
/// knows. Columns are checked against a file's header by [`crate::CsvRows::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub agency: AgencyCode,
    pub source_system: String,
    pub source_id: Field,
    pub kind: Field,
    pub occurred_at: Field,
    pub recorded_at: Option<Field>,
    pub recorded_by: Option<Field>,
    pub summary: Option<Field>,
    pub people: Vec<PersonMapping>,
    /// Per event kind, its details fields.
    pub details: BTreeMap<String, Vec<(String, Field)>>,
    /// For rows that are injury observations: the one injury each row holds.
    pub injury: Option<InjuryMapping>,
}

/// The kinds of mistakes a mapping can hold, gathered while it is read.
struct Checker<'a> {
    text: &'a str,
    errors: Vec<MappingError>,
}

/// What a field may be, decided by where it sits in the mapping.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    /// `kind` and `role`: a plain string is the fixed value, a table reads a column.
    Vocabulary,
    /// A record or person field: a plain string is a column; the conversion is fixed.
    Fixed(FixedConversion),
    /// A details field: its `type` says how to read it.
    Typed,
}

#[derive(Clone, Copy, PartialEq)]
enum FixedConversion {
    Text,
    Number,
    Date(crate::dates::DateUse),
    List,
}

impl Checker<'_> {
    fn line(&self, start: usize) -> usize {
        self.text[..start.min(self.text.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
            + 1
    }

    fn error(&mut self, key: &str, line: Option<usize>, detail: impl Into<String>) {
        self.errors.push(MappingError {
            key: key.to_string(),
            line,
            detail: detail.into(),
        });
    }

    fn field(&mut self, key: &str, spec: &Spanned<FieldSpec>, slot: Slot) -> Option<Field> {
        let line = Some(self.line(spec.span().start));
        self.field_at(key, line, spec.get_ref(), slot)
    }

    /// A field whose line is known from the table around it (a name given as one field
    /// in a table that could also have held its parts).
    fn field_at(
        &mut self,
        key: &str,
        line: Option<usize>,
        spec: &FieldSpec,
        slot: Slot,
    ) -> Option<Field> {
        let table = match spec {
            FieldSpec::Column(text) if slot == Slot::Vocabulary => FieldTable {
                value: Some(toml::Value::String(text.clone())),
                ..FieldTable::default()
            },
            FieldSpec::Column(column) => FieldTable {
                column: Some(column.clone()),
                ..FieldTable::default()
            },
            FieldSpec::Table(table) => FieldTable {
                column: table.column.clone(),
                value: table.value.clone(),
                values: table.values.clone(),
                kind: table.kind.clone(),
                formats: table.formats.clone(),
                separator: table.separator.clone(),
            },
        };
        let source = match (&table.column, &table.value) {
            (Some(column), None) if column.trim().is_empty() => {
                self.error(key, line, "the column name is empty");
                return None;
            }
            (Some(column), None) => Source::Column(column.trim().to_string()),
            (None, Some(value)) => Source::Fixed(toml_to_json(value)),
            (Some(_), Some(_)) => {
                self.error(
                    key,
                    line,
                    "give either `column` (read from the file) or `value` (the same for every row), not both",
                );
                return None;
            }
            (None, None) => {
                self.error(
                    key,
                    line,
                    "say where the value comes from: `column = \"Column name\"` or `value = ...`",
                );
                return None;
            }
        };
        let values = table.values.as_ref().map(|values| {
            values
                .iter()
                .map(|(text, value)| (text.trim().to_string(), toml_to_json(value)))
                .collect::<BTreeMap<_, _>>()
        });
        let conversion = match slot {
            Slot::Vocabulary => {
                self.refuse(key, line, "type", table.kind.is_some());
                self.refuse(key, line, "formats", table.formats.is_some());
                self.refuse(key, line, "separator", table.separator.is_some());
                Conversion::Text
            }
            Slot::Fixed(fixed) => {
                self.refuse(key, line, "type", table.kind.is_some());
                match fixed {
                    FixedConversion::Text | FixedConversion::Number => {
                        self.refuse(key, line, "formats", table.formats.is_some());
                        self.refuse(key, line, "separator", table.separator.is_some());
                        if fixed == FixedConversion::Number {
                            Conversion::Number
                        } else {
                            Conversion::Text
                        }
                    }
                    FixedConversion::Date(used_for) => {
                        self.refuse(key, line, "separator", table.separator.is_some());
                        Conversion::Date(self.formats(key, line, &table.formats)?, used_for)
                    }
                    FixedConversion::List => {
                        self.refuse(key, line, "formats", table.formats.is_some());
                        Conversion::List(table.separator.clone().unwrap_or_else(|| ";".into()))
                    }
                }
            }
            Slot::Typed => match table.kind.as_deref().unwrap_or("text") {
                "text" => Conversion::Text,
                "boolean" => Conversion::Boolean,
                "number" => Conversion::Number,
                "date" => Conversion::Date(
                    self.formats(key, line, &table.formats)?,
                    crate::dates::DateUse::Day,
                ),
                "list" => Conversion::List(table.separator.clone().unwrap_or_else(|| ";".into())),
                other => {
                    self.error(
                        key,
                        line,
                        format!(
                            "unknown type {other:?}; the types are text, boolean, number, date, list"
                        ),
                    );
                    return None;
                }
            },
        };
        if slot == Slot::Typed {
            let is_date = matches!(conversion, Conversion::Date(..));
            let is_list = matches!(conversion, Conversion::List(_));
            self.refuse_for_type(key, line, "formats", table.formats.is_some() && !is_date);
            self.refuse_for_type(
                key,
                line,
                "separator",
                table.separator.is_some() && !is_list,
            );
        }
        if matches!(&table.separator, Some(separator) if separator.is_empty()) {
            self.error(key, line, "the separator cannot be empty");
            return None;
        }
        Some(Field {
            key: key.to_string(),
            line,
            source,
            values,
            conversion,
            words: None,
        })
    }

    fn refuse(&mut self, key: &str, line: Option<usize>, what: &str, given: bool) {
        if given {
            self.error(
                key,
                line,
                format!("`{what}` does not apply here: Vigil decides how this field is read"),
            );
        }
    }

    fn refuse_for_type(&mut self, key: &str, line: Option<usize>, what: &str, given: bool) {
        if given {
            self.error(
                key,
                line,
                format!(
                    "`{what}` does not apply to this type (formats are for type = \"date\", separator for type = \"list\")"
                ),
            );
        }
    }

    fn formats(
        &mut self,
        key: &str,
        line: Option<usize>,
        formats: &Option<Vec<String>>,
    ) -> Option<DateFormats> {
        let Some(formats) = formats else {
            return Some(DateFormats::iso());
        };
        if formats.is_empty() {
            self.error(key, line, "`formats` lists at least one format");
            return None;
        }
        let mut read = Vec::new();
        for (index, format) in formats.iter().enumerate() {
            match DateFormat::parse(format) {
                Ok(format) => read.push(format),
                Err(detail) => self.error(&format!("{key}.formats[{index}]"), line, detail),
            }
        }
        (read.len() == formats.len()).then_some(DateFormats(read))
    }

    /// Checks that every fixed value and every value in the table is one of the words
    /// Vigil knows for this field.
    fn vocabulary(
        &mut self,
        field: &Field,
        what: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) {
        let mut words: Vec<(String, &Value)> = Vec::new();
        if let Source::Fixed(value) = &field.source {
            words.push((field.key.clone(), value));
        }
        for (text, value) in field.values.iter().flatten() {
            words.push((format!("{}.values.{text:?}", field.key), value));
        }
        for (key, value) in words {
            let result = match value {
                Value::String(word) => check(word),
                other => Err(format!("{other} is not {what}; write it as a string")),
            };
            if let Err(detail) = result {
                self.error(&key, field.line, detail);
            }
        }
    }
}

fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(text) => Value::String(text.clone()),
        toml::Value::Integer(number) => json!(number),
        toml::Value::Float(number) => json!(number),
        toml::Value::Boolean(flag) => Value::Bool(*flag),
        toml::Value::Datetime(datetime) => Value::String(datetime.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .iter()
                .map(|(key, value)| (key.clone(), toml_to_json(value)))
                .collect(),
        ),
    }
}

pub fn check_kind(word: &str) -> Result<(), String> {
    if EVENT_KINDS.contains(&word) {
        Ok(())
    } else {
        Err(format!(
            "unknown event kind {word:?}; the kinds are: {}",
            EVENT_KINDS.join(", ")
        ))
    }
}

fn check_word<T: serde::de::DeserializeOwned>(word: &str, what: &str) -> Result<(), String> {
    serde_json::from_value::<T>(Value::String(word.to_string()))
        .map(|_| ())
        .map_err(|error| format!("{word:?} is not {what}: {error}"))
}

pub fn check_role(word: &str) -> Result<(), String> {
    check_word::<Role>(word, "a role")
}

pub fn check_marker(word: &str) -> Result<(), String> {
    check_word::<Marker>(word, "a marker")
}

fn check_sex(word: &str) -> Result<(), String> {
    check_word::<Sex>(word, "a sex")
}

/// Whether `field` is a details field of `kind`, asked of the domain's own types: a
/// details object holding only that field (as null) is refused for an unknown field and
/// for nothing else.
fn is_details_field(kind: &str, field: &str) -> bool {
    let probe = json!({ field: null });
    match EventDetails::read(kind, &probe) {
        Some(Err(error)) => !error.inner().to_string().starts_with("unknown field"),
        _ => true,
    }
}

impl Mapping {
    /// Reads and checks a mapping file's text.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingErrors> {
        let file: MappingFile = toml::from_str(text).map_err(|error| {
            let line = error.span().map(|span| {
                text[..span.start.min(text.len())]
                    .bytes()
                    .filter(|b| *b == b'\n')
                    .count()
                    + 1
            });
            MappingErrors(vec![MappingError {
                key: "the mapping".into(),
                line,
                detail: error.message().trim().to_string(),
            }])
        })?;
        let mut checker = Checker {
            text,
            errors: Vec::new(),
        };
        let agency_line = Some(checker.line(file.agency.span().start));
        let agency = match AgencyCode::parse(file.agency.get_ref()) {
            Ok(agency) => Some(agency),
            Err(error) => {
                checker.error("agency", agency_line, error.to_string());
                None
            }
        };
        let source_system = file.source_system.get_ref().trim().to_string();
        if source_system.is_empty() {
            let line = Some(checker.line(file.source_system.span().start));
            checker.error(
                "source_system",
                line,
                "name the agency's system, such as \"NCS-Mosaic\"",
            );
        }
        let text_slot = Slot::Fixed(FixedConversion::Text);
        let source_id = checker.field("source_id", &file.source_id, text_slot);
        let kind = checker.field("kind", &file.kind, Slot::Vocabulary);
        if let Some(kind) = &kind {
            checker.vocabulary(kind, "an event kind", check_kind);
        }
        let occurred_at = checker.field(
            "occurred_at",
            &file.occurred_at,
            Slot::Fixed(FixedConversion::Date(crate::dates::DateUse::Moment)),
        );
        let recorded_at = file.recorded_at.as_ref().and_then(|spec| {
            checker.field(
                "recorded_at",
                spec,
                Slot::Fixed(FixedConversion::Date(crate::dates::DateUse::Moment)),
            )
        });
        let recorded_by = file
            .recorded_by
            .as_ref()
            .and_then(|spec| checker.field("recorded_by", spec, text_slot));
        let summary = file
            .summary
            .as_ref()
            .and_then(|spec| checker.field("summary", spec, text_slot));

        if file.people.is_empty() {
            checker.error(
                "people",
                None,
                "list at least one person with [[people]]: every record is about someone, at least the child",
            );
        }
        let mut people = Vec::new();
        for (index, person) in file.people.iter().enumerate() {
            if let Some(person) = checker.person(index, person) {
                people.push(person);
            }
        }

        let kinds_produced: Vec<String> = match &kind {
            Some(Field {
                source: Source::Fixed(Value::String(kind)),
                ..
            }) => vec![kind.clone()],
            Some(field) => field
                .values
                .iter()
                .flatten()
                .filter_map(|(_, value)| value.as_str().map(str::to_string))
                .collect(),
            None => Vec::new(),
        };
        let mut details = BTreeMap::new();
        let mut injury = None;
        for (details_kind, file_details) in &file.details {
            let key = format!("details.{details_kind}");
            let first_line = file_details
                .fields
                .values()
                .map(|spec| spec.span().start)
                .chain(file_details.injury.as_ref().map(|spec| spec.span().start))
                .min()
                .map(|start| checker.line(start));
            if let Err(detail) = check_kind(details_kind) {
                checker.error(&key, first_line, detail);
                continue;
            }
            if kind.is_some() && !kinds_produced.iter().any(|k| k == details_kind) {
                checker.error(
                    &key,
                    first_line,
                    format!(
                        "this mapping never makes a {details_kind} event (its kinds: {}); add it to `kind` or remove these details",
                        kinds_produced.join(", ")
                    ),
                );
            }
            let mut read = Vec::new();
            for (name, spec) in &file_details.fields {
                let field_key = format!("{key}.{name}");
                let line = Some(checker.line(spec.span().start));
                if details_kind == injury::KIND && name == "injuries" {
                    checker.error(
                        &field_key,
                        line,
                        format!(
                            "a row holds one injury: map its columns in a table [{key}.injury] (body_site, side, injury_type, ...), not `injuries`"
                        ),
                    );
                    continue;
                }
                if !is_details_field(details_kind, name) {
                    checker.error(
                        &field_key,
                        line,
                        format!("a {details_kind} event has no field {name:?}"),
                    );
                    continue;
                }
                if let Some(field) = checker.field(&field_key, spec, Slot::Typed) {
                    read.push((name.clone(), field));
                }
            }
            if let Some(spec) = &file_details.injury {
                if details_kind == injury::KIND {
                    injury = checker.injury(&format!("{key}.injury"), spec);
                } else {
                    let line = Some(checker.line(spec.span().start));
                    checker.error(
                        &format!("{key}.injury"),
                        line,
                        format!(
                            "only an {} event holds an injury; a {details_kind} event has no field \"injury\"",
                            injury::KIND
                        ),
                    );
                }
            }
            // In the order of the file, so a row's reasons follow the mapping.
            read.sort_by_key(|(_, field): &(String, Field)| field.line);
            details.insert(details_kind.clone(), read);
        }
        let injury_missing = file
            .details
            .get(injury::KIND)
            .is_none_or(|file_details| file_details.injury.is_none());
        if injury_missing && kinds_produced.iter().any(|k| k == injury::KIND) {
            let line = Some(checker.line(file.kind.span().start));
            checker.error(
                "kind",
                line,
                format!(
                    "this mapping makes {0} events, which need an injury: say which columns hold it in a table [details.{0}.injury] (docs/IMPORT.md)",
                    injury::KIND
                ),
            );
        }

        match (agency, source_id, kind, occurred_at) {
            (Some(agency), Some(source_id), Some(kind), Some(occurred_at))
                if checker.errors.is_empty() =>
            {
                Ok(Mapping {
                    agency,
                    source_system,
                    source_id,
                    kind,
                    occurred_at,
                    recorded_at,
                    recorded_by,
                    summary,
                    people,
                    details,
                    injury,
                })
            }
            _ => {
                let mut errors = checker.errors;
                errors.sort_by_key(|error| error.line.unwrap_or(usize::MAX));
                Err(MappingErrors(errors))
            }
        }
    }

    /// Every column the mapping reads, with the key that names it and its line.
    pub fn columns(&self) -> Vec<(&str, &str, Option<usize>)> {
        let mut columns = Vec::new();
        fn push<'m>(columns: &mut Vec<(&'m str, &'m str, Option<usize>)>, field: &'m Field) {
            if let Source::Column(column) = &field.source {
                columns.push((column.as_str(), field.key.as_str(), field.line));
            }
        }
        push(&mut columns, &self.source_id);
        push(&mut columns, &self.kind);
        push(&mut columns, &self.occurred_at);
        for field in [&self.recorded_at, &self.recorded_by, &self.summary]
            .into_iter()
            .flatten()
        {
            push(&mut columns, field);
        }
        for person in &self.people {
            push(&mut columns, &person.role);
            for field in person.name.fields() {
                push(&mut columns, field);
            }
            for (_, field) in &person.fields {
                push(&mut columns, field);
            }
            for address in &person.addresses {
                if let Some(postcode) = &address.postcode {
                    push(&mut columns, postcode);
                }
            }
        }
        for fields in self.details.values() {
            for (_, field) in fields {
                push(&mut columns, field);
            }
        }
        if let Some(injury) = &self.injury {
            for field in injury.fields() {
                push(&mut columns, field);
            }
        }
        for person in &self.people {
            for address in &person.addresses {
                for column in &address.columns {
                    columns.push((column.as_str(), address.key.as_str(), address.line));
                }
            }
        }
        columns
    }
}
