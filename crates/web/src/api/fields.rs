//! Reading the small JSON objects people send (a reason, an outcome, a decision): every
//! unknown or missing field is named with a JSON pointer, all at once, so a form or a
//! script can be put right in one go.

use serde_json::Value;
use vigil_domain::FieldError;

/// A JSON object's fields, with the errors found while reading them.
pub(crate) struct Fields<'a> {
    value: &'a Value,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Checks that `value` is an object with no fields but `allowed`; `shape` is shown
    /// when it is not an object, e.g. `{"reason": "..."}`.
    pub fn read(value: &'a Value, allowed: &[&str], what: &str, shape: &str) -> Self {
        let mut errors = Vec::new();
        match value.as_object() {
            Some(object) => {
                for key in object.keys() {
                    if !allowed.contains(&key.as_str()) {
                        errors.push(FieldError::new(
                            format!("/{key}"),
                            format!("is not a field of {what} ({})", allowed.join(", ")),
                        ));
                    }
                }
            }
            None => errors.push(FieldError::new(
                "",
                format!("{what} is a JSON object: {shape}"),
            )),
        }
        Fields { value, errors }
    }

    /// A text field, trimmed; `None` (and an error saying `required`) when absent,
    /// empty or not text.
    pub fn text(&mut self, field: &str, required: &str) -> Option<String> {
        match self.value.get(field) {
            Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_string()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                if self.value.is_object() {
                    self.errors
                        .push(FieldError::new(format!("/{field}"), required.to_string()));
                }
                None
            }
            Some(_) => {
                self.errors.push(FieldError::new(
                    format!("/{field}"),
                    "must be text (a JSON string)",
                ));
                None
            }
        }
    }

    /// A text field that may be left out: `None` when absent, null or empty; an error
    /// when it is there but not text.
    pub fn optional_text(&mut self, field: &str) -> Option<String> {
        match self.value.get(field) {
            Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_string()),
            Some(Value::String(_)) | None | Some(Value::Null) => None,
            Some(_) => {
                self.errors.push(FieldError::new(
                    format!("/{field}"),
                    "must be text (a JSON string)",
                ));
                None
            }
        }
    }

    /// Adds an error about a field.
    pub fn error(&mut self, field: &str, detail: impl Into<String>) {
        self.errors
            .push(FieldError::new(format!("/{field}"), detail.into()));
    }
}
