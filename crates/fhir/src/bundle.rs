//! Reading a Bundle: its type, each entry's resource into the typed subset, and an index
//! of the names a reference may use (`urn:uuid:...` full URLs, `Patient/123`), so that
//! every reference is resolved inside the bundle or reported. Vigil never fetches a
//! reference from elsewhere: a bundle must carry what its records point at.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::{Reference, Resource, SUPPORTED_RESOURCE_TYPES};
use crate::outcome::{Issue, IssueCode};

pub struct Entry {
    /// Position in `Bundle.entry`, for expressions.
    pub index: usize,
    pub resource: Resource,
}

pub struct Bundle {
    pub entries: Vec<Entry>,
    /// Every name an entry goes by, to its position in `entries`.
    names: HashMap<String, usize>,
}

/// Where entry `index`'s resource is, as FHIRPath.
pub fn at(index: usize) -> String {
    format!("Bundle.entry[{index}].resource")
}

pub fn read(value: &Value, issues: &mut Vec<Issue>) -> Option<Bundle> {
    let Some(object) = value.as_object() else {
        issues.push(Issue::error(
            IssueCode::Structure,
            "Bundle",
            "the body is not a JSON object; send a FHIR R4 Bundle",
        ));
        return None;
    };
    match object.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {}
        Some(other) => {
            issues.push(Issue::error(
                IssueCode::NotSupported,
                "Bundle.resourceType",
                format!("Vigil imports a Bundle; this is a {other}. Wrap the resources in a Bundle of type collection or transaction"),
            ));
            return None;
        }
        None => {
            issues.push(Issue::error(
                IssueCode::Required,
                "Bundle.resourceType",
                "resourceType is required and must be \"Bundle\"",
            ));
            return None;
        }
    }
    match object.get("type").and_then(Value::as_str) {
        Some("collection" | "transaction") => {}
        Some(other) => issues.push(Issue::error(
            IssueCode::NotSupported,
            "Bundle.type",
            format!(
                "Vigil imports bundles of type collection or transaction; this one is {other:?}"
            ),
        )),
        None => issues.push(Issue::error(
            IssueCode::Required,
            "Bundle.type",
            "Bundle.type is required: collection or transaction",
        )),
    }
    let entries = match object.get("entry") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None => {
            issues.push(Issue::error(
                IssueCode::Required,
                "Bundle.entry",
                "the bundle has no entries; there is nothing to import",
            ));
            return None;
        }
        Some(_) => {
            issues.push(Issue::error(
                IssueCode::Structure,
                "Bundle.entry",
                "Bundle.entry is a list",
            ));
            return None;
        }
    };
    let mut bundle = Bundle {
        entries: Vec::with_capacity(entries.len()),
        names: HashMap::with_capacity(entries.len() * 2),
    };
    for (index, entry) in entries.iter().enumerate() {
        let Some(resource_value) = entry.get("resource") else {
            issues.push(Issue::error(
                IssueCode::Required,
                format!("Bundle.entry[{index}].resource"),
                "each entry carries a resource",
            ));
            continue;
        };
        let Some(resource) = read_resource(resource_value, index, issues) else {
            continue;
        };
        let position = bundle.entries.len();
        if let Some(full_url) = entry.get("fullUrl").and_then(Value::as_str) {
            bundle.name(full_url.to_string(), position, index, issues);
            // An absolute RESTful URL also answers to its relative form.
            if let Some(relative) = relative_form(full_url, resource.type_name()) {
                bundle.names.entry(relative).or_insert(position);
            }
        }
        if let Some(id) = resource.id() {
            let relative = format!("{}/{id}", resource.type_name());
            bundle.names.entry(relative).or_insert(position);
        }
        bundle.entries.push(Entry { index, resource });
    }
    Some(bundle)
}

fn relative_form(full_url: &str, type_name: &str) -> Option<String> {
    let marker = format!("/{type_name}/");
    let at = full_url.rfind(&marker)?;
    Some(full_url[at + 1..].to_string())
}

