//! What the pages show of alerts and questions, in words: levels as "Red: immediate
//! danger" (never colour alone), deadlines as RAG clocks ("due in 3 h 20 min",
//! "overdue by 2 days"), times in UK local time. Built once here so the front door, my
//! work and the child page say the same thing the same way.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use vigil_rules::alerts::{AlertStatus, Level};
use vigil_rules::front_door::{FrontDoorItem, MashOutcome};
use vigil_rules::questions::OpenQuestion;
use vigil_rules::{Alert, Casebook, FrontDoorDecision};

/// A moment as people in England read it: `Tue 14 Jun 2022, 09:05`.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned_datetime(uk())
        .strftime("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// A date as people in England read it: `14 Jun 2022`.
pub fn local_date(date: jiff::civil::Date) -> String {
    date.strftime("%-d %b %Y").to_string()
}

fn uk() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

/// How long, in the two largest units that matter: `2 days 4 h`, `3 h 20 min`, `12 min`.
pub fn span(seconds: i64) -> String {
    let seconds = seconds.unsigned_abs();
    let (days, hours, minutes) = (
        seconds / 86_400,
        (seconds % 86_400) / 3_600,
        (seconds % 3_600) / 60,
    );
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if days > 0 {
        if hours > 0 {
            format!("{} {hours} h", plural(days, "day", "days"))
        } else {
            plural(days, "day", "days")
        }
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else {
        format!("{minutes} min")
    }
}

/// The RAG clock of a deadline at `now`.
pub fn clock(deadline: Timestamp, now: Timestamp) -> (String, bool) {
    let seconds = deadline.as_second() - now.as_second();
    if seconds >= 0 {
        (format!("due in {}", span(seconds)), false)
    } else {
        (format!("overdue by {}", span(seconds)), true)
    }
}

/// A level in words with its RAG colour: the colour is never the only sign.
pub fn level(level: Level) -> (&'static str, &'static str) {
    match level {
        Level::ImmediateDanger => ("Red: immediate danger", "red"),
        Level::Suspect => ("Amber: suspect maltreatment", "amber"),
        Level::Consider => ("Green: consider maltreatment", "green"),
    }
}

/// The order alerts are worked in: red first, then amber, then green; within a level,
/// the nearest deadline first.
pub fn most_urgent_first(a: &Alert, b: &Alert) -> std::cmp::Ordering {
    b.level.cmp(&a.level).then(a.deadline.cmp(&b.deadline))
}

pub struct EvidenceView {
    pub agency: String,
    pub when: String,
    pub shows: String,
}

/// At most this many records of an alert's evidence on a card, the latest; an alert
/// that has gathered thousands (contacts piling up over years) would otherwise make
/// every page that shows it long and slow. The API lists every record.
pub const EVIDENCE_SHOWN: usize = 50;

pub struct AlertView {
    pub id: String,
    pub title: String,
    pub rule: String,
    pub rule_version: u32,
    pub citation: String,
    pub level: &'static str,
    pub colour: &'static str,
    pub child: String,
    pub child_name: String,
    pub summary: String,
    /// The latest [`EVIDENCE_SHOWN`] records of the evidence.
    pub evidence: Vec<EvidenceView>,
    /// How many records the evidence holds in all.
    pub evidence_total: usize,
    pub actions: Vec<String>,
    pub owner: &'static str,
    pub held_by: &'static str,
    pub raised: String,
    pub deadline: String,
    pub clock: String,
    pub overdue: bool,
    pub status: String,
    pub open: bool,
    pub acknowledged: bool,
    pub blocking: bool,
    /// The front door's current decision about the alert.
    pub decision: Option<DecidedView>,
    /// Its place on the front door.
    pub anchor: String,
}

impl AlertView {
    pub fn new(alert: &Alert, casebook: &Casebook) -> Self {
        Self::about(alert, casebook, casebook.display_name(&alert.subject))
    }

    /// As `new`, for a page that already knows the child's name: finding it reads
    /// every record of the child, which on a long record costs more than the rest.
    pub fn about(alert: &Alert, casebook: &Casebook, child_name: String) -> Self {
        let now = casebook.now();
        let (level, colour) = level(alert.level);
        let (clock, overdue) = match alert.status {
            AlertStatus::Open => clock(alert.deadline, now),
            _ => (String::new(), false),
        };
        let status = match &alert.status {
            AlertStatus::Open => "Open".to_string(),
            AlertStatus::Acknowledged { by, at, reason } => {
                format!("Acknowledged by {by}, {}: {reason}", local_time(*at))
            }
            AlertStatus::Closed {
                by,
                at,
                reason,
                signed_off_by,
            } => {
                let sign_off = signed_off_by
                    .as_deref()
                    .map(|m| format!(" (signed off by {m})"))
                    .unwrap_or_default();
                format!("Closed by {by}, {}{sign_off}: {reason}", local_time(*at))
            }
        };
        AlertView {
            id: alert.id.to_string(),
            title: alert.title.clone(),
            rule: alert.rule.clone(),
            rule_version: alert.rule_version,
            citation: alert.citation.clone(),
            level,
            colour,
            child: alert.subject.to_string(),
            child_name,
            summary: alert.summary.clone(),
            evidence_total: alert.evidence.len(),
            evidence: alert.evidence[alert.evidence.len().saturating_sub(EVIDENCE_SHOWN)..]
                .iter()
                .map(|e| EvidenceView {
                    agency: e.agency.to_string(),
                    when: e.occurred_at.to_string(),
                    shows: e.shows.clone(),
                })
                .collect(),
            actions: alert.actions.clone(),
            owner: alert.owner.label(),
            held_by: alert.holder_at(now, &casebook.config().deadlines).label(),
            raised: local_time(alert.raised_at),
            deadline: local_time(alert.deadline),
            clock,
            overdue,
            status,
            open: alert.is_open(),
            acknowledged: matches!(alert.status, AlertStatus::Acknowledged { .. }),
            blocking: alert.blocking,
            decision: casebook
                .front_door()
                .current(&FrontDoorItem::Alert(alert.id.clone()))
                .map(|d| DecidedView::new(d, casebook)),
            anchor: item_anchor("alert", &alert.id.0),
        }
    }
}

/// The id of an item's place on the front door (`item-alert-...`): only letters,
/// digits and hyphens, so it needs no escaping as a fragment or a CSS selector.
pub fn item_anchor(kind: &str, id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("item-{kind}-{id}")
}

/// A front-door decision in words: the outcome, why, who decided when, and who takes
/// it on by when with its clock.
pub struct DecidedView {
    /// `alert` or `referral`: what the decision is about.
    pub item_kind: &'static str,
    pub child: Option<String>,
    pub child_name: String,
    pub outcome: &'static str,
    pub rationale: String,
    pub by: String,
    pub at: String,
    /// "Sam Patel (key worker)", or empty when nothing was assigned.
    pub assigned_to: String,
    pub due: String,
    pub clock: String,
    pub overdue: bool,
}

impl DecidedView {
    pub fn new(decision: &FrontDoorDecision, casebook: &Casebook) -> Self {
        let child = vigil_rules::front_door::child_of(casebook, &decision.item);
        let item_kind = match &decision.item {
            FrontDoorItem::Alert(_) => "alert",
            FrontDoorItem::Referral(_) => "referral",
        };
        let (assigned_to, due, clock, overdue) = match &decision.assignment {
            Some(assignment) => {
                let (clock, overdue) = clock(assignment.due_by, casebook.now());
                (
                    assignment.describe(),
                    local_time(assignment.due_by),
                    clock,
                    overdue,
                )
            }
            None => Default::default(),
        };
        DecidedView {
            item_kind,
            child_name: child
                .as_ref()
                .map(|c| casebook.display_name(c))
                .unwrap_or_else(|| "(no child named)".into()),
            child,
            outcome: decision.outcome.label(),
            rationale: decision.rationale.clone(),
            by: decision.by.clone(),
            at: local_time(decision.at),
            assigned_to,
            due,
            clock,
            overdue,
        }
    }
}

/// What the decide form offers: the outcomes and the roles work is assigned to, and a
/// deadline to start from (24 hours on, the working day a MASH decides a contact in).
pub struct DecideChoices {
    pub outcomes: Vec<(&'static str, &'static str)>,
    pub roles: Vec<(String, &'static str)>,
    pub default_due: String,
}

impl DecideChoices {
    pub fn new(now: Timestamp) -> Self {
        let due = now + jiff::SignedDuration::from_hours(24);
        DecideChoices {
            outcomes: MashOutcome::ALL
                .iter()
                .map(|o| (o.as_str(), o.label()))
                .collect(),
            roles: crate::api::front_door::ASSIGNABLE
                .iter()
                .map(|r| (crate::api::front_door::role_wire_name(*r), r.label()))
                .collect(),
            default_due: due
                .to_zoned_datetime(uk())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
        }
    }
}

/// Reads a `datetime-local` field (`2026-11-26T17:00`) as UK time; `None` when it is
/// not one.
pub fn parse_local_time(text: &str) -> Option<Timestamp> {
    let civil: jiff::civil::DateTime = text.trim().parse().ok()?;
    uk().to_timestamp(civil).ok()
}

pub struct QuestionView {
    pub child: String,
    pub child_name: String,
    pub question: String,
    pub asked_by: String,
    pub owner: &'static str,
    pub due: String,
    pub clock: String,
    pub overdue: bool,
    pub answered: Option<String>,
}

impl QuestionView {
    pub fn new(question: &OpenQuestion, casebook: &Casebook) -> Self {
        let (clock, overdue) = clock(question.due_by, casebook.now());
        QuestionView {
            child: question.child.to_string(),
            child_name: casebook.display_name(&question.child),
            question: question.question.clone(),
            asked_by: question.asked_by.clone(),
            owner: question.owner.label(),
            due: local_time(question.due_by),
            clock,
            overdue,
            answered: question
                .answer
                .as_ref()
                .map(|a| format!("{} ({}): {}", a.by, local_time(a.at), a.text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_in_the_two_largest_units() {
        assert_eq!(span(12 * 60 + 5), "12 min");
        assert_eq!(span(3 * 3600 + 20 * 60), "3 h 20 min");
        assert_eq!(span(86_400), "1 day");
        assert_eq!(span(2 * 86_400 + 4 * 3600 + 59), "2 days 4 h");
        assert_eq!(span(-(2 * 86_400)), "2 days");
    }

    #[test]
    fn a_clock_says_due_or_overdue() {
        let deadline: Timestamp = "2022-06-14T12:00:00Z".parse().unwrap();
        let before: Timestamp = "2022-06-14T08:40:00Z".parse().unwrap();
        let after: Timestamp = "2022-06-16T13:00:00Z".parse().unwrap();
        assert_eq!(clock(deadline, before), ("due in 3 h 20 min".into(), false));
        assert_eq!(
            clock(deadline, after),
            ("overdue by 2 days 1 h".into(), true)
        );
    }

    #[test]
    fn a_deadline_typed_in_a_form_is_read_as_uk_time() {
        // British Summer Time: 17:00 in London is 16:00 UTC; in winter they agree.
        assert_eq!(
            parse_local_time("2022-06-14T17:00"),
            Some("2022-06-14T16:00:00Z".parse().unwrap())
        );
        assert_eq!(
            parse_local_time("2022-12-14T17:00"),
            Some("2022-12-14T17:00:00Z".parse().unwrap())
        );
        assert_eq!(parse_local_time("tomorrow"), None);
    }

    #[test]
    fn a_card_lists_the_latest_evidence_and_counts_it_all() {
        let at: Timestamp = "2022-06-14T08:05:00Z".parse().unwrap();
        let evidence = |n: usize| vigil_rules::alerts::Evidence {
            event: vigil_domain::EventId::new(),
            agency: vigil_domain::AgencyCode::parse("QGP").unwrap(),
            occurred_at: vigil_domain::time::OccurredAt::parse("2022-06-14").unwrap(),
            recorded_at: at,
            shows: format!("record {n}"),
            noted_at: None,
        };
        let alert = |records: usize| Alert {
            id: vigil_rules::AlertId("A.1".into()),
            rule: "contacts-without-change".into(),
            rule_version: 1,
            title: "Contacts".into(),
            citation: "Munro".into(),
            level: Level::Consider,
            subject: "C.0".into(),
            summary: "many contacts".into(),
            evidence: (0..records).map(evidence).collect(),
            actions: Vec::new(),
            owner: vigil_rules::OwnerRole::TeamManager,
            notify: Vec::new(),
            due_since: at,
            raised_at: at,
            updated_at: at,
            deadline: at,
            blocking: false,
            status: AlertStatus::Open,
            history: Vec::new(),
        };
        let casebook = Casebook::new(
            vigil_linkage::LinkageModel::default_model(),
            vigil_rules::RulesConfig::default(),
        );
        let long = AlertView::about(&alert(120), &casebook, "A child".into());
        assert_eq!(long.evidence_total, 120);
        let shown: Vec<&str> = long.evidence.iter().map(|e| e.shows.as_str()).collect();
        assert_eq!(shown.len(), EVIDENCE_SHOWN);
        assert_eq!(shown[0], "record 70");
        assert_eq!(shown[EVIDENCE_SHOWN - 1], "record 119");
        let short = AlertView::about(&alert(3), &casebook, "A child".into());
        assert_eq!((short.evidence_total, short.evidence.len()), (3, 3));
    }

    #[test]
    fn times_are_shown_in_uk_local_time() {
        // British Summer Time: 08:05 UTC is 09:05 in London.
        let at: Timestamp = "2022-06-14T08:05:00Z".parse().unwrap();
        assert_eq!(local_time(at), "Tue 14 Jun 2022, 09:05");
    }
}
