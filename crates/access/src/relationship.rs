//! The legitimate relationship: whether a practitioner has a part in a child's life
//! that lets them see the child's record without break-glass.
//!
//! Two things make one (issue 5, docs/SECURITY.md): an event the principal's agency
//! recorded about the child, or an open involvement of the principal's team with the
//! child. An involvement is an `involvement` event: an agency records that one of its
//! teams (an allocation, a health visitor's caseload) or, when the agency leads child
//! protection (children's social care, which convenes the core group), another
//! agency's team, is involved with the child, and later that the involvement closed.
//! The latest record about a team stands. Any other agency naming someone else's team
//! opens nothing: an agency's system must not be able to open a child's record to
//! whomever it names.
//!
//! The web layer reads the casebook and hands over what each record says as
//! [`RecordFacts`]; the answer is decided here, without I/O, so it is tested as data.

use vigil_domain::AgencyCode;

use crate::Principal;

/// What one record about the child says, for the relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFacts<'a> {
    /// The agency that recorded it.
    pub agency: &'a AgencyCode,
    /// Whether that agency leads child protection (registered as children's social
    /// care), so that it may involve another agency's team.
    pub agency_leads: bool,
    /// When the record is an involvement: which team, and whether it opens or closes.
    pub involvement: Option<InvolvementFacts<'a>>,
}

/// A team's involvement with the child, as one record states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvolvementFacts<'a> {
    /// The team's agency.
    pub agency: &'a AgencyCode,
    /// The team, as its agency names it.
    pub team: &'a str,
    /// `true` when the record opens (or confirms) the involvement, `false` when it ends it.
    pub open: bool,
}

/// Why a principal has a relationship with a child, if they have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Their agency recorded an event about the child.
    AgencyRecorded,
    /// Their team has an open involvement with the child.
    TeamInvolved,
}

/// Team names are compared as people write them: the same letters, ignoring case and
/// the spaces around and between words.
fn same_team(a: &str, b: &str) -> bool {
    let words =
        |text: &str| -> Vec<String> { text.split_whitespace().map(str::to_lowercase).collect() };
    words(a) == words(b)
}

/// The principal's relationship with the child the `records` are about, taken in the
/// order they were recorded (the latest involvement record about a team stands).
pub fn relationship<'a>(
    principal: &Principal,
    records: impl IntoIterator<Item = RecordFacts<'a>>,
) -> Option<Relationship> {
    let agency = principal.agency.as_ref()?;
    let team = principal
        .team
        .as_deref()
        .filter(|team| !team.trim().is_empty());
    let mut involved = false;
    for record in records {
        if record.agency == agency {
            return Some(Relationship::AgencyRecorded);
        }
        if let (Some(team), Some(involvement)) = (team, record.involvement)
            && involvement.agency == agency
            && same_team(involvement.team, team)
            && (record.agency_leads || record.agency == involvement.agency)
        {
            involved = involvement.open;
        }
    }
    involved.then_some(Relationship::TeamInvolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credential, Role};

    fn code(text: &str) -> AgencyCode {
        AgencyCode::parse(text).unwrap()
    }

    fn practitioner(agency: &str, team: Option<&str>) -> Principal {
        Principal {
            id: "hv".into(),
            name: "A health visitor".into(),
            role: Role::Practitioner,
            agency: Some(code(agency)),
            team: team.map(str::to_string),
            credential: Credential::Password,
        }
    }

    struct Record {
        agency: AgencyCode,
        leads: bool,
        involvement: Option<(AgencyCode, &'static str, bool)>,
    }

    fn event(agency: &str) -> Record {
        Record {
            agency: code(agency),
            leads: false,
            involvement: None,
        }
    }

    fn involvement(
        by: &str,
        leads: bool,
        team_agency: &str,
        team: &'static str,
        open: bool,
    ) -> Record {
        Record {
            agency: code(by),
            leads,
            involvement: Some((code(team_agency), team, open)),
        }
    }

    fn check(principal: &Principal, records: &[Record]) -> Option<Relationship> {
        relationship(
            principal,
            records.iter().map(|r| RecordFacts {
                agency: &r.agency,
                agency_leads: r.leads,
                involvement: r
                    .involvement
                    .as_ref()
                    .map(|(agency, team, open)| InvolvementFacts {
                        agency,
                        team,
                        open: *open,
                    }),
            }),
        )
    }

    #[test]
    fn an_event_of_ones_agency_is_a_relationship() {
        let hv = practitioner("QHV", Some("Health visiting north"));
        assert_eq!(
            check(&hv, &[event("QAH"), event("QHV")]),
            Some(Relationship::AgencyRecorded)
        );
        assert_eq!(check(&hv, &[event("QAH")]), None);
        assert_eq!(check(&hv, &[]), None);
    }

    #[test]
    fn social_care_involves_another_agencys_team_until_it_closes_the_involvement() {
        let hv = practitioner("QHV", Some("Health visiting north"));
        let opened = involvement("QCS", true, "QHV", "health  visiting NORTH ", true);
        let closed = involvement("QCS", true, "QHV", "Health visiting north", false);
        assert_eq!(
            check(&hv, &[event("QAH"), opened]),
            Some(Relationship::TeamInvolved)
        );
        let opened = involvement("QCS", true, "QHV", "Health visiting north", true);
        assert_eq!(
            check(&hv, &[opened, closed]),
            None,
            "the latest record stands"
        );
        // Reopened after closing.
        let records = [
            involvement("QCS", true, "QHV", "Health visiting north", true),
            involvement("QCS", true, "QHV", "Health visiting north", false),
            involvement("QCS", true, "QHV", "Health visiting north", true),
        ];
        assert_eq!(check(&hv, &records), Some(Relationship::TeamInvolved));
    }

    #[test]
    fn only_the_named_team_of_the_named_agency_is_involved() {
        let opened = [involvement(
            "QCS",
            true,
            "QHV",
            "Health visiting north",
            true,
        )];
        for other in [
            practitioner("QHV", Some("Health visiting south")),
            practitioner("QHV", None),
            practitioner("QHV", Some("  ")),
            practitioner("QAH", Some("Health visiting north")),
        ] {
            assert_eq!(check(&other, &opened), None, "{other:?}");
        }
    }

    #[test]
    fn an_agency_that_does_not_lead_cannot_involve_someone_elses_team() {
        let hv = practitioner("QHV", Some("Health visiting north"));
        let named_by_police = [involvement(
            "QPOL",
            false,
            "QHV",
            "Health visiting north",
            true,
        )];
        assert_eq!(check(&hv, &named_by_police), None);
        // Nor close one that social care opened.
        let records = [
            involvement("QCS", true, "QHV", "Health visiting north", true),
            involvement("QPOL", false, "QHV", "Health visiting north", false),
        ];
        assert_eq!(check(&hv, &records), Some(Relationship::TeamInvolved));
    }

    #[test]
    fn a_principal_without_an_agency_has_no_relationship() {
        let mut mash = practitioner("QHV", Some("Health visiting north"));
        mash.agency = None;
        assert_eq!(check(&mash, &[event("QHV")]), None);
    }
}