fn read_resource(value: &Value, index: usize, issues: &mut Vec<Issue>) -> Option<Resource> {
    let expression = at(index);
    let Some(type_name) = value.get("resourceType").and_then(Value::as_str) else {
        issues.push(Issue::error(
            IssueCode::Required,
            format!("{expression}.resourceType"),
            "every resource names its resourceType",
        ));
        return None;
    };
    fn typed<T: DeserializeOwned>(
        value: &Value,
        expression: &str,
        issues: &mut Vec<Issue>,
    ) -> Option<T> {
        match serde_path_to_error::deserialize(value) {
            Ok(resource) => Some(resource),
            Err(error) => {
                let path = error.path().to_string();
                let path = fhir_path(&path);
                issues.push(Issue::error(
                    IssueCode::Structure,
                    format!("{expression}{path}"),
                    format!(
                        "not the shape FHIR R4 gives this element: {}",
                        error.inner()
                    ),
                ));
                None
            }
        }
    }
    Some(match type_name {
        "Patient" => Resource::Patient(typed(value, &expression, issues)?),
        "RelatedPerson" => Resource::RelatedPerson(typed(value, &expression, issues)?),
        "Encounter" => Resource::Encounter(typed(value, &expression, issues)?),
        "Condition" => Resource::Condition(typed(value, &expression, issues)?),
        "Observation" => Resource::Observation(typed(value, &expression, issues)?),
        "Practitioner" => Resource::Practitioner(typed(value, &expression, issues)?),
        "Organization" => Resource::Organization(typed(value, &expression, issues)?),
        "Location" => Resource::Location(typed(value, &expression, issues)?),
        "ServiceRequest" => Resource::ServiceRequest(typed(value, &expression, issues)?),
        "Communication" => Resource::Communication(typed(value, &expression, issues)?),
        "Provenance" => Resource::Provenance(typed(value, &expression, issues)?),
        other => {
            issues.push(Issue::error(
                IssueCode::NotSupported,
                format!("{expression}.resourceType"),
                format!(
                    "Vigil does not import {other} resources; a bundle may hold {}",
                    SUPPORTED_RESOURCE_TYPES.join(", ")
                ),
            ));
            return None;
        }
    })
}

/// serde_path_to_error's `contact[0].name` as FHIRPath's `.contact[0].name`.
fn fhir_path(path: &str) -> String {
    if path == "." || path.is_empty() {
        String::new()
    } else {
        format!(".{path}")
    }
}

impl Bundle {
    fn name(&mut self, name: String, position: usize, index: usize, issues: &mut Vec<Issue>) {
        if self.names.insert(name.clone(), position).is_some() {
            issues.push(Issue::error(
                IssueCode::Value,
                format!("Bundle.entry[{index}].fullUrl"),
                format!("{name} is the fullUrl of an earlier entry too; each entry needs its own"),
            ));
        }
    }

    /// The entry a reference names, if it is of one of the `expected` types. Reports a
    /// reference that names nothing in the bundle, or the wrong type of resource.
    pub fn resolve(
        &self,
        reference: &Reference,
        expression: &str,
        expected: &[&str],
        issues: &mut Vec<Issue>,
    ) -> Option<&Entry> {
        let Some(target) = reference.reference.as_deref() else {
            issues.push(Issue::error(
                IssueCode::Required,
                format!("{expression}.reference"),
                "the reference is empty; name an entry of the bundle by its fullUrl or as Type/id",
            ));
            return None;
        };
        let Some(&position) = self.names.get(target) else {
            issues.push(Issue::error(
                IssueCode::NotFound,
                expression,
                format!(
                    "{target:?} names no entry in this bundle; Vigil resolves references only inside the bundle, so include the {} it points at",
                    expected.join(" or ")
                ),
            ));
            return None;
        };
        let entry = &self.entries[position];
        if !expected.contains(&entry.resource.type_name()) {
            issues.push(Issue::error(
                IssueCode::Value,
                expression,
                format!(
                    "{target:?} is a {}; this element refers to a {}",
                    entry.resource.type_name(),
                    expected.join(" or ")
                ),
            ));
            return None;
        }
        Some(entry)
    }

    /// Like [`resolve`](Self::resolve), for an optional element: nothing to report when
    /// the element is absent.
    pub fn resolve_optional(
        &self,
        reference: Option<&Reference>,
        expression: &str,
        expected: &[&str],
        issues: &mut Vec<Issue>,
    ) -> Option<&Entry> {
        self.resolve(reference?, expression, expected, issues)
    }
}
