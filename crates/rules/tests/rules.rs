//! Each rule on its positive cases and its near misses, on small fictional records
//! built here. The casebook is driven exactly as in production: events in the order
//! recorded, the clock advanced between them.

use jiff::Timestamp;
use serde_json::{Value, json};
use vigil_domain::AgencyCode;
use vigil_domain::event::{EventId, Limits, parse_event};
use vigil_linkage::LinkageModel;
use vigil_rules::config::AgencyEntry;
use vigil_rules::{AlertResponse, CaseEvent, Casebook, RulesConfig};

fn model() -> LinkageModel {
    LinkageModel::default_model()
}

fn config() -> RulesConfig {
    let mut config = RulesConfig::default();
    for (code, sector) in [
        ("QCS", "social_care"),
        ("QGP", "health"),
        ("QAE", "health"),
        ("QPOL", "police"),
        ("QLEG", "legal"),
        ("QCDC", "health"),
    ] {
        config.agencies.insert(
            code.to_string(),
            toml::from_str::<AgencyEntry>(&format!("sector = \"{sector}\"")).unwrap(),
        );
    }
    config
}

/// A valid NHS number in the 999 test range, made from a seed.
fn nhs(seed: u32) -> String {
    (0..1000u32)
        .map(|i| format!("999{:06}", (seed * 7919 + i) % 1_000_000))
        .find_map(|nine| {
            let sum: u32 = nine
                .chars()
                .enumerate()
                .map(|(i, c)| c.to_digit(10).unwrap() * (10 - i as u32))
                .sum();
            let check = 11 - sum % 11;
            match check {
                11 => Some(format!("{nine}0")),
                10 => None,
                d => Some(format!("{nine}{d}")),
            }
        })
        .unwrap()
}

const HOME: &str = "12 Quillon Road, Testwick QZ7 5DX";

fn child(dob: &str) -> Value {
    json!({ "role": "subject_child", "name": "ZEBEDEE, Tom", "date_of_birth": dob,
            "nhs_number": nhs(1), "addresses": [HOME] })
}

fn mother() -> Value {
    json!({ "role": "parent", "name": "ZEBEDEE, Mary", "relationship": "mother",
            "date_of_birth": "1990-02-03", "addresses": [HOME] })
}

struct Case {
    events: Vec<CaseEvent>,
}

impl Case {
    fn new() -> Case {
        Case { events: Vec::new() }
    }

    /// Adds an event recorded at noon UK time on `date`.
    fn add(
        &mut self,
        agency: &str,
        date: &str,
        kind: &str,
        details: Value,
        people: Vec<Value>,
    ) -> &mut Case {
        let n = self.events.len() + 1;
        let value = json!({
            "agency": agency, "source_system": "TEST", "source_id": format!("T-{n}"),
            "occurred_at": date, "recorded_at": format!("{date}T12:00:00+01:00"),
            "kind": kind, "details": details, "people": people,
        });
        let far: Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
        let event = parse_event(&value, "", far, &Limits::default()).unwrap();
        self.events.push(CaseEvent {
            id: EventId(uuid::Uuid::from_u128(n as u128)),
            recorded_at: event.recorded_at.unwrap(),
            event,
        });
        self
    }

    /// Adds an injury observation about the child (born `born`), with the mother.
    fn injury(&mut self, agency: &str, date: &str, born: &str, injury: Value) -> &mut Case {
        self.add(
            agency,
            date,
            "injury_observation",
            injury,
            vec![child(born), mother()],
        )
    }

    fn fires(&self, when: &str, rule: &str) -> bool {
        self.rules_fired(when).iter().any(|r| r == rule)
    }

    fn at(&self, when: &str) -> Casebook {
        let at: Timestamp = vigil_domain::time::OccurredAt::parse(when).unwrap().start();
        vigil_rules::replay(&self.events, model(), config(), at)
    }

