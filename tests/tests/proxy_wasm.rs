//! The proxy-wasm module, run in a wasmtime host that plays Envoy with two worker VMs sharing
//! one proxy's shared data and queues (tests/tests/proxy_host/).

// Each test binary that includes the harness uses a different part of it.
#[allow(dead_code)]
mod proxy_host;

use proxy_host::{headers, Headers, Proxy, Request};
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Instant;
use wikiwatch_core::decode::{Decoder, Format};
use wikiwatch_core::{AccessEvent, Engine};

fn module() -> Vec<u8> {
    std::fs::read(wikiwatch_tests::artifact("wikiwatch_proxy_wasm.wasm")).expect("read module")
}

/// The module compiled once for all tests of this binary (compiling is the slow part).
fn compiled() -> &'static (wasmtime::Engine, wasmtime::Module) {
    static C: OnceLock<(wasmtime::Engine, wasmtime::Module)> = OnceLock::new();
    C.get_or_init(|| {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, module()).expect("compile module");
        (engine, module)
    })
}

/// A proxy of `workers` VMs running the filter with `plugin` as its configuration.
fn start(plugin: &[u8], workers: usize) -> Proxy {
    let (engine, module) = compiled();
    Proxy::start_module(engine, module, plugin, workers).expect("start proxy")
}

/// Access-log files as events, in time order (one proxy sees requests in time order).
fn events_of(files: &[std::path::PathBuf]) -> Vec<AccessEvent<'static>> {
    let mut events = Vec::new();
    for f in files {
        let text = std::fs::read(f).expect("read fixture");
        let mut d = Decoder::new(Format::Auto, Default::default());
        for line in text.split(|&b| b == b'\n') {
            let _ = d.decode(line, &mut |e| {
                if e.audit.is_none() {
                    events.push(e.into_owned())
                }
            });
        }
    }
    events.sort_by_key(|e| e.time_ms);
    assert!(events.len() > 100, "{files:?} decoded to {} events", events.len());
    events
}

/// Our fixture: browsing users, one scraper (mallory), one allow-listed crawler (svc-indexer).
fn corpus() -> Vec<AccessEvent<'static>> {
    events_of(&[wikiwatch_tests::fixture("proxy/access.log")])
}

