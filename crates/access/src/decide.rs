//! The one place access is decided: [`decide`] takes who is asking, what kind of access
//! the route gives ([`Access`]), and the facts the caller gathered ([`Facts`]), and
//! answers [`Decision`].
//!
//! The web layer calls it twice per request: once by the route table before the handler
//! runs, when facts that need the record are not yet known (`None`: the role is checked,
//! the relationship is assumed possible), and again in the handler once it knows them.
//! A refusal at either point is final.

use vigil_domain::AgencyCode;

use crate::{Principal, Role};

/// What a route does, for the purpose of deciding who may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `/health`, `/ready`: anyone, without credentials.
    Public,
    /// Record events for an agency.
    RecordEvents,
    /// Read an agency's events and identity records as that agency recorded them.
    ReadEvents,
    /// The list of children (filtered for practitioners).
    ListChildren,
    /// One child's record: summary, chronology, household, missed-opportunity report.
    ReadChild,
    /// The list of alerts (filtered for practitioners).
    ListAlerts,
    /// Acknowledge or close an alert.
    ActOnAlert,
    /// Decide a referral or an alert at the front door (the MASH outcome, with a
    /// rationale) and assign it to a role or person with a deadline.
    DecideFrontDoor,
    /// The open-questions ledger (filtered for practitioners).
    ListQuestions,
    /// What an agency has been told about alerts its records contributed to.
    ReadNotices,
    /// The rule catalogue: no child data.
    ReadRules,
    /// The derivations log: every conclusion Vigil drew.
    ReadDerivations,
    /// `/metrics`: counts for operators, no person's data (docs/SECURITY.md).
    ReadMetrics,
    /// Any signed-in person: their start page, signing out, the API's OpenAPI document.
    /// No child data.
    SignedIn,
    /// Accounts, keys and agencies: the administrator's pages.
    Administer,
    /// Open a child's record without a legitimate relationship ("break-glass"), giving a
    /// reason: for a practitioner or team manager in an emergency.
    BreakGlass,
    /// The break-glass review queue: see every emergency opening and record whether it
    /// was justified.
    ReviewBreakGlass,
    /// The linkage review queue: pairs of identity records the model could not decide,
    /// and a person's decision to link them or keep them apart.
    ReviewLinkage,
    /// A person's identity records as each agency holds them, and why they were linked.
    ReadPerson,
    /// The audit trail of a child's record: everyone who looked at it or was refused,
    /// when, in what role, and why they said they looked.
    ReadAuditTrail,
    /// The disclosures ledger: what left Vigil (webhooks), to which agency, about which
    /// child, on what lawful basis.
    ReadDisclosures,
}

impl Access {
    pub const ALL: [Access; 21] = [
        Access::Public,
        Access::RecordEvents,
        Access::ReadEvents,
        Access::ListChildren,
        Access::ReadChild,
        Access::ListAlerts,
        Access::ActOnAlert,
        Access::DecideFrontDoor,
        Access::ListQuestions,
        Access::ReadNotices,
        Access::ReadRules,
        Access::ReadDerivations,
        Access::ReadMetrics,
        Access::SignedIn,
        Access::Administer,
        Access::BreakGlass,
        Access::ReviewBreakGlass,
        Access::ReviewLinkage,
        Access::ReadPerson,
        Access::ReadAuditTrail,
        Access::ReadDisclosures,
    ];
}

/// What the caller knows about the record concerned. `None`: not known yet (the route
/// table's check before the handler runs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The agencies that recorded (or would record) the events concerned.
    pub record_agencies: Option<Vec<AgencyCode>>,
    /// Whether the principal has a legitimate relationship with the child concerned: an
    /// event their agency recorded about the child, or an open involvement of their team
    /// with the child ([`crate::relationship`]).
    pub relationship: Option<bool>,
    /// Whether the request asks for the record as it was known at a past moment.
    pub as_at: bool,
    /// Whether the principal holds an unexpired break-glass opening of the child's
    /// record ([`crate::break_glass`]). `None`: not looked up.
    pub break_glass: Option<bool>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed, but a list shows only the children the principal has a legitimate
    /// relationship with.
    OnlyRelated,
    /// Refused: the sentence says which role or relationship is needed. It never says
    /// whether a record exists.
    Refuse(String),
}

impl Decision {
    pub fn is_refused(&self) -> bool {
        matches!(self, Decision::Refuse(_))
    }
}

use Role::*;

