//! A fictional borough's year of agency records, in Vigil's import format (the JSON Lines
//! that `vigil import` and `POST /api/v1/events` take), with the truth about the few
//! children who are being harmed kept apart from the events.
//!
//! Families (a mother, a father or partner in three of four, one to three children, a
//! home) are recorded by seven fictional agencies: a hospital (emergency department and
//! outpatients), two GP practices, health visiting, the schools, the police and
//! children's social care. Each agency holds each person its own way, decided once per
//! agency and person: name order, a familiar given name (the school's "Alfie"), whether
//! it holds the NHS number (health nearly always, social care often, schools and police
//! never), the date format. What happens in a year, with the rates assumed (per child per
//! year unless said; chosen to be of the order of published English figures, not fitted
//! to anything):
//!
//! | what | who records it | rate |
//! |---|---|---|
//! | health visitor reviews at 6-8 weeks, 9-12 months, 2-2½ years | health visiting | every child of that age |
//! | immunisations at 8, 12, 16 weeks, 1 year, 3 years 4 months | GP | every child of that age |
//! | GP consultations | GP | 5 under 1, 3 aged 1-4, 1.5 aged 5-11, 1.2 aged 12+ |
//! | emergency department, not an injury | hospital | 0.2 |
//! | paediatric outpatient clinic, 2-3 appointments | hospital | 5% of children |
//! | appointment missed, "was not brought" (rebooked and attended) | the service | 8% of health visitor reviews, 7% of immunisations, 5% of GP appointments, 10% of outpatient appointments |
//! | minor accident with a consistent explanation, in a mobile child (12 months or more) | emergency department (3 in 4) or GP | 0.20 aged 1-4, 0.15 aged 5+ |
//! | the same accident also recorded by the school (it happened there) | school | 30% of school-age accidents |
//! | GP follow-up of an accident, the account written in the GP's words | GP | 15% of accidents |
//! | school attendance, at the end of each term | school | every child aged 4½ to 16 |
//! | family moves house; agencies catch up with the new address after a lag | all | 8% of families |
//! | police called to a domestic argument, no offence, no markers | police | 3% of two-parent families |
//! | a new partner (no markers) moves in with a single mother, registers with the GP | GP; social care learns of him at its next visit 7 times in 10 | 4% of single-mother families |
//! | child in need: referral, assessment, plan, visits every 3-6 weeks, plan ends | social care | 3% of families |
//! | child protection: referral, strategy discussion, section 47, conference, plan, visits every 10-15 days, review conference | social care | 0.4% of families |
//!
//! Visits find the child in nearly every time (no access 2-3%, child not seen 3-5%).
//!
//! A share of children (2% by default) are on a **seeded harm trajectory** of one of six
//! kinds ([`TrajectoryKind`]), spread evenly over the kinds; the family of such a child
//! is made to fit (a baby for bruising in a non-mobile infant, a single mother for a new
//! partner with a violence marker) and has the same routine contacts as any other. For
//! each, the truth file states when the pattern first became visible in the record (the
//! recording of the event after which NICE CG89 or Working Together says a practitioner
//! should suspect maltreatment or act at once), the level that guidance implies, and the
//! time by which it should have been flagged: visible plus that level's deadline (red 4
//! hours, amber 24). The events never say which children are seeded.
//!
//! Not modelled: typing errors in names and dates (they split records; the linkage
//! figures in `docs/LINKAGE.md` cover them), births during the year, children in care.
//! Fictional by construction: invented family names, streets and towns; postcodes that
//! start with Q (no UK postcode does); NHS numbers in the never-issued 999 range with a
//! valid check digit; the period is 2024 onwards, not the Case P years.

mod harm;
mod names;
mod routine;

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vigil_domain::agency::Sector;
use vigil_rules::Level;
use vigil_rules::config::AgencyEntry;

use crate::random::Rng;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopulationOptions {
    /// At least this many children (whole families are made, so a few more).
    pub children: usize,
    /// The length of the period, from 1 January 2024.
    pub months: u32,
    pub seed: u64,
    /// The share of children on a seeded harm trajectory (at least one of each kind when
    /// above zero).
    pub seeded_share: f64,
}

