//! `vigil import --csv FILE --mapping MAP.toml` as an operator runs it, on the two
//! shipped examples: what is stored, which rows are rejected (by line, with reasons,
//! in `FILE.rejected.csv`), that a second import stores nothing, and that a wrong
//! mapping stores nothing at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vigil_domain::AgencyCode;
use vigil_domain::event::{EventDetails, Marker, Role};
use vigil_store::{EventStore, Page, StoredEvent};
use vigil_store_sqlite::{Durability, SqliteStore};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mappings")
}

/// Copies an example's CSV and mapping into `directory`, so the rejects file is written
/// there and never beside the shipped example.
fn copy_example(name: &str, directory: &Path) {
    for extension in ["csv", "toml"] {
        let file = format!("{name}.{extension}");
        std::fs::copy(examples().join(&file), directory.join(&file)).unwrap();
    }
}

fn import(directory: &Path, name: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "import",
            "--csv",
            &format!("{name}.csv"),
            "--mapping",
            &format!("{name}.toml"),
            "--database",
        ])
        .arg(format!("sqlite://{}", directory.join("vigil.db").display()))
        .current_dir(directory)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn stored(directory: &Path, agency: &str) -> Vec<StoredEvent> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(&directory.join("vigil.db"), Durability::Normal)
            .await
            .unwrap();
        store
            .events_by_agency(&AgencyCode::parse(agency).unwrap(), true, Page::default())
            .await
            .unwrap()
    })
}

/// The rejects file's rows: (line, reasons, the row's first cell).
fn rejected(directory: &Path, name: &str) -> Vec<(u64, String, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(directory.join(format!("{name}.rejected.csv")))
        .unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "line");
    assert_eq!(&header[1], "reasons");
    reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            (
                row[0].parse().unwrap(),
                row[1].to_string(),
                row[2].to_string(),
            )
        })
        .collect()
}

