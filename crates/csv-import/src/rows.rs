//! Reading an export row by row. Each row becomes Vigil's own event JSON, which
//! `vigil_domain::parse_event` then reads, so a CSV row passes exactly the checks a JSON
//! event does. A rejected row keeps its physical line in the file (the header is line 1;
//! a quoted field holding line breaks spans several lines and the row is numbered by its
//! first) and every reason, each naming the column it came from.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};

use serde_json::{Map, Value};
use vigil_domain::{NewEvent, OccurredAt, parse_event};

use crate::ImportOptions;
use crate::mapping::{
    AddressMapping, Conversion, Field, InjuryMapping, Mapping, MappingError, MappingErrors,
    NameMapping, Source,
};

/// One thing wrong with a row: the column it came from when there is one, the field of
/// the event (a JSON pointer, as the API reports it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub column: Option<String>,
    pub field: String,
    pub detail: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.column, self.field.is_empty()) {
            (Some(column), _) => write!(f, "column {column:?}: {}", self.detail),
            (None, false) => write!(f, "{}: {}", self.field, self.detail),
            (None, true) => f.write_str(&self.detail),
        }
    }
}

/// One row of the file and what became of it.
#[derive(Debug, Clone)]
pub struct CsvRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The cells as read (invalid UTF-8 replaced), for a file of rejected rows.
    pub cells: Vec<String>,
    pub outcome: Result<NewEvent, Vec<RowError>>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("the mapping does not fit the file's header:\n{0}")]
    Header(MappingErrors),
    #[error("{0}")]
    Unreadable(String),
    #[error("reading the file: {0}")]
    Io(#[from] io::Error),
}

/// Counts the line breaks a reader passes through, so a row's line can be worked out
/// from where it ends (the `csv` crate's own line numbers are those of where it began
/// looking, which differ after blank lines and CRLF endings).
struct LineBreaks<R> {
    inner: R,
    offset: u64,
    /// Offsets of `\n` bytes read but not yet passed by a row.
    ahead: VecDeque<u64>,
    /// Offsets of `"`, `\r` and `\n` bytes read but not yet passed by a row, with the byte:
    /// enough to tell whether a row's last break closes it or sits inside a quoted
    /// cell that the file never closed.
    marks: VecDeque<(u64, u8)>,
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        for (position, byte) in buffer[..read].iter().enumerate() {
            match *byte {
                b'\n' => {
                    self.ahead.push_back(self.offset + position as u64);
                    self.marks.push_back((self.offset + position as u64, *byte));
                }
                b'"' | b'\r' => self.marks.push_back((self.offset + position as u64, *byte)),
                _ => {}
            }
        }
        self.offset += read as u64;
        Ok(read)
    }
}

impl<R> LineBreaks<R> {
    /// Whether the byte at `offset` is a line break; forgets the breaks before it.
    fn is_break(&mut self, offset: u64) -> bool {
        while self.ahead.front().is_some_and(|&at| at < offset) {
            self.ahead.pop_front();
        }
        self.ahead.front() == Some(&offset)
    }

    fn mark_at(&self, offset: u64) -> Option<u8> {
        self.marks
            .binary_search_by_key(&offset, |(at, _)| *at)
            .ok()
            .map(|index| self.marks[index].1)
    }

    /// Whether the break at `offset` ends a row after a closing quote, for a row whose
    /// last cell ends with a line break: then the file reads `\n"` just before it (past
    /// one `\r`), the cell's own break and the closing quote. Anything else means the
    /// break is the cell's, in a quoted cell the file ended without closing. Forgets
    /// the marks before `row_start`.
    fn closes_quote(&mut self, offset: u64, row_start: u64) -> bool {
        while self.marks.front().is_some_and(|(at, _)| *at < row_start) {
            self.marks.pop_front();
        }
        let mut at = offset;
        if at > 0 && self.mark_at(at - 1) == Some(b'\r') {
            at -= 1;
        }
        at >= 2 && self.mark_at(at - 1) == Some(b'"') && self.mark_at(at - 2) == Some(b'\n')
    }
}

/// The rows of one export, read with one mapping.
pub struct CsvRows<'m, R: Read> {
    reader: csv::Reader<LineBreaks<R>>,
    mapping: &'m Mapping,
    header: Vec<String>,
    columns: HashMap<String, usize>,
    options: ImportOptions,
    record: csv::ByteRecord,
    /// Where the last row read ended (the header's end before the first).
    record_end: u64,
}

