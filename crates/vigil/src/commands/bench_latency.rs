//! `vigil bench latency`: how long from an event arriving to its alert being visible,
//! while the hub is busy. On a fresh store, the application is started exactly as
//! `vigil serve` starts it ([`Application::start`]: the casebook, its follower, the
//! router) and served on a loopback port in this process. Two streams of
//! `POST /api/v1/events` run together, each offered at a fixed rate:
//!
//! - the background: routine attendances (500 per second by default) that raise
//!   nothing, three in four about a new family, so the casebook grows as it would;
//! - the probes (5 per second by default): each a bruise on an infant new to Vigil,
//!   which must raise "bruising in a child who is not independently mobile". A probe's
//!   latency runs from the moment its POST was due to the moment
//!   `GET /api/v1/children/{child}` shows the alert among the child's open alerts.
//!
//! Reads of the live casebook take in whatever was stored before they answer (read your
//! writes), so the first GET after the POST normally shows the alert; the probe polls
//! every millisecond only in case it does not. A probe whose alert is not visible after
//! ten seconds counts as an error.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use vigil_store::EventStore;
use vigil_web::WebLimits;

use crate::commands::bench::{Latency, at_rate, post_event};
use crate::commands::serve::Application;
use crate::database::StoreTask;
use crate::synth::{Sequence, probe_event, routine_event};

/// The rule every probe must raise.
const PROBE_RULE: &str = "injury-not-independently-mobile";
/// How long a probe waits for its alert before it counts as an error.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
const POLL_INTERVAL: Duration = Duration::from_millis(1);

pub struct LatencyBench {
    /// How long the load runs.
    pub seconds: u64,
    /// Background events offered per second.
    pub rate: u64,
    /// Probe events offered per second.
    pub probe_rate: u64,
    /// Concurrent clients for the background.
    pub clients: usize,
}

#[derive(Debug, Serialize)]
pub struct LatencyReport {
    pub seconds: u64,
    pub offered_rate: u64,
    pub offered_probe_rate: u64,
    /// From each probe's due moment to its alert visible through the API.
    pub probe_to_alert: Latency,
    /// The part of that after the store acknowledged the probe: from the POST's
    /// response to the alert visible (the casebook's share).
    pub alert_after_stored: Latency,
    /// The background's own POSTs, from when each was due to its response.
    pub background_posts: Latency,
    /// What the casebook held at the end.
    pub casebook_events: usize,
    pub casebook_persons: usize,
    pub casebook_alerts: usize,
}

impl StoreTask for LatencyBench {
    type Output = LatencyReport;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<LatencyReport> {
        let run = uuid::Uuid::now_v7().simple().to_string();
        super::bench::install_bench_keys(&store).await?;
        let application = Application::start(
            store.clone(),
            WebLimits::default(),
            vigil_rules::RulesConfig::default(),
            vigil_web::AccessSettings::default(),
        )
        .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let router = application.router.clone();
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(self.clients + 4)
            .build()?;

        // Bodies are made before timing starts.
        let mut sequence = Sequence::new(2026);
        let background: Vec<Vec<u8>> = (0..self.rate * self.seconds)
            .map(|index| serde_json::to_vec(&routine_event(&mut sequence, &run, index)))
            .collect::<Result<_, _>>()?;
        let probes: Vec<Vec<u8>> = (0..self.probe_rate * self.seconds)
            .map(|index| serde_json::to_vec(&probe_event(&mut sequence, &run, index)))
            .collect::<Result<_, _>>()?;

        eprintln!(
            "background at {}/s and probes at {}/s for {} s...",
            self.rate, self.probe_rate, self.seconds
        );
        let events_url = format!("{base}/api/v1/events");
        let background_posts = {
            let (client, url, bodies) = (client.clone(), events_url.clone(), Arc::new(background));
            at_rate(
                bodies.len() as u64,
                self.clients,
                Some(self.rate),
                move |index| {
                    let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
                    async move { post_event(&client, &url, bodies[index as usize].clone()).await }
                },
            )
        };
        let after_stored = Arc::new(std::sync::Mutex::new(Vec::new()));
        let probe_to_alert = {
            let (client, base, bodies) = (client.clone(), base.clone(), Arc::new(probes));
            let after_stored = after_stored.clone();
            at_rate(
                bodies.len() as u64,
                4,
                Some(self.probe_rate),
                move |index| {
                    let (client, base, bodies) = (client.clone(), base.clone(), bodies.clone());
                    let after_stored = after_stored.clone();
                    async move {
                        let waited = probe(&client, &base, bodies[index as usize].clone()).await?;
                        after_stored
                            .lock()
                            .map_err(|_| "a probe panicked".to_string())?
                            .push(waited);
                        Ok(())
                    }
                },
            )
        };
        let (background_posts, probe_to_alert) = tokio::join!(background_posts, probe_to_alert);
        let (background_posts, probe_to_alert) = (background_posts?, probe_to_alert?);
        let after_stored = std::mem::take(
            &mut *after_stored
                .lock()
                .map_err(|_| anyhow::anyhow!("a probe panicked"))?,
        );
        let alert_after_stored = Latency::of(after_stored, probe_to_alert.seconds, 0);
        server.abort();

        application.casework.catch_up(&store).await?;
        let casebook = application.casework.read().await;
        Ok(LatencyReport {
            seconds: self.seconds,
            offered_rate: self.rate,
            offered_probe_rate: self.probe_rate,
            probe_to_alert,
            alert_after_stored,
            background_posts,
            casebook_events: casebook.events().len(),
            casebook_persons: casebook.persons().count(),
            casebook_alerts: casebook.alerts().all().len(),
        })
    }
}

