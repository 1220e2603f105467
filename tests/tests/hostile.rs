//! Bad input end to end: the same hostile corpus (common_hostile/corpus.rs: invalid UTF-8, NUL
//! bytes, 10 MB lines, 100k-deep JSON, numbers out of range, dates far in the past and future,
//! out-of-order times) through every host: the core in process, the CLI with the native engine
//! and with the component, the Fluent Bit module and the proxy-wasm module through their
//! harnesses, and the browser module in Node. Each returns errors or passes the record through:
//! never a trap, a panic, or a lost record. Also the regression tests of what fuzzing found.

#[path = "common_hostile/component.rs"]
mod component;
use crate::{corpus, fb_host, fb_records, proxy_host};

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use wikiwatch_core::decode::{DecodeConfig, Decoder};
use wikiwatch_core::{Alert, Engine, Format, Stats};

/// The corpus as one log file (lines joined by `\n`), written once per test process.
fn corpus_file() -> PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
        std::fs::create_dir_all(&dir).expect("temp dir");
        // One file per process: nextest runs each test in its own process, all at once.
        let path = dir.join(format!("corpus-{}.log", std::process::id()));
        // Files of finished test processes (40 MB each) are removed here.
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix("corpus-").and_then(|n| n.strip_suffix(".log"));
            if pid.is_some_and(|p| !Path::new("/proc").join(p).exists()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        let lines: Vec<Vec<u8>> = corpus::cases().into_iter().map(|c| c.line).collect();
        std::fs::write(&path, lines.join(&b'\n')).expect("write corpus");
        path
    })
    .clone()
}

/// What the core in process makes of the corpus file, line by line as the CLI splits it.
fn reference() -> (Stats, Vec<String>, usize) {
    let text = std::fs::read(corpus_file()).expect("corpus");
    let mut engine = Engine::new(Default::default()).expect("default config");
    let mut alerts: Vec<Alert> = Vec::new();
    let mut lines = 0;
    for line in text.split(|b| *b == b'\n') {
        lines += 1;
        let _ = engine.push_line(line, Format::Auto, &mut alerts);
    }
    engine.finish(&mut alerts);
    (engine.stats(), alerts.iter().map(Alert::to_json).collect(), lines)
}

#[test]
fn the_core_accounts_for_every_hostile_line() {
    let (stats, _, lines) = reference();
    assert_eq!(stats.lines as usize, lines);
    assert!(stats.rejected > 10, "the corpus is mostly rejected: {stats:?}");
    assert!(stats.events > 10, "the good lines still count: {stats:?}");
    let reasons: u64 = stats.rejected_reasons.values().sum();
    assert_eq!(reasons, stats.rejected, "every rejection has a reason");
    // Each case alone in a fresh engine, in every format: Ok or a reason, never a panic.
    for case in corpus::cases() {
        for format in
            [Format::Auto, Format::ConfluenceAccess, Format::Combined, Format::Audit, Format::Json]
        {
            let mut engine = Engine::new(Default::default()).expect("default config");
            let mut alerts = Vec::new();
            if let Err(e) = engine.push_line(&case.line, format, &mut alerts) {
                assert!(!e.to_string().is_empty(), "{}: {format}: empty reason", case.name);
            }
        }
    }
}

/// The `wikiwatch` binary next to this test binary (nextest builds the workspace's binaries).
fn cli() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let cli = dir.join("wikiwatch");
    assert!(
        cli.exists(),
        "{} is missing: build it (cargo build -p wikiwatch, same profile)",
        cli.display()
    );
    cli
}

#[test]
fn the_cli_with_either_engine_survives_the_corpus_and_agrees_with_the_core() {
    let (want, want_alerts, _) = reference();
    for engine in ["native", "component"] {
        let stats_file =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-{engine}.json"));
        let out = Command::new(cli())
            .env(
                "WIKIWATCH_CACHE_DIR",
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache"),
            )
            // The corpus is hostile on purpose: most of it is unusable, which is not an error here.
            .args(["replay", "--engine", engine, "--max-skipped", "100", "--stats"])
            .arg(&stats_file)
            // From stdin, which is read as it comes: a file would be put in time order first,
            // and the core here reads the corpus in file order.
            .arg("-")
            .stdin(std::fs::File::open(corpus_file()).expect("corpus"))
            .output()
            .expect("wikiwatch runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{engine}: {stderr}");
        assert!(!stderr.contains("panicked"), "{engine}: {stderr}");
        let got: Stats = serde_json::from_slice(&std::fs::read(&stats_file).expect("stats"))
            .expect("stats JSON");
        assert_eq!(
            (got.events, got.rejected, got.late),
            (want.events, want.rejected, want.late),
            "{engine}: events/rejected/late differ from the core"
        );
        assert_eq!(got.rejected_reasons, want.rejected_reasons, "{engine}");
        let alerts: Vec<String> =
            String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
        assert_eq!(alerts, want_alerts, "{engine}: alerts differ from the core");
    }
}