impl<'m, R: Read> CsvRows<'m, R> {
    /// Reads the header and checks that it holds every column the mapping names.
    pub fn new(mapping: &'m Mapping, input: R, options: ImportOptions) -> Result<Self, CsvError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(LineBreaks {
                inner: input,
                offset: 0,
                ahead: VecDeque::new(),
                marks: VecDeque::new(),
            });
        let header = match reader.byte_headers() {
            Ok(header) if header.iter().any(|cell| !cell.is_empty()) => header.clone(),
            Ok(_) => {
                return Err(CsvError::Unreadable(
                    "the file is empty: line 1 must be the header, naming the columns".into(),
                ));
            }
            Err(error) => return Err(read_error(error)),
        };
        let header: Vec<String> = match header
            .iter()
            .map(|cell| std::str::from_utf8(cell).map(|text| text.trim().to_string()))
            .collect::<Result<_, _>>()
        {
            Ok(header) => header,
            Err(_) => {
                return Err(CsvError::Unreadable(
                    "line 1, the header, is not valid UTF-8: save the export as UTF-8 (\"CSV UTF-8\" in Excel)".into(),
                ));
            }
        };
        let mut columns = HashMap::new();
        let mut repeated = Vec::new();
        for (index, name) in header.iter().enumerate() {
            if columns.insert(name.clone(), index).is_some() {
                repeated.push(name.clone());
            }
        }
        let mut errors = Vec::new();
        for (column, key, line) in mapping.columns() {
            let detail = if repeated.iter().any(|name| name == column) {
                format!(
                    "column {column:?} appears more than once in the header, so which one is meant is unclear"
                )
            } else if columns.contains_key(column) {
                continue;
            } else {
                let near = header
                    .iter()
                    .find(|name| name.eq_ignore_ascii_case(column))
                    .map(|name| format!(" (the header has {name:?}: names must match exactly)"))
                    .unwrap_or_default();
                format!(
                    "column {column:?} is not in the file's header{near}; the header has: {}",
                    header
                        .iter()
                        .map(|name| format!("{name:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if !errors
                .iter()
                .any(|e: &MappingError| e.key == key && e.detail == detail)
            {
                errors.push(MappingError {
                    key: key.to_string(),
                    line,
                    detail,
                });
            }
        }
        if !errors.is_empty() {
            return Err(CsvError::Header(MappingErrors(errors)));
        }
        Ok(CsvRows {
            reader,
            mapping,
            header,
            columns,
            options,
            record: csv::ByteRecord::new(),
            record_end: 0,
        })
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// How far into the file the reader is, in bytes, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

fn read_error(error: csv::Error) -> CsvError {
    let line = error.position().map(|position| position.line());
    match error.into_kind() {
        csv::ErrorKind::Io(error) => CsvError::Io(error),
        other => CsvError::Unreadable(match line {
            Some(line) => format!("near line {line}: {other:?}"),
            None => format!("{other:?}"),
        }),
    }
}

impl<R: Read> Iterator for CsvRows<'_, R> {
    type Item = Result<CsvRow, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(error) => return Some(Err(read_error(error))),
            }
            let end = self.reader.position().byte();
            let lines_passed = self.reader.position().line();
            let start = self.record_end;
            self.record_end = end;
            let mut ends_with_break = end > 0 && self.reader.get_mut().is_break(end - 1);
            // A file that ends inside a quoted cell: its last break belongs to the cell
            // (counted below), not after the row.
            let last_cell_ends_with_break = self
                .record
                .iter()
                .next_back()
                .is_some_and(|cell| cell.ends_with(b"\n"));
            if ends_with_break
                && last_cell_ends_with_break
                && !self.reader.get_mut().closes_quote(end - 1, start)
            {
                ends_with_break = false;
            }
            let last_line = lines_passed - u64::from(ends_with_break);
            let breaks_inside = self
                .record
                .iter()
                .map(|cell| cell.iter().filter(|b| **b == b'\n').count() as u64)
                .sum::<u64>();
            let line = last_line - breaks_inside;
            if self.record.iter().all(|cell| cell.trim_ascii().is_empty()) {
                continue;
            }
            return Some(Ok(self.row(line)));
        }
    }
}

