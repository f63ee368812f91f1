//! The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the API reads and
//! answers, in `components/schemas`. They say what a client may rely on: the fields
//! named as required are always there, with the types given; responses may carry more
//! fields (a version only ever adds them). Schemathesis checks every answer against them.

use serde_json::{Value, json};

/// A reference to one of [`components`].
pub fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn text() -> Value {
    json!({ "type": "string" })
}

fn text_or_null() -> Value {
    json!({ "type": ["string", "null"] })
}

fn moment() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn list_of(item: Value) -> Value {
    json!({ "type": "array", "items": item })
}

/// An object with these properties, of which `required` are always present.
fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

pub fn components() -> Value {
    let mut schemas = serde_json::Map::new();
    schemas.insert("Problem".into(), object(&["type", "title", "status", "detail"], json!({
            "type": { "type": "string", "description": "A path naming the kind of problem, e.g. `/problems/invalid-fields`; docs/API.md lists them." },
            "title": text(),
            "status": { "type": "integer" },
            "detail": { "type": "string", "description": "What was wrong and what to do, in a sentence." },
            "errors": list_of(r("FieldError")),
        })));
    schemas.insert("FieldError".into(), object(&["field", "detail"], json!({
            "field": { "type": "string", "description": "A JSON pointer (`/people/0/date_of_birth`) or a parameter's name." },
            "detail": text(),
        })));
    schemas.insert(
        "OperationOutcome".into(),
        object(
            &["resourceType", "issue"],
            json!({
                "resourceType": { "const": "OperationOutcome" },
                "issue": list_of(object(&["severity", "code"], json!({
                    "severity": { "enum": ["fatal", "error", "warning", "information"] },
                    "code": text(),
                    "diagnostics": text(),
                    "expression": list_of(text()),
                }))),
            }),
        ),
    );
    schemas.insert("EventInput".into(), json!({
            "type": "object",
            "description": "One agency record. docs/API.md describes the fields and the 29 kinds; a wrong event is answered 422 with every wrong field.",
            "required": ["kind", "agency", "source_system", "source_id", "occurred_at", "people", "details"],
            "properties": {
                "kind": text(), "agency": text(), "source_system": text(), "source_id": text(),
                "occurred_at": text(), "recorded_at": text(), "summary": text(),
                "supersedes": text(),
                "recorded_by": { "type": "object" },
                "people": list_of(json!({ "type": "object" })),
                "details": { "type": "object" },
            }
        }));
    schemas.insert(
        "EventBatch".into(),
        object(
            &["events"],
            json!({
                "events": { "type": "array", "description": "Up to 10,000 events (more is answered 413, `too-many-events`).", "items": r("EventInput") },
            }),
        ),
    );
    schemas.insert(
        "Recorded".into(),
        object(
            &["id", "outcome"],
            json!({
                "id": { "type": "string", "format": "uuid" },
                "sequence": { "type": "integer" },
                "outcome": { "enum": ["created", "already_stored"] },
            }),
        ),
    );
    schemas.insert(
        "BatchRecorded".into(),
        object(
            &["created", "already_stored", "results"],
            json!({
                "created": { "type": "integer" },
                "already_stored": { "type": "integer" },
                "results": list_of(object(&["index", "id", "outcome"], json!({
                    "index": { "type": "integer" },
                    "id": { "type": "string", "format": "uuid" },
                    "sequence": { "type": "integer" },
                    "outcome": { "enum": ["created", "already_stored"] },
                }))),
            }),
        ),
    );
    schemas.insert(
        "StoredEvent".into(),
        object(
            &[
                "id",
                "sequence",
                "recorded_at",
                "ingested_at",
                "content_hash",
                "identity_records",
                "event",
            ],
            json!({
                "id": { "type": "string", "format": "uuid" },
                "sequence": { "type": "integer" },
                "recorded_at": moment(),
                "ingested_at": moment(),
                "content_hash": text(),
                "superseded_by": text_or_null(),
                "identity_records": list_of(text()),
                "event": { "type": "object", "required": ["kind", "agency", "people", "details"] },
            }),
        ),
    );
    schemas.insert("EventPage".into(), object(&["events", "next_after"], json!({
            "events": list_of(r("StoredEvent")),
            "next_after": { "type": ["integer", "null"], "description": "Pass as `after` for the next page; null on the last page." },
        })));
    schemas.insert(
        "IdentityRecord".into(),
        object(
            &["record", "event", "agency"],
            json!({
                "record": text(), "event": text(), "agency": text(),
            }),
        ),
    );
    schemas.insert(
        "FhirImported".into(),
        object(
            &["created", "already_stored", "events", "warnings"],
            json!({
                "created": { "type": "integer" },
                "already_stored": { "type": "integer" },
                "events": list_of(object(&["id", "outcome", "kind", "source_id", "entry"], json!({
                    "id": { "type": "string", "format": "uuid" },
                    "outcome": { "enum": ["created", "already_stored"] },
                    "kind": text(), "source_id": text(), "entry": text(),
                }))),
                "warnings": r("OperationOutcome"),
            }),
        ),
    );
    schemas.insert("ChildList".into(), object(&["children"], json!({
            "children": list_of(object(&["id", "name", "on_child_protection_plan", "open_alerts"], json!({
                "id": text(), "name": text(), "date_of_birth": text_or_null(),
                "on_child_protection_plan": { "type": "boolean" },
                "open_alerts": { "type": "integer" },
            }))),
        })));
    schemas.insert("Evidence".into(), object(&["event", "agency", "occurred_at", "recorded_at", "shows"], json!({
            "event": text(), "agency": text(), "occurred_at": text(), "recorded_at": text(), "shows": text(),
        })));
    schemas.insert("Alert".into(), object(&["id", "rule", "rule_version", "title", "citation", "level", "subject", "summary", "evidence", "actions", "owner", "raised_at", "deadline", "status"], json!({
            "id": text(), "rule": text(), "rule_version": { "type": "integer" },
            "title": text(), "citation": text(),
            "level": { "enum": ["consider", "suspect", "immediate_danger"] },
            "subject": text(), "summary": text(),
            "evidence": list_of(r("Evidence")),
            "actions": list_of(text()),
            "owner": text(), "notify": list_of(text()),
            "raised_at": moment(), "updated_at": moment(), "deadline": moment(),
            "blocking": { "type": "boolean" },
            "status": object(&["status"], json!({ "status": { "enum": ["open", "acknowledged", "closed"] } })),
            "history": list_of(object(&["at", "what"], json!({ "at": moment(), "what": text() }))),
        })));
    schemas.insert(
        "AlertList".into(),
        object(
            &["as_at", "alerts"],
            json!({
                "as_at": moment(),
                "alerts": list_of(object(&["alert", "overdue", "held_by"], json!({
                    "alert": r("Alert"), "child_name": text_or_null(),
                    "held_by": text(), "overdue": { "type": "boolean" },
                }))),
            }),
        ),
    );
    schemas.insert(
        "AlertAnswer".into(),
        object(&["alert"], json!({ "alert": r("Alert") })),
    );
    schemas.insert("AlertResponse".into(), json!({
            "type": "object",
            "description": "A person's response to an alert. Who responds is whoever the credentials belong to; a `by` field is refused.",
            "required": ["reason"],
            "additionalProperties": false,
            "properties": {
                "reason": { "type": "string", "minLength": 1, "description": "Why: an alert is never acknowledged or closed without one." },
                "signed_off_by": { "type": "string", "description": "The manager who signed off a closure, needed to close a suspect or immediate-danger alert." },
            }
        }));
    schemas.insert(
        "Question".into(),
        object(
            &[
                "id", "child", "question", "asked_by", "asked_at", "owner", "due_by", "evidence",
            ],
            json!({
                "id": text(), "child": text(), "concerning": text_or_null(), "question": text(),
                "asked_by": text(), "asked_at": moment(), "owner": text(), "due_by": moment(),
                "evidence": list_of(r("Evidence")), "candidates": list_of(text()),
                "answer": { "type": ["object", "null"] },
            }),
        ),
    );
    schemas.insert(
        "QuestionList".into(),
        object(
            &["questions"],
            json!({ "questions": list_of(r("Question")) }),
        ),
    );
    schemas.insert("Counters".into(), object(&["injury_episodes", "injury_episodes_in_window", "window_days", "contacts_in_window"], json!({
            "injury_episodes": { "type": "integer" },
            "injury_episodes_in_window": { "type": "integer" },
            "window_days": { "type": "integer" },
            "contacts_in_window": { "type": "object", "additionalProperties": { "type": "integer" } },
        })));
    schemas.insert("ChildSummary".into(), object(&["child", "name", "on_child_protection_plan", "involved", "open_alerts", "open_questions", "counters"], json!({
            "child": text(), "name": text(), "date_of_birth": text_or_null(),
            "age_months": { "type": ["integer", "null"] },
            "on_child_protection_plan": { "type": "boolean" },
            "plan_since": text_or_null(), "placed_away": { "type": "boolean" }, "home": text_or_null(),
            "involved": list_of(object(&["agency", "agency_name"], json!({
                "agency": text(), "agency_name": text(), "last_contact": text_or_null(),
                "practitioner": text_or_null(), "contact": text_or_null(),
            }))),
            "open_alerts": list_of(r("Alert")),
            "open_questions": list_of(r("Question")),
            "counters": r("Counters"),
        })));
    schemas.insert("Chronology".into(), object(&["child", "name", "as_at", "entries", "counters"], json!({
            "child": text(), "name": text(), "as_at": moment(),
            "entries": list_of(object(&["event", "occurred_at", "date", "recorded_at", "agency", "kind"], json!({
                "event": text(), "occurred_at": text(), "date": text(), "recorded_at": text(),
                "agency": text(), "agency_name": text(), "kind": text(), "summary": text_or_null(),
                "concerns": text_or_null(), "injuries": { "type": "array" },
                "episode": { "type": ["integer", "null"] }, "recorded_by": text_or_null(),
            }))),
            "counters": r("Counters"),
        })));
    schemas.insert("Household".into(), object(&["child", "on", "members"], json!({
            "child": text(), "on": { "type": "string", "format": "date" }, "home": text_or_null(),
            "members": list_of(object(&["person", "name", "adult", "since", "confidence", "evidence", "known_to_social_care", "identified"], json!({
                "person": text(), "name": text(), "adult": { "type": "boolean" },
                "since": text(), "last_evidence": text(),
                "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
                "evidence": { "type": "array" },
                "known_to_social_care": { "type": "boolean" }, "identified": { "type": "boolean" },
            }))),
        })));
    schemas.insert(
        "PracticeReview".into(),
        object(
            &[
                "child",
                "name",
                "as_at",
                "opportunities",
                "alerts",
                "acted_in_time",
            ],
            json!({
                "child": text(), "name": text(), "as_at": moment(),
                "opportunities": list_of(object(&["alert", "acted_in_time"], json!({
                    "alert": r("Alert"),
                    "response": { "type": ["object", "null"] },
                    "acted_in_time": { "type": "boolean" },
                }))),
                "alerts": { "type": "integer" }, "acted_in_time": { "type": "integer" },
            }),
        ),
    );
    schemas.insert(
        "Rules".into(),
        object(
            &["rules", "parameters"],
            json!({
                "rules": list_of(object(&["id", "version", "title", "level", "citation"], json!({
                    "id": text(), "version": { "type": "integer" }, "title": text(),
                    "level": text(), "citation": text(),
                }))),
                "parameters": { "type": "object" },
            }),
        ),
    );
    schemas.insert("Notices".into(), object(&["agency", "notices"], json!({
            "agency": text(),
            "notices": list_of(object(&["at", "agency", "alert", "rule", "child", "action", "by", "reason"], json!({
                "at": moment(), "agency": text(), "alert": text(), "rule": text(), "title": text(),
                "level": text(), "child": text(), "action": { "enum": ["acknowledged", "closed"] },
                "by": text(), "reason": text(), "signed_off_by": text(),
            }))),
        })));
    schemas.insert("Derivations".into(), object(&["derivations", "next_after"], json!({
            "derivations": list_of(object(&["sequence", "kind", "at", "stored_at", "key", "derivation"], json!({
                "sequence": { "type": "integer" }, "kind": text(), "at": moment(),
                "stored_at": moment(), "key": text(), "derivation": { "type": "object" },
            }))),
            "next_after": { "type": ["integer", "null"] },
        })));
    schemas.insert("BreakGlassRequest".into(), json!({
            "type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": { "reason": { "type": "string", "minLength": 1, "description": "Why the record must be opened now; the privacy officer reads it." } }
        }));
    schemas.insert("BreakGlassOpening".into(), object(&["id", "principal_id", "display_name", "role", "child", "reason", "opened_at", "expires_at"], json!({
            "id": { "type": "string", "format": "uuid" }, "principal_id": text(), "display_name": text(),
            "role": text(), "agency": text_or_null(), "child": text(), "reason": text(),
            "opened_at": moment(), "expires_at": moment(),
        })));
    schemas.insert("BreakGlassReview".into(), object(&["id", "opening", "reviewer_id", "reviewer_name", "outcome", "note", "at"], json!({
            "id": { "type": "string", "format": "uuid" }, "opening": { "type": "string", "format": "uuid" },
            "reviewer_id": text(), "reviewer_name": text(),
            "outcome": { "enum": ["justified", "not_justified", "referred"] },
            "note": text(), "at": moment(),
        })));
    schemas.insert(
        "BreakGlassReviewRequest".into(),
        json!({
            "type": "object", "required": ["outcome", "note"], "additionalProperties": false,
            "properties": {
                "outcome": { "enum": ["justified", "not_justified", "referred"] },
                "note": { "type": "string", "minLength": 1 },
            }
        }),
    );
    schemas.insert(
        "ReviewedOpening".into(),
        json!({
            "allOf": [r("BreakGlassOpening")],
            "type": "object",
            "required": ["reviews"],
            "properties": { "reviews": list_of(r("BreakGlassReview")) }
        }),
    );
    schemas.insert(
        "BreakGlassQueue".into(),
        object(
            &["openings"],
            json!({ "openings": list_of(r("ReviewedOpening")) }),
        ),
    );
    schemas.insert(
        "IdentityRecordAsHeld".into(),
        object(
            &[
                "record",
                "person",
                "agency",
                "event",
                "recorded_at",
                "name",
                "as_recorded",
            ],
            json!({
                "record": text(), "person": text(), "agency": text(), "event": text(),
                "recorded_at": moment(), "name": text(), "date_of_birth": text_or_null(),
                "as_recorded": { "type": "object" },
            }),
        ),
    );
    schemas.insert("MatchExplanation".into(), object(&["left_record_id", "right_record_id", "contributions", "total_weight", "probability", "outcome"], json!({
            "left_record_id": text(), "right_record_id": text(),
            "prior_weight": { "type": "number" }, "prior_probability": { "type": "number" },
            "contributions": list_of(object(&["field", "level", "level_label", "match_weight"], json!({
                "field": text(), "level": { "type": ["integer", "null"], "description": "null when a side has no value: the field is neutral evidence" }, "level_label": text(),
                "left_value": text_or_null(), "right_value": text_or_null(),
                "m": { "type": ["number", "null"] }, "u": { "type": ["number", "null"] },
                "match_weight": { "type": "number" }, "term_frequency_adjustment": { "type": "number" },
            }))),
            "total_weight": { "type": "number" }, "probability": { "type": "number" },
            "link_threshold": { "type": "number" }, "review_threshold": { "type": "number" },
            "outcome": text(),
        })));
    schemas.insert("ReviewQueue".into(), object(&["pairs"], json!({
            "pairs": list_of(object(&["left", "right", "probability", "weight", "explanation"], json!({
                "left": r("IdentityRecordAsHeld"), "right": r("IdentityRecordAsHeld"),
                "probability": { "type": "number" }, "weight": { "type": "number" },
                "reason": text(), "explanation": r("MatchExplanation"),
            }))),
        })));
    schemas.insert("FrontDoorDecisionRequest".into(), json!({
            "type": "object", "required": ["outcome", "rationale"], "additionalProperties": false,
            "description": "A MASH decision about one alert or one referral (name exactly one). Any outcome but no_further_action needs an assignment: assign_role and due_by together, and assign_person when a person is named. Who decides is whoever the credentials belong to.",
            "properties": {
                "alert": { "type": "string", "description": "The alert decided about." },
                "referral": { "type": "string", "format": "uuid", "description": "The referral (its event id) decided about." },
                "outcome": { "enum": ["no_further_action", "early_help", "child_in_need_assessment", "strategy_discussion", "refer_to_another_agency"] },
                "rationale": { "type": "string", "minLength": 1, "description": "Why: never recorded without one." },
                "assign_role": { "enum": ["key_worker", "mash_analyst", "team_manager", "emergency_duty_team", "police_child_abuse_team", "health_safeguarding_lead", "legal_services"] },
                "assign_person": { "type": "string", "description": "The user name of the person who takes it on." },
                "due_by": { "type": "string", "format": "date-time", "description": "Act by then; after the decision." },
            }
        }));
    let decision = || {
        object(
            &[
                "item",
                "outcome",
                "rationale",
                "by_id",
                "by",
                "at",
                "current",
                "outstanding",
                "overdue",
            ],
            json!({
                "item": object(&["kind", "id"], json!({ "kind": { "enum": ["alert", "referral"] }, "id": text() })),
                "outcome": text(), "rationale": text(),
                "assignment": object(&["role", "due_by"], json!({
                    "role": text(), "person": text(), "person_name": text(), "due_by": moment(),
                })),
                "by_id": text(), "by": text(), "at": moment(),
                "child": text_or_null(), "child_name": text_or_null(),
                "current": { "type": "boolean" }, "outstanding": { "type": "boolean" }, "overdue": { "type": "boolean" },
            }),
        )
    };
    schemas.insert("FrontDoorDecision".into(), decision());
    schemas.insert(
        "FrontDoorDecisions".into(),
        object(
            &["as_at", "decisions"],
            json!({ "as_at": moment(), "decisions": list_of(r("FrontDoorDecision")) }),
        ),
    );
    schemas.insert("PairDecisionRequest".into(), json!({
            "type": "object", "required": ["left", "right", "decision", "reason"], "additionalProperties": false,
            "properties": {
                "left": { "type": "string", "description": "One identity record of the pair." },
                "right": { "type": "string", "description": "The other identity record." },
                "decision": { "enum": ["link", "keep_apart"] },
                "reason": { "type": "string", "minLength": 1 },
            }
        }));
    schemas.insert(
        "PairDecided".into(),
        object(
            &["decision", "changes"],
            json!({
                "decision": { "type": "object" },
                "left_person": text_or_null(), "right_person": text_or_null(),
                "changes": { "type": "array" },
            }),
        ),
    );
    schemas.insert(
        "PersonIdentity".into(),
        object(
            &["person", "name", "records", "decisions"],
            json!({
                "person": text(), "name": text(),
                "records": list_of(json!({
                    "allOf": [r("IdentityRecordAsHeld")],
                    "type": "object",
                    "properties": {
                        "copy_of": text_or_null(),
                        "explanation": { "anyOf": [r("MatchExplanation"), { "type": "null" }] },
                    }
                })),
                "decisions": { "type": "array" },
            }),
        ),
    );
    schemas.insert("AuditTrail".into(), object(&["child", "name", "entries", "next_after"], json!({
        "child": text(), "name": text(),
        "entries": list_of(object(&["sequence", "at", "actor_id", "action", "path", "status", "allowed", "previous_hash", "hash"], json!({
            "sequence": { "type": "integer" }, "at": moment(), "actor_id": text(),
            "actor_role": text_or_null(), "actor_agency": text_or_null(),
            "action": text(), "path": text(), "resource": text_or_null(), "purpose": text_or_null(),
            "status": { "type": "integer" }, "allowed": { "type": "boolean" },
            "request_id": text_or_null(), "previous_hash": text(), "hash": text(),
        }))),
        "next_after": { "type": ["integer", "null"] },
    })));
    let topic = || json!({ "enum": ["alert_raised", "alert_acknowledged", "alert_closed", "linkage_decision"] });
    schemas.insert("WebhookSubscriptionRequest".into(), json!({
        "type": "object", "required": ["agency", "url", "topics", "lawful_basis"], "additionalProperties": false,
        "properties": {
            "agency": { "type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{0,22}[A-Z0-9]$" },
            "url": { "type": "string", "description": "https://..., or http://127.0.0.1 or localhost" },
            "topics": { "type": "array", "minItems": 1, "uniqueItems": true, "items": topic() },
            "lawful_basis": { "type": "string", "minLength": 1 },
        }
    }));
    let subscription = || {
        json!({
            "id": { "type": "string", "format": "uuid" }, "agency": text(), "url": text(),
            "topics": list_of(topic()), "lawful_basis": text(), "created_by": text(),
            "created_at": moment(), "revoked": {},
        })
    };
    schemas.insert(
        "WebhookSubscription".into(),
        object(
            &["id", "agency", "url", "topics", "lawful_basis"],
            subscription(),
        ),
    );
    schemas.insert(
        "WebhookSubscriptions".into(),
        object(
            &["subscriptions"],
            json!({ "subscriptions": list_of(r("WebhookSubscription")) }),
        ),
    );
    schemas.insert(
        "ReasonRequest".into(),
        json!({
            "type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": { "reason": { "type": "string", "minLength": 1 } }
        }),
    );
    schemas.insert("DeadLetters".into(), object(&["dead_letters"], json!({
        "dead_letters": list_of(object(&["delivery", "subscription", "topic", "tries", "dead_since"], json!({
            "delivery": { "type": "string", "format": "uuid" }, "subscription": { "type": "string", "format": "uuid" },
            "topic": topic(), "queued_at": moment(), "tries": { "type": "integer" }, "dead_since": moment(),
            "last_status": { "type": ["integer", "null"] }, "last_error": text_or_null(), "replays": { "type": "integer" },
        }))),
    })));
    schemas.insert("Replayed".into(), object(&["replay"], json!({
        "replay": object(&["id", "delivery", "after_attempt", "by", "at"], json!({
            "id": { "type": "string", "format": "uuid" }, "delivery": { "type": "string", "format": "uuid" },
            "after_attempt": { "type": "integer" }, "by": text(), "at": moment(),
        })),
    })));
    schemas.insert("Disclosures".into(), object(&["disclosures"], json!({
        "disclosures": list_of(object(&["id", "recipient", "channel", "what", "lawful_basis", "at"], json!({
            "id": { "type": "string", "format": "uuid" }, "recipient": text(),
            "subscription": text_or_null(), "delivery": text_or_null(), "channel": text(),
            "child": text_or_null(), "alert": text_or_null(), "what": text(),
            "lawful_basis": text(), "at": moment(),
        }))),
    })));
    schemas.insert(
        "Status".into(),
        object(&["status"], json!({ "status": text() })),
    );
    Value::Object(schemas)
}
