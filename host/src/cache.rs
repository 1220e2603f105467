//! A cache of compiled components, so each run does not recompile the detector with
//! Cranelift (about a second in a release build, tens of seconds in a debug build).
//!
//! Entries live in `$WIKIWATCH_CACHE_DIR`, else `$XDG_CACHE_HOME/wikiwatch`, else
//! `~/.cache/wikiwatch` (`WIKIWATCH_CACHE_DIR=off` disables the cache). They are keyed by a
//! 128-bit hash of the component bytes and of the engine settings that affect compiled code,
//! and written atomically. Only files this program wrote are ever loaded, from a directory
//! owned by the user; any failure falls back to compiling.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use wasmtime::component::Component;
use wasmtime::Engine;

fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("WIKIWATCH_CACHE_DIR") {
        Some(v) if v == "off" || v.is_empty() => return None,
        Some(v) => return Some(PathBuf::from(v)),
        None => {}
    }
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("wikiwatch"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("wikiwatch"))
}

/// Two independent 64-bit hashes: SipHash (with the engine's compatibility hash) and FNV-1a.
fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut sip = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut sip);
    bytes.hash(&mut sip);
    let fnv = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{:016x}{fnv:016x}", sip.finish())
}

/// Compiles `bytes`, or loads the compiled form cached by an earlier run.
pub fn component(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
    let Some(dir) = cache_dir() else {
        return Component::new(engine, bytes);
    };
    let path = dir.join(format!("{}-{}.cwasm", env!("CARGO_PKG_VERSION"), key(engine, bytes)));
    if path.is_file() {
        // SAFETY: `deserialize_file` trusts its input to be a component this version of
        // wasmtime compiled. The file's name is the hash of the exact component bytes and
        // engine settings, and only `store` below writes such names (atomically, by rename);
        // wasmtime also checks its version and settings header before using it.
        if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(c);
        }
    }
    let compiled = Component::new(engine, bytes)?;
    store(&dir, &path, &compiled);
    Ok(compiled)
}

/// Best effort: a cache that cannot be written only costs time.
fn store(dir: &std::path::Path, path: &std::path::Path, compiled: &Component) {
    let Ok(bytes) = compiled.serialize() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}