impl<R: Read> CsvRows<'_, R> {
    fn row(&self, line: u64) -> CsvRow {
        let mut errors = Vec::new();
        let cells: Vec<String> = self
            .record
            .iter()
            .enumerate()
            .map(|(index, cell)| match std::str::from_utf8(cell) {
                Ok(text) => text.to_string(),
                Err(error) => {
                    errors.push(RowError {
                        column: self.header.get(index).cloned(),
                        field: String::new(),
                        detail: format!(
                            "not valid UTF-8 at byte {} of the cell: save the export as UTF-8",
                            error.valid_up_to()
                        ),
                    });
                    String::from_utf8_lossy(cell).into_owned()
                }
            })
            .collect();
        if cells.len() != self.header.len() {
            errors.push(RowError {
                column: None,
                field: String::new(),
                detail: format!(
                    "the row has {} cells but the header has {}: look for a missing or extra comma, or a quote left open",
                    cells.len(),
                    self.header.len()
                ),
            });
        }
        let outcome = if errors.is_empty() {
            map_row(self.mapping, &self.columns, &cells, &self.options)
        } else {
            Err(errors)
        };
        CsvRow {
            line,
            cells,
            outcome,
        }
    }
}

/// A row's cells to a checked event, with every reason it cannot be one.
pub fn map_row(
    mapping: &Mapping,
    columns: &HashMap<String, usize>,
    cells: &[String],
    options: &ImportOptions,
) -> Result<NewEvent, Vec<RowError>> {
    let mut row = RowBuilder {
        cells,
        columns,
        errors: Vec::new(),
        sources: Vec::new(),
        failed: Vec::new(),
    };
    let mut event = Map::new();
    let kind = row.value(&mapping.kind, "/kind");
    if let Some(kind) = &kind {
        event.insert("kind".into(), kind.clone());
    }
    event.insert("agency".into(), Value::String(mapping.agency.to_string()));
    event.insert(
        "source_system".into(),
        Value::String(mapping.source_system.clone()),
    );
    row.put(&mut event, "source_id", &mapping.source_id, "");
    row.put(&mut event, "occurred_at", &mapping.occurred_at, "");
    if let Some(field) = &mapping.recorded_at
        && let Some(value) = row.value(field, "/recorded_at")
    {
        // Vigil takes the moment an agency recorded something as an instant.
        let instant = value
            .as_str()
            .and_then(|text| OccurredAt::parse(text).ok())
            .map(|moment| Value::String(moment.start().to_string()))
            .unwrap_or(value);
        event.insert("recorded_at".into(), instant);
    }
    if let Some(field) = &mapping.recorded_by
        && let Some(name) = row.value(field, "/recorded_by/name")
    {
        event.insert("recorded_by".into(), serde_json::json!({ "name": name }));
    }
    if let Some(field) = &mapping.summary {
        row.put(&mut event, "summary", field, "");
    }

    let mut people = Vec::new();
    for person in &mapping.people {
        let pointer = format!("/people/{}", people.len());
        // Someone is in this record when a cell of their own is filled in: an address
        // shared with the child does not make a second adult appear.
        let named = person
            .name
            .fields()
            .into_iter()
            .chain(person.fields.iter().map(|(_, field)| field))
            .any(|field| row.has_cell(field));
        if !named {
            continue;
        }
        let mut object = Map::new();
        if let Some(name) = row.name(&person.name, &format!("{pointer}/name")) {
            object.insert("name".into(), name);
        }
        for (name, field) in &person.fields {
            row.put(&mut object, name, field, &pointer);
        }
        let addresses = row.addresses(&person.addresses, &format!("{pointer}/addresses"));
        if !addresses.is_empty() {
            object.insert("addresses".into(), Value::Array(addresses));
        }
        if let Some(role) = row.value(&person.role, &format!("{pointer}/role")) {
            object.insert("role".into(), role);
        }
        people.push(Value::Object(object));
    }
    event.insert("people".into(), Value::Array(people));

    let mut details = Map::new();
    let kind_text = kind.as_ref().and_then(Value::as_str);
    if let Some(fields) = kind_text.and_then(|kind| mapping.details.get(kind)) {
        for (name, field) in fields {
            row.put(&mut details, name, field, "/details");
        }
    }
    if kind_text == Some("injury_observation")
        && let Some(injury) = &mapping.injury
    {
        let injury = row.injury(injury, "/details/injuries/0");
        details.insert("injuries".into(), Value::Array(vec![injury]));
    }
    event.insert("details".into(), Value::Object(details));

    let parsed = parse_event(&Value::Object(event), "", options.now, &options.limits);
    let mut errors = row.errors;
    let result = match parsed {
        Ok(event) if errors.is_empty() => return Ok(event),
        Ok(_) => errors,
        Err(found) => {
            for mut error in found {
                // serde names a missing details field on the details object; name the
                // field itself, so that it is found by its column like any other.
                if let Some(name) = error
                    .detail
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split_once('`'))
                    .map(|(name, _)| name.to_string())
                {
                    error.field = format!("{}/{name}", error.field);
                    error.detail = "is required".into();
                }
                let within = |pointer: &str| {
                    error.field == pointer || error.field.starts_with(&format!("{pointer}/"))
                };
                // A field that could not be converted is left out of the event; the
                // domain's complaint that it is missing would say the same thing again.
                if row.failed.iter().any(|pointer| within(pointer)) {
                    continue;
                }
                let column = row
                    .sources
                    .iter()
                    .filter(|(pointer, _)| within(pointer))
                    .max_by_key(|(pointer, _)| pointer.len())
                    .map(|(_, column)| column.clone());
                errors.push(RowError {
                    column,
                    field: error.field,
                    detail: error.detail,
                });
            }
            errors
        }
    };
    Err(in_column_order(result, columns))
}

