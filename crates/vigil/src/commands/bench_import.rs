//! `vigil bench import --csv|--fhir --records N`: how fast an agency's file becomes
//! stored events, in records per second, measured twice on the same synthetic records:
//!
//! 1. read and map: from the file's text to checked events in memory (CSV: reading the
//!    rows with the shipped social-care mapping; FHIR: JSON parsing, reference
//!    resolution and mapping), each event through `parse_event`;
//! 2. end to end: the file on disk through `vigil import`'s own code (`CsvImport`,
//!    batches of 1,000; `FhirImport`, one atomic append of the bundle) into a fresh
//!    store.
//!
//! The records are fictional: names from `synth`, NHS numbers in the 999 range,
//! postcodes beginning with Q.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use jiff::Timestamp;
use serde::Serialize;
use vigil_csv::{CsvRows, ImportOptions, Mapping};
use vigil_domain::{AgencyCode, Limits};
use vigil_store::EventStore;

use crate::commands::import_csv::CsvImport;
use crate::commands::import_fhir::{FhirImport, synthetic_bundle};
use crate::database::StoreTask;
use crate::synth::{FAMILY, GIVEN_ADULT, GIVEN_CHILD, STREETS, Sequence, test_nhs_number};

/// The shipped mapping the CSV benchmark reads with, so the figure is for a real one.
const SOCIAL_CARE_MAPPING: &str = include_str!("../../../../examples/mappings/social-care.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Fhir,
}

pub struct ImportBench {
    pub format: Format,
    pub records: usize,
    pub work_directory: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub format: Format,
    pub records: usize,
    pub input_bytes: usize,
    pub read_seconds: f64,
    pub read_records_per_second: f64,
    pub end_to_end_seconds: f64,
    pub end_to_end_records_per_second: f64,
}

impl StoreTask for ImportBench {
    type Output = ImportReport;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<ImportReport> {
        let now = Timestamp::now();
        let limits = Limits::default();
        let (file, text) = match self.format {
            Format::Csv => (
                self.work_directory.join("bench.csv"),
                social_care_export(self.records),
            ),
            Format::Fhir => (
                self.work_directory.join("bench.fhir.json"),
                serde_json::to_string(&synthetic_bundle(self.records))?,
            ),
        };
        std::fs::File::create(&file)
            .and_then(|mut out| out.write_all(text.as_bytes()))
            .with_context(|| format!("writing {}", file.display()))?;

        eprintln!(
            "reading and mapping {} {:?} records...",
            self.records, self.format
        );
        let started = Instant::now();
        let read = match self.format {
            Format::Csv => {
                let mapping = Mapping::from_toml(SOCIAL_CARE_MAPPING)?;
                let rows = CsvRows::new(&mapping, text.as_bytes(), ImportOptions { now, limits })?;
                let mut events = 0;
                for row in rows {
                    let row = row?;
                    if let Err(errors) = row.outcome {
                        bail!(
                            "synthetic row at line {} was rejected: {errors:?}",
                            row.line
                        );
                    }
                    events += 1;
                }
                events
            }
            Format::Fhir => {
                let value: serde_json::Value = serde_json::from_str(&text)?;
                let options = vigil_fhir::ImportOptions {
                    default_agency: Some(AgencyCode::parse("BENCH").expect("a valid code")),
                    now,
                    limits,
                };
                vigil_fhir::import_bundle(&value, &options)
                    .map_err(|outcome| {
                        anyhow::anyhow!("the synthetic bundle was refused: {outcome:?}")
                    })?
                    .events
                    .len()
            }
        };
        let read_seconds = started.elapsed().as_secs_f64();
        if read != self.records {
            bail!("read {read} events from {} records", self.records);
        }

        eprintln!("importing them into the store...");
        let started = Instant::now();
        let created = match self.format {
            Format::Csv => {
                let import = CsvImport {
                    file: file.clone(),
                    mapping: Mapping::from_toml(SOCIAL_CARE_MAPPING)?,
                    batch_size: 1000,
                    limits,
                    show_progress: false,
                };
                import.run(store).await?.created as usize
            }
            Format::Fhir => {
                let import = FhirImport {
                    file: file.clone(),
                    agency: Some(AgencyCode::parse("BENCH").expect("a valid code")),
                };
                import.run(store).await?.created
            }
        };
        let end_to_end_seconds = started.elapsed().as_secs_f64();
        std::fs::remove_file(&file).ok();
        if created != self.records {
            bail!("the import stored {created} of {} records", self.records);
        }
        Ok(ImportReport {
            format: self.format,
            records: self.records,
            input_bytes: text.len(),
            read_seconds,
            read_records_per_second: self.records as f64 / read_seconds,
            end_to_end_seconds,
            end_to_end_records_per_second: self.records as f64 / end_to_end_seconds,
        })
    }
}

pub fn print_report(backend: &str, report: &ImportReport) {
    let format = match report.format {
        Format::Csv => "CSV (social-care mapping)",
        Format::Fhir => "FHIR R4 bundle",
    };
    println!(
        "{format}: {} records, {:.1} MB",
        report.records,
        report.input_bytes as f64 / 1e6
    );
    println!(
        "  read and map to checked events: {:.2} s, {:.0} records/s",
        report.read_seconds, report.read_records_per_second
    );
    println!(
        "  end to end into {backend}: {:.2} s, {:.0} records/s",
        report.end_to_end_seconds, report.end_to_end_records_per_second
    );
}

