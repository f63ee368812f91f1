//! The Case P fixture, `fixtures/case-p/events.jsonl`, loads through the real `vigil
//! import`: every line is accepted and stored, and a second import stores nothing new.

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
