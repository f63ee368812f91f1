//! One injury per row of an injury observation: the injury's fields and one explanation
//! from columns, with value tables, checked against the domain's injury fields.

use vigil_domain::EventDetails;
use vigil_domain::body_map::{BodySite, InjuryType, RecorderOpinion, Side};
use vigil_domain::event::details::Injury;

use super::{check_error, header_errors, mapping_errors, reasons, rows};

/// A health body-map export: one row per injury seen, some rows case notes.
const BODY_MAP: &str = r#"agency = "NCH"
source_system = "TEST-BODYMAP"
source_id = "Ref"
kind = { column = "Entry", values = { "Injury" = "injury_observation", "Note" = "note" } }
occurred_at = "When"
summary = "Notes"

[[people]]
role = "subject_child"
name = "Name"

[details.injury_observation.injury]
body_site = { column = "Site", values = { "R cheek" = "cheek", "L cheek" = "cheek", "Upper arm (L)" = "upper_arm" } }
side = { column = "Site", values = { "R cheek" = "right", "L cheek" = "left", "Upper arm (L)" = "left" } }
injury_type = "Injury"
count = "Number"
size_cm = "Size (cm)"
recorder_opinion = { column = "Opinion", values = { "Consistent" = "consistent_with_explanation", "Concern" = "concern" } }
description = "Description"
explanation = { given_by = "Explained By", text = "Explanation" }
"#;

const HEADER: &str = "Ref,Entry,When,Name,Site,Injury,Number,Size (cm),Opinion,Description,Explained By,Explanation,Notes\n";

fn read(rows_text: &str) -> Vec<crate::CsvRow> {
    rows(BODY_MAP, format!("{HEADER}{rows_text}").as_bytes())
}

