//! The body map: every recorded injury of a child placed on a front and a back outline,
//! with how many and on which dates, as paediatricians and child protection medicals
//! draw them. The table under the map says the same in words, so nothing rests on the
//! drawing alone.

use std::collections::BTreeMap;

use vigil_domain::body_map::{BodySite, Side};
use vigil_rules::child::ChildRecord;

use super::views::local_date;

/// Which outline a mark is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    Front,
    Back,
}

/// One place on an outline with the injuries recorded there.
pub struct Mark {
    pub view_back: bool,
    pub x: f32,
    pub y: f32,
    pub count: u32,
    pub label: String,
}

/// One row of the table under the map.
pub struct InjuryRow {
    pub date: String,
    pub agency: String,
    pub site: String,
    pub injury: String,
    pub count: u32,
    pub explanation: String,
}

pub struct BodyMap {
    pub marks: Vec<Mark>,
    pub rows: Vec<InjuryRow>,
    pub total: u32,
}

/// Where a site sits on the outline, for the child's right side (the viewer's left on
/// the front view), in a 100 × 220 drawing. `None` for the x of a midline site.
fn place(site: BodySite) -> (View, f32, Option<f32>, f32) {
    use BodySite::*;
    // (view, x of the child's right, x of the child's left, y)
    let paired = |right: f32, y: f32| (View::Front, right, Some(100.0 - right), y);
    let middle = |y: f32| (View::Front, 50.0, None, y);
    match site {
        Head | Scalp => middle(10.0),
        Forehead => middle(13.0),
        Face | Nose => middle(20.0),
        Mouth | Lip | Frenulum => middle(25.0),
        Jaw | Chin => middle(29.0),
        Eye => paired(45.0, 18.0),
        Cheek => paired(43.0, 23.0),
        Ear => paired(38.0, 19.0),
        Neck => middle(36.0),
        Chest | Sternum => middle(52.0),
        Ribs => paired(40.0, 64.0),
        Abdomen => middle(78.0),
        Groin => paired(44.0, 98.0),
        Genitals => middle(101.0),
        Shoulder => paired(34.0, 44.0),
        Arm | UpperArm => paired(27.0, 58.0),
        Elbow => paired(24.0, 72.0),
        Forearm => paired(21.0, 84.0),
        Wrist => paired(19.0, 95.0),
        Hand => paired(18.0, 103.0),
        Finger => paired(17.0, 111.0),
        Hip => paired(38.0, 95.0),
        Leg | Thigh => paired(42.0, 124.0),
        Knee => paired(42.0, 150.0),
        Shin => paired(42.0, 172.0),
        Ankle => paired(42.0, 192.0),
        Foot => paired(42.0, 202.0),
        Toe => paired(42.0, 209.0),
        Multiple | Unspecified => middle(65.0),
        Back | Spine => (View::Back, 50.0, None, 68.0),
        UpperBack => (View::Back, 50.0, None, 54.0),
        LowerBack => (View::Back, 50.0, None, 84.0),
        Buttocks => (View::Back, 50.0, None, 100.0),
        Calf => (View::Back, 58.0, Some(42.0), 172.0),
    }
}

fn words(text: &str) -> String {
    text.replace('_', " ")
}

fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(words))
        .unwrap_or_default()
}

/// The marks and rows for every injury in the child's record.
pub fn body_map(record: &ChildRecord<'_>) -> BodyMap {
    // By outline and place: how many, on which dates, and the site's name.
    type Place = (View, i32, i32);
    let mut marks: BTreeMap<Place, (u32, Vec<String>, String)> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut total = 0;
    for episode in &record.episodes {
        for (event, injury) in &episode.injuries {
            let date = local_date(event.event.occurred_at.date());
            let site = snake(&injury.body_site);
            let side = injury.side.map(|s| snake(&s));
            let (view, right, left, y) = place(injury.body_site);
            let xs: Vec<f32> = match (injury.side, left) {
                (Some(Side::Left), Some(left)) => vec![left],
                (Some(Side::Both), Some(left)) => vec![right, left],
                _ => vec![right],
            };
            for x in xs {
                let entry = marks
                    .entry((view, x as i32, y as i32))
                    .or_insert_with(|| (0, Vec::new(), site.clone()));
                entry.0 += injury.count;
                if !entry.1.contains(&date) {
                    entry.1.push(date.clone());
                }
            }
            total += injury.count;
            rows.push(InjuryRow {
                date: date.clone(),
                agency: event.event.agency.to_string(),
                site: match side {
                    Some(side) => format!("{site} ({side})"),
                    None => site,
                },
                injury: snake(&injury.injury_type),
                count: injury.count,
                explanation: injury
                    .explanations
                    .iter()
                    .map(|e| format!("{}: \"{}\"", e.given_by, e.text))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
    }
    BodyMap {
        marks: marks
            .into_iter()
            .map(|((view, x, y), (count, dates, site))| Mark {
                view_back: view == View::Back,
                x: x as f32,
                y: y as f32,
                count,
                label: format!("{site}: {count} recorded, {}", dates.join(", ")),
            })
            .collect(),
        rows,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_sites_mirror_and_back_sites_sit_on_the_back() {
        let (view, right, left, _) = place(BodySite::Ear);
        assert_eq!(view, View::Front);
        assert_eq!(left, Some(100.0 - right));
        assert_eq!(place(BodySite::Buttocks).0, View::Back);
        assert_eq!(place(BodySite::Forehead).2, None);
    }
}
