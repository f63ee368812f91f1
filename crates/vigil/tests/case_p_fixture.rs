//! The Case P fixture, `fixtures/case-p/events.jsonl`, loads through the real `vigil
//! import`: every line is accepted and stored, and a second import stores nothing new.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn import(directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["import", "events.jsonl", "--database"])
        .arg(format!("sqlite://{}", directory.join("vigil.db").display()))
        .current_dir(directory)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs")
}

#[test]
fn case_p_events_import_without_rejections() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/case-p/events.jsonl");
    let text = std::fs::read_to_string(&fixture).expect("the Case P fixture exists");
    let lines = text.lines().filter(|line| !line.trim().is_empty()).count();
    assert!(lines > 0, "the fixture is empty");
    // Imported from a copy, so that a rejected-lines file would be written here, never
    // beside the fixture.
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("events.jsonl"), &text).unwrap();

    let first = import(directory.path());
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "{lines} events read; {lines} stored, 0 already stored, 0 rejected"
        )),
        "{stdout}"
    );

    let again = import(directory.path());
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{lines} events read; 0 stored, {lines} already stored, 0 rejected"
        )),
        "{stdout}"
    );
}

fn vigil(directory: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--database")
        .arg(format!("sqlite://{}", directory.join("vigil.db").display()))
        .current_dir(directory)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs")
}

/// The practice reviewer's commands on the imported scenario: the report names the
/// alerts with their evidence, and the record as known earlier holds fewer of them.
#[test]
fn review_chronology_and_alerts_replay_the_imported_record() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/case-p");
    let directory = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture.join("events.jsonl"),
        directory.path().join("events.jsonl"),
    )
    .unwrap();
    // The scenario's agency register as the `[rules.agencies]` table of vigil.toml.
    let agencies = std::fs::read_to_string(fixture.join("agencies.toml")).unwrap();
    let config: Vec<String> = agencies
        .lines()
        .map(|line| match line.strip_prefix('[') {
            Some(rest) => format!("[rules.agencies.{rest}"),
            None => line.to_string(),
        })
        .collect();
    std::fs::write(directory.path().join("vigil.toml"), config.join("\n")).unwrap();
    assert!(import(directory.path()).status.success());

    let review = vigil(directory.path(), &["review", "9992100311"]);
    let text = String::from_utf8_lossy(&review.stdout);
    assert!(
        review.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&review.stderr)
    );
    assert!(text.starts_with("# Missed-opportunity report"), "{text}");
    assert!(text.contains("Evidence:"), "{text}");

    let all = vigil(directory.path(), &["alerts", "--json"]);
    let later: serde_json::Value = serde_json::from_slice(&all.stdout).expect("JSON");
    let early = vigil(
        directory.path(),
        &["alerts", "--json", "--as-at", "2022-01-01"],
    );
    let earlier: serde_json::Value = serde_json::from_slice(&early.stdout).expect("JSON");
    let (later, earlier) = (
        later.as_array().unwrap().len(),
        earlier.as_array().unwrap().len(),
    );
    assert!(earlier > 0 && later > earlier, "{earlier} then {later}");

    let chronology = vigil(directory.path(), &["chronology", "9992100311"]);
    assert!(chronology.status.success());
    assert!(String::from_utf8_lossy(&chronology.stdout).contains("injury_observation"));

    let unknown = vigil(directory.path(), &["review", "nobody at all"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no child matches"));
}

/// What the server concluded while following the log as the records arrived is written
/// down, and a replay of the log afterwards reaches every one of those conclusions again.
#[test]
fn conclusions_drawn_live_are_stored_and_a_replay_reaches_them_again() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/case-p/events.jsonl");
    let directory = tempfile::tempdir().unwrap();
    std::fs::copy(&fixture, directory.path().join("events.jsonl")).unwrap();
    let mut server = common::start_server(&directory.path().join("vigil.db"));
    let imported = import(directory.path());
    assert!(imported.status.success(), "{imported:?}");
    let reply = common::request(
        &server.address,
        "GET",
        "/api/v1/derivations?limit=1000",
        None,
    )
    .expect("the server answers");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let written = reply.body["derivations"].as_array().unwrap().len();
    assert!(written > 100, "only {written} conclusions written");
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let verified = vigil(directory.path(), &["derivations", "verify"]);
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{stdout}");
    assert!(
        stdout.contains("Every stored conclusion is reached again"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Reached by the replay but not yet stored: 0"),
        "{stdout}"
    );
}
