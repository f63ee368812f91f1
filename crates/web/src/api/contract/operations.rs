//! What each route of the API does, in the words of its OpenAPI operation: a summary,
//! the query parameters, the body it reads and the answers it gives when things go
//! right (and the errors particular to it; the shared ones are added from the route
//! itself). Keyed by the route table's method and path, so a route without a
//! description here is caught by a test, not by an integrator.

use axum::http::Method;
use serde_json::{Value, json};

use super::schemas::r;

pub const TAGS: &[(&str, &str)] = &[
    (
        "service",
        "Whether Vigil is up, its metrics and this document.",
    ),
    (
        "events",
        "Recording what agencies hold, and reading it back as stored.",
    ),
    (
        "children",
        "What the joined-up record means for a child: summary, chronology, household, practice review.",
    ),
    (
        "alerts",
        "Warnings with deadlines, and the questions that need an answer.",
    ),
    (
        "identity",
        "Which records are the same person: the review queue, decisions, a person's records.",
    ),
    (
        "privacy",
        "Emergency access to a record (break-glass) and its review.",
    ),
];

pub struct Parameter {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: Value,
    pub required: bool,
}

impl Parameter {
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name, "in": "query", "required": self.required,
            "description": self.description, "schema": self.schema,
        })
    }
}

pub struct Body {
    pub schema: Value,
    pub description: &'static str,
    pub media_types: &'static [&'static str],
}

impl Body {
    pub fn to_json(&self) -> Value {
        let content: serde_json::Map<String, Value> = self
            .media_types
            .iter()
            .map(|media| (media.to_string(), json!({ "schema": self.schema })))
            .collect();
        json!({ "required": true, "description": self.description, "content": content })
    }
}

pub struct Answer {
    pub status: u16,
    pub description: &'static str,
    /// Media type and schema of each form the answer can take.
    pub content: Vec<(&'static str, Value)>,
}

impl Answer {
    pub fn to_json(&self) -> Value {
        let mut answer = json!({ "description": self.description });
        if !self.content.is_empty() {
            let content: serde_json::Map<String, Value> = self
                .content
                .iter()
                .map(|(media, schema)| (media.to_string(), json!({ "schema": schema })))
                .collect();
            answer["content"] = Value::Object(content);
        }
        answer
    }
}

pub struct Operation {
    pub summary: &'static str,
    pub description: &'static str,
    pub tag: &'static str,
    pub query: Vec<Parameter>,
    pub body: Option<Body>,
    pub answers: Vec<Answer>,
}

const JSON: &str = "application/json";
const PROBLEM: &str = "application/problem+json";
const FHIR: &str = "application/fhir+json";

fn json_answer(status: u16, description: &'static str, schema: &str) -> Answer {
    Answer {
        status,
        description,
        content: vec![(JSON, r(schema))],
    }
}

fn problem(status: u16, description: &'static str) -> Answer {
    Answer {
        status,
        description,
        content: vec![(PROBLEM, r("Problem"))],
    }
}

fn json_body(schema: &str, description: &'static str) -> Option<Body> {
    Some(Body {
        schema: r(schema),
        description,
        media_types: &[JSON],
    })
}

/// `SAH`, `NCH-CDC`: as `vigil_domain::AgencyCode` reads one.
fn agency_code() -> Value {
    json!({ "type": "string", "pattern": "^[A-Z0-9][A-Z0-9-]{0,22}[A-Z0-9]$" })
}

fn as_at() -> Parameter {
    Parameter {
        name: "as_at",
        description: "RFC 3339: the record as Vigil knew it at that moment (practice review). Leave out for now.",
        schema: json!({ "type": "string", "format": "date-time" }),
        required: false,
    }
}

fn page() -> [Parameter; 2] {
    [
        Parameter {
            name: "after",
            description: "The `next_after` of the page before; 0 or leave out for the first page.",
            schema: json!({ "type": "integer", "minimum": 0 }),
            required: false,
        },
        Parameter {
            name: "limit",
            description: "How many to a page.",
            schema: json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 100 }),
            required: false,
        },
    ]
}

fn text_parameter(name: &'static str, description: &'static str) -> Parameter {
    Parameter {
        name,
        description,
        schema: json!({ "type": "string" }),
        required: false,
    }
}

