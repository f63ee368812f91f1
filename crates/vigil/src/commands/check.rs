//! `vigil check`: is this store whole? After a restore, a disk fault or a suspicion of
//! tampering, one command answers with three checks, each re-computed from what is
//! stored rather than trusted: the event log's own consistency (`event_log`), the
//! audit log's hash chain (as `vigil audit verify`), and the derivations (as
//! `vigil derivations verify`: a replay of the log reaches again every conclusion
//! stored). The exit status is 1 when any check fails, and the report says which and
//! where.

use serde::Serialize;
use vigil_rules::RulesConfig;
use vigil_store::EventStore;

use crate::commands::{audit, derivations, event_log};
use crate::database::StoreTask;

pub struct Check {
    pub rules: RulesConfig,
}

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub passed: bool,
    pub checks: Vec<CheckResult>,
}

#[derive(Debug, Serialize)]
pub struct CheckResult {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

impl CheckReport {
    pub fn text(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            out.push_str(&format!(
                "{} {}\n",
                if check.passed { "ok    " } else { "FAILED" },
                check.name
            ));
            for line in check.detail.lines() {
                out.push_str(&format!("       {line}\n"));
            }
        }
        out.push_str(if self.passed {
            "The store is whole: every check passed.\n"
        } else {
            "The store FAILED its check: see above. Restore the latest good backup into a new database (`vigil restore`) and check it, or ask whoever administers the database what changed.\n"
        });
        out
    }
}

impl StoreTask for Check {
    type Output = CheckReport;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<CheckReport> {
        let checks = vec![
            outcome("event log", event_log_check(&store).await),
            outcome("audit chain", audit_check(&store).await),
            outcome(
                "derivations (derived state rebuilt from the events equals what is stored)",
                derivations_check(&store, self.rules).await,
            ),
        ];
        Ok(CheckReport {
            passed: checks.iter().all(|c| c.passed),
            checks,
        })
    }
}

/// A check's verdict, or its failure to finish (a row that cannot be read, the database
/// gone): a check that cannot finish has not passed.
fn outcome(name: &'static str, result: anyhow::Result<(bool, String)>) -> CheckResult {
    match result {
        Ok((passed, detail)) => CheckResult {
            name,
            passed,
            detail,
        },
        Err(error) => CheckResult {
            name,
            passed: false,
            detail: format!("could not be completed: {error:#}"),
        },
    }
}

async fn event_log_check<S: EventStore>(store: &S) -> anyhow::Result<(bool, String)> {
    let log = event_log::check(store).await?;
    let mut detail = format!(
        "{} events, {} identity records",
        log.events, log.identity_records
    );
    for problem in &log.problems {
        detail.push_str(&format!("\n{problem}"));
    }
    if log.problem_count > log.problems.len() {
        detail.push_str(&format!(
            "\n... and {} more",
            log.problem_count - log.problems.len()
        ));
    }
    Ok((log.problem_count == 0, detail))
}

async fn audit_check<S: EventStore>(store: &S) -> anyhow::Result<(bool, String)> {
    let chain = audit::Verify { head: None }.run(store.clone()).await?;
    let detail = chain.text().lines().take(2).collect::<Vec<_>>().join("\n");
    Ok((chain.broken.is_none(), detail))
}

async fn derivations_check<S: EventStore>(
    store: &S,
    rules: RulesConfig,
) -> anyhow::Result<(bool, String)> {
    let replay = derivations::Verify { rules, json: false }
        .run(store.clone())
        .await?;
    Ok((replay.all_reached, replay.text.trim_end().to_string()))
}
