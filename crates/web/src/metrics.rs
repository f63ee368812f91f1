//! What Vigil is doing, for operators: Prometheus metrics at `GET /metrics`, and one
//! log line per request.
//!
//! Written by hand in the Prometheus text format (version 0.0.4) rather than with a
//! metrics crate: there are a dozen series, the format is a page of text, and the
//! casebook's figures are read when scraped rather than counted as they change, so
//! they cannot drift from what the API shows.
//!
//! Two kinds of figure. Counted here as requests pass ([`Metrics`], one per router):
//! HTTP requests by method, route template and status, with a latency histogram;
//! events appended by outcome, with a histogram of the store's append latency. Read at
//! scrape time from the live casebook and the store: linkage decisions by outcome,
//! the review queue, alerts by rule, level and status, overdue alerts, persons, and
//! the store's connection pools.
//!
//! No personal data, by construction: routes are labelled by their template
//! (`/api/v1/children/{id}`, never the id), an unrouted path is `unmatched`, rules by
//! their id; no label takes a value from a request body, a query string or a record.
//! The request log line ([`track`]) carries the request id, method, route template,
//! status and latency, and nothing else about the request.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use vigil_domain::NewEvent;
use vigil_store::{Appended, EventStore, StoreError};

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds: from a cached read to the
/// request timeout.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A latency histogram with [`BUCKETS`].
#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Observations at or below each bound (not cumulative; summed when written).
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            self.counts[bucket] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let separator = if labels.is_empty() { "" } else { "," };
        for (bound, count) in BUCKETS.iter().zip(self.counts) {
            cumulative += count;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{separator}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {}",
            self.count
        );
        let braced = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braced} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braced} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Counted {
    /// (method, route template, status) → requests.
    requests: BTreeMap<(&'static str, String, u16), u64>,
    /// (method, route template) → latency.
    request_latency: BTreeMap<(&'static str, String), Histogram>,
    /// `created` or `already_stored` → events.
    events_appended: BTreeMap<&'static str, u64>,
    /// Appends (one per request, of one event or a batch) that the store refused or
    /// failed, by kind.
    append_failures: BTreeMap<&'static str, u64>,
    append_latency: Histogram,
}

/// How long a count of the review queue is reused: counting it clusters the linkage
/// index's uncertain pairs, too much work for every scrape under the casebook's lock.
const REVIEW_QUEUE_REUSED_FOR: Duration = Duration::from_secs(30);

/// What was read from the casebook at earlier scrapes, so a scrape reads only what is
/// new: the derivations grow by appending, and are counted from where the last scrape
/// stopped.
#[derive(Default)]
struct CasebookTally {
    /// Derivations counted so far.
    seen: usize,
    /// The last of them, to notice a casebook rebuilt from the log (then all are
    /// counted afresh).
    last: Option<vigil_rules::Derivation>,
    linkage_outcomes: BTreeMap<String, u64>,
    review_queue: Option<(Instant, usize)>,
}

/// The figures counted as requests pass; cheap to clone (shared).
#[derive(Clone, Default)]
pub struct Metrics {
    counted: Arc<Mutex<Counted>>,
    tally: Arc<Mutex<CasebookTally>>,
}

/// A method as a label: the standard ones by name, anything else `other`, so a client
/// cannot create series at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route a request matched, as its template; `unmatched` for any other path.
fn route_label(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string())
}

fn failure_kind(error: &StoreError) -> &'static str {
    match error {
        StoreError::Unavailable(_) => "unavailable",
        StoreError::Internal(_) => "internal",
        _ => "refused",
    }
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counted> {
        // A panic while holding the lock leaves plain counters: still usable.
        self.counted.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn request(&self, method: &'static str, route: String, status: u16, elapsed: Duration) {
        let mut counted = self.lock();
        *counted
            .requests
            .entry((method, route.clone(), status))
            .or_default() += 1;
        counted
            .request_latency
            .entry((method, route))
            .or_default()
            .observe(elapsed);
    }

    /// Appends `events` through the store, counting the outcome and timing it: the one
    /// way the API appends, so ingest is measured where it happens.
    pub async fn append<S: EventStore>(
        &self,
        store: &S,
        events: Vec<NewEvent>,
        now: Timestamp,
    ) -> Result<Vec<Appended>, StoreError> {
        let started = Instant::now();
        let result = store.append(events, now).await;
        let elapsed = started.elapsed();
        let mut counted = self.lock();
        counted.append_latency.observe(elapsed);
        match &result {
            Ok(outcomes) => {
                for outcome in outcomes {
                    let name = match outcome {
                        Appended::Created { .. } => "created",
                        Appended::AlreadyStored { .. } => "already_stored",
                    };
                    *counted.events_appended.entry(name).or_default() += 1;
                }
            }
            Err(error) => {
                *counted
                    .append_failures
                    .entry(failure_kind(error))
                    .or_default() += 1;
            }
        }
        result
    }

    fn write_counted(&self, out: &mut String) {
        let counted = self.lock();
        family(
            out,
            "vigil_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route template and status.",
        );
        for ((method, route, status), count) in &counted.requests {
            let _ = writeln!(
                out,
                "vigil_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        family(
            out,
            "vigil_http_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its answer (audit entry included), by method and route template.",
        );
        for ((method, route), histogram) in &counted.request_latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            histogram.write(out, "vigil_http_request_duration_seconds", &labels);
        }
        family(
            out,
            "vigil_events_appended_total",
            "counter",
            "Events sent to the API and accepted by the store, by outcome: created, or already_stored (an idempotent repeat).",
        );
        for name in ["created", "already_stored"] {
            let count = counted.events_appended.get(name).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "vigil_events_appended_total{{outcome=\"{name}\"}} {count}"
            );
        }
        family(
            out,
            "vigil_event_append_failures_total",
            "counter",
            "Appends (one per request) that stored nothing: refused (a conflict or a bad correction), unavailable (worth retrying), internal.",
        );
        for kind in ["refused", "unavailable", "internal"] {
            let count = counted.append_failures.get(kind).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "vigil_event_append_failures_total{{kind=\"{kind}\"}} {count}"
            );
        }
        family(
            out,
            "vigil_event_append_duration_seconds",
            "histogram",
            "Time the store took to append one request's events (one event or a batch), group commit included.",
        );
        counted
            .append_latency
            .write(out, "vigil_event_append_duration_seconds", "");
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware: hands [`Metrics`] to the handlers, counts and times the request, and
/// writes its log line. Sits inside the request id and the trace span.
pub async fn track(State(metrics): State<Metrics>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route_label(&request);
    let request_id = request
        .headers()
        .get(crate::REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-")
        .to_string();
    request.extensions_mut().insert(metrics.clone());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(
        request_id = %request_id,
        method,
        route = %route,
        status,
        latency_ms = elapsed.as_micros() as f64 / 1000.0,
        "request"
    );
    metrics.request(method, route, status, elapsed);
    response
}

/// `GET /metrics`: the text exposition format.
pub async fn serve<S: EventStore>(
    State(state): State<AppState<S>>,
    Extension(metrics): Extension<Metrics>,
) -> Response {
    let mut out = String::new();
    metrics.write_counted(&mut out);
    write_casebook(&mut out, &state, &metrics).await;
    write_pools(&mut out, &state.store);
    write_webhooks(&mut out, &state.store).await;
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

async fn write_casebook<S: EventStore>(out: &mut String, state: &AppState<S>, metrics: &Metrics) {
    let casebook = state.casework.read().await;
    let now = casebook.now();

    family(
        out,
        "vigil_casebook_events",
        "gauge",
        "Events the live casebook has taken from the log.",
    );
    let _ = writeln!(out, "vigil_casebook_events {}", casebook.events().len());
    family(
        out,
        "vigil_persons",
        "gauge",
        "Persons the identity records resolve to.",
    );
    let _ = writeln!(out, "vigil_persons {}", casebook.persons().count());

    let (outcomes, review_queue) = {
        let mut tally = metrics.tally.lock().unwrap_or_else(|p| p.into_inner());
        let derivations = casebook.derivations();
        let continues = tally.seen <= derivations.len()
            && (tally.seen == 0 || tally.last.as_ref() == Some(&derivations[tally.seen - 1]));
        if !continues {
            *tally = CasebookTally::default();
        }
        for derivation in &derivations[tally.seen..] {
            if let vigil_rules::Derivation::Linkage { outcome, .. } = derivation {
                *tally.linkage_outcomes.entry(outcome.clone()).or_default() += 1;
            }
        }
        tally.seen = derivations.len();
        tally.last = derivations.last().cloned();
        let fresh = tally
            .review_queue
            .filter(|(at, _)| continues && at.elapsed() < REVIEW_QUEUE_REUSED_FOR);
        let review_queue = match fresh {
            Some((_, count)) => Some(count),
            None => match casebook.linkage().review_queue() {
                Ok(queue) => {
                    tally.review_queue = Some((Instant::now(), queue.len()));
                    Some(queue.len())
                }
                Err(error) => {
                    tracing::warn!(%error, "the review queue could not be counted");
                    None
                }
            },
        };
        let mut outcomes: BTreeMap<String, u64> = ["linked", "new_person", "review"]
            .into_iter()
            .map(|o| (o.to_string(), 0))
            .collect();
        outcomes.extend(tally.linkage_outcomes.clone());
        (outcomes, review_queue)
    };
    family(
        out,
        "vigil_linkage_decisions_total",
        "counter",
        "Identity records resolved, by the decision when each arrived: linked to a person, a new person, or sent to review. Counted from the log replayed at start, so it starts at the log's total.",
    );
    for (outcome, count) in &outcomes {
        let _ = writeln!(
            out,
            "vigil_linkage_decisions_total{{outcome=\"{}\"}} {count}",
            escape(outcome)
        );
    }
    family(
        out,
        "vigil_linkage_review_queue",
        "gauge",
        "Pairs of identity records waiting for a person to decide whether they are the same person (counted at most every 30 s).",
    );
    if let Some(count) = review_queue {
        let _ = writeln!(out, "vigil_linkage_review_queue {count}");
    }

    let mut alerts: HashMap<(String, &'static str, &'static str), u64> = HashMap::new();
    let mut overdue: HashMap<(String, &'static str), u64> = HashMap::new();
    for alert in casebook.alerts().all() {
        let level = level_label(alert.level);
        let status = match alert.status {
            vigil_rules::AlertStatus::Open => "open",
            vigil_rules::AlertStatus::Acknowledged { .. } => "acknowledged",
            vigil_rules::AlertStatus::Closed { .. } => "closed",
        };
        *alerts
            .entry((alert.rule.clone(), level, status))
            .or_default() += 1;
        if alert.is_overdue(now) {
            *overdue.entry((alert.rule.clone(), level)).or_default() += 1;
        }
    }
    family(
        out,
        "vigil_alerts",
        "gauge",
        "Alerts by rule, level and status (open, acknowledged, closed).",
    );
    let mut alerts: Vec<_> = alerts.into_iter().collect();
    alerts.sort();
    for ((rule, level, status), count) in alerts {
        let _ = writeln!(
            out,
            "vigil_alerts{{rule=\"{}\",level=\"{level}\",status=\"{status}\"}} {count}",
            escape(&rule)
        );
    }
    family(
        out,
        "vigil_alerts_overdue",
        "gauge",
        "Open alerts past their deadline, unacknowledged, by rule and level.",
    );
    let mut overdue: Vec<_> = overdue.into_iter().collect();
    overdue.sort();
    for ((rule, level), count) in overdue {
        let _ = writeln!(
            out,
            "vigil_alerts_overdue{{rule=\"{}\",level=\"{level}\"}} {count}",
            escape(&rule)
        );
    }
}

fn level_label(level: vigil_rules::Level) -> &'static str {
    match level {
        vigil_rules::Level::Consider => "consider",
        vigil_rules::Level::Suspect => "suspect",
        vigil_rules::Level::ImmediateDanger => "immediate_danger",
    }
}

/// Webhook deliveries and failed tries, counted from the store's rows when scraped, so
/// every process reports the same totals and a restart loses none.
async fn write_webhooks<S: EventStore>(out: &mut String, store: &S) {
    let counts = match store.webhook_counts().await {
        Ok(counts) => counts,
        Err(error) => {
            tracing::warn!(%error, "the webhook counts could not be read for the metrics");
            return;
        }
    };
    family(
        out,
        "vigil_webhook_deliveries_total",
        "counter",
        "Webhook deliveries a receiver accepted (each also a disclosure).",
    );
    let _ = writeln!(out, "vigil_webhook_deliveries_total {}", counts.delivered);
    family(
        out,
        "vigil_webhook_failures_total",
        "counter",
        "Webhook tries that failed (an error status, no answer, or no connection).",
    );
    let _ = writeln!(
        out,
        "vigil_webhook_failures_total {}",
        counts.failed_attempts
    );
}

fn write_pools<S: EventStore>(out: &mut String, store: &S) {
    let pools = store.pools();
    family(
        out,
        "vigil_db_connections",
        "gauge",
        "Database connections by pool and state (in_use, idle).",
    );
    for pool in &pools {
        let in_use = pool.open.saturating_sub(pool.idle);
        let _ = writeln!(
            out,
            "vigil_db_connections{{pool=\"{}\",state=\"in_use\"}} {in_use}",
            pool.name
        );
        let _ = writeln!(
            out,
            "vigil_db_connections{{pool=\"{}\",state=\"idle\"}} {}",
            pool.name, pool.idle
        );
    }
    family(
        out,
        "vigil_db_connections_max",
        "gauge",
        "The most connections each pool opens.",
    );
    for pool in &pools {
        let _ = writeln!(
            out,
            "vigil_db_connections_max{{pool=\"{}\"}} {}",
            pool.name, pool.max
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_cumulative_and_counts_what_is_past_the_last_bound() {
        let mut histogram = Histogram::default();
        for millis in [0, 3, 3, 40, 60_000] {
            histogram.observe(Duration::from_millis(millis));
        }
        let mut out = String::new();
        histogram.write(&mut out, "x", "a=\"b\"");
        for expected in [
            "x_bucket{a=\"b\",le=\"0.001\"} 1\n",
            "x_bucket{a=\"b\",le=\"0.005\"} 3\n",
            "x_bucket{a=\"b\",le=\"0.05\"} 4\n",
            "x_bucket{a=\"b\",le=\"30\"} 4\n",
            "x_bucket{a=\"b\",le=\"+Inf\"} 5\n",
            "x_count{a=\"b\"} 5\n",
        ] {
            assert!(out.contains(expected), "{expected} in\n{out}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
