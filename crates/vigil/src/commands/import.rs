//! `vigil import FILE.jsonl`: loads an agency's history, one event per line, through
//! the same checks as the API. Good lines are stored in batches; each bad line is
//! reported with its line number and reasons and written, with the reasons, to
//! `FILE.rejected.jsonl` beside the input, so it can be fixed and imported again.
//! Importing the same file twice stores nothing new: every line is idempotent.
//! The batching, storing and rejecting is the `Loader`, which the CSV import
//! (`import_csv.rs`) shares.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};
use vigil_domain::{FieldError, Limits, NewEvent, parse_event};
use vigil_store::{Appended, EventStore, StoreError};

use crate::database::StoreTask;

pub struct Import {
    pub file: PathBuf,
    pub batch_size: usize,
    pub limits: Limits,
    pub show_progress: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub lines: u64,
    pub created: u64,
    pub already_stored: u64,
    pub rejected: u64,
    pub seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_file: Option<PathBuf>,
}

/// Where the rejected lines of `file` go, beside it with the given extension:
/// `visits.jsonl` -> `visits.rejected.jsonl`, `police.csv` -> `police.rejected.csv`.
pub fn rejected_path(file: &Path, extension: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    file.with_file_name(format!("{stem}.rejected.{extension}"))
}

/// A record as it was read, kept to be written out again if it is rejected.
pub enum Record {
    /// A line of a JSON Lines file.
    Line(String),
    /// The cells of a CSV row.
    Row(Vec<String>),
}

struct Pending {
    line: u64,
    record: Record,
    event: NewEvent,
}

/// The file of rejected records, in the form of the input so it can be fixed and
/// imported again: JSON Lines (`{"line", "errors", "record"}`) or CSV (the line and the
/// reasons, then the row's own cells under its own header).
enum RejectsFile {
    JsonLines(Option<BufWriter<File>>),
    Csv {
        header: Vec<String>,
        writer: Option<Box<csv::Writer<File>>>,
    },
}

/// What kind of file the rejects go to.
pub enum RejectsFormat {
    JsonLines,
    /// With the input's header.
    Csv(Vec<String>),
}

struct Rejections {
    path: PathBuf,
    file: RejectsFile,
    shown: usize,
    progress: ProgressBar,
}

