//! One module per subcommand of `vigil`.

pub mod bench;
pub mod import;
pub mod migrate;
pub mod serve;
