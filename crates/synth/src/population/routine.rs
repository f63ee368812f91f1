//! Ordinary childhoods: the families, and the contacts agencies record with them in a
//! year, at the rates listed in the module above. Nothing here is a sign of harm; what
//! Vigil makes of it is the noise the measurement counts.

use serde_json::json;
use vigil_linkage::synth::synthetic_nhs_number;

use super::names::{self, BOYS, GIRLS, MIDDLE_BOYS, MIDDLE_GIRLS};
use super::{
    Agency, Family, GP_FERN, GP_TOLL, HEALTH_VISITING, HOSPITAL, Home, Mention, POLICE, Person,
    SCHOOLS, SOCIAL_CARE, SocialCare, TrajectoryKind, Writer,
};
use crate::random::Rng;

const YEAR: i64 = 365;

pub(crate) fn home(rng: &mut Rng) -> Home {
    let (street, postcode) = names::street(rng.below(names::STREETS));
    Home {
        number: rng.range(1, 140) as u32,
        street,
        town: names::TOWNS[rng.below(names::TOWNS.len() as u64) as usize],
        postcode,
    }
}

pub(crate) fn person(
    rng: &mut Rng,
    uid: &mut u64,
    male: bool,
    family: &str,
    born: i64,
    child: bool,
) -> Person {
    *uid += 1;
    let &(given, familiar) = rng.pick(if male { BOYS } else { GIRLS });
    let middle = rng
        .chance(0.6)
        .then(|| *rng.pick(if male { MIDDLE_BOYS } else { MIDDLE_GIRLS }));
    let mut draw = || rng.next();
    Person {
        uid: *uid,
        given,
        familiar,
        middle,
        family: family.to_string(),
        born,
        male,
        nhs: synthetic_nhs_number(&mut draw),
        child,
    }
}

/// A family, made to fit its trajectory when it is seeded (child 0 is then the one
/// harmed).
pub(crate) fn family(
    rng: &mut Rng,
    writer: &Writer,
    index: usize,
    uid: &mut u64,
    seeded: Option<TrajectoryKind>,
) -> Family {
    let years = writer.days as f64 / YEAR as f64;
    let surname = names::family_name(rng.below(names::FAMILY_NAMES));
    let mother_age = rng.range(20 * YEAR, 42 * YEAR);
    let mother = person(rng, uid, false, &surname, -mother_age, false);
    let single = matches!(seeded, Some(TrajectoryKind::ViolentAdultMovesIn)) || rng.chance(0.25);
    let father = (!single).then(|| {
        let own_name = if rng.chance(0.3) {
            names::family_name(rng.below(names::FAMILY_NAMES))
        } else {
            surname.clone()
        };
        let age = mother_age + rng.range(-2 * YEAR, 6 * YEAR);
        person(rng, uid, true, &own_name, -age, false)
    });
    let count = match rng.below(100) {
        0..40 => 1,
        40..78 => 2,
        _ => 3,
    };
    let first_born = match seeded {
        Some(TrajectoryKind::NonMobileBruising) => -rng.range(30, 110),
        Some(TrajectoryKind::ChangingExplanations) => -rng.range(14 * 30, 30 * 30),
        Some(TrajectoryKind::UnexplainedFracture) => -rng.range(60, 24 * 30),
        Some(TrajectoryKind::ViolentAdultMovesIn) => -rng.range(200, 10 * YEAR),
        Some(_) => -rng.range(60, 8 * YEAR),
        None => -rng.range(30, 16 * YEAR),
    };
    let mut children = Vec::new();
    let mut born = first_born;
    for i in 0..count {
        if i > 0 {
            born -= rng.range(YEAR + 60, 4 * YEAR);
            if -born > mother_age - 17 * YEAR {
                break;
            }
        }
        let male = rng.chance(0.51);
        children.push(person(rng, uid, male, &surname, born, true));
    }
    let social_care = match seeded {
        Some(TrajectoryKind::NotSeenOnPlan | TrajectoryKind::NotBroughtOnPlan) => {
            SocialCare::ChildProtection
        }
        _ => match rng.below(1000) {
            0..4 => SocialCare::ChildProtection,
            4..34 => SocialCare::ChildInNeed,
            _ => SocialCare::None,
        },
    };
    let moved = rng
        .chance(0.08 * years)
        .then(|| (rng.range(30, writer.days - 30), home(rng)));
    let new_partner =
        (father.is_none() && seeded.is_none() && rng.chance(0.04 * years)).then(|| {
            let day = rng.range(20, writer.days - 20);
            let surname = names::family_name(rng.below(names::FAMILY_NAMES));
            let age = mother_age + rng.range(-3 * YEAR, 8 * YEAR);
            let partner = person(rng, uid, true, &surname, -age, false);
            let learned = (social_care != SocialCare::None && rng.chance(0.7))
                .then(|| day + rng.range(14, 40));
            (day, partner, learned)
        });
    Family {
        key: format!("F{:05}", index + 1),
        mother,
        father,
        children,
        home: home(rng),
        moved,
        gp: if rng.chance(0.5) { &GP_FERN } else { &GP_TOLL },
        social_care,
        new_partner,
        seeded: seeded.map(|kind| (0, kind)),
    }
}

