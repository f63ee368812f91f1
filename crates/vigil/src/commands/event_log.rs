//! The event log's own consistency, for `vigil check`: what the store promises about
//! the log (numbered in order, one event per id and per source key, each person's
//! identity record where the event says, corrections that point at an earlier event of
//! the same agency and are pointed back at) re-read from the store rather than assumed.
//! A row edited or removed behind Vigil's back, or a restore that lost a table, shows
//! here; a change inside an event's body shows in the derivations check instead.

use std::collections::{HashMap, HashSet};

use vigil_domain::{AgencyCode, EventId, SourceKey};
use vigil_store::{EventStore, Page};

/// Problems listed in full; past this many only the count grows.
const SHOWN: usize = 20;

#[derive(Debug, Default)]
pub struct LogReport {
    pub events: u64,
    pub identity_records: u64,
    pub problems: Vec<String>,
    pub problem_count: usize,
}

impl LogReport {
    fn problem(&mut self, text: String) {
        self.problem_count += 1;
        if self.problems.len() < SHOWN {
            self.problems.push(text);
        }
    }
}

struct Known {
    agency: AgencyCode,
    superseded_by: Option<EventId>,
    supersedes: Option<EventId>,
}

pub async fn check<S: EventStore>(store: &S) -> anyhow::Result<LogReport> {
    let mut report = LogReport::default();
    let mut known: HashMap<EventId, Known> = HashMap::new();
    let mut keys: HashSet<SourceKey> = HashSet::new();
    let mut records = HashSet::new();
    let mut after = 0;
    loop {
        let page = store.events_after(Page { after, limit: 1000 }).await?;
        let Some(last) = page.last() else {
            break;
        };
        let last_sequence = last.sequence;
        for stored in page {
            report.events += 1;
            let id = stored.id;
            if stored.sequence <= after {
                report.problem(format!(
                    "event {id} has sequence {} but follows {after}: the log is out of order",
                    stored.sequence
                ));
            }
            after = stored.sequence;
            if !keys.insert(stored.event.source_key()) {
                report.problem(format!(
                    "event {id}: its source key {} is stored twice",
                    stored.event.source_key()
                ));
            }
            if stored.content_hash.len() != 64
                || !stored.content_hash.chars().all(|c| c.is_ascii_hexdigit())
            {
                report.problem(format!("event {id}: its content hash is not a SHA-256"));
            }
            if stored.identity_records.len() != stored.event.people.len() {
                report.problem(format!(
                    "event {id} names {} people but has {} identity records",
                    stored.event.people.len(),
                    stored.identity_records.len()
                ));
            }
            for record_id in &stored.identity_records {
                report.identity_records += 1;
                if !records.insert(*record_id) {
                    report.problem(format!(
                        "identity record {record_id} belongs to more than one event"
                    ));
                }
                match store.identity_record(*record_id).await? {
                    Some(record)
                        if record.event_id == id && record.agency == stored.event.agency => {}
                    Some(record) => report.problem(format!(
                        "identity record {record_id} of event {id} is stored under event {} of {}",
                        record.event_id, record.agency
                    )),
                    None => report.problem(format!(
                        "identity record {record_id} of event {id} is missing"
                    )),
                }
            }
            if let Some(target) = stored.event.supersedes {
                match known.get(&target) {
                    None => report.problem(format!(
                        "event {id} corrects {target}, which is not earlier in the log"
                    )),
                    Some(earlier) if earlier.agency != stored.event.agency => {
                        report.problem(format!(
                            "event {id} of {} corrects {target} of {}",
                            stored.event.agency, earlier.agency
                        ))
                    }
                    Some(earlier) if earlier.superseded_by != Some(id) => report.problem(format!(
                        "event {id} corrects {target}, but {target} is not shown as corrected by it"
                    )),
                    Some(_) => {}
                }
            }
            let previous = known.insert(
                id,
                Known {
                    agency: stored.event.agency.clone(),
                    superseded_by: stored.superseded_by,
                    supersedes: stored.event.supersedes,
                },
            );
            if previous.is_some() {
                report.problem(format!("event id {id} is stored twice"));
            }
        }
        after = last_sequence;
    }
    for (id, event) in &known {
        if let Some(by) = event.superseded_by
            && known.get(&by).and_then(|c| c.supersedes) != Some(*id)
        {
            report.problem(format!(
                "event {id} is shown as corrected by {by}, which does not correct it"
            ));
        }
    }
    let counted = store.event_count().await?;
    if counted != report.events {
        report.problem(format!(
            "the store counts {counted} events but {} were read in order",
            report.events
        ));
    }
    Ok(report)
}
