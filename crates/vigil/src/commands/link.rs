//! `vigil link ...` and `vigil synth people ...`: identity resolution on CSV files.
//!
//! An integrator needs to try linkage on an agency's extract before wiring it into the
//! hub, and we need to measure it at scale. The linkage library is pure (records in,
//! decisions out); this module does the file work around it: reads CSV with a header,
//! maps columns to identity fields, trains the model on the file (unsupervised), writes
//! each record's person and the scored pairs, and, given a truth file, prints precision,
//! recall and F1, pairwise and per cluster, plus false merges by relationship kind.
//! `vigil synth people` writes a fictional population and its truth for exactly that.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vigil_linkage::evaluate::{b_cubed_metrics, clusters_from_pairs, pairwise_metrics};
use vigil_linkage::synth::{Relationship, SynthOptions};
use vigil_linkage::{
    HumanDecisions, IdentityRecord, LinkageModel, NameAlias, ReviewReason, StandardisedRecord,
    TrainingOptions, explain_pair, link_standardised_scored, standardise_all,
};

/// The identity fields a column can fill. `ignore` drops a column.
const FIELDS: &[&str] = &[
    "record_id",
    "given_name",
    "middle_names",
    "family_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "other_id",
    "address_line",
    "town",
    "postcode",
    "phone",
    "source",
    "aliases",
    "mention",
];

