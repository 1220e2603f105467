//! Floods through the real `wikiwatch replay`: a million unique client addresses, agents, paths,
//! and 100k users with a new session per request. State stays within the configured caps,
//! evictions are counted, peak memory does not grow with the flood, and a scraper hidden in
//! the flood is still caught. Inputs are generated into the child's stdin (nothing on disk).
//!
//! Figures are printed (`cargo nextest run --workspace --release -E 'test(/^floods::/)' --no-capture`).

use serde_json::Value;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Event time of the first flood line: 2026-10-07T00:00:00Z.
const T0: i64 = 1_791_331_200_000;
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

/// One JSON access record (the `json` format's default field names).
#[allow(clippy::too_many_arguments)]
fn record(
    out: &mut dyn Write,
    ms: i64,
    ip: &str,
    user: Option<&str>,
    session: Option<&str>,
    path: &str,
    agent: &str,
) {
    let user = user.map(|u| format!(r#","user":"{u}""#)).unwrap_or_default();
    let session = session.map(|s| format!(r#","session":{{"id":"{s}"}}"#)).unwrap_or_default();
    let r = writeln!(
        out,
        r#"{{"time":{ms},"remote":"{ip}"{user}{session},"method":"GET","path":"{path}","status":200,"bytes":5120,"agent":"{agent}"}}"#
    );
    // The child closing stdin early shows up as its exit status, checked by the caller.
    let _ = r;
}

/// A scraper: `user` (or anonymous) at 10.66.6.6 with python-requests reads `pages` distinct
/// pages, one every `every_ms` from `start_ms`. Returns (time, line) pairs to interleave.
fn scraper(
    user: Option<&str>,
    start_ms: i64,
    every_ms: i64,
    pages: std::ops::Range<u32>,
) -> Vec<(i64, Vec<u8>)> {
    pages
        .enumerate()
        .map(|(i, p)| {
            let ms = start_ms + i as i64 * every_ms;
            let mut line = Vec::new();
            let path = format!("/rest/api/content/{}?expand=body.storage", 900_000 + p);
            record(&mut line, ms, "10.66.6.6", user, None, &path, "python-requests/2.31.0");
            (ms, line)
        })
        .collect()
}

/// What one replay produced.
struct Run {
    code: i32,
    stderr: String,
    alerts: Vec<Value>,
    stats: Value,
    /// Peak resident set of the process (VmHWM), KiB.
    peak_kib: u64,
    secs: f64,
}

impl Run {
    fn n(&self, group: &str, kind: &str) -> u64 {
        self.stats[group][kind].as_u64().unwrap_or(0)
    }
    fn fired(&self, rule: &str, kind: &str, id: &str) -> bool {
        self.alerts
            .iter()
            .any(|a| a["rule"] == rule && a["entity"]["kind"] == kind && a["entity"]["id"] == id)
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `wikiwatch replay --format json` on what `feed` writes, polling the peak RSS.
fn replay(
    config: Option<&str>,
    args: &[&str],
    feed: impl FnOnce(&mut dyn Write) + Send + 'static,
) -> Run {
    let dir = TempDir::new().expect("temp dir");
    let stats = dir.path().join("stats.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wikiwatch"));
    cmd.env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"))
        .args(["replay", "--format", "json", "--stats"])
        .arg(&stats)
        .args(args);
    if let Some(c) = config {
        let p = dir.path().join("config.json");
        std::fs::write(&p, c).expect("write config");
        cmd.arg("--config").arg(p);
    }
    let started = Instant::now();
    let mut child = cmd
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wikiwatch starts");
    let pid = child.id();
    let stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut w = BufWriter::with_capacity(1 << 20, stdin);
        feed(&mut w);
        let _ = w.flush();
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let mut stderr = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        match child.try_wait().expect("wait") {
            Some(s) => break s,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    writer.join().expect("feeder");
    let out = reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    let alerts =
        out.lines().map(|l| serde_json::from_str(l).expect("alert lines are JSON")).collect();
    let stats = std::fs::read_to_string(&stats)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    Run {
        code: status.code().unwrap_or(-1),
        stderr,
        alerts,
        stats,
        peak_kib: peak,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// Flood lines from `line(i) -> (ms, record)` for i in 0..n, with `extra` (time-sorted) merged in.
fn merged(
    n: u64,
    mut extra: Vec<(i64, Vec<u8>)>,
    line: impl Fn(u64, &mut dyn Write) -> i64 + Send + 'static,
) -> impl FnOnce(&mut dyn Write) + Send + 'static {
    move |out: &mut dyn Write| {
        extra.sort_by_key(|(t, _)| *t);
        let mut next = extra.into_iter().peekable();
        let mut buf = Vec::with_capacity(512);
        for i in 0..n {
            buf.clear();
            let ms = line(i, &mut buf);
            while let Some((_, l)) = next.next_if(|(t, _)| *t <= ms) {
                if out.write_all(&l).is_err() {
                    return;
                }
            }
            if out.write_all(&buf).is_err() {
                return;
            }
        }
        for (_, l) in next {
            let _ = out.write_all(&l);
        }
    }
}

fn ip_of(i: u64) -> String {
    format!("10.{}.{}.{}", 100 + (i >> 16) % 100, (i >> 8) & 255, i & 255)
}

/// The four floods, `n` lines each (100 lines per second of event time).
#[derive(Clone, Copy, Debug)]
enum Flood {
    /// Anonymous page views, each from a new client address.
    Addresses,
    /// Ten users, every request with a new user agent.
    Agents,
    /// Ten users, every request for a new path.
    Paths,
    /// 100k users round-robin, every request with a new session.
    Sessions,
}

fn flood(
    kind: Flood,
    n: u64,
    scraper_user: Option<&'static str>,
) -> impl FnOnce(&mut dyn Write) + Send + 'static {
    // The scraper starts 1,000 s (100k lines) into the flood: 200 distinct pages, one every 2 s.
    let attack = scraper(scraper_user, T0 + 1_000_000, 2_000, 0..200);
    merged(n, attack, move |i, out| {
        let ms = T0 + i as i64 * 10;
        let page = format!("/pages/viewpage.action?pageId={}", i % 5_000);
        match kind {
            Flood::Addresses => record(out, ms, &ip_of(i), None, None, &page, BROWSER),
            Flood::Agents => {
                let agent = format!("Mozilla/5.0 (X11; Linux x86_64; build {i}) Firefox/120.0");
                let user = format!("agent-user-{}", i % 10);
                record(out, ms, &ip_of(i % 10), Some(&user), None, &page, &agent);
            }
            Flood::Paths => {
                let user = format!("path-user-{}", i % 10);
                let path = format!("/display/SPACE{}/Page+{i}", i % 50);
                record(out, ms, &ip_of(i % 10), Some(&user), None, &path, BROWSER);
            }
            Flood::Sessions => {
                let user = format!("user-{}", i % 100_000);
                let session = format!("s{i:x}");
                record(out, ms, &ip_of(i % 100_000), Some(&user), Some(&session), &page, BROWSER);
            }
        }
        ms
    })
}

/// Runs one flood at 250k and 1M lines natively and 1M in the component; checks the caps, the
/// evictions, the scraper, and that peak memory did not grow with the flood.
fn check_flood(kind: Flood, table: &str, min_evicted: u64) {
    let scraper_user = match kind {
        Flood::Addresses => None,
        _ => Some("mallory"),
    };
    let (entity_kind, entity_id) = match scraper_user {
        None => ("ip", "10.66.6.6"),
        Some(u) => ("user", u),
    };
    let quarter = replay(None, &["--engine", "native"], flood(kind, 250_000, scraper_user));
    let full = replay(None, &["--engine", "native"], flood(kind, 1_000_000, scraper_user));
    let comp = replay(
        None,
        &["--engine", "component", "--max-memory", "256"],
        flood(kind, 1_000_000, scraper_user),
    );
    for (name, r) in [("native 250k", &quarter), ("native 1M", &full), ("component 1M", &comp)] {
        assert_eq!(r.code, 0, "{kind:?} {name}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        let (users, ips, sessions) =
            (r.n("tracked", "user"), r.n("tracked", "ip"), r.n("tracked", "session"));
        assert!(
            users <= 100_000 && ips <= 200_000 && sessions <= 200_000,
            "{kind:?} {name}: over the caps: {}",
            r.stats["tracked"]
        );
        assert!(
            r.fired("mass-enumeration", entity_kind, entity_id),
            "{kind:?} {name}: the scraper was lost in the flood; alerts: {:?}",
            r.alerts.iter().map(|a| (&a["rule"], &a["entity"])).collect::<Vec<_>>()
        );
        eprintln!(
            "flood {kind:?} {name}: {:.1} s, peak RSS {} MiB, tracked {}, evicted {}, alerts {}",
            r.secs,
            r.peak_kib / 1024,
            r.stats["tracked"],
            r.stats["evicted"],
            r.alerts.len()
        );
    }
    assert!(
        full.n("evicted", table) >= min_evicted,
        "{kind:?}: evictions {}",
        full.stats["evicted"]
    );
    assert_eq!(full.stats["events"].as_u64(), Some(1_000_200), "every line is an event");
    // Bounded state: four times the flood may not cost more than a quarter more memory (both
    // runs are past the caps; the allowance covers allocator slack).
    let bound = quarter.peak_kib + quarter.peak_kib / 4 + 16 * 1024;
    assert!(
        full.peak_kib <= bound,
        "{kind:?}: peak RSS grew with the flood: {} KiB at 250k lines, {} KiB at 1M",
        quarter.peak_kib,
        full.peak_kib
    );
}

/// The same flood through both engines must give byte-identical alerts (docs/architecture.md).
/// This caught foldhash hashing differently on wasm32 and x86_64 (sketch counts and session ids
/// diverged once sketches filled up); the core uses xxh3 since.
#[test]
fn native_and_component_alerts_agree_under_a_flood() {
    let native =
        replay(None, &["--engine", "native"], flood(Flood::Sessions, 1_000_000, Some("mallory")));
    let comp = replay(
        None,
        &["--engine", "component"],
        flood(Flood::Sessions, 1_000_000, Some("mallory")),
    );
    assert_eq!((native.code, comp.code), (0, 0), "{} {}", native.stderr, comp.stderr);
    let brief = |r: &Run| -> Vec<String> {
        r.alerts
            .iter()
            .map(|a| format!("{} {} {} {}", a["time"], a["rule"], a["entity"]["id"], a["count"]))
            .collect()
    };
    assert_eq!(brief(&native), brief(&comp), "native vs component");
    assert_eq!(native.alerts, comp.alerts);
}

#[test]
fn a_million_client_addresses() {
    check_flood(Flood::Addresses, "ip", 1_000_000 - 200_000);
}

#[test]
fn a_million_user_agents() {
    check_flood(Flood::Agents, "user", 0);
}

#[test]
fn a_million_paths() {
    check_flood(Flood::Paths, "user", 0);
}

#[test]
fn a_hundred_thousand_users_with_a_new_session_per_request() {
    check_flood(Flood::Sessions, "session", 1_000_000 - 200_000);
}

/// The eviction order protects entities with open evidence: a scraper reads 100 pages, pauses
/// 10 minutes while 60,000 new addresses arrive (30 times the 2,000-address table), then reads
/// 100 more. Least-recently-seen alone would have evicted it during the pause and each half is
/// under the 150-page threshold; the alert fires only because its state survived.
#[test]
fn a_flood_cannot_evict_a_scraper_with_open_evidence() {
    let config = r#"{"limits":{"max_ips":2000}}"#;
    let attack = |both: bool| {
        let mut a = Vec::new();
        if both {
            a.extend(scraper(None, T0 + 600_000, 1_000, 0..100));
        }
        a.extend(scraper(None, T0 + 600_000 + 100_000 + 600_000, 1_000, 100..200));
        merged(400_000, a, |i, out| {
            let ms = T0 + i as i64 * 10;
            record(out, ms, &ip_of(i), None, None, "/pages/viewpage.action?pageId=1", BROWSER);
            ms
        })
    };
    let with = replay(Some(config), &["--engine", "native"], attack(true));
    let second_half_only = replay(Some(config), &["--engine", "native"], attack(false));
    for r in [&with, &second_half_only] {
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.n("tracked", "ip") <= 2_000, "{}", r.stats["tracked"]);
        assert!(r.n("evicted", "ip") >= 390_000, "{}", r.stats["evicted"]);
    }
    assert!(
        !second_half_only.fired("mass-enumeration", "ip", "10.66.6.6"),
        "100 pages alone must stay under the threshold, or this test proves nothing"
    );
    assert!(
        with.fired("mass-enumeration", "ip", "10.66.6.6"),
        "the scraper's first 100 pages were evicted by the flood: {:?}",
        with.alerts
    );
}
