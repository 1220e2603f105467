//! # wikiwatch-fluent-bit
//!
//! The wikiwatch detector as a Fluent Bit `filter_wasm` module (`wasm32-wasip1`, JSON event
//! format). Fluent Bit calls `wikiwatch_filter` once per record; the module decodes the
//! record (a raw `tail` line in `log`, or a parsed nginx/apache/ECS/audit record), runs it
//! through one [`wikiwatch_core::Engine`] that lives as long as the module instance, and
//! returns the record with a `wikiwatch` field added: request and agent kinds, user, ip,
//! session hash, the allow entry that matched, and the alerts this record raised.
//!
//! ```text
//! host: malloc(tag) malloc(record) -> wikiwatch_filter(...) -> strdup(result) -> free, free
//!                                          |
//!            record::parse -> Decoder -> Engine::push_event -> annotation::write
//! ```
//!
//! The module exports wasi-libc's `malloc`/`free` (see `build.rs`), so WAMR copies records in
//! with the module's own allocator and records of any size get through.
//!
//! Modules: [`record`] (top-level JSON shape, splice point), [`annotation`] (the `wikiwatch`
//! field), [`filter`] (the per-record contract), [`config_file`] (which config runs),
//! [`settings`] (the config file's `fluent_bit` section), [`state_file`] (the state restored
//! at start and saved as records pass); the wasm exports live in `abi` (wasm32-wasip1 only).

pub mod annotation;
pub mod config_file;
pub mod filter;
pub mod record;
pub mod settings;
pub mod state_file;

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
mod abi;

pub use filter::Filter;
