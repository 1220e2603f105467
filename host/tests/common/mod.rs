//! What the CLI tests share: running the real `wikiwatch` binary, the workspace's examples,
//! showing latencies.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test, with compiled components cached under the target directory.
pub fn wikiwatch() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wikiwatch"));
    cmd.env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"));
    cmd
}

/// The workspace root (bundled examples and config).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `cmd`; a failure names `what` and shows wikiwatch's stderr.
pub fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run wikiwatch {what}: {e}"));
    assert!(
        out.status.success(),
        "wikiwatch {what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `12m05s`.
pub fn mins(ms: i64) -> String {
    format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
}
