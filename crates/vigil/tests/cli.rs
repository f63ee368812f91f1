//! The command line as an operator uses it: import with line-numbered rejections,
//! idempotent re-import, migrate, and clear errors for bad configuration.

mod common;

use std::process::Command;

use serde_json::{Value, json};

fn vigil(arguments: &[&str], directory: &std::path::Path) -> std::process::Output {
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

#[test]
fn import_reports_bad_lines_by_number_and_is_idempotent() {
    let directory = tempfile::tempdir().unwrap();
    let mut bad_nhs = common::visit(1);
    bad_nhs["people"][0]["nhs_number"] = json!("999 210 0312");
    let mut conflicting = common::visit(0);
    conflicting["summary"] = json!("a different record under the same source id");
    let lines = [
        serde_json::to_string(&common::visit(0)).unwrap(),
        serde_json::to_string(&bad_nhs).unwrap(),
        String::new(),
        "{ not json".to_string(),
        serde_json::to_string(&common::visit(2)).unwrap(),
        serde_json::to_string(&conflicting).unwrap(),
        serde_json::to_string(&common::visit(3)).unwrap(),
    ];
    std::fs::write(
        directory.path().join("visits.jsonl"),
        lines.join("\n") + "\n",
    )
    .unwrap();

    let first = vigil(&["import", "visits.jsonl"], directory.path());
    assert_eq!(
        first.status.code(),
        Some(2),
        "rejections make the exit status 2: {}",
        text(&first.stderr)
    );
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains("6 events read; 3 stored, 0 already stored, 3 rejected"),
        "{stdout}"
    );
    let stderr = text(&first.stderr);
    assert!(
        stderr.contains("line 2: /people/0/nhs_number: the check digit is wrong"),
        "{stderr}"
    );
    assert!(stderr.contains("line 4: malformed JSON"), "{stderr}");
    assert!(stderr.contains("line 6: /source_id"), "{stderr}");

    let rejected = std::fs::read_to_string(directory.path().join("visits.rejected.jsonl")).unwrap();
    let rejected: Vec<Value> = rejected
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        rejected
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [2, 4, 6]
    );
    assert_eq!(rejected[0]["errors"][0]["field"], "/people/0/nhs_number");
    assert_eq!(rejected[1]["record"], "{ not json");

    let again = vigil(&["import", "visits.jsonl"], directory.path());
    assert!(
        text(&again.stdout).contains("0 stored, 3 already stored, 3 rejected"),
        "{}",
        text(&again.stdout)
    );

    let migrate = vigil(&["migrate"], directory.path());
    assert!(migrate.status.success());
    assert!(
        text(&migrate.stdout).contains("holds 3 events"),
        "{}",
        text(&migrate.stdout)
    );
}

#[test]
fn mistakes_in_how_vigil_is_started_are_explained() {
    let directory = tempfile::tempdir().unwrap();
    let missing = vigil(&["import", "nowhere.jsonl"], directory.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("cannot open nowhere.jsonl"),
        "{}",
        text(&missing.stderr)
    );

    let bad_url = vigil(&["--database", "mysql://x/y", "migrate"], directory.path());
    assert!(
        text(&bad_url.stderr).contains("must start with sqlite:// or postgres://"),
        "{}",
        text(&bad_url.stderr)
    );

    std::fs::write(directory.path().join("vigil.toml"), "[server]\nport = 80\n").unwrap();
    let bad_config = vigil(&["migrate"], directory.path());
    assert!(
        text(&bad_config.stderr).contains("unknown field `port`"),
        "{}",
        text(&bad_config.stderr)
    );

    std::fs::write(
        directory.path().join("vigil.toml"),
        "[server]\nlisten = \"localhost\"\n",
    )
    .unwrap();
    let bad_listen = vigil(&["serve"], directory.path());
    assert!(
        text(&bad_listen.stderr).contains("--listen takes ADDRESS:PORT"),
        "{}",
        text(&bad_listen.stderr)
    );
}

