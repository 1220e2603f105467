//! A cache of compiled components, so each run does not recompile the detector with
//! Cranelift (about a second in a release build, tens of seconds in a debug build).
//!
//! Entries live in `$WIKIWATCH_CACHE_DIR`, else `$XDG_CACHE_HOME/wikiwatch`, else
//! `~/.cache/wikiwatch` (`WIKIWATCH_CACHE_DIR=off` disables the cache). They are keyed by a
//! 128-bit hash of the component bytes and of the engine settings that affect compiled code,
//! and written atomically. A compiled file is native code, so one is loaded only when neither
//! it nor its directory can be written by other users (the directory is created `0700`); any
//! failure falls back to compiling. The cache keeps the newest few entries
//! ([`KEEP`]) and deletes older ones, so upgrades do not pile up files.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// Compiled components kept; older ones are deleted after each store.
const KEEP: usize = 4;

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
    if path.is_file() && private(&dir) && private(&path) {
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

/// Whether no other user can write `path` (always true where permissions are not Unix's).
fn private(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o022 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Best effort: a cache that cannot be written only costs time.
fn store(dir: &Path, path: &Path, compiled: &Component) {
    let Ok(bytes) = compiled.serialize() else {
        return;
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    if builder.create(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    prune(dir);
}

/// Deletes all but the [`KEEP`] newest compiled components.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cwasm"))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    files.sort_by(|a, b| b.cmp(a));
    for (_, old) in files.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn only_the_newest_entries_are_kept() {
        let dir = std::env::temp_dir().join(format!("wikiwatch-cache-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..7u64 {
            let p = dir.join(format!("0.1.0-{i:032x}.cwasm"));
            let f = std::fs::File::create(&p).unwrap();
            f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + i)).unwrap();
        }
        std::fs::write(dir.join("unrelated.txt"), b"x").unwrap();
        prune(&dir);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), KEEP + 1, "{left:?}");
        assert!(left.contains(&format!("0.1.0-{:032x}.cwasm", 6)), "{left:?}");
        assert!(!left.contains(&format!("0.1.0-{:032x}.cwasm", 0)), "{left:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