/// A minute in working hours, or any waking hour for the emergency department.
fn working_minute(rng: &mut Rng) -> i64 {
    rng.range(9 * 60, 17 * 60)
}

fn any_minute(rng: &mut Rng) -> i64 {
    rng.range(7 * 60, 23 * 60)
}

/// The child and the parent who brought them, as a health service records them.
pub(crate) fn with_parent<'a>(
    rng: &mut Rng,
    family: &'a Family,
    child: &'a Person,
    agency: &Agency,
    day: i64,
) -> (Vec<Mention<'a>>, &'static str) {
    let home = family.home_for(agency, day);
    let mut people = vec![Mention::new(child, "subject_child", home)];
    let by_father = family.father.is_some() && rng.chance(0.25);
    let (parent, relationship) = match (&family.father, by_father) {
        (Some(father), true) => (father, "father"),
        _ => (&family.mother, "mother"),
    };
    people.push(Mention::new(parent, "parent", home).relationship(relationship));
    (people, relationship)
}

/// An appointment that happens, or is missed and rebooked 2 to 4 weeks later.
#[allow(clippy::too_many_arguments)]
fn appointment(
    rng: &mut Rng,
    writer: &mut Writer,
    family: &Family,
    child: &Person,
    agency: &'static Agency,
    day: i64,
    missed_rate: f64,
    setting: &str,
    what: &str,
) {
    let mut day = day;
    if rng.chance(missed_rate) {
        if (0..writer.days).contains(&day) {
            let home = family.home_for(agency, day);
            writer.event(
                agency,
                "missed_appointment",
                day,
                working_minute(rng),
                format!("{what}: child was not brought. Rebooked."),
                &[Mention::new(child, "subject_child", home)],
                json!({ "appointment": what, "was_not_brought": true }),
            );
        }
        day += rng.range(14, 28);
    }
    if !(0..writer.days).contains(&day) {
        return;
    }
    let (people, brought_by) = with_parent(rng, family, child, agency, day);
    writer.event(
        agency,
        "health_attendance",
        day,
        working_minute(rng),
        format!("{what}. Attended with {brought_by}; no concerns."),
        &people,
        json!({ "setting": setting, "presenting_complaint": what, "brought_by": brought_by, "child_present": true }),
    );
}

/// A minor accident: where, what, and the account in the words of the parent (at the
/// emergency department), the GP, and the school when it happened there.
struct Accident {
    site: &'static str,
    injury_type: &'static str,
    account: &'static str,
    gp_words: &'static str,
    school_words: &'static str,
}

