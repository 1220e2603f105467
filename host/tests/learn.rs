//! `wikiwatch learn` and `wikiwatch state show` on a generated corpus: a state learned from
//! every day but the last, then the last day alone from it, raises exactly the alerts one replay
//! of all the days raises on the last day, in both engines; on a history that matters, the
//! learned state is what makes the alerts; the state says what it holds and refuses a config
//! with other allow entries.

use crate::common;

use common::{run, wikiwatch};
use std::path::{Path, PathBuf};

/// A 12-day corpus ends on a Friday, so its last day has traffic and alerts (its 14th day would
/// be a Sunday with neither).
const DAYS: &str = "12";
/// The first line of the last day starts with this (the simulator logs at +0100).
const LAST_DAY: &str = "[16/Oct/2026:";

struct Corpus {
    dir: PathBuf,
    config: PathBuf,
    history: PathBuf,
    last_day: PathBuf,
    all: PathBuf,
}

fn corpus(name: &str) -> Corpus {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    run(
        wikiwatch()
            .args(["simulate", "--seed", "5", "--days", DAYS, "--users", "24"])
            .args(["--format", "confluence-access", "--out"])
            .arg(&dir),
        "simulate",
    );
    let all = dir.join("confluence-access.log");
    let text = std::fs::read_to_string(&all).expect("corpus");
    let cut = text.find(LAST_DAY).expect("the corpus reaches its last day");
    let (history, last_day) = (dir.join("history.log"), dir.join("last-day.log"));
    std::fs::write(&history, &text[..cut]).expect("write history");
    std::fs::write(&last_day, &text[cut..]).expect("write last day");
    Corpus { config: dir.join("config.json"), dir, history, last_day, all }
}

/// Alert lines of `replay` (optionally from `--state`), in order.
fn replay(c: &Corpus, engine: &str, state: Option<&Path>, input: &Path, out: &str) -> Vec<String> {
    let alerts = c.dir.join(out);
    let mut cmd = wikiwatch();
    cmd.args(["replay", "--engine", engine, "--config"])
        .arg(&c.config)
        .arg("--alerts")
        .arg(&alerts);
    if let Some(s) = state {
        cmd.arg("--state").arg(s);
    }
    run(cmd.arg(input), "replay");
    let text = std::fs::read_to_string(&alerts).expect("alerts");
    text.lines().map(str::to_string).collect()
}

fn learn(c: &Corpus, engine: &str, state: &Path) -> (String, String) {
    let out = wikiwatch()
        .args(["learn", "--days", "30", "--engine", engine, "--config"])
        .arg(&c.config)
        .arg("--state")
        .arg(state)
        .arg(&c.history)
        .output()
        .expect("run learn");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "learn failed: {stderr}");
    (String::from_utf8_lossy(&out.stdout).to_string(), stderr)
}

#[test]
fn last_day_from_a_learned_state_raises_what_one_replay_raises() {
    let c = corpus("learn-warm-start");
    let all = replay(&c, "native", None, &c.all, "all.jsonl");
    let history = replay(&c, "native", None, &c.history, "history.jsonl");
    assert_eq!(all[..history.len()], history[..], "the history's alerts open the full replay");
    let expected = &all[history.len()..];
    assert!(!expected.is_empty(), "the last day must raise alerts for the test to mean anything");
    assert!(!history.is_empty(), "the history holds attacks whose alerts learn must not raise");

    for engine in ["native", "component"] {
        let state = c.dir.join(format!("learned-{engine}.state"));
        let (stdout, stderr) = learn(&c, engine, &state);
        assert!(!stdout.contains("\"rule\""), "learn writes no alert: {stdout}");
        assert!(
            stdout.contains("users: ")
                && stdout.contains("team:")
                && stdout.contains("pages med/max"),
            "learn says what it learned: {stdout}"
        );
        assert!(stderr.contains(&format!("{} alerts not raised", history.len())), "{stderr}");
        let last = replay(&c, engine, Some(&state), &c.last_day, &format!("last-{engine}.jsonl"));
        assert_eq!(last, expected, "{engine}: the last day from the learned state");
    }
    // Both engines learned the same state, byte for byte.
    let native = std::fs::read(c.dir.join("learned-native.state")).expect("state");
    let component = std::fs::read(c.dir.join("learned-component.state")).expect("state");
    assert!(native == component, "native and component learn the same bytes");
}

