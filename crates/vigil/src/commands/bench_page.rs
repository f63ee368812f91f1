//! `vigil bench page`: how fast the child page is served for a child with a long
//! record. A fresh store gets one fictional child with `--events` records from six
//! agencies over the years (visits, attendances, and an injury every fiftieth record),
//! imported through `vigil import`'s own code; the application is wired as `serve`
//! wires it, a MASH analyst signs in through the sign-in page, and the child's page is
//! requested `--requests` times, one after another, in process. Reported: p50, p95 and
//! the largest time from request to the whole page, and the page's size.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::json;
use tower::ServiceExt;
use vigil_domain::Limits;
use vigil_store::EventStore;
use vigil_web::{AppState, WebLimits, router};

use crate::commands::import::Import;
use crate::database::StoreTask;

pub struct PageBench {
    pub events: u64,
    pub requests: u64,
    pub work_directory: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct PageReport {
    pub events: u64,
    pub requests: u64,
    pub page_bytes: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

const AGENCIES: &[(&str, &str, &str)] = &[
    ("QBH", "QBH-ED", "health_attendance"),
    ("QBG", "QBG-GP", "health_attendance"),
    ("QBV", "QBV-HV", "home_visit"),
    ("QBS", "QBS-CASE", "home_visit"),
    ("QBP", "QBP-RMS", "home_visit"),
    ("QBE", "QBE-SIS", "home_visit"),
];

/// Record `index` of the benchmark child: a visit or attendance, every fiftieth an
/// injury, one a day from the child's birth.
fn record(index: u64) -> serde_json::Value {
    let (agency, system, kind) = AGENCIES[(index % AGENCIES.len() as u64) as usize];
    let day = jiff::civil::date(2010, 1, 1)
        .checked_add(jiff::Span::new().days(index as i64))
        .expect("within the calendar");
    let child = json!({
        "role": "subject_child", "name": "BENCHMARK, Quill", "date_of_birth": "2010-01-01",
        "nhs_number": "9990000026", "addresses": ["7 Nowhere Row, Testwick QB1 9ZZ"]
    });
    let (kind, details) = if index % 50 == 49 {
        (
            "injury_observation",
            json!({ "injuries": [{ "body_site": "forearm", "side": "left", "injury_type": "bruise",
                "explanations": [{ "given_by": "carer", "text": "fell in the park" }] }] }),
        )
    } else if kind == "home_visit" {
        (kind, json!({ "outcome": "child_seen" }))
    } else {
        (kind, json!({ "setting": "gp" }))
    };
    json!({
        "kind": kind, "agency": agency, "source_system": system,
        "source_id": format!("PAGE-{index}"), "occurred_at": day.to_string(),
        "recorded_at": format!("{day}T18:00:00Z"),
        "summary": "Routine contact recorded for the page benchmark (fictional).",
        "people": [child], "details": details
    })
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

impl StoreTask for PageBench {
    type Output = PageReport;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<PageReport> {
        let file = self.work_directory.join("page-bench.jsonl");
        {
            use std::io::Write;
            let mut writer = std::io::BufWriter::new(std::fs::File::create(&file)?);
            for index in 0..self.events {
                serde_json::to_writer(&mut writer, &record(index))?;
                writer.write_all(b"\n")?;
            }
            writer.flush()?;
        }
        eprintln!("importing {} records of one child...", self.events);
        let summary = Import {
            file: file.clone(),
            batch_size: 1000,
            limits: Limits::default(),
            show_progress: false,
        }
        .run(store.clone())
        .await?;
        std::fs::remove_file(&file).ok();
        if summary.created != self.events {
            bail!(
                "the benchmark import stored {} of {} records ({} rejected; see the rejected file beside it)",
                summary.created,
                self.events,
                summary.rejected
            );
        }
        eprintln!("building the casebook...");
        let casework = vigil_pipeline::Casework::load(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            vigil_rules::RulesConfig::default(),
        )
        .await?;
        let child = {
            let casebook = casework.read().await;
            let children = casebook.children_ever();
            match children.as_slice() {
                [one] => one.to_string(),
                other => bail!("expected one child, found {}", other.len()),
            }
        };
        let password = "benchmark-password-fictional";
        store
            .add_account(&vigil_store::Account {
                user_name: "bench.mash".into(),
                display_name: "Benchmark MASH analyst".into(),
                role: vigil_access::Role::MashAnalyst,
                agency: None,
                team: None,
                password_hash: vigil_access::secret::hash_password(password)?,
                created_at: jiff::Timestamp::now(),
                created_by: "bench".into(),
            })
            .await?;
        let app = router(AppState {
            store: store.clone(),
            limits: WebLimits::default(),
            casework,
            access: Default::default(),
        });
        let signed_in = app
            .clone()
            .oneshot(
                Request::post("/sign-in")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!(
                        "user_name=bench.mash&password={password}"
                    )))?,
            )
            .await?;
        let cookie = signed_in
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("signing in gave no session cookie")?
            .to_string();
        let path = format!("/children/{child}");
        let mut times = Vec::with_capacity(self.requests as usize);
        let mut page_bytes = 0;
        eprintln!("{} requests for the child's page...", self.requests);
        for _ in 0..self.requests {
            let start = Instant::now();
            let response = app
                .clone()
                .oneshot(
                    Request::get(&path)
                        .header(header::COOKIE, &cookie)
                        .body(Body::empty())?,
                )
                .await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            if status != StatusCode::OK {
                bail!("the child's page answered {status}");
            }
            page_bytes = body.len();
        }
        times.sort_by(f64::total_cmp);
        Ok(PageReport {
            events: self.events,
            requests: self.requests,
            page_bytes,
            p50_ms: percentile(&times, 0.50),
            p95_ms: percentile(&times, 0.95),
            max_ms: *times.last().unwrap_or(&0.0),
        })
    }
}

pub fn print_report(backend: &str, report: &PageReport) {
    println!(
        "child page, {} records, {} requests on {backend}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; page {} KiB",
        report.events,
        report.requests,
        report.p50_ms,
        report.p95_ms,
        report.max_ms,
        report.page_bytes / 1024
    );
}