/// Reasons in the order of the file's columns, as someone fixing the row reads it;
/// reasons about the whole row first.
fn in_column_order(mut errors: Vec<RowError>, columns: &HashMap<String, usize>) -> Vec<RowError> {
    errors.sort_by_key(|error| {
        error
            .column
            .as_deref()
            .map(|column| column.split(" + ").next().unwrap_or(column))
            .and_then(|column| columns.get(column))
            .map_or(0, |index| index + 1)
    });
    errors
}

/// Builds one row's event, remembering which column each field came from.
struct RowBuilder<'a> {
    cells: &'a [String],
    columns: &'a HashMap<String, usize>,
    errors: Vec<RowError>,
    /// (JSON pointer, column) for every field read from a column.
    sources: Vec<(String, String)>,
    /// Pointers of fields whose cell could not be converted.
    failed: Vec<String>,
}

impl RowBuilder<'_> {
    fn cell(&self, column: &str) -> Option<&str> {
        let index = *self.columns.get(column)?;
        let text = self.cells.get(index)?.trim();
        (!text.is_empty()).then_some(text)
    }

    /// Whether the field reads a column whose cell in this row is filled in.
    fn has_cell(&self, field: &Field) -> bool {
        matches!(&field.source, Source::Column(column) if self.cell(column).is_some())
    }

    /// A person's name: the one field, or the parts as the domain's name object (the
    /// middle names split into words). `None` when every cell is empty, so that the
    /// domain says the name is required, naming the name's columns.
    fn name(&mut self, name: &NameMapping, pointer: &str) -> Option<Value> {
        let parts = match name {
            NameMapping::Whole(field) => return self.value(field, pointer),
            NameMapping::Parts(parts) => parts,
        };
        let columns: Vec<&str> = parts
            .iter()
            .filter_map(|(_, field)| match &field.source {
                Source::Column(column) => Some(column.as_str()),
                Source::Fixed(_) => None,
            })
            .collect();
        if !columns.is_empty() {
            self.sources
                .push((pointer.to_string(), columns.join(" + ")));
        }
        let mut object = Map::new();
        for (part, field) in parts {
            let part_pointer = format!("{pointer}/{part}");
            let Some(value) = self.value(field, &part_pointer) else {
                continue;
            };
            let value = match (*part, value) {
                ("middle", Value::String(words)) => Value::Array(
                    words
                        .split_whitespace()
                        .map(|word| Value::String(word.to_string()))
                        .collect(),
                ),
                (_, value) => value,
            };
            object.insert((*part).to_string(), value);
        }
        (!object.is_empty()).then_some(Value::Object(object))
    }

    /// A person's addresses, in the mapping's order, leaving out those whose columns
    /// and postcode are all empty in this row.
    fn addresses(&mut self, addresses: &[AddressMapping], pointer: &str) -> Vec<Value> {
        let mut read = Vec::new();
        for address in addresses {
            let address_pointer = format!("{pointer}/{}", read.len());
            let cells: Vec<String> = address
                .columns
                .iter()
                .filter_map(|column| self.cell(column).map(str::to_string))
                .collect();
            let postcode = address
                .postcode
                .as_ref()
                .and_then(|field| self.value(field, &format!("{address_pointer}/postcode")));
            if cells.is_empty() && postcode.is_none() {
                continue;
            }
            let mut columns: Vec<&str> = address.columns.iter().map(String::as_str).collect();
            if let Some(Field {
                source: Source::Column(column),
                ..
            }) = &address.postcode
            {
                columns.push(column);
            }
            self.sources.push((address_pointer, columns.join(" + ")));
            let mut text = cells.join(", ");
            if text.is_empty()
                && let Some(Value::String(postcode)) = &postcode
            {
                text = postcode.clone();
            }
            let mut object = Map::new();
            object.insert("text".into(), Value::String(text));
            if let Some(postcode) = postcode {
                object.insert("postcode".into(), postcode);
            }
            read.push(Value::Object(object));
        }
        read
    }

    /// The row's one injury, with its explanation when a cell of it is filled in.
    fn injury(&mut self, injury: &InjuryMapping, pointer: &str) -> Value {
        let mut object = Map::new();
        for (name, field) in &injury.fields {
            self.put(&mut object, name, field, pointer);
        }
        if injury
            .explanation
            .iter()
            .any(|(_, field)| self.has_cell(field))
        {
            let explanation_pointer = format!("{pointer}/explanations/0");
            let mut explanation = Map::new();
            for (name, field) in &injury.explanation {
                self.put(&mut explanation, name, field, &explanation_pointer);
            }
            object.insert(
                "explanations".into(),
                Value::Array(vec![Value::Object(explanation)]),
            );
        }
        Value::Object(object)
    }

    fn put(&mut self, object: &mut Map<String, Value>, name: &str, field: &Field, prefix: &str) {
        if let Some(value) = self.value(field, &format!("{prefix}/{name}")) {
            object.insert(name.to_string(), value);
        }
    }

    /// The field's value for this row: `None` for an empty cell or a cell that could not
    /// be converted (the reason is kept).
    fn value(&mut self, field: &Field, pointer: &str) -> Option<Value> {
        let (column, text) = match &field.source {
            Source::Fixed(value) => return Some(value.clone()),
            Source::Column(column) => {
                self.sources.push((pointer.to_string(), column.clone()));
                (column.clone(), self.cell(column)?.to_string())
            }
        };
        let result = match &field.conversion {
            Conversion::List(separator) => text
                .split(separator.as_str())
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| look_up(field, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            conversion => look_up(field, &text).and_then(|value| match value {
                Value::String(text) => convert(conversion, &text),
                typed => Ok(typed),
            }),
        };
        // A word of a vocabulary read as the cell writes it ("Bruise", "Upper arm")
        // is taken in Vigil's spelling when that is all that differs.
        let result = match (result, field.words) {
            (Ok(Value::String(word)), Some(words)) => match words.check(&word) {
                Ok(()) => Ok(Value::String(word)),
                Err(detail) => {
                    let spelled = vocabulary_spelling(&word);
                    words
                        .check(&spelled)
                        .map(|()| Value::String(spelled))
                        .map_err(|_| detail)
                }
            },
            (result, _) => result,
        };
        match result {
            Ok(value) => Some(value),
            Err(detail) => {
                self.errors.push(RowError {
                    column: Some(column),
                    field: pointer.to_string(),
                    detail,
                });
                self.failed.push(pointer.to_string());
                None
            }
        }
    }
}

