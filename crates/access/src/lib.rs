//! Who may see and do what.
//!
//! A safeguarding hub holds the most sensitive records a council and a hospital keep, so
//! every request is made by someone Vigil knows (a [`Principal`]: a person signed in, or
//! an agency's system with a key) acting in a [`Role`]. Whether they may do what they
//! ask is decided in this crate and nowhere else ([`decide`]), from facts the caller
//! gathers (which agencies recorded the events about a child), so the decision can be
//! tested as a whole matrix without a server or a database.
//!
//! No I/O: the web layer authenticates and gathers the facts; this crate decides. It
//! also hashes and checks secrets ([`secret`]), which is CPU work and the system's
//! random number generator only.

pub mod account;
pub mod break_glass;
pub mod decide;
pub mod oidc;
pub mod principal;
pub mod relationship;
pub mod secret;

pub use account::{AccountChangeKind, AccountStatus, ChangeReason, UserName};
pub use break_glass::{BreakGlassReason, ReviewOutcome};
pub use decide::{Access, Decision, Facts, decide};
pub use principal::{Credential, Principal, Role, RoleParseError};
