//! `Detector` through its JS interface, run by wasm-bindgen-test in Node and (with
//! `WASM_BINDGEN_USE_BROWSER=1`) in headless Chromium; scripts/test.d/40-web.sh runs both.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use wikiwatch_core::{Alert, Engine, Format};
use wikiwatch_web::Detector;

/// A scraper: `n` API reads of distinct pages by a script within a few minutes, plus a
/// browser user's page views, in Confluence access log format, one per line.
fn scrape_log(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (min, sec) = (10 + i / 120, (i / 2) % 60);
        out.push_str(&format!(
            "[07/Oct/2026:14:{min:02}:{sec:02} +0000] mallory http-nio-8090-exec-{} 10.1.0.17 GET /rest/api/content/{}?expand=body.storage HTTP/1.1 200 8ms 5120 - python-requests/2.31.0\n",
            i % 10,
            100_000 + i
        ));
        if i % 25 == 0 {
            out.push_str(&format!(
                "[07/Oct/2026:14:{min:02}:{sec:02} +0000] alice http-nio-8090-exec-1 10.0.0.5 GET /display/ENG/Page{i} HTTP/1.1 200 40ms 18000 - Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\n"
            ));
        }
    }
    out
}

/// What the core itself raises for `text`, as JSON lines.
fn native_alerts(text: &str) -> Vec<String> {
    let mut engine = Engine::from_json("{}").expect("default config");
    let mut alerts: Vec<Alert> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let _ = engine.push_line(line.as_bytes(), Format::Auto, &mut alerts);
    }
    engine.finish(&mut alerts);
    alerts.iter().map(Alert::to_json).collect()
}

fn stringify_all(alerts: &Array) -> Vec<String> {
    alerts
        .iter()
        .map(|a| JSON::stringify(&a).expect("stringify").as_string().expect("string"))
        .collect()
}

fn append(into: &mut Vec<String>, alerts: Array) {
    into.extend(stringify_all(&alerts));
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("property")
}

fn error_message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    let err: js_sys::Error = v.dyn_into().expect("an Error object");
    err.message().into()
}

