//! A name held in several columns (`Forename`, `Middle Names`, `Surname`) becomes the
//! domain's structured name; the mapping's checks on the parts.

use super::{check_error, header_errors, mapping_errors, reasons, rows};

/// A case note about a child whose name the export holds in three columns.
const PARTS: &str = r#"agency = "NCS"
source_system = "TEST-CASES"
source_id = "Id"
kind = "note"
occurred_at = "When"

[[people]]
role = "subject_child"
name = { given = "Forename", middle = "Middle Names", family = "Surname" }
date_of_birth = "Born"
"#;

const HEADER: &str = "Id,When,Forename,Middle Names,Surname,Born\n";

fn read(rows_text: &str) -> Vec<crate::CsvRow> {
    rows(PARTS, format!("{HEADER}{rows_text}").as_bytes())
}

#[test]
fn the_parts_become_the_structured_name() {
    let read = read("1,2024-03-05,Tilly,Ann  Marie,WINTERBOURNE,2019-06-12\n");
    let name = &read[0].outcome.as_ref().unwrap().people[0].name;
    assert_eq!(name.given.as_deref(), Some("Tilly"));
    assert_eq!(name.middle, ["Ann", "Marie"]);
    assert_eq!(name.family.as_deref(), Some("WINTERBOURNE"));
    assert_eq!(name.as_recorded, "Tilly Ann Marie WINTERBOURNE");
}

#[test]
fn blank_parts_are_left_out_and_one_of_given_or_family_is_enough() {
    let read = read("1,2024-03-05,,,WINTERBOURNE,\n2,2024-03-05,Tilly,,,\n");
    let family_only = &read[0].outcome.as_ref().unwrap().people[0].name;
    assert_eq!(family_only.given, None);
    assert!(family_only.middle.is_empty());
    assert_eq!(family_only.family.as_deref(), Some("WINTERBOURNE"));
    let given_only = &read[1].outcome.as_ref().unwrap().people[0].name;
    assert_eq!(given_only.given.as_deref(), Some("Tilly"));
    assert_eq!(given_only.family, None);
}

#[test]
fn a_middle_name_alone_is_rejected_naming_the_name_columns() {
    let read = read("\n\n1,2024-03-05,,Ann,,\n");
    assert_eq!(read[0].line, 4);
    assert_eq!(
        reasons(&read[0]),
        [
            r#"column "Forename + Middle Names + Surname": a name needs at least the text as recorded, a given name or a family name"#
        ]
    );
}

#[test]
fn a_person_with_no_name_cell_but_a_date_of_birth_is_told_the_name_is_required() {
    let read = read("1,2024-03-05,,,,2019-06-12\n");
    assert_eq!(
        reasons(&read[0]),
        [r#"column "Forename + Middle Names + Surname": is required"#]
    );
}

#[test]
fn a_wrong_part_is_named_by_its_own_column() {
    let read = read("1,2024-03-05,Til\u{7}ly,,WINTERBOURNE,\n");
    let reasons = reasons(&read[0]);
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with(r#"column "Forename": "#)),
        "{reasons:#?}"
    );
}

#[test]
fn text_and_preferred_parts() {
    let mapping = PARTS.replace(
        r#"name = { given = "Forename", middle = "Middle Names", family = "Surname" }"#,
        r#"name = { text = "Full Name", preferred = "Known As" }"#,
    );
    let read = rows(
        &mapping,
        b"Id,When,Full Name,Known As,Born\n1,2024-03-05,\"CARTER, Philip James\",Pip,\n",
    );
    let name = &read[0].outcome.as_ref().unwrap().people[0].name;
    assert_eq!(name.as_recorded, "CARTER, Philip James");
    assert_eq!(name.given.as_deref(), Some("Philip"));
    assert_eq!(name.preferred.as_deref(), Some("Pip"));
}

#[test]
fn a_name_in_one_column_may_still_be_a_table() {
    let mapping = PARTS.replace(
        r#"name = { given = "Forename", middle = "Middle Names", family = "Surname" }"#,
        r#"name = { column = "Surname" }"#,
    );
    let read = rows(
        &mapping,
        format!("{HEADER}1,2024-03-05,,,\"SMITH, Ann\",\n").as_bytes(),
    );
    let name = &read[0].outcome.as_ref().unwrap().people[0].name;
    assert_eq!(name.family.as_deref(), Some("SMITH"));
}

#[test]
fn parts_without_a_given_or_family_name_are_refused() {
    let mapping = PARTS.replace(
        r#"given = "Forename", middle = "Middle Names", family = "Surname""#,
        r#"middle = "Middle Names", preferred = "Forename""#,
    );
    check_error(&mapping, 9, "people[0].name", "needs `given` or `family`");
}

#[test]
fn parts_and_a_column_together_are_refused() {
    let mapping = PARTS.replace(
        r#"given = "Forename","#,
        r#"column = "Name", given = "Forename","#,
    );
    check_error(&mapping, 9, "people[0].name", "not both");
}

#[test]
fn an_unknown_part_is_refused_with_its_line() {
    let mapping = PARTS.replace(r#"family = "Surname""#, r#"surname = "Surname""#);
    check_error(&mapping, 9, "the mapping", "unknown field `surname`");
}

#[test]
fn a_part_with_formats_is_refused() {
    let mapping = PARTS.replace(
        r#"family = "Surname""#,
        r#"family = { column = "Surname", formats = ["%Y"] }"#,
    );
    check_error(
        &mapping,
        9,
        "people[0].name.family",
        "`formats` does not apply",
    );
}

#[test]
fn a_person_without_a_name_is_refused() {
    let mapping = PARTS.replace(
        "name = { given = \"Forename\", middle = \"Middle Names\", family = \"Surname\" }\n",
        "",
    );
    let errors = mapping_errors(&mapping);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("people[0]: a person needs `name`")),
        "{errors:?}"
    );
}

#[test]
fn a_part_column_missing_from_the_header_is_named_by_its_key() {
    let errors = header_errors(PARTS, "Id,When,Forename,Middle Names,Last Name,Born\n");
    assert!(
        errors.contains(
            r#"line 9, people[0].name.family: column "Surname" is not in the file's header"#
        ),
        "{errors}"
    );
}