fn roles(list: &[Role]) -> String {
    let names: Vec<&str> = list.iter().map(|r| r.as_str()).collect();
    names.join(", ")
}

/// Decides whether `principal` may have `access` given `facts`.
pub fn decide(principal: &Principal, access: Access, facts: &Facts) -> Decision {
    let role = principal.role;
    let refuse = |needed: &[Role], what: &str| {
        Decision::Refuse(format!(
            "{what} needs the role {}; you act as {role}",
            roles(needed)
        ))
    };
    if facts.as_at && !matches!(role, PracticeReviewer | MashAnalyst) {
        return refuse(
            &[PracticeReviewer, MashAnalyst],
            "the record as it was known at a past moment (as_at)",
        );
    }
    let own_agency = |what: &str| -> Decision {
        match (&facts.record_agencies, &principal.agency) {
            (None, _) => Decision::Allow,
            (Some(agencies), Some(mine)) if agencies.iter().all(|a| a == mine) => Decision::Allow,
            (Some(_), Some(mine)) => Decision::Refuse(format!(
                "{what} is only for the agency that recorded the events: you act for {mine}"
            )),
            (Some(_), None) => Decision::Refuse(format!(
                "{what} is only for the agency that recorded the events; you act for no agency"
            )),
        }
    };
    let related = |what: &str| -> Decision {
        match facts.relationship {
            None | Some(true) => Decision::Allow,
            Some(false) => Decision::Refuse(format!(
                "{what} needs a legitimate relationship with the child (an event your agency recorded about them, or an open involvement of your team with them), or the role mash_analyst or practice_reviewer"
            )),
        }
    };
    // A child's record also opens through break-glass: an emergency opening with a
    // recorded reason, which expires and which the privacy officer reviews.
    let related_or_break_glass = |what: &str| -> Decision {
        match (facts.relationship, facts.break_glass) {
            (None | Some(true), _) | (Some(false), Some(true)) => Decision::Allow,
            (Some(false), None | Some(false)) => Decision::Refuse(format!(
                "{what} needs a legitimate relationship with the child (an event your agency recorded about them, or an open involvement of your team with them), or the role mash_analyst or practice_reviewer; in an emergency, open it with break-glass (POST /api/v1/children/{{id}}/break-glass with your reason), which the privacy officer reviews"
            )),
        }
    };
    match access {
        Access::Public | Access::ReadRules | Access::SignedIn => Decision::Allow,
        Access::Administer => match role {
            Administrator => Decision::Allow,
            _ => refuse(&[Administrator], "administration"),
        },
        Access::RecordEvents => match role {
            IntegrationClient | Practitioner => own_agency("recording events"),
            _ => refuse(&[IntegrationClient, Practitioner], "recording events"),
        },
        Access::ReadEvents => match role {
            MashAnalyst => Decision::Allow,
            Practitioner | TeamManager => own_agency("reading events"),
            _ => refuse(
                &[MashAnalyst, Practitioner, TeamManager],
                "reading an agency's events",
            ),
        },
        Access::ListChildren | Access::ListAlerts | Access::ListQuestions => match role {
            MashAnalyst | PracticeReviewer | TeamManager => Decision::Allow,
            Practitioner => Decision::OnlyRelated,
            _ => refuse(
                &[MashAnalyst, PracticeReviewer, TeamManager, Practitioner],
                "a list of children, alerts or questions",
            ),
        },
        Access::ReadChild => match role {
            MashAnalyst | PracticeReviewer => Decision::Allow,
            Practitioner | TeamManager => related_or_break_glass("a child's record"),
            _ => refuse(
                &[MashAnalyst, PracticeReviewer, Practitioner, TeamManager],
                "a child's record",
            ),
        },
        Access::ActOnAlert => match role {
            MashAnalyst | TeamManager => Decision::Allow,
            Practitioner => related("acting on an alert"),
            _ => refuse(
                &[MashAnalyst, TeamManager, Practitioner],
                "acting on an alert",
            ),
        },
        // The front door's decisions are the MASH's, and a team manager's who oversees
        // it; a practitioner takes on what is assigned but does not decide contacts.
        Access::DecideFrontDoor => match role {
            MashAnalyst | TeamManager => Decision::Allow,
            _ => refuse(&[MashAnalyst, TeamManager], "a front-door decision"),
        },
        Access::ReadNotices => match role {
            MashAnalyst | PracticeReviewer => Decision::Allow,
            Practitioner | TeamManager => own_agency("an agency's notices"),
            _ => refuse(
                &[MashAnalyst, PracticeReviewer, Practitioner, TeamManager],
                "an agency's notices",
            ),
        },
        Access::ReadDerivations => match role {
            PracticeReviewer | PrivacyOfficer | MashAnalyst => Decision::Allow,
            _ => refuse(
                &[PracticeReviewer, PrivacyOfficer, MashAnalyst],
                "the derivations log",
            ),
        },
        // Operators run the service; the figures name no one, so no relationship or
        // agency applies. A Prometheus server scrapes with an administrator's API key.
        Access::ReadMetrics => match role {
            Administrator => Decision::Allow,
            _ => refuse(&[Administrator], "the service's metrics"),
        },
        Access::BreakGlass => match role {
            Practitioner | TeamManager => Decision::Allow,
            _ => refuse(
                &[Practitioner, TeamManager],
                "opening a child's record by break-glass",
            ),
        },
        Access::ReviewBreakGlass => match role {
            PrivacyOfficer => Decision::Allow,
            _ => refuse(&[PrivacyOfficer], "the break-glass review queue"),
        },
        Access::ReadAuditTrail => match role {
            PrivacyOfficer => Decision::Allow,
            _ => refuse(&[PrivacyOfficer], "the audit trail of a child's record"),
        },
        // Who was told what about which child is the privacy officer's to review; an
        // administrator runs the subscriptions but does not read what was disclosed.
        Access::ReadDisclosures => match role {
            PrivacyOfficer => Decision::Allow,
            _ => refuse(&[PrivacyOfficer], "the disclosures ledger"),
        },
        Access::ReviewLinkage => match role {
            MashAnalyst | TeamManager => Decision::Allow,
            _ => refuse(
                &[MashAnalyst, TeamManager],
                "the linkage review queue and its decisions",
            ),
        },
        Access::ReadPerson => match role {
            MashAnalyst | PracticeReviewer => Decision::Allow,
            Practitioner | TeamManager => related("a person's identity records"),
            _ => refuse(
                &[MashAnalyst, PracticeReviewer, Practitioner, TeamManager],
                "a person's identity records",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credential;

    fn principal(role: Role, agency: Option<&str>) -> Principal {
        Principal {
            id: "p".into(),
            name: "P".into(),
            role,
            agency: agency.map(|a| AgencyCode::parse(a).unwrap()),
            team: None,
            credential: Credential::ApiKey,
        }
    }

    fn agencies(list: &[&str]) -> Facts {
        Facts {
            record_agencies: Some(list.iter().map(|a| AgencyCode::parse(a).unwrap()).collect()),
            ..Facts::default()
        }
    }

    #[test]
    fn an_agency_records_only_its_own_events() {
        let client = principal(IntegrationClient, Some("NHS-A"));
        assert_eq!(
            decide(&client, Access::RecordEvents, &agencies(&["NHS-A"])),
            Decision::Allow
        );
        assert!(
            decide(
                &client,
                Access::RecordEvents,
                &agencies(&["NHS-A", "POLICE"])
            )
            .is_refused()
        );
        assert!(decide(&client, Access::ReadEvents, &agencies(&["NHS-A"])).is_refused());
        assert!(
            decide(
                &principal(Administrator, None),
                Access::RecordEvents,
                &agencies(&["NHS-A"])
            )
            .is_refused()
        );
    }

    #[test]
    fn a_child_opens_to_a_practitioner_only_with_a_relationship() {
        let worker = principal(Practitioner, Some("NHS-A"));
        let with = Facts {
            relationship: Some(true),
            ..Facts::default()
        };
        let without = Facts {
            relationship: Some(false),
            ..Facts::default()
        };
        assert_eq!(decide(&worker, Access::ReadChild, &with), Decision::Allow);
        let Decision::Refuse(why) = decide(&worker, Access::ReadChild, &without) else {
            panic!("refused")
        };
        assert!(why.contains("legitimate relationship"), "{why}");
        assert_eq!(
            decide(&worker, Access::ListChildren, &Facts::default()),
            Decision::OnlyRelated
        );
        let replay = Facts {
            as_at: true,
            relationship: Some(true),
            ..Facts::default()
        };
        assert!(decide(&worker, Access::ReadChild, &replay).is_refused());
        assert_eq!(
            decide(
                &principal(PracticeReviewer, None),
                Access::ReadChild,
                &replay
            ),
            Decision::Allow
        );
    }

    #[test]
    fn break_glass_opens_a_child_to_a_practitioner_without_a_relationship() {
        let facts = |relationship, break_glass| Facts {
            relationship: Some(relationship),
            break_glass,
            ..Facts::default()
        };
        for role in [Practitioner, TeamManager] {
            let worker = principal(role, Some("NHS-A"));
            assert_eq!(
                decide(&worker, Access::ReadChild, &facts(false, Some(true))),
                Decision::Allow
            );
            for closed in [None, Some(false)] {
                let Decision::Refuse(why) =
                    decide(&worker, Access::ReadChild, &facts(false, closed))
                else {
                    panic!("refused without a relationship or an opening")
                };
                assert!(why.contains("break-glass"), "{why}");
            }
            // Break-glass opens a child's record, nothing else: not acting on alerts.
            if role == Practitioner {
                assert!(
                    decide(&worker, Access::ActOnAlert, &facts(false, Some(true))).is_refused()
                );
            }
            assert_eq!(
                decide(&worker, Access::BreakGlass, &Facts::default()),
                Decision::Allow
            );
        }
        // Roles that never open a record by break-glass, and the one who reviews it.
        for role in [
            MashAnalyst,
            PracticeReviewer,
            PrivacyOfficer,
            Administrator,
            IntegrationClient,
        ] {
            let someone = principal(role, None);
            let Decision::Refuse(why) = decide(&someone, Access::BreakGlass, &Facts::default())
            else {
                panic!("{role} may not open by break-glass")
            };
            assert!(why.contains("practitioner"), "{why}");
            assert_eq!(
                decide(&someone, Access::ReviewBreakGlass, &Facts::default()).is_refused(),
                role != PrivacyOfficer
            );
            // A break-glass opening gives nothing to a role that cannot read children.
            if matches!(role, PrivacyOfficer | Administrator | IntegrationClient) {
                assert!(
                    decide(&someone, Access::ReadChild, &facts(false, Some(true))).is_refused()
                );
            }
        }
    }

    #[test]
    fn linkage_review_is_for_the_mash_and_team_managers_and_persons_need_a_relationship() {
        for role in Role::ALL {
            let someone = principal(role, Some("NHS-A"));
            assert_eq!(
                decide(&someone, Access::ReviewLinkage, &Facts::default()).is_refused(),
                !matches!(role, MashAnalyst | TeamManager),
                "{role}"
            );
        }
        let worker = principal(Practitioner, Some("NHS-A"));
        let without = Facts {
            relationship: Some(false),
            break_glass: Some(true),
            ..Facts::default()
        };
        assert!(decide(&worker, Access::ReadPerson, &without).is_refused());
        let with = Facts {
            relationship: Some(true),
            ..Facts::default()
        };
        assert_eq!(decide(&worker, Access::ReadPerson, &with), Decision::Allow);
        assert_eq!(
            decide(&principal(MashAnalyst, None), Access::ReadPerson, &without),
            Decision::Allow
        );
    }

    #[test]
    fn only_the_privacy_officer_reads_the_disclosures_and_only_the_administrator_runs_webhooks() {
        for role in Role::ALL {
            let someone = principal(role, Some("NHS-A"));
            assert_eq!(
                decide(&someone, Access::ReadDisclosures, &Facts::default()).is_refused(),
                role != PrivacyOfficer,
                "{role}"
            );
            assert_eq!(
                decide(&someone, Access::Administer, &Facts::default()).is_refused(),
                role != Administrator,
                "{role}"
            );
        }
    }

    #[test]
    fn only_the_mash_and_team_managers_decide_at_the_front_door() {
        for role in Role::ALL {
            let someone = principal(role, Some("NHS-A"));
            let decision = decide(&someone, Access::DecideFrontDoor, &Facts::default());
            assert_eq!(
                decision.is_refused(),
                !matches!(role, MashAnalyst | TeamManager),
                "{role}"
            );
            if let Decision::Refuse(why) = decision {
                assert!(why.contains("mash_analyst, team_manager"), "{why}");
            }
        }
    }

    #[test]
    fn an_administrator_sees_no_child_data_but_the_metrics() {
        let admin = principal(Administrator, None);
        for access in Access::ALL {
            let allowed = !decide(&admin, access, &Facts::default()).is_refused();
            assert_eq!(
                allowed,
                matches!(
                    access,
                    Access::Public
                        | Access::ReadRules
                        | Access::ReadMetrics
                        | Access::SignedIn
                        | Access::Administer
                ),
                "{access:?}"
            );
        }
    }
}
