//! `vigil import --csv FILE --mapping MAP.toml`: an agency's CSV export, read by
//! `vigil-csv` with the mapping for that export and loaded through the same `Loader` as
//! the JSON Lines import: events stored in batches, each rejected row written to
//! `FILE.rejected.csv` with its line and reasons before its own cells, and nothing
//! stored twice when the file is imported again. The mapping and the header are checked
//! before the store is opened, so a wrong mapping stores nothing.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use jiff::Timestamp;
use vigil_csv::{CsvError, CsvRows, ImportOptions, Mapping};
use vigil_domain::{FieldError, Limits};
use vigil_store::EventStore;

use crate::commands::import::{ImportSummary, Loader, Record, RejectsFormat, progress_bar};
use crate::database::StoreTask;

pub struct CsvImport {
    pub file: PathBuf,
    pub mapping: Mapping,
    pub batch_size: usize,
    pub limits: Limits,
    pub show_progress: bool,
}

/// Reads and checks a mapping file; every mistake is listed with the file's name.
pub fn load_mapping(path: &Path) -> anyhow::Result<Mapping> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the mapping {}", path.display()))?;
    Mapping::from_toml(&text).map_err(|errors| {
        let lines: Vec<String> = errors
            .0
            .iter()
            .map(|error| format!("  {}: {error}", path.display()))
            .collect();
        anyhow::anyhow!(
            "the mapping {} has {} mistake{}; nothing was imported:\n{}",
            path.display(),
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            lines.join("\n")
        )
    })
}

impl CsvImport {
    fn open(&self, now: Timestamp) -> anyhow::Result<CsvRows<'_, BufReader<File>>> {
        let file = File::open(&self.file)
            .with_context(|| format!("cannot open {}", self.file.display()))?;
        let options = ImportOptions {
            now,
            limits: self.limits,
        };
        CsvRows::new(&self.mapping, BufReader::new(file), options).map_err(|error| match error {
            CsvError::Header(errors) => anyhow::anyhow!(
                "the mapping does not fit the header (line 1) of {}; nothing was imported:\n{}",
                self.file.display(),
                errors
                    .0
                    .iter()
                    .map(|error| format!("  mapping {error}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            other => anyhow::anyhow!("{}: {other}", self.file.display()),
        })
    }

    /// Checks the file's header against the mapping, before any store is opened.
    pub fn check_header(&self) -> anyhow::Result<()> {
        self.open(Timestamp::now()).map(|_| ())
    }
}

impl StoreTask for CsvImport {
    type Output = ImportSummary;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<ImportSummary> {
        let size = std::fs::metadata(&self.file).map(|m| m.len()).unwrap_or(0);
        let progress = progress_bar(size, self.show_progress);
        let mut rows = self.open(Timestamp::now())?;
        let mut loader = Loader::new(
            &store,
            &self.file,
            RejectsFormat::Csv(rows.header().to_vec()),
            self.batch_size,
            progress.clone(),
        )?;
        while let Some(row) = rows.next() {
            let row = match row {
                Ok(row) => row,
                // A file that stops being CSV part-way (an I/O error, not a bad row):
                // what was read before is stored, and importing again is safe.
                Err(error) => {
                    loader.finish().await?;
                    bail!(
                        "{}: {error}; the rows before it are stored and importing the file again is safe",
                        self.file.display()
                    );
                }
            };
            progress.set_position(rows.bytes_read());
            loader.summary.lines += 1;
            let record = Record::Row(row.cells);
            match row.outcome {
                Ok(event) => loader.accept(row.line, record, event).await?,
                Err(errors) => {
                    let errors: Vec<FieldError> = errors
                        .iter()
                        .map(|error| match &error.column {
                            Some(column) => {
                                FieldError::new(format!("column {column:?}"), &error.detail)
                            }
                            None => FieldError::new(&error.field, &error.detail),
                        })
                        .collect();
                    loader.reject(row.line, &record, &errors)?;
                }
            }
        }
        loader.finish().await
    }
}