    fn rules_fired(&self, when: &str) -> Vec<String> {
        let casebook = self.at(when);
        let mut rules: Vec<String> = casebook
            .alerts()
            .all()
            .iter()
            .map(|a| a.rule.clone())
            .collect();
        rules.sort();
        rules.dedup();
        rules
    }
}

fn injury(site: &str, kind: &str, explanation: Option<&str>, opinion: &str) -> Value {
    let explanations: Vec<Value> = explanation
        .map(|t| vec![json!({ "given_by": "mother", "text": t })])
        .unwrap_or_default();
    json!({ "injuries": [{ "body_site": site, "injury_type": kind,
        "explanations": explanations, "recorder_opinion": opinion }] })
}

#[test]
fn a_mobile_toddlers_shin_bruise_with_a_consistent_explanation_raises_nothing() {
    let mut case = Case::new();
    case.add(
        "QGP",
        "2024-05-10",
        "injury_observation",
        injury(
            "shin",
            "bruise",
            Some("fell in the park"),
            "consistent_with_explanation",
        ),
        vec![child("2021-03-01"), mother()],
    );
    assert_eq!(case.rules_fired("2024-05-20"), Vec::<String>::new());
}

#[test]
fn a_bruise_in_a_baby_who_is_not_mobile_is_flagged_at_once() {
    let mut case = Case::new();
    case.add(
        "QGP",
        "2024-05-10",
        "injury_observation",
        injury(
            "cheek",
            "bruise",
            Some("rolled over"),
            "consistent_with_explanation",
        ),
        vec![child("2024-01-01"), mother()],
    );
    let casebook = case.at("2024-05-10T12:00");
    let alert = &casebook.alerts().all()[0];
    assert_eq!(alert.rule, "injury-not-independently-mobile");
    assert_eq!(alert.owner, vigil_rules::OwnerRole::HealthSafeguardingLead);
    // The same bruise at 14 months (mobile) is not flagged by this rule.
    let mut older = Case::new();
    older.add(
        "QGP",
        "2024-05-10",
        "injury_observation",
        injury(
            "cheek",
            "bruise",
            Some("fell over"),
            "consistent_with_explanation",
        ),
        vec![child("2023-03-01"), mother()],
    );
    assert!(!older.fires("2024-05-20", "injury-not-independently-mobile"));
}