fn operation(summary: &'static str, tag: &'static str, description: &'static str) -> Operation {
    Operation {
        summary,
        description,
        tag,
        query: Vec::new(),
        body: None,
        answers: Vec::new(),
    }
}

impl Operation {
    fn query(mut self, parameters: impl IntoIterator<Item = Parameter>) -> Self {
        self.query.extend(parameters);
        self
    }
    fn body(mut self, body: Option<Body>) -> Self {
        self.body = body;
        self
    }
    fn answers(mut self, answers: impl IntoIterator<Item = Answer>) -> Self {
        self.answers.extend(answers);
        self
    }
}

/// The description and schema of a path parameter, by route and name.
pub fn path_parameter(path: &str, name: &str) -> (&'static str, Value) {
    let uuid = json!({ "type": "string", "format": "uuid" });
    match name {
        "agency" => (
            "An agency's code, as in the rule catalogue's `parameters.agencies` (e.g. `NCS`).",
            agency_code(),
        ),
        _ if path.starts_with("/api/v1/events/") => ("The event's id.", uuid),
        _ if path.starts_with("/api/v1/break-glass/") => ("The opening's id.", uuid),
        _ if path.starts_with("/api/v1/children/") => (
            "The child's person id, as `GET /api/v1/children` lists it.",
            json!({ "type": "string" }),
        ),
        _ if path.starts_with("/api/v1/alerts/") => (
            "The alert's id, as `GET /api/v1/alerts` lists it.",
            json!({ "type": "string" }),
        ),
        _ if path.starts_with("/api/v1/persons/") => (
            "A person's id (the id of their first identity record).",
            json!({ "type": "string" }),
        ),
        _ if path.starts_with("/api/v1/identity-records/") => (
            "An identity record's id: one person as one agency recorded them in one event.",
            uuid,
        ),
        _ => ("An id.", json!({ "type": "string" })),
    }
}

