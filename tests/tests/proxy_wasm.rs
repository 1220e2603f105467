//! The proxy-wasm module, run in a wasmtime host that plays Envoy with two worker VMs sharing
//! one proxy's shared data and queues (tests/tests/proxy_host/).

use crate::{base64, history, proxy_host, proxy_traffic};

use proxy_host::{headers, Headers, Request};
use proxy_traffic::*;
use serde_json::json;
use wikiwatch_core::AccessEvent;

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

#[test]
fn module_size() {
    let size =
        std::fs::metadata(wikiwatch_tests::artifact("wikiwatch_proxy_wasm.wasm")).unwrap().len();
    assert!(size < 2_000_000, "module is {size} bytes");
}

/// A state the native engine learned, inline in the plugin configuration (`proxy.state`,
/// base64), starts the engine warm: a user's burst that only her past week makes alertable
/// raises exactly what the native engine fed the week and the burst raises, and a cold
/// engine raises something else.
#[test]
fn an_inline_state_starts_the_engine_warm() {
    const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const ASSET: &str = "/s/en_GB/9012/_/download/batch/page.js";
    let page = |i: usize| format!("/display/ENG/Design+note+{i}");
    // 2026-10-07T10:00:00Z: her week was spent around 22:00.
    let now = 1_791_367_200_000;
    let config = fixture_config();
    let past = history::past_week(now, "carol", "10.2.0.5", BROWSER, page, ASSET);
    let (learned, state) = history::learn(&config.to_string(), &past);
    let mut burst = Vec::new();
    for i in 0..15 {
        let t = now + i as i64 * 20_000;
        burst.push(history::event(t, "carol", "10.2.9.9", BROWSER, &page(100 + i)));
        burst.push(history::event(t + 300, "carol", "10.2.9.9", BROWSER, ASSET));
    }
    let want = history::alerts(learned, &burst);
    let cold =
        history::alerts(wikiwatch_core::Engine::from_json(&config.to_string()).unwrap(), &burst);
    assert!(want.iter().any(|a| a["rule"] == "baseline-deviation"), "{want:?}");
    assert_ne!(want, cold, "a cold engine must differ for the test to mean something");

    let plugin = with_proxy(config, json!({"mode": "detect", "state": base64::base64(&state)}));
    let mut proxy = start(&plugin, 2);
    proxy.set_clock_ms(now);
    proxy.tick().unwrap();
    for (i, e) in burst.iter().enumerate() {
        proxy.set_clock_ms(e.time_ms);
        proxy.request(i % 2, &request_of(e), |_| response_of(e)).unwrap();
        proxy.tick().unwrap();
    }
    proxy.shutdown().unwrap();
    assert_eq!(proxy.alerts(), want, "the warm proxy raises what the native engine raises");
    let restored = format!("wikiwatch: state proxy.state restored ({} bytes)", state.len());
    let h = proxy.host.borrow();
    assert_eq!(h.logs.iter().filter(|l| l.message == restored).count(), 1, "{restored}");
}
