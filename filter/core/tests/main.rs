//! The detector's behaviour tests, as one test binary (one link instead of one per file); run
//! one module's tests with `cargo nextest run --workspace --release -E 'test(/^rules::/)'`.

mod common;
mod siem_alerts;

mod addresses;
mod baselines;
mod engine;
mod ocsf_types;
mod rules;
mod siem_schemas;
