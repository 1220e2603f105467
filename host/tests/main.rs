//! The CLI's tests, as one test binary (one link instead of one per file). Each module runs the
//! real `wikiwatch` binary; run one module's tests with
//! `cargo nextest run --workspace --release -E 'test(/^follow::/)'`.

mod common;

mod cli;
mod coverage;
mod floods;
mod follow;
mod learn;
mod metrics;
mod parity;
mod pull;
mod quality;
mod quality_quiet;
mod report;
mod restart;
mod rogue_admin;
mod self_doc;
mod siem_output;
mod time_and_identity;