#[test]
fn the_social_care_example_imports_with_two_rows_rejected() {
    let directory = tempfile::tempdir().unwrap();
    copy_example("social-care", directory.path());

    let first = import(directory.path(), "social-care");
    let stdout = text(&first.stdout);
    assert_eq!(
        first.status.code(),
        Some(2),
        "{stdout}{}",
        text(&first.stderr)
    );
    assert!(
        stdout.contains("social-care.csv: 9 rows read; 7 stored, 0 already stored, 2 rejected"),
        "{stdout}"
    );
    let stderr = text(&first.stderr);
    assert!(
        stderr.contains(
            r#"line 11: column "Activity Type": "Telephone Call" is not in the values of kind"#
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"line 12: column "NHS Number": "#),
        "{stderr}"
    );

    let events = stored(directory.path(), "NCS");
    let kinds: Vec<&str> = events.iter().map(|stored| stored.event.kind()).collect();
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
    let visit = &events[2].event;
    assert_eq!(visit.source_system, "NCS-Mosaic");
    assert_eq!(visit.source_id, "ACT-50013");
    assert_eq!(
        visit.occurred_at.start().to_string(),
        "2024-03-05T15:30:00Z"
    );
    assert_eq!(visit.people.len(), 2);
    assert_eq!(visit.people[0].role, Role::SubjectChild);
    assert_eq!(
        visit.people[0].nhs_number.as_ref().unwrap().to_string(),
        "999 000 0018"
    );
    assert_eq!(visit.people[1].role, Role::Partner);
    assert_eq!(
        visit.people[1].relationship.as_deref(),
        Some("Mother's partner")
    );
    assert!(
        visit
            .summary
            .as_deref()
            .unwrap()
            .contains("\"Wayne grabbed me\""),
        "the quoted note with line breaks is kept whole"
    );
    match &visit.details {
        EventDetails::HomeVisit(details) => assert_eq!(details.announced, Some(false)),
        other => panic!("{other:?}"),
    }
    match &events[1].event.details {
        EventDetails::StrategyDiscussion(details) => {
            assert_eq!(details.agencies_present, ["NCS", "NBP", "NCH"]);
            assert_eq!(details.section_47_agreed, Some(true));
        }
        other => panic!("{other:?}"),
    }

    let rejected = rejected(directory.path(), "social-care");
    assert_eq!(
        rejected
            .iter()
            .map(|r| (r.0, r.2.as_str()))
            .collect::<Vec<_>>(),
        [(11, "ACT-50017"), (12, "ACT-50018")]
    );
    assert!(
        rejected[0].1.contains(
            r#"column "Activity Date": "31/02/2024 14:00" is not a date on the calendar"#
        ),
        "{}",
        rejected[0].1
    );
    assert!(
        rejected[1]
            .1
            .contains(r#"column "Urgency": "Soonish" is not in the values"#),
        "{}",
        rejected[1].1
    );

    let again = import(directory.path(), "social-care");
    assert!(
        text(&again.stdout).contains("9 rows read; 0 stored, 7 already stored, 2 rejected"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(stored(directory.path(), "NCS").len(), 7);
}

#[test]
fn the_police_example_imports_with_three_rows_rejected() {
    let directory = tempfile::tempdir().unwrap();
    copy_example("police", directory.path());

    let first = import(directory.path(), "police");
    let stdout = text(&first.stdout);
    assert_eq!(
        first.status.code(),
        Some(2),
        "{stdout}{}",
        text(&first.stderr)
    );
    assert!(
        stdout.contains("police.csv: 7 rows read; 4 stored, 0 already stored, 3 rejected"),
        "{stdout}"
    );

    let events = stored(directory.path(), "NBP");
    let kinds: Vec<&str> = events.iter().map(|stored| stored.event.kind()).collect();
    assert_eq!(
        kinds,
        ["police_incident", "police_incident", "arrest", "bail"]
    );
    let arrest = &events[2].event;
    assert_eq!(arrest.people[0].role, Role::Suspect);
    assert_eq!(
        arrest.people[0].markers,
        [Marker::Violence, Marker::DomesticAbuse, Marker::Weapons]
    );
    assert_eq!(
        arrest.people[0].date_of_birth.unwrap().to_string(),
        "1990-01-21"
    );
    assert_eq!(arrest.people[1].role, Role::SubjectChild);
    match &events[1].event.details {
        EventDetails::PoliceIncident(incident) => {
            assert_eq!(incident.children_present_not_identified, Some(2));
        }
        other => panic!("{other:?}"),
    }
    match &events[3].event.details {
        EventDetails::Bail(bail) => {
            assert_eq!(bail.conditions.len(), 2);
            assert_eq!(bail.return_date.unwrap().to_string(), "2024-04-12");
        }
        other => panic!("{other:?}"),
    }

    let rejected = rejected(directory.path(), "police");
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [6, 7, 8]);
    assert!(
        rejected[0].1.contains(r#"column "Outcome": "NOT GUILTY""#),
        "{}",
        rejected[0].1
    );
    assert!(
        rejected[1].1.contains(r#"column "Person DOB""#),
        "{}",
        rejected[1].1
    );
    assert!(
        rejected[1]
            .1
            .contains(r#"column "Warning Markers": "SELF HARM""#),
        "{}",
        rejected[1].1
    );
    assert!(
        rejected[2]
            .1
            .contains("the row has 24 cells but the header has 25"),
        "{}",
        rejected[2].1
    );
}

#[test]
fn a_wrong_mapping_is_refused_before_anything_is_stored() {
    let directory = tempfile::tempdir().unwrap();
    copy_example("police", directory.path());
    let mapping = std::fs::read_to_string(directory.path().join("police.toml")).unwrap();
    std::fs::write(
        directory.path().join("police.toml"),
        mapping
            .replace(
                r#""DOMESTIC" = "police_incident""#,
                r#""DOMESTIC" = "domestic""#,
            )
            .replace(
                r#"source_id = "Occurrence Ref""#,
                r#"source_id = "Occurrence Reference""#,
            ),
    )
    .unwrap();

    let output = import(directory.path(), "police");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            r#"police.toml: line 11, kind.values."DOMESTIC": unknown event kind "domestic""#
        ),
        "{stderr}"
    );
    assert!(
        !directory.path().join("vigil.db").exists(),
        "no store was opened"
    );

    // With the kind right, the header check names the missing column.
    std::fs::write(
        directory.path().join("police.toml"),
        mapping.replace(
            r#"source_id = "Occurrence Ref""#,
            r#"source_id = "Occurrence Reference""#,
        ),
    )
    .unwrap();
    let output = import(directory.path(), "police");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(r#"mapping line 9, source_id: column "Occurrence Reference" is not in the file's header"#),
        "{stderr}"
    );
    assert!(
        !directory.path().join("vigil.db").exists(),
        "no store was opened"
    );
}