const ACCIDENTS: &[Accident] = &[
    Accident {
        site: "forehead",
        injury_type: "bruise",
        account: "tripped and hit head on the coffee table",
        gp_words: "bumped forehead on coffee table after tripping",
        school_words: "tripped in class and bumped head on a table",
    },
    Accident {
        site: "chin",
        injury_type: "laceration",
        account: "fell off the climbing frame and cut chin",
        gp_words: "fall from climbing frame, chin laceration glued in ED",
        school_words: "fell from the climbing frame in the playground",
    },
    Accident {
        site: "knee",
        injury_type: "abrasion",
        account: "came off bike on the pavement",
        gp_words: "fell off bike, grazed knee",
        school_words: "fell over on the playground tarmac",
    },
    Accident {
        site: "wrist",
        injury_type: "fracture",
        account: "fell onto outstretched hand from the trampoline",
        gp_words: "FOOSH from trampoline, buckle fracture",
        school_words: "fell onto hand during PE",
    },
    Accident {
        site: "ankle",
        injury_type: "swelling",
        account: "twisted ankle playing football",
        gp_words: "inversion injury playing football",
        school_words: "went over on ankle playing football at lunch",
    },
    Accident {
        site: "shin",
        injury_type: "bruise",
        account: "kicked playing football",
        gp_words: "kicked in the shin at football",
        school_words: "kicked in a tackle at playtime",
    },
    Accident {
        site: "head",
        injury_type: "head_injury",
        account: "fell backwards off the sofa onto the floor",
        gp_words: "fell from sofa, hit back of head, no loss of consciousness",
        school_words: "fell backwards off a bench and hit head",
    },
    Accident {
        site: "hand",
        injury_type: "laceration",
        account: "cut hand on a broken flower pot in the garden",
        gp_words: "laceration to palm from broken pot",
        school_words: "cut hand on the fence in the playground",
    },
    Accident {
        site: "forearm",
        injury_type: "fracture",
        account: "fell off the monkey bars",
        gp_words: "fall from monkey bars, forearm fracture in cast",
        school_words: "fell from the monkey bars at lunchtime",
    },
    Accident {
        site: "eye",
        injury_type: "bruise",
        account: "hit by a swing at the park",
        gp_words: "struck by a swing, bruised eye",
        school_words: "walked into the path of a swing",
    },
];

fn injury(accident: &Accident, given_by: &str, text: &str, side: &str) -> serde_json::Value {
    json!({
        "body_site": accident.site,
        "side": side,
        "injury_type": accident.injury_type,
        "explanations": [{ "given_by": given_by, "text": text }],
        "recorder_opinion": "consistent_with_explanation",
    })
}

fn minor_accident(rng: &mut Rng, writer: &mut Writer, family: &Family, child: &Person, day: i64) {
    let age = day - child.born;
    let accident = rng.pick(ACCIDENTS);
    let side = *rng.pick(&["left", "right"]);
    let school_age = age > 5 * YEAR && age < 16 * YEAR;
    let weekday = writer.date(day).weekday().to_monday_one_offset() <= 5;
    let at_school = school_age && weekday && rng.chance(0.3);
    if at_school {
        let home = family.home_for(&SCHOOLS, day);
        writer.event(
            &SCHOOLS,
            "injury_observation",
            day,
            rng.range(10 * 60, 14 * 60),
            format!(
                "Accident at school: {}. Parent called; advised hospital.",
                accident.school_words
            ),
            &[Mention::new(child, "subject_child", home)],
            json!({ "injuries": [injury(accident, "staff witness", accident.school_words, side)] }),
        );
    }
    let (agency, setting_minute) = if at_school || rng.chance(0.75) {
        (
            &HOSPITAL,
            any_minute(rng).max(if at_school { 15 * 60 } else { 0 }),
        )
    } else {
        (family.gp, working_minute(rng))
    };
    let (people, parent) = with_parent(rng, family, child, agency, day);
    let given_by = if age > 8 * YEAR && rng.chance(0.5) {
        "child"
    } else {
        parent
    };
    writer.event(
        agency,
        "injury_observation",
        day,
        setting_minute,
        format!(
            "Minor injury: {}. Account consistent with the injury; discharged home.",
            accident.account
        ),
        &people,
        json!({ "injuries": [injury(accident, given_by, accident.account, side)] }),
    );
    if agency.code == HOSPITAL.code && rng.chance(0.15) {
        let follow_up = day + rng.range(2, 6);
        if follow_up < writer.days {
            let (people, parent) = with_parent(rng, family, child, family.gp, follow_up);
            writer.event(
                family.gp,
                "injury_observation",
                follow_up,
                working_minute(rng),
                format!(
                    "Review after ED attendance: {}. Healing well.",
                    accident.gp_words
                ),
                &people,
                json!({ "injuries": [injury(accident, parent, accident.gp_words, side)] }),
            );
        }
    }
}

