//! Restarts through the real `wikiwatch replay --state FILE`: a log replayed in pieces with a
//! restart between gives the alerts of one run (both engines, and across engines); a damaged,
//! truncated, foreign-version or mismatched state file is refused with exit 2 and left as it was.

use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

use crate::common;

use common::{wikiwatch, workspace};

fn replay(engine: &str, state: Option<&Path>, config: Option<&Path>, input: &Path) -> Output {
    let mut cmd = wikiwatch();
    cmd.args(["replay", "--engine", engine]);
    if let Some(s) = state {
        cmd.arg("--state").arg(s);
    }
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.arg(input).output().expect("wikiwatch runs")
}

/// Alerts of a replay that must succeed.
fn alerts(engine: &str, state: Option<&Path>, config: Option<&Path>, input: &Path) -> String {
    let out = replay(engine, state, config, input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{engine} {input:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("alerts are UTF-8")
}

/// The bundled one-day log (six attacks) and its scenario config.
fn day_log() -> (PathBuf, PathBuf) {
    let root = workspace();
    (root.join("examples/logs/confluence-access.log"), root.join("examples/config.json"))
}

/// Writes the log's lines split at the given fractions into files in `dir`.
fn pieces(dir: &Path, log: &Path, cuts: &[f64]) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(log).expect("read log");
    let lines: Vec<&str> = text.lines().collect();
    let mut bounds: Vec<usize> = cuts.iter().map(|f| (lines.len() as f64 * f) as usize).collect();
    bounds.insert(0, 0);
    bounds.push(lines.len());
    bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let p = dir.join(format!("part{i}.log"));
            std::fs::write(&p, lines[w[0]..w[1]].join("\n") + "\n").expect("write part");
            p
        })
        .collect()
}

fn config_arg(config: &Path) -> Option<&Path> {
    config.exists().then_some(config)
}

#[test]
fn two_halves_with_a_restart_give_the_alerts_of_one_run() {
    let (log, config) = day_log();
    let config = config_arg(&config);
    let dir = TempDir::new().expect("temp dir");
    let parts = pieces(dir.path(), &log, &[0.5]);
    for engine in ["native", "component"] {
        let whole = alerts(engine, None, config, &log);
        assert!(!whole.is_empty(), "{engine}: the day log raises alerts");
        let state = dir.path().join(format!("{engine}.state"));
        let mut split = String::new();
        for p in &parts {
            split += &alerts(engine, Some(&state), config, p);
        }
        assert_eq!(split, whole, "{engine}: a restart halfway changed the alerts");
    }
}

#[test]
fn many_restarts_and_switching_engines_change_nothing() {
    let (log, config) = day_log();
    let config = config_arg(&config);
    let dir = TempDir::new().expect("temp dir");
    let whole = alerts("native", None, config, &log);
    // Five pieces, alternating engines: the state file is the same core snapshot either way.
    let parts = pieces(dir.path(), &log, &[0.1, 0.35, 0.6, 0.9]);
    let state = dir.path().join("mixed.state");
    let mut split = String::new();
    for (i, p) in parts.iter().enumerate() {
        let engine = if i % 2 == 0 { "component" } else { "native" };
        split += &alerts(engine, Some(&state), config, p);
    }
    assert_eq!(split, whole);
}

/// A state file from a real run of the first half.
fn saved_state(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let (log, _) = day_log();
    let parts = pieces(dir, &log, &[0.5]);
    let state = dir.join("wikiwatch.state");
    alerts("native", Some(&state), None, &parts[0]);
    let bytes = std::fs::read(&state).expect("state saved");
    assert!(bytes.len() > 8, "a state file has a header and a body");
    (state, parts[1].clone(), bytes)
}

/// Replays with a damaged state: exit 2, a message naming the file and `want`, the file untouched.
fn refused(state: &Path, input: &Path, config: Option<&Path>, want: &str) {
    let before = std::fs::read(state).expect("state exists");
    for engine in ["native", "component"] {
        let out = replay(engine, Some(state), config, input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{engine}: {stderr}");
        assert!(stderr.contains("wikiwatch.state"), "{engine}: names the file: {stderr}");
        assert!(stderr.contains(want), "{engine}: says {want:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty(), "{engine}: no alerts from a refused state");
        let after = std::fs::read(state).expect("state still there");
        assert_eq!(after, before, "{engine}: a refused state file must not be overwritten");
    }
}

#[test]
fn a_truncated_state_file_is_refused_not_reset() {
    let dir = TempDir::new().expect("temp dir");
    let (state, rest, bytes) = saved_state(dir.path());
    std::fs::write(&state, &bytes[..bytes.len() / 2]).expect("truncate");
    refused(&state, &rest, None, "corrupt");
    std::fs::write(&state, &bytes[..6]).expect("truncate header");
    refused(&state, &rest, None, "corrupt");
    std::fs::write(&state, b"").expect("empty");
    refused(&state, &rest, None, "corrupt");
}

#[test]
fn trailing_garbage_after_a_state_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let (state, rest, mut bytes) = saved_state(dir.path());
    bytes.extend_from_slice(b"\x00garbage");
    std::fs::write(&state, &bytes).expect("write");
    refused(&state, &rest, None, "corrupt");
}

#[test]
fn a_state_of_another_version_is_refused_naming_both_versions() {
    let dir = TempDir::new().expect("temp dir");
    let (state, rest, mut bytes) = saved_state(dir.path());
    // Bytes 4..8: the snapshot version, little-endian, after the `WKWS` magic.
    assert_eq!(&bytes[..4], b"WKWS");
    bytes[4..8].copy_from_slice(&999u32.to_le_bytes());
    std::fs::write(&state, &bytes).expect("write");
    refused(&state, &rest, None, "version 999");
}

#[test]
fn a_state_saved_under_another_allow_list_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let (state, rest, _) = saved_state(dir.path());
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"allow":[{"name":"backup","users":["svc-backup"],"rules":["*"],"reason":"test"}]}"#,
    )
    .expect("write config");
    refused(&state, &rest, Some(&config), "allow");
}
