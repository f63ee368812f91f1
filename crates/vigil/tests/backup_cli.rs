//! `vigil backup`, `vigil restore` and `vigil check` with the real binary: a backup of
//! a serving store taken while a client keeps recording, restored into a new database,
//! checks whole and holds what the backup said; a store edited behind Vigil's back
//! fails its check, naming what is wrong. The PostgreSQL case runs when
//! `VIGIL_TEST_POSTGRES_URL` names a server, in databases of its own, dropped after.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sqlx::{Connection, Executor};
use vigil_store::EventStore;
use vigil_store_sqlite::{Durability, SqliteStore};

fn vigil(arguments: &[&str], database: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(arguments)
        .args(["--database", database])
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("vigil runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn explain(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The number before `label` in a line such as "backed up ...: 12 events, ...".
fn count_before(text: &str, label: &str) -> u64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.trim_start_matches(':').parse().ok())
        .unwrap_or_else(|| panic!("a number before {label} in {text}"))
}

fn case_p() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/case-p/events.jsonl")
}

/// Keeps recording home visits through the API until told to stop; counts the
/// acknowledged ones.
struct Recorder {
    stop: Arc<AtomicBool>,
    acknowledged: Arc<AtomicUsize>,
    thread: std::thread::JoinHandle<()>,
}

impl Recorder {
    fn start(address: String, first: usize) -> Recorder {
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                let mut index = first;
                while !stop.load(Ordering::Relaxed) {
                    let reply = common::request(
                        &address,
                        "POST",
                        "/api/v1/events",
                        Some(&common::visit(index)),
                    )
                    .expect("the server answers");
                    assert_eq!(reply.status, 201, "{}", reply.body);
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                    index += 1;
                }
            })
        };
        Recorder {
            stop,
            acknowledged,
            thread,
        }
    }

    fn wait_for(&self, count: usize) {
        while self.acknowledged.load(Ordering::SeqCst) < count {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the recorder ends cleanly");
        self.acknowledged.load(Ordering::SeqCst)
    }
}

#[test]
fn a_sqlite_backup_taken_while_recording_restores_whole() {
    let directory = tempfile::tempdir().unwrap();
    let live = directory.path().join("live.db");
    let mut server = common::start_server(&live);
    let live_url = format!("sqlite://{}", live.display());

    let recorder = Recorder::start(server.address.clone(), 0);
    recorder.wait_for(20);
    let before = recorder.acknowledged.load(Ordering::SeqCst) as u64;
    let backup = directory.path().join("backup.db");
    let made = vigil(&["backup", backup.to_str().unwrap()], &live_url);
    let after = recorder.acknowledged.load(Ordering::SeqCst) as u64;
    // The recorder goes on after the backup: it was taken while writing.
    recorder.wait_for(after as usize + 5);
    let total = recorder.finish() as u64;
    assert!(made.status.success(), "{}", explain(&made));
    let backed_up = count_before(&stdout(&made), " events");
    assert!(
        (before..=after).contains(&backed_up),
        "the backup holds {backed_up} events: at least the {before} acknowledged before it began, at most the {after} acknowledged when it ended"
    );
    assert!(total > backed_up);

    // It refuses to overwrite.
    let again = vigil(&["backup", backup.to_str().unwrap()], &live_url);
    assert_eq!(again.status.code(), Some(1), "{}", explain(&again));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{}",
        explain(&again)
    );

    let restored = directory.path().join("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let output = vigil(&["restore", backup.to_str().unwrap()], &restored_url);
    assert!(output.status.success(), "{}", explain(&output));
    assert_eq!(
        count_before(&stdout(&output), " events. Run"),
        backed_up,
        "the restored store counts what the backup held"
    );
    let check = vigil(&["check"], &restored_url);
    assert!(check.status.success(), "{}", explain(&check));
    assert!(
        stdout(&check).contains("every check passed"),
        "{}",
        explain(&check)
    );
    assert!(
        stdout(&check).contains(&format!("{backed_up} events")),
        "{}",
        explain(&check)
    );

    // A restore never overwrites a database.
    let over = vigil(&["restore", backup.to_str().unwrap()], &restored_url);
    assert_eq!(over.status.code(), Some(1), "{}", explain(&over));

    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // The live store, recorded while its backup was taken, checks whole too.
    let check = vigil(&["check"], &live_url);
    assert!(check.status.success(), "{}", explain(&check));
    assert!(
        stdout(&check).contains(&format!("{total} events")),
        "{}",
        explain(&check)
    );
}

/// A store with events (Case P), their derivations written down, and an audit log.
async fn populate<S: EventStore>(store: &S) {
    vigil_store::conformance::five_audit_entries(store).await;
    let casework = vigil_pipeline::Casework::load(
        store,
        vigil_linkage::LinkageModel::default_model(),
        vigil_rules::RulesConfig::default(),
    )
    .await
    .unwrap();
    let written = casework.store_derivations(store).await.unwrap();
    assert!(written > 0, "Case P leads to conclusions");
}