impl Rejections {
    fn reject(
        &mut self,
        line: u64,
        record: &Record,
        errors: &[FieldError],
        summary: &mut ImportSummary,
    ) -> anyhow::Result<()> {
        summary.rejected += 1;
        let reasons: Vec<String> = errors
            .iter()
            .map(|error| {
                if error.field.is_empty() {
                    error.detail.clone()
                } else {
                    format!("{}: {}", error.field, error.detail)
                }
            })
            .collect();
        if self.shown < 10 {
            for reason in &reasons {
                self.progress.suspend(|| eprintln!("line {line}: {reason}"));
            }
            self.shown += 1;
        } else if self.shown == 10 {
            self.progress.suspend(|| {
                eprintln!(
                    "(further rejected lines are only written to {})",
                    self.path.display()
                )
            });
            self.shown += 1;
        }
        let create = || {
            File::create(&self.path).with_context(|| format!("creating {}", self.path.display()))
        };
        match (&mut self.file, record) {
            (RejectsFile::JsonLines(writer), record) => {
                if writer.is_none() {
                    *writer = Some(BufWriter::new(create()?));
                }
                let text = match record {
                    Record::Line(text) => Value::String(text.clone()),
                    Record::Row(cells) => json!(cells),
                };
                let entry = json!({ "line": line, "errors": errors, "record": text });
                let writer = writer.as_mut().expect("opened above");
                serde_json::to_writer(&mut *writer, &entry)?;
                writer.write_all(b"\n")?;
            }
            (RejectsFile::Csv { header, writer }, record) => {
                if writer.is_none() {
                    // Flexible: a row with too few or too many cells is written as it was.
                    let mut csv = csv::WriterBuilder::new()
                        .flexible(true)
                        .from_writer(create()?);
                    let mut first = vec!["line".to_string(), "reasons".to_string()];
                    first.extend(header.iter().cloned());
                    csv.write_record(&first)?;
                    *writer = Some(Box::new(csv));
                }
                let mut row = vec![line.to_string(), reasons.join("; ")];
                match record {
                    Record::Row(cells) => row.extend(cells.iter().cloned()),
                    Record::Line(text) => row.push(text.clone()),
                }
                writer.as_mut().expect("opened above").write_record(&row)?;
            }
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<Option<PathBuf>> {
        match self.file {
            RejectsFile::JsonLines(Some(mut writer)) => writer.flush()?,
            RejectsFile::Csv {
                writer: Some(mut writer),
                ..
            } => writer.flush()?,
            _ => return Ok(None),
        }
        Ok(Some(self.path))
    }
}

/// A progress bar over the bytes of the input, hidden when not on a terminal.
pub fn progress_bar(size: u64, show: bool) -> ProgressBar {
    let progress = if show {
        ProgressBar::new(size)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} importing [{bar:40}] {bytes}/{total_bytes} {msg} ({eta} left)",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    progress
}

/// The one way records reach the store from a file: checked events are gathered into
/// batches and appended, rejected records are written beside the input with their
/// reasons, and a summary is kept. Both `vigil import` forms (JSON Lines and CSV) load
/// through it.
pub struct Loader<'s, S> {
    store: &'s S,
    batch_size: usize,
    pending: Vec<Pending>,
    rejections: Rejections,
    pub summary: ImportSummary,
    started: Instant,
}

impl<'s, S: EventStore> Loader<'s, S> {
    /// Removes the rejects file of an earlier import of `input`, so the one left after
    /// this import is this import's.
    pub fn new(
        store: &'s S,
        input: &Path,
        format: RejectsFormat,
        batch_size: usize,
        progress: ProgressBar,
    ) -> anyhow::Result<Self> {
        let (extension, file) = match format {
            RejectsFormat::JsonLines => ("jsonl", RejectsFile::JsonLines(None)),
            RejectsFormat::Csv(header) => (
                "csv",
                RejectsFile::Csv {
                    header,
                    writer: None,
                },
            ),
        };
        let path = rejected_path(input, extension);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the old {}", path.display()))?;
        }
        Ok(Loader {
            store,
            batch_size,
            pending: Vec::with_capacity(batch_size),
            rejections: Rejections {
                path,
                file,
                shown: 0,
                progress,
            },
            summary: ImportSummary::default(),
            started: Instant::now(),
        })
    }

    /// A checked event, stored with its batch.
    pub async fn accept(
        &mut self,
        line: u64,
        record: Record,
        event: NewEvent,
    ) -> anyhow::Result<()> {
        self.pending.push(Pending {
            line,
            record,
            event,
        });
        if self.pending.len() >= self.batch_size {
            store_batch(
                self.store,
                &mut self.pending,
                &mut self.rejections,
                &mut self.summary,
            )
            .await?;
            self.rejections.progress.set_message(format!(
                "{} stored, {} rejected",
                self.summary.created + self.summary.already_stored,
                self.summary.rejected
            ));
        }
        Ok(())
    }

    /// A record that is not an event, with every reason.
    pub fn reject(
        &mut self,
        line: u64,
        record: &Record,
        errors: &[FieldError],
    ) -> anyhow::Result<()> {
        self.rejections
            .reject(line, record, errors, &mut self.summary)
    }

    /// Stores what is pending and closes the rejects file.
    pub async fn finish(mut self) -> anyhow::Result<ImportSummary> {
        store_batch(
            self.store,
            &mut self.pending,
            &mut self.rejections,
            &mut self.summary,
        )
        .await?;
        self.rejections.progress.finish_and_clear();
        self.summary.rejected_file = self.rejections.finish()?;
        self.summary.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.summary)
    }
}

