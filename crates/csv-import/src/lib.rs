//! CSV import by mapping. Agencies export what their case systems hold as CSV, each in
//! its own columns and its own way of writing dates. A TOML [`Mapping`] per export says
//! which column holds which field of a Vigil event; it is checked when loaded (every
//! event kind, role, marker, value and date format it names) and against the file's
//! header (every column it names), so a wrong mapping is refused before any row is read.
//! Each row then becomes Vigil's own event JSON, read by `vigil_domain::parse_event`,
//! so a CSV row passes exactly the checks a JSON event does (the same path as
//! `vigil-fhir`). A row that fails is reported with its line in the file and every
//! reason, each naming its column.
//!
//! Architecture invariant: no I/O beyond reading the `std::io::Read` the caller gives,
//! and no clock (the caller passes "now"). It knows CSV and the mapping format, nothing
//! of storage or HTTP.

mod dates;
mod mapping;
mod rows;

use jiff::Timestamp;
use vigil_domain::Limits;

pub use dates::{DateFormat, DateFormats, DateUse};
pub use mapping::{Mapping, MappingError, MappingErrors};
pub use rows::{CsvError, CsvRow, CsvRows, RowError};

/// What the importer knows beyond the file.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Now, for the domain's checks (nothing may have happened in the future).
    pub now: Timestamp,
    pub limits: Limits,
}

#[cfg(test)]
mod tests;