impl Default for PopulationOptions {
    fn default() -> Self {
        PopulationOptions {
            children: 2000,
            months: 12,
            seed: 2026,
            seeded_share: 0.02,
        }
    }
}

/// The kinds of seeded harm, each a pattern from the case reviews Vigil exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrajectoryKind {
    /// Bruising in a baby of 2 to 8 months, recorded by the health visitor or GP, with a
    /// vague explanation. Suspect: NICE CG89 1.1.2.
    NonMobileBruising,
    /// A toddler's injuries seen by the emergency department and the GP, explained
    /// differently to each, then a second episode weeks later. Suspect at the second
    /// episode: NICE CG89 1.1 and 1.2 (repeated presentations, changing explanations).
    ChangingExplanations,
    /// A man with police violence and domestic-abuse markers, recorded years before at
    /// another address, is recorded at a single mother's home. Suspect: Working Together
    /// 2023 ch. 2; 'The Myth of Invisible Men' (2021).
    ViolentAdultMovesIn,
    /// A child on a protection plan not seen on three visits in a row. Immediate danger:
    /// Working Together 2023 ch. 4.
    NotSeenOnPlan,
    /// A child on a protection plan not brought to two health appointments within weeks.
    /// Suspect: NICE CG89 1.3, on a plan.
    NotBroughtOnPlan,
    /// A fracture in a child under three with no explanation or one the doctor doubts.
    /// Suspect: NICE CG89 1.1 (fractures).
    UnexplainedFracture,
}

impl TrajectoryKind {
    pub const ALL: [TrajectoryKind; 6] = [
        TrajectoryKind::NonMobileBruising,
        TrajectoryKind::ChangingExplanations,
        TrajectoryKind::ViolentAdultMovesIn,
        TrajectoryKind::NotSeenOnPlan,
        TrajectoryKind::NotBroughtOnPlan,
        TrajectoryKind::UnexplainedFracture,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TrajectoryKind::NonMobileBruising => "non-mobile-bruising",
            TrajectoryKind::ChangingExplanations => "changing-explanations",
            TrajectoryKind::ViolentAdultMovesIn => "violent-adult-moves-in",
            TrajectoryKind::NotSeenOnPlan => "not-seen-on-plan",
            TrajectoryKind::NotBroughtOnPlan => "not-brought-on-plan",
            TrajectoryKind::UnexplainedFracture => "unexplained-fracture",
        }
    }

    /// The level the guidance implies once the pattern is visible.
    pub fn expected_level(self) -> Level {
        match self {
            TrajectoryKind::NotSeenOnPlan => Level::ImmediateDanger,
            _ => Level::Suspect,
        }
    }
}

/// The population's truth: every child, with the agencies' references for them (so a
/// measurement can tell which person in Vigil is which child), and for seeded children
/// what happened and by when it should have been flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub months: u32,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub families: usize,
    pub children: Vec<ChildTruth>,
}

