//! Vigil's portable backup format, written and read here without SQL so that every
//! backend that uses it agrees on it.
//!
//! Why a format of our own: a PostgreSQL deployment must be able to take a consistent
//! backup with nothing but the `vigil` binary (no `pg_dump` of the right major version
//! on the host), and restore it into an empty database through the store, which
//! checks the schema version and that nothing is overwritten. The embedded store does
//! not need it: a SQLite backup is a SQLite file (`VACUUM INTO`).
//!
//! The file is JSON Lines. The first line is a [`BackupLine::Header`] naming the format,
//! its version, the backend, the schema version (the last migration applied) and the
//! tables in the order they are restored (a table after those it refers to). Then one
//! [`BackupLine::Row`] per row, table by table, each row as an object of its columns.
//! The last line is [`BackupLine::End`] with the number of rows of each table: a file
//! cut short (a full disk, a copy interrupted) has no end line, or counts that do not
//! match, and is refused whole.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// The first word of every backup file.
pub const FORMAT: &str = "vigil-backup";

/// Bumped when the layout of the lines changes (not when Vigil's schema does: that is
/// `schema_version`).
pub const FORMAT_VERSION: u32 = 1;

/// One line of a backup file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum BackupLine {
    Header(BackupHeader),
    Row {
        table: String,
        row: serde_json::Value,
    },
    End {
        rows: BTreeMap<String, u64>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupHeader {
    pub format: String,
    pub format_version: u32,
    /// `postgres`: which backend wrote it.
    pub backend: String,
    /// The last migration applied to the database backed up.
    pub schema_version: i64,
    pub created_at: Timestamp,
    /// In restore order.
    pub tables: Vec<String>,
}

/// What a backup or a restore carried.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    pub schema_version: i64,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
}

impl BackupSummary {
    pub fn events(&self) -> u64 {
        self.rows.get("events").copied().unwrap_or(0)
    }
}

fn io_error(error: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("writing or reading the backup file: {error}"))
}

/// Writes a backup file line by line.
pub struct BackupWriter<W: Write> {
    writer: W,
    header: BackupHeader,
    rows: BTreeMap<String, u64>,
}

impl<W: Write> BackupWriter<W> {
    pub fn start(mut writer: W, header: BackupHeader) -> Result<Self, StoreError> {
        let line = serde_json::to_string(&BackupLine::Header(header.clone()))
            .map_err(|error| StoreError::Internal(error.to_string()))?;
        writeln!(writer, "{line}").map_err(io_error)?;
        let rows = header.tables.iter().map(|t| (t.clone(), 0)).collect();
        Ok(BackupWriter {
            writer,
            header,
            rows,
        })
    }

    /// One row, given as the JSON object the database produced (on one line).
    pub fn row(&mut self, table: &str, row_json: &str) -> Result<(), StoreError> {
        let Some(count) = self.rows.get_mut(table) else {
            return Err(StoreError::Internal(format!(
                "table {table} is not in the backup's header"
            )));
        };
        if row_json.contains('\n') || !row_json.trim_start().starts_with('{') {
            return Err(StoreError::Internal(format!(
                "a row of {table} is not one JSON object on one line"
            )));
        }
        *count += 1;
        let table = serde_json::to_string(table).expect("a string serialises");
        writeln!(
            self.writer,
            "{{\"line\":\"row\",\"table\":{table},\"row\":{row_json}}}"
        )
        .map_err(io_error)
    }

    /// Writes the end line and flushes; returns the writer (to sync a file) and what
    /// was written.
    pub fn finish(mut self) -> Result<(W, BackupSummary), StoreError> {
        let line = serde_json::to_string(&BackupLine::End {
            rows: self.rows.clone(),
        })
        .map_err(|error| StoreError::Internal(error.to_string()))?;
        writeln!(self.writer, "{line}").map_err(io_error)?;
        self.writer.flush().map_err(io_error)?;
        Ok((
            self.writer,
            BackupSummary {
                schema_version: self.header.schema_version,
                rows: self.rows,
            },
        ))
    }
}

/// Reads a backup file, refusing anything that is not a whole backup of this format.
pub struct BackupReader<R: BufRead> {
    lines: std::io::Lines<R>,
    pub header: BackupHeader,
    rows: BTreeMap<String, u64>,
    line_number: usize,
    ended: bool,
}

fn unusable(line: usize, why: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("the backup file is unusable at line {line}: {why}"))
}

