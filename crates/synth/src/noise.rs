//! The measurement: every event of a population fed, in the order recorded, to a fresh
//! [`Casebook`] in memory (as `vigil_rules::replay` does, with no store), and the alerts
//! it raises set against the truth.
//!
//! What counts, and why:
//! - **Noise** is alerts raised on children who are not seeded, per 100 such children per
//!   month, by level. The target is about suspect level and above (amber and red), the
//!   alerts that demand a referral or action within a day; consider-level (green) alerts
//!   ask only that someone look, and are reported beside them.
//! - A seeded child is **flagged** when an alert of suspect level or above about them
//!   rests on one of the trajectory's own events: an alert about something else does not
//!   count. **On time** means the alert (raised, raised in level, or updated with that
//!   evidence) happened no later than the truth's flag-by time.
//! - A person in Vigil is taken to be a child of the truth when any of its records carries
//!   that child's agency reference; an alert about a person who is two children (a false
//!   merge) counts for both and is listed.
//!
//! Alerts are never acknowledged or closed in this run, so a rule that fires again for a
//! child updates the open alert rather than raising another (as it would in service
//! until someone closes it): the count is of alerts, each a thing someone must act on,
//! and the updates are reported beside it.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use vigil_domain::event::{EventId, Limits, parse_event};
use vigil_linkage::LinkageModel;
use vigil_rules::alerts::{Alert, AlertChange};
use vigil_rules::config::AgencyEntry;
use vigil_rules::{CaseEvent, Casebook, Level, RulesConfig};

use crate::population::{TrajectoryKind, Truth};

/// The targets of issue 4.
pub const ON_TIME_TARGET: f64 = 0.95;
pub const NOISE_TARGET_PER_100_PER_MONTH: f64 = 2.0;

