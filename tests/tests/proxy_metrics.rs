//! The proxy-wasm module's counters in the host's metric store, its `engine: worker` mode on a
//! host that never calls `on_log` or `on_tick` (APISIX), and a configuration handed over as
//! Envoy hands a `google.protobuf.Struct`: run in the wasmtime harness that plays Envoy
//! (tests/tests/proxy_host/).

use crate::{proxy_host, proxy_traffic};

use proxy_host::Proxy;
use proxy_traffic::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use wikiwatch_core::metrics::{self, flat_name};
use wikiwatch_core::{AccessEvent, RuleId};

/// What a run through the proxy gave: alerts logged, 429s sent, requests that reached the
/// upstream.
struct Run {
    proxy: Proxy,
    throttled: u64,
    answered: u64,
}

fn run(proxy: Proxy, events: &[AccessEvent<'_>], workers: usize) -> Run {
    let mut r = Run { proxy, throttled: 0, answered: 0 };
    r.proxy.set_clock_ms(events[0].time_ms);
    r.proxy.tick().unwrap();
    for (i, e) in events.iter().enumerate() {
        r.proxy.set_clock_ms(e.time_ms);
        let x = r.proxy.request(i % workers, &request_of(e), |_| response_of(e)).unwrap();
        match x.local {
            Some(l) => {
                assert_eq!(l.status, 429);
                r.throttled += 1;
            }
            None => r.answered += 1,
        }
        if i % 16 == 0 {
            r.proxy.tick().unwrap();
        }
    }
    r.proxy.shutdown().unwrap();
    r
}

fn count_by(alerts: &[Value], field: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for a in alerts {
        *m.entry(a[field].as_str().unwrap().to_string()).or_default() += 1;
    }
    m
}

/// The engine stats the module logs at shutdown (`wikiwatch: stats {...} drained=...`), summed
/// over the VMs that ran an engine.
fn logged_stats(p: &Proxy) -> Vec<Value> {
    p.logs(0)
        .iter()
        .filter_map(|l| l.message.strip_prefix("wikiwatch: stats "))
        .map(|rest| {
            let json = &rest[..rest.rfind("} drained=").expect("stats line") + 1];
            serde_json::from_str(json).unwrap()
        })
        .collect()
}

fn enforce_config(engine: &str, slots: u32) -> Vec<u8> {
    let mut config = fixture_config();
    config["rules"] = json!({"burst-rate": {"severity": "high"}});
    with_proxy(
        config,
        json!({"mode": "enforce", "engine": engine, "slots": slots,
               "enforce": {"rules": ["*"], "min_severity": "high"}}),
    )
}

/// Every counter equals what the run's alerts, 429s and the engine's own stats say.
fn assert_counters(r: &Run) {
    let p = &r.proxy;
    let alerts = p.alerts();
    assert!(!alerts.is_empty(), "the corpus must raise alerts for this test to mean anything");
    let get = |name: String| p.metric(&name).unwrap_or_else(|| panic!("{name} not defined"));
    let by_rule = count_by(&alerts, "rule");
    for r in RuleId::ALL {
        let want = by_rule.get(r.as_str()).copied().unwrap_or(0);
        assert_eq!(get(flat_name(metrics::ALERTS, Some(("rule", r.as_str())))), want, "{r:?}");
    }
    let by_sev = count_by(&alerts, "severity");
    for s in metrics::SEVERITIES {
        let want = by_sev.get(s.as_str()).copied().unwrap_or(0);
        let name = flat_name(metrics::ALERTS_BY_SEVERITY, Some(("severity", s.as_str())));
        assert_eq!(get(name), want, "{s:?}");
    }
    assert_eq!(get(flat_name(metrics::THROTTLED, None)), r.throttled);
    assert_eq!(
        get(flat_name(metrics::EVENTS, None)),
        r.answered,
        "every answered request is one event"
    );
    assert_eq!(get(flat_name(metrics::QUEUE_DROPS, None)), 0);
    let stats = logged_stats(p);
    assert!(!stats.is_empty());
    for t in metrics::ENTITY_TABLES {
        let want: u64 = stats.iter().map(|s| s["evicted"][t].as_u64().unwrap_or(0)).sum();
        assert_eq!(get(flat_name(metrics::EVICTIONS, Some(("table", t)))), want, "{t}");
    }
}

#[test]
fn counters_equal_the_alerts_and_throttles_of_the_run() {
    let events = corpus();
    let r = run(start(&enforce_config("proxy", 64), 2), &events, 2);
    assert!(r.throttled > 0, "the scraper must be throttled for this test to mean anything");
    assert_counters(&r);
    // One counter per name for the whole proxy: both VMs defined every name once.
    let h = r.proxy.host.borrow();
    let mut names: Vec<_> = h.metrics.iter().map(|m| m.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), h.metrics.len());
}

/// The corpus with a second scraper: mallory's requests again, a second later each, as
/// `trudy` from another address. Two entities are throttled in the same minutes.
fn two_scrapers() -> Vec<AccessEvent<'static>> {
    let mut events = corpus();
    let copies: Vec<_> = events
        .iter()
        .filter(|e| e.user.as_deref() == Some("mallory"))
        .map(|e| {
            let mut c = e.clone();
            c.user = Some("trudy".into());
            c.client = Some("198.51.100.77".into());
            c.time_ms += 1000;
            c
        })
        .collect();
    assert!(copies.len() > 100, "the corpus's scraper made {} requests", copies.len());
    events.extend(copies);
    events.sort_by_key(|e| e.time_ms);
    events
}

