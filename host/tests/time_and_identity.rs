//! Time and identity one bad record cannot break, through the real `wikiwatch replay`: a line
//! dated years or hours ahead, newest-first and shuffled audit exports, one account named three
//! ways, and the loud end of a run whose input was mostly unusable.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

use crate::common;

use common::workspace;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn wikiwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wikiwatch"))
        .env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"))
        .args(args)
        .output()
        .expect("wikiwatch runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn alerts(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("alert JSON"))
        .collect()
}

/// (rule, entity) of every alert.
fn keys(alerts: &[Value]) -> BTreeSet<(String, String)> {
    alerts
        .iter()
        .map(|a| {
            let e = &a["entity"];
            (a["rule"].as_str().unwrap().into(), format!("{}:{}", e["kind"], e["id"]))
        })
        .collect()
}

fn replay_ok(engine: &str, extra: &[&str], inputs: &[&Path]) -> Output {
    let mut args = vec!["replay", "--engine", engine];
    args.extend_from_slice(extra);
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(inputs.iter().map(String::as_str));
    let out = wikiwatch(&args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    out
}

/// The bundled day with line `at` moved `shift` into the future.
fn with_bad_date(dir: &Path, at: usize, year_shift: i32, hour_shift: u32) -> PathBuf {
    let text = std::fs::read_to_string(workspace().join("examples/logs/confluence-access.log"))
        .expect("example log");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // `[07/Oct/2026:14:03:11 +0000]`: change the year and the hour in place.
    let line = &mut lines[at];
    let year: i32 = line[8..12].parse().expect("year");
    let hour: u32 = line[13..15].parse().expect("hour");
    let new_hour = (hour + hour_shift).min(23);
    *line = format!("{}{}:{new_hour:02}{}", &line[..8], year + year_shift, &line[15..]);
    let path = dir.join(format!("bad-{year_shift}-{hour_shift}.log"));
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    path
}

#[test]
fn one_future_dated_line_does_not_blind_the_detector() {
    let dir = TempDir::new().unwrap();
    let clean = workspace().join("examples/logs/confluence-access.log");
    for engine in ["native", "component"] {
        let want = alerts(&replay_ok(engine, &[], &[&clean]));
        assert!(want.len() > 10, "the example day has attacks");
        for (years, hours) in [(10, 0), (0, 4)] {
            let bad = with_bad_date(dir.path(), 100, years, hours);
            let out = replay_ok(engine, &[], &[&bad]);
            let got = alerts(&out);
            assert_eq!(keys(&got), keys(&want), "{engine}, +{years}y +{hours}h");
            let err = stderr(&out);
            assert!(!err.contains("late events"), "{engine}: nothing is late: {err}");
        }
    }
}

#[test]
fn a_poisoned_clock_is_not_saved_in_the_state() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(workspace().join("examples/logs/confluence-access.log"))
        .expect("example log");
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    let mut first: Vec<String> = lines[..half].iter().map(|s| s.to_string()).collect();
    // The first half ends with a line ten years ahead.
    let mut last = first[half - 1].clone();
    last.replace_range(8..12, "2036");
    first.push(last);
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    std::fs::write(&a, first.join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[half..].join("\n") + "\n").unwrap();
    let state = dir.path().join("w.state");
    let s = state.display().to_string();
    let one = alerts(&replay_ok(
        "native",
        &[],
        &[&workspace().join("examples/logs/confluence-access.log")],
    ));
    let mut two = alerts(&replay_ok("native", &["--state", &s], &[&a]));
    let second = replay_ok("native", &["--state", &s], &[&b]);
    assert!(!stderr(&second).contains("late events"), "{}", stderr(&second));
    two.extend(alerts(&second));
    assert_eq!(keys(&two), keys(&one));
}

#[test]
fn newest_first_and_shuffled_audit_exports_read_in_time_order() {
    let dir = TempDir::new().unwrap();
    for name in ["audit-rest-newest-first.jsonl", "audit-cloud-newest-first.jsonl"] {
        let newest_first = fixture(name);
        let text = std::fs::read_to_string(&newest_first).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.reverse();
        let oldest_first = dir.path().join(format!("sorted-{name}"));
        std::fs::write(&oldest_first, lines.join("\n") + "\n").unwrap();
        // A fixed shuffle: every third line to the end.
        let (mut a, b): (Vec<_>, Vec<_>) = lines.iter().enumerate().partition(|(i, _)| i % 3 != 0);
        a.extend(b);
        let shuffled = dir.path().join(format!("shuffled-{name}"));
        let shuffled_text: Vec<&str> = a.into_iter().map(|(_, l)| *l).collect();
        std::fs::write(&shuffled, shuffled_text.join("\n") + "\n").unwrap();
        for engine in ["native", "component"] {
            let want = replay_ok(engine, &[], &[&oldest_first]);
            for input in [&newest_first, &shuffled] {
                let out = replay_ok(engine, &[], &[input]);
                assert_eq!(out.stdout, want.stdout, "{engine} {input:?}");
                let err = stderr(&out);
                assert!(!err.contains("late events"), "{engine} {input:?}: {err}");
                assert!(err.contains("reordered"), "{engine} {input:?}: {err}");
            }
        }
    }
}

