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
    let (key, feed) = with_store(&database, DemoCredentials).await?;
    eprintln!(
        "Loaded {} records.\n\nOpen http://{listen}/ in a browser and sign in as demo.mash (or demo.manager, demo.practitioner, demo.reviewer, demo.privacy, demo.admin) with the password {DEMO_PASSWORD}\n\nEvery address but /health needs credentials; the demo made a fictional MASH analyst's key\n  export VIGIL_KEY={key}\n  curl -s -H \"Authorization: Bearer $VIGIL_KEY\" http://{listen}/api/v1/children\nan integration key for the fictional council QCS (it may record QCS's events)\n  export VIGIL_QCS_KEY={feed}\nand a local account for scripts: curl -u demo.mash:{DEMO_PASSWORD} http://{listen}/api/v1/alerts\nOr, in another terminal:\n  vigil --config {} review 9992100311\nStop with Ctrl-C; the demo stays in {}.",
        summary.created,
        config.display(),
        directory.display()
    );
    let serve = crate::commands::serve::Serve {
        listen,
        limits,
        database_description: database.describe(),
        rules,
        webhooks: vigil_web::webhook_sender::WebhookSettings::default(),
        access: vigil_web::AccessSettings::default(),
    };
    with_store(&database, serve).await
}

/// The demo's password: printed, because the demo holds fictional data only.
const DEMO_PASSWORD: &str = "fictional-demo-only";

/// User name, display name, role, agency, team.
type DemoAccount = (
    &'static str,
    &'static str,
    vigil_access::Role,
    Option<&'static str>,
    Option<&'static str>,
);

/// The demo's accounts, one per role that signs in to the pages, all with
/// [`DEMO_PASSWORD`]. The practitioner works for QHV, a fictional health visiting
/// service that has recorded nothing about the scenario's child: the person who must
/// use break-glass to open the record.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    (
        "demo.mash",
        "Demo MASH analyst (fictional)",
        vigil_access::Role::MashAnalyst,
        None,
        None,
    ),
    (
        "demo.manager",
        "Demo team manager (fictional)",
        vigil_access::Role::TeamManager,
        Some("NCS"),
        Some("Assessment team"),
    ),
    (
        "demo.practitioner",
        "Demo health visitor (fictional)",
        vigil_access::Role::Practitioner,
        Some("QHV"),
        Some("Health visiting"),
    ),
    (
        "demo.reviewer",
        "Demo practice reviewer (fictional)",
        vigil_access::Role::PracticeReviewer,
        None,
        None,
    ),
    (
        "demo.privacy",
        "Demo privacy officer (fictional)",
        vigil_access::Role::PrivacyOfficer,
        None,
        None,
    ),
    (
        "demo.admin",
        "Demo administrator (fictional)",
        vigil_access::Role::Administrator,
        None,
        None,
    ),
];

/// A MASH analyst's key, QCS's integration key and the [`DEMO_ACCOUNTS`].
struct DemoCredentials;

impl crate::database::StoreTask for DemoCredentials {
    type Output = (String, String);

    async fn run<S: vigil_store::EventStore>(self, store: S) -> anyhow::Result<(String, String)> {
        use vigil_access::Role;
        let (_, key) = vigil_store::accounts::issue_api_key(
            &store,
            "demo MASH analyst",
            Role::MashAnalyst,
            None,
            None,
            "demo",
        )
        .await?;
        let qcs = vigil_domain::AgencyCode::parse("QCS").ok();
        let (_, feed) = vigil_store::accounts::issue_api_key(
            &store,
            "demo QCS feed",
            Role::IntegrationClient,
            qcs,
            None,
            "demo",
        )
        .await?;
        let hash = vigil_access::secret::hash_password(DEMO_PASSWORD)?;
        for (user_name, display_name, role, agency, team) in DEMO_ACCOUNTS {
            store
                .add_account(&vigil_store::Account {
                    user_name: (*user_name).into(),
                    display_name: (*display_name).into(),
                    role: *role,
                    agency: agency.and_then(|a| vigil_domain::AgencyCode::parse(a).ok()),
                    team: team.map(str::to_string),
                    password_hash: hash.clone(),
                    created_at: jiff::Timestamp::now(),
                    created_by: "demo".into(),
                })
                .await?;
        }
        Ok((key, feed))
    }
}