/// The columns `vigil synth people` writes: the synthetic population has no aliases and
/// no mentions.
const SYNTH_FIELDS: usize = 13;

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Find the records of one CSV file that are the same person.
    ///
    /// The first row names the columns. These names are understood without
    /// configuration: record_id, given_name, middle_names, family_name, date_of_birth,
    /// sex, nhs_number, other_id, address_line, town, postcode, phone, source (any
    /// subset; record_id is required). Map other headers with --column HEADER=FIELD;
    /// several headers mapped to one field are joined with a space, in column order;
    /// unmapped unknown columns are ignored (and listed on standard error). The model is
    /// trained on the file itself, without labels. Writes each record's person to
    /// --out-persons and every pair scoring at least the review threshold to --out-pairs.
    Dedupe {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Link the records of two CSV files.
    ///
    /// Each file is taken to be free of duplicates: records of one file are never
    /// compared with each other. Record ids must be unique across
    /// both files. Columns as for `dedupe`; the `source` column is replaced by the file.
    Link {
        left: PathBuf,
        right: PathBuf,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Train a model without labels (EM) and write it as JSON.
    ///
    /// On FILE (columns as for `dedupe`), or, with --synthetic N, on the fictional
    /// population `vigil synth people N --seed S` writes, generated in memory. Vigil's
    /// shipped default model is made this way: `vigil link train --synthetic 100000 --seed
    /// 2026 --out crates/linkage/data/default-model.json` (see docs/LINKAGE.md). A model
    /// trained on real records holds their name frequencies: personal data.
    Train {
        /// The CSV file to train on.
        #[arg(required_unless_present = "synthetic", conflicts_with = "synthetic")]
        file: Option<PathBuf>,
        /// Train on a synthetic population of N records instead of a file.
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        /// Seed of the synthetic population.
        #[arg(long, default_value_t = 2026, requires = "synthetic")]
        seed: u64,
        /// Where to write the model.
        #[arg(long, value_name = "MODEL.json")]
        out: PathBuf,
        /// Map a header to a field (repeatable), as for `dedupe`.
        #[arg(long = "column", value_name = "HEADER=FIELD")]
        columns: Vec<String>,
        /// Train with the household rule off (benchmark data only; see `dedupe`).
        #[arg(long)]
        no_household_veto: bool,
    },
    /// Explain one pair: every field's match weight, the total and the decision.
    ///
    /// The two records are given by their record ids in FILE; the model is
    /// trained on FILE as `dedupe` would (or read from --model, as saved by --save-model).
    Explain {
        /// The CSV file holding both records.
        file: PathBuf,
        /// The first record's id.
        left_id: String,
        /// The second record's id.
        right_id: String,
        /// A model saved by `dedupe --save-model`, instead of training on FILE.
        #[arg(long, value_name = "MODEL.json")]
        model: Option<PathBuf>,
        /// Map a header to a field (repeatable), as for `dedupe`.
        #[arg(long = "column", value_name = "HEADER=FIELD")]
        columns: Vec<String>,
        /// Train with the household rule off (benchmark data only; see `dedupe`).
        #[arg(long)]
        no_household_veto: bool,
        /// Print the explanation as one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct RunOptions {
    /// Map a header to a field (repeatable): --column surname=family_name. FIELD is one
    /// of the understood names, or `ignore`.
    #[arg(long = "column", value_name = "HEADER=FIELD")]
    columns: Vec<String>,
    /// Where to write `record_id,person_id`, one row per record in input order
    /// (default: INPUT.persons.csv beside the (first) input).
    #[arg(long, value_name = "FILE")]
    out_persons: Option<PathBuf>,
    /// Where to write the scored pairs with probability at or above the review threshold:
    /// `left_record_id,right_record_id,weight,probability,decision`
    /// (default: INPUT.pairs.csv beside the (first) input).
    #[arg(long, value_name = "FILE")]
    out_pairs: Option<PathBuf>,
    /// True matching pairs: a CSV whose first two columns are record ids (a header row
    /// is recognised and skipped). An optional third column labels the row: `same` (or
    /// empty) for a true match; `twin`, `sibling`, `parent_child`,
    /// `parent_child_same_name` or `partner` relate two different people (one row per
    /// pair of people is enough), so that false merges are counted by kind. Prints
    /// pairwise and cluster (B-cubed) precision, recall and F1.
    #[arg(long, value_name = "PAIRS.csv")]
    truth: Option<PathBuf>,
    /// Make the last line of standard output one JSON object with the figures.
    #[arg(long)]
    json: bool,
    /// Switch the household rule off (it keeps twins, siblings and a namesake parent and
    /// child apart). Only for benchmarks such as FEBRL whose duplicates are made by
    /// replacing a first name or date of birth with another real one.
    #[arg(long)]
    no_household_veto: bool,
    /// Also write the trained model (JSON). It holds name frequencies: personal data.
    #[arg(long, value_name = "FILE")]
    save_model: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum SynthCommand {
    /// Write a fictional UK population recorded by several agencies (DIR/people.csv,
    /// exactly N records) and its truth (DIR/truth.csv: every pair of records of one
    /// person labelled `same`, plus one row per twin, sibling, parent/child and partner
    /// pair of people). Deterministic for a seed. Postcodes start with Q, NHS numbers are
    /// in the never-issued 999 range.
    People {
        /// Number of records.
        records: usize,
        /// The directory to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Write a fictional borough's agency records over a period from 1 January 2024
    /// (DIR/events.jsonl, in the order recorded, for `vigil import`), with about 2% of
    /// children on a seeded harm trajectory whose truth (when each should have been
    /// flagged) is in DIR/truth.json, never in the events; DIR/agencies.toml is the
    /// agencies' register for `[rules.agencies]`. Deterministic for a seed. Measure the
    /// rules on it with `vigil bench noise`.
    Population {
        #[command(flatten)]
        size: PopulationArgs,
        /// The directory to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The size and seed of a synthetic population (`vigil synth population`, `vigil bench noise`).
#[derive(Args, Debug, Clone, Copy)]
pub struct PopulationArgs {
    /// At least this many children (whole families are made).
    #[arg(long, default_value_t = 2000)]
    pub children: usize,
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=36))]
    pub months: u32,
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Share of children on a seeded harm trajectory.
    #[arg(long, default_value_t = 0.02)]
    pub seeded_share: f64,
}

impl PopulationArgs {
    pub fn options(self) -> vigil_synth::PopulationOptions {
        vigil_synth::PopulationOptions {
            children: self.children,
            months: self.months,
            seed: self.seed,
            seeded_share: self.seeded_share,
        }
    }
}

pub fn run_link(command: LinkCommand) -> anyhow::Result<ExitCode> {
    match command {
        LinkCommand::Dedupe { file, options } => {
            let started = Instant::now();
            let mapping = ColumnMapping::parse(&options.columns)?;
            let records = read_records(&file, &mapping, None)?;
            let base = file.clone();
            run_batch(records, &base, &options, false, started)
        }
        LinkCommand::Link {
            left,
            right,
            options,
        } => {
            let started = Instant::now();
            let mapping = ColumnMapping::parse(&options.columns)?;
            let mut records = read_records(&left, &mapping, Some("left"))?;
            let right_records = read_records(&right, &mapping, Some("right"))?;
            records.extend(right_records);
            let stem = |p: &Path| {
                p.file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let base = left.with_file_name(format!("{}-{}.csv", stem(&left), stem(&right)));
            run_batch(records, &base, &options, true, started)
        }
        LinkCommand::Train {
            file,
            synthetic,
            seed,
            out,
            columns,
            no_household_veto,
        } => {
            let started = Instant::now();
            let progress;
            let mut model = match (synthetic, file) {
                (Some(records), _) => {
                    progress = spinner("generating the population and training (EM, no labels)");
                    vigil_linkage::default_model::train_on_synthetic(records, seed)
                        .context("training the model")?
                }
                (None, Some(file)) => {
                    let mapping = ColumnMapping::parse(&columns)?;
                    let records = read_records(&file, &mapping, None)?;
                    let standardised: Vec<StandardisedRecord> =
                        records.into_iter().map(|r| r.standardised).collect();
                    progress = spinner("training the model (EM, no labels)");
                    train(&standardised, false, no_household_veto)?
                }
                (None, None) => bail!("give a FILE or --synthetic N"),
            };
            progress.finish_and_clear();
            if no_household_veto {
                model.policy.household_veto = false;
            }
            let mut text = model.to_json();
            text.push('\n');
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{}: model version {} trained on {} records ({} candidate pairs, {} EM iterations, converged {}) in {:.1} s",
                out.display(),
                model.version,
                model.training.records,
                model.training.candidate_pairs,
                model.training.em_iterations,
                model.training.converged,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        LinkCommand::Explain {
            file,
            left_id,
            right_id,
            model,
            columns,
            no_household_veto,
            json,
        } => {
            let mapping = ColumnMapping::parse(&columns)?;
            let records = read_records(&file, &mapping, None)?;
            let find = |id: &str| {
                records
                    .iter()
                    .find(|r| r.record.record_id == id)
                    .with_context(|| format!("{}: no record with id {id:?}", file.display()))
            };
            let (left, right) = (find(&left_id)?, find(&right_id)?);
            let model = match model {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    LinkageModel::from_json(&text)
                        .with_context(|| format!("{}: not a linkage model", path.display()))?
                }
                None => {
                    let standardised: Vec<StandardisedRecord> =
                        records.iter().map(|r| r.standardised.clone()).collect();
                    train(&standardised, false, no_household_veto)?
                }
            };
            let explanation = explain_pair(&model, &left.standardised, &right.standardised);
            if json {
                println!("{}", serde_json::to_string(&explanation)?);
            } else {
                print!("{}", explanation.to_text());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn run_synth(command: SynthCommand) -> anyhow::Result<ExitCode> {
    let (records, out, seed) = match command {
        SynthCommand::People { records, out, seed } => (records, out, seed),
        SynthCommand::Population { size, out } => {
            return super::population::write_population(size.options(), out);
        }
    };
    let started = Instant::now();
    let spinner = spinner("generating the population");
    let population = vigil_linkage::synth::generate(&SynthOptions { records, seed });
    spinner.finish_and_clear();
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let people_path = out.join("people.csv");
    let truth_path = out.join("truth.csv");
    let bar = counter(population.records.len() as u64, "writing people.csv");
    let mut writer = create(&people_path)?;
    writeln!(writer, "{}", FIELDS[..SYNTH_FIELDS].join(","))?;
    for record in &population.records {
        let values = [
            Some(&record.record_id),
            record.given_name.as_ref(),
            record.middle_names.as_ref(),
            record.family_name.as_ref(),
            record.date_of_birth.as_ref(),
            record.sex.as_ref(),
            record.nhs_number.as_ref(),
            record.other_id.as_ref(),
            record.address_line.as_ref(),
            record.town.as_ref(),
            record.postcode.as_ref(),
            record.phone.as_ref(),
            record.source.as_ref(),
        ];
        write_row(
            &mut writer,
            values.iter().map(|v| v.map_or("", |s| s.as_str())),
        )?;
        bar.inc(1);
    }
    writer.flush()?;
    bar.finish_and_clear();
    let rows = population.truth_rows();
    let mut writer = create(&truth_path)?;
    writeln!(writer, "left_record_id,right_record_id,relationship")?;
    let mut counts: HashMap<Relationship, u64> = HashMap::new();
    for (a, b, kind) in &rows {
        write_row(&mut writer, [*a, *b, kind.label()].into_iter())?;
        *counts.entry(*kind).or_default() += 1;
    }
    writer.flush()?;
    let people = population.person_of.iter().max().map_or(0, |&p| p + 1);
    println!(
        "{}: {} records of {} people; {}: {} rows ({}) in {:.1} s",
        people_path.display(),
        population.records.len(),
        people,
        truth_path.display(),
        rows.len(),
        Relationship::ALL
            .iter()
            .map(|k| format!("{} {}", k.label(), counts.get(k).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", "),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// A record as read: the standardised form (what linkage needs) and the line it came
/// from (for error messages). The raw text is dropped as soon as it is standardised, to
/// keep a million-record run small.
struct ReadRecord {
    record: Ident,
    standardised: StandardisedRecord,
}

/// What is kept of the raw record.
struct Ident {
    record_id: String,
}

/// Header name → field, from the built-in names and `--column`.
struct ColumnMapping {
    explicit: HashMap<String, String>,
}

impl ColumnMapping {
    fn parse(options: &[String]) -> anyhow::Result<ColumnMapping> {
        let mut explicit = HashMap::new();
        for option in options {
            let Some((header, field)) = option.split_once('=') else {
                bail!("--column {option:?}: expected HEADER=FIELD");
            };
            let field = field.trim().to_lowercase();
            if field != "ignore" && !FIELDS.contains(&field.as_str()) {
                bail!(
                    "--column {option:?}: unknown field {field:?}; fields are {} (or ignore)",
                    FIELDS.join(", ")
                );
            }
            explicit.insert(header.trim().to_lowercase(), field);
        }
        Ok(ColumnMapping { explicit })
    }

    /// For each column, the index in `FIELDS` it fills (None: ignored).
    fn resolve(&self, path: &Path, header: &[String]) -> anyhow::Result<Vec<Option<usize>>> {
        let mut ignored = Vec::new();
        let columns: Vec<Option<usize>> = header
            .iter()
            .map(|h| {
                let name = h.trim().to_lowercase();
                let field = self.explicit.get(&name).cloned().unwrap_or(name.clone());
                let index = FIELDS.iter().position(|f| *f == field);
                if index.is_none() && field != "ignore" {
                    ignored.push(h.clone());
                }
                index
            })
            .collect();
        if !columns.contains(&Some(0)) {
            bail!(
                "{}: line 1: no record_id column (map one with --column HEADER=record_id)",
                path.display()
            );
        }
        if !ignored.is_empty() {
            eprintln!(
                "{}: ignoring columns {} (map them with --column HEADER=FIELD)",
                path.display(),
                ignored.join(", ")
            );
        }
        Ok(columns)
    }
}

/// Splits CSV text into fields (RFC 4180: quotes, doubled quotes, commas and line
/// breaks inside quotes). Returns None when a quoted field is still open at the end, so
/// the caller can append the next line.
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            fields.push(std::mem::take(&mut field));
            at_start = true;
        } else {
            field.push(c);
            at_start = false;
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

/// Reads CSV rows with the physical line each starts on; the first row is the header.
struct CsvReader {
    path: PathBuf,
    lines: std::io::Lines<BufReader<File>>,
    line_number: usize,
}

impl CsvReader {
    fn open(path: &Path) -> anyhow::Result<CsvReader> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        Ok(CsvReader {
            path: path.to_path_buf(),
            lines: BufReader::with_capacity(1 << 20, file).lines(),
            line_number: 0,
        })
    }

    fn next_row(&mut self) -> anyhow::Result<Option<(usize, Vec<String>)>> {
        let mut text = String::new();
        let mut start = 0;
        loop {
            let Some(line) = self.lines.next() else {
                if text.is_empty() {
                    return Ok(None);
                }
                bail!(
                    "{}: line {start}: a quoted field is not closed before the end of the file",
                    self.path.display()
                );
            };
            self.line_number += 1;
            let line = line.with_context(|| {
                format!(
                    "{}: line {}: not UTF-8 text",
                    self.path.display(),
                    self.line_number
                )
            })?;
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if text.is_empty() {
                start = self.line_number;
                if line.trim().is_empty() {
                    continue;
                }
                text.push_str(line.strip_prefix('\u{feff}').unwrap_or(line));
            } else {
                text.push('\n');
                text.push_str(line);
            }
            if let Some(fields) = split_csv(&text) {
                return Ok(Some((start, fields)));
            }
        }
    }
}

/// Reads and standardises one file. `source`: replaces each record's source (link mode).
fn read_records(
    path: &Path,
    mapping: &ColumnMapping,
    source: Option<&str>,
) -> anyhow::Result<Vec<ReadRecord>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("reading {}", path.display()));
    let mut reader = CsvReader::open(path)?;
    let Some((_, header)) = reader.next_row()? else {
        bail!(
            "{}: the file is empty (a header row is needed)",
            path.display()
        );
    };
    let columns = mapping.resolve(path, &header)?;
    let mut records: Vec<ReadRecord> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Standardise in chunks while reading: parallel, and the raw text of only one chunk
    // is held at a time.
    let mut chunk: Vec<IdentityRecord> = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<IdentityRecord>, records: &mut Vec<ReadRecord>| {
        let standardised = standardise_all(chunk);
        records.extend(
            chunk
                .drain(..)
                .zip(standardised)
                .map(|(raw, standardised)| ReadRecord {
                    record: Ident {
                        record_id: raw.record_id,
                    },
                    standardised,
                }),
        );
    };
    let mut bytes = 0u64;
    while let Some((line, fields)) = reader.next_row()? {
        bytes += fields.iter().map(|f| f.len() as u64 + 1).sum::<u64>();
        if fields.len() != header.len() {
            bail!(
                "{}: line {line}: {} fields, but the header has {}",
                path.display(),
                fields.len(),
                header.len()
            );
        }
        let mut values: [Option<String>; 15] = Default::default();
        for (value, column) in fields.into_iter().zip(&columns) {
            let Some(field) = *column else { continue };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match &mut values[field] {
                Some(existing) => {
                    existing.push(' ');
                    existing.push_str(value);
                }
                slot => *slot = Some(value.to_owned()),
            }
        }
        let [
            record_id,
            given_name,
            middle_names,
            family_name,
            date_of_birth,
            sex,
            nhs_number,
            other_id,
            address_line,
            town,
            postcode,
            phone,
            file_source,
            aliases,
            mention,
        ] = values;
        let Some(record_id) = record_id else {
            bail!("{}: line {line}: the record_id is empty", path.display());
        };
        if let Some(first) = seen.insert(record_id.clone(), line) {
            bail!(
                "{}: line {line}: record id {record_id:?} already used on line {first}",
                path.display()
            );
        }
        chunk.push(IdentityRecord {
            record_id,
            given_name,
            middle_names,
            family_name,
            date_of_birth,
            sex,
            nhs_number,
            other_id,
            address_line,
            town,
            postcode,
            phone,
            source: source.map(str::to_owned).or(file_source),
            aliases: aliases
                .iter()
                .flat_map(|text| text.split(';'))
                .filter_map(NameAlias::from_text)
                .collect(),
            mention: match mention.as_deref().map(str::to_lowercase).as_deref() {
                None | Some("no" | "n" | "false" | "0") => false,
                Some("yes" | "y" | "true" | "1" | "mention") => true,
                Some(other) => bail!(
                    "{}: line {line}: mention is yes or no (or empty); found {other:?}",
                    path.display()
                ),
            },
        });
        if chunk.len() == CHUNK {
            flush(&mut chunk, &mut records);
            bar.set_position(bytes.min(size));
        }
    }
    flush(&mut chunk, &mut records);
    bar.finish_and_clear();
    Ok(records)
}

const CHUNK: usize = 16_384;

fn train(
    records: &[StandardisedRecord],
    link_only: bool,
    no_household_veto: bool,
) -> anyhow::Result<LinkageModel> {
    let mut options = TrainingOptions::default();
    options.blocking.link_only = link_only;
    options.policy.household_veto = !no_household_veto;
    LinkageModel::train_unsupervised(records, &options).context("training the model")
}

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn counter(total: u64, message: &str) -> ProgressBar {
    ProgressBar::new(total)
        .with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                .expect("valid template")
                .progress_chars("=> "),
        )
        .with_message(message.to_owned())
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn write_row<'a>(
    writer: &mut impl Write,
    values: impl Iterator<Item = &'a str>,
) -> std::io::Result<()> {
    for (i, value) in values.enumerate() {
        if i > 0 {
            writer.write_all(b",")?;
        }
        if value.contains([',', '"', '\n', '\r']) {
            write!(writer, "\"{}\"", value.replace('"', "\"\""))?;
        } else {
            writer.write_all(value.as_bytes())?;
        }
    }
    writer.write_all(b"\n")
}

fn beside(base: &Path, suffix: &str) -> PathBuf {
    let stem = base
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "records".to_owned());
    base.with_file_name(format!("{stem}.{suffix}"))
}

fn run_batch(
    records: Vec<ReadRecord>,
    base: &Path,
    options: &RunOptions,
    link_only: bool,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let read_seconds = started.elapsed().as_secs_f64();
    let (ids, standardised): (Vec<String>, Vec<StandardisedRecord>) = records
        .into_iter()
        .map(|r| (r.record.record_id, r.standardised))
        .unzip();
    if link_only {
        let mut seen = HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(first) = seen.insert(id.as_str(), i) {
                bail!(
                    "record id {id:?} is in both files (records {} and {}); ids must be unique across them",
                    first + 1,
                    i + 1
                );
            }
        }
    }
    let phase = Instant::now();
    let progress = spinner("training the model (EM, no labels)");
    let model = train(&standardised, link_only, options.no_household_veto)?;
    progress.finish_and_clear();
    let train_seconds = phase.elapsed().as_secs_f64();
    if let Some(path) = &options.save_model {
        std::fs::write(path, model.to_json())
            .with_context(|| format!("writing {}", path.display()))?;
    }

    let phase = Instant::now();
    let progress = spinner("blocking, scoring and clustering");
    let (run, scored) = link_standardised_scored(&standardised, &model, &HumanDecisions::default())
        .context("linking")?;
    progress.finish_and_clear();
    let link_seconds = phase.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();

    // Person index of every record, by input position.
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut person_of = vec![0usize; ids.len()];
    for (p, person) in run.persons.iter().enumerate() {
        for id in &person.record_ids {
            person_of[position[id.as_str()]] = p;
        }
    }

    let phase = Instant::now();
    let persons_path = options
        .out_persons
        .clone()
        .unwrap_or_else(|| beside(base, "persons.csv"));
    let pairs_path = options
        .out_pairs
        .clone()
        .unwrap_or_else(|| beside(base, "pairs.csv"));
    let mut writer = create(&persons_path)?;
    writeln!(writer, "record_id,person_id")?;
    for (i, id) in ids.iter().enumerate() {
        write_row(
            &mut writer,
            [id.as_str(), run.persons[person_of[i]].person_id.as_str()].into_iter(),
        )?;
    }
    writer.flush()?;
    let review: HashMap<(&str, &str), ReviewReason> = run
        .review
        .iter()
        .map(|r| (ordered(&r.left_record_id, &r.right_record_id), r.reason))
        .collect();
    let mut writer = create(&pairs_path)?;
    writeln!(
        writer,
        "left_record_id,right_record_id,weight,probability,decision"
    )?;
    let mut written = 0u64;
    for pair in scored
        .iter()
        .filter(|p| p.score.probability >= model.policy.review)
    {
        let (a, b) = (ids[pair.left].as_str(), ids[pair.right].as_str());
        let decision = if person_of[pair.left] == person_of[pair.right] {
            "same_person".to_owned()
        } else {
            match review.get(&ordered(a, b)) {
                Some(ReviewReason::Uncertain) => "review_uncertain".to_owned(),
                Some(ReviewReason::ClusterDisagrees) => "review_cluster_disagrees".to_owned(),
                Some(ReviewReason::Ambiguous) => "review_ambiguous".to_owned(),
                Some(ReviewReason::Mention) => "review_mention".to_owned(),
                Some(ReviewReason::TooLittleToMerge) => "review_too_little_to_merge".to_owned(),
                Some(ReviewReason::Vetoed(veto)) => {
                    format!(
                        "review_{}",
                        serde_json::to_value(veto)?.as_str().unwrap_or("vetoed")
                    )
                }
                None => "apart".to_owned(),
            }
        };
        let weight = format!("{:.3}", pair.score.weight);
        let probability = format!("{:.6}", pair.score.probability);
        write_row(
            &mut writer,
            [
                a,
                b,
                weight.as_str(),
                probability.as_str(),
                decision.as_str(),
            ]
            .into_iter(),
        )?;
        written += 1;
    }
    writer.flush()?;
    let write_seconds = phase.elapsed().as_secs_f64();

    println!(
        "{} records, {} persons, {} review pairs, {} candidate pairs ({} capped blocking buckets)",
        ids.len(),
        run.persons.len(),
        run.review.len(),
        run.blocking.candidate_pairs,
        run.blocking
            .rules
            .iter()
            .map(|r| r.capped_blocks.len())
            .sum::<usize>()
    );
    println!(
        "read and standardise {read_seconds:.2} s, train {train_seconds:.2} s, block+score+cluster {link_seconds:.2} s: {seconds:.2} s; writing {write_seconds:.2} s"
    );
    println!(
        "persons: {}; {written} pairs with probability >= {}: {}",
        persons_path.display(),
        model.policy.review,
        pairs_path.display()
    );

    let mut report = json!({
        "records": ids.len(),
        "persons": run.persons.len(),
        "seconds": seconds,
        "phases": {"read": read_seconds, "train": train_seconds, "link": link_seconds, "write": write_seconds},
        "candidate_pairs": run.blocking.candidate_pairs,
        "review_pairs": run.review.len(),
        "pairwise": null,
        "cluster": null,
    });
    if let Some(truth_path) = &options.truth {
        let truth = read_truth(truth_path, &position)?;
        let clusters: Vec<Vec<String>> = run.persons.iter().map(|p| p.record_ids.clone()).collect();
        let pairwise = pairwise_metrics(&clusters, &truth.same);
        let true_clusters = clusters_from_pairs(&ids, &truth.same);
        let cluster = b_cubed_metrics(&clusters, &true_clusters);
        println!(
            "pairwise: precision {:.4} recall {:.4} F1 {:.4} (true pairs linked {}, false {}, missed {})",
            pairwise.precision,
            pairwise.recall,
            pairwise.f1,
            pairwise.true_positives,
            pairwise.false_positives,
            pairwise.false_negatives
        );
        println!(
            "cluster (B-cubed): precision {:.4} recall {:.4} F1 {:.4}",
            cluster.precision, cluster.recall, cluster.f1
        );
        let merges = false_merges(&ids, &person_of, &truth);
        println!(
            "false merges by kind (pairs of true people put in one person): {}",
            merges
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let figures = |m: &vigil_linkage::evaluate::Metrics| json!({"precision": m.precision, "recall": m.recall, "f1": m.f1});
        report["pairwise"] = figures(&pairwise);
        report["pairwise"]["false_positives"] = json!(pairwise.false_positives);
        report["pairwise"]["false_negatives"] = json!(pairwise.false_negatives);
        report["cluster"] = figures(&cluster);
        report["false_merges"] = json!(
            merges
                .into_iter()
                .map(|(k, v)| (k, json!(v)))
                .collect::<serde_json::Map<_, _>>()
        );
    }
    if options.json {
        println!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

fn ordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b { (a, b) } else { (b, a) }
}

struct Truth {
    same: Vec<(String, String)>,
    /// Related pairs of different people, by input positions of one record of each.
    related: Vec<(usize, usize, Relationship)>,
}

fn read_truth(path: &Path, position: &HashMap<&str, usize>) -> anyhow::Result<Truth> {
    let mut reader = CsvReader::open(path)?;
    let mut truth = Truth {
        same: Vec::new(),
        related: Vec::new(),
    };
    let mut unknown = 0usize;
    let mut first = true;
    while let Some((line, fields)) = reader.next_row()? {
        if fields.len() < 2 {
            bail!("{}: line {line}: expected two record ids", path.display());
        }
        let (a, b) = (fields[0].trim(), fields[1].trim());
        let known = (position.get(a), position.get(b));
        if first && known.0.is_none() && known.1.is_none() {
            // A header row.
            first = false;
            continue;
        }
        first = false;
        let kind = match fields.get(2).map(|k| k.trim()).unwrap_or("") {
            "" => Relationship::SamePerson,
            label => Relationship::from_label(label).with_context(|| {
                format!(
                    "{}: line {line}: unknown relationship {label:?}",
                    path.display()
                )
            })?,
        };
        let (Some(&i), Some(&j)) = known else {
            unknown += 1;
            continue;
        };
        if kind == Relationship::SamePerson {
            truth.same.push((a.to_owned(), b.to_owned()));
        } else {
            truth.related.push((i, j, kind));
        }
    }
    if unknown > 0 {
        eprintln!(
            "{}: {unknown} rows name a record id not in the input; they are ignored",
            path.display()
        );
    }
    Ok(truth)
}

/// Counts the pairs of distinct true people that were put in one person, by their
/// relationship (from the truth file's third column; `unrelated` otherwise).
fn false_merges(ids: &[String], person_of: &[usize], truth: &Truth) -> Vec<(String, u64)> {
    // True people: components of the `same` pairs, by input position.
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in &truth.same {
        let (i, j) = (position[a.as_str()], position[b.as_str()]);
        let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
        parent[ri] = rj;
    }
    let true_person: Vec<usize> = (0..ids.len()).map(|i| find(&mut parent, i)).collect();
    let mut relation: HashMap<(usize, usize), Relationship> = HashMap::new();
    for &(i, j, kind) in &truth.related {
        let (a, b) = (true_person[i], true_person[j]);
        relation.insert((a.min(b), a.max(b)), kind);
    }
    // The distinct true people inside each predicted person.
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &p) in person_of.iter().enumerate() {
        members.entry(p).or_default().push(true_person[i]);
    }
    let mut counts: std::collections::BTreeMap<String, u64> = Relationship::ALL
        .iter()
        .filter(|k| **k != Relationship::SamePerson)
        .map(|k| (k.label().to_owned(), 0))
        .collect();
    counts.insert("unrelated".to_owned(), 0);
    for mut people in members.into_values() {
        people.sort_unstable();
        people.dedup();
        for (x, &a) in people.iter().enumerate() {
            for &b in &people[x + 1..] {
                let label = relation
                    .get(&(a, b))
                    .map_or("unrelated", |k| k.label())
                    .to_owned();
                *counts.entry(label).or_default() += 1;
            }
        }
    }
    counts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::split_csv;

    #[test]
    fn csv_fields_with_quotes_and_commas() {
        assert_eq!(
            split_csv(r#"a,"b, c","say ""hi""",,"#).unwrap(),
            vec!["a", "b, c", r#"say "hi""#, "", ""]
        );
        assert_eq!(split_csv("\"open"), None);
        assert_eq!(
            split_csv("\"two\nlines\",x").unwrap(),
            vec!["two\nlines", "x"]
        );
    }
}