#[test]
fn a_full_throttle_table_counts_its_evictions() {
    // One slot for two scrapers: the second one's throttle decision takes the first one's
    // live slot.
    let r = run(start(&enforce_config("proxy", 1), 2), &two_scrapers(), 2);
    let alerted: std::collections::BTreeSet<_> =
        r.proxy.alerts().iter().map(|a| a["entity"]["id"].as_str().unwrap().to_string()).collect();
    assert!(alerted.contains("mallory") && alerted.contains("trudy"), "{alerted:?}");
    let line = r.proxy.logs(0).into_iter().find(|l| l.message.starts_with("wikiwatch: stats "));
    let line = line.expect("stats line").message;
    let evicted: u64 =
        line.split(" evicted=").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(evicted > 0, "one slot for several throttled entities must evict: {line}");
    let name = flat_name(metrics::EVICTIONS, Some(("table", "throttle")));
    assert_eq!(r.proxy.metric(&name), Some(evicted));
}

#[test]
fn a_host_that_refuses_metrics_loses_no_detection() {
    let events = corpus();
    let (engine, module) = compiled();
    let plugin = enforce_config("proxy", 64);
    let with = run(start(&plugin, 2), &events, 2);
    let without = run(Proxy::start_host(engine, module, &plugin, 2, true).unwrap(), &events, 2);
    assert!(without.proxy.vms.iter().all(|v| v.configured));
    assert!(without.proxy.host.borrow().metrics.is_empty());
    assert_eq!(without.proxy.alerts(), with.proxy.alerts());
    assert_eq!(without.throttled, with.throttled);
    assert!(without.proxy.logs(4).is_empty(), "{:?}", without.proxy.logs(4));
}

/// APISIX runs only configure and the request and response callbacks: no log phase, no tick.
fn apisix(plugin: &[u8], workers: usize) -> Proxy {
    let mut p = start(plugin, workers);
    p.log_phase = false;
    p.ticks = false;
    p
}

#[test]
fn worker_engine_detects_without_log_or_tick() {
    let events = corpus();
    let config = fixture_config();
    let want = native_alerts(&config, &events);
    // One worker judges every request: exactly the core's alerts.
    let plugin = with_proxy(config, json!({"engine": "worker"}));
    let r = run(apisix(&plugin, 1), &events, 1);
    assert_eq!(r.proxy.alerts(), want);
    assert!(r.proxy.host.borrow().shared_sizes().is_empty(), "worker mode shares nothing");
    assert_counters(&r);
    // The default engine on the same host detects nothing: why the mode exists.
    let plugin = with_proxy(fixture_config(), json!({}));
    let r = run(apisix(&plugin, 1), &events, 1);
    assert!(r.proxy.alerts().is_empty());
}

#[test]
fn worker_engine_enforces_without_log_or_tick() {
    let events = corpus();
    // Two workers, each with its own engine and throttle table, requests alternating.
    let r = run(apisix(&enforce_config("worker", 64), 2), &events, 2);
    assert!(r.throttled > 0, "the scraper was never throttled");
    assert_counters(&r);
    let alerts = r.proxy.alerts();
    assert!(
        alerts.iter().all(|a| a["entity"]["id"] != "svc-indexer"),
        "allow-listed crawler alerted"
    );
}

/// `google.protobuf.Struct` wire bytes of a JSON object, as Envoy's `Any::value()` holds
/// them (map entries: key 1, value 2; `Value`: null 1, number 2 as double, string 3, bool 4,
/// struct 5, list 6).
fn pb_struct(v: &serde_json::Map<String, Value>) -> Vec<u8> {
    fn len(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
        out.push(tag);
        let mut n = body.len();
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(body);
    }
    fn value(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        match v {
            Value::Null => out.extend_from_slice(&[0x08, 0]),
            Value::Number(n) => {
                out.push(0x11);
                out.extend_from_slice(&n.as_f64().unwrap().to_le_bytes());
            }
            Value::String(s) => len(&mut out, 0x1a, s.as_bytes()),
            Value::Bool(b) => out.extend_from_slice(&[0x20, u8::from(*b)]),
            Value::Object(m) => len(&mut out, 0x2a, &pb_struct(m)),
            Value::Array(items) => {
                let mut list = Vec::new();
                for i in items {
                    len(&mut list, 0x0a, &value(i));
                }
                len(&mut out, 0x32, &list);
            }
        }
        out
    }
    let mut out = Vec::new();
    for (k, v) in v {
        let mut entry = Vec::new();
        len(&mut entry, 0x0a, k.as_bytes());
        len(&mut entry, 0x12, &value(v));
        len(&mut out, 0x0a, &entry);
    }
    out
}

#[test]
fn struct_configuration_acts_as_its_json() {
    let events = corpus();
    let json_plugin = enforce_config("proxy", 64);
    let doc: Value = serde_json::from_slice(&json_plugin).unwrap();
    let bytes = pb_struct(doc.as_object().unwrap());
    assert_eq!(bytes[0], 0x0a);
    let from_json = run(start(&json_plugin, 2), &events, 2);
    let from_struct = run(start(&bytes, 2), &events, 2);
    assert!(from_struct.proxy.vms.iter().all(|v| v.configured), "{:?}", from_struct.proxy.logs(4));
    assert!(from_struct.throttled > 0);
    assert_eq!(from_struct.throttled, from_json.throttled);
    assert_eq!(from_struct.proxy.alerts(), from_json.proxy.alerts());
    // Damaged Struct bytes are refused with one line, as bad JSON is.
    let p = start(&bytes[..bytes.len() - 1], 1);
    assert!(!p.vms[0].configured);
    assert!(p.logs(4)[0].message.starts_with("wikiwatch: bad plugin configuration: "));
}
