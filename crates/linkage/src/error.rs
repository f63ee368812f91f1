//! Errors the library can return. Each says what was wrong and how to put it right.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum LinkageError {
    #[error(
        "model artefact has version {found}, this library reads version {expected}: retrain the model or upgrade Vigil"
    )]
    UnsupportedModelVersion { found: u32, expected: u32 },
    #[error("model artefact is not valid JSON for a linkage model: {0}")]
    InvalidModelJson(#[from] serde_json::Error),
    #[error("model artefact is inconsistent: {0}")]
    InvalidModel(String),
    #[error(
        "record id {0:?} appears twice: every record given to one linkage run needs its own id"
    )]
    DuplicateRecordId(String),
    #[error("record id {0:?} is not known to this linkage run")]
    UnknownRecordId(String),
    #[error(
        "records {0:?} and {1:?} are both must-link and (through other must-links) cannot-link: remove one of the conflicting human decisions"
    )]
    ConflictingConstraints(String, String),
    #[error("cannot train a model: {0}")]
    Training(String),
}