/// Days in the period on which something happening `per_year` times a year happens.
fn days_of(rng: &mut Rng, writer: &Writer, per_year: f64) -> Vec<i64> {
    let count = rng.poisson(per_year * writer.days as f64 / YEAR as f64);
    let mut days: Vec<i64> = (0..count).map(|_| rng.range(0, writer.days - 1)).collect();
    days.sort();
    days
}

pub(crate) fn year(rng: &mut Rng, writer: &mut Writer, family: &Family) {
    for child in &family.children {
        child_year(rng, writer, family, child);
    }
    police_callouts(rng, writer, family);
    new_partner(rng, writer, family);
    // A seeded plan's involvement is written with its trajectory (harm.rs).
    let seeded_plan = matches!(
        family.seeded,
        Some((
            _,
            TrajectoryKind::NotSeenOnPlan | TrajectoryKind::NotBroughtOnPlan
        ))
    );
    if family.social_care != SocialCare::None && !seeded_plan {
        social_care(rng, writer, family, None);
    }
}

fn child_year(rng: &mut Rng, writer: &mut Writer, family: &Family, child: &Person) {
    let age_on = |day: i64| day - child.born;
    // Healthy Child Programme reviews by the health visitor.
    for (due, what) in [
        (49, "6-8 week review"),
        (305, "9-12 month development review"),
        (820, "2-2½ year development review"),
    ] {
        let day = child.born + due + rng.range(-7, 14);
        appointment(
            rng,
            writer,
            family,
            child,
            &HEALTH_VISITING,
            day,
            0.08,
            "health_visitor",
            what,
        );
    }
    // Routine immunisations at the GP.
    for (due, what) in [
        (56, "8-week immunisations"),
        (84, "12-week immunisations"),
        (112, "16-week immunisations"),
        (372, "1-year immunisations"),
        (1220, "pre-school booster"),
    ] {
        let day = child.born + due + rng.range(0, 10);
        appointment(rng, writer, family, child, family.gp, day, 0.07, "gp", what);
    }
    let age_mid = age_on(writer.days / 2);
    let gp_rate = match age_mid {
        a if a < YEAR => 5.0,
        a if a < 5 * YEAR => 3.0,
        a if a < 12 * YEAR => 1.5,
        _ => 1.2,
    };
    for day in days_of(rng, writer, gp_rate) {
        if age_on(day) < 14 {
            continue;
        }
        let what = *rng.pick(names::GP_COMPLAINTS);
        appointment(rng, writer, family, child, family.gp, day, 0.05, "gp", what);
    }
    for day in days_of(rng, writer, 0.2) {
        if age_on(day) < 14 {
            continue;
        }
        let what = *rng.pick(names::ED_COMPLAINTS);
        let (people, brought_by) = with_parent(rng, family, child, &HOSPITAL, day);
        writer.event(
            &HOSPITAL,
            "health_attendance",
            day,
            any_minute(rng),
            format!("{what}. Assessed, treated and discharged home."),
            &people,
            json!({ "setting": "a_and_e", "presenting_complaint": what, "brought_by": brought_by, "child_present": true }),
        );
    }
    if rng.chance(0.05) {
        let mut day = rng.range(0, writer.days / 2);
        for _ in 0..rng.range(2, 3) {
            appointment(
                rng,
                writer,
                family,
                child,
                &HOSPITAL,
                day,
                0.10,
                "outpatient",
                "paediatric outpatient clinic",
            );
            day += rng.range(60, 150);
        }
    }
    let accident_rate = if age_mid < 5 * YEAR { 0.20 } else { 0.15 };
    for day in days_of(rng, writer, accident_rate) {
        // Only independently mobile children have accidents of this kind.
        if age_on(day) >= YEAR {
            minor_accident(rng, writer, family, child, day);
        }
    }
    // Attendance at the end of each term, for children of school age.
    let mut term_end = Vec::new();
    for year in 0..=(writer.days / YEAR) as i16 {
        for (month, day) in [(3, 27), (7, 19), (12, 18)] {
            let date = jiff::civil::Date::new(2024 + year, month, day).expect("a date");
            term_end.push(writer.start.until(date).expect("days").get_days() as i64);
        }
    }
    for day in term_end {
        if !(0..writer.days).contains(&day)
            || age_on(day) < 4 * YEAR + 180
            || age_on(day) >= 16 * YEAR
        {
            continue;
        }
        let attendance = if rng.chance(0.17) {
            rng.range(820, 899)
        } else {
            rng.range(900, 1000)
        };
        let home = family.home_for(&SCHOOLS, day);
        writer.event(
            &SCHOOLS,
            "note",
            day,
            15 * 60,
            format!(
                "End of term attendance {}.{}%.",
                attendance / 10,
                attendance % 10
            ),
            &[Mention::new(child, "subject_child", home)],
            json!({ "topic": "attendance" }),
        );
    }
}