/// Runs statements on a SQLite file with the append-only triggers removed.
async fn tamper_sqlite(path: &Path, statements: &[&str]) {
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let triggers: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(&mut raw)
            .await
            .unwrap();
    for (trigger,) in triggers {
        raw.execute(sqlx::AssertSqlSafe(format!("DROP TRIGGER {trigger}")))
            .await
            .unwrap();
    }
    for statement in statements {
        raw.execute(sqlx::AssertSqlSafe(*statement)).await.unwrap();
    }
    raw.close().await.unwrap();
}

/// Each way of editing a store behind Vigil's back, the check that must catch it, and
/// a word its report must contain.
const TAMPERING: [(&str, &[&str], &str, &str); 4] = [
    (
        "an audit entry edited",
        &["UPDATE audit SET purpose = 'nothing to see' WHERE sequence = 3"],
        "FAILED audit chain",
        "CHAIN BROKEN at audit entry 3",
    ),
    (
        "an identity record removed",
        &["DELETE FROM identity_records WHERE id = (SELECT MIN(id) FROM identity_records)"],
        "FAILED event log",
        "is missing",
    ),
    (
        "an event's people changed",
        &[
            "UPDATE events SET body = json_set(body, '$.people', json('[]')) WHERE sequence = (SELECT MIN(sequence) FROM events WHERE json_array_length(body, '$.people') > 1)",
        ],
        "FAILED event log",
        "cannot be read",
    ),
    (
        "a conclusion no replay reaches",
        &[
            "INSERT INTO derivations (key, kind, at_us, stored_us, body) VALUES ('forged', 'alert_raised', 0, 0, '{\"kind\":\"alert_raised\"}')",
        ],
        "FAILED derivations",
        "NOT reached",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_fails_on_a_store_edited_behind_vigils_back() {
    let directory = tempfile::tempdir().unwrap();
    let original = directory.path().join("original.db");
    let original_url = format!("sqlite://{}", original.display());
    let import = vigil(&["import", case_p().to_str().unwrap()], &original_url);
    assert!(import.status.success(), "{}", explain(&import));
    {
        let store = SqliteStore::open(&original, Durability::Normal)
            .await
            .unwrap();
        populate(&store).await;
    }
    let intact = vigil(&["check"], &original_url);
    assert!(intact.status.success(), "{}", explain(&intact));
    let backup = directory.path().join("backup.db");
    let made = vigil(&["backup", backup.to_str().unwrap()], &original_url);
    assert!(made.status.success(), "{}", explain(&made));

    for (index, (what, statements, failed, detail)) in TAMPERING.iter().enumerate() {
        let copy = directory.path().join(format!("copy-{index}.db"));
        let copy_url = format!("sqlite://{}", copy.display());
        let restored = vigil(&["restore", backup.to_str().unwrap()], &copy_url);
        assert!(restored.status.success(), "{what}: {}", explain(&restored));
        tamper_sqlite(&copy, statements).await;
        let check = vigil(&["check"], &copy_url);
        assert_eq!(check.status.code(), Some(1), "{what}: {}", explain(&check));
        let report = stdout(&check);
        assert!(report.contains(failed), "{what}: {report}");
        assert!(report.contains(detail), "{what}: {report}");
        assert!(report.contains("FAILED its check"), "{what}: {report}");
        let json = vigil(&["check", "--json"], &copy_url);
        assert_eq!(json.status.code(), Some(1), "{what}: {}", explain(&json));
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(json["passed"], false, "{what}: {json}");
        let failed_names: Vec<&str> = json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["passed"] == false)
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let expected = failed.trim_start_matches("FAILED ");
        assert!(
            failed_names.iter().any(|name| name.starts_with(expected)),
            "{what}: {json}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_or_foreign_file_is_not_restored() {
    let directory = tempfile::tempdir().unwrap();
    let not_sqlite = directory.path().join("notes.txt");
    std::fs::write(&not_sqlite, "not a database").unwrap();
    let target = format!("sqlite://{}", directory.path().join("new.db").display());
    let output = vigil(&["restore", not_sqlite.to_str().unwrap()], &target);
    assert_eq!(output.status.code(), Some(1), "{}", explain(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a readable SQLite database"),
        "{}",
        explain(&output)
    );
    assert!(!directory.path().join("new.db").exists());

    let foreign = directory.path().join("foreign.db");
    let mut raw =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", foreign.display()))
            .await
            .unwrap();
    raw.execute("CREATE TABLE t (x)").await.unwrap();
    raw.close().await.unwrap();
    let output = vigil(&["restore", foreign.to_str().unwrap()], &target);
    assert_eq!(output.status.code(), Some(1), "{}", explain(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not a Vigil database"),
        "{}",
        explain(&output)
    );
}

const URL_VARIABLE: &str = "VIGIL_TEST_POSTGRES_URL";

/// `base` with its database name replaced.
fn database_url(base: &str, database: &str) -> String {
    let (without_query, query) = base
        .split_once('?')
        .map_or((base, None), |(b, q)| (b, Some(q)));
    let slash = without_query.rfind('/').expect("a URL with a database");
    let mut url = format!("{}/{database}", &without_query[..slash]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

async fn admin(base: &str) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|error| panic!("{URL_VARIABLE} is set but {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_taken_while_appending_restores_into_an_empty_database() {
    let Some(base) = std::env::var(URL_VARIABLE).ok().filter(|u| !u.is_empty()) else {
        eprintln!("skipped: {URL_VARIABLE} is not set");
        return;
    };
    let suffix = uuid::Uuid::now_v7().simple().to_string();
    let (source, target) = (
        format!("vigil_backup_a_{suffix}"),
        format!("vigil_backup_b_{suffix}"),
    );
    let mut connection = admin(&base).await;
    for database in [&source, &target] {
        connection
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .await
            .unwrap();
    }
    let (source_url, target_url) = (database_url(&base, &source), database_url(&base, &target));

    let result = tokio::spawn(round_trip(source_url, target_url)).await;

    let mut connection = admin(&base).await;
    for database in [&source, &target] {
        connection
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
            )))
            .await
            .unwrap();
    }
    if let Err(failure) = result {
        std::panic::resume_unwind(failure.into_panic());
    }
}

async fn round_trip(source_url: String, target_url: String) {
    let import = vigil(&["import", case_p().to_str().unwrap()], &source_url);
    assert!(import.status.success(), "{}", explain(&import));
    let store = vigil_store_postgres::PostgresStore::connect(&source_url, None, 4)
        .await
        .unwrap();
    populate(&store).await;

    // A writer appends while the backup runs in another process.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut index = 0;
            while !stop.load(Ordering::Relaxed) {
                let event = vigil_domain::parse_event(
                    &common::visit(index),
                    "",
                    jiff::Timestamp::now(),
                    &vigil_domain::Limits::default(),
                )
                .unwrap();
                store
                    .append(vec![event], jiff::Timestamp::now())
                    .await
                    .unwrap();
                index += 1;
            }
            index
        })
    };
    while store.event_count().await.unwrap() < 120 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = store.event_count().await.unwrap();
    let file = tempfile::tempdir().unwrap();
    let backup = file.path().join("vigil.jsonl");
    let made = {
        let (backup, source_url) = (backup.clone(), source_url.clone());
        tokio::task::spawn_blocking(move || {
            vigil(&["backup", backup.to_str().unwrap()], &source_url)
        })
        .await
        .unwrap()
    };
    let after = store.event_count().await.unwrap();
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(made.status.success(), "{}", explain(&made));
    let backed_up = count_before(&stdout(&made), " events");
    assert!(
        (before..=after).contains(&backed_up),
        "{before} <= {backed_up} <= {after}"
    );

    let restored = vigil(&["restore", backup.to_str().unwrap()], &target_url);
    assert!(restored.status.success(), "{}", explain(&restored));
    assert_eq!(count_before(&stdout(&restored), " events. Run"), backed_up);
    let check = vigil(&["check"], &target_url);
    assert!(check.status.success(), "{}", explain(&check));
    // Appending continues the numbering after a restore.
    let restored_store = vigil_store_postgres::PostgresStore::connect(&target_url, None, 2)
        .await
        .unwrap();
    let event = vigil_domain::parse_event(
        &common::visit(1_000_000),
        "",
        jiff::Timestamp::now(),
        &vigil_domain::Limits::default(),
    )
    .unwrap();
    let appended = restored_store
        .append(vec![event], jiff::Timestamp::now())
        .await
        .unwrap();
    assert!(
        matches!(appended[0], vigil_store::Appended::Created { sequence, .. } if sequence > backed_up as i64)
    );
    restored_store
        .append_audit(vec![vigil_store::NewAuditEntry {
            at: jiff::Timestamp::now(),
            actor_id: "test".into(),
            actor_role: None,
            actor_agency: None,
            action: "GET /health".into(),
            path: "/health".into(),
            resource: None,
            purpose: None,
            status: 200,
            allowed: true,
            request_id: None,
        }])
        .await
        .unwrap();
    let check = vigil(&["check"], &target_url);
    assert!(check.status.success(), "{}", explain(&check));

    // A restore only fills an empty database.
    let again = vigil(&["restore", backup.to_str().unwrap()], &target_url);
    assert_eq!(again.status.code(), Some(1), "{}", explain(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // Edited behind Vigil's back (triggers off for the session): the check fails.
    let mut raw = sqlx::PgConnection::connect(&target_url).await.unwrap();
    raw.execute("SET session_replication_role = replica")
        .await
        .unwrap();
    raw.execute("UPDATE audit SET purpose = 'edited' WHERE sequence = 2")
        .await
        .unwrap();
    raw.close().await.unwrap();
    let check = vigil(&["check"], &target_url);
    assert_eq!(check.status.code(), Some(1), "{}", explain(&check));
    assert!(
        stdout(&check).contains("FAILED audit chain"),
        "{}",
        explain(&check)
    );
}