impl Truth {
    pub fn seeded(&self) -> impl Iterator<Item = (&ChildTruth, &SeededHarm)> {
        self.children
            .iter()
            .filter_map(|c| c.harm.as_ref().map(|h| (c, h)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildTruth {
    pub key: String,
    pub family: String,
    pub born: Date,
    /// `none`, `child_in_need` or `child_protection`: how social care knew the family.
    pub social_care: String,
    /// Every (agency, reference) under which an agency recorded this child.
    pub references: Vec<AgencyReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harm: Option<SeededHarm>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AgencyReference {
    pub agency: String,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeededHarm {
    pub kind: TrajectoryKind,
    /// What happened, in a sentence.
    pub story: String,
    /// When the record first showed the pattern: the recording of the event that
    /// completed it.
    pub visible_at: Timestamp,
    pub expected_level: Level,
    /// `visible_at` plus the expected level's deadline.
    pub flag_by: Timestamp,
    /// False when the pattern never became visible in the period (a man recorded at an
    /// address where no record placed a child before the period ended); such a child is
    /// left out of the on-time share and counted apart.
    #[serde(default = "visible")]
    pub visible: bool,
    /// The trajectory's own events, as `AGENCY/source_id`.
    pub events: Vec<String>,
}

fn visible() -> bool {
    true
}

/// The events (in the order recorded) and the truth behind them.
#[derive(Debug, Clone)]
pub struct Population {
    pub events: Vec<Value>,
    pub truth: Truth,
    /// The agencies' register, as the `[rules.agencies]` table of `vigil.toml` needs it.
    pub agencies: BTreeMap<String, AgencyEntry>,
}

pub(crate) struct Agency {
    pub code: &'static str,
    pub system: &'static str,
    pub name: &'static str,
    pub sector: Sector,
    reference_prefix: &'static str,
    /// Chance that this agency holds a given person's NHS number.
    nhs_held: f64,
    /// Chance that it writes a child's familiar name.
    familiar_name: f64,
    /// Hours between the event and its recording.
    delay_hours: (i64, i64),
}

pub(crate) const HOSPITAL: Agency = Agency {
    code: "QGH",
    system: "QGH-PAS",
    name: "Quarrybank General Hospital",
    sector: Sector::Health,
    reference_prefix: "M",
    nhs_held: 0.9,
    familiar_name: 0.05,
    delay_hours: (0, 4),
};
pub(crate) const GP_FERN: Agency = Agency {
    code: "QGP1",
    system: "QGP1-EMIS",
    name: "Fernhollow Surgery",
    sector: Sector::Health,
    reference_prefix: "FH",
    nhs_held: 0.98,
    familiar_name: 0.05,
    delay_hours: (0, 2),
};
pub(crate) const GP_TOLL: Agency = Agency {
    code: "QGP2",
    system: "QGP2-SystmOne",
    name: "Tollgate Medical Centre",
    sector: Sector::Health,
    reference_prefix: "TG",
    nhs_held: 0.98,
    familiar_name: 0.05,
    delay_hours: (0, 2),
};
pub(crate) const HEALTH_VISITING: Agency = Agency {
    code: "QHV",
    system: "QHV-Rio",
    name: "Quarrybank Community Health (health visiting)",
    sector: Sector::Health,
    reference_prefix: "HV",
    nhs_held: 0.95,
    familiar_name: 0.2,
    delay_hours: (1, 30),
};
pub(crate) const SCHOOLS: Agency = Agency {
    code: "QSCH",
    system: "QSCH-SIMS",
    name: "Quarrybank schools",
    sector: Sector::Education,
    reference_prefix: "UPN",
    nhs_held: 0.0,
    familiar_name: 0.3,
    delay_hours: (2, 72),
};
pub(crate) const POLICE: Agency = Agency {
    code: "QPOL",
    system: "QPOL-Niche",
    name: "Quarrybank Police",
    sector: Sector::Police,
    reference_prefix: "P-",
    nhs_held: 0.0,
    familiar_name: 0.1,
    delay_hours: (1, 24),
};
pub(crate) const SOCIAL_CARE: Agency = Agency {
    code: "QCSC",
    system: "QCSC-Mosaic",
    name: "Quarrybank Children's Services",
    sector: Sector::SocialCare,
    reference_prefix: "CS",
    nhs_held: 0.6,
    familiar_name: 0.15,
    delay_hours: (2, 48),
};

const AGENCIES: &[&Agency] = &[
    &HOSPITAL,
    &GP_FERN,
    &GP_TOLL,
    &HEALTH_VISITING,
    &SCHOOLS,
    &POLICE,
    &SOCIAL_CARE,
];

/// A person as they really are; agencies each write them their own way.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub uid: u64,
    pub given: &'static str,
    pub familiar: Option<&'static str>,
    pub middle: Option<&'static str>,
    pub family: String,
    /// Day of birth, counted from the start of the period (negative: before it).
    pub born: i64,
    pub male: bool,
    pub nhs: String,
    pub child: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Home {
    pub number: u32,
    pub street: String,
    pub town: &'static str,
    pub postcode: String,
}

impl Home {
    fn text(&self, with_town: bool) -> String {
        if with_town {
            format!(
                "{} {}, {} {}",
                self.number, self.street, self.town, self.postcode
            )
        } else {
            format!("{} {}, {}", self.number, self.street, self.postcode)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SocialCare {
    None,
    ChildInNeed,
    ChildProtection,
}

pub(crate) struct Family {
    pub key: String,
    pub mother: Person,
    /// The children's father or the mother's partner, living in the home.
    pub father: Option<Person>,
    pub children: Vec<Person>,
    pub home: Home,
    /// The day of a move, and the new home.
    pub moved: Option<(i64, Home)>,
    pub gp: &'static Agency,
    pub social_care: SocialCare,
    /// A partner who moved in during the period (day, person), and the day social care
    /// first recorded him, if it did.
    pub new_partner: Option<(i64, Person, Option<i64>)>,
    pub seeded: Option<(usize, TrajectoryKind)>,
}

impl Family {
    /// Where an agency believes the family lives on a day: the new address only once it
    /// has caught up with a move.
    pub fn home_for(&self, agency: &Agency, day: i64) -> &Home {
        match &self.moved {
            Some((moved, new_home)) if day >= moved + catch_up_days(agency, &self.key) => new_home,
            _ => &self.home,
        }
    }
}

/// How long an agency takes to record a family's new address: the hospital and the police
/// ask at every contact; a school may go on using the old one for a term.
fn catch_up_days(agency: &Agency, family: &str) -> i64 {
    let spread = family.bytes().map(u64::from).sum::<u64>() as i64;
    match agency.sector {
        Sector::Health if agency.code == HOSPITAL.code => 0,
        Sector::Police => 0,
        Sector::Health => spread % 14,
        Sector::SocialCare => spread % 7,
        _ => spread % 45,
    }
}

/// Writes events the way agencies do and keeps the truth's references.
pub(crate) struct Writer {
    seed: u64,
    pub start: Date,
    /// Days in the period.
    pub days: i64,
    time_zone: jiff::tz::TimeZone,
    rng: Rng,
    events: Vec<(Timestamp, u64, Value)>,
    sequence: u64,
    references: HashMap<(&'static str, u64), String>,
    next_reference: HashMap<&'static str, u64>,
    child_references: HashMap<u64, Vec<AgencyReference>>,
    /// When a record first placed a child (by uid) at an address.
    pub child_first_at: HashMap<(u64, String), Timestamp>,
}

/// One person in one event.
pub(crate) struct Mention<'a> {
    pub person: &'a Person,
    pub role: &'static str,
    pub relationship: Option<&'static str>,
    pub home: Option<&'a Home>,
    pub markers: &'static [&'static str],
    /// Only the name as given (a next-of-kin line on a form): no date of birth.
    pub name_only: bool,
}

impl<'a> Mention<'a> {
    pub fn new(person: &'a Person, role: &'static str, home: &'a Home) -> Self {
        Mention {
            person,
            role,
            relationship: None,
            home: Some(home),
            markers: &[],
            name_only: false,
        }
    }

    pub fn relationship(mut self, relationship: &'static str) -> Self {
        self.relationship = Some(relationship);
        self
    }
}

impl Writer {
    fn new(seed: u64, months: u32) -> Self {
        let start = Date::new(2024, 1, 1).expect("a date");
        let end = start
            .checked_add(jiff::Span::new().months(months as i64))
            .expect("the period ends before 9999");
        Writer {
            seed,
            start,
            days: start.until(end).expect("days").get_days() as i64,
            time_zone: vigil_domain::time::uk_time_zone(),
            rng: Rng::derive(seed, 0x5752_4954, 1),
            events: Vec::new(),
            sequence: 0,
            references: HashMap::new(),
            next_reference: HashMap::new(),
            child_references: HashMap::new(),
            child_first_at: HashMap::new(),
        }
    }

    pub fn date(&self, day: i64) -> Date {
        self.start
            .checked_add(jiff::Span::new().days(day))
            .expect("a day near the period")
    }

    pub fn instant(&self, day: i64, minute: i64) -> Timestamp {
        let local = self
            .date(day)
            .at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        // Generated times are from 07:00, never in the spring-forward gap.
        self.time_zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .expect("a UK time")
    }

    fn reference(&mut self, agency: &'static Agency, person: &Person) -> String {
        if let Some(reference) = self.references.get(&(agency.code, person.uid)) {
            return reference.clone();
        }
        let next = self.next_reference.entry(agency.code).or_insert(0);
        *next += 1;
        let reference = format!("{}{:06}", agency.reference_prefix, 100_000 + *next * 7);
        self.references
            .insert((agency.code, person.uid), reference.clone());
        if person.child {
            self.child_references
                .entry(person.uid)
                .or_default()
                .push(AgencyReference {
                    agency: agency.code.to_string(),
                    reference: reference.clone(),
                });
        }
        reference
    }

    /// A person as this agency writes them: decided once per agency and person.
    fn person(&mut self, agency: &'static Agency, mention: &Mention<'_>) -> Value {
        let p = mention.person;
        let mut view = Rng::derive(
            self.seed,
            agency.code.len() as u64 * 31 + agency.code.as_bytes()[agency.code.len() - 1] as u64,
            p.uid,
        );
        let family_first =
            matches!(agency.sector, Sector::Police | Sector::SocialCare) || view.chance(0.5);
        let familiar = p.familiar.filter(|_| {
            view.chance(if p.child {
                agency.familiar_name
            } else {
                agency.familiar_name / 2.0
            })
        });
        let given = familiar.unwrap_or(p.given);
        let with_middle = view.chance(0.5);
        let middle = p.middle.filter(|_| with_middle && familiar.is_none());
        let name = match (family_first, middle) {
            (true, Some(middle)) => format!("{}, {given} {middle}", p.family),
            (true, None) => format!("{}, {given}", p.family),
            (false, Some(middle)) => format!("{given} {middle} {}", p.family),
            (false, None) => format!("{given} {}", p.family),
        };
        let mut value = json!({ "role": mention.role, "name": name });
        let object = value.as_object_mut().expect("an object");
        if !mention.name_only {
            let born = self.date(p.born);
            let date_of_birth = if view.chance(0.5) {
                born.to_string()
            } else {
                format!("{:02}/{:02}/{}", born.day(), born.month(), born.year())
            };
            object.insert("date_of_birth".into(), json!(date_of_birth));
            if view.chance(agency.nhs_held) {
                let nhs = &p.nhs;
                let written = if view.chance(0.5) {
                    format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..])
                } else {
                    nhs.clone()
                };
                object.insert("nhs_number".into(), json!(written));
            }
            if view.chance(0.7) {
                object.insert("sex".into(), json!(if p.male { "male" } else { "female" }));
            }
            object.insert("agency_reference".into(), json!(self.reference(agency, p)));
        }
        if let Some(home) = mention.home {
            let with_town = view.chance(0.6);
            object.insert("addresses".into(), json!([home.text(with_town)]));
        }
        if let Some(relationship) = mention.relationship {
            object.insert("relationship".into(), json!(relationship));
        }
        if !mention.markers.is_empty() {
            object.insert("markers".into(), json!(mention.markers));
        }
        value
    }

    /// Writes one event; returns its `AGENCY/source_id` and when it was recorded.
    #[allow(clippy::too_many_arguments)]
    pub fn event(
        &mut self,
        agency: &'static Agency,
        kind: &str,
        day: i64,
        minute: i64,
        summary: String,
        people: &[Mention<'_>],
        details: Value,
    ) -> (String, Timestamp) {
        self.sequence += 1;
        let source_id = format!("{}-{:07}", kind_code(kind), self.sequence);
        let occurred = self.instant(day, minute);
        let delay = self
            .rng
            .range(agency.delay_hours.0 * 60, agency.delay_hours.1 * 60);
        let recorded = occurred
            .checked_add(jiff::SignedDuration::from_mins(delay))
            .expect("a time");
        let date = self.date(day);
        for mention in people.iter().filter(|m| m.person.child) {
            if let Some(home) = mention.home {
                let first = self
                    .child_first_at
                    .entry((mention.person.uid, home.text(false)))
                    .or_insert(recorded);
                *first = (*first).min(recorded);
            }
        }
        let people: Vec<Value> = people.iter().map(|m| self.person(agency, m)).collect();
        let event = json!({
            "kind": kind,
            "agency": agency.code,
            "source_system": agency.system,
            "source_id": source_id,
            "occurred_at": format!("{date}T{:02}:{:02}", minute / 60, minute % 60),
            "recorded_at": recorded.to_string(),
            "summary": summary,
            "people": people,
            "details": details,
        });
        self.events.push((recorded, self.sequence, event));
        (format!("{}/{source_id}", agency.code), recorded)
    }
}

fn kind_code(kind: &str) -> String {
    kind.split('_')
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_uppercase()
}

/// Makes the population.
pub fn generate(options: &PopulationOptions) -> Population {
    let mut writer = Writer::new(options.seed, options.months);
    let mut rng = Rng::new(options.seed);
    let seeded_target = if options.seeded_share > 0.0 {
        ((options.children as f64 * options.seeded_share).round() as usize)
            .max(TrajectoryKind::ALL.len())
    } else {
        0
    };
    let mut families = Vec::new();
    let mut children = 0;
    let mut uid = 0u64;
    let mut seeded = 0;
    while children < options.children {
        let index = families.len();
        // Seeded families are spaced evenly through the borough by child count.
        let kind = (seeded < seeded_target
            && children >= seeded * options.children / seeded_target.max(1))
        .then(|| TrajectoryKind::ALL[seeded % TrajectoryKind::ALL.len()]);
        let family = routine::family(&mut rng, &writer, index, &mut uid, kind);
        if kind.is_some() {
            seeded += 1;
        }
        children += family.children.len();
        families.push(family);
    }

    let mut harms: HashMap<u64, SeededHarm> = HashMap::new();
    for (index, family) in families.iter().enumerate() {
        let mut family_rng = Rng::derive(options.seed, 0xFA111, index as u64);
        routine::year(&mut family_rng, &mut writer, family);
        if let Some((child, kind)) = family.seeded
            && let Some(harm) = harm::trajectory(&mut family_rng, &mut writer, family, child, kind)
        {
            harms.insert(family.children[child].uid, harm);
        }
    }
    // A man recorded at an address shows a pattern only once a record also places a
    // child there: until then nothing in the record ties him to a child.
    for family in &families {
        let Some((child, TrajectoryKind::ViolentAdultMovesIn)) = family.seeded else {
            continue;
        };
        let Some(harm) = harms.get_mut(&family.children[child].uid) else {
            continue;
        };
        let placed = family
            .children
            .iter()
            .flat_map(|c| {
                [&family.home]
                    .into_iter()
                    .chain(family.moved.as_ref().map(|(_, h)| h))
                    .filter_map(|home| writer.child_first_at.get(&(c.uid, home.text(false))))
            })
            .copied()
            .min();
        let end = writer.instant(writer.days, 0);
        match placed {
            Some(at) if at < end => {
                let at = at.max(harm.visible_at);
                let hours = harm.flag_by.duration_since(harm.visible_at);
                harm.visible_at = at;
                harm.flag_by = at.checked_add(hours).expect("a time");
            }
            _ => harm.visible = false,
        }
    }

    let period_start = writer.instant(0, 0);
    let period_end = writer.instant(writer.days, 0);
    let mut truth_children = Vec::new();
    for family in &families {
        for child in &family.children {
            let mut references = writer
                .child_references
                .remove(&child.uid)
                .unwrap_or_default();
            references.sort();
            truth_children.push(ChildTruth {
                key: format!("C{:06}", child.uid),
                family: family.key.clone(),
                born: writer.date(child.born),
                social_care: match family.social_care {
                    SocialCare::None => "none",
                    SocialCare::ChildInNeed => "child_in_need",
                    SocialCare::ChildProtection => "child_protection",
                }
                .to_string(),
                references,
                harm: harms.remove(&child.uid),
            });
        }
    }
    let mut events = std::mem::take(&mut writer.events);
    events.sort_by_key(|e| (e.0, e.1));
    Population {
        events: events.into_iter().map(|(_, _, e)| e).collect(),
        truth: Truth {
            seed: options.seed,
            months: options.months,
            period_start,
            period_end,
            families: families.len(),
            children: truth_children,
        },
        agencies: AGENCIES
            .iter()
            .map(|a| {
                (
                    a.code.to_string(),
                    AgencyEntry {
                        name: Some(a.name.to_string()),
                        sector: a.sector,
                    },
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
