//! `vigil import FILE.jsonl`: loads an agency's history, one event per line, through
//! the same checks as the API. Good lines are stored in batches; each bad line is
//! reported with its line number and reasons and written, with the reasons, to
//! `FILE.rejected.jsonl` beside the input, so it can be fixed and imported again.
//! Importing the same file twice stores nothing new: every line is idempotent.

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

/// Where the rejected lines of `file` go: `visits.jsonl` -> `visits.rejected.jsonl`.
pub fn rejected_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    file.with_file_name(format!("{stem}.rejected.jsonl"))
}

struct Pending {
    line: u64,
    text: String,
    event: NewEvent,
}

struct Rejections {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    shown: usize,
    progress: ProgressBar,
}

impl Rejections {
    fn reject(
        &mut self,
        line: u64,
        text: &str,
        errors: &[FieldError],
        summary: &mut ImportSummary,
    ) -> anyhow::Result<()> {
        summary.rejected += 1;
        if self.shown < 10 {
            for error in errors {
                let field = if error.field.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", error.field)
                };
                self.progress
                    .suspend(|| eprintln!("line {line}: {field}{}", error.detail));
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
        if self.writer.is_none() {
            let file = File::create(&self.path)
                .with_context(|| format!("creating {}", self.path.display()))?;
            self.writer = Some(BufWriter::new(file));
        }
        let record = json!({ "line": line, "errors": errors, "record": text });
        let writer = self.writer.as_mut().expect("opened above");
        serde_json::to_writer(&mut *writer, &record)?;
        writer.write_all(b"\n")?;
        Ok(())
    }
}

impl StoreTask for Import {
    type Output = ImportSummary;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<ImportSummary> {
        let started = Instant::now();
        let file = File::open(&self.file)
            .with_context(|| format!("cannot open {}", self.file.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let progress = if self.show_progress {
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
        let path = rejected_path(&self.file);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("removing the old {}", path.display()))?;
        }
        let mut rejections = Rejections {
            path,
            writer: None,
            shown: 0,
            progress: progress.clone(),
        };
        let mut summary = ImportSummary::default();
        let mut pending: Vec<Pending> = Vec::with_capacity(self.batch_size);
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
                    rejections.reject(
                        line,
                        &lossy,
                        &[FieldError::new("", detail)],
                        &mut summary,
                    )?;
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            summary.lines += 1;
            let value: Value = match serde_json::from_str(text) {
                Ok(value) => value,
                Err(error) => {
                    let detail = format!("malformed JSON at column {}: {error}", error.column());
                    rejections.reject(line, text, &[FieldError::new("", detail)], &mut summary)?;
                    continue;
                }
            };
            match parse_event(&value, "", Timestamp::now(), &self.limits) {
                Ok(event) => pending.push(Pending {
                    line,
                    text: text.to_string(),
                    event,
                }),
                Err(errors) => rejections.reject(line, text, &errors, &mut summary)?,
            }
            if pending.len() >= self.batch_size {
                store_batch(&store, &mut pending, &mut rejections, &mut summary).await?;
                progress.set_message(format!(
                    "{} stored, {} rejected",
                    summary.created + summary.already_stored,
                    summary.rejected
                ));
            }
        }
        store_batch(&store, &mut pending, &mut rejections, &mut summary).await?;
        progress.finish_and_clear();
        if let Some(mut writer) = rejections.writer.take() {
            writer.flush()?;
            summary.rejected_file = Some(rejections.path);
        }
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
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
                    &refused.text,
                    &[FieldError::new(field, detail)],
                    summary,
                )?;
            }
        }
    }
    Ok(())
}
