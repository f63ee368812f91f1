//! A police export read through `vigil-csv` with the shipped example mapping
//! (`examples/mappings/police.toml`): arbitrary bytes as the rows under the real header,
//! and, every other input, as the whole file, header included.
//!
//! Properties: reading never panics; a file either fails as a whole with a reason or
//! yields rows; each row's line is after the header's, not before the row before it
//! (a bare carriage return ends a CSV record but not a line, so two rows may share one),
//! and no later than the file has lines; a rejected row says why; an accepted row is an
//! event of the mapping's agency.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_csv::{CsvRows, ImportOptions, Mapping};

const MAPPING: &str = include_str!("../../examples/mappings/police.toml");
const EXAMPLE: &str = include_str!("../../examples/mappings/police.csv");

fn read(mapping: &Mapping, file: &[u8]) {
    let options = ImportOptions {
        now: jiff::Timestamp::from_second(1_900_000_000).unwrap(),
        limits: vigil_domain::Limits::default(),
    };
    let Ok(rows) = CsvRows::new(mapping, file, options) else {
        return;
    };
    let lines_in_file = file.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let mut previous = 1;
    let mut first = true;
    for row in rows {
        let Ok(row) = row else {
            return;
        };
        assert!(
            row.line > previous || (!first && row.line == previous),
            "line {} after {previous}",
            row.line
        );
        first = false;
        assert!(
            row.line <= lines_in_file,
            "line {} of {lines_in_file}",
            row.line
        );
        previous = row.line;
        match &row.outcome {
            Ok(event) => assert_eq!(event.agency.as_str(), "NBP"),
            Err(errors) => assert!(!errors.is_empty(), "a rejected row says why"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mapping = Mapping::from_toml(MAPPING).expect("the shipped mapping reads");
    let header = EXAMPLE.lines().next().unwrap();
    let mut file = Vec::with_capacity(header.len() + 1 + data.len());
    file.extend_from_slice(header.as_bytes());
    file.push(b'\n');
    file.extend_from_slice(data);
    read(&mapping, &file);
    if data.first().is_some_and(|b| b % 2 == 0) {
        read(&mapping, data);
    }
});