/// The description of the operation at `method` `path`, or `None` when there is none.
pub fn describe(method: &Method, path: &str) -> Option<Operation> {
    let get = method == Method::GET;
    let post = method == Method::POST;
    let described = match path {
        "/health" if get => operation("Is the process up", "service", "Answers while the process runs, whatever its database is doing. No credentials.")
            .answers([json_answer(200, "Up.", "Status")]),
        "/ready" if get => operation("Is Vigil ready to serve", "service", "Answers 200 when the database answers, 503 (`not-ready`) when it does not: for a load balancer. No credentials.")
            .answers([json_answer(200, "Ready.", "Status")]),
        "/metrics" if get => operation("Prometheus metrics", "service", "Counters, gauges and histograms in Prometheus text format 0.0.4 (docs/OPERATIONS.md lists them). They name no person. Administrators only.")
            .answers([Answer { status: 200, description: "The metrics.", content: vec![("text/plain", json!({ "type": "string" }))] }]),
        "/api/openapi.json" if get => operation("This document", "service", "The OpenAPI 3.1 description of this API, built from the route table that serves it.")
            .answers([Answer { status: 200, description: "The document.", content: vec![(JSON, json!({ "type": "object", "required": ["openapi", "paths"] }))] }]),
        "/api/v1/events" if post => operation("Record one event", "events", "One agency record. Sending the same record again stores nothing new and answers 200; a different record under the same source id is refused (409). An integration client records only for its own agency.")
            .body(json_body("EventInput", "The event, as docs/API.md describes it."))
            .answers([
                json_answer(201, "Stored; `Location` names it.", "Recorded"),
                json_answer(200, "Already stored: the same record was sent before.", "Recorded"),
                problem(409, "A different record is stored under this source id (`source-id-conflict`), or the record it corrects was already corrected (`already-corrected`)."),
            ]),
        "/api/v1/events" if get => operation("Read an agency's events", "events", "The events an agency recorded, in log order: all of them, those about one of the agency's person references, or the one under a source system's id.")
            .query([
                Parameter { name: "agency", description: "The agency whose events to read.", schema: agency_code(), required: true },
                text_parameter("reference", "The agency's own reference for a person."),
                text_parameter("source_system", "With `source_id`: the system the record came from."),
                text_parameter("source_id", "With `source_system`: the record's id in that system."),
                Parameter { name: "include_superseded", description: "Also list records that have been corrected.", schema: json!({ "type": "boolean", "default": false }), required: false },
            ])
            .query(page())
            .answers([json_answer(200, "A page of events.", "EventPage")]),
        "/api/v1/events/batch" if post => operation("Record many events", "events", "Up to 10,000 events, stored together: all of them or, when one is wrong, none (422 names each wrong field by its index).")
            .body(json_body("EventBatch", "The events."))
            .answers([
                json_answer(201, "Stored; some were new.", "BatchRecorded"),
                json_answer(200, "Every event was already stored.", "BatchRecorded"),
                problem(409, "An event conflicts with a stored one (`source-id-conflict`, `already-corrected`)."),
                problem(413, "Over the size limit (`body-too-large`) or over 10,000 events (`too-many-events`)."),
            ]),
        "/api/v1/events/{id}" if get => operation("Read one event", "events", "The event as stored, with its sequence, when it was recorded and stored, its identity records and what corrected it.")
            .answers([json_answer(200, "The event.", "StoredEvent")]),
        "/api/v1/fhir" if post => {
            let outcome = || vec![(FHIR, r("OperationOutcome")), (PROBLEM, r("Problem"))];
            operation("Import a FHIR R4 bundle", "events", "A Bundle (collection or transaction) of Patient, RelatedPerson, Encounter, Condition, Observation, Practitioner, Organization and Location resources becomes Vigil events, all or none. Errors are FHIR OperationOutcomes naming the element (or, for credentials, a problem document).")
                .body(Some(Body { schema: json!({ "type": "object", "required": ["resourceType"] }), description: "A FHIR R4 Bundle.", media_types: &[FHIR, JSON] }))
                .answers([
                    json_answer(201, "Stored; some records were new.", "FhirImported"),
                    json_answer(200, "Every record was already stored.", "FhirImported"),
                    Answer { status: 400, description: "The body is not JSON.", content: outcome() },
                    Answer { status: 403, description: "Records of an agency the credentials do not record for.", content: outcome() },
                    Answer { status: 409, description: "A record conflicts with a stored one.", content: outcome() },
                    Answer { status: 413, description: "The bundle is too large.", content: outcome() },
                    Answer { status: 415, description: "Not sent as JSON.", content: outcome() },
                    Answer { status: 422, description: "A dangling reference, a missing required element or an unsupported resource.", content: outcome() },
                    Answer { status: 503, description: "The database is not answering; send again.", content: outcome() },
                ])
        }
        "/api/v1/identity-records/{id}" if get => operation("Read one identity record", "events", "One person as one agency recorded them in one event.")
            .answers([json_answer(200, "The record.", "IdentityRecord")]),
        "/api/v1/children" if get => operation("List children", "children", "Every child Vigil knows of, with open alerts; a practitioner sees only children their agency has a relationship with.")
            .query([as_at()])
            .answers([json_answer(200, "The children.", "ChildList")]),
        "/api/v1/children/{id}" if get => operation("A child's summary", "children", "Flags, plan, who is involved and how to reach them, open alerts and questions, counters.")
            .query([as_at()])
            .answers([json_answer(200, "The summary.", "ChildSummary")]),
        "/api/v1/children/{id}/chronology" if get => operation("A child's chronology", "children", "Every agency's records about the child, merged in time order.")
            .query([as_at()])
            .answers([json_answer(200, "The chronology.", "Chronology")]),
        "/api/v1/children/{id}/chronology.csv" if get => operation("A child's chronology as CSV", "children", "The chronology as a spreadsheet (RFC 4180, CRLF lines, a header row; cells a spreadsheet would run as formulas are prefixed with `'`), as known now or at `as_at`, as an attachment.")
            .query([as_at()])
            .answers([Answer { status: 200, description: "The CSV file.", content: vec![("text/csv", json!({ "type": "string" }))] }]),
        "/api/v1/children/{id}/household" if get => operation("Who lives with a child", "children", "The household on a date, each member with the evidence linking them to the child's home.")
            .query([
                as_at(),
                Parameter { name: "on", description: "The date (YYYY-MM-DD); today when left out.", schema: json!({ "type": "string", "format": "date" }), required: false },
            ])
            .answers([json_answer(200, "The household.", "Household")]),
        "/api/v1/children/{id}/review" if get => operation("Missed-opportunity report", "children", "Each alert with what was done and whether it was in time: for a practice review.")
            .query([as_at()])
            .answers([json_answer(200, "The report.", "PracticeReview")]),
        "/api/v1/alerts" if get => operation("Open alerts", "alerts", "Alerts with their deadlines and who holds each now; a practitioner sees those about related children only.")
            .query([as_at()])
            .answers([json_answer(200, "The alerts.", "AlertList")]),
        "/api/v1/alerts/{id}/acknowledge" if post => operation("Acknowledge an alert", "alerts", "Says the alert is being acted on, with a reason. The agencies whose records were evidence are told.")
            .body(json_body("AlertResponse", "The reason."))
            .answers([
                json_answer(200, "The alert, acknowledged.", "AlertAnswer"),
                problem(409, "The alert is closed (`alert-closed`)."),
            ]),
        "/api/v1/alerts/{id}/close" if post => operation("Close an alert", "alerts", "Closes the alert with a reason; a suspect or immediate-danger alert needs a manager's sign-off (`signed_off_by`).")
            .body(json_body("AlertResponse", "The reason and, where needed, the sign-off."))
            .answers([
                json_answer(200, "The alert, closed.", "AlertAnswer"),
                problem(409, "The alert is already closed (`alert-closed`)."),
            ]),
        "/api/v1/front-door/decisions" if post => operation("Decide at the front door", "alerts", "A MASH analyst's or team manager's decision about an alert or a referral: the outcome, the rationale, and who takes it on by when. Appended, never changed: a later decision about the same item replaces it as current. A decision about an alert not yet acknowledged acknowledges it, and the agencies whose records were evidence are told.")
            .body(json_body("FrontDoorDecisionRequest", "The item, the outcome, the rationale and the assignment."))
            .answers([
                json_answer(201, "Recorded.", "FrontDoorDecision"),
                problem(404, "There is no such alert or referral (`not-found`)."),
                problem(409, "The alert is closed (`alert-closed`)."),
            ]),
        "/api/v1/front-door/decisions" if get => operation("Front-door decisions", "alerts", "Every decision in the order taken, each with its child, whether it is the item's current decision and whether its assignment is outstanding or overdue; a practitioner sees those about related children only.")
            .query([as_at()])
            .answers([json_answer(200, "The decisions.", "FrontDoorDecisions")]),
        "/api/v1/questions" if get => operation("Open questions", "alerts", "Questions Vigil asked (such as who an unknown adult at a child's address is), each with an owner and a deadline.")
            .query([as_at()])
            .answers([json_answer(200, "The questions.", "QuestionList")]),
        "/api/v1/rules" if get => operation("The rule catalogue", "alerts", "Every rule with its version, level, citation and parameters.")
            .query([as_at()])
            .answers([json_answer(200, "The catalogue.", "Rules")]),
        "/api/v1/agencies/{agency}/notices" if get => operation("What an agency has been told", "alerts", "Closing the loop: who acknowledged or closed each alert the agency's records contributed to, when and why.")
            .query([as_at()])
            .answers([json_answer(200, "The notices.", "Notices")]),
        "/api/v1/derivations" if get => operation("The derivation log", "alerts", "Every conclusion Vigil drew (links, places, alerts), in the order drawn, for audit and replay.")
            .query(page())
            .answers([json_answer(200, "A page of derivations.", "Derivations")]),
        "/api/v1/children/{id}/break-glass" if post => operation("Open a record in an emergency", "privacy", "A practitioner or team manager with no relationship to the child opens the record for 24 hours, giving a reason the privacy officer reviews.")
            .body(json_body("BreakGlassRequest", "The reason."))
            .answers([
                json_answer(201, "Opened until `expires_at`.", "BreakGlassOpening"),
                problem(409, "No break-glass is needed: the caller already has a relationship (`break-glass-not-needed`)."),
            ]),
        "/api/v1/children/{id}/audit" if get => operation("Who looked at a child's record", "privacy", "Every read of and refusal at any address about the child, oldest first: who, in what role and agency, what, when, the purpose they gave and the answer. For the privacy officer.")
            .query(page())
            .answers([json_answer(200, "A page of the audit trail.", "AuditTrail")]),
        "/api/v1/break-glass" if get => operation("The break-glass review queue", "privacy", "Every emergency opening with its reviews; `unreviewed=true` for those waiting.")
            .query([Parameter { name: "unreviewed", description: "Only openings without a review.", schema: json!({ "type": "boolean" }), required: false }])
            .answers([json_answer(200, "The openings.", "BreakGlassQueue")]),
        "/api/v1/break-glass/{id}/review" if post => operation("Review an emergency opening", "privacy", "The privacy officer's outcome and note; an opening may be reviewed again (referred, then decided).")
            .body(json_body("BreakGlassReviewRequest", "The outcome and note."))
            .answers([json_answer(201, "The opening with its reviews.", "ReviewedOpening")]),
        "/api/v1/review-queue" if get => operation("Pairs waiting for a person", "identity", "Pairs of identity records that may be the same person, side by side, with the waterfall of match weights.")
            .answers([json_answer(200, "The pairs.", "ReviewQueue")]),
        "/api/v1/review-queue/decisions" if post => operation("Link or keep apart", "identity", "A person's decision on a pair, with a reason; the persons change at once and the decision survives every replay.")
            .body(json_body("PairDecisionRequest", "The pair, the decision and the reason."))
            .answers([
                json_answer(201, "Recorded, with the persons after it.", "PairDecided"),
                problem(404, "There is no identity record with one of those ids (`not-found`)."),
                problem(409, "The decision contradicts earlier decisions (`linkage-decision-contradicts`)."),
            ]),
        "/api/v1/persons/{id}" if get => operation("A person's records", "identity", "Each agency's record of the person and why it was linked (the waterfall of match weights), with the decisions people made.")
            .answers([json_answer(200, "The person.", "PersonIdentity")]),
        "/api/v1/webhooks" if post => operation("Subscribe an agency's system", "webhooks", "An agency's system is sent the topics it asks for, about children its agency has a relationship with, signed with a secret shown only in this answer. https anywhere, or http to this machine only.")
            .body(json_body("WebhookSubscriptionRequest", "The agency, the address, the topics and the lawful basis for sharing."))
            .answers([json_answer(201, "Subscribed; `secret` is shown this once.", "WebhookSubscription")]),
        "/api/v1/webhooks" if get => operation("Webhook subscriptions", "webhooks", "Every subscription, revoked ones too, never with its secret.")
            .answers([json_answer(200, "The subscriptions.", "WebhookSubscriptions")]),
        "/api/v1/webhooks/{id}/revoke" if post => operation("Revoke a subscription", "webhooks", "Nothing more is sent to it; the subscription stays on the record, revoked, with the reason.")
            .body(json_body("ReasonRequest", "Why."))
            .answers([
                json_answer(200, "Revoked.", "WebhookSubscription"),
                problem(409, "It was revoked already (`already-revoked`)."),
            ]),
        "/api/v1/webhook-dead-letters" if get => operation("Deliveries that could not be made", "webhooks", "Deliveries whose last try failed, oldest first, with the last status or error; the payload is not shown.")
            .answers([json_answer(200, "The dead letters.", "DeadLetters")]),
        "/api/v1/webhook-dead-letters/{id}/replay" if post => operation("Try a dead letter again", "webhooks", "The sender tries the delivery again from the start of its backoff.")
            .answers([
                json_answer(202, "It will be tried again.", "Replayed"),
                problem(409, "It is not a dead letter (`not-a-dead-letter`): delivered, or still being tried."),
            ]),
        "/api/v1/disclosures" if get => operation("What left Vigil", "privacy", "Every disclosure (a delivered webhook), to which agency, about which child and alert, on what lawful basis. For the privacy officer.")
            .query([text_parameter("child", "Only disclosures about this child (a person id).")])
            .answers([json_answer(200, "The disclosures.", "Disclosures")]),
        _ => return None,
    };
    Some(described)
}
