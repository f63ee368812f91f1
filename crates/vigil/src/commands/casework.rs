//! `vigil review`, `vigil chronology` and `vigil alerts`: the record as it was known at
//! a moment, read from the store and replayed, for practice reviewers and for scripts.

use anyhow::{Context, bail};
use jiff::Timestamp;
use vigil_rules::child::ChildRecord;
use vigil_rules::{Casebook, RulesConfig};
use vigil_store::EventStore;

use crate::database::StoreTask;

/// What to print.
pub enum View {
    /// The missed-opportunity report.
    Review,
    Chronology,
    Alerts,
}

pub struct Casework {
    pub view: View,
    /// A person id, an NHS number, or part of a name (for review and chronology).
    pub child: Option<String>,
    pub as_at: Option<Timestamp>,
    pub json: bool,
    pub rules: RulesConfig,
}

/// Reads `2022-06-11`, `2022-06-11T09:00` (UK time) or RFC 3339.
pub fn parse_as_at(text: &str) -> anyhow::Result<Timestamp> {
    let at =
        vigil_domain::time::OccurredAt::parse(text).with_context(|| format!("--as-at {text:?}"))?;
    // A date means the end of that day: everything recorded on it.
    Ok(match at.precision() {
        vigil_domain::time::TimePrecision::Year
        | vigil_domain::time::TimePrecision::Month
        | vigil_domain::time::TimePrecision::Day => {
            let next = at.latest_date().tomorrow().context("date out of range")?;
            vigil_rules::calendar::uk_instant(next, 0, 0)
                .checked_sub(jiff::SignedDuration::from_micros(1))
                .context("date out of range")?
        }
        _ => at.start(),
    })
}

/// Finds the one child a user means.
pub fn find_child(casebook: &Casebook, query: &str) -> anyhow::Result<String> {
    let children = casebook.children_ever();
    if children.iter().any(|c| c == query) {
        return Ok(query.to_string());
    }
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let needle = query.to_lowercase();
    let matches: Vec<&String> = children
        .iter()
        .filter(|child| {
            casebook.records_of(child).any(|(_, _, person)| {
                (digits.len() == 10
                    && person
                        .nhs_number
                        .as_ref()
                        .is_some_and(|n| n.to_string().replace(' ', "") == digits))
                    || person.name.as_recorded.to_lowercase().contains(&needle)
            })
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            bail!("no child matches {query:?}; give a person id, an NHS number or part of a name")
        }
        many => bail!(
            "{} children match {query:?}: {}; be more precise (a person id or NHS number)",
            many.len(),
            many.iter()
                .map(|c| format!("{} ({c})", casebook.display_name(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl StoreTask for Casework {
    type Output = String;

    async fn run<S: EventStore>(self, store: S) -> anyhow::Result<String> {
        let casebook = vigil_pipeline::replay(
            &store,
            vigil_linkage::LinkageModel::default_model(),
            self.rules,
            self.as_at,
        )
        .await?;
        let child = || -> anyhow::Result<String> {
            let query = self
                .child
                .as_deref()
                .context("name the child: a person id, an NHS number or part of a name")?;
            find_child(&casebook, query)
        };
        Ok(match self.view {
            View::Review => {
                let report = vigil_rules::review::report(&casebook, &child()?);
                if self.json {
                    serde_json::to_string_pretty(&report)?
                } else {
                    vigil_rules::review::to_markdown(&report)
                }
            }
            View::Chronology => {
                let child = child()?;
                let record = ChildRecord::build(&casebook, &child, casebook.now());
                let chronology = vigil_rules::chronology::chronology(&record, 60);
                if self.json {
                    serde_json::to_string_pretty(&chronology)?
                } else {
                    let mut out = format!(
                        "Chronology of {} as known at {} ({} entries, {} injury episodes)\n",
                        chronology.name,
                        chronology.as_at,
                        chronology.entries.len(),
                        chronology.counters.injury_episodes
                    );
                    for e in &chronology.entries {
                        out.push_str(&format!(
                            "{:<10} {:<8} {:<28} {}{}\n",
                            e.date,
                            e.agency,
                            e.kind,
                            e.episode.map(|n| format!("[IE{n}] ")).unwrap_or_default(),
                            e.summary
                                .as_deref()
                                .unwrap_or("")
                                .chars()
                                .take(100)
                                .collect::<String>()
                        ));
                    }
                    out
                }
            }
            View::Alerts => {
                let alerts = casebook.alerts().all();
                if self.json {
                    serde_json::to_string_pretty(alerts)?
                } else {
                    let mut out =
                        format!("{} alert(s) as known at {}\n", alerts.len(), casebook.now());
                    for a in alerts {
                        out.push_str(&format!(
                            "{} [{}] {} for {}: {} (owner {}, act by {})\n",
                            a.raised_at,
                            a.level.colour(),
                            a.title,
                            casebook.display_name(&a.subject),
                            a.evidence.len().to_string() + " record(s)",
                            a.holder_at(casebook.now(), &casebook.config().deadlines)
                                .label(),
                            a.deadline
                        ));
                    }
                    out
                }
            }
        })
    }
}
