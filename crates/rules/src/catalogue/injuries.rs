//! Rules about injuries: NICE CG89's alerting features for bruising and injury, and the
//! cross-agency patterns that no single agency sees (repeat injuries, head injuries seen
//! by two services, a growing count of episodes).

use std::collections::BTreeSet;

use vigil_domain::agency::Sector;
use vigil_domain::body_map::{BodyRegion, InjuryType, RecorderOpinion};
use vigil_domain::event::details::EventDetails;

use super::{Evaluation, Rule, agencies_of, finding};
use crate::alerts::{Evidence, Finding, Level, OwnerRole};
use crate::calendar::days_between;
use crate::child::{ChildRecord, InjuryEpisode};
use crate::config::RulesConfig;

pub(super) fn episode_evidence(episode: &InjuryEpisode<'_>) -> Vec<Evidence> {
    episode
        .events()
        .into_iter()
        .map(|event| {
            let sites: Vec<String> = episode
                .injuries
                .iter()
                .filter(|(e, _)| e.id == event.id)
                .map(|(_, i)| format!("{:?} to {:?}", i.injury_type, i.body_site).to_lowercase())
                .collect();
            Evidence {
                event: event.id,
                agency: event.event.agency.clone(),
                occurred_at: event.event.occurred_at,
                recorded_at: event.recorded_at,
                shows: format!("{} recorded {}", event.event.agency, sites.join(", ")),
                noted_at: None,
            }
        })
        .collect()
}