/// `vigil user add` and `vigil key create|list|revoke`, with the mistakes a person makes:
/// a role that needs an agency without one, a role that does not exist, a short
/// password, a user name taken twice, an unknown key.
#[test]
fn accounts_and_keys_are_made_listed_and_revoked_from_the_command_line() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path();
    let refused = vigil(&["key", "create", "--role", "practitioner"], path);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--agency"),
        "{}",
        text(&refused.stderr)
    );
    let refused = vigil(&["key", "create", "--role", "superuser"], path);
    assert!(
        text(&refused.stderr).contains("mash_analyst"),
        "{}",
        text(&refused.stderr)
    );

    let made = vigil(
        &[
            "key",
            "create",
            "--role",
            "integration_client",
            "--agency",
            "QCS",
            "--name",
            "QCS feed",
            "--expires-in-days",
            "30",
        ],
        path,
    );
    assert!(made.status.success(), "{made:?}");
    let key = text(&made.stdout).lines().next().unwrap().to_string();
    assert!(key.starts_with("vigil_"), "{key}");
    let id = key.split('_').nth(1).unwrap().to_string();
    let listed = text(&vigil(&["key", "list"], path).stdout);
    assert!(
        listed.contains(&id) && listed.contains("active") && !listed.contains(&key),
        "{listed}"
    );
    assert!(vigil(&["key", "revoke", &id], path).status.success());
    assert!(text(&vigil(&["key", "list"], path).stdout).contains("revoked"));
    let unknown = vigil(&["key", "revoke", "ffffffffffffffff"], path);
    assert!(
        text(&unknown.stderr).contains("vigil key list"),
        "{unknown:?}"
    );

    let add_user = |password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args([
                "user",
                "add",
                "ana.quill",
                "--role",
                "practitioner",
                "--agency",
                "QAH",
                "--team",
                "HV north",
                "--password-stdin",
            ])
            .current_dir(path)
            .env_remove("VIGIL_DATABASE_URL")
            .env_remove("VIGIL_CONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add_user("short");
    assert!(text(&short.stderr).contains("at least 12"), "{short:?}");
    assert!(add_user("a long fictional passphrase").status.success());
    let again = add_user("a long fictional passphrase");
    assert!(
        text(&again.stderr).contains("already an account"),
        "{again:?}"
    );

    // A person's own key takes the account's role and agency.
    let owned = vigil(&["key", "create", "--owner", "ana.quill"], path);
    assert!(owned.status.success(), "{owned:?}");
    assert!(text(&owned.stdout).contains("of ana.quill (practitioner)"));
    let both = vigil(
        &[
            "key",
            "create",
            "--owner",
            "ana.quill",
            "--role",
            "mash_analyst",
        ],
        path,
    );
    assert!(!both.status.success(), "a key cannot outrank its owner");
    let nobody = vigil(&["key", "create", "--owner", "nobody"], path);
    assert!(text(&nobody.stderr).contains("no account"), "{nobody:?}");
    assert!(text(&vigil(&["key", "list"], path).stdout).contains("\tana.quill\t"));

    // Disabling and enabling are rows of their own, each with a reason.
    let no_reason = vigil(&["user", "disable", "ana.quill", "--reason", " "], path);
    assert!(
        text(&no_reason.stderr).contains("--reason is required"),
        "{no_reason:?}"
    );
    let listed = text(&vigil(&["user", "list"], path).stdout);
    assert!(
        listed.contains("ana.quill\tpractitioner\tQAH\tHV north\tactive"),
        "{listed}"
    );
    let disabled = vigil(
        &[
            "user",
            "disable",
            "ana.quill",
            "--reason",
            "Left the trust on 3 May",
        ],
        path,
    );
    assert!(disabled.status.success(), "{disabled:?}");
    let listed = text(&vigil(&["user", "list"], path).stdout);
    assert!(
        listed.contains("\tdisabled\t") && listed.contains("Left the trust on 3 May"),
        "{listed}"
    );
    let twice = vigil(
        &[
            "user",
            "disable",
            "ana.quill",
            "--reason",
            "Left the trust on 3 May",
        ],
        path,
    );
    assert!(
        text(&twice.stderr).contains("disabled already"),
        "{twice:?}"
    );
    let unknown = vigil(&["user", "enable", "nobody", "--reason", "Came back"], path);
    assert!(
        text(&unknown.stderr).contains("vigil user list"),
        "{unknown:?}"
    );
    assert!(
        vigil(
            &[
                "user",
                "enable",
                "ana.quill",
                "--reason",
                "Returned in June"
            ],
            path
        )
        .status
        .success()
    );
    assert!(text(&vigil(&["user", "list"], path).stdout).contains("\tactive\t"));
}
