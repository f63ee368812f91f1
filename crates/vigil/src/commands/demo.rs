//! `vigil demo`: a fresh embedded database loaded with the fictional Case P scenario,
//! then serving, so that a new user sees Vigil's alerts, chronology and household
//! views on a real-shaped case with one command. The scenario goes in through the same
//! import as any agency's file; the data are compiled into the binary so the demo runs
//! from anywhere.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use anyhow::{Context, bail};
use vigil_domain::Limits;
use vigil_rules::RulesConfig;
use vigil_rules::config::AgencyEntry;
use vigil_web::WebLimits;

use crate::config::Database;
use crate::database::with_store;

const EVENTS: &str = include_str!("../../../../fixtures/case-p/events.jsonl");
const AGENCIES: &str = include_str!("../../../../fixtures/case-p/agencies.toml");

pub async fn run(
    listen: SocketAddr,
    limits: WebLimits,
    mut rules: RulesConfig,
) -> anyhow::Result<()> {
    let directory =
        std::env::temp_dir().join(format!("vigil-demo-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&directory)
        .with_context(|| format!("creating {}", directory.display()))?;
    let events = directory.join("case-p.jsonl");
    std::fs::write(&events, EVENTS).with_context(|| format!("writing {}", events.display()))?;
    let agencies: BTreeMap<String, AgencyEntry> =
        toml::from_str(AGENCIES).context("the demo's agency register")?;
    // A configuration beside the database, so that `vigil review` and the other
    // commands read the demo with the same agency register.
    let config = directory.join("vigil.toml");
    let register: Vec<String> = AGENCIES
        .lines()
        .map(|line| match line.strip_prefix('[') {
            Some(rest) => format!("[rules.agencies.{rest}"),
            None => line.to_string(),
        })
        .collect();
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n\n{}\n",
            directory.join("vigil.db").display(),
            register.join("\n")
        ),
    )
    .with_context(|| format!("writing {}", config.display()))?;
    for (code, entry) in agencies {
        rules.agencies.entry(code).or_insert(entry);
    }

    let database = Database::Sqlite {
        path: directory.join("vigil.db"),
        durability: vigil_store_sqlite::Durability::Normal,
    };
    eprintln!(
        "Loading the Case P scenario (fictional) into {} ...",
        database.describe()
    );
    let summary = with_store(
        &database,
        crate::commands::import::Import {
            file: events,
            batch_size: 1000,
            limits: Limits::default(),
            show_progress: false,
        },
    )
    .await?;
    if summary.rejected > 0 {
        bail!(
            "the demo data did not load: {} records rejected",
            summary.rejected
        );
    }
    eprintln!(
        "Loaded {} records. Try /api/v1/children, /api/v1/alerts and /api/v1/rules, or in another terminal:\n  vigil --config {} review 9992100311\nStop with Ctrl-C; the demo stays in {}.",
        summary.created,
        config.display(),
        directory.display()
    );
    let serve = crate::commands::serve::Serve {
        listen,
        limits,
        database_description: database.describe(),
        rules,
    };
    with_store(&database, serve).await
}