#[test]
fn the_fluent_bit_module_passes_every_hostile_record_through() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-fb");
    std::fs::create_dir_all(&dir).expect("scratch");
    let mut fb = fb_host::FluentBit::with_cwd(&dir).expect("instantiate");
    for case in corpus::cases() {
        // As `tail` hands a line over, and (for JSON lines) as a JSON parser would.
        let mut records = vec![fb_records::tail_record(&case.line)];
        if serde_json::from_slice::<Value>(&case.line).is_ok_and(|v| v.is_object()) {
            records.push(case.line.clone());
        }
        for record in records {
            match fb.call("confluence.access", (1_791_378_000, 0), &record).expect("host call") {
                fb_host::Returned::Record(out) => {
                    let back = fb_records::strip_annotation(&out).unwrap_or_else(|| out.clone());
                    assert!(back == record, "{}: the record came back changed or lost", case.name);
                    let parsed = serde_json::from_slice::<Value>(&record).is_ok();
                    if parsed {
                        assert!(
                            fb_records::fluent_bit_keeps(&out),
                            "{}: Fluent Bit would drop it",
                            case.name
                        );
                    }
                }
                fb_host::Returned::Dropped(why) => panic!("{}: record dropped: {why}", case.name),
            }
        }
    }
    // It still works afterwards.
    let line = b"[07/Oct/2026:14:00:00 +0000] bob exec-1 10.0.0.1 GET /display/ENG/Home HTTP/1.1 200 1ms 1 - curl/8.0";
    let fb_host::Returned::Record(out) =
        fb.call("t", (0, 0), &fb_records::tail_record(line)).expect("call")
    else {
        panic!("dropped after the corpus")
    };
    assert!(fb_records::annotation(&out).is_object());
}

#[test]
fn the_proxy_module_answers_every_hostile_request() {
    use proxy_host::{headers, Proxy, Request};
    let wasm =
        std::fs::read(wikiwatch_tests::artifact("wikiwatch_proxy_wasm.wasm")).expect("module");
    let mut proxy = Proxy::start(&wasm, br#"{"proxy":{"mode":"enforce"}}"#, 2).expect("start");
    proxy.tick().expect("tick");
    for (i, case) in corpus::cases().into_iter().enumerate() {
        let v = case.line;
        let req = vec![
            (b":method".to_vec(), b"GET".to_vec()),
            (b":path".to_vec(), v.clone()),
            (b"user-agent".to_vec(), v.clone()),
            (b"cookie".to_vec(), [b"JSESSIONID=".as_slice(), &v].concat()),
            (b"x-forwarded-for".to_vec(), v.clone()),
        ];
        let r = Request { headers: req, source: "10.0.0.1:4000".into() };
        let x = proxy
            .request(i % 2, &r, |_| {
                vec![(b":status".to_vec(), b"200".to_vec()), (b"x-ausername".to_vec(), v.clone())]
            })
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        if let Some(local) = &x.local {
            assert_eq!(local.status, 429, "{}: only throttling answers locally", case.name);
        }
    }
    proxy.tick().expect("tick");
    let ok = Request {
        headers: headers(&[(":method", "GET"), (":path", "/display/ENG/Home")]),
        source: "10.0.0.2:1".into(),
    };
    let x = proxy
        .request(0, &ok, |_| headers(&[(":status", "200")]))
        .expect("request after the corpus");
    assert!(x.local.is_none());
    proxy.shutdown().expect("shutdown");
    assert!(proxy.logs(4).is_empty(), "error logs: {:?}", proxy.logs(4));
}

#[test]
fn the_browser_module_in_node_agrees_with_the_core() {
    let Some(pkg) = wikiwatch_tests::full_build_artifact("web-node/wikiwatch_web.js") else {
        return;
    };
    let (want, want_alerts, _) = reference();
    let script = r#"
const { Detector } = require(process.argv[1]);
const data = require("fs").readFileSync(process.argv[2]);
const d = new Detector("{}");
let alerts = 0;
for (let i = 0; i < data.length; i += 1 << 20) alerts += d.feedBytes(data.subarray(i, i + (1 << 20))).length;
alerts += d.finish().length;
const s = d.stats();
console.log(JSON.stringify({ alerts, events: s.events, rejected: s.rejected, late: s.late }));
"#;
    let out = Command::new("node")
        .args(["-e", script])
        .arg(&pkg)
        .arg(corpus_file())
        .output()
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let got: Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert_eq!(got["events"].as_u64(), Some(want.events), "{got}");
    assert_eq!(got["rejected"].as_u64(), Some(want.rejected), "{got}");
    assert_eq!(got["late"].as_u64(), Some(want.late), "{got}");
    assert_eq!(got["alerts"].as_u64(), Some(want_alerts.len() as u64), "{got}");
}

/// Fuzzing (tests/fuzz, target `decode`): `[time] \x0b"GET ...` was read as combined by `auto`
/// sniffing (which trimmed the vertical tab) but as confluence-access when the previous line was
/// one, so the same line decoded or not depending on its neighbour.
#[test]
fn auto_sniffing_does_not_depend_on_the_previous_line_for_a_vertical_tab() {
    let line: &[u8] = b"26\x1b\x1b ge [05/Oct/2026:00:07:09 +0100] \x0b\"GET /rest/api/content/6 10.1.0.17 GET /rest/api/search HTTP/1.1 200 20ms 15000 - python-requests/2.31.0";
    let previous: &[u8] = b"[07/Oct/2026:13:55:01 +0000] mallory http-nio-8090-exec-3 10.1.0.17 GET /rest/api/search?cql=x HTTP/1.1 200 20ms 15000 - python-requests/2.31.0";
    let count = |d: &mut Decoder, l: &[u8]| {
        let mut n = 0;
        let r = d.decode(l, &mut |_| n += 1);
        (r.is_ok(), n)
    };
    let mut fresh = Decoder::new(Format::Auto, DecodeConfig::default());
    let mut after = Decoder::new(Format::Auto, DecodeConfig::default());
    assert_eq!(count(&mut after, previous), (true, 1));
    assert_eq!(count(&mut fresh, line), count(&mut after, line));
}

/// Replays the test corpus's first line through `--module <hostile component>` and checks
/// what every stopped guest must give: exit 3, the module named, no host panic. Returns stderr
/// and the seconds it took.
fn stopped(kind: component::Hostile, extra: &[&str]) -> (String, f64) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-components");
    std::fs::create_dir_all(&dir).expect("dir");
    let wasm = dir.join(format!("{kind:?}.wasm"));
    std::fs::write(&wasm, component::build(kind)).expect("write component");
    let log = dir.join("one.log");
    std::fs::write(&log, corpus::cases()[0].line.as_slice()).expect("write log");
    let started = std::time::Instant::now();
    let out = Command::new(cli())
        .env("WIKIWATCH_CACHE_DIR", dir.join("cache"))
        .args(["replay", "--engine", "component", "--module"])
        .arg(&wasm)
        .args(extra)
        .arg(&log)
        .output()
        .expect("wikiwatch runs");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&format!("{kind:?}.wasm")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    eprintln!("{kind:?}: stopped after {secs:.1} s: {}", stderr.trim());
    (stderr, secs)
}