#[test]
fn repeat_injuries_within_the_window_and_not_beyond() {
    let mut near = Case::new();
    near.injury(
        "QGP",
        "2024-01-10",
        "2021-03-01",
        injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    near.injury(
        "QAE",
        "2024-03-01",
        "2021-03-01",
        injury("leg", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    assert!(near.fires("2024-03-02", "repeat-injury"));
    let mut far = Case::new();
    far.injury(
        "QGP",
        "2024-01-10",
        "2021-03-01",
        injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    far.injury(
        "QAE",
        "2024-06-01",
        "2021-03-01",
        injury("leg", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    assert!(!far.fires("2024-06-02", "repeat-injury"));
}

#[test]
fn head_injuries_seen_by_two_agencies_but_not_by_one() {
    let mut two = Case::new();
    two.injury(
        "QGP",
        "2024-02-01",
        "2021-03-01",
        injury("ear", "bruise", Some("fell"), "uncertain"),
    );
    two.injury(
        "QAE",
        "2024-02-08",
        "2021-03-01",
        injury("scalp", "swelling", Some("fell"), "uncertain"),
    );
    assert!(two.fires("2024-02-09", "head-injuries-two-agencies"));
    let mut one = Case::new();
    one.injury(
        "QGP",
        "2024-02-01",
        "2021-03-01",
        injury("ear", "bruise", Some("fell"), "uncertain"),
    );
    one.injury(
        "QGP",
        "2024-02-08",
        "2021-03-01",
        injury("scalp", "swelling", Some("fell"), "uncertain"),
    );
    assert!(!one.fires("2024-02-09", "head-injuries-two-agencies"));
}

fn on_plan(case: &mut Case, date: &str) {
    case.add(
        "QCS",
        date,
        "plan_start",
        json!({ "plan": "child_protection", "category": "neglect" }),
        vec![child("2021-03-01"), mother()],
    );
}

#[test]
fn injury_to_a_child_on_a_plan_goes_to_the_key_worker_at_once() {
    let mut case = Case::new();
    on_plan(&mut case, "2024-01-05");
    case.add(
        "QGP",
        "2024-02-01",
        "injury_observation",
        injury(
            "shin",
            "bruise",
            Some("fell in the park"),
            "consistent_with_explanation",
        ),
        vec![child("2021-03-01"), mother()],
    );
    let casebook = case.at("2024-02-01T12:30");
    let alert = casebook
        .alerts()
        .all()
        .iter()
        .find(|a| a.rule == "injury-on-plan")
        .expect("flagged");
    assert_eq!(alert.level, vigil_rules::Level::ImmediateDanger);
    assert!(alert.deadline <= "2024-02-01T16:00:00Z".parse().unwrap());
}

#[test]
fn no_legal_planning_meeting_by_the_tenth_working_day() {
    let mut case = Case::new();
    // Friday 7 June 2024 + 10 working days = Friday 21 June.
    case.add(
        "QLEG",
        "2024-06-07",
        "legal_advice",
        json!({ "advice": "threshold met", "recommends_proceedings": true }),
        vec![child("2021-03-01")],
    );
    assert!(!case.fires("2024-06-20T23:00", "legal-planning-meeting-overdue"));
    let fired = case.at("2024-06-21T10:00");
    let alert = fired
        .alerts()
        .all()
        .iter()
        .find(|a| a.rule == "legal-planning-meeting-overdue")
        .expect("flagged on the tenth working day");
    assert_eq!(
        alert.due_since,
        "2024-06-21T08:00:00Z".parse::<Timestamp>().unwrap()
    );
    // A meeting held on the fifth working day keeps it quiet.
    case.add(
        "QLEG",
        "2024-06-14",
        "legal_planning_meeting",
        json!({ "status": "held" }),
        vec![child("2021-03-01")],
    );
    assert!(!case.fires("2024-07-01", "legal-planning-meeting-overdue"));
}

#[test]
fn an_unknown_adult_at_the_home_until_social_care_records_them() {
    let friend = json!({ "role": "next_of_kin", "name": "QUARLES, Dean", "date_of_birth": "1988-04-05",
        "relationship": "friend", "addresses": [HOME] });
    let mut case = Case::new();
    case.add(
        "QCS",
        "2024-01-05",
        "home_visit",
        json!({ "outcome": "child_seen" }),
        vec![child("2021-03-01"), mother()],
    );
    case.add(
        "QAE",
        "2024-02-01",
        "form_submitted",
        json!({ "form": "admission registration" }),
        vec![child("2021-03-01"), mother(), friend.clone()],
    );
    let casebook = case.at("2024-02-02");
    assert!(
        casebook
            .alerts()
            .all()
            .iter()
            .any(|a| a.rule == "unknown-adult-at-home")
    );
    assert!(
        casebook
            .questions()
            .all()
            .iter()
            .any(|q| q.question.contains("QUARLES") || q.question.contains("Dean"))
    );
    // Known to social care as a household member: no alert.
    let mut known = Case::new();
    let mut member = friend.clone();
    member["role"] = json!("household_member");
    known.add(
        "QCS",
        "2024-01-05",
        "home_visit",
        json!({ "outcome": "child_seen" }),
        vec![child("2021-03-01"), mother(), member],
    );
    known.add(
        "QAE",
        "2024-02-01",
        "form_submitted",
        json!({ "form": "admission registration" }),
        vec![child("2021-03-01"), mother(), friend],
    );
    assert!(!known.fires("2024-02-02", "unknown-adult-at-home"));
}

#[test]
fn police_at_the_home_of_a_child_on_a_plan_but_not_elsewhere() {
    let adult = json!({ "role": "suspect", "name": "QUINTON, Roy", "date_of_birth": "1980-01-01" });
    let mut home = Case::new();
    on_plan(&mut home, "2024-01-05");
    home.add("QPOL", "2024-03-01", "police_incident", json!({ "incident_type": "disturbance", "location": "12 Quillon Avenue, Testwick QZ7 5DX" }), vec![adult.clone()]);
    assert!(home.fires("2024-03-02", "police-at-home-on-plan"));
    let mut elsewhere = Case::new();
    on_plan(&mut elsewhere, "2024-01-05");
    elsewhere.add(
        "QPOL",
        "2024-03-01",
        "police_incident",
        json!({ "incident_type": "disturbance", "location": "14 Quillon Road, Testwick QZ7 5DX" }),
        vec![adult],
    );
    assert!(!elsewhere.fires("2024-03-02", "police-at-home-on-plan"));
}

#[test]
fn a_child_not_seen_three_times_but_not_twice() {
    let mut case = Case::new();
    for date in ["2024-03-01", "2024-03-20"] {
        case.add(
            "QCS",
            date,
            "home_visit",
            json!({ "outcome": "no_access" }),
            vec![child("2021-03-01"), mother()],
        );
    }
    assert!(!case.fires("2024-03-21", "child-not-seen"));
    case.add(
        "QCS",
        "2024-04-10",
        "home_visit",
        json!({ "outcome": "child_not_seen" }),
        vec![child("2021-03-01"), mother()],
    );
    assert!(case.fires("2024-04-11", "child-not-seen"));
}

#[test]
fn routine_triage_only_matters_for_a_child_on_a_plan() {
    let referral = json!({ "reason": "development", "triaged_as": "routine", "child_protection_status_recorded": false });
    let mut off = Case::new();
    off.add(
        "QCDC",
        "2024-03-01",
        "referral",
        referral.clone(),
        vec![child("2021-03-01")],
    );
    assert!(!off.fires("2024-03-02", "routine-triage-on-plan"));
    let mut on = Case::new();
    on_plan(&mut on, "2024-01-05");
    on.add(
        "QCDC",
        "2024-03-01",
        "referral",
        referral,
        vec![child("2021-03-01")],
    );
    assert!(on.fires("2024-03-02", "routine-triage-on-plan"));
    // Two weeks with no assessment by the service that received it.
    assert!(!on.fires("2024-03-14", "assessment-not-done"));
    assert!(on.fires("2024-03-15T10:00", "assessment-not-done"));
}

#[test]
fn an_alert_that_fires_again_is_updated_not_repeated() {
    let mut case = Case::new();
    on_plan(&mut case, "2024-01-05");
    for (i, date) in ["2024-02-01", "2024-02-20", "2024-03-10"]
        .iter()
        .enumerate()
    {
        case.add(
            if i % 2 == 0 { "QGP" } else { "QAE" },
            date,
            "injury_observation",
            injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
            vec![child("2021-03-01"), mother()],
        );
    }
    let casebook = case.at("2024-03-11");
    let on_plan: Vec<_> = casebook
        .alerts()
        .all()
        .iter()
        .filter(|a| a.rule == "injury-on-plan")
        .collect();
    assert_eq!(on_plan.len(), 1);
    assert_eq!(on_plan[0].evidence.len(), 3);
}

#[test]
fn closing_a_suspect_alert_needs_a_reason_and_a_managers_sign_off() {
    let mut case = Case::new();
    case.injury(
        "QGP",
        "2024-05-10",
        "2024-01-01",
        injury("cheek", "bruise", None, "concern"),
    );
    let mut casebook = case.at("2024-05-11");
    let id = casebook.alerts().all()[0].id.clone();
    let at = casebook.now();
    let ledger = casebook.alerts_mut();
    assert!(
        ledger
            .close(&id, "a worker", "", Some("a manager"), at)
            .is_err()
    );
    assert!(
        ledger
            .close(&id, "a worker", "seen by paediatrician", None, at)
            .is_err()
    );
    ledger
        .close(
            &id,
            "a worker",
            "seen by paediatrician; accidental",
            Some("a manager"),
            at,
        )
        .unwrap();
    assert!(!ledger.all()[0].is_open());
}

#[test]
fn replay_is_deterministic_and_depends_only_on_what_was_recorded_by_then() {
    let mut case = Case::new();
    on_plan(&mut case, "2024-01-05");
    case.injury(
        "QGP",
        "2024-02-01",
        "2021-03-01",
        injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    case.injury(
        "QAE",
        "2024-03-01",
        "2021-03-01",
        injury("ear", "bruise", None, "concern"),
    );
    let a = case.at("2024-02-15");
    let b = case.at("2024-02-15");
    assert_eq!(a.alerts().all(), b.alerts().all());
    assert!(
        a.alerts()
            .all()
            .iter()
            .all(|al| al.raised_at <= "2024-02-15T00:00:00Z".parse().unwrap())
    );
    let later = case.at("2024-03-02");
    assert!(later.alerts().all().len() >= a.alerts().all().len());
}

#[test]
fn the_agencies_whose_records_raised_an_alert_hear_what_was_done() {
    let mut case = Case::new();
    case.injury(
        "QGP",
        "2024-05-10",
        "2024-01-01",
        injury("cheek", "bruise", None, "concern"),
    );
    let mut casebook = case.at("2024-05-11");
    let alert = casebook.alerts().all()[0].clone();
    assert_eq!(alert.notify, vec![AgencyCode::parse("QGP").unwrap()]);
    let response = |close: bool, signed_off_by: Option<&str>| AlertResponse {
        alert: alert.id.0.clone(),
        close,
        by: "duty social worker".to_string(),
        reason: "strategy discussion held".to_string(),
        signed_off_by: signed_off_by.map(str::to_string),
        at: "2024-05-11T10:00:00Z".parse().unwrap(),
    };
    // A refused close (no sign-off) tells nobody anything.
    assert!(casebook.act(&response(true, None)).is_err());
    assert!(casebook.notices().is_empty());

    casebook.act(&response(false, None)).unwrap();
    casebook.act(&response(true, Some("team manager"))).unwrap();
    let notices = casebook.notices();
    assert_eq!(notices.len(), 2);
    assert!(notices.iter().all(|n| n.agency.as_str() == "QGP"));
    assert_eq!(notices[0].action, "acknowledged");
    assert_eq!(notices[1].action, "closed");
    assert_eq!(notices[1].signed_off_by.as_deref(), Some("team manager"));
    let told = casebook
        .derivations()
        .iter()
        .filter(|d| d.kind() == "agency_notified")
        .count();
    assert_eq!(told, 2);
}

#[test]
fn every_conclusion_has_its_own_key_and_a_replay_reaches_the_same_keys() {
    let mut case = Case::new();
    on_plan(&mut case, "2024-01-05");
    case.injury(
        "QGP",
        "2024-02-01",
        "2021-03-01",
        injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    let keys = |casebook: &Casebook| -> Vec<String> {
        casebook.derivations().iter().map(|d| d.key()).collect()
    };
    let first = keys(&case.at("2024-03-01"));
    let again = keys(&case.at("2024-03-01"));
    assert_eq!(first, again);
    let distinct: std::collections::BTreeSet<_> = first.iter().collect();
    assert_eq!(distinct.len(), first.len(), "two conclusions share a key");
    assert!(first.len() >= 4, "linkage, places and an alert at least");
}

#[test]
fn a_front_door_decision_needs_a_rationale_and_an_owner_and_acts_on_the_alert() {
    use vigil_rules::front_door::{
        Assignment, FrontDoorError, FrontDoorItem, MashOutcome, child_of, is_outstanding,
    };
    use vigil_rules::{AlertStatus, FrontDoorDecision, OwnerRole};
    let mut case = Case::new();
    case.injury(
        "QGP",
        "2024-05-10",
        "2024-01-01",
        injury("cheek", "bruise", None, "concern"),
    );
    case.add(
        "QGP",
        "2024-05-10",
        "referral",
        json!({ "reason": "bruise on a baby", "urgency": "urgent" }),
        vec![child("2024-01-01"), mother()],
    );
    let mut casebook = case.at("2024-05-11");
    let alert = casebook.alerts().all()[0].clone();
    let referral = case.events[1].id;
    let at: Timestamp = "2024-05-11T10:00:00Z".parse().unwrap();
    let due = |hours: i64| Assignment {
        role: OwnerRole::KeyWorker,
        person: Some("sam.key".into()),
        person_name: Some("Sam Keyworker".into()),
        due_by: at + jiff::SignedDuration::from_hours(hours),
    };
    let decision = |item: FrontDoorItem,
                    outcome: MashOutcome,
                    rationale: &str,
                    assignment: Option<Assignment>,
                    minutes: i64| FrontDoorDecision {
        item,
        outcome,
        rationale: rationale.to_string(),
        assignment,
        by_id: "ana".into(),
        by: "Ana Analyst".into(),
        at: at + jiff::SignedDuration::from_mins(minutes),
    };
    let on_alert = FrontDoorItem::Alert(alert.id.clone());

    // Refused, changing nothing: no rationale, no owner for a strategy discussion, a
    // deadline before the decision, an unknown referral.
    let refusals = [
        (
            decision(
                on_alert.clone(),
                MashOutcome::EarlyHelp,
                " ",
                Some(due(24)),
                0,
            ),
            FrontDoorError::RationaleRequired,
        ),
        (
            decision(
                on_alert.clone(),
                MashOutcome::StrategyDiscussion,
                "serious",
                None,
                0,
            ),
            FrontDoorError::AssignmentRequired("Strategy discussion / s47 enquiry"),
        ),
        (
            decision(
                on_alert.clone(),
                MashOutcome::EarlyHelp,
                "support",
                Some(due(-1)),
                0,
            ),
            FrontDoorError::DeadlineNotAfterDecision(due(-1).due_by, at),
        ),
    ];
    for (wrong, error) in refusals {
        assert_eq!(casebook.check_front_door(&wrong), Err(error.clone()));
        assert_eq!(casebook.decide_front_door(&wrong), Err(error));
    }
    let unknown = FrontDoorItem::Referral(EventId(uuid::Uuid::from_u128(99)));
    assert!(matches!(
        casebook.decide_front_door(&decision(
            unknown,
            MashOutcome::NoFurtherAction,
            "x",
            None,
            0
        )),
        Err(FrontDoorError::NoSuchReferral(_))
    ));
    assert!(casebook.front_door().all().is_empty());
    assert!(matches!(
        casebook.alerts().get(&alert.id).unwrap().status,
        AlertStatus::Open
    ));

    // Decided: the alert is acknowledged with the decision, and the agency told.
    let first = decision(
        on_alert.clone(),
        MashOutcome::StrategyDiscussion,
        "bruise on a baby, no explanation",
        Some(due(24)),
        0,
    );
    casebook.decide_front_door(&first).unwrap();
    let AlertStatus::Acknowledged { by, reason, .. } =
        &casebook.alerts().get(&alert.id).unwrap().status
    else {
        panic!("a decision acknowledges the alert")
    };
    assert_eq!(by, "Ana Analyst");
    assert_eq!(
        reason,
        "MASH decision: Strategy discussion / s47 enquiry: bruise on a baby, no explanation; \
         assigned to Sam Keyworker (key worker), due by 12 May 2024, 11:00 (UK time)"
    );
    assert_eq!(casebook.notices().len(), 1);
    assert!(is_outstanding(&casebook, &first));

    // A second decision is noted in the history and becomes the current one.
    let second = decision(
        on_alert.clone(),
        MashOutcome::ChildInNeedAssessment,
        "no s47: assess needs",
        Some(due(48)),
        30,
    );
    let history = casebook.alerts().get(&alert.id).unwrap().history.len();
    casebook.decide_front_door(&second).unwrap();
    let alert_now = casebook.alerts().get(&alert.id).unwrap();
    assert_eq!(alert_now.history.len(), history + 1);
    assert!(
        alert_now
            .history
            .last()
            .unwrap()
            .what
            .contains("Child in need assessment")
    );
    assert_eq!(casebook.notices().len(), 1, "acknowledged once");
    assert_eq!(casebook.front_door().current(&on_alert), Some(&second));
    assert_eq!(casebook.front_door().current_decisions(), vec![&second]);

    // The referral is about the same child, found through linkage.
    let on_referral = FrontDoorItem::Referral(referral);
    assert_eq!(
        child_of(&casebook, &on_referral),
        Some(alert.subject.clone())
    );
    casebook
        .decide_front_door(&decision(
            on_referral,
            MashOutcome::NoFurtherAction,
            "the same concern as the alert, decided there",
            None,
            40,
        ))
        .unwrap();
    assert_eq!(casebook.front_door().current_decisions().len(), 2);

    // Once the alert is closed its assignment is done, and it takes no decision.
    casebook
        .act(&AlertResponse {
            alert: alert.id.0.clone(),
            close: true,
            by: "duty manager".into(),
            reason: "assessment allocated".into(),
            signed_off_by: Some("team manager".into()),
            at: at + jiff::SignedDuration::from_mins(50),
        })
        .unwrap();
    assert!(!is_outstanding(&casebook, &second));
    assert!(matches!(
        casebook.decide_front_door(&decision(
            on_alert,
            MashOutcome::EarlyHelp,
            "late",
            Some(due(72)),
            60
        )),
        Err(FrontDoorError::AlertClosed(_))
    ));
}

#[test]
fn each_event_is_one_entry_of_the_childs_record_however_many_ways_it_concerns_the_child() {
    let mut case = Case::new();
    // The child named, with the mother (a carer), both at the home.
    case.injury(
        "QGP",
        "2024-02-01",
        "2021-03-01",
        injury("arm", "bruise", Some("fell"), "consistent_with_explanation"),
    );
    // The mother alone, at the home: a carer's record and an event at the child's home.
    for date in ["2024-02-10", "2024-02-20"] {
        case.add(
            "QCS",
            date,
            "home_visit",
            json!({ "outcome": "child_seen" }),
            vec![mother()],
        );
    }
    let casebook = case.at("2024-03-01");
    let id = |n: u128| EventId(uuid::Uuid::from_u128(n));
    let person = |record: String| casebook.person_of_record(&record).unwrap().to_string();
    let (child, mother) = (
        person(format!("{}.0", id(1))),
        person(format!("{}.1", id(1))),
    );
    let record = vigil_rules::child::ChildRecord::build(&casebook, &child, casebook.now());
    let entries: Vec<(EventId, &str)> = record
        .entries
        .iter()
        .map(|e| {
            let concern = match e.concern {
                vigil_rules::child::Concern::Named { .. } => "named",
                vigil_rules::child::Concern::Carer { .. } => "carer",
                vigil_rules::child::Concern::AtHome { .. } => "at home",
            };
            (e.event.id, concern)
        })
        .collect();
    assert_eq!(
        entries,
        vec![(id(1), "named"), (id(2), "carer"), (id(3), "carer")],
        "each event once, by the first way it concerns the child"
    );
    // The mother was never a child; the child always was.
    assert!(!casebook.was_ever_child(&mother));
    assert!(casebook.was_ever_child(&child));
    let childhood = casebook.childhood(&child);
    for date in ["2021-03-01", "2039-02-28", "2039-03-01"] {
        let date: jiff::civil::Date = date.parse().unwrap();
        assert_eq!(
            childhood.is_child_on(date),
            casebook.is_child(&child, date),
            "{date}"
        );
    }
    assert!(childhood.is_child_on("2039-02-28".parse().unwrap()));
    assert!(!childhood.is_child_on("2039-03-01".parse().unwrap()));
}
