//! Vigil's domain: the words a safeguarding practitioner uses, as types. Values from
//! outside (NHS numbers, postcodes, names, dates, addresses, events) are parsed here,
//! once, so that every layer above works only with valid data.
//!
//! Architecture invariant: this crate does no I/O. It reads no files, no clock (the
//! caller passes "now"), no network and no database.

pub mod address;
pub mod agency;
pub mod body_map;
pub mod date_of_birth;
pub mod event;
pub mod name;
pub mod nhs_number;
pub mod postcode;
pub mod time;

pub use address::Address;
pub use agency::{Agency, AgencyCode, Practitioner, Sector};
pub use date_of_birth::{DateOfBirth, DatePrecision};
pub use event::{
    EventDetails, EventId, FieldError, Limits, NewEvent, PersonInEvent, Role, SourceKey,
    parse_event,
};
pub use name::PersonName;
pub use nhs_number::NhsNumber;
pub use postcode::Postcode;
pub use time::{OccurredAt, TimePrecision};