#[wasm_bindgen_test]
fn bad_config_throws_an_error_with_the_config_message() {
    let e = Detector::new(r#"{"rules":{"burst-rate":{"window":"0s"}}}"#, None).unwrap_err();
    let msg = error_message(e);
    assert!(msg.starts_with("config: rules.burst-rate.window: "), "{msg}");
    let msg = error_message(Detector::new(r#"{"bogus":1}"#, None).unwrap_err());
    assert!(msg.starts_with("config: bogus"), "{msg}");
    let msg = error_message(Detector::new("{", None).unwrap_err());
    assert!(msg.starts_with("config:"), "{msg}");
    let msg = error_message(Detector::new("{}", Some("syslog".into())).unwrap_err());
    assert!(msg.contains("unknown format"), "{msg}");
}

#[wasm_bindgen_test]
fn alerts_are_plain_objects_with_the_native_bytes() {
    let text = scrape_log(600);
    let expected = native_alerts(&text);
    assert!(!expected.is_empty(), "the scrape must raise alerts for this test to mean anything");
    let mut d = Detector::new("{}", None).expect("detector");
    let mut got = Vec::new();
    append(&mut got, d.feed(&text).expect("feed"));
    let last = d.finish().expect("finish");
    if let Some(first) = last.iter().next().or_else(|| got.first().map(|s| JSON::parse(s).unwrap()))
    {
        assert!(first.is_instance_of::<Object>());
        let entity = get(&first, "entity");
        assert_eq!(get(&entity, "kind").as_string().as_deref(), Some("user"));
    }
    append(&mut got, last);
    assert_eq!(got, expected);
    let stats = d.stats().expect("stats");
    assert_eq!(get(&stats, "events").as_f64(), Some((600 + 24) as f64));
    assert_eq!(get(&stats, "alerts").as_f64(), Some(expected.len() as f64));
}

#[wasm_bindgen_test]
fn any_chunking_gives_the_same_alerts_as_whole_lines() {
    let text = scrape_log(400);
    let expected = native_alerts(&text);
    let mut d = Detector::new("", None).expect("detector");
    let mut got = Vec::new();
    // Odd chunk sizes cut lines (and a CRLF) anywhere; the tail waits for its newline.
    let bytes = text.replace('\n', "\r\n").into_bytes();
    for chunk in bytes.chunks(97) {
        append(&mut got, d.feed_bytes(chunk).expect("feed"));
    }
    append(&mut got, d.finish().expect("finish"));
    assert_eq!(got, expected);

    let lines: Array = text.lines().map(JsValue::from_str).collect();
    let mut d = Detector::new("", Some("confluence-access".into())).expect("detector");
    let mut got = Vec::new();
    append(&mut got, d.feed_lines(lines, None).expect("feedLines"));
    append(&mut got, d.finish().expect("finish"));
    assert_eq!(got, expected);
}

#[wasm_bindgen_test]
fn a_partial_last_line_is_kept_until_finish() {
    let mut d = Detector::new("", None).expect("detector");
    let line = scrape_log(1);
    let (a, b) = line.trim_end().split_at(40);
    d.feed(a).expect("feed");
    assert_eq!(d.pending_bytes(), 40);
    assert_eq!(get(&d.stats().unwrap(), "lines").as_f64(), Some(0.0));
    d.feed(b).expect("feed");
    d.finish().expect("finish");
    assert_eq!(d.pending_bytes(), 0);
    assert_eq!(get(&d.stats().unwrap(), "events").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn feed_lines_rejects_non_strings_and_counts_bad_lines() {
    let mut d = Detector::new("", None).expect("detector");
    let arr = Array::of2(&JsValue::from_str("garbage line"), &JsValue::from_f64(3.0));
    let msg = error_message(d.feed_lines(arr, None).unwrap_err());
    assert!(msg.contains("element 1 is not a string"), "{msg}");
    assert_eq!(get(&d.stats().unwrap(), "rejected").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn snapshot_and_restore_continue_where_they_left_off() {
    let text = scrape_log(600);
    let expected = native_alerts(&text);
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let mut d = Detector::new("{}", None).expect("detector");
    let mut got = Vec::new();
    append(&mut got, d.feed(&(first.join("\n") + "\n")).expect("feed"));
    let snap = d.snapshot();
    assert!(!snap.is_empty());
    drop(d);
    let mut d = Detector::restore("{}", &snap, None).expect("restore");
    append(&mut got, d.feed(&(second.join("\n") + "\n")).expect("feed"));
    append(&mut got, d.finish().expect("finish"));
    assert_eq!(got, expected);
    let msg = error_message(Detector::restore("{}", b"not a snapshot", None).unwrap_err());
    assert!(msg.contains("snapshot"), "{msg}");
}

/// A state another host wrote (the core as the CLI, Fluent Bit and the proxy run it) restores
/// here to the same bytes and goes on to the same alerts; one written under another allow list
/// is refused.
#[wasm_bindgen_test]
fn a_state_of_another_host_restores_byte_for_byte() {
    let text = scrape_log(600);
    let expected = native_alerts(&text);
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let mut engine = Engine::from_json("{}").expect("default config");
    let mut got: Vec<Alert> = Vec::new();
    for line in first {
        let _ = engine.push_line(line.as_bytes(), Format::Auto, &mut got);
    }
    let mut got: Vec<String> = got.iter().map(Alert::to_json).collect();
    let state = engine.snapshot();
    let format = Some("confluence-access".to_string());
    let mut d = Detector::restore("{}", &state, format).expect("restore");
    assert!(d.snapshot() == state, "restore then snapshot: the same bytes");
    append(&mut got, d.feed(&(second.join("\n") + "\n")).expect("feed"));
    append(&mut got, d.finish().expect("finish"));
    assert_eq!(got, expected);
    let allow = r#"{"allow":[{"name":"ci","users":["ci-bot"],"rules":["*"]}]}"#;
    let msg = error_message(Detector::restore(allow, &state, None).unwrap_err());
    assert!(msg.contains("allow entries"), "{msg}");
}

#[wasm_bindgen_test]
fn merged_inputs_meet_in_event_time_order() {
    // Two halves of one log, split by user, merged back: same alerts as the sorted whole.
    let text = scrape_log(600);
    let expected = native_alerts(&text);
    let (mallory, others): (Vec<&str>, Vec<&str>) =
        text.lines().partition(|l| l.contains("mallory"));
    let mut d = Detector::new("{}", None).expect("detector");
    let a = d.add_input(None).expect("input");
    let b = d.add_input(Some("confluence-access".into())).expect("input");
    let mut got = Vec::new();
    let mut parts = [mallory.join("\n").into_bytes(), others.join("\n").into_bytes()];
    let mut offsets = [0usize, 0];
    loop {
        let i = d.hungry_input();
        if i < 0 {
            break;
        }
        let i = i as usize;
        let part = &mut parts[i];
        let end = (offsets[i] + 1000).min(part.len());
        if offsets[i] == part.len() {
            append(&mut got, d.end_input(i).expect("end"));
        } else {
            append(&mut got, d.feed_input(i, &part[offsets[i]..end]).expect("feed"));
            offsets[i] = end;
        }
    }
    append(&mut got, d.finish().expect("finish"));
    assert_eq!((a, b), (0, 1));
    assert_eq!(got, expected);
    let counts = d.input_counts().expect("counts");
    let first = Reflect::get_u32(&counts, 0).expect("first");
    assert_eq!(get(&first, "events").as_f64(), Some(600.0));
    assert_eq!(get(&first, "format").as_string().as_deref(), Some("confluence-access"));
    assert!(d.feed_input(5, b"x").is_err());
    parts[0].clear();
}

#[wasm_bindgen_test]
fn activity_reports_rates_and_distinct_pages() {
    let mut d = Detector::new("{}", None).expect("detector");
    d.track_activity();
    d.feed(&scrape_log(600)).expect("feed");
    d.finish().expect("finish");
    let wanted = JSON::parse(r#"[["ip","10.0.0.5"]]"#).unwrap();
    let act = d.activity(1, wanted).expect("activity");
    let entities: Array = get(&act, "entities").dyn_into().expect("array");
    assert_eq!(entities.length(), 2, "the wanted entity plus the busiest one");
    let ip = entities.get(0);
    assert_eq!(get(&ip, "id").as_string().as_deref(), Some("10.0.0.5"));
    let top = entities.get(1);
    assert_eq!(get(&top, "id").as_string().as_deref(), Some("10.1.0.17"));
    assert_eq!(get(&top, "total").as_f64(), Some(600.0));
    assert_eq!(get(&top, "distinct_pages").as_f64(), Some(600.0));
    let minutes: Array = get(&top, "minutes").dyn_into().expect("minutes");
    assert_eq!(minutes.length(), 5);
}

#[wasm_bindgen_test]
fn activity_shows_each_day_of_a_user_against_their_baseline() {
    // Eight ordinary days of 20 pages, then a day of 400: the last day is past its band.
    let mut log = String::new();
    for day in 1..=9 {
        let pages = if day == 9 { 400 } else { 20 };
        for i in 0..pages {
            let (h, m) = (9 + i / 60, i % 60);
            log.push_str(&format!(
                "[{day:02}/Oct/2026:{h:02}:{m:02}:00 +0000] alice http-nio-8090-exec-1 10.0.0.5 GET /display/ENG/Page{i} HTTP/1.1 200 40ms 18000 - Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\n"
            ));
        }
    }
    let mut d = Detector::new("{}", None).expect("detector");
    d.track_activity();
    let alerts = d.feed(&log).expect("feed");
    d.finish().expect("finish");
    let wanted = JSON::parse(r#"[["user","alice"]]"#).unwrap();
    let act = d.activity(0, wanted).expect("activity");
    let alice = Array::from(&get(&act, "entities")).get(0);
    let days = Array::from(&get(&alice, "baseline"));
    assert_eq!(days.length(), 9);
    let last = days.get(8);
    assert_eq!(get(&last, "date").as_string().as_deref(), Some("2026-10-09"));
    let pages = Array::from(&get(&last, "bands")).get(0);
    assert_eq!(get(&pages, "metric").as_string().as_deref(), Some("pages"));
    assert_eq!(get(&pages, "today").as_f64(), Some(400.0));
    assert_eq!(get(&pages, "usual").as_f64(), Some(20.0));
    let allowed = get(&pages, "allowed").as_f64().expect("allowed");
    assert!(allowed < 400.0, "{allowed}");
    let first_ordinary = days.get(6);
    let b = Array::from(&get(&first_ordinary, "bands")).get(0);
    assert!(get(&b, "today").as_f64() <= get(&b, "allowed").as_f64());
    // The band is the one judged: the alert's threshold is that allowance.
    let judged = (0..alerts.length()).map(|i| alerts.get(i)).any(|a| {
        get(&a, "rule").as_string().as_deref() == Some("baseline-deviation")
            && get(&a, "threshold").as_f64() == Some(allowed)
    });
    assert!(judged, "a baseline-deviation alert at the band's allowance");
}

#[wasm_bindgen_test]
fn sketch_hash_is_the_same_as_on_64_bit_hosts() {
    // The values the core's own native test pins (filter/core/src/sketch.rs): distinct counts,
    // and so alert counts and summaries, must not depend on the host's pointer width.
    let got: Vec<u32> = ["", "ENG", "10.0.0.1", "python-requests/2.31.0"]
        .iter()
        .map(|s| wikiwatch_core::hash32(s))
        .collect();
    assert_eq!(got, [2_177_349_625, 3_191_165_792, 3_081_638_784, 912_982_700]);
}