/// A word as Vigil's vocabularies spell it: lower case, words joined by `_`
/// ("Upper arm" and "upper-arm" are `upper_arm`).
fn vocabulary_spelling(word: &str) -> String {
    word.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// The cell through the field's table of values, when it has one.
fn look_up(field: &Field, text: &str) -> Result<Value, String> {
    let Some(values) = &field.values else {
        return Ok(Value::String(text.to_string()));
    };
    if let Some(value) = values.get(text) {
        return Ok(value.clone());
    }
    if let Some((_, value)) = values
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(text))
    {
        return Ok(value.clone());
    }
    Err(format!(
        "{text:?} is not in the values of {} in the mapping; it knows: {}",
        field.key,
        values
            .keys()
            .map(|key| format!("{key:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn convert(conversion: &Conversion, text: &str) -> Result<Value, String> {
    match conversion {
        Conversion::Text | Conversion::List(_) => Ok(Value::String(text.to_string())),
        Conversion::Boolean => match text.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Ok(Value::Bool(true)),
            "no" | "n" | "false" | "f" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "{text:?} is not yes or no (Yes, Y, True, 1 / No, N, False, 0)"
            )),
        },
        Conversion::Number => {
            if let Ok(whole) = text.parse::<i64>() {
                Ok(Value::from(whole))
            } else {
                text.parse::<f64>()
                    .ok()
                    .filter(|number| number.is_finite())
                    .map(Value::from)
                    .ok_or_else(|| format!("{text:?} is not a number"))
            }
        }
        Conversion::Date(formats, used_for) => formats.read(text, *used_for).map(Value::String),
    }
}
