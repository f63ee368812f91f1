//! `vigil bench ingest`: measures ingest on a fresh store of either backend, with
//! realistic events (three people each, one event carrying two injuries):
//!
//! 1. batch import: a JSONL file through `vigil import`'s own code (parse, check,
//!    append in batches of 1,000), in events per second;
//! 2. single-event POSTs from 16 concurrent clients as fast as they go: throughput
//!    and latency;
//! 3. single-event POSTs offered at a fixed rate (500 per second by default):
//!    latency measured from when each request was due, so a server that falls
//!    behind is charged for the queue it builds (no coordinated omission).
//!
//! Server and clients share the machine: the figures are for everything on one host.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;
use vigil_domain::Limits;
use vigil_store::EventStore;
use vigil_web::{AppState, WebLimits, router};

use crate::commands::import::Import;
use crate::database::StoreTask;
use crate::synth::{Sequence, injury_event};

pub struct IngestBench {
    pub batch_events: u64,
    pub http_events: u64,
    pub clients: usize,
    pub rate: u64,
    pub rate_seconds: u64,
    pub work_directory: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct Latency {
    pub requests: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
}

#[derive(Debug, Serialize)]
pub struct IngestReport {
    pub batch_events: u64,
    pub batch_seconds: f64,
    pub batch_events_per_second: f64,
    pub concurrent_posts: Latency,
    pub offered_rate: u64,
    pub posts_at_rate: Latency,
}

impl StoreTask for IngestBench {
    type Output = IngestReport;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<IngestReport> {
        let run = uuid::Uuid::now_v7().simple().to_string();
        let mut sequence = Sequence::new(2026);

        // 1. Batch import through the import command's code.
        let file = self.work_directory.join(format!("bench-{run}.jsonl"));
        {
            use std::io::Write;
            let mut writer = std::io::BufWriter::new(std::fs::File::create(&file)?);
            for index in 0..self.batch_events {
                serde_json::to_writer(
                    &mut writer,
                    &injury_event(&mut sequence, &format!("B{run}"), index),
                )?;
                writer.write_all(b"\n")?;
            }
            writer.flush()?;
        }
        eprintln!("batch import of {} events...", self.batch_events);
        let import = Import {
            file: file.clone(),
            batch_size: 1000,
            limits: Limits::default(),
            show_progress: false,
        };
        let summary = import.run(store.clone()).await?;
        std::fs::remove_file(&file).ok();
        if summary.created != self.batch_events {
            bail!(
                "the benchmark import stored {} of {} events: {summary:?}",
                summary.created,
                self.batch_events
            );
        }

        // The server, in this process, on a free loopback port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        // The ingest benchmark measures recording alone: the casebook is present but
        // does not follow the log here.
        let casework = vigil_pipeline::Casework::load(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            vigil_rules::RulesConfig::default(),
        )
        .await?;
        install_bench_keys(&store).await?;
        let app = router(AppState {
            store: store.clone(),
            limits: WebLimits::default(),
            casework,
            access: Default::default(),
        });
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let url = format!("http://{address}/api/v1/events");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(self.clients)
            .build()?;

        // Bodies are made before timing starts.
        let closed_bodies: Vec<Vec<u8>> = (0..self.http_events)
            .map(|index| {
                serde_json::to_vec(&injury_event(&mut sequence, &format!("C{run}"), index))
            })
            .collect::<Result<_, _>>()?;
        let rate_total = self.rate * self.rate_seconds;
        let open_bodies: Vec<Vec<u8>> = (0..rate_total)
            .map(|index| {
                serde_json::to_vec(&injury_event(&mut sequence, &format!("R{run}"), index))
            })
            .collect::<Result<_, _>>()?;

        eprintln!(
            "{} POSTs from {} concurrent clients...",
            self.http_events, self.clients
        );
        let concurrent_posts = post_all(&client, &url, closed_bodies, self.clients, None).await?;
        eprintln!(
            "POSTs offered at {}/s for {} s...",
            self.rate, self.rate_seconds
        );
        let posts_at_rate =
            post_all(&client, &url, open_bodies, self.clients, Some(self.rate)).await?;
        server.abort();

        Ok(IngestReport {
            batch_events: self.batch_events,
            batch_seconds: summary.seconds,
            batch_events_per_second: self.batch_events as f64 / summary.seconds,
            concurrent_posts,
            offered_rate: self.rate,
            posts_at_rate,
        })
    }
}

/// Sends every body once from `clients` workers. With `rate`, request `i` is due at
/// `start + i / rate` and its latency counts from then.
pub(crate) async fn post_all(
    client: &reqwest::Client,
    url: &str,
    bodies: Vec<Vec<u8>>,
    clients: usize,
    rate: Option<u64>,
) -> anyhow::Result<Latency> {
    let bodies = Arc::new(bodies);
    let count = bodies.len() as u64;
    let (client, url) = (client.clone(), url.to_string());
    at_rate(count, clients, rate, move |index| {
        let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
        async move { post_event(&client, &url, bodies[index as usize].clone()).await }
    })
    .await
}

/// The keys the benchmarks' requests carry: an integration key per agency the synthetic
/// events come from, and a MASH analyst's key (under "*") for reads. Made once per
/// process in the benchmark's fresh store, so every request is authenticated as in
/// production.
static BENCH_KEYS: std::sync::OnceLock<std::collections::HashMap<String, String>> =
    std::sync::OnceLock::new();

const BENCH_AGENCIES: &[&str] = &["QAH", "QGP", "QCS", "QPD", "QHV"];

/// Creates the benchmark's keys in `store` (once per process).
pub(crate) async fn install_bench_keys<S: EventStore>(store: &S) -> anyhow::Result<()> {
    if BENCH_KEYS.get().is_some() {
        return Ok(());
    }
    let mut keys = std::collections::HashMap::new();
    for agency in BENCH_AGENCIES {
        let code = vigil_domain::AgencyCode::parse(agency).expect("a valid code");
        let (_, key) = vigil_store::accounts::issue_api_key(
            store,
            &format!("bench {agency}"),
            vigil_access::Role::IntegrationClient,
            Some(code),
            None,
            "bench",
        )
        .await?;
        keys.insert(agency.to_string(), format!("Bearer {key}"));
    }
    let (_, key) = vigil_store::accounts::issue_api_key(
        store,
        "bench reader",
        vigil_access::Role::MashAnalyst,
        None,
        None,
        "bench",
    )
    .await?;
    keys.insert("*".to_string(), format!("Bearer {key}"));
    let _ = BENCH_KEYS.set(keys);
    Ok(())
}

/// The `Authorization` value for a request: the event's agency's key, or the reader's.
pub(crate) fn bench_authorization(body: Option<&[u8]>) -> String {
    let keys = BENCH_KEYS.get().expect("install_bench_keys ran first");
    let agency = body.and_then(|body| {
        let text = std::str::from_utf8(body).ok()?;
        let start = text.find("\"agency\":\"")? + "\"agency\":\"".len();
        let end = text[start..].find('"')?;
        Some(&text[start..start + end])
    });
    agency
        .and_then(|a| keys.get(a))
        .or_else(|| keys.get("*"))
        .cloned()
        .unwrap_or_default()
}

/// POSTs one event; `Ok` with the response's body when it was stored (201), or a
/// sentence saying what went wrong.
pub(crate) async fn post_event(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let response = client
        .post(url)
        .header("authorization", bench_authorization(Some(&body)))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|error| format!("request failed: {error}"))?;
    let status = response.status();
    if status.as_u16() == 201 {
        return response
            .bytes()
            .await
            .map(|bytes| bytes.to_vec())
            .map_err(|error| format!("reading the response failed: {error}"));
    }
    let text = response.text().await.unwrap_or_default();
    Err(format!("unexpected {status}: {text}"))
}