pub(super) fn latest_recorded(evidence: &[Evidence]) -> jiff::Timestamp {
    evidence
        .iter()
        .map(|e| e.recorded_at)
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Health findings go to the recording health service's safeguarding lead; others to
/// the child's key worker.
fn owner_for(evidence: &[Evidence], config: &RulesConfig) -> OwnerRole {
    match evidence.last() {
        Some(e) if config.sector(&e.agency) == Sector::Health => OwnerRole::HealthSafeguardingLead,
        _ => OwnerRole::KeyWorker,
    }
}

pub const NOT_INDEPENDENTLY_MOBILE: Rule = Rule {
    id: "injury-not-independently-mobile",
    version: 1,
    title: "Bruising or injury in a child who is not independently mobile",
    citation: "NICE CG89 recommendation 1.1.2 (bruising), as clarified in December 2025: a child is independently mobile once crawling, cruising, bottom-shuffling or walking; Child Safeguarding Practice Review Panel, 'Bruising in non-mobile infants' (2022)",
    fires_when: "An injury is recorded in a child younger than the presumed-mobility age (9 months by default).",
    level: Level::Suspect,
    owner: OwnerRole::HealthSafeguardingLead,
    blocking: false,
    evaluate: not_independently_mobile,
};

fn not_independently_mobile(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let limit = config.injuries.presumed_not_mobile_under_months;
    let mut evidence = Vec::new();
    for episode in &record.episodes {
        if record
            .age_months(episode.start)
            .is_some_and(|age| age < limit)
        {
            evidence.extend(episode_evidence(episode));
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    let age = record
        .episodes
        .iter()
        .rev()
        .find_map(|e| record.age_months(e.start).filter(|&a| a < limit))
        .unwrap_or(0);
    Evaluation::found(Finding {
        owner: Some(owner_for(&evidence, config)),
        ..finding(
            record,
            format!(
                "{} was injured at {age} months, an age at which a child is presumed not independently mobile. Accidental bruising is rare in such a child.",
                record.name
            ),
            vec![
                "Arrange a same-day child protection medical by a paediatrician.".into(),
                "Refer to children's social care before the child leaves.".into(),
                "Record who gave each explanation, in their words.".into(),
            ],
            evidence,
        )
    })
}

pub const REPEAT_INJURY: Rule = Rule {
    id: "repeat-injury",
    version: 1,
    title: "Repeat injury within a short time",
    citation: "NICE CG89 section 1.1 (physical features) and 1.2 (repeated presentation with injuries); serious case reviews' recurring lesson that each agency saw one injury",
    fires_when: "A second injury episode begins within the repeat window (90 days by default) of the previous one.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: repeat_injury,
};

fn repeat_injury(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let window = config.injuries.repeat_window_days;
    let mut evidence = Vec::new();
    let mut pairs = 0;
    for pair in record.episodes.windows(2) {
        if days_between(pair[0].end, pair[1].start) <= window {
            pairs += 1;
            for e in episode_evidence(&pair[0])
                .into_iter()
                .chain(episode_evidence(&pair[1]))
            {
                if !evidence.iter().any(|x: &Evidence| x.event == e.event) {
                    evidence.push(e);
                }
            }
        }
    }
    if pairs == 0 {
        return Evaluation::none();
    }
    let agencies: BTreeSet<String> = evidence.iter().map(|e| e.agency.to_string()).collect();
    Evaluation::found(finding(
        record,
        format!(
            "{} has had injury episodes within {window} days of each other, recorded by {}. Each service may have seen only one.",
            record.name,
            agencies.into_iter().collect::<Vec<_>>().join(", ")
        ),
        vec![
            "Share the full injury history with every agency involved.".into(),
            "Consider a strategy discussion.".into(),
        ],
        evidence,
    ))
}

pub const INJURY_ON_PLAN: Rule = Rule {
    id: "injury-on-plan",
    version: 1,
    title: "Injury to a child on a child protection plan",
    citation: "Working Together to Safeguard Children 2023, chapter 4 (child protection plans: any new concern is shared with the lead practitioner at once); NICE CG89 section 1.1",
    fires_when: "Any injury is recorded in a child while a child protection plan is in force.",
    level: Level::ImmediateDanger,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: injury_on_plan,
};

fn injury_on_plan(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let mut evidence = Vec::new();
    let mut admitted = false;
    for episode in record.episodes.iter().filter(|e| record.on_plan(e.start)) {
        evidence.extend(episode_evidence(episode));
        // An admission recorded alongside the injuries.
        admitted |= record.entries.iter().any(|entry| {
            matches!(
                entry.event.event.details,
                EventDetails::HospitalAdmission(_)
            ) && entry.is_named()
                && days_between(episode.start, entry.date()).abs() <= 1
        });
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    let mut actions = vec![
        "Tell the child's key worker today.".into(),
        "A full child protection medical is mandatory; an examination not completed must be escalated.".into(),
    ];
    if admitted {
        actions.push(
            "Hold a strategy discussion and notify the police before the child is discharged."
                .into(),
        );
    }
    Evaluation::found(finding(
        record,
        format!(
            "{} is on a child protection plan and a new injury has been recorded ({}).",
            record.name,
            record
                .episodes
                .last()
                .map(|e| e.describe())
                .unwrap_or_default()
        ),
        actions,
        evidence,
    ))
}

pub const HEAD_INJURIES_TWO_AGENCIES: Rule = Rule {
    id: "head-injuries-two-agencies",
    version: 1,
    title: "Head, face or ear injuries recorded by two agencies",
    citation: "NICE CG89 section 1.1 (bruising on the head, face and ears; intracranial injury); Child Safeguarding Practice Review Panel annual reports on head injuries in infants",
    fires_when: "Injuries to the head, face, ears or neck are recorded by two or more agencies within the window (14 days by default).",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: head_injuries_two_agencies,
};

fn head_injuries_two_agencies(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let window = config.injuries.head_injury_window_days;
    let head: Vec<_> = record
        .episodes
        .iter()
        .flat_map(|e| e.injuries.iter())
        .filter(|(_, i)| i.body_site.region() == BodyRegion::HeadFaceEarsNeck)
        .collect();
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut latest_on_plan = false;
    for (i, (event, _)) in head.iter().enumerate() {
        let date = event.event.occurred_at.date();
        let others = head[..i].iter().filter(|(other, _)| {
            other.event.agency != event.event.agency
                && days_between(other.event.occurred_at.date(), date) <= window
        });
        let mut any = false;
        for (other, _) in others {
            any = true;
            for e in [*other, *event] {
                if !evidence.iter().any(|x| x.event == e.id) {
                    evidence.push(Evidence {
                        event: e.id,
                        agency: e.event.agency.clone(),
                        occurred_at: e.event.occurred_at,
                        recorded_at: e.recorded_at,
                        shows: format!("{} recorded a head, face or ear injury", e.event.agency),
                        noted_at: None,
                    });
                }
            }
        }
        if any {
            latest_on_plan = record.on_plan(date);
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(Finding { level: latest_on_plan.then_some(Level::ImmediateDanger), ..finding(record, format!(
            "Injuries to {}'s head, face or ears were recorded by {} agencies within {window} days.",
            record.name,
            agencies_of(&evidence).len()
        ), vec![
            "Hold an urgent strategy discussion.".into(),
            "Arrange a full child protection medical, with a skeletal survey for a child under two.".into(),
        ], evidence) })
}

pub const SERIOUS_INJURY_UNEXPLAINED: Rule = Rule {
    id: "serious-injury-unexplained",
    version: 1,
    title: "Fracture, burn or scald with no suitable explanation",
    citation: "NICE CG89 section 1.1 (fractures; burns and scalds): suspect maltreatment when there is no suitable explanation",
    fires_when: "A fracture, burn, scald or head injury is recorded with no explanation, or with the recorder doubting it.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: serious_injury_unexplained,
};

fn serious_injury_unexplained(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let mut evidence: Vec<Evidence> = Vec::new();
    for episode in &record.episodes {
        for (event, injury) in &episode.injuries {
            let serious = matches!(
                injury.injury_type,
                InjuryType::Fracture
                    | InjuryType::Burn
                    | InjuryType::Scald
                    | InjuryType::HeadInjury
            );
            let unexplained = injury.explanations.is_empty()
                || matches!(
                    injury.recorder_opinion,
                    Some(
                        RecorderOpinion::Concern
                            | RecorderOpinion::PossibleNonAccidental
                            | RecorderOpinion::ProbableNonAccidental
                            | RecorderOpinion::NonAccidental
                    )
                );
            if serious && unexplained && !evidence.iter().any(|e| e.event == event.id) {
                evidence.push(Evidence {
                    event: event.id,
                    agency: event.event.agency.clone(),
                    occurred_at: event.event.occurred_at,
                    recorded_at: event.recorded_at,
                    shows: format!(
                        "{:?} to {:?} with {}",
                        injury.injury_type,
                        injury.body_site,
                        if injury.explanations.is_empty() {
                            "no explanation"
                        } else {
                            "an explanation the recorder doubted"
                        }
                    )
                    .to_lowercase(),
                    noted_at: None,
                });
            }
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(finding(
        record,
        format!(
            "{} has a fracture, burn, scald or head injury without a suitable explanation.",
            record.name
        ),
        vec!["Refer to children's social care and the police today.".into()],
        evidence,
    ))
}

pub const EXPLANATIONS_DIFFER: Rule = Rule {
    id: "explanations-differ",
    version: 1,
    title: "Explanations that differ or change",
    citation: "NICE CG89 section 1.1 ('an explanation that is inconsistent, changing or absent'); explanations are recorded as data: who gave them, when, for which injury",
    fires_when: "In one injury episode, the same part of the body was explained differently to two agencies, or explained at one and not at another.",
    level: Level::Consider,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: explanations_differ,
};

fn explanations_differ(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut examples = Vec::new();
    for episode in &record.episodes {
        for (i, (a_event, a)) in episode.injuries.iter().enumerate() {
            for (b_event, b) in &episode.injuries[i + 1..] {
                if a_event.id == b_event.id || a.body_site.region() != b.body_site.region() {
                    continue;
                }
                let texts = |injury: &vigil_domain::event::details::Injury| -> BTreeSet<String> {
                    injury
                        .explanations
                        .iter()
                        .map(|e| e.text.trim().to_lowercase())
                        .collect()
                };
                let (ta, tb) = (texts(a), texts(b));
                if ta.is_empty() && tb.is_empty() || !ta.is_disjoint(&tb) {
                    continue;
                }
                examples.push(format!(
                    "{:?}: {} to {}, {} to {}",
                    a.body_site,
                    describe(&ta),
                    a_event.event.agency,
                    describe(&tb),
                    b_event.event.agency
                ));
                for event in [a_event, b_event] {
                    if !evidence.iter().any(|e| e.event == event.id) {
                        evidence.push(Evidence {
                            event: event.id,
                            agency: event.event.agency.clone(),
                            occurred_at: event.event.occurred_at,
                            recorded_at: event.recorded_at,
                            shows: format!("explanations recorded by {}", event.event.agency),
                            noted_at: None,
                        });
                    }
                }
            }
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    examples.truncate(3);
    Evaluation::found(finding(
        record,
        format!(
            "The explanations for {}'s injuries differ between agencies: {}.",
            record.name,
            examples.join("; ")
        ),
        vec!["Put the explanations side by side and ask the carers about the differences.".into()],
        evidence,
    ))
}

fn describe(texts: &BTreeSet<String>) -> String {
    if texts.is_empty() {
        "no explanation".to_string()
    } else {
        texts
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

pub const CUMULATIVE_INJURIES: Rule = Rule {
    id: "cumulative-injuries",
    version: 1,
    title: "Injuries accumulating in a young child on a plan",
    citation: "Public Law Outline (2014) pre-proceedings: escalate to a legal planning meeting when risk increases under a plan; serious case reviews' lesson of 'start again' thinking",
    fires_when: "Three or more injury episodes within six months in a child under two who is on a child protection plan.",
    level: Level::ImmediateDanger,
    owner: OwnerRole::TeamManager,
    blocking: false,
    evaluate: cumulative_injuries,
};

fn cumulative_injuries(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let p = &config.injuries;
    let Some(last) = record.episodes.last() else {
        return Evaluation::none();
    };
    if !record.on_plan(last.start)
        || record
            .age_months(last.start)
            .is_none_or(|age| age >= p.cumulative_under_months)
    {
        return Evaluation::none();
    }
    let recent: Vec<&InjuryEpisode<'_>> = record
        .episodes
        .iter()
        .filter(|e| days_between(e.start, last.start) <= p.cumulative_window_days)
        .collect();
    if recent.len() < p.cumulative_episodes {
        return Evaluation::none();
    }
    let evidence: Vec<Evidence> = recent.iter().flat_map(|e| episode_evidence(e)).collect();
    let due = crate::calendar::add_working_days(
        crate::calendar::uk_date(latest_recorded(&evidence)),
        config.legal.escalation_working_days,
        &config.bank_holidays,
    );
    Evaluation::found(finding(
        record,
        format!(
            "{} has had {} injury episodes in {} days while on a child protection plan.",
            record.name,
            recent.len(),
            p.cumulative_window_days
        ),
        vec![format!(
            "Escalate to a legal planning meeting by {due} ({} working days).",
            config.legal.escalation_working_days
        )],
        evidence,
    ))
}