fn injuries(row: &crate::CsvRow) -> &[Injury] {
    match &row.outcome.as_ref().unwrap().details {
        EventDetails::InjuryObservation(observation) => &observation.injuries,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_row_is_one_injury_with_its_explanation() {
    let read = read(
        "I1,Injury,2024-03-05,\"SMITH, Ann\",R cheek,Bruise,2,1.5,Concern,Fingertip pattern,mother,fell against a table,Seen at the clinic\n",
    );
    let injuries = injuries(&read[0]);
    assert_eq!(injuries.len(), 1);
    let injury = &injuries[0];
    assert_eq!(injury.body_site, BodySite::Cheek);
    assert_eq!(injury.side, Some(Side::Right));
    assert_eq!(
        injury.injury_type,
        InjuryType::Bruise,
        "written as the export does"
    );
    assert_eq!(injury.count, 2);
    assert_eq!(injury.size_cm, Some(1.5));
    assert_eq!(injury.recorder_opinion, Some(RecorderOpinion::Concern));
    assert_eq!(injury.description.as_deref(), Some("Fingertip pattern"));
    assert_eq!(injury.explanations.len(), 1);
    assert_eq!(injury.explanations[0].given_by, "mother");
    assert_eq!(injury.explanations[0].text, "fell against a table");
}

#[test]
fn no_explanation_is_an_empty_list_and_the_count_defaults_to_one() {
    let read = read("I2,Injury,2024-03-05,A B,Upper arm (L),head injury,,,,,,,\n");
    let injury = &injuries(&read[0])[0];
    assert_eq!(injury.body_site, BodySite::UpperArm);
    assert_eq!(injury.side, Some(Side::Left));
    assert_eq!(injury.injury_type, InjuryType::HeadInjury);
    assert_eq!(injury.count, 1);
    assert!(injury.explanations.is_empty());
}

#[test]
fn a_site_read_as_written_is_taken_in_vigils_spelling() {
    let mapping = BODY_MAP.replace(
        r#"body_site = { column = "Site", values = { "R cheek" = "cheek", "L cheek" = "cheek", "Upper arm (L)" = "upper_arm" } }"#,
        r#"body_site = "Site""#,
    ).replace(
        r#"side = { column = "Site", values = { "R cheek" = "right", "L cheek" = "left", "Upper arm (L)" = "left" } }"#,
        r#"side = "Side""#,
    );
    let read = rows(
        &mapping,
        b"Ref,Entry,When,Name,Site,Side,Injury,Number,Size (cm),Opinion,Description,Explained By,Explanation,Notes\nI3,Injury,2024-03-05,A B,Upper Arm,Left,Bruise,,,,,,,\n",
    );
    let injury = &injuries(&read[0])[0];
    assert_eq!(injury.body_site, BodySite::UpperArm);
    assert_eq!(injury.side, Some(Side::Left));
}

#[test]
fn rows_of_other_kinds_hold_no_injury() {
    let read = read("N1,Note,2024-03-05,A B,,,,,,,,,Phoned the school\n");
    assert_eq!(read[0].outcome.as_ref().unwrap().kind(), "note");
}

#[test]
fn every_wrong_cell_of_an_injury_is_named_by_its_column() {
    let read = read(
        "\nI4,Injury,2024-03-05,A B,Elbw,Brusie,two,,Worried,,mother,,\n\
         I5,Injury,2024-03-05,A B,L cheek,Bruise,0,250,,,,,\n\
         I6,Injury,2024-03-05,A B,,,,,,,,,\n",
    );
    assert_eq!(
        read.iter().map(|row| row.line).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    let first = reasons(&read[0]);
    assert_eq!(first.len(), 6, "{first:#?}");
    assert!(first[0].starts_with(r#"column "Site": "Elbw" is not in the values of details.injury_observation.injury.body_site"#), "{first:#?}");
    assert!(first[1].starts_with(r#"column "Site": "Elbw" is not in the values of details.injury_observation.injury.side"#), "{first:#?}");
    assert!(
        first[2].starts_with(r#"column "Injury": "Brusie" is not an injury type"#),
        "{first:#?}"
    );
    assert_eq!(first[3], r#"column "Number": "two" is not a number"#);
    assert!(
        first[4].starts_with(r#"column "Opinion": "Worried" is not in the values"#),
        "{first:#?}"
    );
    // The explanation names who gave it but not what they said.
    assert_eq!(first[5], r#"column "Explanation": is required"#);
    let second = reasons(&read[1]);
    assert_eq!(
        second,
        [
            r#"column "Number": count is at least 1"#,
            r#"column "Size (cm)": a size in centimetres is above 0 and below 200; found 250"#,
        ]
    );
    let third = reasons(&read[2]);
    assert_eq!(third, [r#"column "Site": is required"#]);
}

#[test]
fn an_explanation_without_its_text_is_rejected_naming_the_column() {
    let read = read("I7,Injury,2024-03-05,A B,R cheek,Bruise,1,,,,mother,,\n");
    assert_eq!(reasons(&read[0]), [r#"column "Explanation": is required"#]);
}

// ----- the mapping's checks -----

#[test]
fn an_injury_field_the_domain_does_not_have_is_named() {
    let mapping = format!("{BODY_MAP}location = \"Site\"\n");
    check_error(
        &mapping,
        21,
        "details.injury_observation.injury.location",
        "an injury has no field \"location\"",
    );
}

#[test]
fn a_value_table_word_not_on_the_body_map_is_named() {
    let mapping = BODY_MAP.replace(r#""L cheek" = "cheek""#, r#""L cheek" = "cheeks""#);
    check_error(
        &mapping,
        13,
        r#"details.injury_observation.injury.body_site.values."L cheek""#,
        "\"cheeks\" is not a body site",
    );
    let mapping = BODY_MAP.replace(
        r#"injury_type = "Injury""#,
        r#"injury_type = { value = "bruising" }"#,
    );
    check_error(
        &mapping,
        15,
        "details.injury_observation.injury.injury_type",
        "\"bruising\" is not an injury type",
    );
}

#[test]
fn an_injury_needs_a_site_and_a_type() {
    let mapping = BODY_MAP.replace("injury_type = \"Injury\"\n", "");
    check_error(
        &mapping,
        12,
        "details.injury_observation.injury",
        "an injury needs `injury_type`",
    );
}

#[test]
fn an_explanation_needs_who_and_what() {
    let mapping = BODY_MAP.replace(r#"given_by = "Explained By", "#, "");
    check_error(
        &mapping,
        20,
        "details.injury_observation.injury.explanation",
        "needs `given_by`",
    );
    let mapping = BODY_MAP.replace(
        r#"given_by = "Explained By""#,
        r#"said_by = "Explained By""#,
    );
    check_error(
        &mapping,
        20,
        "details.injury_observation.injury.explanation.said_by",
        "an explanation has no field \"said_by\"",
    );
}

#[test]
fn injuries_as_a_column_are_refused() {
    let mapping = BODY_MAP.replace(
        "[details.injury_observation.injury]",
        "[details.injury_observation]\ninjuries = \"Site\"\n\n[details.injury_observation.injury]",
    );
    check_error(
        &mapping,
        13,
        "details.injury_observation.injuries",
        "a row holds one injury",
    );
    let mapping = BODY_MAP.replace(
        r#"explanation = { given_by"#,
        r#"explanations = { given_by"#,
    );
    check_error(
        &mapping,
        20,
        "details.injury_observation.injury.explanations",
        "a row holds one explanation",
    );
}

#[test]
fn an_injury_for_another_kind_is_refused() {
    let mapping = format!("{BODY_MAP}\n[details.note.injury]\nbody_site = \"Site\"\n");
    check_error(
        &mapping,
        22,
        "details.note.injury",
        "only an injury_observation event holds an injury",
    );
}

#[test]
fn injury_observations_without_an_injury_table_are_refused() {
    let mapping = BODY_MAP
        .split("[details.injury_observation.injury]")
        .next()
        .unwrap();
    check_error(mapping, 4, "kind", "[details.injury_observation.injury]");
}

#[test]
fn a_type_on_an_injury_field_is_refused_because_vigil_decides() {
    let mapping = BODY_MAP.replace(
        r#"count = "Number""#,
        r#"count = { column = "Number", type = "text" }"#,
    );
    let errors = mapping_errors(&mapping);
    assert!(
        errors.iter().any(|e| e.starts_with(
            "line 16, details.injury_observation.injury.count: `type` does not apply"
        )),
        "{errors:#?}"
    );
}

#[test]
fn an_injury_column_missing_from_the_header_is_named_by_its_key() {
    let errors = header_errors(
        BODY_MAP,
        "Ref,Entry,When,Name,Site,Injury,Size (cm),Opinion,Description,Explained By,Explanation,Notes\n",
    );
    assert!(
        errors.contains(
            r#"line 16, details.injury_observation.injury.count: column "Number" is not in the file's header"#
        ),
        "{errors}"
    );
}

#[test]
fn an_explanation_given_on_another_day_and_the_estimated_age() {
    let mapping = BODY_MAP
        .replace(
            r#"explanation = { given_by = "Explained By", text = "Explanation" }"#,
            r#"explanation = { given_by = "Explained By", text = "Explanation", given_at = { column = "Explained On", formats = ["%d/%m/%Y"] } }"#,
        )
        .replace(r#"description = "Description""#, r#"estimated_age = "Description""#);
    let header = HEADER.replace("Explanation,", "Explanation,Explained On,");
    let read = rows(
        &mapping,
        format!("{header}I8,Injury,2024-03-05,A B,R cheek,Bruise,1,,,2-3 days,father,walked into a door,04/03/2024,\nI9,Injury,2024-03-05,A B,R cheek,Bruise,1,,,,father,walked into a door,4 March,\n").as_bytes(),
    );
    let injury = &injuries(&read[0])[0];
    assert_eq!(injury.estimated_age.as_deref(), Some("2-3 days"));
    assert_eq!(
        injury.explanations[0].given_at.as_deref(),
        Some("2024-03-04")
    );
    assert_eq!(
        reasons(&read[1]),
        [r#"column "Explained On": "4 March" is not written in the format "%d/%m/%Y""#]
    );
}
