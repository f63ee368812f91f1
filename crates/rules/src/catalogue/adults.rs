//! Rules about the adults around a child. The Child Safeguarding Practice Review Panel's
//! review of men in children's lives ('The Myth of Invisible Men', 2021) found agencies
//! again and again not knowing who lived in the home: an adult mentioned, named next of
//! kin or found at the address, never identified, never checked.

use vigil_domain::event::details::EventDetails;
use vigil_domain::event::{Marker, Role};

use super::injuries::latest_recorded;
use super::{Evaluation, Rule, agencies_of, finding};
use crate::alerts::{Evidence, Finding, Level, OwnerRole};
use crate::calendar::plus_hours;
use crate::child::{ChildRecord, Concern, is_carer};
use crate::config::RulesConfig;
use crate::household::{HouseholdMember, possible_identities};
use crate::questions::OpenQuestion;

const HARM_MARKERS: &[Marker] = &[
    Marker::Violence,
    Marker::ChildHarm,
    Marker::DomesticAbuse,
    Marker::SexualOffence,
];

fn event_evidence(casebook_event: &crate::casebook::CaseEvent, shows: String) -> Evidence {
    Evidence {
        event: casebook_event.id,
        agency: casebook_event.event.agency.clone(),
        occurred_at: casebook_event.event.occurred_at,
        recorded_at: casebook_event.recorded_at,
        shows,
        noted_at: None,
    }
}

fn push_unique(list: &mut Vec<Evidence>, evidence: Evidence) {
    if !list.iter().any(|e| e.event == evidence.event) {
        list.push(evidence);
    }
}

/// Adults linked to the child's current home, with recent evidence.
fn adults_at_home<'r>(
    record: &'r ChildRecord<'_>,
    config: &RulesConfig,
) -> Vec<&'r HouseholdMember> {
    let Some(home) = record.home_on(record.today) else {
        return Vec::new();
    };
    record
        .household
        .iter()
        .filter(|m| {
            m.adult
                && m.place == home.place
                && m.present_on(record.today, config.household.link_lasts_days)
        })
        .collect()
}

pub const UNIDENTIFIED_ADULT: Rule = Rule {
    id: "unidentified-adult",
    version: 1,
    title: "An adult around the child has not been identified",
    citation: "Child Safeguarding Practice Review Panel, 'The Myth of Invisible Men' (2021); Working Together to Safeguard Children 2023, chapter 3 (assessments include everyone in the household)",
    fires_when: "A record naming the child mentions an adult (a partner, friend, next of kin or someone mentioned in passing) with no family name or no date of birth anywhere in Vigil.",
    level: Level::Consider,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: unidentified_adult,
};

