//! The cross-host tests, as one test binary: each binary links wasmtime and the detector, and
//! linking them once rather than once per file is most of what building the suite costs.
//! Run one file's tests with `cargo nextest run --workspace --release -E 'test(/^proxy_nginx::/)'`.

// Harness modules shared by several test files; each file uses a different part of them.
mod base64;
#[path = "common_hostile/corpus.rs"]
mod corpus;
#[path = "fluent_bit/host.rs"]
#[allow(dead_code)]
mod fb_host;
#[path = "fluent_bit/records.rs"]
#[allow(dead_code)]
mod fb_records;
#[path = "proxy_nginx/history.rs"]
#[allow(dead_code)]
mod history;
#[allow(dead_code)]
mod proxy_host;
#[allow(dead_code)]
mod proxy_traffic;

mod docs_json;
mod fluent_bit;
mod fluent_bit_shipper;
mod hostile;
mod hostile_time;
mod proxy_metrics;
mod proxy_nginx;
mod proxy_wasm;