#[derive(Debug, Clone, Serialize)]
pub struct NoiseReport {
    pub children: usize,
    pub seeded_children: usize,
    pub unseeded_children: usize,
    pub families: usize,
    pub months: u32,
    pub events: usize,
    /// Alerts on every child, by level.
    pub all_children: Vec<LevelCount>,
    /// Alerts on children who are not seeded, by level.
    pub unseeded: Vec<LevelCount>,
    pub unseeded_suspect_or_higher: usize,
    pub unseeded_suspect_or_higher_per_100_per_month: f64,
    /// Unseeded children with at least one alert of suspect level or above.
    pub unseeded_children_alerted: usize,
    /// Suspect-or-higher alerts on unseeded children, by how social care knew the family.
    pub unseeded_by_social_care: Vec<SocialCareCount>,
    /// Rules by suspect-or-higher alerts on unseeded children, then consider-level ones.
    pub unseeded_rules: Vec<RuleCount>,
    /// Updates of open alerts with new evidence (each one a renewed notice), all children.
    pub alert_updates: usize,
    /// Alerts about persons who are none of the truth's children (an adult taken for a
    /// child, say), and about persons who are two or more children.
    pub unattributed_alerts: usize,
    pub merged_children_alerts: usize,
    pub seeded_by_kind: Vec<KindResult>,
    /// Seeded children whose pattern became visible in the period: the share's denominator.
    pub seeded_visible: usize,
    pub seeded_on_time: usize,
    pub seeded_on_time_share: f64,
    pub seeded: Vec<SeededResult>,
    pub on_time_target_met: bool,
    pub noise_target_met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelCount {
    pub level: Level,
    pub alerts: usize,
    pub per_100_children_per_month: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SocialCareCount {
    pub social_care: String,
    pub children: usize,
    pub suspect_or_higher: usize,
    pub per_100_per_month: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub level: Level,
    pub alerts: usize,
    pub per_100_per_month: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindResult {
    pub kind: TrajectoryKind,
    pub children: usize,
    pub on_time: usize,
    pub late: usize,
    pub missed: usize,
    /// Never visible in the period (left out of the on-time share).
    pub not_visible: usize,
    /// Flagged on time at the level the guidance implies (or higher).
    pub on_time_at_expected_level: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeededResult {
    pub child: String,
    pub kind: TrajectoryKind,
    pub story: String,
    pub flag_by: Timestamp,
    pub flagged_at: Option<Timestamp>,
    pub rule: Option<String>,
    pub level: Option<Level>,
    pub on_time: bool,
}

/// What went wrong before any measuring: an event that Vigil would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEvent {
    pub line: usize,
    pub errors: String,
}

impl std::fmt::Display for RejectedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {} is not valid: {}", self.line, self.errors)
    }
}

/// Feeds the events (one JSON object each, in the order recorded) to a casebook and
/// measures its alerts against the truth. `progress` is told how many events are done.
pub fn measure(
    events: &[Value],
    truth: &Truth,
    agencies: &BTreeMap<String, AgencyEntry>,
    progress: &mut dyn FnMut(usize),
) -> Result<NoiseReport, RejectedEvent> {
    let far_future: Timestamp = "2100-01-01T00:00:00Z".parse().expect("a time");
    let mut case_events = Vec::with_capacity(events.len());
    for (i, value) in events.iter().enumerate() {
        let event = parse_event(value, "", far_future, &Limits::default()).map_err(|errors| {
            RejectedEvent {
                line: i + 1,
                errors: format!("{errors:?}"),
            }
        })?;
        case_events.push(CaseEvent {
            id: EventId(uuid::Uuid::from_u128(i as u128 + 1)),
            recorded_at: event.recorded_at.unwrap_or(truth.period_start),
            event,
        });
    }
    case_events.sort_by_key(|e| e.recorded_at);

    let child_of_reference: HashMap<(&str, &str), usize> = truth
        .children
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.references
                .iter()
                .map(move |r| ((r.agency.as_str(), r.reference.as_str()), i))
        })
        .collect();
    let harm_event_child: HashMap<&str, usize> = truth
        .children
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.harm.as_ref().map(|h| (i, h)))
        .flat_map(|(i, h)| h.events.iter().map(move |e| (e.as_str(), i)))
        .collect();

    let config = RulesConfig {
        agencies: agencies.clone(),
        ..RulesConfig::default()
    };
    let mut casebook = Casebook::new(LinkageModel::default_model(), config);
    // (first flag at suspect or above, with its rule and level), per seeded child.
    let mut flags: HashMap<usize, (Timestamp, String, Level)> = HashMap::new();
    let mut updates = 0;
    let total = case_events.len();
    let mut examine =
        |casebook: &Casebook,
         changes: Vec<AlertChange>,
         flags: &mut HashMap<usize, (Timestamp, String, Level)>| {
            for change in changes {
                let id = match &change {
                    AlertChange::Raised { alert } => alert,
                    AlertChange::Updated {
                        alert,
                        new_evidence,
                    } => {
                        if *new_evidence > 0 {
                            updates += 1;
                        }
                        alert
                    }
                };
                let Some(alert) = casebook.alerts().get(id) else {
                    continue;
                };
                if alert.level < Level::Suspect {
                    continue;
                }
                for event in &alert.evidence {
                    let Some(case_event) = casebook.event(&event.event) else {
                        continue;
                    };
                    let key = format!("{}/{}", case_event.event.agency, case_event.event.source_id);
                    let Some(&child) = harm_event_child.get(key.as_str()) else {
                        continue;
                    };
                    if flags.contains_key(&child) {
                        continue;
                    }
                    let subjects = children_of(casebook, &alert.subject, &child_of_reference);
                    if subjects.contains(&child) {
                        flags.insert(child, (casebook.now(), alert.rule.clone(), alert.level));
                    }
                }
            }
        };
    for (done, event) in case_events.into_iter().enumerate() {
        let changes = casebook.record(event);
        examine(&casebook, changes, &mut flags);
        if done % 500 == 0 {
            progress(done);
        }
    }
    let end = casebook.now().max(truth.period_end);
    let changes = casebook.advance_to(end);
    examine(&casebook, changes, &mut flags);
    progress(total);

    Ok(report(
        &casebook,
        truth,
        total,
        &flags,
        updates,
        &child_of_reference,
    ))
}

/// The truth's children a person in Vigil is, by the agency references on its records.
fn children_of(
    casebook: &Casebook,
    person: &str,
    child_of_reference: &HashMap<(&str, &str), usize>,
) -> HashSet<usize> {
    casebook
        .records_of(person)
        .filter_map(|(_, event, p)| {
            let reference = p.agency_reference.as_deref()?;
            child_of_reference
                .get(&(event.event.agency.as_str(), reference))
                .copied()
        })
        .collect()
}

fn rate(count: usize, children: usize, months: u32) -> f64 {
    if children == 0 || months == 0 {
        return 0.0;
    }
    count as f64 * 100.0 / (children as f64 * months as f64)
}

const LEVELS: [Level; 3] = [Level::Consider, Level::Suspect, Level::ImmediateDanger];