impl StoreTask for Import {
    type Output = ImportSummary;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<ImportSummary> {
        let file = File::open(&self.file)
            .with_context(|| format!("cannot open {}", self.file.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let progress = progress_bar(size, self.show_progress);
        let mut loader = Loader::new(
            &store,
            &self.file,
            RejectsFormat::JsonLines,
            self.batch_size,
            progress.clone(),
        )?;
        let mut reader = BufReader::new(file);
        let mut bytes = Vec::new();
        let mut line = 0u64;
        loop {
            bytes.clear();
            let read = reader
                .read_until(b'\n', &mut bytes)
                .with_context(|| format!("reading {}", self.file.display()))?;
            if read == 0 {
                break;
            }
            line += 1;
            progress.inc(read as u64);
            let text = match std::str::from_utf8(&bytes) {
                Ok(text) => text.trim(),
                Err(error) => {
                    let lossy = String::from_utf8_lossy(&bytes).trim().to_string();
                    let detail = format!(
                        "not valid UTF-8 at byte {} of the line",
                        error.valid_up_to()
                    );
                    loader.reject(line, &Record::Line(lossy), &[FieldError::new("", detail)])?;
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            loader.summary.lines += 1;
            let record = Record::Line(text.to_string());
            let value: Value = match serde_json::from_str(text) {
                Ok(value) => value,
                Err(error) => {
                    let detail = format!("malformed JSON at column {}: {error}", error.column());
                    loader.reject(line, &record, &[FieldError::new("", detail)])?;
                    continue;
                }
            };
            match parse_event(&value, "", Timestamp::now(), &self.limits) {
                Ok(event) => loader.accept(line, record, event).await?,
                Err(errors) => loader.reject(line, &record, &errors)?,
            }
        }
        loader.finish().await
    }
}

/// Stores the pending lines as one atomic append. A line the store refuses (a source
/// id already used by a different record, a correction of an unknown event) is rejected
/// on its own and the rest are tried again; an unavailable store is waited for.
async fn store_batch<S: EventStore>(
    store: &S,
    pending: &mut Vec<Pending>,
    rejections: &mut Rejections,
    summary: &mut ImportSummary,
) -> anyhow::Result<()> {
    let mut waits = [1u64, 2, 4, 8, 16].into_iter();
    while !pending.is_empty() {
        let events: Vec<NewEvent> = pending.iter().map(|p| p.event.clone()).collect();
        match store.append(events, Timestamp::now()).await {
            Ok(outcomes) => {
                for outcome in outcomes {
                    match outcome {
                        Appended::Created { .. } => summary.created += 1,
                        Appended::AlreadyStored { .. } => summary.already_stored += 1,
                    }
                }
                pending.clear();
            }
            Err(error @ StoreError::Unavailable(_)) => match waits.next() {
                Some(seconds) => {
                    rejections
                        .progress
                        .suspend(|| eprintln!("{error}; trying again in {seconds} s"));
                    tokio::time::sleep(Duration::from_secs(seconds)).await;
                }
                None => bail!(
                    "{error}; gave up after five tries. Lines before line {} are stored; importing the file again is safe",
                    pending[0].line
                ),
            },
            Err(StoreError::Internal(detail)) => bail!("the store failed: {detail}"),
            Err(
                ref error @ (StoreError::Conflict { index, .. }
                | StoreError::DifferentRepeatInBatch { index, .. }
                | StoreError::UnknownSupersedes { index, .. }
                | StoreError::SupersedesOtherAgency { index, .. }
                | StoreError::AlreadySuperseded { index, .. }),
            ) => {
                let detail = match error {
                    StoreError::DifferentRepeatInBatch { earlier, key, .. } => format!(
                        "{key} is also the key of line {} with different content",
                        pending[*earlier].line
                    ),
                    other => {
                        let text = other.to_string();
                        text.split_once(": ")
                            .map_or(text.clone(), |(_, rest)| rest.to_string())
                    }
                };
                let field = match error {
                    StoreError::Conflict { .. } | StoreError::DifferentRepeatInBatch { .. } => {
                        "/source_id"
                    }
                    _ => "/supersedes",
                };
                let refused = pending.remove(index);
                let detail = detail.as_str();
                rejections.reject(
                    refused.line,
                    &refused.record,
                    &[FieldError::new(field, detail)],
                    summary,
                )?;
            }
        }
    }
    Ok(())
}