/// A social-care activity export of `records` rows in the columns of the shipped
/// example (`examples/mappings/social-care.csv`): ten activities per child, cycling
/// through referrals, strategy discussions, home visits and case notes, every fifth with
/// a parent named, every seventh with a note holding a comma, quotes and a line break;
/// the child's name in three columns, and every third child with a previous address.
pub fn social_care_export(records: usize) -> String {
    let header = "Activity ID,Activity Type,Activity Date,Worker,Child ID,Child Forename,Child Middle Names,Child Surname,Child DOB,Gender,NHS Number,Address Line 1,Address Line 2,Town,Postcode,Previous Address,Previous Town,Previous Postcode,Adult Name,Adult Relationship,Adult DOB,Reason,Urgency,Outcome,Announced,S47 Agreed,Joint With Police,Agencies Present,Plan Type,Plan Category,Case Note";
    let mut out = String::with_capacity(records * 260);
    out.push_str(header);
    out.push('\n');
    let mut sequence = Sequence::new(7);
    let mut child = Vec::new();
    for index in 0..records {
        if index % 10 == 0 {
            let family = sequence.pick(FAMILY);
            child = vec![
                format!("CH-{}", index / 10),
                sequence.pick(GIVEN_CHILD).to_string(),
                String::new(),
                family.to_string(),
                format!(
                    "{:02}/{:02}/20{:02}",
                    1 + sequence.below(28),
                    1 + sequence.below(12),
                    12 + sequence.below(10)
                ),
                ["Male", "Female"][sequence.below(2) as usize].to_string(),
                test_nhs_number(&mut sequence),
                format!("{} {}", 1 + sequence.below(180), sequence.pick(STREETS)),
                String::new(),
                "Northborough".to_string(),
                format!("QN{} {}AA", 1 + sequence.below(9), 1 + sequence.below(9)),
            ];
            if (index / 10) % 3 == 1 {
                child.extend([
                    format!("{} {}", 1 + sequence.below(180), sequence.pick(STREETS)),
                    "Southmoor".to_string(),
                    format!("QS{} {}AB", 1 + sequence.below(9), 1 + sequence.below(9)),
                ]);
            } else {
                child.extend([String::new(), String::new(), String::new()]);
            }
            child.push(format!("\"{family}, {}\"", sequence.pick(GIVEN_ADULT)));
        }
        let date = format!(
            "{:02}/{:02}/2024 {:02}:{:02}",
            1 + sequence.below(28),
            1 + sequence.below(12),
            8 + sequence.below(10),
            sequence.below(60)
        );
        let (kind, reason, urgency, outcome, announced, s47, agencies) = match index % 4 {
            0 => (
                "Referral",
                "School reported concerns",
                "Urgent",
                "",
                "",
                "",
                "",
            ),
            1 => (
                "Strategy Discussion",
                "",
                "",
                "Section 47 enquiry to start",
                "",
                "Yes",
                "NCS;NBP;NCH",
            ),
            2 => (
                "Home Visit",
                "Planned visit",
                "",
                "Child seen alone",
                "No",
                "",
                "",
            ),
            _ => ("Case Note", "Housing", "", "", "", "", ""),
        };
        let (adult, relationship, adult_born) = if index % 5 == 0 {
            (child[14].as_str(), "Mother", "03/11/1990")
        } else {
            ("", "", "")
        };
        let note = if index % 7 == 0 {
            "\"Spoke with the school, nursery and \"\"Nan\"\".\nAgreed to visit again.\""
        } else {
            "Recorded in the case file."
        };
        let cells = [
            &format!("ACT-{index}"),
            kind,
            &date,
            "Referral and Assessment Team",
            &child[0],
            &child[1],
            &child[2],
            &child[3],
            &child[4],
            &child[5],
            &child[6],
            &child[7],
            &child[8],
            &child[9],
            &child[10],
            &child[11],
            &child[12],
            &child[13],
            adult,
            relationship,
            adult_born,
            reason,
            urgency,
            outcome,
            announced,
            s47,
            "",
            agencies,
            "",
            "",
            note,
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use vigil_csv::{CsvRows, ImportOptions, Mapping};

    use super::{SOCIAL_CARE_MAPPING, social_care_export};

    /// The generated export must stay in the shipped mapping's columns, or the benchmark
    /// would measure rejected rows.
    #[test]
    fn the_generated_export_is_read_by_the_shipped_mapping_without_a_rejected_row() {
        let mapping = Mapping::from_toml(SOCIAL_CARE_MAPPING).unwrap();
        let export = social_care_export(60);
        let options = ImportOptions {
            now: "2026-01-01T00:00:00Z".parse().unwrap(),
            limits: vigil_domain::Limits::default(),
        };
        let rows: Vec<_> = CsvRows::new(&mapping, export.as_bytes(), options)
            .unwrap()
            .map(|row| row.unwrap())
            .collect();
        assert_eq!(rows.len(), 60);
        for row in &rows {
            assert!(row.outcome.is_ok(), "line {}: {:?}", row.line, row.outcome);
        }
        let with_previous_address = rows
            .iter()
            .filter(|row| row.outcome.as_ref().unwrap().people[0].addresses.len() == 2)
            .count();
        assert_eq!(
            with_previous_address, 20,
            "children 1 and 4 of 6, ten rows each"
        );
    }
}