/// POSTs one probe, then reads its child until the alert is among the open alerts.
/// Returns the time from the POST's response to the alert seen.
async fn probe(client: &reqwest::Client, base: &str, body: Vec<u8>) -> Result<Duration, String> {
    let created = post_event(client, &format!("{base}/api/v1/events"), body).await?;
    let stored = Instant::now();
    let created: Value = serde_json::from_slice(&created)
        .map_err(|error| format!("the POST's response is not JSON: {error}"))?;
    let event = created["id"]
        .as_str()
        .ok_or_else(|| format!("the POST's response has no id: {created}"))?;
    // The probe's child is new to Vigil: its person id is its first record's id.
    let url = format!("{base}/api/v1/children/{event}.0");
    let give_up = Instant::now() + PROBE_TIMEOUT;
    loop {
        let response = client
            .get(&url)
            .header("authorization", super::bench::bench_authorization(None))
            .send()
            .await
            .map_err(|error| format!("GET {url} failed: {error}"))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap_or_default();
        match status {
            200 => {
                let summary: Value = serde_json::from_slice(&body)
                    .map_err(|error| format!("GET {url} did not return JSON: {error}"))?;
                let raised = summary["open_alerts"]
                    .as_array()
                    .is_some_and(|alerts| alerts.iter().any(|a| a["rule"] == PROBE_RULE));
                if raised {
                    return Ok(stored.elapsed());
                }
            }
            // Not known yet.
            404 => {}
            _ => {
                return Err(format!(
                    "GET {url}: {status} {}",
                    String::from_utf8_lossy(&body)
                ));
            }
        }
        if Instant::now() > give_up {
            return Err(format!(
                "the alert for probe event {event} was not visible after {} s",
                PROBE_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

pub fn print_report(backend: &str, report: &LatencyReport, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string(&serde_json::json!({ "backend": backend, "report": report }))
                .unwrap_or_default()
        );
        return;
    }
    println!(
        "latency benchmark on {backend}: background offered at {}/s, probes at {}/s, for {} s",
        report.offered_rate, report.offered_probe_rate, report.seconds
    );
    for (name, latency) in [
        ("probe to alert", &report.probe_to_alert),
        ("  after stored", &report.alert_after_stored),
        ("background POSTs", &report.background_posts),
    ] {
        println!(
            "  {name:<17} {:>8} in {:>6.2} s = {:>7.1}/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} errors",
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
        "  casebook at the end: {} events, {} persons, {} alerts",
        report.casebook_events, report.casebook_persons, report.casebook_alerts
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark's machinery, briefly and slowly: every event arrives, every probe
    /// sees its alert, and the figures hang together. No timing is asserted.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_short_run_reports_every_probe_and_event() {
        let directory = tempfile::tempdir().unwrap();
        let store = vigil_store_sqlite::SqliteStore::open(
            &directory.path().join("bench.db"),
            vigil_store_sqlite::Durability::Normal,
        )
        .await
        .unwrap();
        let bench = LatencyBench {
            seconds: 2,
            rate: 20,
            probe_rate: 3,
            clients: 4,
        };
        let report = bench.run(store).await.unwrap();
        assert_eq!(report.background_posts.requests, 40);
        assert_eq!(report.background_posts.errors, 0);
        assert_eq!(report.probe_to_alert.requests, 6);
        assert_eq!(report.probe_to_alert.errors, 0);
        assert_eq!(report.casebook_events, 46);
        // One alert per probe; the background raises none.
        assert_eq!(report.casebook_alerts, 6);
        for latency in [&report.probe_to_alert, &report.background_posts] {
            assert!(latency.p50_ms <= latency.p99_ms && latency.p99_ms <= latency.max_ms);
            assert!(latency.seconds > 0.0);
        }
        assert!(report.casebook_persons >= 6);
    }
}