/// Police called to an argument at home: no offence disclosed, nobody marked.
fn police_callouts(rng: &mut Rng, writer: &mut Writer, family: &Family) {
    let Some(father) = &family.father else {
        return;
    };
    for day in days_of(rng, writer, 0.03) {
        let home = family.home_for(&POLICE, day);
        writer.event(
            &POLICE,
            "police_incident",
            day,
            rng.range(18 * 60, 23 * 60),
            "Neighbour reported shouting. Verbal argument between the couple; no offences disclosed, no injuries, children asleep upstairs. Words of advice.".into(),
            &[
                Mention::new(&family.mother, "reporter", home),
                Mention::new(father, "witness", home),
            ],
            json!({
                "incident_type": "domestic - verbal argument",
                "location": home.text(true),
                "crime_recorded": false,
                "children_present_not_identified": family.children.len(),
            }),
        );
    }
}

/// A new partner registers with the family's GP at the home address.
fn new_partner(rng: &mut Rng, writer: &mut Writer, family: &Family) {
    let Some((day, partner, _)) = &family.new_partner else {
        return;
    };
    let home = family.home_for(family.gp, *day);
    writer.event(
        family.gp,
        "note",
        *day,
        working_minute(rng),
        "New patient registration.".into(),
        &[Mention::new(partner, "mentioned", home)],
        json!({ "topic": "patient registration" }),
    );
}

/// Who social care records at a family's events: the children, the parents, and a
/// partner once it knows of him.
pub(crate) fn social_care_people<'a>(family: &'a Family, day: i64) -> Vec<Mention<'a>> {
    let home = family.home_for(&SOCIAL_CARE, day);
    let mut people = Vec::new();
    for (i, child) in family.children.iter().enumerate() {
        people.push(Mention::new(
            child,
            if i == 0 { "subject_child" } else { "sibling" },
            home,
        ));
    }
    people.push(Mention::new(&family.mother, "parent", home).relationship("mother"));
    if let Some(father) = &family.father {
        people.push(Mention::new(father, "parent", home).relationship("father"));
    }
    if let Some((_, partner, Some(learned))) = &family.new_partner
        && day >= *learned
    {
        people
            .push(Mention::new(partner, "household_member", home).relationship("mother's partner"));
    }
    people
}

fn social_event(
    rng: &mut Rng,
    writer: &mut Writer,
    family: &Family,
    kind: &str,
    day: i64,
    summary: &str,
    details: serde_json::Value,
) -> Option<(String, jiff::Timestamp)> {
    if day >= writer.days {
        return None;
    }
    let people = social_care_people(family, day);
    Some(writer.event(
        &SOCIAL_CARE,
        kind,
        day,
        working_minute(rng),
        summary.into(),
        &people,
        details,
    ))
}

/// Visits that fail on purpose, for a seeded child: from the `after`th visit, `count`
/// in a row find no one in or do not see the child.
pub(crate) struct Failures {
    pub after: usize,
    pub count: usize,
    pub recorded: Vec<(String, jiff::Timestamp)>,
}

