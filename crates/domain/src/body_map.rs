//! The fixed vocabulary of a body map. Injuries are recorded against these sites so
//! that two agencies' records of "bruise, left cheek" can be counted together and drawn
//! on one picture, and so that rules such as NICE CG89's attention to the head, face,
//! ears and neck can be written without reading free text.

use serde::{Deserialize, Serialize};

/// Where on the body. Sides are recorded apart (`Side`), so `cheek` + `left`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodySite {
    Head,
    Scalp,
    Forehead,
    Face,
    Eye,
    Cheek,
    Ear,
    Nose,
    Mouth,
    Lip,
    Frenulum,
    Jaw,
    Chin,
    Neck,
    Chest,
    Sternum,
    Ribs,
    Abdomen,
    Groin,
    Genitals,
    Back,
    UpperBack,
    LowerBack,
    Spine,
    Buttocks,
    Arm,
    Shoulder,
    UpperArm,
    Elbow,
    Forearm,
    Wrist,
    Hand,
    Finger,
    Leg,
    Hip,
    Thigh,
    Knee,
    Shin,
    Calf,
    Ankle,
    Foot,
    Toe,
    /// Injuries over much of the body, recorded without sites.
    Multiple,
    /// A site the recorder's system coded in a way Vigil's body map does not place
    /// (an unmapped SNOMED CT code). The code is kept in the injury's description, so
    /// the injury still counts and nothing the recorder wrote is lost.
    Unspecified,
}

/// The regions that safeguarding guidance names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyRegion {
    /// Head, face, ears and neck: NICE CG89 treats bruising here with particular concern.
    HeadFaceEarsNeck,
    Trunk,
    Back,
    Genital,
    Arms,
    Legs,
    Unspecified,
}

/// Which view of the body map a site is drawn on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyView {
    Front,
    Back,
    Both,
}

impl BodySite {
    pub const ALL: &'static [BodySite] = &[
        BodySite::Head,
        BodySite::Scalp,
        BodySite::Forehead,
        BodySite::Face,
        BodySite::Eye,
        BodySite::Cheek,
        BodySite::Ear,
        BodySite::Nose,
        BodySite::Mouth,
        BodySite::Lip,
        BodySite::Frenulum,
        BodySite::Jaw,
        BodySite::Chin,
        BodySite::Neck,
        BodySite::Chest,
        BodySite::Sternum,
        BodySite::Ribs,
        BodySite::Abdomen,
        BodySite::Groin,
        BodySite::Genitals,
        BodySite::Back,
        BodySite::UpperBack,
        BodySite::LowerBack,
        BodySite::Spine,
        BodySite::Buttocks,
        BodySite::Arm,
        BodySite::Shoulder,
        BodySite::UpperArm,
        BodySite::Elbow,
        BodySite::Forearm,
        BodySite::Wrist,
        BodySite::Hand,
        BodySite::Finger,
        BodySite::Leg,
        BodySite::Hip,
        BodySite::Thigh,
        BodySite::Knee,
        BodySite::Shin,
        BodySite::Calf,
        BodySite::Ankle,
        BodySite::Foot,
        BodySite::Toe,
        BodySite::Multiple,
        BodySite::Unspecified,
    ];

    pub fn region(self) -> BodyRegion {
        use BodySite::*;
        match self {
            Head | Scalp | Forehead | Face | Eye | Cheek | Ear | Nose | Mouth | Lip | Frenulum
            | Jaw | Chin | Neck => BodyRegion::HeadFaceEarsNeck,
            Chest | Sternum | Ribs | Abdomen => BodyRegion::Trunk,
            Back | UpperBack | LowerBack | Spine | Buttocks => BodyRegion::Back,
            Groin | Genitals => BodyRegion::Genital,
            Arm | Shoulder | UpperArm | Elbow | Forearm | Wrist | Hand | Finger => BodyRegion::Arms,
            Leg | Hip | Thigh | Knee | Shin | Calf | Ankle | Foot | Toe => BodyRegion::Legs,
            Multiple | Unspecified => BodyRegion::Unspecified,
        }
    }

    pub fn view(self) -> BodyView {
        use BodySite::*;
        match self {
            Back | UpperBack | LowerBack | Spine | Buttocks | Calf => BodyView::Back,
            Head | Scalp | Ear | Neck | Arm | Shoulder | Elbow | Hand | Finger | Leg | Multiple
            | Unspecified => BodyView::Both,
            _ => BodyView::Front,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
    Midline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjuryType {
    Bruise,
    Burn,
    Scald,
    Fracture,
    Laceration,
    Abrasion,
    Scratch,
    Bite,
    HeadInjury,
    Swelling,
    Haematoma,
    Petechiae,
    Bleeding,
    Other,
}

/// What the recorder thought of the injury and the explanation given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecorderOpinion {
    ConsistentWithExplanation,
    Uncertain,
    Concern,
    PossibleNonAccidental,
    ProbableNonAccidental,
    NonAccidental,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_has_a_region_and_view_and_a_stable_name() {
        for site in BodySite::ALL {
            let name = serde_json::to_string(site).unwrap();
            assert_eq!(serde_json::from_str::<BodySite>(&name).unwrap(), *site);
            let _ = (site.region(), site.view());
        }
        assert_eq!(BodySite::Ear.region(), BodyRegion::HeadFaceEarsNeck);
        assert_eq!(BodySite::Buttocks.view(), BodyView::Back);
        assert_eq!(
            serde_json::to_string(&BodySite::UpperArm).unwrap(),
            "\"upper_arm\""
        );
    }
}