fn unidentified_adult(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let casebook = record.casebook;
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    let mut candidates = Vec::new();
    // Records naming the child, and records about the child's carers (a social worker's
    // note of a call with the mother that mentions her 'new friend').
    for entry in record
        .entries
        .iter()
        .filter(|e| !matches!(e.concern, Concern::AtHome { .. }))
    {
        for (i, person) in entry.event.event.people.iter().enumerate() {
            let role_fits = matches!(
                person.role,
                Role::Partner
                    | Role::Mentioned
                    | Role::HouseholdMember
                    | Role::NextOfKin
                    | Role::EmergencyContact
                    | Role::Suspect
            );
            if !role_fits || is_carer(person) {
                continue;
            }
            let Some(adult) = casebook.person_in(entry.event, i) else {
                continue;
            };
            if adult == record.child
                || casebook.is_child(&adult, entry.date())
                    && casebook.date_of_birth(&adult).is_some()
            {
                continue;
            }
            let identified = casebook
                .records_of(&adult)
                .any(|(_, _, p)| p.name.family.is_some() && p.date_of_birth.is_some());
            if identified {
                continue;
            }
            let name = person.name.as_recorded.clone();
            if !names.contains(&name) {
                names.push(name.clone());
            }
            push_unique(
                &mut evidence,
                event_evidence(
                    entry.event,
                    format!(
                        "{} recorded '{name}' ({:?}), not identified",
                        entry.event.event.agency, person.role
                    )
                    .replace("Mentioned", "mentioned"),
                ),
            );
            for possible in possible_identities(casebook, &adult) {
                let label = format!("{} ({:.0}%)", possible.name, possible.probability * 100.0);
                if !candidates.contains(&label) {
                    candidates.push(label);
                }
            }
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    let due_since = latest_recorded(&evidence);
    let question = OpenQuestion {
        id: String::new(),
        child: record.child.clone(),
        concerning: "unidentified-adults".into(),
        question: format!(
            "Who is {}? Identify this adult (full name, date of birth, address), check police records and interview them.",
            names.join(" / ")
        ),
        asked_by: "unidentified-adult".into(),
        asked_at: record.now,
        owner: OwnerRole::KeyWorker,
        due_by: plus_hours(record.now, config.deadlines.green_hours),
        evidence: evidence.clone(),
        candidates: candidates.clone(),
        answer: None,
    };
    let mut summary = format!(
        "Records about {} mention an adult who has not been identified: {}.",
        record.name,
        names.join(", ")
    );
    if !candidates.is_empty() {
        summary.push_str(&format!(
            " Possible identities for review (not merged): {}.",
            candidates.join(", ")
        ));
    }
    Evaluation {
        findings: vec![Finding {
            subject: record.child.clone(),
            due_since,
            summary,
            actions: vec![
                "Identify the adult: full name, date of birth, address.".into(),
                "Request police checks.".into(),
                "Ask the parent about them and interview them.".into(),
            ],
            notify: agencies_of(&evidence),
            owner: None,
            level: None,
            evidence,
        }],
        questions: vec![question],
        recheck_at: None,
    }
}

pub const UNKNOWN_ADULT_AT_HOME: Rule = Rule {
    id: "unknown-adult-at-home",
    version: 1,
    title: "An adult linked to the child's home is unknown to children's social care",
    citation: "Child Safeguarding Practice Review Panel, 'The Myth of Invisible Men' (2021); Working Together to Safeguard Children 2023, chapter 3",
    fires_when: "While children's social care is involved, any agency links an adult to the child's current address (their address, next of kin, tenancy, presence at an incident) who is neither recorded with the child as a parent or carer nor recorded by children's social care as a member of the household.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: unknown_adult_at_home,
};

fn unknown_adult_at_home(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let casebook = record.casebook;
    let mut evaluation = Evaluation::none();
    // Without children's social care involved there is no household as social care
    // knows it to compare against: every family would be 'unknown'.
    let involved = record
        .named_entries()
        .any(|e| config.sector(&e.event.event.agency) == vigil_domain::agency::Sector::SocialCare);
    if !involved {
        return evaluation;
    }
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    for member in adults_at_home(record, config) {
        // A parent or carer recorded as such with the child is not unknown.
        if member.known_to_social_care || record.carers.contains(&member.person) {
            continue;
        }
        let mut own = Vec::new();
        for e in &member.evidence {
            if let Some(event) = casebook.event(&e.event) {
                push_unique(
                    &mut own,
                    event_evidence(
                        event,
                        format!(
                            "{}: {} ({}% confidence)",
                            e.agency,
                            e.kind,
                            (e.confidence * 100.0).round()
                        ),
                    ),
                );
            }
        }
        names.push(member.name.clone());
        evaluation.questions.push(OpenQuestion {
            id: String::new(),
            child: record.child.clone(),
            concerning: member.person.clone(),
            question: format!(
                "{} is linked to {}'s home but is not known to children's social care as a member of the household. Identify them, check police records and interview them.",
                member.name, record.name
            ),
            asked_by: "unknown-adult-at-home".into(),
            asked_at: record.now,
            owner: OwnerRole::KeyWorker,
            due_by: plus_hours(record.now, config.deadlines.amber_hours),
            evidence: own.clone(),
            candidates: member
                .possible_identities
                .iter()
                .map(|p| {
                    if p.basis == "name search" {
                        format!("{} (name only)", p.name)
                    } else {
                        format!("{} ({:.0}%)", p.name, p.probability * 100.0)
                    }
                })
                .collect(),
            answer: None,
        });
        for e in own {
            push_unique(&mut evidence, e);
        }
    }
    if evidence.is_empty() {
        return evaluation;
    }
    evaluation.findings.push(finding(
        record,
        format!(
            "Linked to {}'s home and not known to children's social care: {}.",
            record.name,
            names.join(", ")
        ),
        vec![
            "Identify each adult and check police records.".into(),
            "Ask the parent who lives in or visits the home; visit unannounced.".into(),
        ],
        evidence,
    ));
    evaluation
}

pub const MARKED_ADULT_AT_HOME: Rule = Rule {
    id: "marked-adult-at-home",
    version: 1,
    title: "An adult with a violence or child-harm marker is linked to the child's home",
    citation: "Working Together to Safeguard Children 2023, chapter 2 (information sharing between police and children's social care); Child Safeguarding Practice Review Panel, 'The Myth of Invisible Men' (2021)",
    fires_when: "An adult linked to the child's current address holds a violence, child-harm, domestic-abuse or sexual-offence marker, or may be (by linkage, unconfirmed) a person who does.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: marked_adult_at_home,
};

fn marked_adult_at_home(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let casebook = record.casebook;
    let mut evidence = Vec::new();
    let mut lines = Vec::new();
    for member in adults_at_home(record, config) {
        let own: Vec<&Marker> = member
            .markers
            .iter()
            .filter(|m| HARM_MARKERS.contains(m))
            .collect();
        let possible: Vec<_> = member
            .possible_identities
            .iter()
            .filter(|p| p.markers.iter().any(|m| HARM_MARKERS.contains(m)))
            .collect();
        if own.is_empty() && possible.is_empty() {
            continue;
        }
        for e in &member.evidence {
            if let Some(event) = casebook.event(&e.event) {
                push_unique(
                    &mut evidence,
                    event_evidence(
                        event,
                        format!("{} linked to the child's home: {}", member.name, e.kind),
                    ),
                );
            }
        }
        if !own.is_empty() {
            for id in &member.marker_events {
                if let Some(event) = casebook.event(id) {
                    push_unique(
                        &mut evidence,
                        event_evidence(
                            event,
                            format!("{} holds a marker on {}", event.event.agency, member.name),
                        ),
                    );
                }
            }
            lines.push(
                format!("{} ({:?})", member.name, own)
                    .to_lowercase()
                    .replace(['[', ']'], ""),
            );
        }
        for p in possible {
            for id in &p.marker_events {
                if let Some(event) = casebook.event(id) {
                    push_unique(
                        &mut evidence,
                        event_evidence(
                            event,
                            format!(
                                "{} holds a marker on {}, a possible match",
                                event.event.agency, p.name
                            ),
                        ),
                    );
                }
            }
            let how = if p.basis == "name search" {
                "by name only, identity not established: check".to_string()
            } else {
                format!("{:.0}% match, not confirmed", p.probability * 100.0)
            };
            lines.push(format!(
                "{} may be {} ({how}), who holds a {} marker",
                member.name,
                p.name,
                p.markers
                    .iter()
                    .filter(|m| HARM_MARKERS.contains(m))
                    .map(|m| format!("{m:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    let on_plan = record.on_plan(record.today);
    Evaluation::found(Finding {
        level: on_plan.then_some(Level::ImmediateDanger),
        ..finding(
            record,
            format!(
                "Adults linked to {}'s home with harm markers{}: {}.",
                record.name,
                if on_plan {
                    " (the child is on a child protection plan)"
                } else {
                    ""
                },
                lines.join("; ")
            ),
            vec![
                "Confirm the adult's identity and tell the police child abuse investigation team."
                    .into(),
                "Assess the risk the adult poses to the child; hold a strategy discussion.".into(),
            ],
            evidence,
        )
    })
}

pub const POLICE_AT_HOME_ON_PLAN: Rule = Rule {
    id: "police-at-home-on-plan",
    version: 1,
    title: "Police attended the home of a child on a plan",
    citation: "Working Together to Safeguard Children 2023, chapter 2 (police share information about incidents affecting children); Operation Encompass principles",
    fires_when: "A police incident or arrest is recorded at the current address of a child on a child protection plan.",
    level: Level::Suspect,
    owner: OwnerRole::KeyWorker,
    blocking: false,
    evaluate: police_at_home_on_plan,
};

fn police_at_home_on_plan(record: &ChildRecord<'_>, _config: &RulesConfig) -> Evaluation {
    let mut evidence = Vec::new();
    for entry in &record.entries {
        let Concern::AtHome { place } = &entry.concern else {
            continue;
        };
        let police = matches!(
            entry.event.event.details,
            EventDetails::PoliceIncident(_) | EventDetails::Arrest(_)
        );
        if police && record.on_plan(entry.date()) {
            let address = record
                .casebook
                .places()
                .place(place)
                .map(|p| p.address.as_recorded.clone())
                .unwrap_or_default();
            push_unique(
                &mut evidence,
                event_evidence(
                    entry.event,
                    format!("{} attended {address}", entry.event.event.agency),
                ),
            );
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(finding(
        record,
        format!(
            "Police attended the home of {}, who is on a child protection plan. The key worker must know today.",
            record.name
        ),
        vec![
            "Notify the key worker today with the incident log.".into(),
            "Find out who was present and whether the child was seen.".into(),
        ],
        evidence,
    ))
}

pub const MISSING_CHILD_AT_HOME: Rule = Rule {
    id: "missing-child-at-home",
    version: 1,
    title: "A missing child was found at the child's home",
    citation: "Statutory guidance on children who run away or go missing from home or care (2014); Working Together to Safeguard Children 2023, chapter 2 (exploitation outside the home)",
    fires_when: "A child reported missing (or a possible match) is recorded at another child's current address, or the adult the missing child is believed to be with is recorded there with a young person of the same first name.",
    level: Level::ImmediateDanger,
    owner: OwnerRole::MashAnalyst,
    blocking: false,
    evaluate: missing_child_at_home,
};

fn missing_child_at_home(record: &ChildRecord<'_>, config: &RulesConfig) -> Evaluation {
    let casebook = record.casebook;
    let Some(home) = record.home_on(record.today) else {
        return Evaluation::none();
    };
    let here: Vec<&HouseholdMember> = record
        .household
        .iter()
        .filter(|m| {
            m.place == home.place && m.present_on(record.today, config.household.link_lasts_days)
        })
        .collect();
    let mut evidence = Vec::new();
    let mut lines = Vec::new();
    // Every missing-person report Vigil holds: its subject, and the people named in it
    // as who the child is believed to be with.
    for report in casebook.missing_person_reports().filter(|e| {
        casebook.is_current(e) && matches!(&e.event.details, EventDetails::MissingPersonReport(r) if r.found_at.is_none())
    }) {
        let mut subject = None;
        let mut associates = Vec::new();
        for (i, person) in report.event.people.iter().enumerate() {
            let Some(id) = casebook.person_in(report, i) else { continue };
            if matches!(person.role, Role::SubjectChild | Role::Victim) {
                subject = Some((id, person));
            } else {
                associates.push(id);
            }
        }
        let Some((missing, missing_record)) = subject else { continue };
        if missing == record.child {
            continue;
        }
        // The missing child is at the home (linked, or possibly linked).
        let found = here.iter().find(|m| {
            m.person == missing || m.possible_identities.iter().any(|p| p.person == missing)
        });
        // Or the adult the child is believed to be with is at the home, with a young
        // person of the same first name who would not give a surname.
        let with_associate = here
            .iter()
            .find(|m| {
                associates.contains(&m.person)
                    || m.possible_identities.iter().any(|p| associates.contains(&p.person))
            })
            .and_then(|associate| {
            here.iter().find(|m| {
                !m.identified
                    && m.person != associate.person
                    && casebook.records_of(&m.person).any(|(_, _, p)| {
                        p.name.given.as_deref().zip(missing_record.name.given.as_deref())
                            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                    })
            }).map(|young| (*associate, *young))
        });
        let line = match (found, with_associate) {
            (Some(m), _) => format!("{} ({}) is at the home", m.name, if m.person == missing { "the same person" } else { "a possible match, not confirmed" }),
            (None, Some((associate, young))) => format!(
                "{}, named in the report as who the missing child is believed to be with, is at the home with '{}', who shares the missing child's first name (not confirmed)",
                associate.name, young.name
            ),
            (None, None) => continue,
        };
        lines.push(format!("{}: {line}", casebook.display_name(&missing)));
        push_unique(&mut evidence, event_evidence(report, format!("{} missing-person report", report.event.agency)));
        let members: Vec<&HouseholdMember> = match (found, with_associate) {
            (Some(m), _) => vec![m],
            (None, Some((a, y))) => vec![a, y],
            _ => Vec::new(),
        };
        for member in members {
            for e in &member.evidence {
                if let Some(event) = casebook.event(&e.event) {
                    push_unique(&mut evidence, event_evidence(event, format!("{} recorded at the child's home", member.name)));
                }
            }
        }
    }
    if evidence.is_empty() {
        return Evaluation::none();
    }
    Evaluation::found(finding(
        record,
        format!(
            "A child reported missing may be at {}'s home. {}. Possible exploitation; both children need safeguarding.",
            record.name,
            lines.join("; ")
        ),
        vec![
            "Hold a strategy discussion for the missing child as well.".into(),
            "Tell the missing child's home authority and the police missing-persons unit.".into(),
        ],
        evidence,
    ))
}