#[test]
fn the_admin_grant_is_critical_and_joined_to_the_display_name() {
    let out = replay_ok("component", &[], &[&fixture("audit-rest-newest-first.jsonl")]);
    let got = alerts(&out);
    let admin: Vec<&Value> = got
        .iter()
        .filter(|a| a["rule"] == "privilege-change" && a["entity"]["id"] == "admin")
        .collect();
    assert!(!admin.is_empty(), "{got:?}");
    assert!(admin.iter().any(|a| a["severity"] == "critical"), "{admin:?}");
    let aliases = &admin[0]["evidence"]["aliases"];
    assert!(aliases.as_array().is_some_and(|a| a.iter().any(|x| x == "Test User")), "{aliases}");
    // The exports are the admin's too, not a display-name entity's.
    assert!(got.iter().all(|a| a["entity"]["id"] != "Test User"), "{got:?}");
    let scope = wikiwatch(&[
        "scope",
        "--entity",
        "user:admin",
        "--json",
        &fixture("audit-rest-newest-first.jsonl").display().to_string(),
    ]);
    assert_eq!(scope.status.code(), Some(0), "{}", stderr(&scope));
    let s: Value = serde_json::from_slice(&scope.stdout).expect("scope JSON");
    assert!(s.to_string().contains("space-export") || s.to_string().contains("HR"), "{s}");
}

#[test]
fn the_cloud_grant_follows_the_account_across_its_names() {
    let out = replay_ok("native", &[], &[&fixture("audit-cloud-newest-first.jsonl")]);
    let got = alerts(&out);
    let eve: Vec<&Value> = got
        .iter()
        .filter(|a| a["rule"] == "privilege-change" && a["entity"]["id"] == "Eve Rogue")
        .collect();
    assert!(eve.iter().any(|a| a["severity"] == "critical"), "{got:?}");
    assert!(eve.iter().any(|a| a["evidence"]["aliases"]
        .as_array()
        .is_some_and(|x| x.iter().any(|v| v == "61f2a3b4c5d6e7f809a1b2c3"))));
}

#[test]
fn state_problems_are_found_before_the_replay() {
    let dir = TempDir::new().unwrap();
    let log = workspace().join("examples/logs/confluence-access.log");
    let log = log.display().to_string();
    let d = dir.path().display().to_string();
    let out = wikiwatch(&["replay", "--state", &d, &log]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("--state {d}: is a directory")), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "no replay ran");
    let missing = dir.path().join("no/such/dir/w.state").display().to_string();
    let out = wikiwatch(&["replay", "--state", &missing, &log]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert!(stderr(&out).contains(&missing), "{}", stderr(&out));
}

#[test]
fn mostly_unusable_input_exits_4_with_the_summary() {
    let dir = TempDir::new().unwrap();
    let bin = dir.path().join("binary.log");
    let junk: Vec<u8> =
        (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&bin, junk).unwrap();
    let out = wikiwatch(&["replay", "--engine", "native", &bin.display().to_string()]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wikiwatch replay") && err.contains("rejected"), "{err}");
    assert!(err.contains("could not be used"), "{err}");
    // The limit is the user's to set.
    let out = wikiwatch(&[
        "replay",
        "--engine",
        "native",
        "--max-skipped",
        "100",
        &bin.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_truncated_gzip_says_how_far_it_got_and_prints_the_summary() {
    use std::io::Write;
    let dir = TempDir::new().unwrap();
    let text = std::fs::read(workspace().join("examples/logs/confluence-access.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let bytes = gz.finish().unwrap();
    let cut = dir.path().join("cut.log.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = wikiwatch(&["replay", "--engine", "native", &cut.display().to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wikiwatch replay (native engine)"), "summary first: {err}");
    assert!(err.contains("after line "), "{err}");
    assert!(!alerts(&out).is_empty(), "alerts of the part that was read are written");
}

#[test]
fn a_second_run_with_state_summarises_itself() {
    let dir = TempDir::new().unwrap();
    let text = std::fs::read_to_string(workspace().join("examples/logs/confluence-access.log"))
        .expect("example log");
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    std::fs::write(&a, lines[..half].join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[half..].join("\n") + "\n").unwrap();
    let state = dir.path().join("w.state").display().to_string();
    replay_ok("native", &["--state", &state], &[&a]);
    let out = replay_ok("native", &["--state", &state], &[&b]);
    let err = stderr(&out);
    let second = lines.len() - half;
    assert!(err.contains(&format!("  events          {second}\n")), "{err}");
    assert!(err.contains("the restored state had seen"), "{err}");
}
