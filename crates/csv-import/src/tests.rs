//! The mapping's checks, each date format, and the shapes real exports take (quoted
//! line breaks, a byte-order mark, CRLF, blank rows), one small case each.

use jiff::Timestamp;
use vigil_domain::{EventDetails, Limits, OccurredAt, TimePrecision};

use crate::{CsvError, CsvRow, CsvRows, ImportOptions, Mapping};

/// The smallest useful mapping: a case note per row, about one child.
const NOTES: &str = r#"agency = "NCS"
source_system = "TEST-CASES"
source_id = "Id"
kind = "note"
occurred_at = { column = "When", formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"] }
summary = "Text"

[[people]]
role = "subject_child"
name = "Name"
date_of_birth = { column = "Born", formats = ["%d/%m/%Y", "%m/%Y"] }
"#;

fn options() -> ImportOptions {
    ImportOptions {
        now: "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap(),
        limits: Limits::default(),
    }
}

fn rows(mapping: &str, csv: &[u8]) -> Vec<CsvRow> {
    let mapping = Mapping::from_toml(mapping).unwrap_or_else(|errors| panic!("{errors}"));
    let rows = CsvRows::new(&mapping, csv, options()).unwrap_or_else(|error| panic!("{error}"));
    rows.map(|row| row.expect("readable")).collect()
}

/// The mapping's errors as `line N, key: detail` lines.
fn mapping_errors(mapping: &str) -> Vec<String> {
    match Mapping::from_toml(mapping) {
        Ok(_) => panic!("the mapping was accepted"),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

fn reasons(row: &CsvRow) -> Vec<String> {
    match &row.outcome {
        Ok(event) => panic!("line {} was accepted: {event:?}", row.line),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

fn check_error(mapping: &str, line: usize, key: &str, detail: &str) {
    let errors = mapping_errors(mapping);
    let wanted = format!("line {line}, {key}: ");
    assert!(
        errors
            .iter()
            .any(|error| error.starts_with(&wanted) && error.contains(detail)),
        "wanted `{wanted}...{detail}...` in {errors:#?}"
    );
}

// ----- the mapping's own checks -----

#[test]
fn an_unknown_fixed_kind_is_named_with_its_line() {
    check_error(
        &NOTES.replace(r#"kind = "note""#, r#"kind = "visit""#),
        4,
        "kind",
        "unknown event kind \"visit\"; the kinds are: referral,",
    );
}

#[test]
fn an_unknown_kind_in_the_value_table_is_named() {
    let mapping = NOTES.replace(
        r#"kind = "note""#,
        r#"kind = { column = "Type", values = { "Note" = "note", "Visit" = "visit" } }"#,
    );
    check_error(&mapping, 4, r#"kind.values."Visit""#, "unknown event kind");
}

#[test]
fn a_date_format_without_a_year_is_refused() {
    let mapping = NOTES.replace(r#""%d/%m/%Y %H:%M", "%d/%m/%Y""#, r#""%d/%m""#);
    check_error(&mapping, 5, "occurred_at.formats[0]", "reads no year");
}

#[test]
fn a_date_format_that_is_not_a_pattern_is_refused() {
    let mapping = NOTES.replace(r#""%m/%Y""#, r#""dd/mm/yyyy""#);
    check_error(
        &mapping,
        11,
        "people[0].date_of_birth.formats[1]",
        "is not a date format",
    );
}

#[test]
fn a_date_format_with_an_unknown_directive_is_refused() {
    let mapping = NOTES.replace(r#""%m/%Y""#, r#""%d/%m/%Y %!""#);
    check_error(
        &mapping,
        11,
        "people[0].date_of_birth.formats[1]",
        "not a usable date format",
    );
}

#[test]
fn a_day_without_a_month_is_refused() {
    let mapping = NOTES.replace(r#""%m/%Y""#, r#""%d %Y""#);
    check_error(
        &mapping,
        11,
        "people[0].date_of_birth.formats[1]",
        "no month",
    );
}

#[test]
fn an_unknown_role_is_named() {
    let mapping = NOTES.replace(r#"role = "subject_child""#, r#"role = "child""#);
    check_error(&mapping, 9, "people[0].role", "\"child\" is not a role");
}

#[test]
fn unknown_markers_and_sexes_in_value_tables_are_named() {
    let mapping = format!(
        "{NOTES}markers = {{ column = \"Flags\", values = {{ \"VIOLENT\" = \"violent\" }} }}\nsex = {{ column = \"Sex\", values = {{ \"M\" = \"man\" }} }}\n"
    );
    check_error(
        &mapping,
        12,
        r#"people[0].markers.values."VIOLENT""#,
        "not a marker",
    );
    check_error(&mapping, 13, r#"people[0].sex.values."M""#, "not a sex");
}

#[test]
fn a_details_field_the_kind_does_not_have_is_named() {
    let mapping = format!("{NOTES}\n[details.note]\nsubject = \"Text\"\n");
    check_error(
        &mapping,
        14,
        "details.note.subject",
        "a note event has no field \"subject\"",
    );
}

#[test]
fn details_for_a_kind_the_mapping_never_makes_are_refused() {
    let mapping = format!("{NOTES}\n[details.referral]\nreason = \"Text\"\n");
    check_error(
        &mapping,
        14,
        "details.referral",
        "never makes a referral event",
    );
}

#[test]
fn details_for_an_unknown_kind_are_refused() {
    let mapping = format!("{NOTES}\n[details.visit]\noutcome = \"Text\"\n");
    check_error(&mapping, 14, "details.visit", "unknown event kind");
}

#[test]
fn an_unknown_type_is_named() {
    let mapping =
        format!("{NOTES}\n[details.note]\ntopic = {{ column = \"Text\", type = \"words\" }}\n");
    check_error(&mapping, 14, "details.note.topic", "unknown type \"words\"");
}

#[test]
fn a_field_with_both_column_and_value_is_refused() {
    let mapping = NOTES.replace(
        r#"summary = "Text""#,
        r#"summary = { column = "Text", value = "fixed" }"#,
    );
    check_error(&mapping, 6, "summary", "either `column`");
}

#[test]
fn formats_on_a_text_field_are_refused() {
    let mapping = NOTES.replace(
        r#"summary = "Text""#,
        r#"summary = { column = "Text", formats = ["%Y"] }"#,
    );
    check_error(&mapping, 6, "summary", "`formats` does not apply");
}

#[test]
fn a_bad_agency_code_is_named() {
    check_error(
        &NOTES.replace("\"NCS\"", "\"ncs\""),
        1,
        "agency",
        "upper-case",
    );
}

#[test]
fn a_misspelt_key_is_refused_by_the_toml_reader_with_its_line() {
    check_error(
        &NOTES.replace("summary =", "sumary ="),
        6,
        "the mapping",
        "unknown field `sumary`",
    );
}

#[test]
fn a_toml_syntax_error_has_its_line() {
    check_error(
        &NOTES.replace("source_id = \"Id\"", "source_id = Id"),
        3,
        "the mapping",
        "",
    );
}

#[test]
fn a_mapping_without_people_is_refused() {
    let mapping = NOTES.split("[[people]]").next().unwrap();
    let errors = mapping_errors(mapping);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("people: list at least one person")),
        "{errors:?}"
    );
}

#[test]
fn every_mistake_is_reported_at_once() {
    let mapping = NOTES
        .replace(r#"kind = "note""#, r#"kind = "visit""#)
        .replace(r#"role = "subject_child""#, r#"role = "child""#);
    assert_eq!(mapping_errors(&mapping).len(), 2);
}

// ----- the mapping against the file's header -----

fn header_errors(mapping: &str, csv: &str) -> String {
    let mapping = Mapping::from_toml(mapping).unwrap();
    match CsvRows::new(&mapping, csv.as_bytes(), options()) {
        Err(CsvError::Header(errors)) => errors.to_string(),
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("the header was accepted"),
    }
}

#[test]
fn a_missing_required_column_is_named_with_the_key_that_needs_it() {
    let errors = header_errors(NOTES, "Id,Name,Born,Text\n1,A B,01/01/2020,x\n");
    assert!(
        errors.contains(r#"line 5, occurred_at: column "When" is not in the file's header; the header has: "Id", "Name", "Born", "Text""#),
        "{errors}"
    );
}

#[test]
fn a_column_differing_only_in_case_is_pointed_out() {
    let errors = header_errors(NOTES, "Id,WHEN,Name,Born,Text\n");
    assert!(
        errors.contains(r#"(the header has "WHEN": names must match exactly)"#),
        "{errors}"
    );
}

#[test]
fn a_repeated_column_that_the_mapping_reads_is_refused() {
    let errors = header_errors(NOTES, "Id,When,Name,Name,Born,Text\n");
    assert!(
        errors.contains(r#"column "Name" appears more than once"#),
        "{errors}"
    );
}

#[test]
fn an_empty_file_is_refused() {
    let mapping = Mapping::from_toml(NOTES).unwrap();
    let error = CsvRows::new(&mapping, &b""[..], options()).err().unwrap();
    assert!(error.to_string().contains("the file is empty"), "{error}");
}

// ----- dates -----

fn occurred_at(format: &str, cell: &str) -> Result<OccurredAt, Vec<String>> {
    let mapping = NOTES.replace(r#""%d/%m/%Y %H:%M", "%d/%m/%Y""#, &format!("\"{format}\""));
    let csv = format!("Id,When,Name,Born,Text\n1,{cell},\"SMITH, Ann\",,\n");
    let row = rows(&mapping, csv.as_bytes()).remove(0);
    match row.outcome {
        Ok(event) => Ok(event.occurred_at),
        Err(_) => Err(reasons(&row)),
    }
}

fn moment(text: &str) -> OccurredAt {
    OccurredAt::parse(text).unwrap()
}

#[test]
fn day_first_with_minutes() {
    let read = occurred_at("%d/%m/%Y %H:%M", "05/03/2024 14:30").unwrap();
    assert_eq!(read, moment("2024-03-05T14:30"));
    assert_eq!(read.precision(), TimePrecision::Minute);
}

#[test]
fn summer_times_are_uk_local() {
    let read = occurred_at("%d/%m/%Y %H:%M", "10/06/2024 14:30").unwrap();
    assert_eq!(read.start().to_string(), "2024-06-10T13:30:00Z");
}

#[test]
fn month_names_in_capitals() {
    let read = occurred_at("%d-%b-%Y", "05-MAR-2024").unwrap();
    assert_eq!(read, moment("2024-03-05"));
    assert_eq!(read.precision(), TimePrecision::Day);
}

#[test]
fn iso_keeps_what_the_domain_reads() {
    assert_eq!(
        occurred_at("iso", "2024-03-05T14:30:05Z").unwrap(),
        moment("2024-03-05T14:30:05Z")
    );
    assert_eq!(
        occurred_at("iso", "2024-03").unwrap().precision(),
        TimePrecision::Month
    );
}

#[test]
fn an_offset_in_the_cell_is_kept() {
    let read = occurred_at("%Y-%m-%d %H:%M:%S %z", "2024-03-05 14:30:00 +0100").unwrap();
    assert_eq!(read.start().to_string(), "2024-03-05T13:30:00Z");
    assert_eq!(read.precision(), TimePrecision::Second);
}

#[test]
fn a_month_and_year_has_month_precision() {
    let read = occurred_at("%m/%Y", "03/2024").unwrap();
    assert_eq!(read, moment("2024-03"));
    assert_eq!(read.precision(), TimePrecision::Month);
}

#[test]
fn two_digit_years() {
    assert_eq!(
        occurred_at("%d/%m/%y", "05/03/24").unwrap(),
        moment("2024-03-05")
    );
}

#[test]
fn the_first_format_that_fits_is_used() {
    let formats = r#"%d/%m/%Y %H:%M", "%d/%m/%Y"#;
    assert_eq!(
        occurred_at(formats, "05/03/2024").unwrap(),
        moment("2024-03-05")
    );
    assert_eq!(
        occurred_at(formats, "05/03/2024 09:15").unwrap(),
        moment("2024-03-05T09:15")
    );
}

#[test]
fn a_date_not_on_the_calendar_is_rejected_naming_the_column() {
    assert_eq!(
        occurred_at("%d/%m/%Y", "31/02/2024").unwrap_err(),
        [r#"column "When": "31/02/2024" is not a date on the calendar"#]
    );
}

#[test]
fn a_cell_in_no_listed_format_names_the_formats() {
    let formats = r#"%d/%m/%Y %H:%M", "%d/%m/%Y"#;
    assert_eq!(
        occurred_at(formats, "2024-03-05").unwrap_err(),
        [
            r#"column "When": "2024-03-05" is not written in any of the formats "%d/%m/%Y %H:%M", "%d/%m/%Y""#
        ]
    );
}

#[test]
fn a_future_date_is_refused_by_the_domain_and_named_by_column() {
    let reasons = occurred_at("%d/%m/%Y", "05/03/2031").unwrap_err();
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].starts_with(r#"column "When": "#) && reasons[0].contains("in the future"),
        "{reasons:?}"
    );
}

#[test]
fn dates_of_birth_keep_a_partial_date() {
    let read = rows(
        NOTES,
        b"Id,When,Name,Born,Text\n1,05/03/2024,\"SMITH, Ann\",06/2019,\n",
    );
    let event = read[0].outcome.as_ref().unwrap();
    assert_eq!(
        event.people[0].date_of_birth.unwrap().to_string(),
        "2019-06"
    );
}

#[test]
fn a_details_date_is_a_whole_day() {
    let mapping = r#"agency = "NBP"
source_system = "TEST-NICHE"
source_id = "Ref"
kind = "bail"
occurred_at = { column = "When", formats = ["%d-%b-%Y"] }
[[people]]
role = "suspect"
name = "Name"
[details.bail]
offence = "Offence"
return_date = { column = "Return", type = "date", formats = ["%d-%b-%Y"] }
conditions = { column = "Conditions", type = "list", separator = "|" }
offence_against_child = { column = "Child", type = "boolean" }
"#;
    let read = rows(
        mapping,
        b"Ref,When,Name,Offence,Return,Conditions,Child\nB1,01-MAR-2024,A B,Assault,12-APR-2024,No contact | Curfew,Y\nB2,01-MAR-2024,A B,Assault,APR-2024,,maybe\n",
    );
    match &read[0].outcome.as_ref().unwrap().details {
        EventDetails::Bail(bail) => {
            assert_eq!(bail.return_date.unwrap().to_string(), "2024-04-12");
            assert_eq!(bail.conditions, ["No contact", "Curfew"]);
            assert_eq!(bail.offence_against_child, Some(true));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        reasons(&read[1]),
        [
            r#"column "Return": "APR-2024" is not written in the format "%d-%b-%Y""#,
            r#"column "Child": "maybe" is not yes or no (Yes, Y, True, 1 / No, N, False, 0)"#,
        ]
    );
}

// ----- rows -----

#[test]
fn every_reason_of_a_row_is_reported_each_with_its_column() {
    let mapping = NOTES.replace(
        r#"summary = "Text""#,
        "summary = \"Text\"\n[[people]]\nrole = \"parent\"\nname = \"Parent\"\nnhs_number = \"Parent NHS\"",
    );
    let read = rows(
        &mapping,
        b"Id,When,Name,Born,Text,Parent,Parent NHS\n,05/03/2024,\"SMITH, Ann\",31/04/2019,,\"SMITH, Jo\",999 000 0019\n",
    );
    let reasons = reasons(&read[0]);
    assert_eq!(reasons.len(), 3, "{reasons:#?}");
    assert_eq!(reasons[0], r#"column "Id": is required"#);
    assert!(
        reasons[1].starts_with(r#"column "Born": "31/04/2019" is not"#),
        "{reasons:#?}"
    );
    assert!(
        reasons[2].starts_with(r#"column "Parent NHS": "#),
        "{reasons:#?}"
    );
}

#[test]
fn a_person_with_no_cell_of_their_own_is_left_out() {
    let mapping = format!(
        "{NOTES}address = [\"Street\"]\n[[people]]\nrole = \"parent\"\nname = \"Parent\"\naddress = [\"Street\"]\n"
    );
    let read = rows(
        &mapping,
        b"Id,When,Name,Born,Text,Parent,Street\n1,05/03/2024,\"SMITH, Ann\",,,,\"1 Ash Row, Northborough QN1 1AA\"\n",
    );
    let event = read[0].outcome.as_ref().unwrap();
    assert_eq!(event.people.len(), 1);
    assert_eq!(
        event.people[0].addresses[0].as_recorded,
        "1 Ash Row, Northborough QN1 1AA"
    );
}

#[test]
fn a_value_not_in_the_table_is_rejected_listing_the_table() {
    let mapping = NOTES.replace(
        r#"kind = "note""#,
        r#"kind = { column = "Type", values = { "Note" = "note" } }"#,
    );
    let read = rows(
        &mapping,
        b"Id,Type,When,Name,Born,Text\n1,note,05/03/2024,A B,,\n2,Call,05/03/2024,A B,,\n",
    );
    assert!(read[0].outcome.is_ok(), "values match whatever the case");
    assert_eq!(
        reasons(&read[1]),
        [r#"column "Type": "Call" is not in the values of kind in the mapping; it knows: "Note""#]
    );
}

#[test]
fn quoted_commas_and_line_breaks_keep_line_numbers_right() {
    let csv = "Id,When,Name,Born,Text\n\
               1,05/03/2024,\"SMITH, Ann\",,\"one, two\nthree\nfour\"\n\
               2,31/02/2024,\"SMITH, Ann\",,\n\
               3,05/03/2024,\"SMITH, Ann\",,\"a\r\nb\"\n\
               4,bad,\"SMITH, Ann\",,\n";
    let read = rows(NOTES, csv.as_bytes());
    let lines: Vec<u64> = read.iter().map(|row| row.line).collect();
    assert_eq!(lines, [2, 5, 6, 8]);
    assert_eq!(
        read[0].outcome.as_ref().unwrap().summary.as_deref(),
        Some("one, two\nthree\nfour")
    );
    assert!(read[1].outcome.is_err() && read[3].outcome.is_err());
}

#[test]
fn a_file_that_ends_inside_a_quoted_cell_keeps_its_last_rows_line() {
    // Found by the csv_row fuzz target: the last break was counted twice, once as the
    // row's end and once inside the cell, giving the last row the line of the one before.
    for (ending, text) in [
        ("\n", "note\n"),
        ("\r\n", "note\r\n"),
        ("\"\"\n", "note\"\n"),
        ("\n\"\"\n", "note\n\"\n"),
    ] {
        let csv =
            format!("Id,When,Name,Born,Text\n1,05/03/2024,A B,,\n2,05/03/2024,A B,,\"note{ending}");
        let read = rows(NOTES, csv.as_bytes());
        let lines: Vec<u64> = read.iter().map(|row| row.line).collect();
        assert_eq!(lines, [2, 3], "ending {ending:?}");
        assert_eq!(
            read[1].outcome.as_ref().unwrap().summary.as_deref(),
            Some(text.trim_end()),
            "ending {ending:?}"
        );
    }
    // An opening quote straight before the file's last break.
    let csv = "Id,When,Name,Born,Text\n1,05/03/2024,A B,,\n,;,\"\n";
    let lines: Vec<u64> = rows(NOTES, csv.as_bytes()).iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3]);
    // A closed quote whose cell ends with a break is still a row of its own line.
    let csv = "Id,When,Name,Born,Text\n1,05/03/2024,A B,,\"a\n\"\n2,05/03/2024,A B,,\n";
    let lines: Vec<u64> = rows(NOTES, csv.as_bytes()).iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_column() {
    let read = rows(
        NOTES,
        "\u{feff}Id,When,Name,Born,Text\n1,05/03/2024,A B,,\n".as_bytes(),
    );
    assert_eq!(read[0].outcome.as_ref().unwrap().source_id, "1");
    assert_eq!(read[0].line, 2);
}

#[test]
fn crlf_line_endings() {
    let csv = "Id,When,Name,Born,Text\r\n1,05/03/2024,A B,,\r\n\r\n2,05/03/2024,A B,,\"x\r\ny\"\r\n3,bad,A B,,\r\n";
    let read = rows(NOTES, csv.as_bytes());
    let lines: Vec<u64> = read.iter().map(|row| row.line).collect();
    assert_eq!(lines, [2, 4, 6]);
    assert_eq!(
        read[1].outcome.as_ref().unwrap().summary.as_deref(),
        Some("x\r\ny")
    );
}

#[test]
fn blank_lines_and_rows_of_empty_cells_are_skipped() {
    let csv = "Id,When,Name,Born,Text\n\n,,,,\n  , ,,,\n1,05/03/2024,A B,,\n\n";
    let read = rows(NOTES, csv.as_bytes());
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].line, 5);
}

#[test]
fn a_row_with_too_few_cells_is_rejected() {
    let read = rows(NOTES, b"Id,When,Name,Born,Text\n1,05/03/2024,A B\n");
    assert_eq!(
        reasons(&read[0]),
        [
            "the row has 3 cells but the header has 5: look for a missing or extra comma, or a quote left open"
        ]
    );
}

#[test]
fn a_cell_that_is_not_utf8_is_rejected_naming_its_column() {
    let read = rows(
        NOTES,
        b"Id,When,Name,Born,Text\n1,05/03/2024,A B,,caf\xe9\n",
    );
    assert_eq!(
        reasons(&read[0]),
        [r#"column "Text": not valid UTF-8 at byte 3 of the cell: save the export as UTF-8"#]
    );
    assert_eq!(read[0].cells[4], "caf\u{fffd}");
}

#[test]
fn the_same_row_makes_the_same_event() {
    let csv = b"Id,When,Name,Born,Text\n1,05/03/2024,A B,,x\n1,05/03/2024,A B,,x\n";
    let read = rows(NOTES, csv);
    let first = read[0].outcome.as_ref().unwrap();
    let second = read[1].outcome.as_ref().unwrap();
    assert_eq!(first.content_hash, second.content_hash);
    assert_eq!(first.source_key(), second.source_key());
}

// ----- the shipped examples -----

fn example(name: &str) -> Vec<CsvRow> {
    let (mapping, csv) = match name {
        "social-care" => (
            include_str!("../../../examples/mappings/social-care.toml"),
            &include_bytes!("../../../examples/mappings/social-care.csv")[..],
        ),
        _ => (
            include_str!("../../../examples/mappings/police.toml"),
            &include_bytes!("../../../examples/mappings/police.csv")[..],
        ),
    };
    rows(mapping, csv)
}

fn rejected(rows: &[CsvRow]) -> Vec<(u64, Vec<String>)> {
    rows.iter()
        .filter(|row| row.outcome.is_err())
        .map(|row| (row.line, reasons(row)))
        .collect()
}

#[test]
fn the_social_care_example() {
    let read = example("social-care");
    let kinds: Vec<&str> = read
        .iter()
        .filter_map(|row| row.outcome.as_ref().ok())
        .map(|event| event.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "referral",
            "strategy_discussion",
            "home_visit",
            "section_47_enquiry",
            "child_protection_conference",
            "plan_start",
            "note"
        ]
    );
    let rejected = rejected(&read);
    assert_eq!(rejected.len(), 2, "{rejected:#?}");
    assert_eq!(rejected[0].0, 11);
    assert_eq!(
        rejected[0].1,
        [
            r#"column "Activity Type": "Telephone Call" is not in the values of kind in the mapping; it knows: "Case Note", "Home Visit", "ICPC", "Plan End", "Plan Start", "RCPC", "Referral", "S47 Enquiry", "Strategy Discussion""#,
            r#"column "Activity Date": "31/02/2024 14:00" is not a date on the calendar"#,
        ]
    );
    assert_eq!(rejected[1].0, 12);
    assert_eq!(rejected[1].1.len(), 2, "{:#?}", rejected[1].1);
    assert!(rejected[1].1[0].starts_with(r#"column "NHS Number": "#));
    assert!(rejected[1].1[1].starts_with(r#"column "Urgency": "Soonish" is not in the values"#));

    // The child's name is in three columns; the previous address, when the export has
    // one, is the child's second address with its own postcode.
    let events: Vec<_> = read
        .iter()
        .filter_map(|row| row.outcome.as_ref().ok())
        .collect();
    let tilly = &events[0].people[0];
    assert_eq!(tilly.name.given.as_deref(), Some("Tilly"));
    assert_eq!(tilly.name.family.as_deref(), Some("WINTERBOURNE"));
    assert_eq!(
        tilly.addresses.len(),
        1,
        "a blank previous address is left out"
    );
    let rory = &events[6].people[0];
    assert_eq!(rory.name.as_recorded, "Rory James ASHBY-COLE");
    assert_eq!(rory.name.middle, ["James"]);
    let addresses: Vec<(&str, String)> = rory
        .addresses
        .iter()
        .map(|address| {
            let postcode = address.postcode.as_ref().unwrap().to_string();
            (address.as_recorded.as_str(), postcode)
        })
        .collect();
    assert_eq!(
        addresses,
        [
            ("7 Ventnor Walk, Northborough", "QN2 9ZB".to_string()),
            ("Flat 9, Harrow Court, Southmoor", "QS1 4NB".to_string()),
        ]
    );
    // The adult's name stays one column, written "SURNAME, Forename".
    assert_eq!(
        events[0].people[1].name.family.as_deref(),
        Some("WINTERBOURNE")
    );
    assert_eq!(events[0].people[1].name.given.as_deref(), Some("Gemma"));
}

#[test]
fn the_police_example() {
    let read = example("police");
    let accepted: Vec<(u64, &str)> = read
        .iter()
        .filter_map(|row| Some((row.line, row.outcome.as_ref().ok()?.kind())))
        .collect();
    assert_eq!(
        accepted,
        [
            (2, "police_incident"),
            (3, "police_incident"),
            (4, "arrest"),
            (5, "bail")
        ]
    );
    let rejected = rejected(&read);
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [6, 7, 8]);
    assert_eq!(
        rejected[0].1,
        [
            r#"column "Outcome": "NOT GUILTY" is not in the values of details.charging_decision.outcome in the mapping; it knows: "CAUTION", "CHARGED", "FURTHER INVESTIGATION", "NFA", "RUI""#
        ]
    );
    assert_eq!(rejected[1].1.len(), 2, "{:#?}", rejected[1].1);
    assert!(
        rejected[1].1[0].starts_with(
            r#"column "Person DOB": "1-13-2009" is not written in any of the formats"#
        )
    );
    assert!(
        rejected[1].1[1]
            .starts_with(r#"column "Warning Markers": "SELF HARM" is not in the values"#)
    );
    assert_eq!(
        rejected[2].1,
        [
            "the row has 24 cells but the header has 25: look for a missing or extra comma, or a quote left open"
        ]
    );
    // The suspect's name is held as surname and forename; the child's as one column.
    let arrest = read[2].outcome.as_ref().unwrap();
    assert_eq!(arrest.people[0].name.family.as_deref(), Some("FARRANT"));
    assert_eq!(arrest.people[0].name.given.as_deref(), Some("Wayne"));
    assert_eq!(arrest.people[0].name.as_recorded, "Wayne FARRANT");
    assert_eq!(arrest.people[1].name.as_recorded, "WINTERBOURNE, Tilly");
}

#[test]
fn a_missing_details_field_is_named_by_its_column() {
    let mapping = r#"agency = "NCS"
source_system = "TEST-CASES"
source_id = "Id"
kind = "home_visit"
occurred_at = "When"
[[people]]
role = "subject_child"
name = "Name"
[details.home_visit]
outcome = { column = "Outcome", values = { "Seen" = "child_seen" } }
"#;
    let read = rows(mapping, b"Id,When,Name,Outcome\n1,2024-03-05,A B,\n");
    assert_eq!(reasons(&read[0]), [r#"column "Outcome": is required"#]);
}

#[test]
fn recorded_at_recorded_by_and_fixed_values() {
    let mapping = r#"agency = "NCS"
source_system = "TEST-CASES"
source_id = "Id"
kind = "referral"
occurred_at = { column = "When", formats = ["%d/%m/%Y"] }
recorded_at = { column = "Entered", formats = ["%d/%m/%Y %H:%M"] }
recorded_by = "Worker"
[[people]]
role = "subject_child"
name = "Name"
[details.referral]
referred_to = { value = "Front door" }
child_protection_status_recorded = { column = "On plan", type = "boolean" }
"#;
    let read = rows(
        mapping,
        b"Id,When,Entered,Worker,Name,On plan\nR1,05/06/2024,06/06/2024 09:30,Sam Worker,A B,no\n",
    );
    let event = read[0].outcome.as_ref().unwrap();
    assert_eq!(
        event.recorded_at.unwrap().to_string(),
        "2024-06-06T08:30:00Z"
    );
    assert_eq!(event.recorded_by.as_ref().unwrap().name, "Sam Worker");
    match &event.details {
        EventDetails::Referral(referral) => {
            assert_eq!(referral.referred_to.as_deref(), Some("Front door"));
            assert_eq!(referral.child_protection_status_recorded, Some(false));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_number_that_is_not_one_is_rejected() {
    let mapping = r#"agency = "NBP"
source_system = "TEST-NICHE"
source_id = "Ref"
kind = "police_incident"
occurred_at = "When"
[[people]]
role = "subject_child"
name = "Name"
[details.police_incident]
incident_type = "Type"
children_present_not_identified = { column = "Children", type = "number" }
"#;
    let read = rows(
        mapping,
        b"Ref,When,Name,Type,Children\n1,2024-03-05,A B,Disturbance,several\n",
    );
    assert_eq!(
        reasons(&read[0]),
        [r#"column "Children": "several" is not a number"#]
    );
}

mod addresses;
mod injuries;
mod names;
