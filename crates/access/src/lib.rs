//! Who may see and do what.
//!
//! A safeguarding hub holds the most sensitive records a council and a hospital keep, so
//! every request is made by someone Vigil knows (a [`Principal`]: a person signed in, or
//! an agency's system with a key) acting in a [`Role`]. Whether they may do what they
//! ask is decided in this crate and nowhere else, from facts the caller gathers (the
//! child's involvements, which agencies recorded what), so the decision can be tested
//! as a whole matrix without a server or a database.
//!
//! No I/O: the web layer authenticates and gathers the facts; this crate decides.

pub mod principal;

pub use principal::{Credential, Principal, Role, RoleParseError};