/// Runs `job(0)` .. `job(count - 1)` once each from `clients` workers. With `rate`, job
/// `i` is due at `start + i / rate` and its latency counts from then, so a system that
/// falls behind is charged for the queue it builds (no coordinated omission); without,
/// each starts as soon as a worker is free. A job that returns `Err` counts as an error
/// (the first three are printed) and its latency is kept.
pub(crate) async fn at_rate<F, Fut, T>(
    count: u64,
    clients: usize,
    rate: Option<u64>,
    job: F,
) -> anyhow::Result<Latency>
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<T, String>> + Send,
    T: Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (job, next, errors) = (job.clone(), next.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                let due = match rate {
                    Some(rate) => start + Duration::from_secs_f64(index as f64 / rate as f64),
                    None => Instant::now(),
                };
                tokio::time::sleep_until(due.into()).await;
                if let Err(error) = job(index).await
                    && errors.fetch_add(1, Ordering::Relaxed) < 3
                {
                    eprintln!("{error}");
                }
                latencies.push(due.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.context("a benchmark client failed")?);
    }
    Ok(Latency::of(
        latencies,
        start.elapsed().as_secs_f64(),
        errors.load(Ordering::Relaxed),
    ))
}

impl Latency {
    /// The summary of a run's latencies.
    pub(crate) fn of(mut latencies: Vec<Duration>, seconds: f64, errors: u64) -> Latency {
        latencies.sort();
        let percentile = |p: f64| {
            let index = ((latencies.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(latencies.len().saturating_sub(1));
            latencies
                .get(index)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        Latency {
            requests: latencies.len() as u64,
            seconds,
            per_second: latencies.len() as f64 / seconds,
            p50_ms: percentile(0.50),
            p99_ms: percentile(0.99),
            max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            errors,
        }
    }
}

pub fn print_report(backend: &str, report: &IngestReport) {
    println!("ingest benchmark on {backend}");
    println!(
        "  batch import        {:>8} events in {:>6.2} s = {:>8.0} events/s",
        report.batch_events, report.batch_seconds, report.batch_events_per_second
    );
    for (name, latency) in [
        ("concurrent POSTs", &report.concurrent_posts),
        (
            &*format!("POSTs at {}/s", report.offered_rate),
            &report.posts_at_rate,
        ),
    ] {
        println!(
            "  {name:<19} {:>8} requests in {:>6.2} s = {:>8.0}/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} errors",
            latency.requests,
            latency.seconds,
            latency.per_second,
            latency.p50_ms,
            latency.p99_ms,
            latency.max_ms,
            latency.errors
        );
    }
    println!(
        "{}",
        serde_json::to_string(&serde_json::json!({ "backend": backend, "report": report }))
            .unwrap_or_default()
    );
}

/// Makes a PostgreSQL schema for one benchmark run and removes it afterwards.
pub async fn with_postgres_schema<T>(
    url: &str,
    run: impl AsyncFnOnce(String) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let schema = format!("vigil_bench_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(url)
        .await
        .with_context(|| "connecting to PostgreSQL for the benchmark".to_string())?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await?;
    let result = run(schema.clone()).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await?;
    admin.close().await;
    result
}
