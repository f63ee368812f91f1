//! `vigil audit verify` and `vigil audit list`: the privacy officer's view of the audit
//! log. `verify` reads the whole log page by page, re-computes the hash chain and names
//! the first entry that was changed, removed or inserted; it prints the latest hash so
//! that it can be kept somewhere the database's administrators cannot reach, and checks
//! the log against a kept hash with `--head`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use vigil_store::{AuditEntry, ChainHead, ChainVerifier, EventStore, Page};

use crate::config::Database;
use crate::database::{StoreTask, with_store};

/// Entries read per round trip.
const PAGE_SIZE: u32 = 5_000;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Re-compute the audit log's hash chain and name the first entry that was changed,
    /// removed or inserted. Prints the latest entry's hash: keep it elsewhere and pass
    /// it back with --head to detect a log rewritten consistently since. Exit status 1
    /// when the chain is broken.
    Verify {
        /// A head kept earlier, as printed by verify: SEQUENCE:HASH.
        #[arg(long, value_name = "SEQUENCE:HASH", value_parser = parse_head)]
        head: Option<ChainHead>,
        #[arg(long)]
        json: bool,
    },
    /// List audit entries in order.
    List {
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many entries.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: u32,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
}

fn parse_head(text: &str) -> Result<ChainHead, String> {
    let (sequence, hash) = text
        .split_once(':')
        .ok_or("expected SEQUENCE:HASH, as `vigil audit verify` prints it")?;
    let sequence = sequence
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("{sequence:?} is not a sequence number"))?;
    let hash = hash.trim().to_ascii_lowercase();
    if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("the hash is 64 hexadecimal digits".to_string());
    }
    Ok(ChainHead { sequence, hash })
}

pub async fn run(database: &Database, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { head, json } => {
            let report = with_store(database, Verify { head })
                .await
                .context("verifying the audit log")?;
            println!("{}", if json { report.json() } else { report.text() });
            Ok(if report.broken.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        AuditCommand::List { after, limit, json } => {
            let entries = with_store(database, List { after, limit }).await?;
            for entry in entries {
                if json {
                    println!("{}", serde_json::to_string(&entry)?);
                } else {
                    println!("{}", line(&entry));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) struct Verify {
    pub(crate) head: Option<ChainHead>,
}

pub(crate) struct Report {
    /// Entries found intact (all of them, when the chain is whole).
    pub(crate) intact: usize,
    pub(crate) head: ChainHead,
    pub(crate) broken: Option<vigil_store::ChainBreak>,
}

impl Report {
    pub(crate) fn text(&self) -> String {
        match &self.broken {
            None if self.intact == 0 => {
                "0 entries, chain intact (the audit log is empty)".to_string()
            }
            None => format!(
                "{}, chain intact\nlatest: {}\nKeep the latest line somewhere the database's administrators cannot change (a ticket, a signed email): `vigil audit verify --head {}` later shows whether the log was rewritten since.",
                entries(self.intact),
                self.head,
                self.head
            ),
            Some(broken) => format!(
                "CHAIN BROKEN at audit entry {}: {broken}.\nIntact before it: {}, up to {}.",
                broken.sequence(),
                entries(self.intact),
                self.head
            ),
        }
    }

    fn json(&self) -> String {
        let value = json!({
            "intact": self.broken.is_none(),
            "entries_intact": self.intact,
            "head": self.head,
            "break": self.broken.as_ref().map(|broken| json!({
                "sequence": broken.sequence(),
                "what": broken.kind(),
                "detail": broken.to_string(),
            })),
        });
        serde_json::to_string_pretty(&value).expect("JSON values serialise")
    }
}

impl StoreTask for Verify {
    type Output = Report;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<Report> {
        let progress = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {pos} audit entries checked ({per_sec})")
                    .expect("a valid template"),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut verifier = ChainVerifier::new();
        let mut after = 0;
        let broken = 'reading: loop {
            let page = store
                .audit_after(Page {
                    after,
                    limit: PAGE_SIZE,
                })
                .await?;
            let Some(last) = page.last() else {
                break 'reading None;
            };
            after = last.sequence;
            progress.inc(page.len() as u64);
            for entry in page {
                if let Err(broken) = verifier.push(entry) {
                    break 'reading Some(broken);
                }
            }
        };
        progress.finish_and_clear();
        let verdict = match broken {
            Some(broken) => Err(broken),
            None => verifier.conclude(self.head.as_ref()),
        };
        let intact = verifier.intact();
        Ok(Report {
            intact: intact.entries,
            head: intact.head,
            broken: verdict.err(),
        })
    }
}

fn entries(count: usize) -> String {
    if count == 1 {
        "1 entry".to_string()
    } else {
        format!("{count} entries")
    }
}

struct List {
    after: i64,
    limit: u32,
}

impl StoreTask for List {
    type Output = Vec<AuditEntry>;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<Vec<AuditEntry>> {
        Ok(store
            .audit_after(Page {
                after: self.after,
                limit: self.limit,
            })
            .await?)
    }
}

/// One entry on one line, for reading in a terminal.
fn line(stored: &AuditEntry) -> String {
    let entry = &stored.entry;
    let mut actor = entry.actor_id.clone();
    if let Some(role) = &entry.actor_role {
        actor.push_str(&format!(" ({role}"));
        if let Some(agency) = &entry.actor_agency {
            actor.push_str(&format!(", {agency}"));
        }
        actor.push(')');
    }
    let mut text = format!(
        "{:>6}  {}  {}  {}  {}  {}{}",
        stored.sequence,
        entry.at,
        actor,
        entry.action,
        entry.path,
        entry.status,
        if entry.allowed { "" } else { " refused" }
    );
    if let Some(purpose) = &entry.purpose {
        text.push_str(&format!("  purpose: {purpose}"));
    }
    text
}
