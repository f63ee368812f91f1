//! Seeded harm: for one child of a family, the records of one pattern from the case
//! reviews, written by the agencies the way they write everything else, and the truth of
//! when the pattern became visible and by when it should have been flagged. The flag-by
//! time comes from the trajectory's own events (the recording of the one that completes
//! the pattern) plus the deadline of the level the guidance implies; it does not look at
//! Vigil's rules.

use jiff::Timestamp;
use serde_json::json;
use vigil_rules::config::Deadlines;

use super::routine::{self, Failures, with_parent};
use super::{
    Family, HEALTH_VISITING, HOSPITAL, Mention, POLICE, SeededHarm, TrajectoryKind, Writer,
};
use crate::random::Rng;

const YEAR: i64 = 365;

/// Writes the trajectory; `None` when the period is too short for it to complete.
pub(crate) fn trajectory(
    rng: &mut Rng,
    writer: &mut Writer,
    family: &Family,
    child_index: usize,
    kind: TrajectoryKind,
) -> Option<SeededHarm> {
    let child = &family.children[child_index];
    let mut events: Vec<(String, Timestamp)> = Vec::new();
    let (story, visible_at) = match kind {
        TrajectoryKind::NonMobileBruising => {
            let day = (child.born + rng.range(60, 240)).max(rng.range(5, 30));
            if day >= writer.days {
                return None;
            }
            let agency = if rng.chance(0.6) {
                &HEALTH_VISITING
            } else {
                family.gp
            };
            let site = *rng.pick(&["cheek", "ear", "upper_arm", "chest", "thigh"]);
            let explanation = *rng.pick(&[
                "may have knocked it on the cot bars",
                "older sibling may have grabbed her",
                "no idea, noticed it at bath time",
            ]);
            let (people, parent) = with_parent(rng, family, child, agency, day);
            let injuries = json!({ "injuries": [{
                "body_site": site, "injury_type": "bruise", "count": rng.range(1, 3),
                "explanations": [{ "given_by": parent, "text": explanation }],
                "recorder_opinion": "uncertain",
            }] });
            events.push(writer.event(
                agency,
                "injury_observation",
                day,
                rng.range(9 * 60, 16 * 60),
                format!("Bruising noted on the {site}; parent says it {explanation}."),
                &people,
                injuries.clone(),
            ));
            if rng.chance(0.4) && day + 1 < writer.days {
                let (people, _) = with_parent(rng, family, child, &HOSPITAL, day + 1);
                events.push(writer.event(
                    &HOSPITAL,
                    "injury_observation",
                    day + 1,
                    rng.range(9 * 60, 20 * 60),
                    format!("Referred with bruising to the {site}."),
                    &people,
                    injuries,
                ));
            }
            (
                format!(
                    "bruising to the {site} of a baby aged {} days",
                    day - child.born
                ),
                events[0].1,
            )
        }
        TrajectoryKind::ChangingExplanations => {
            let first = rng.range(14, writer.days - 100);
            let second = first + rng.range(25, 70);
            let (people, parent) = with_parent(rng, family, child, &HOSPITAL, first);
            events.push(writer.event(
                &HOSPITAL,
                "injury_observation",
                first,
                rng.range(10 * 60, 22 * 60),
                "Bruise to forehead; fell off the sofa.".into(),
                &people,
                json!({ "injuries": [{ "body_site": "forehead", "injury_type": "bruise",
                    "explanations": [{ "given_by": parent, "text": "fell off the sofa" }],
                    "recorder_opinion": "consistent_with_explanation" }] }),
            ));
            let follow_up = first + rng.range(2, 4);
            let (people, parent) = with_parent(rng, family, child, family.gp, follow_up);
            events.push(writer.event(
                family.gp,
                "injury_observation",
                follow_up,
                rng.range(9 * 60, 17 * 60),
                "Bruise to forehead, parent says walked into a door frame.".into(),
                &people,
                json!({ "injuries": [{ "body_site": "forehead", "injury_type": "bruise",
                    "explanations": [{ "given_by": parent, "text": "walked into a door frame" }],
                    "recorder_opinion": "uncertain" }] }),
            ));
            let agency = if second - child.born < 5 * YEAR && rng.chance(0.5) {
                &HEALTH_VISITING
            } else {
                &HOSPITAL
            };
            let (people, parent) = with_parent(rng, family, child, agency, second);
            events.push(writer.event(
                agency,
                "injury_observation",
                second,
                rng.range(9 * 60, 18 * 60),
                "Three bruises to the upper arm and one to the back; rough play with an older cousin.".into(),
                &people,
                json!({ "injuries": [
                    { "body_site": "upper_arm", "side": "left", "injury_type": "bruise", "count": 3,
                      "explanations": [{ "given_by": parent, "text": "rough play with an older cousin" }],
                      "recorder_opinion": "concern" },
                    { "body_site": "back", "injury_type": "bruise",
                      "explanations": [{ "given_by": parent, "text": "rough play with an older cousin" }],
                      "recorder_opinion": "concern" }] }),
            ));
            (
                format!(
                    "forehead bruise explained differently to the hospital and the GP, then arm and back bruises {} days later",
                    second - first
                ),
                events[2].1,
            )
        }
        TrajectoryKind::ViolentAdultMovesIn => {
            let mut uid = child.uid + 5_000_000;
            let surname = super::names::family_name(rng.below(super::names::FAMILY_NAMES));
            let age = rng.range(24 * YEAR, 40 * YEAR);
            let man = routine::person(rng, &mut uid, true, &surname, -age, false);
            let victim_name = super::names::family_name(rng.below(super::names::FAMILY_NAMES));
            let victim_born = -age + rng.range(-YEAR, 3 * YEAR);
            let victim = routine::person(rng, &mut uid, false, &victim_name, victim_born, false);
            let old_home = routine::home(rng);
            let before = -rng.range(100, 900);
            events.push(writer.event(
                &POLICE,
                "police_incident",
                before,
                rng.range(19 * 60, 23 * 60),
                "Assault on partner at her home; arrested, charged, convicted. Violence and domestic-abuse markers added.".into(),
                &[
                    Mention { markers: &["violence", "domestic_abuse"], ..Mention::new(&man, "suspect", &old_home) },
                    Mention::new(&victim, "victim", &old_home),
                ],
                json!({ "incident_type": "domestic - assault", "location": old_home.text(true), "crime_recorded": true }),
            ));
            let arrival = rng.range(20, writer.days - 30);
            let home = family.home_for(family.gp, arrival);
            let how = match rng.below(3) {
                0 => {
                    events.push(writer.event(
                        family.gp,
                        "note",
                        arrival,
                        rng.range(9 * 60, 17 * 60),
                        "New patient registration.".into(),
                        &[Mention::new(&man, "mentioned", home)],
                        json!({ "topic": "patient registration" }),
                    ));
                    "registers with the family's GP at the home"
                }
                1 => {
                    let home = family.home_for(&HOSPITAL, arrival);
                    let (mut people, brought_by) =
                        with_parent(rng, family, child, &HOSPITAL, arrival);
                    people.push(Mention {
                        relationship: Some("mother's partner"),
                        name_only: true,
                        ..Mention::new(&man, "next_of_kin", home)
                    });
                    events.push(writer.event(
                        &HOSPITAL,
                        "health_attendance",
                        arrival,
                        rng.range(9 * 60, 22 * 60),
                        "Fever. Next of kin on the registration form: mother's partner.".into(),
                        &people,
                        json!({ "setting": "a_and_e", "presenting_complaint": "Fever", "brought_by": brought_by }),
                    ));
                    "named next of kin on the child's hospital form"
                }
                _ => {
                    let home = family.home_for(&HEALTH_VISITING, arrival);
                    let (mut people, _) =
                        with_parent(rng, family, child, &HEALTH_VISITING, arrival);
                    people
                        .push(Mention::new(&man, "partner", home).relationship("mother's partner"));
                    events.push(writer.event(
                        &HEALTH_VISITING,
                        "health_attendance",
                        arrival,
                        rng.range(9 * 60, 17 * 60),
                        "Home contact. Mother's new partner present; says he has moved in.".into(),
                        &people,
                        json!({ "setting": "health_visitor", "presenting_complaint": "Health visitor contact" }),
                    ));
                    "met at home by the health visitor"
                }
            };
            (
                format!("a man with violence and domestic-abuse markers {how}"),
                events[1].1,
            )
        }
        TrajectoryKind::NotSeenOnPlan => {
            let mut failures = Failures {
                after: rng.range(1, 3) as usize,
                count: 3,
                recorded: Vec::new(),
            };
            routine::social_care(rng, writer, family, Some(&mut failures));
            if failures.recorded.len() < 3 {
                return None;
            }
            events = failures.recorded;
            (
                "three visits in a row under a protection plan without seeing the child".into(),
                events[2].1,
            )
        }
        TrajectoryKind::NotBroughtOnPlan => {
            let plan_day = routine::social_care(rng, writer, family, None);
            let first = plan_day + rng.range(10, 30);
            let second = first + rng.range(14, 50);
            if second >= writer.days {
                return None;
            }
            let young = first - child.born < 5 * YEAR;
            for (day, agency, what) in [
                (
                    first,
                    if young { &HEALTH_VISITING } else { &HOSPITAL },
                    if young {
                        "health visitor review set by the plan"
                    } else {
                        "paediatric outpatient clinic"
                    },
                ),
                (second, &HOSPITAL, "paediatric outpatient clinic"),
            ] {
                let home = family.home_for(agency, day);
                events.push(writer.event(
                    agency,
                    "missed_appointment",
                    day,
                    rng.range(9 * 60, 16 * 60),
                    format!("{what}: child was not brought."),
                    &[Mention::new(child, "subject_child", home)],
                    json!({ "appointment": what, "was_not_brought": true }),
                ));
            }
            (
                format!(
                    "not brought to two health appointments {} days apart under a protection plan",
                    second - first
                ),
                events[1].1,
            )
        }
        TrajectoryKind::UnexplainedFracture => {
            let latest = (36 * 30 + child.born - 1).min(writer.days - 1);
            if latest < 7 {
                return None;
            }
            let day = rng.range(7, latest);
            let (site, what) = *rng.pick(&[
                ("upper_arm", "spiral fracture of the humerus"),
                ("ribs", "posterior rib fractures"),
                ("thigh", "femoral shaft fracture"),
            ]);
            let (people, parent) = with_parent(rng, family, child, &HOSPITAL, day);
            let explanations = if rng.chance(0.5) {
                json!([])
            } else {
                json!([{ "given_by": parent, "text": "rolled off the bed onto the carpet" }])
            };
            events.push(writer.event(
                &HOSPITAL,
                "injury_observation",
                day,
                rng.range(8 * 60, 23 * 60),
                format!("X-ray shows a {what}. No account that explains it."),
                &people,
                json!({ "injuries": [{ "body_site": site, "injury_type": "fracture",
                    "description": what, "explanations": explanations, "recorder_opinion": "concern" }] }),
            ));
            (
                format!("{what} in a child aged {} months", (day - child.born) / 30),
                events[0].1,
            )
        }
    };
    let level = kind.expected_level();
    let flag_by = visible_at
        .checked_add(jiff::SignedDuration::from_hours(
            Deadlines::default().hours(level),
        ))
        .expect("a time");
    Some(SeededHarm {
        kind,
        story,
        visible_at,
        expected_level: level,
        flag_by,
        visible: true,
        events: events.into_iter().map(|(id, _)| id).collect(),
    })
}
