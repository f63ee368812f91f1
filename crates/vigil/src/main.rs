//! The `vigil` binary: reads the configuration, sets up logging, and runs one
//! subcommand. The work itself lives in the library crates; this file only wires.

mod commands;
mod config;
mod database;
mod synth;
mod telemetry;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use vigil_domain::Limits;

use crate::config::{
    ConfigFile, DEFAULT_DATABASE, DEFAULT_LISTEN, Database, parse_listen, web_limits,
};
use crate::database::with_store;

/// Vigil joins what social care, health, police, legal services, housing and schools
/// record about a child into one picture, so that no warning sign is missed because
/// each agency held only a piece of it.
#[derive(Parser)]
#[command(name = "vigil", version)]
struct Cli {
    /// A TOML configuration file (default: vigil.toml in this directory, if present).
    #[arg(long, global = true, env = "VIGIL_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// The database: sqlite://FILE (the default, sqlite://vigil.db) or postgres://...
    #[arg(long, global = true, env = "VIGIL_DATABASE_URL", value_name = "URL")]
    database: Option<String>,

    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    json_logs: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API until stopped (Ctrl-C or SIGTERM).
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "VIGIL_LISTEN", value_name = "ADDRESS:PORT")]
        listen: Option<String>,
    },
    /// Bring the database's schema up to date, then stop.
    Migrate,
    /// Import events from a JSON Lines file: one event per line, checked as the API
    /// checks them. Rejected lines go beside it (visits.jsonl -> visits.rejected.jsonl)
    /// with their line numbers and reasons. Exit status 2 when any line was rejected.
    /// Safe to run beside `vigil serve` on the same database, and to run again.
    ///
    /// With --fhir FILE: a FHIR R4 Bundle (collection or transaction), stored whole or
    /// not at all; errors are listed by element (Bundle.entry[3].resource.subject).
    ///
    /// With --csv FILE --mapping MAP.toml: an agency's CSV export, read by the mapping
    /// for that export (docs/IMPORT.md). Rejected rows go beside it
    /// (police.csv -> police.rejected.csv) with their line numbers and reasons.
    Import {
        /// The .jsonl file.
        #[arg(required_unless_present_any = ["fhir", "csv"], conflicts_with_all = ["fhir", "csv"])]
        file: Option<PathBuf>,
        /// A FHIR R4 Bundle in JSON, instead of a .jsonl file.
        #[arg(long, value_name = "FILE", conflicts_with = "csv")]
        fhir: Option<PathBuf>,
        /// A CSV export, instead of a .jsonl file; needs --mapping.
        #[arg(long, value_name = "FILE", requires = "mapping")]
        csv: Option<PathBuf>,
        /// With --csv: the TOML mapping of that export's columns to Vigil's fields.
        #[arg(long, value_name = "MAP.toml", requires = "csv")]
        mapping: Option<PathBuf>,
        /// With --fhir: the agency of records whose Organization carries no Vigil agency
        /// identifier.
        #[arg(long, requires = "fhir", value_name = "CODE")]
        agency: Option<String>,
        /// Events stored per transaction.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=10_000))]
        batch_size: u16,
    },
    /// Start a demonstration: a fresh embedded database in a temporary folder, loaded
    /// with the fictional Case P scenario (72 agency records, 2021-2022), then serving.
    Demo {
        /// Address and port to listen on.
        #[arg(long, env = "VIGIL_LISTEN", value_name = "ADDRESS:PORT")]
        listen: Option<String>,
    },
    /// The missed-opportunity report for a child: every alert Vigil would have raised
    /// when the record is replayed as it was recorded, and whether action followed
    /// within the deadline (Markdown, or JSON with --json).
    Review {
        /// The child: a person id, an NHS number, or part of a name.
        child: String,
        /// The record as known at this moment (a date means the end of that day).
        #[arg(long, value_name = "WHEN")]
        as_at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A child's merged chronology across agencies, as known at a moment.
    Chronology {
        /// The child: a person id, an NHS number, or part of a name.
        child: String,
        #[arg(long, value_name = "WHEN")]
        as_at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every alert, as known at a moment.
    Alerts {
        #[arg(long, value_name = "WHEN")]
        as_at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What Vigil concluded from the events (linkage decisions, places, alerts,
    /// questions, agencies told), as written down at the time.
    Derivations {
        #[command(subcommand)]
        what: DerivationsCommand,
    },
    /// The audit log: who read or wrote what, when and why. `verify` checks its chain.
    Audit {
        #[command(subcommand)]
        what: commands::audit::AuditCommand,
    },
    /// Identity resolution on CSV files: which records are the same person.
    Link {
        #[command(subcommand)]
        what: commands::link::LinkCommand,
    },
    /// Write synthetic (fictional) data for trying and measuring Vigil.
    Synth {
        #[command(subcommand)]
        what: commands::link::SynthCommand,
    },
    /// Local accounts (`vigil user add NAME --role R`).
    User {
        #[command(subcommand)]
        what: commands::accounts::UserCommand,
    },
    /// API keys (`vigil key create --role R --agency A`, `revoke ID`, `list`).
    Key {
        #[command(subcommand)]
        what: commands::accounts::KeyCommand,
    },
    /// Write a consistent backup of the store to FILE (a new file), while Vigil may go
    /// on serving: a SQLite file for the embedded store, Vigil's portable JSON Lines for
    /// PostgreSQL (docs/OPERATIONS.md).
    Backup { file: PathBuf },
    /// Restore a backup made by `vigil backup` into the database named by --database,
    /// which must be new (SQLite: the file must not exist; PostgreSQL: no rows in any of
    /// Vigil's tables). Run `vigil check` afterwards.
    Restore { file: PathBuf },
    /// Check the store's integrity: the event log's consistency, the audit log's hash
    /// chain, and that a replay of the log reaches again every stored derivation.
    /// Exit status 1 when any check fails.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Measure Vigil's speed.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
}

#[derive(Subcommand)]
enum DerivationsCommand {
    /// Replays the whole log now and checks that every stored conclusion is reached
    /// again; lists those that are not (after a rules upgrade, say). Exit status 1 when
    /// any is not.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The child page: one fictional child with --events records on a fresh store, the
    /// page requested --requests times by a signed-in MASH analyst; p50, p95 and max.
    Page {
        #[arg(long, default_value_t = 5_000)]
        events: u64,
        #[arg(long, default_value_t = 200)]
        requests: u64,
        /// For the embedded store: `full` (every commit flushed to disk) or `normal`.
        #[arg(long, default_value = "normal", value_parser = ["full", "normal"])]
        sqlite_durability: String,
    },
    /// Import speed: --records synthetic records as a CSV export (read with the shipped
    /// social-care mapping) or a FHIR R4 bundle (A&E encounters and injury conditions);
    /// records per second read and mapped into checked events, then end to end through
    /// `vigil import` into a fresh store (as for `ingest`).
    #[command(group = clap::ArgGroup::new("format").required(true).args(["csv", "fhir"]))]
    Import {
        #[arg(long)]
        csv: bool,
        #[arg(long)]
        fhir: bool,
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
        records: u64,
        /// For the embedded store: `full` (every commit flushed to disk) or `normal`.
        #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
        sqlite_durability: String,
    },
    /// Ingest: batch import, concurrent POSTs, and POSTs at a fixed offered rate, on a
    /// fresh store (a temporary SQLite file unless --database names PostgreSQL, where a
    /// temporary schema is used and dropped).
    Ingest {
        #[arg(long, default_value_t = 20_000)]
        batch_events: u64,
        #[arg(long, default_value_t = 5_000)]
        http_events: u64,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Offered load for the fixed-rate phase, in events per second.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
        rate: u64,
        #[arg(long, default_value_t = 20)]
        rate_seconds: u64,
        /// For the embedded store: `full` (every commit flushed to disk) or `normal`.
        #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
        sqlite_durability: String,
    },
    /// Noise: generate a synthetic population (as `vigil synth population`), feed every
    /// event through the rules in memory in the order recorded, and report alerts per 100
    /// children per month by level and the share of seeded children flagged on time
    /// (docs/RULES.md, "Noise"). Uses the default rule parameters.
    Noise {
        #[command(flatten)]
        size: commands::link::PopulationArgs,
        /// The report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Latency: from an event POSTed to its alert visible through the API, while
    /// routine events arrive at a fixed offered rate; the application is wired exactly
    /// as `vigil serve` wires it, on a fresh store (as for `ingest`).
    Latency {
        /// How long the load runs, in seconds.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
        seconds: u64,
        /// Background load: routine events offered per second.
        #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
        rate: u64,
        /// Probe events (each must raise an alert) offered per second.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        probe_rate: u64,
        /// Concurrent clients sending the background load.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// For the embedded store: `full` (every commit flushed to disk) or `normal`.
        #[arg(long, default_value = "full", value_parser = ["full", "normal"])]
        sqlite_durability: String,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = ConfigFile::load(cli.config.as_deref())?;
    let json_logs = cli.json_logs || file.log.format.as_deref() == Some("json");
    telemetry::init(json_logs);
    let database_url = cli
        .database
        .clone()
        .or_else(|| file.database.url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE.to_string());
    match cli.command {
        Command::Serve { listen } => {
            let listen = listen
                .or_else(|| file.server.listen.clone())
                .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
            let database = Database::from_url(&database_url, &file.database)?;
            let serve = commands::serve::Serve {
                listen: parse_listen(&listen)?,
                limits: web_limits(&file.limits),
                database_description: database.describe(),
                rules: file.rules.clone(),
                webhooks: config::webhook_settings(&file.webhooks)?,
                access: config::access_settings(&file.access, &file.oidc)?,
            };
            with_store(&database, serve).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let database = Database::from_url(&database_url, &file.database)?;
            let events = with_store(&database, commands::migrate::Migrate).await?;
            println!(
                "{} is up to date; it holds {events} events",
                database.describe()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            fhir: Some(bundle),
            agency,
            ..
        } => {
            let database = Database::from_url(&database_url, &file.database)?;
            let agency = agency
                .map(|code| vigil_domain::AgencyCode::parse(&code))
                .transpose()
                .map_err(|error| anyhow::anyhow!("--agency: {error}"))?;
            let import = commands::import_fhir::FhirImport {
                file: bundle.clone(),
                agency,
            };
            let summary = with_store(&database, import).await?;
            for warning in &summary.warnings {
                eprintln!(
                    "warning at {}: {}",
                    warning.expression.join(", "),
                    warning.diagnostics
                );
            }
            println!(
                "{}: {} events stored, {} already stored, {} warnings",
                bundle.display(),
                summary.created,
                summary.already_stored,
                summary.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            csv: Some(input),
            mapping: Some(mapping),
            batch_size,
            ..
        } => {
            let import = commands::import_csv::CsvImport {
                file: input.clone(),
                mapping: commands::import_csv::load_mapping(&mapping)?,
                batch_size: usize::from(batch_size),
                limits: Limits::default(),
                show_progress: std::io::stderr().is_terminal(),
            };
            import.check_header()?;
            let database = Database::from_url(&database_url, &file.database)?;
            let summary = with_store(&database, import).await?;
            Ok(print_import_summary(&input, "rows", &summary))
        }
        Command::Import {
            file: input,
            batch_size,
            ..
        } => {
            let input = input.expect("clap requires a file without --fhir");
            let database = Database::from_url(&database_url, &file.database)?;
            let import = commands::import::Import {
                file: input.clone(),
                batch_size: usize::from(batch_size),
                limits: Limits::default(),
                show_progress: std::io::stderr().is_terminal(),
            };
            let summary = with_store(&database, import).await?;
            Ok(print_import_summary(&input, "events", &summary))
        }
        Command::Demo { listen } => {
            let listen = listen
                .or_else(|| file.server.listen.clone())
                .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
            commands::demo::run(
                parse_listen(&listen)?,
                web_limits(&file.limits),
                file.rules.clone(),
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { child, as_at, json } => {
            casework(
                &database_url,
                &file,
                commands::casework::View::Review,
                Some(child),
                as_at,
                json,
            )
            .await
        }
        Command::Chronology { child, as_at, json } => {
            casework(
                &database_url,
                &file,
                commands::casework::View::Chronology,
                Some(child),
                as_at,
                json,
            )
            .await
        }
        Command::Alerts { as_at, json } => {
            casework(
                &database_url,
                &file,
                commands::casework::View::Alerts,
                None,
                as_at,
                json,
            )
            .await
        }
        Command::Derivations {
            what: DerivationsCommand::Verify { json },
        } => {
            let database = Database::from_url(&database_url, &file.database)?;
            let task = commands::derivations::Verify {
                rules: file.rules.clone(),
                json,
            };
            let outcome = with_store(&database, task).await?;
            println!("{}", outcome.text);
            Ok(if outcome.all_reached {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Backup { file: output } => {
            let database = Database::from_url(&database_url, &file.database)?;
            let summary = commands::backup::backup(&database, &output).await?;
            println!(
                "backed up {} to {}: {}",
                database.describe(),
                output.display(),
                commands::backup::describe(&summary)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file: input } => {
            let database = Database::from_url(&database_url, &file.database)?;
            let (summary, events) = commands::backup::restore(&database, &input).await?;
            println!(
                "restored {} into {}: {}; the store now holds {events} events. Run `vigil check` on it.",
                input.display(),
                database.describe(),
                commands::backup::describe(&summary)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { json } => {
            let database = Database::from_url(&database_url, &file.database)?;
            let task = commands::check::Check {
                rules: file.rules.clone(),
            };
            let report = with_store(&database, task).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.text());
            }
            Ok(if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Audit { what } => {
            let database = Database::from_url(&database_url, &file.database)?;
            commands::audit::run(&database, what).await
        }
        Command::User { what } => {
            let database = Database::from_url(&database_url, &file.database)?;
            commands::accounts::run_user(what, &database)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Key { what } => {
            let database = Database::from_url(&database_url, &file.database)?;
            commands::accounts::run_key(what, &database)
                .await
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Link { what } => commands::link::run_link(what),
        Command::Synth { what } => commands::link::run_synth(what),
        Command::Bench {
            what:
                BenchCommand::Page {
                    events,
                    requests,
                    sqlite_durability,
                },
        } => {
            let work = tempfile_directory()?;
            let bench = commands::bench_page::PageBench {
                events,
                requests,
                work_directory: work.clone(),
            };
            let explicit = cli.database.clone().or_else(|| file.database.url.clone());
            let result =
                on_fresh_store(explicit.as_deref(), &sqlite_durability, &work, bench).await;
            std::fs::remove_dir_all(&work).ok();
            let (backend, report) = result?;
            commands::bench_page::print_report(backend, &report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what:
                BenchCommand::Import {
                    csv,
                    records,
                    sqlite_durability,
                    ..
                },
        } => {
            let work = tempfile_directory()?;
            let bench = commands::bench_import::ImportBench {
                format: if csv {
                    commands::bench_import::Format::Csv
                } else {
                    commands::bench_import::Format::Fhir
                },
                records: usize::try_from(records)?,
                work_directory: work.clone(),
            };
            let explicit = cli.database.clone().or_else(|| file.database.url.clone());
            let result =
                on_fresh_store(explicit.as_deref(), &sqlite_durability, &work, bench).await;
            std::fs::remove_dir_all(&work).ok();
            let (backend, report) = result?;
            commands::bench_import::print_report(backend, &report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what: BenchCommand::Noise { size, json },
        } => commands::population::bench_noise(size.options(), json),
        Command::Bench {
            what:
                BenchCommand::Ingest {
                    batch_events,
                    http_events,
                    clients,
                    rate,
                    rate_seconds,
                    sqlite_durability,
                },
        } => {
            let work = tempfile_directory()?;
            let bench = commands::bench::IngestBench {
                batch_events,
                http_events,
                clients,
                rate,
                rate_seconds,
                work_directory: work.clone(),
            };
            let explicit = cli.database.clone().or_else(|| file.database.url.clone());
            let (backend, report) =
                on_fresh_store(explicit.as_deref(), &sqlite_durability, &work, bench).await?;
            std::fs::remove_dir_all(&work).ok();
            commands::bench::print_report(backend, &report);
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            what:
                BenchCommand::Latency {
                    seconds,
                    rate,
                    probe_rate,
                    clients,
                    sqlite_durability,
                    json,
                },
        } => {
            let work = tempfile_directory()?;
            let bench = commands::bench_latency::LatencyBench {
                seconds,
                rate,
                probe_rate,
                clients,
            };
            let explicit = cli.database.clone().or_else(|| file.database.url.clone());
            let result =
                on_fresh_store(explicit.as_deref(), &sqlite_durability, &work, bench).await;
            std::fs::remove_dir_all(&work).ok();
            let (backend, report) = result?;
            commands::bench_latency::print_report(backend, &report, json);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs a benchmark on a fresh store: a temporary PostgreSQL schema (dropped afterwards)
/// when `database_url` names PostgreSQL, otherwise a new SQLite file in `work` with the
/// durability given. Returns the backend's description with the benchmark's output.
async fn on_fresh_store<T: database::StoreTask>(
    database_url: Option<&str>,
    sqlite_durability: &str,
    work: &std::path::Path,
    bench: T,
) -> anyhow::Result<(&'static str, T::Output)> {
    match database_url {
        Some(url) if url.starts_with("postgres") => {
            let url = url.to_string();
            let output = commands::bench::with_postgres_schema(&url, async |schema| {
                let store =
                    vigil_store_postgres::PostgresStore::connect(&url, Some(&schema), 16).await?;
                database::StoreTask::run(bench, store).await
            })
            .await?;
            Ok(("PostgreSQL", output))
        }
        _ => {
            let (durability, backend) = match sqlite_durability {
                "normal" => (
                    vigil_store_sqlite::Durability::Normal,
                    "SQLite (synchronous=NORMAL)",
                ),
                _ => (
                    vigil_store_sqlite::Durability::Full,
                    "SQLite (synchronous=FULL)",
                ),
            };
            let database = Database::Sqlite {
                path: work.join("bench.db"),
                durability,
            };
            Ok((backend, with_store(&database, bench).await?))
        }
    }
}

/// The summary of a file import; exit status 2 when anything was rejected.
fn print_import_summary(
    input: &std::path::Path,
    what: &str,
    summary: &commands::import::ImportSummary,
) -> ExitCode {
    println!(
        "{}: {} {what} read; {} stored, {} already stored, {} rejected, in {:.1} s",
        input.display(),
        summary.lines,
        summary.created,
        summary.already_stored,
        summary.rejected,
        summary.seconds
    );
    match &summary.rejected_file {
        Some(path) => {
            println!(
                "the rejected {what}, with their line numbers and reasons, are in {}",
                path.display()
            );
            ExitCode::from(2)
        }
        None => ExitCode::SUCCESS,
    }
}

async fn casework(
    database_url: &str,
    file: &ConfigFile,
    view: commands::casework::View,
    child: Option<String>,
    as_at: Option<String>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let database = Database::from_url(database_url, &file.database)?;
    let task = commands::casework::Casework {
        view,
        child,
        as_at: as_at
            .as_deref()
            .map(commands::casework::parse_as_at)
            .transpose()?,
        json,
        rules: file.rules.clone(),
    };
    let output = with_store(&database, task).await?;
    println!("{output}");
    Ok(ExitCode::SUCCESS)
}

/// A fresh directory for a benchmark's files, removed when it ends.
fn tempfile_directory() -> anyhow::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("vigil-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
    Ok(path)
}
