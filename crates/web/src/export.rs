//! A child's chronology taken away from Vigil: as CSV for a spreadsheet, and (in
//! `pages::export`) as a printable page for a child protection conference or a legal
//! planning meeting. Both are made from the record as known at a chosen moment, so a
//! document handed round a meeting can be made again, identically, later.
//!
//! CSV is written by hand (RFC 4180: quote a cell holding a comma, quote or line
//! break, double the quotes) because it is a dozen lines. A cell that a spreadsheet
//! would read as a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return) is
//! prefixed with `'`: agency text is not trusted to be harmless in Excel (OWASP's advice
//! on CSV injection).

use std::fmt::Write;

use vigil_rules::chronology::Chronology;

/// The columns, in order; the first row of every export.
pub const CHRONOLOGY_COLUMNS: [&str; 12] = [
    "date",
    "occurred_at",
    "agency",
    "agency_name",
    "kind",
    "summary",
    "concerns_child_as",
    "injuries",
    "injury_episode",
    "recorded_by",
    "recorded_at",
    "event",
];

/// The chronology as CSV, a header row then one row per entry, lines ending CRLF.
pub fn chronology_csv(chronology: &Chronology) -> String {
    let mut out = String::new();
    row(&mut out, CHRONOLOGY_COLUMNS.iter().map(|c| c.to_string()));
    for entry in &chronology.entries {
        row(
            &mut out,
            [
                entry.date.to_string(),
                entry.occurred_at.clone(),
                entry.agency.clone(),
                entry.agency_name.clone(),
                entry.kind.to_string(),
                entry.summary.clone().unwrap_or_default(),
                entry.concerns.to_string(),
                entry.injuries.join("; "),
                entry.episode.map(|e| e.to_string()).unwrap_or_default(),
                entry.recorded_by.clone().unwrap_or_default(),
                entry.recorded_at.to_string(),
                entry.event.to_string(),
            ],
        );
    }
    out
}

fn row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", csv_cell(&cell));
    }
    out.push_str("\r\n");
}

/// One cell, made safe for a spreadsheet and quoted where RFC 4180 needs it.
pub fn csv_cell(text: &str) -> String {
    let defused = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// A file name for a download: `chronology-<child>-<UK date>.csv`, with nothing in it
/// that a header or a file system would mind.
pub fn file_name(child: &str, as_at: jiff::Timestamp, extension: &str) -> String {
    let safe: String = child
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let uk = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    let date = as_at.to_zoned_datetime(uk).date();
    format!("chronology-{safe}-{date}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_left_alone() {
        assert_eq!(csv_cell("Home visit"), "Home visit");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(csv_cell("seen, well"), "\"seen, well\"");
        assert_eq!(csv_cell("said \"fell\""), "\"said \"\"fell\"\"\"");
        assert_eq!(csv_cell("line one\nline two"), "\"line one\nline two\"");
    }

    #[test]
    fn what_a_spreadsheet_would_run_is_defused() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+44 1632 960000"), "'+44 1632 960000");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("a=b"), "a=b");
    }

    #[test]
    fn file_names_keep_to_safe_characters() {
        let at: jiff::Timestamp = "2022-06-14T22:59:59Z".parse().unwrap();
        assert_eq!(
            file_name("0190f5e2-7c4d.0", at, "csv"),
            "chronology-0190f5e2-7c4d-0-2022-06-14.csv"
        );
    }
}
