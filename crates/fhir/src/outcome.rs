//! OperationOutcome: how a FHIR server says what was wrong. Each issue names the element
//! as a FHIRPath expression (`Bundle.entry[3].resource.subject`), so an integrator can
//! find it in the bundle they sent without reading Vigil's own event format.

use serde::Serialize;

/// An R4 `OperationOutcome` resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    pub resource_type: &'static str,
    pub issue: Vec<Issue>,
}

impl OperationOutcome {
    pub fn new(issue: Vec<Issue>) -> Self {
        OperationOutcome {
            resource_type: "OperationOutcome",
            issue,
        }
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issue.iter().filter(|i| i.severity == Severity::Error)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The issue types (R4 value set `issue-type`) that Vigil reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueCode {
    /// The JSON is not the shape FHIR gives this element.
    Structure,
    /// A required element is missing.
    Required,
    /// An element's value is wrong (a bad NHS number, an impossible date).
    Value,
    /// A reference names no resource in the bundle.
    NotFound,
    /// A resource type or element value Vigil does not read.
    NotSupported,
    /// A code Vigil does not know; kept as text (a warning).
    CodeInvalid,
    /// Read, but not everything could be kept as a field (a warning).
    Informational,
    /// The caller may not record for this agency.
    Forbidden,
    /// A different record is stored under this record's key.
    Duplicate,
    Conflict,
    TooCostly,
    /// Try again shortly.
    Transient,
    Exception,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueCode,
    pub diagnostics: String,
    pub expression: Vec<String>,
}

impl Issue {
    pub fn error(
        code: IssueCode,
        expression: impl Into<String>,
        diagnostics: impl Into<String>,
    ) -> Self {
        Issue {
            severity: Severity::Error,
            code,
            diagnostics: diagnostics.into(),
            expression: vec![expression.into()],
        }
    }

    pub fn warning(
        code: IssueCode,
        expression: impl Into<String>,
        diagnostics: impl Into<String>,
    ) -> Self {
        Issue {
            severity: Severity::Warning,
            ..Issue::error(code, expression, diagnostics)
        }
    }
}