fn report(
    casebook: &Casebook,
    truth: &Truth,
    events: usize,
    flags: &HashMap<usize, (Timestamp, String, Level)>,
    alert_updates: usize,
    child_of_reference: &HashMap<(&str, &str), usize>,
) -> NoiseReport {
    let children = truth.children.len();
    let seeded_children = truth.seeded().count();
    let unseeded_children = children - seeded_children;
    let months = truth.months;
    let mut all_levels: BTreeMap<Level, usize> = BTreeMap::new();
    let mut unseeded_levels: BTreeMap<Level, usize> = BTreeMap::new();
    let mut rules: BTreeMap<(bool, String, Level), usize> = BTreeMap::new();
    let mut alerted: HashSet<usize> = HashSet::new();
    let mut by_social_care: BTreeMap<String, usize> = BTreeMap::new();
    let (mut unattributed, mut merged) = (0, 0);
    let mut subjects: HashMap<&str, HashSet<usize>> = HashMap::new();
    let in_period: Vec<&Alert> = casebook
        .alerts()
        .all()
        .iter()
        .filter(|a| a.raised_at >= truth.period_start && a.raised_at < truth.period_end)
        .collect();
    for alert in &in_period {
        let who = subjects
            .entry(alert.subject.as_str())
            .or_insert_with(|| children_of(casebook, &alert.subject, child_of_reference));
        *all_levels.entry(alert.level).or_default() += 1;
        if who.is_empty() {
            unattributed += 1;
            continue;
        }
        if who.len() > 1 {
            merged += 1;
        }
        if who.iter().any(|&c| truth.children[c].harm.is_some()) {
            continue;
        }
        *unseeded_levels.entry(alert.level).or_default() += 1;
        let serious = alert.level >= Level::Suspect;
        *rules
            .entry((!serious, alert.rule.clone(), alert.level))
            .or_default() += 1;
        if serious {
            alerted.extend(who.iter().copied());
            let status = &truth.children[*who.iter().min().expect("not empty")].social_care;
            *by_social_care.entry(status.clone()).or_default() += 1;
        }
    }
    let level_counts = |counts: &BTreeMap<Level, usize>, denominator: usize| {
        LEVELS
            .iter()
            .map(|&level| {
                let alerts = counts.get(&level).copied().unwrap_or(0);
                LevelCount {
                    level,
                    alerts,
                    per_100_children_per_month: rate(alerts, denominator, months),
                }
            })
            .collect::<Vec<_>>()
    };
    let unseeded_suspect_or_higher: usize = unseeded_levels
        .iter()
        .filter(|(l, _)| **l >= Level::Suspect)
        .map(|(_, n)| n)
        .sum();
    let mut unseeded_rules: Vec<RuleCount> = rules
        .into_iter()
        .map(|((_, rule, level), alerts)| RuleCount {
            rule,
            level,
            alerts,
            per_100_per_month: rate(alerts, unseeded_children, months),
        })
        .collect();
    unseeded_rules.sort_by(|a, b| {
        (b.level >= Level::Suspect, b.alerts, &a.rule).cmp(&(
            a.level >= Level::Suspect,
            a.alerts,
            &b.rule,
        ))
    });
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for child in truth.children.iter().filter(|c| c.harm.is_none()) {
        *statuses.entry(child.social_care.clone()).or_default() += 1;
    }
    let unseeded_by_social_care = statuses
        .into_iter()
        .map(|(status, count)| {
            let alerts = by_social_care.get(&status).copied().unwrap_or(0);
            SocialCareCount {
                per_100_per_month: rate(alerts, count, months),
                social_care: status,
                children: count,
                suspect_or_higher: alerts,
            }
        })
        .collect();

    let mut seeded = Vec::new();
    let mut kinds: BTreeMap<TrajectoryKind, KindResult> = BTreeMap::new();
    for (index, child) in truth.children.iter().enumerate() {
        let Some(harm) = &child.harm else {
            continue;
        };
        let flag = flags.get(&index);
        let on_time = harm.visible && flag.is_some_and(|(at, _, _)| *at <= harm.flag_by);
        let kind = kinds.entry(harm.kind).or_insert(KindResult {
            kind: harm.kind,
            children: 0,
            on_time: 0,
            late: 0,
            missed: 0,
            not_visible: 0,
            on_time_at_expected_level: 0,
        });
        kind.children += 1;
        match flag {
            _ if !harm.visible => kind.not_visible += 1,
            None => kind.missed += 1,
            Some(_) if !on_time => kind.late += 1,
            Some((_, _, level)) => {
                kind.on_time += 1;
                if *level >= harm.expected_level {
                    kind.on_time_at_expected_level += 1;
                }
            }
        }
        seeded.push(SeededResult {
            child: child.key.clone(),
            kind: harm.kind,
            story: harm.story.clone(),
            flag_by: harm.flag_by,
            flagged_at: flag.map(|f| f.0),
            rule: flag.map(|f| f.1.clone()),
            level: flag.map(|f| f.2),
            on_time,
        });
    }
    let seeded_visible = truth.seeded().filter(|(_, h)| h.visible).count();
    let seeded_on_time = seeded.iter().filter(|s| s.on_time).count();
    let seeded_on_time_share = if seeded_visible == 0 {
        0.0
    } else {
        seeded_on_time as f64 / seeded_visible as f64
    };
    let noise = rate(unseeded_suspect_or_higher, unseeded_children, months);
    NoiseReport {
        children,
        seeded_children,
        unseeded_children,
        families: truth.families,
        months,
        events,
        all_children: level_counts(&all_levels, children),
        unseeded: level_counts(&unseeded_levels, unseeded_children),
        unseeded_suspect_or_higher,
        unseeded_suspect_or_higher_per_100_per_month: noise,
        unseeded_children_alerted: alerted.len(),
        unseeded_by_social_care,
        unseeded_rules,
        alert_updates,
        unattributed_alerts: unattributed,
        merged_children_alerts: merged,
        seeded_by_kind: kinds.into_values().collect(),
        seeded_visible,
        seeded_on_time,
        seeded_on_time_share,
        seeded,
        on_time_target_met: seeded_on_time_share >= ON_TIME_TARGET,
        noise_target_met: noise <= NOISE_TARGET_PER_100_PER_MONTH,
    }
}

