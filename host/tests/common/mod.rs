//! What the detection-quality tests share: running the real `wikiwatch` binary and showing
//! latencies.
#![allow(dead_code)]

use std::process::Command;

/// The binary under test.
pub fn wikiwatch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wikiwatch"))
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
