//! Hostile time: the bundled day with a line ten years ahead, one an hour ahead, a byte flipped
//! in a date, and every seventh line from a node whose clock is ten minutes behind, in file
//! order as a shipper or a proxy sees it. Every host must raise the same alerts (by rule and
//! entity) as on the clean day: the core in process, across a snapshot and restore, the Fluent
//! Bit module, and the proxy-wasm module.

use crate::{fb_host, fb_records, proxy_traffic};

use proxy_traffic::{request_of, response_of, start, with_proxy};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use wikiwatch_core::decode::{Decoder, Format};
use wikiwatch_core::{AccessEvent, Alert, Engine};

type Keys = BTreeSet<(String, String)>;

fn clean_lines() -> Vec<String> {
    let text = std::fs::read_to_string(
        wikiwatch_tests::root().join("examples/logs/confluence-access.log"),
    )
    .expect("example log");
    text.lines().map(String::from).collect()
}

/// `[07/Oct/2026:14:03:11 +0000] ...`: the line with its time moved by `minutes`.
fn shifted(line: &str, minutes: i64) -> String {
    let t = chrono::DateTime::parse_from_str(&line[1..27], "%d/%b/%Y:%H:%M:%S %z").expect("time");
    let t = t + chrono::Duration::minutes(minutes);
    format!("[{}{}", t.format("%d/%b/%Y:%H:%M:%S %z"), &line[27..])
}

fn hostile_lines() -> Vec<String> {
    let mut lines = clean_lines();
    lines[100] = shifted(&lines[100], 10 * 365 * 24 * 60);
    lines[2000] = shifted(&lines[2000], 60);
    // A flipped bit in the day of the month: 0x30 '0' -> 0x32 '2' (twenty days ahead), or
    // into a digit-less byte the decoder rejects.
    let flip = lines[4000].as_bytes()[1] ^ 0x02;
    lines[4000].replace_range(1..2, &char::from(flip).to_string());
    for line in lines.iter_mut().step_by(7).skip(1) {
        *line = shifted(line, -10);
    }
    lines
}

fn keys<'a>(alerts: impl IntoIterator<Item = &'a Alert>) -> Keys {
    alerts
        .into_iter()
        .map(|a| {
            (a.rule.as_str().to_string(), format!("{}:{}", a.entity.kind.as_str(), a.entity.id))
        })
        .collect()
}

fn json_keys(alerts: &[Value]) -> Keys {
    alerts
        .iter()
        .map(|a| {
            let e = &a["entity"];
            (
                a["rule"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}:{}",
                    e["kind"].as_str().unwrap_or_default(),
                    e["id"].as_str().unwrap_or_default()
                ),
            )
        })
        .collect()
}

/// The core in process, line by line; with `restart_at`, the engine is snapshotted and
/// restored there.
fn native(lines: &[String], restart_at: Option<usize>) -> (Keys, u64) {
    let mut engine = Engine::new(Default::default()).expect("default config");
    let mut alerts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if Some(i) == restart_at {
            engine = Engine::restore(Default::default(), &engine.snapshot()).expect("restore");
        }
        let _ = engine.push_line(line.as_bytes(), Format::Auto, &mut alerts);
    }
    engine.finish(&mut alerts);
    (keys(&alerts), engine.stats().late)
}

#[test]
fn the_core_raises_the_clean_days_alerts_and_skips_nothing() {
    let (want, _) = native(&clean_lines(), None);
    assert!(want.len() > 10, "the example day has attacks: {want:?}");
    let hostile = hostile_lines();
    let (got, late) = native(&hostile, None);
    assert_eq!(got, want);
    assert_eq!(late, 0, "no in-order event is late");
    let (restarted, _) = native(&hostile, Some(hostile.len() / 2));
    assert_eq!(restarted, want, "across a snapshot and restore");
}

#[test]
fn the_fluent_bit_module_raises_the_clean_days_alerts() {
    let (want, _) = native(&clean_lines(), None);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile-time-fb");
    std::fs::create_dir_all(&dir).expect("scratch");
    let mut fb = fb_host::FluentBit::with_cwd(&dir).expect("instantiate");
    let mut alerts: Vec<Value> = Vec::new();
    for line in hostile_lines() {
        let record = fb_records::tail_record(line.as_bytes());
        match fb.call("confluence.access", (1_791_378_000, 0), &record).expect("host call") {
            fb_host::Returned::Record(out) => {
                if let Some(text) = fb_records::alerts_text(&out) {
                    let list: Vec<Value> = serde_json::from_str(text).expect("alerts JSON");
                    alerts.extend(list);
                }
            }
            fb_host::Returned::Dropped(why) => panic!("record dropped: {why}"),
        }
    }
    assert_eq!(json_keys(&alerts), want);
}

#[test]
fn the_proxy_module_raises_the_clean_days_alerts() {
    let (want, _) = native(&clean_lines(), None);
    let mut events: Vec<AccessEvent<'static>> = Vec::new();
    let mut d = Decoder::new(Format::Auto, Default::default());
    for line in hostile_lines() {
        let _ = d.decode(line.as_bytes(), &mut |e| events.push(e.into_owned()));
    }
    // The proxy stamps each request with its host's clock: here, the hostile times, in order.
    let plugin = with_proxy(json!({}), json!({"mode": "detect"}));
    let mut proxy = start(&plugin, 2);
    proxy.set_clock_ms(events[0].time_ms);
    proxy.tick().unwrap();
    for (i, e) in events.iter().enumerate() {
        proxy.set_clock_ms(e.time_ms);
        proxy.request(i % 2, &request_of(e), |_| response_of(e)).unwrap();
        if i % 16 == 0 {
            proxy.tick().unwrap();
        }
    }
    proxy.shutdown().unwrap();
    let got = json_keys(&proxy.alerts());
    // The proxy sees what a request shows (Basic-auth users, no sessions from the log): compare
    // with the core fed the same clean events through the same request shapes.
    let mut clean: Vec<AccessEvent<'static>> = Vec::new();
    for line in clean_lines() {
        let _ = d.decode(line.as_bytes(), &mut |e| clean.push(e.into_owned()));
    }
    let mut proxy = start(&plugin, 2);
    proxy.set_clock_ms(clean[0].time_ms);
    proxy.tick().unwrap();
    for (i, e) in clean.iter().enumerate() {
        proxy.set_clock_ms(e.time_ms);
        proxy.request(i % 2, &request_of(e), |_| response_of(e)).unwrap();
        if i % 16 == 0 {
            proxy.tick().unwrap();
        }
    }
    proxy.shutdown().unwrap();
    let clean_keys = json_keys(&proxy.alerts());
    assert!(!clean_keys.is_empty() && !want.is_empty());
    assert_eq!(got, clean_keys);
}