#[test]
fn an_infinite_loop_in_the_component_is_stopped_by_the_deadline() {
    let (stderr, secs) = stopped(component::Hostile::InfiniteLoop, &["--call-timeout", "2"]);
    // The constructor loops, so instantiation is what the deadline stops (fuel is per batch).
    assert!(stderr.contains("cannot instantiate"), "{stderr}");
    assert!(stderr.contains("exceeded its time limit (2 s per call"), "{stderr}");
    assert!(stderr.contains("--call-timeout"), "{stderr}");
    assert!(secs < 30.0, "stopped after {secs:.1} s");
}

#[test]
fn a_memory_bomb_in_the_component_is_stopped_by_the_memory_limit() {
    let (stderr, _) = stopped(component::Hostile::MemoryBomb, &["--max-memory", "64"]);
    assert!(stderr.contains("exceeded its memory limit (64 MiB; raise --max-memory)"), "{stderr}");
}

/// 100 page reads by one user starting at `start`, one a second, pages `first..first + 100`.
fn reads(engine: &mut Engine, start: i64, first: u32, alerts: &mut Vec<Alert>) {
    use std::borrow::Cow;
    for i in 0..100u32 {
        let target = format!("/pages/viewpage.action?pageId={}", first + i);
        let ev = wikiwatch_core::AccessEvent {
            time_ms: start + i64::from(i) * 1_000,
            user: Some(Cow::Borrowed("mallory")),
            client: Some(Cow::Borrowed("10.6.6.6")),
            method: Cow::Borrowed("GET"),
            target: Cow::Owned(target),
            status: 200,
            agent: Cow::Borrowed("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"),
            ..Default::default()
        };
        engine.push_event(&ev, alerts);
    }
}

/// Fuzzing (target `engine_events`) found `attempt to subtract with overflow` at state.rs
/// (`now - m.at` in `is_hot`); the same unchecked `now - start` in window.rs makes two bursts
/// 300 million years apart one window in release builds (the difference wraps negative), so
/// 2 x 100 pages looked like 200 pages within the hour. Events this far apart are separate
/// windows; only a hostile or broken time source produces them, so they must not add up.
#[test]
fn event_times_centuries_apart_do_not_wrap_into_one_window() {
    let mut control = Engine::new(Default::default()).expect("default config");
    let mut alerts = Vec::new();
    reads(&mut control, 1_791_331_200_000, 0, &mut alerts);
    reads(&mut control, 1_791_331_200_000 + 200_000, 100, &mut alerts);
    assert!(
        alerts.iter().any(|a| a.rule.as_str() == "mass-enumeration"),
        "200 pages within the hour alert (control)"
    );
    let mut engine = Engine::new(Default::default()).expect("default config");
    let mut alerts = Vec::new();
    reads(&mut engine, -5_000_000_000_000_000_000, 0, &mut alerts);
    reads(&mut engine, 5_000_000_000_000_000_000, 100, &mut alerts);
    let rules: Vec<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
    assert!(!rules.contains(&"mass-enumeration"), "two far-apart bursts added up: {rules:?}");
}