/// The shared sample logs (examples/logs/*.log), when they exist.
fn example_corpus() -> Option<Vec<AccessEvent<'static>>> {
    let mut files: Vec<_> = std::fs::read_dir(wikiwatch_tests::root().join("examples/logs"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    (!files.is_empty()).then(|| events_of(&files))
}

fn fixture_config() -> Value {
    serde_json::from_slice(&std::fs::read(wikiwatch_tests::fixture("proxy/config.json")).unwrap())
        .unwrap()
}

fn with_proxy(mut config: Value, proxy: Value) -> Vec<u8> {
    config["proxy"] = proxy;
    serde_json::to_vec(&config).unwrap()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= c.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// The request a downstream would have sent for a logged access. Scripts authenticate with
/// Basic auth (so the user is known before Confluence answers); browsers carry no credentials
/// here (their session cookies would add session entities the log lines do not have).
fn request_of(e: &AccessEvent<'_>) -> Request {
    let mut h = headers(&[
        (":method", &e.method),
        (":path", &e.target),
        (":authority", "wiki.example.com"),
    ]);
    if !e.agent.is_empty() {
        h.push((b"user-agent".to_vec(), e.agent.as_bytes().to_vec()));
    }
    if let (Some(u), false) = (&e.user, e.agent.starts_with("Mozilla/")) {
        let cred = format!("Basic {}", base64(format!("{u}:not-a-real-password").as_bytes()));
        h.push((b"authorization".to_vec(), cred.into_bytes()));
    }
    let source = match e.client.as_deref().unwrap_or("192.0.2.1") {
        c if c.contains(':') => format!("[{c}]:40000"),
        c => format!("{c}:40000"),
    };
    Request { headers: h, source }
}

/// Confluence's answer for a logged access: status, size, and the user in X-AUSERNAME.
fn response_of(e: &AccessEvent<'_>) -> Headers {
    let mut h =
        headers(&[(":status", &e.status.to_string()), ("content-length", &e.bytes.to_string())]);
    if let Some(u) = &e.user {
        h.push((b"x-ausername".to_vec(), u.as_bytes().to_vec()));
    }
    h
}

fn native_alerts(config: &Value, events: &[AccessEvent<'_>]) -> Vec<Value> {
    let mut engine = Engine::from_json(&config.to_string()).expect("config");
    let mut alerts = Vec::new();
    for e in events {
        engine.push_event(e, &mut alerts);
    }
    engine.finish(&mut alerts);
    alerts.iter().map(|a| a.to_value()).collect()
}

#[test]
fn replay_gives_the_native_core_alerts_with_two_workers() {
    replay_parity(&corpus());
    if let Some(events) = example_corpus() {
        replay_parity(&events);
    }
}

/// Replays `events` as requests alternating between two workers and compares the alerts the
/// module logs (and posts) with the native core's for the same events.
fn replay_parity(events: &[AccessEvent<'static>]) {
    let config = fixture_config();
    let want = native_alerts(&config, events);
    assert!(!want.is_empty(), "the corpus must raise alerts for this test to mean anything");

    let plugin = with_proxy(config, json!({"mode": "detect", "collector": {"cluster": "siem"}}));
    let mut proxy = start(&plugin, 2);
    assert!(proxy.vms.iter().all(|v| v.configured));
    proxy.set_clock_ms(events[0].time_ms);
    proxy.tick().unwrap();
    let mut tagged = 0;
    for (i, e) in events.iter().enumerate() {
        proxy.set_clock_ms(e.time_ms);
        let x = proxy.request(i % 2, &request_of(e), |_| response_of(e)).unwrap();
        assert!(x.local.is_none(), "detect mode never answers itself");
        if let Some(v) = x.upstream_header("x-wikiwatch") {
            assert!(v.split(',').all(|r| r.parse::<wikiwatch_core::RuleId>().is_ok()), "{v}");
            tagged += 1;
        }
        if i % 16 == 0 {
            proxy.tick().unwrap();
        }
    }
    proxy.shutdown().unwrap();
    let got = proxy.alerts();
    assert_eq!(got.len(), want.len(), "alert count: proxy {} vs native {}", got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    // Alerts reached the collector too, as NDJSON.
    let h = proxy.host.borrow();
    let posted: usize = h
        .http_calls
        .iter()
        .map(|c| c.body.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count())
        .sum();
    assert_eq!(posted, want.len());
    assert!(h.http_calls.iter().all(|c| c.cluster == "siem"));
    assert!(tagged > 0, "entities with alerts are tagged for the upstream");
    // Exactly one VM ran the engine (both enqueued, one drained).
    let leaders: Vec<_> = h
        .logs
        .iter()
        .filter(|l| l.message.contains("now runs the proxy's engine"))
        .map(|l| l.vm)
        .collect();
    assert_eq!(leaders.len(), 1, "{leaders:?}");
    eprintln!("{} events, {} alerts, {} tagged requests", events.len(), want.len(), tagged);
}

fn is_scraper(e: &AccessEvent<'_>) -> bool {
    e.agent.starts_with("python-requests")
}

#[test]
fn enforce_throttles_the_scraper_never_the_allow_listed_crawler() {
    let events = corpus();
    let mut config = fixture_config();
    // Throttle on the first burst alert: make it high (the policy's minimum).
    config["rules"] = json!({"burst-rate": {"severity": "high"}});
    let slots = 64;
    let plugin = with_proxy(
        config,
        json!({"mode": "enforce", "slots": slots, "enforce": {"rules": ["*"], "min_severity": "high"}}),
    );
    let mut proxy = start(&plugin, 2);
    proxy.set_clock_ms(events[0].time_ms);
    proxy.tick().unwrap();
    let (mut throttled_scraper, mut throttled_other) = (0, 0);
    let mut retry_after = Vec::new();
    // user -> time until which Retry-After said its requests stay throttled
    let mut until: std::collections::HashMap<String, i64> = Default::default();
    for (i, e) in events.iter().enumerate() {
        proxy.set_clock_ms(e.time_ms);
        let x = proxy.request(i % 2, &request_of(e), |_| response_of(e)).unwrap();
        let who = e.user.as_deref().unwrap_or("-").to_string();
        if let Some(l) = &x.local {
            assert_eq!(l.status, 429);
            let secs =
                l.header("retry-after").and_then(|v| v.parse::<i64>().ok()).expect("Retry-After");
            retry_after.push(secs);
            let end = until.entry(who).or_default();
            *end = (*end).max(e.time_ms + (secs - 1) * 1000);
            if is_scraper(e) {
                throttled_scraper += 1;
            } else {
                throttled_other += 1;
                assert_ne!(
                    e.user.as_deref(),
                    Some("svc-indexer"),
                    "allow-listed crawler throttled"
                );
            }
        } else if until.get(&who).is_some_and(|&t| e.time_ms < t) {
            panic!("request {i} of {who} passed while Retry-After said it was throttled");
        }
        if i % 16 == 0 {
            proxy.tick().unwrap();
        }
    }
    assert!(throttled_scraper > 0, "the scraper was never throttled");
    assert_eq!(throttled_other, 0, "only the scraper's address/session is throttled");
    // Retry-After counts down to the end of the cooldown (default 30 minutes).
    assert!(retry_after.iter().all(|&s| (1..=30 * 60).contains(&s)), "{retry_after:?}");
    // After the cooldown, the scraper's next request passes again.
    let last = events.iter().rev().find(|e| is_scraper(e)).unwrap();
    proxy.set_clock_ms(last.time_ms + 31 * 60 * 1000);
    proxy.tick().unwrap();
    let x = proxy.request(0, &request_of(last), |_| response_of(last)).unwrap();
    assert!(x.local.is_none(), "still throttled after the cooldown");
    // Shared data stays bounded: slots plus the lease, each slot small.
    let h = proxy.host.borrow();
    let sizes = h.shared_sizes();
    assert!(sizes.len() <= slots + 1, "{sizes:?}");
    assert!(sizes.iter().all(|(_, n)| *n <= 8 + 256 + 10 * 32), "{sizes:?}");
    eprintln!("{throttled_scraper} scraper requests throttled; shared data: {sizes:?}");
}

#[test]
fn bad_config_is_rejected_with_one_log_line_and_no_trap() {
    let bad: &[&[u8]] = &[
        b"{",
        b"[1,2]",
        b"\xff\xfe",
        br#"{"proxy":{"mode":"block"}}"#,
        br#"{"proxy":{"mdoe":"enforce"}}"#,
        br#"{"proxy":{"enforce":{"rules":["no-such-rule"]}}}"#,
        br#"{"proxy":{"slots":0}}"#,
        br#"{"rules":{"burst-rate":{"window":"0s"}}}"#,
        br#"{"unknown":true}"#,
    ];
    for cfg in bad {
        let mut proxy = start(cfg, 1);
        assert!(!proxy.vms[0].configured, "{} accepted", String::from_utf8_lossy(cfg));
        let errors = proxy.logs(4);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].message.starts_with("wikiwatch: bad plugin configuration: "),
            "{}",
            errors[0].message
        );
        // Fail open: requests still pass untouched.
        let req = Request {
            headers: headers(&[(":method", "GET"), (":path", "/")]),
            source: "10.0.0.1:1".into(),
        };
        let x = proxy.request(0, &req, |_| headers(&[(":status", "200")])).unwrap();
        assert!(x.local.is_none());
        proxy.tick().unwrap();
        proxy.shutdown().unwrap();
    }
    let ok = start(b"", 1);
    assert!(ok.vms[0].configured, "empty configuration means defaults");
}

#[test]
fn hostile_headers_do_not_trap() {
    let plugin = with_proxy(fixture_config(), json!({"mode": "enforce", "trusted_hops": 2}));
    let mut proxy = start(&plugin, 2);
    proxy.tick().unwrap();
    let huge = vec![b'A'; 1 << 20];
    let invalid = b"\xff\xfe\xc3(\xa0\xa1\xe2\x28\xa1".to_vec();
    let mut many: Headers =
        (0..5000).map(|i| (format!("x-h-{i}").into_bytes(), vec![b'v'; 64])).collect();
    many.push((b":method".to_vec(), b"GET".to_vec()));
    let cases: Vec<(Headers, Headers)> = vec![
        (
            vec![
                (b":path".to_vec(), huge.clone()),
                (b"user-agent".to_vec(), huge.clone()),
                (b"cookie".to_vec(), huge.clone()),
            ],
            vec![(b"x-ausername".to_vec(), huge.clone())],
        ),
        (
            vec![
                (b":method".to_vec(), invalid.clone()),
                (b":path".to_vec(), invalid.clone()),
                (b"user-agent".to_vec(), invalid.clone()),
                (b"cookie".to_vec(), [b"JSESSIONID=".as_slice(), &invalid].concat()),
                (b"authorization".to_vec(), [b"Basic ".as_slice(), &invalid].concat()),
                (b"x-forwarded-for".to_vec(), invalid.clone()),
                (invalid.clone(), invalid.clone()),
            ],
            vec![
                (b":status".to_vec(), invalid.clone()),
                (b"x-ausername".to_vec(), invalid.clone()),
                (b"content-length".to_vec(), invalid.clone()),
            ],
        ),
        (many, (0..5000).map(|i| (format!("x-r-{i}").into_bytes(), vec![b'r'; 16])).collect()),
        (Vec::new(), Vec::new()),
        (
            headers(&[
                ("authorization", "Bearer "),
                ("x-forwarded-for", ",,,, ,"),
                ("cookie", ";;=;JSESSIONID"),
            ]),
            headers(&[(":status", "99999999999")]),
        ),
    ];
    for (i, (req, resp)) in cases.into_iter().enumerate() {
        for source in ["", "garbage", "[::1]:80", "10.0.0.1:8080"] {
            let r = Request { headers: req.clone(), source: source.into() };
            proxy
                .request(i % 2, &r, |_| resp.clone())
                .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        }
    }
    proxy.tick().unwrap();
    // The filter still works afterwards.
    let ok = Request {
        headers: headers(&[(":method", "GET"), (":path", "/display/ENG/Home")]),
        source: "10.0.0.1:1".into(),
    };
    let x = proxy.request(0, &ok, |_| headers(&[(":status", "200")])).unwrap();
    assert!(x.local.is_none());
    proxy.shutdown().unwrap();
    assert!(proxy.logs(4).is_empty(), "{:?}", proxy.logs(4));
}

/// Median wall time of `n` requests through worker 0.
fn median_request_ns(proxy: &mut Proxy, events: &[AccessEvent<'static>], n: usize) -> f64 {
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let e = &events[i % events.len()];
        let req = request_of(e);
        let resp = response_of(e);
        proxy.set_clock_ms(e.time_ms);
        let t = Instant::now();
        proxy.request(0, &req, |_| resp).unwrap();
        times.push(t.elapsed().as_nanos() as f64);
    }
    times.sort_by(f64::total_cmp);
    times[n / 2]
}

/// Measuring rounds of `added_time_per_request_and_module_size`.
const ROUNDS: usize = 10;

#[test]
fn added_time_per_request_and_module_size() {
    let events = corpus();
    let (engine, ours) = compiled();
    let noop = wasmtime::Module::new(engine, proxy_host::noop::module()).unwrap();
    let plugin = with_proxy(fixture_config(), json!({"mode": "detect"}));
    let mut a = Proxy::start_module(engine, ours, &plugin, 2).unwrap();
    let mut b = Proxy::start_module(engine, &noop, &plugin, 2).unwrap();
    a.set_clock_ms(events[0].time_ms);
    a.tick().unwrap();
    let n = 8000;
    for p in [&mut a, &mut b] {
        median_request_ns(p, &events, 500); // warm up
    }
    // The worker's request path (headers, slot lookups, enqueue); the leader drains later.
    // Rounds alternate between the two modules and the quietest round of each counts: this
    // machine is shared, and a busy neighbour slows both modules alike.
    a.auto_ready = false;
    let (mut with_module, mut baseline) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        with_module = with_module.min(median_request_ns(&mut a, &events, n / ROUNDS));
        baseline = baseline.min(median_request_ns(&mut b, &events, n / ROUNDS));
    }
    // The leader's share: dequeue, decode, Engine::push_event, per event.
    let t = Instant::now();
    a.deliver_ready().unwrap();
    let engine_ns = t.elapsed().as_nanos() as f64 / n as f64;
    let added_us = (with_module - baseline) / 1000.0;
    let size =
        std::fs::metadata(wikiwatch_tests::artifact("wikiwatch_proxy_wasm.wasm")).unwrap().len();
    eprintln!(
        "proxy-wasm: worker path median {:.2} us with the module vs {:.2} us with a no-op module: \
         added {:.2} us per request; leader engine work {:.2} us per event; module {} bytes ({} build)",
        with_module / 1000.0,
        baseline / 1000.0,
        added_us,
        engine_ns / 1000.0,
        size,
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    assert!(size < 2_000_000, "module is {size} bytes");
    // The 5 us target holds in release builds on a quiet machine, where the no-op module's
    // path takes about 0.55 us; on a busy shared machine both slow down alike, so the limit
    // scales with the no-op module's time (at most twice). Debug builds are far slower.
    let busy = (baseline / 550.0).clamp(1.0, 2.0);
    let limit = if cfg!(debug_assertions) { 500.0 } else { 5.0 * busy };
    assert!(added_us < limit, "added {added_us:.2} us per request (limit {limit})");
}