/// A history that matters (tests/fixtures/warm-start/): carol's evening is alertable only to a
/// detector that learned her week. Learned by either engine, the state makes `replay --state`
/// raise on the evening what one replay of the week and the evening raises there; without it,
/// the evening raises no `baseline-deviation`. So the state, not the evening alone, is what
/// the alerts come from.
#[test]
fn the_evening_only_a_learned_week_makes_alertable() {
    let fixtures = common::workspace().join("tests/fixtures/warm-start");
    let (week, evening) = (fixtures.join("carol-week.log"), fixtures.join("carol-evening.log"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("learn-carol");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let both = dir.join("week-and-evening.log");
    let mut text = std::fs::read(&week).expect("week");
    text.extend(std::fs::read(&evening).expect("evening"));
    std::fs::write(&both, text).expect("write");
    let alerts = |engine: &str, state: Option<&Path>, input: &Path| -> Vec<String> {
        let mut cmd = wikiwatch();
        cmd.args(["replay", "--engine", engine]);
        if let Some(s) = state {
            cmd.arg("--state").arg(s);
        }
        let out = cmd.arg(input).output().expect("replay");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
    };
    let week_alerts = alerts("native", None, &week);
    let all = alerts("native", None, &both);
    assert_eq!(all[..week_alerts.len()], week_alerts[..], "the week's alerts open the replay");
    let expected = &all[week_alerts.len()..];
    let baseline = |lines: &[String]| lines.iter().any(|l| l.contains("\"baseline-deviation\""));
    assert!(baseline(expected), "the evening after the week: {expected:?}");
    assert!(!baseline(&alerts("native", None, &evening)), "the evening alone raises none");
    for engine in ["native", "component"] {
        let state = dir.join(format!("{engine}.state"));
        let out = wikiwatch()
            .args(["learn", "--engine", engine, "--state"])
            .arg(&state)
            .arg(&week)
            .output()
            .expect("learn");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(alerts(engine, Some(&state), &evening), expected, "{engine}");
    }
}

#[test]
fn learn_keeps_only_the_last_days_and_state_show_says_what_it_holds() {
    let c = corpus("learn-show");
    let state = c.dir.join("two-days.state");
    let out = wikiwatch()
        .args(["learn", "--days", "2", "--engine", "native", "--json", "--config"])
        .arg(&c.config)
        .arg("--state")
        .arg(&state)
        .arg(&c.all)
        .output()
        .expect("learn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let learned: serde_json::Value = serde_json::from_slice(&out.stdout).expect("learn --json");
    // Two days back from the end (Friday evening): nothing before Wednesday evening.
    let first = learned["first"].as_str().expect("first");
    assert!(first.as_bytes() >= b"2026-10-14".as_slice(), "first event learned: {first}");
    assert!(learned["last"].as_str().expect("last").starts_with("2026-10-16"));
    let users = learned["users"].as_array().expect("users");
    assert!(users.len() >= 24, "every employee is a user: {}", users.len());
    assert!(users.iter().any(|u| u["team"].is_string()), "teams from the config: {users:?}");

    let show = |args: &[&str]| {
        let out =
            wikiwatch().args(["state", "show"]).args(args).arg(&state).output().expect("show");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let text = show(&[]);
    for needle in
        ["state version", "time range: 2026-10-1", "users ", "ips ", "sessions ", "config "]
    {
        assert!(text.contains(needle), "`{needle}` in:\n{text}");
    }
    let config = c.config.to_str().expect("utf-8 path");
    let json: serde_json::Value =
        serde_json::from_str(&show(&["--json", "--config", config])).expect("show --json");
    assert_eq!(json["config_matches"], true);
    assert_eq!(json["users"], learned["users"], "show and learn describe the same state");
    let tables = json["tables"].as_array().expect("tables");
    let bytes: u64 = tables.iter().map(|t| t["bytes"].as_u64().expect("bytes")).sum();
    assert!(bytes > 0 && bytes <= json["bytes"].as_u64().expect("size"), "{tables:?}");

    // A config with another allow entry: show says it differs, replay refuses the state.
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&c.config).expect("config")).expect("json");
    let allow = other["allow"].as_array_mut().expect("allow list");
    allow.push(serde_json::json!({"name": "extra", "users": ["nobody-at-all"], "rules": ["*"]}));
    let other_path = c.dir.join("other-config.json");
    std::fs::write(&other_path, other.to_string()).expect("write config");
    let other_str = other_path.to_str().expect("utf-8 path");
    let json: serde_json::Value =
        serde_json::from_str(&show(&["--json", "--config", other_str])).expect("show --json");
    assert_eq!(json["config_matches"], false);
    let out = wikiwatch()
        .args(["replay", "--engine", "native", "--config", other_str, "--state"])
        .arg(&state)
        .arg(&c.last_day)
        .output()
        .expect("replay");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--state") && stderr.contains("allow entries"), "{stderr}");
}

#[test]
fn learn_refuses_stdin_and_an_existing_state_without_force() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("learn-refusals");
    std::fs::create_dir_all(&dir).expect("dir");
    let state = dir.join("exists.state");
    std::fs::write(&state, b"keep me").expect("write");
    let log = common::workspace().join("examples/logs/confluence-access.log");
    let out = wikiwatch().args(["learn", "--state"]).arg(&state).arg(&log).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read(&state).expect("read"), b"keep me");
    let out = wikiwatch().args(["learn", "--state"]).arg(dir.join("new.state")).arg("-").output();
    let out = out.expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not `-`"));
    let out = wikiwatch()
        .args(["learn", "--engine", "native", "--force", "--state"])
        .arg(&state)
        .arg(&log)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = wikiwatch().args(["state", "show"]).arg(&state).output().expect("show");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("state version"));
    std::fs::write(&state, b"WKWS\x01\x00\x00\x00garbage").expect("write");
    let out = wikiwatch().args(["state", "show"]).arg(&state).output().expect("show");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 1"));
}
