//! One module per subcommand of `vigil`.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod bench_import;
pub mod bench_latency;
pub mod bench_page;
pub mod casework;
pub mod check;
pub mod demo;
pub mod derivations;
pub mod event_log;
pub mod import;
pub mod import_csv;
pub mod import_fhir;
pub mod link;
pub mod migrate;
pub mod population;
pub mod serve;