/// Social care's involvement: a child-in-need plan, or the child-protection sequence,
/// then visits. Returns the plan's start day.
pub(crate) fn social_care(
    rng: &mut Rng,
    writer: &mut Writer,
    family: &Family,
    mut failures: Option<&mut Failures>,
) -> i64 {
    let start = rng.range(0, writer.days / 2);
    let protection = family.social_care == SocialCare::ChildProtection;
    social_event(
        rng,
        writer,
        family,
        "referral",
        start,
        "Referral from school: concerns about home conditions and the children's presentation.",
        json!({ "referred_to": "Children's Services front door", "reason": "neglect concerns", "urgency": if protection { "urgent" } else { "routine" } }),
    );
    let plan_day;
    if protection {
        social_event(
            rng,
            writer,
            family,
            "strategy_discussion",
            start + 1,
            "Strategy discussion: section 47 enquiry agreed.",
            json!({ "decision": "section 47 enquiry", "agencies_present": ["QCSC", "QPOL", "QGH"], "section_47_agreed": true }),
        );
        let enquiry = start + rng.range(5, 10);
        social_event(
            rng,
            writer,
            family,
            "section_47_enquiry",
            enquiry,
            "Section 47 enquiry: concerns substantiated; initial conference.",
            json!({ "outcome": "concerns substantiated", "joint_with_police": false }),
        );
        plan_day = start + rng.range(14, 15);
        social_event(
            rng,
            writer,
            family,
            "child_protection_conference",
            plan_day,
            "Initial child protection conference: plan under neglect.",
            json!({ "conference_type": "initial", "outcome": "child protection plan" }),
        );
        social_event(
            rng,
            writer,
            family,
            "plan_start",
            plan_day,
            "Child protection plan (neglect).",
            json!({ "plan": "child_protection", "category": "neglect" }),
        );
    } else {
        let assessed = start + rng.range(10, 30);
        social_event(
            rng,
            writer,
            family,
            "note",
            assessed,
            "Child and family assessment completed: child in need plan recommended.",
            json!({ "topic": "child and family assessment" }),
        );
        plan_day = start + rng.range(35, 45);
        social_event(
            rng,
            writer,
            family,
            "plan_start",
            plan_day,
            "Child in need plan.",
            json!({ "plan": "child_in_need" }),
        );
    }
    let length = rng.range(180, 300);
    let mut day = plan_day;
    let mut visit = 0;
    let mut review_done = false;
    loop {
        day += if protection {
            rng.range(10, 15)
        } else {
            rng.range(21, 42)
        };
        if day >= writer.days || day >= plan_day + length {
            break;
        }
        visit += 1;
        if protection && !review_done && day >= plan_day + 90 {
            review_done = true;
            social_event(
                rng,
                writer,
                family,
                "child_protection_conference",
                day,
                "Review child protection conference: plan continues.",
                json!({ "conference_type": "review", "outcome": "plan continues" }),
            );
        }
        let failing = failures
            .as_ref()
            .is_some_and(|f| visit > f.after && visit <= f.after + f.count);
        let outcome = if failing {
            if rng.chance(0.5) {
                "no_access"
            } else {
                "child_not_seen"
            }
        } else {
            match rng.below(100) {
                0..3 => "no_access",
                3..7 => "child_not_seen",
                7..12 => "child_seen_alone",
                _ => "child_seen",
            }
        };
        let summary = match outcome {
            "no_access" => "Home visit: no answer at the door. Card left.",
            "child_not_seen" => {
                "Home visit: mother said the child was asleep / at a relative's; child not seen."
            }
            "child_seen_alone" => {
                "Home visit: child seen alone in their room; home conditions adequate."
            }
            _ => "Home visit: children seen with mother; home conditions adequate.",
        };
        let announced = rng.chance(0.7);
        let recorded = social_event(
            rng,
            writer,
            family,
            "home_visit",
            day,
            summary,
            json!({ "outcome": outcome, "announced": announced, "purpose": if protection { "statutory child protection visit" } else { "child in need visit" } }),
        );
        if failing && let (Some(f), Some(recorded)) = (failures.as_deref_mut(), recorded) {
            f.recorded.push(recorded);
        }
    }
    if plan_day + length < writer.days {
        let plan = if protection {
            "child_protection"
        } else {
            "child_in_need"
        };
        social_event(
            rng,
            writer,
            family,
            "plan_end",
            plan_day + length,
            "Plan ended: progress sustained; case stepped down.",
            json!({ "plan": plan, "reason": "progress sustained" }),
        );
    }
    plan_day
}
