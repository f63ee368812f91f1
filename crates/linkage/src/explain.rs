//! Why the model thinks two records are (or are not) the same person.
//!
//! A social worker who is told "these are the same child" must be able to see why, and a
//! reviewer must be able to challenge it: each field's level, its weight, the rare-name
//! adjustment and the prior are laid out as a waterfall that adds up to the final
//! probability. The same struct serialises to JSON for the API.

use serde::{Deserialize, Serialize};

use crate::cluster::{Veto, veto};
use crate::compare::{FIELDS, Field, MISSING, compare};
use crate::model::{LinkageModel, probability_from_weight};
use crate::record::StandardisedRecord;

/// One field's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldContribution {
    pub field: Field,
    /// Level index, `None` when the field is missing on either side.
    pub level: Option<u8>,
    pub level_label: String,
    pub m: Option<f64>,
    pub u: Option<f64>,
    /// log2(m/u); 0 when missing.
    pub match_weight: f64,
    /// Extra weight for a rare (or less for a common) exact name.
    pub term_frequency_adjustment: f64,
    /// The two values compared, as standardised, for the reader.
    pub left_value: Option<String>,
    pub right_value: Option<String>,
}

/// What the scores mean for this pair on their own (clustering may still keep a pair
/// apart because of the other records of a person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairOutcome {
    Link,
    Review,
    /// Kept apart by household or identifier evidence; `Veto::needs_review` says whether
    /// a person should still look.
    Vetoed(Veto),
    NoMatch,
}

/// The full explanation of one pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub left_record_id: String,
    pub right_record_id: String,
    pub prior_probability: f64,
    pub prior_weight: f64,
    pub contributions: Vec<FieldContribution>,
    pub total_weight: f64,
    pub probability: f64,
    pub link_threshold: f64,
    pub review_threshold: f64,
    pub outcome: PairOutcome,
}

fn shown_value(field: Field, r: &StandardisedRecord) -> Option<String> {
    match field {
        Field::GivenName => r.given.as_ref().map(|g| {
            let mut text = g.text.clone();
            for alias in &r.given_aliases {
                text.push_str(&format!(" ({})", alias.text));
            }
            text
        }),
        Field::FamilyName => r.family.as_ref().map(|f| f.parts.join("-")),
        Field::DateOfBirth => r.date_of_birth.as_ref().map(|d| d.to_string()),
        Field::Sex => r.sex.map(|s| format!("{s:?}")),
        Field::Postcode => r.postcode.as_ref().map(|p| p.unit.clone()),
        Field::Address => r.address.as_ref().map(|a| {
            [
                a.flat.as_ref().map(|f| format!("flat {f},")),
                a.house_number.clone(),
                a.street_name.clone(),
                a.street_suffix.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
        }),
        Field::Town => r.town.clone(),
        Field::NhsNumber => r.nhs_number.clone(),
        Field::OtherId => r.other_id.clone(),
        Field::Phone => r.phone.clone(),
    }
}

/// Why a field carries no weight in a pair.
fn not_compared(field: Field, a: &StandardisedRecord, b: &StandardisedRecord) -> &'static str {
    if shown_value(field, a).is_none() || shown_value(field, b).is_none() {
        return "missing on one side: no evidence";
    }
    match field {
        // The location hierarchy (see `compare`): compared once, at the finest level.
        Field::Postcode | Field::Town => "left out: a finer address field settles it",
        Field::DateOfBirth => "partial date that fits: no evidence",
        _ => "not comparable: no evidence",
    }
}

/// Explains the score of a pair.
pub fn explain_pair(
    model: &LinkageModel,
    a: &StandardisedRecord,
    b: &StandardisedRecord,
) -> Explanation {
    let vector = compare(a, b);
    let prior_weight = model.prior_weight();
    let mut total = prior_weight;
    let mut contributions = Vec::with_capacity(FIELDS.len());
    for (field, &level) in FIELDS.iter().zip(&vector) {
        let params = model.parameters(*field);
        let (label, m, u, weight, tf) = if level == MISSING {
            (not_compared(*field, a, b).to_owned(), None, None, 0.0, 0.0)
        } else {
            let p = &params.levels[level as usize];
            let tf = model.term_frequency_adjustment(*field, level, a, b);
            (p.label.clone(), Some(p.m), Some(p.u), p.weight(), tf)
        };
        total += weight + tf;
        contributions.push(FieldContribution {
            field: *field,
            level: (level != MISSING).then_some(level),
            level_label: label,
            m,
            u,
            match_weight: weight,
            term_frequency_adjustment: tf,
            left_value: shown_value(*field, a),
            right_value: shown_value(*field, b),
        });
    }
    let probability = probability_from_weight(total);
    let outcome = match veto(&vector, model.policy.household_veto) {
        Some(v) if probability >= model.policy.review => PairOutcome::Vetoed(v),
        _ if probability >= model.policy.link => PairOutcome::Link,
        _ if probability >= model.policy.review => PairOutcome::Review,
        _ => PairOutcome::NoMatch,
    };
    Explanation {
        left_record_id: a.record_id.clone(),
        right_record_id: b.record_id.clone(),
        prior_probability: model.prior,
        prior_weight,
        contributions,
        total_weight: total,
        probability,
        link_threshold: model.policy.link,
        review_threshold: model.policy.review,
        outcome,
    }
}

impl Explanation {
    /// A plain-text waterfall, one line per field, running total on the right.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Records {} and {}\n",
            self.left_record_id, self.right_record_id
        );
        let mut running = self.prior_weight;
        out.push_str(&format!(
            "  {:<18} {:<52} {:>8} {:>8}\n",
            "prior",
            format!(
                "chance two records are one person: {:.2e}",
                self.prior_probability
            ),
            format!("{:+.2}", self.prior_weight),
            format!("{running:+.2}")
        ));
        for c in &self.contributions {
            running += c.match_weight + c.term_frequency_adjustment;
            let values = match (&c.left_value, &c.right_value) {
                (Some(l), Some(r)) => format!("{l} / {r}"),
                (Some(l), None) => format!("{l} / -"),
                (None, Some(r)) => format!("- / {r}"),
                (None, None) => "- / -".to_owned(),
            };
            let tf = if c.term_frequency_adjustment != 0.0 {
                format!(" (name frequency {:+.2})", c.term_frequency_adjustment)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  {:<18} {:<52} {:>8} {:>8}\n      {values}\n",
                c.field.label(),
                format!("{}{tf}", c.level_label),
                format!("{:+.2}", c.match_weight + c.term_frequency_adjustment),
                format!("{running:+.2}")
            ));
        }
        let outcome = match self.outcome {
            PairOutcome::Link => "link".to_owned(),
            PairOutcome::Review => "review by a person".to_owned(),
            PairOutcome::Vetoed(v) if v.needs_review() => {
                format!("review by a person: {}", v.describe())
            }
            PairOutcome::Vetoed(v) => format!("not the same person: {}", v.describe()),
            PairOutcome::NoMatch => "not the same person".to_owned(),
        };
        out.push_str(&format!(
            "  total weight {:+.2}, probability {:.4} (link at {:.2}, review at {:.2}): {outcome}\n",
            self.total_weight, self.probability, self.link_threshold, self.review_threshold
        ));
        out
    }
}
