//! The wikiwatch core as a WebAssembly component (world `detector` of `wit/wikiwatch.wit`).
//!
//! A thin adapter: WIT types in, core calls, WIT types out. No detection logic lives here.
//! Built for `wasm32-unknown-unknown` and turned into a component with `wit-component`
//! (`src/bin/componentize.rs`, or the CLI's build script), it imports nothing at all: no
//! filesystem, clock, randomness or environment.
//!
//! On other targets the crate is empty: the exports' names (`wikiwatch:filter/detect@0.2.0#...`)
//! are not valid native symbol names, and only the wasm build is ever used.

#[cfg(target_arch = "wasm32")]
mod adapter;
#[cfg(target_arch = "wasm32")]
mod bindings;
#[cfg(target_arch = "wasm32")]
mod convert;