impl NoiseReport {
    /// The report as a plain-text table for people.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} children ({} seeded, {} not) in {} families, {} months, {} events\n",
            self.children,
            self.seeded_children,
            self.unseeded_children,
            self.families,
            self.months,
            self.events
        );
        let _ = writeln!(out, "Alerts per 100 children per month, by level");
        let _ = writeln!(
            out,
            "  {:<18} {:>14} {:>14}",
            "level", "all children", "not seeded"
        );
        for (all, unseeded) in self.all_children.iter().zip(&self.unseeded) {
            let _ = writeln!(
                out,
                "  {:<18} {:>7.2} ({:>4}) {:>7.2} ({:>4})",
                all.level.label(),
                all.per_100_children_per_month,
                all.alerts,
                unseeded.per_100_children_per_month,
                unseeded.alerts
            );
        }
        let _ = writeln!(
            out,
            "\nSuspect or higher on children not seeded: {:.2} per 100 per month ({} alerts, {} children; target at most {NOISE_TARGET_PER_100_PER_MONTH}): {}",
            self.unseeded_suspect_or_higher_per_100_per_month,
            self.unseeded_suspect_or_higher,
            self.unseeded_children_alerted,
            if self.noise_target_met {
                "met"
            } else {
                "NOT MET"
            }
        );
        for s in &self.unseeded_by_social_care {
            let _ = writeln!(
                out,
                "  social care {:<17} {:>6} children {:>5} alerts {:>7.2} per 100 per month",
                s.social_care, s.children, s.suspect_or_higher, s.per_100_per_month
            );
        }
        let _ = writeln!(
            out,
            "  updates of open alerts with new evidence (all children): {}; alerts on no known child: {}; on persons who are two children: {}",
            self.alert_updates, self.unattributed_alerts, self.merged_children_alerts
        );
        let _ = writeln!(out, "\nRules on children not seeded");
        let _ = writeln!(
            out,
            "  {:<34} {:<17} {:>6} {:>15}",
            "rule", "level", "alerts", "per 100/month"
        );
        for r in &self.unseeded_rules {
            let _ = writeln!(
                out,
                "  {:<34} {:<17} {:>6} {:>15.3}",
                r.rule,
                r.level.label(),
                r.alerts,
                r.per_100_per_month
            );
        }
        let _ = writeln!(
            out,
            "\nSeeded children flagged (suspect or higher, on the trajectory's own records) by their flag-by time: {}/{} = {:.1}% (target at least {:.0}%): {}",
            self.seeded_on_time,
            self.seeded_visible,
            self.seeded_on_time_share * 100.0,
            ON_TIME_TARGET * 100.0,
            if self.on_time_target_met {
                "met"
            } else {
                "NOT MET"
            }
        );
        let _ = writeln!(
            out,
            "  {:<24} {:>8} {:>8} {:>6} {:>7} {:>12} {:>22}",
            "kind", "children", "on time", "late", "missed", "not visible", "on time at its level"
        );
        for k in &self.seeded_by_kind {
            let _ = writeln!(
                out,
                "  {:<24} {:>8} {:>8} {:>6} {:>7} {:>12} {:>22}",
                k.kind.label(),
                k.children,
                k.on_time,
                k.late,
                k.missed,
                k.not_visible,
                k.on_time_at_expected_level
            );
        }
        let not_on_time: Vec<&SeededResult> = self.seeded.iter().filter(|s| !s.on_time).collect();
        if !not_on_time.is_empty() {
            let _ = writeln!(out, "\nSeeded children not flagged on time");
            for s in not_on_time {
                let _ = writeln!(
                    out,
                    "  {} {}: {} (flag by {}; {})",
                    s.child,
                    s.kind.label(),
                    s.story,
                    s.flag_by,
                    match (&s.flagged_at, &s.rule) {
                        (Some(at), Some(rule)) => format!("flagged at {at} by {rule}"),
                        _ => "not flagged".to_string(),
                    }
                );
            }
        }
        out
    }
}
