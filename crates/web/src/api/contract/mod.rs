//! The API's contract: the OpenAPI 3.1 document served at `/api/openapi.json`.
//!
//! The document is built from [`route_table`](super::route_table), the same table the
//! router is built from, so a path, a method or who may call it cannot drift from what
//! runs. What a table entry cannot say (a summary, the query parameters, the body and
//! the success answers) is in [`operations`], keyed by method and path; a route without
//! a description there stops the document being built, which a test catches. The answers
//! every route shares follow from the route itself: a route that needs credentials
//! answers 401 and 403, one with a path parameter answers 404, one that reads a body
//! answers 400, 413, 415 and 422, and every route can answer 503 while its database is
//! away. All errors are problem documents (RFC 9457), described once in [`schemas`].
//! Schemathesis checks in CI that the running server answers as this document says.

pub(crate) mod operations;
pub(crate) mod schemas;

use axum::http::Method;
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Map, Value, json};
use vigil_access::Access;
use vigil_store::EventStore;

use operations::{Operation, Parameter};

const PROBLEM: &str = "application/problem+json";

/// `GET /api/openapi.json`.
pub async fn serve<S: EventStore>() -> Response {
    Json(document::<S>()).into_response()
}

/// The whole document, from the route table.
pub fn document<S: EventStore>() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for route in super::route_table::<S>() {
        let operation = operations::describe(&route.method, route.path).unwrap_or_else(|| {
            panic!(
                "{} {} has no description in api::contract::operations",
                route.method, route.path
            )
        });
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_lowercase()] =
            operation_object(&route.method, route.path, route.access, &operation);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Vigil",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "A multi-agency child-safeguarding hub: agencies send what they record; Vigil links it to people, raises alerts and keeps the record.",
            "description": "Version 1 of the API, under /api/v1. Fields may be added to responses within a version; anything else that would break a client gets a new prefix. Every error is a problem document (RFC 9457) with a `type` listed in docs/API.md, except the FHIR endpoint's, which are FHIR OperationOutcomes. All data in examples is fictional.",
            "license": { "name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later" }
        },
        "servers": [{ "url": "/" }],
        "tags": operations::TAGS.iter().map(|(name, description)| json!({ "name": name, "description": description })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": schemas::components(),
            "securitySchemes": {
                "apiKey": {
                    "type": "http", "scheme": "bearer",
                    "description": "An API key from `vigil key create`: `Authorization: Bearer vigil_<id>_<secret>`."
                },
                "localAccount": {
                    "type": "http", "scheme": "basic",
                    "description": "A local account's user name and password, for scripts."
                }
            }
        }
    })
}

fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn operation_object(method: &Method, path: &str, access: Access, operation: &Operation) -> Value {
    let mut parameters: Vec<Value> = path_parameters(path)
        .into_iter()
        .map(|name| {
            let (description, schema) = operations::path_parameter(path, name);
            json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
        })
        .collect();
    parameters.extend(operation.query.iter().map(Parameter::to_json));

    let mut responses = Map::new();
    for answer in &operation.answers {
        responses.insert(answer.status.to_string(), answer.to_json());
    }
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": { PROBLEM: { "schema": { "$ref": "#/components/schemas/Problem" } } }
        })
    };
    let mut shared = |status: u16, description: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| problem(description));
    };
    let reads_input = !parameters.is_empty() || operation.body.is_some();
    if reads_input {
        shared(
            400,
            "A parameter or the body is malformed (`bad-parameter`, `malformed-json`, `empty-body`, `invalid-utf8`, `unreadable-body`).",
        );
    }
    if access != Access::Public {
        shared(
            401,
            "No credentials, or credentials Vigil does not accept (`unauthenticated`).",
        );
        shared(
            403,
            "The credentials are good but their role or relationship does not allow this (`forbidden`).",
        );
    }
    if path.contains('{') {
        shared(404, "There is nothing with that id (`not-found`).");
    }
    if operation.body.is_some() {
        shared(
            413,
            "The body is over this address's limit (`body-too-large`).",
        );
        shared(
            415,
            "The body is not sent as `application/json` (`unsupported-media-type`).",
        );
        shared(
            422,
            "The body is well-formed but wrong; `errors` names each field (`invalid-fields`).",
        );
    }
    shared(
        503,
        "The database is not answering; retry after `Retry-After` seconds (`store-unavailable`).",
    );

    let mut object = json!({
        "operationId": operation_id(method, path),
        "summary": operation.summary,
        "description": operation.description,
        "tags": [operation.tag],
        "responses": responses,
    });
    if !parameters.is_empty() {
        object["parameters"] = Value::Array(parameters);
    }
    if let Some(body) = &operation.body {
        object["requestBody"] = body.to_json();
    }
    object["security"] = if access == Access::Public {
        json!([])
    } else {
        json!([{ "apiKey": [] }, { "localAccount": [] }])
    };
    object["x-vigil-access"] = json!(format!("{access:?}"));
    object
}

/// `GET /api/v1/children/{id}/chronology` -> `get_api_v1_children_id_chronology`.
fn operation_id(method: &Method, path: &str) -> String {
    let words: Vec<String> = path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("{}_{}", method.as_str().to_lowercase(), words.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_readable_and_unique() {
        assert_eq!(
            operation_id(&Method::GET, "/api/v1/children/{id}/chronology"),
            "get_api_v1_children_id_chronology"
        );
        assert_eq!(
            path_parameters("/api/v1/agencies/{agency}/notices"),
            ["agency"]
        );
    }
}
