//! The `wikiwatch` command as users run it: the real binary with the embedded component.

use assert_cmd::Command;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The binary, with its compiled-component cache inside the build tree (not the user's home).
fn wikiwatch() -> Command {
    let mut cmd = Command::cargo_bin("wikiwatch").expect("the wikiwatch binary is built");
    cmd.env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"));
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("wikiwatch runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Alerts of a successful replay of `args` on stdout.
fn alerts(args: &[&str]) -> String {
    let r = run(wikiwatch().arg("replay").args(args));
    assert_eq!(r.code, 0, "replay {args:?} failed: {}", r.stderr);
    r.stdout
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

#[test]
fn replay_writes_alerts_as_json_lines_and_a_summary() {
    let r = run(wikiwatch().args(["replay", path(&fixture("access.log"))]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.is_empty(), "the fixture holds a scraper: expected alerts");
    for line in r.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each alert line is JSON");
        assert_eq!(v["attack"]["analytic"], "AN1019");
    }
    assert!(r.stderr.contains("lines read      1092"), "{}", r.stderr);
    assert!(r.stderr.contains("component engine"), "{}", r.stderr);
}

#[test]
fn stdin_gives_the_same_alerts_as_the_file() {
    let file = fixture("access.log");
    let from_file = alerts(&[path(&file)]);
    let r = run(wikiwatch().args(["replay", "-"]).pipe_stdin(&file).expect("stdin"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, from_file);
}

#[test]
fn gzip_input_is_read_transparently() {
    let dir = TempDir::new().expect("temp dir");
    let gz = dir.path().join("access.log.gz");
    let raw = std::fs::read(fixture("access.log")).expect("fixture");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("create"),
        flate2::Compression::default(),
    );
    enc.write_all(&raw).expect("gzip");
    enc.finish().expect("gzip");
    assert_eq!(alerts(&[path(&gz)]), alerts(&[path(&fixture("access.log"))]));
    // Gzip on stdin too: detection is by magic bytes, not by name.
    let r = run(wikiwatch().args(["replay", "-"]).pipe_stdin(&gz).expect("stdin"));
    assert_eq!(r.stdout, alerts(&[path(&fixture("access.log"))]));
}

#[test]
fn several_files_are_one_stream_merged_by_time() {
    let dir = TempDir::new().expect("temp dir");
    let text = std::fs::read_to_string(fixture("access.log")).expect("fixture");
    let lines: Vec<&str> = text.lines().collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let (pa, pb) = (dir.path().join("a.log"), dir.path().join("b.log"));
    std::fs::write(&pa, a.join("\n") + "\n").expect("write");
    std::fs::write(&pb, b.join("\n") + "\n").expect("write");
    // Rotated halves, named in either order, give the alerts of the whole log.
    let whole = alerts(&[path(&fixture("access.log"))]);
    assert_eq!(alerts(&[path(&pa), path(&pb)]), whole);
    assert_eq!(alerts(&[path(&pb), path(&pa)]), whole);
}

#[test]
fn access_and_audit_streams_meet_in_one_engine() {
    let access = fixture("access.log");
    let audit = format!("audit:{}", path(&fixture("audit.jsonl")));
    for engine in ["native", "component"] {
        let r = run(wikiwatch().args(["replay", "--engine", engine, path(&access), &audit]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("\"rule\":\"privilege-change\""), "{engine}: {}", r.stdout);
        // The summary counts events per input.
        assert!(r.stderr.contains("audit.jsonl"), "{}", r.stderr);
        assert!(r.stderr.contains("10 lines, 10 events"), "{}", r.stderr);
    }
}

#[test]
fn bad_config_exits_2_and_names_the_key() {
    let dir = TempDir::new().expect("temp dir");
    let cfg = dir.path().join("bad.json");
    std::fs::write(&cfg, r#"{"limits":{"max_users":0}}"#).expect("write");
    for engine in ["native", "component"] {
        let r = run(wikiwatch().args([
            "replay",
            "--engine",
            engine,
            "--config",
            path(&cfg),
            path(&fixture("access.log")),
        ]));
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("limits.max_users"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    std::fs::write(&cfg, r#"{"rules":{"burst-rate":{"treshold":5}}}"#).expect("write");
    let r = run(wikiwatch().args(["check-config", path(&cfg)]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("treshold"), "{}", r.stderr);
}

#[test]
fn unknown_format_is_a_usage_error() {
    let r = run(wikiwatch().args(["replay", "--format", "syslog", path(&fixture("access.log"))]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("syslog"), "{}", r.stderr);
}

#[test]
fn unreadable_file_exits_1_naming_it() {
    let r = run(wikiwatch().args(["replay", "/nonexistent/access.log"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("/nonexistent/access.log"), "{}", r.stderr);
}

#[test]
fn garbage_lines_are_counted_not_fatal() {
    let dir = TempDir::new().expect("temp dir");
    let junk = dir.path().join("junk.log");
    let mut bytes = Vec::new();
    for i in 0..500u32 {
        bytes.extend_from_slice(format!("garbage {i} \u{0}\u{7f} [[[ {{\"x\":").as_bytes());
        bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    }
    std::fs::write(&junk, bytes).expect("write");
    for engine in ["native", "component"] {
        // Every line unusable: the summary, then a loud last line and exit 4.
        let r = run(wikiwatch().args(["replay", "--engine", engine, path(&junk)]));
        assert_eq!(r.code, 4, "{}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains("rejected lines  500"), "{}", r.stderr);
        assert!(r.stderr.contains("100.0% of 500 lines rejected"), "{}", r.stderr);
        assert!(r.stderr.contains("junk.log:1:"), "first rejected line named: {}", r.stderr);
    }
}

#[test]
fn fuel_exhaustion_is_reported_with_the_input_position() {
    let r = run(wikiwatch().args(["replay", "--fuel", "1000", path(&fixture("access.log"))]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("fuel"), "{}", r.stderr);
    assert!(r.stderr.contains("access.log lines 1-"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn generous_fuel_changes_nothing() {
    let with_fuel = alerts(&["--fuel", "10000000000", path(&fixture("access.log"))]);
    assert_eq!(with_fuel, alerts(&[path(&fixture("access.log"))]));
}

#[test]
fn memory_limit_is_reported_cleanly() {
    let r = run(wikiwatch().args(["replay", "--max-memory", "1", path(&fixture("access.log"))]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("exceeded its memory limit (1 MiB; raise --max-memory)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn the_summary_reports_the_guest_memory_against_its_limit() {
    let log = fixture("access.log");
    let r = run(wikiwatch().args(["replay", "--max-memory", "64", path(&log)]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stderr.lines().find(|l| l.contains("guest memory")).expect("a guest memory line");
    assert!(line.ends_with("MiB at most, of 64 MiB allowed (--max-memory)"), "{line}");
    let mib: f64 = line.split_whitespace().nth(2).and_then(|m| m.parse().ok()).expect("a size");
    assert!(mib > 0.0 && mib < 64.0, "{line}");
    // In-process there is no sandbox to report.
    let r = run(wikiwatch().args(["replay", "--engine", "native", path(&log)]));
    assert!(!r.stderr.contains("guest memory"), "{}", r.stderr);
}

#[test]
fn a_module_that_is_not_a_component_is_a_clear_error() {
    let dir = TempDir::new().expect("temp dir");
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"this is not wasm").expect("write");
    let r = run(wikiwatch().args(["replay", "--module", path(&bad), path(&fixture("access.log"))]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("bad.wasm"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn a_component_without_the_detector_world_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let empty = dir.path().join("empty.wasm");
    // The smallest valid component: the magic and the component-model version/layer.
    std::fs::write(&empty, b"\0asm\x0d\0\x01\0").expect("write");
    let r =
        run(wikiwatch().args(["replay", "--module", path(&empty), path(&fixture("access.log"))]));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("cannot instantiate"), "{}", r.stderr);
}

#[test]
fn state_file_round_trips_and_a_corrupt_one_is_refused() {
    let dir = TempDir::new().expect("temp dir");
    let state = dir.path().join("wikiwatch.state");
    for engine in ["native", "component"] {
        let _ = std::fs::remove_file(&state);
        alerts(&["--engine", engine, "--state", path(&state), path(&fixture("access.log"))]);
        assert!(state.exists(), "{engine}: state saved");
        // Restoring it works.
        alerts(&["--engine", engine, "--state", path(&state), path(&fixture("access.log"))]);
        std::fs::write(&state, b"not a snapshot at all").expect("write");
        let r = run(wikiwatch().args([
            "replay",
            "--engine",
            engine,
            "--state",
            path(&state),
            path(&fixture("access.log")),
        ]));
        assert_eq!(r.code, 2, "{engine}: {}", r.stderr);
        assert!(r.stderr.contains("wikiwatch.state"), "{}", r.stderr);
    }
}

#[test]
fn alerts_flag_writes_the_file() {
    let dir = TempDir::new().expect("temp dir");
    let out = dir.path().join("alerts.jsonl");
    let r = run(wikiwatch().args(["replay", "--alerts", path(&out), path(&fixture("access.log"))]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&out).expect("alerts"),
        alerts(&[path(&fixture("access.log"))])
    );
}

#[test]
fn check_config_prints_effective_thresholds() {
    let dir = TempDir::new().expect("temp dir");
    let cfg = dir.path().join("c.json");
    std::fs::write(&cfg, r#"{"rules":{"burst-rate":{"threshold":999}}}"#).expect("write");
    let r = run(wikiwatch().args(["check-config", path(&cfg)]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let line = r.stdout.lines().find(|l| l.starts_with("burst-rate")).expect("a burst-rate row");
    assert!(line.contains("999"), "{line}");
    for rule in ["mass-enumeration", "privilege-change", "sensitive-search"] {
        assert!(r.stdout.contains(rule), "{rule} listed: {}", r.stdout);
    }
}

/// The Fluent Bit module's own section is checked and left: the CLI takes the file that module
/// reads (to check it, to make its state), and every engine runs the shared config around it.
#[test]
fn the_fluent_bit_section_is_checked_and_left_alone() {
    let dir = TempDir::new().expect("temp dir");
    let (plain, with) = (dir.path().join("plain.json"), dir.path().join("with.json"));
    let shared = r#""rules":{"burst-rate":{"threshold":5}}"#;
    std::fs::write(&plain, format!("{{{shared}}}")).expect("write");
    std::fs::write(&with, format!(r#"{{"fluent_bit":{{"annotate":"alerts"}},{shared}}}"#))
        .expect("write");
    let r = run(wikiwatch().args(["check-config", path(&with)]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for engine in ["native", "component"] {
        let replay = |cfg: &Path| {
            let args = ["replay", "--engine", engine, "--config", path(cfg)];
            run(wikiwatch().args(args).arg(path(&fixture("access.log"))))
        };
        let (a, b) = (replay(&plain), replay(&with));
        assert_eq!((a.code, b.code), (0, 0), "{engine}: {} {}", a.stderr, b.stderr);
        assert!(!a.stdout.is_empty(), "{engine}: the fixture raises alerts");
        assert_eq!(a.stdout, b.stdout, "{engine}");
    }
    std::fs::write(&with, r#"{"fluent_bit":{"annotate":"some"}}"#).expect("write");
    let r = run(wikiwatch().args(["check-config", path(&with)]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("fluent_bit.annotate"), "{}", r.stderr);
}

#[test]
fn scope_shows_what_an_entity_took() {
    let access = fixture("access.log");
    let r = run(wikiwatch().args(["scope", "--entity", "user:mallory", "--json", path(&access)]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert!(v["events"].as_u64().unwrap_or(0) > 300, "{v}");
    assert_eq!(v["addresses"][0]["name"], "10.1.0.17");
    assert!(v["user_agents"][0]["name"].as_str().unwrap_or("").contains("python-requests"));
    let text = run(wikiwatch().args(["scope", "--entity", "user:mallory", path(&access)]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("scope of user:mallory"), "{}", text.stdout);
    // A time range narrows it.
    let r = run(wikiwatch().args([
        "scope",
        "--entity",
        "ip:10.1.0.17",
        "--json",
        "--from",
        "2026-10-07T13:00:00Z",
        "--to",
        "2026-10-07T13:55:00Z",
        path(&access),
    ]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["events"], 0, "{v}");
    let r = run(wikiwatch().args(["scope", "--entity", "mallory", path(&access)]));
    assert_eq!(r.code, 2, "an entity without a kind is a usage error: {}", r.stderr);
}

#[test]
fn scope_finds_a_session_by_the_id_its_alert_shows() {
    let dir = TempDir::new().expect("temp dir");
    let log = dir.path().join("sessions.json");
    let mut text = String::new();
    for (i, session) in ["JSESSIONID-A1", "JSESSIONID-B2", "JSESSIONID-A1"].iter().enumerate() {
        text += &format!(
            r#"{{"time":{},"remote":"10.0.0.{i}","user":{{"name":"ann"}},"session":{{"id":"{session}"}},"method":"GET","path":"/display/ENG/P{i}","status":200,"bytes":10,"agent":"curl/8"}}"#,
            1_790_000_000_000u64 + i as u64 * 1000
        );
        text.push('\n');
    }
    std::fs::write(&log, text).expect("write");
    let hashed = wikiwatch_core::session_id("JSESSIONID-A1");
    for id in [hashed.as_str(), "JSESSIONID-A1"] {
        let entity = format!("session:{id}");
        let r = run(wikiwatch().args(["scope", "--entity", &entity, "--json", path(&log)]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(v["events"], 2, "{id}: {v}");
    }
}

#[test]
fn help_lists_the_subcommands_with_examples() {
    let r = run(wikiwatch().arg("--help"));
    assert_eq!(r.code, 0);
    for sub in ["replay", "scope", "check-config", "bench", "simulate"] {
        assert!(r.stdout.contains(sub), "{sub}: {}", r.stdout);
    }
    let r = run(wikiwatch().args(["replay", "--help"]));
    assert!(r.stdout.contains("Examples:"), "{}", r.stdout);
    let r = run(wikiwatch().arg("replay"));
    assert_eq!(r.code, 2, "missing inputs is a usage error");
}

#[test]
fn simulate_takes_attacks_by_name_and_refuses_bad_ranges_as_usage_errors() {
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("corpus");
    let r = run(wikiwatch()
        .args(["simulate", "--days", "1", "--users", "12", "--out", path(&out)])
        .args(["--format", "combined", "--attacks", "rest-crawl,9"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("2 attacks"), "{}", r.stderr);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("truth.json")).unwrap()).unwrap();
    let names: Vec<&str> =
        truth["attacks"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["rest-crawl", "anonymous-crawler"]);
    assert!(out.join("combined.log").exists() && !out.join("confluence-access.log").exists());
    for bad in [["--users", "3"], ["--days", "0"], ["--attacks", "no-such-attack"]] {
        let r = run(wikiwatch().arg("simulate").args(bad).args(["--out", path(&out)]));
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
    }
    let r = run(wikiwatch().args(["simulate", "--help"]));
    assert!(r.stdout.contains("slow-and-low") && r.stdout.contains("Examples:"), "{}", r.stdout);
}

#[test]
fn scope_shows_each_day_of_a_user_against_the_baseline_the_rules_judge() {
    let dir = TempDir::new().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 temp path");
    let sim = run(wikiwatch()
        .args(["simulate", "--scenario", "quiet", "--days", "14", "--seed"])
        .args(["1", "--out", out]));
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("truth.json")).expect("truth"))
            .expect("truth JSON");
    let attacks = truth["attacks"].as_array().expect("attacks");
    let creep = attacks.iter().find(|a| a["name"] == "insider-creep").expect("insider-creep");
    let user = creep["user"].as_str().expect("user");
    let (config, log) = (dir.path().join("config.json"), dir.path().join("confluence-access.log"));
    let entity = format!("user:{user}");
    let args = ["scope", "--entity", &entity, "--config", path(&config), path(&log)];
    let r = run(wikiwatch().args(args).arg("--json"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let days = v["baseline"].as_array().expect("baseline days");
    assert!(days.len() >= 8, "{v}");
    let over: Vec<&str> = days
        .iter()
        .filter(|d| {
            d["bands"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|b| b["metric"] == "pages" && b["today"].as_u64() > b["allowed"].as_u64())
        })
        .filter_map(|d| d["date"].as_str())
        .collect();
    assert!(!over.is_empty(), "the creep's days are past the band: {v}");
    // The first day past the band is the day the detector raised its baseline alert.
    let alerts = alerts(&["--engine", "native", "--config", path(&config), path(&log)]);
    let first = alerts
        .lines()
        .filter(|l| {
            l.contains("\"rule\":\"baseline-deviation\"")
                && l.contains(&format!("\"id\":\"{user}\""))
        })
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|a| a["summary"].as_str().is_some_and(|s| s.contains(" pages today")))
        .filter_map(|a| a["time"].as_str().map(|t| t[..10].to_string()))
        .next()
        .expect("a day-count alert on the creep");
    assert_eq!(first, over[0], "{over:?}");
    let text = run(wikiwatch().args(args));
    assert!(
        text.stdout.contains("days against the baseline") && text.stdout.contains("OVER"),
        "{}",
        text.stdout
    );
}