impl<R: BufRead> BackupReader<R> {
    pub fn open(reader: R) -> Result<Self, StoreError> {
        let mut lines = reader.lines();
        let first = lines
            .next()
            .ok_or_else(|| unusable(1, "the file is empty"))?
            .map_err(io_error)?;
        let header = match serde_json::from_str::<BackupLine>(&first) {
            Ok(BackupLine::Header(header)) if header.format == FORMAT => header,
            _ => {
                return Err(unusable(
                    1,
                    format!(
                        "it does not start with a {FORMAT} header; is it a backup made by `vigil backup` of a PostgreSQL store?"
                    ),
                ));
            }
        };
        if header.format_version != FORMAT_VERSION {
            return Err(unusable(
                1,
                format!(
                    "it is format version {}, this Vigil reads version {FORMAT_VERSION}",
                    header.format_version
                ),
            ));
        }
        Ok(BackupReader {
            lines,
            header,
            rows: BTreeMap::new(),
            line_number: 1,
            ended: false,
        })
    }

    /// The next row as (table, columns); `None` after the end line, once the counts
    /// were checked.
    pub fn next_row(&mut self) -> Result<Option<(String, serde_json::Value)>, StoreError> {
        if self.ended {
            return Ok(None);
        }
        let Some(text) = self.lines.next() else {
            return Err(unusable(
                self.line_number + 1,
                "the file ends without its end line: it was cut short",
            ));
        };
        let text = text.map_err(io_error)?;
        self.line_number += 1;
        match serde_json::from_str::<BackupLine>(&text) {
            Ok(BackupLine::Row { table, row }) => {
                if !self.header.tables.contains(&table) {
                    return Err(unusable(
                        self.line_number,
                        format!("table {table} is not in the header"),
                    ));
                }
                if !row.is_object() {
                    return Err(unusable(self.line_number, "a row is not a JSON object"));
                }
                *self.rows.entry(table.clone()).or_default() += 1;
                Ok(Some((table, row)))
            }
            Ok(BackupLine::End { rows }) => {
                let read: BTreeMap<String, u64> = rows
                    .keys()
                    .map(|t| (t.clone(), 0))
                    .chain(self.rows.clone())
                    .collect();
                if read != rows {
                    return Err(unusable(
                        self.line_number,
                        format!("the end line counts {rows:?} rows but the file holds {read:?}"),
                    ));
                }
                if self.lines.next().is_some() {
                    return Err(unusable(
                        self.line_number + 1,
                        "there is more after the end line",
                    ));
                }
                self.ended = true;
                Ok(None)
            }
            Ok(BackupLine::Header(_)) => Err(unusable(self.line_number, "a second header")),
            Err(error) => Err(unusable(self.line_number, error)),
        }
    }

    pub fn summary(&self) -> BackupSummary {
        BackupSummary {
            schema_version: self.header.schema_version,
            rows: self.rows.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup() -> Vec<u8> {
        let header = BackupHeader {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            backend: "postgres".into(),
            schema_version: 5,
            created_at: Timestamp::UNIX_EPOCH,
            tables: vec!["events".into(), "audit".into()],
        };
        let mut writer = BackupWriter::start(Vec::new(), header).unwrap();
        writer.row("events", r#"{"sequence":1}"#).unwrap();
        writer.row("events", r#"{"sequence":2}"#).unwrap();
        writer.row("audit", r#"{"sequence":1}"#).unwrap();
        let (bytes, summary) = writer.finish().unwrap();
        assert_eq!(summary.events(), 2);
        bytes
    }

    fn read_all(bytes: &[u8]) -> Result<BackupSummary, StoreError> {
        let mut reader = BackupReader::open(bytes)?;
        while reader.next_row()?.is_some() {}
        Ok(reader.summary())
    }

    #[test]
    fn a_whole_backup_reads_back_with_its_counts() {
        let summary = read_all(&backup()).unwrap();
        assert_eq!(summary.events(), 2);
        assert_eq!(summary.rows["audit"], 1);
        assert_eq!(summary.schema_version, 5);
    }

    #[test]
    fn a_backup_cut_short_or_altered_is_refused() {
        let whole = String::from_utf8(backup()).unwrap();
        let lines: Vec<&str> = whole.lines().collect();
        let cut = lines[..lines.len() - 1].join("\n");
        let dropped_row = [lines[0], lines[1], lines[3], lines[4]].join("\n");
        let extra = format!("{whole}{}\n", lines[1]);
        for (what, text, expected) in [
            ("cut short", cut.as_str(), "cut short"),
            ("a row removed", dropped_row.as_str(), "end line counts"),
            ("a line after the end", extra.as_str(), "after the end line"),
            ("not a backup", "{\"hello\":1}\n", "header"),
            ("empty", "", "empty"),
        ] {
            let error = read_all(text.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(expected), "{what}: {error}");
        }
    }

    #[test]
    fn a_row_for_a_table_not_in_the_header_is_refused_when_written() {
        let header = BackupHeader {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            backend: "postgres".into(),
            schema_version: 5,
            created_at: Timestamp::UNIX_EPOCH,
            tables: vec!["events".into()],
        };
        let mut writer = BackupWriter::start(Vec::new(), header).unwrap();
        assert!(writer.row("audit", "{}").is_err());
        assert!(writer.row("events", "{\n}").is_err());
    }
}
