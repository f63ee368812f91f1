//! `vigil audit verify` and `vigil audit list` on a real database file: an intact log
//! is reported with its latest hash; an entry edited behind Vigil's back is named, with
//! exit status 1; a kept head shows the end of the log removed.

use std::path::Path;
use std::process::{Command, Output};

use sqlx::{Connection, Executor};
use vigil_store::EventStore;
use vigil_store_sqlite::{Durability, SqliteStore};

fn vigil(arguments: &[&str], directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(arguments)
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

async fn tamper(path: &Path, statements: &[&str]) {
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    raw.execute("DROP TRIGGER IF EXISTS audit_is_append_only_update")
        .await
        .unwrap();
    raw.execute("DROP TRIGGER IF EXISTS audit_is_append_only_delete")
        .await
        .unwrap();
    for statement in statements {
        raw.execute(sqlx::AssertSqlSafe(*statement)).await.unwrap();
    }
    raw.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_an_intact_log_and_names_an_edited_entry() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("vigil.db");
    let database = format!("sqlite://{}", path.display());
    {
        let store = SqliteStore::open(&path, Durability::Normal).await.unwrap();
        vigil_store::conformance::five_audit_entries(&store).await;
        store.ping().await.unwrap();
    }

    let intact = vigil(
        &["audit", "verify", "--database", &database],
        directory.path(),
    );
    let stdout = text(&intact.stdout);
    assert_eq!(
        intact.status.code(),
        Some(0),
        "{stdout}{}",
        text(&intact.stderr)
    );
    assert!(stdout.starts_with("5 entries, chain intact"), "{stdout}");
    let head = stdout
        .lines()
        .find_map(|line| line.strip_prefix("latest: "))
        .expect("the latest hash is printed")
        .to_string();
    assert!(head.starts_with("5:"), "{head}");

    let listed = vigil(
        &[
            "audit",
            "list",
            "--database",
            &database,
            "--after",
            "1",
            "--limit",
            "2",
            "--json",
        ],
        directory.path(),
    );
    assert_eq!(listed.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = text(&listed.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["sequence"], 2);
    assert_eq!(lines[0]["action"], "GET /api/v1/children/{id}");

    // The end of the log removed: invisible to the chain alone, caught by the kept head.
    tamper(&path, &["DELETE FROM audit WHERE sequence = 5"]).await;
    let alone = vigil(
        &["audit", "verify", "--database", &database],
        directory.path(),
    );
    assert_eq!(alone.status.code(), Some(0), "{}", text(&alone.stdout));
    let against_head = vigil(
        &["audit", "verify", "--database", &database, "--head", &head],
        directory.path(),
    );
    let stdout = text(&against_head.stdout);
    assert_eq!(against_head.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("audit entry 5 was removed"), "{stdout}");

    // An entry edited behind Vigil's back is named.
    tamper(
        &path,
        &["UPDATE audit SET actor_id = 'someone else' WHERE sequence = 2"],
    )
    .await;
    let broken = vigil(
        &["audit", "verify", "--database", &database],
        directory.path(),
    );
    let stdout = text(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "CHAIN BROKEN at audit entry 2: audit entry 2 was changed after it was written"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Intact before it: 1 entry, up to 1:"),
        "{stdout}"
    );

    let json = vigil(
        &["audit", "verify", "--database", &database, "--json"],
        directory.path(),
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["break"]["sequence"], 2);
    assert_eq!(report["break"]["what"], "changed");
}
