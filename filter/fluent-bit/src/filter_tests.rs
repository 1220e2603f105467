//! The per-record contract, natively (the same cases run against the built module in
//! tests/tests/fluent_bit.rs).

use super::*;
use serde_json::Value;

const LINE: &str = "[18/Dec/2020:12:57:26 +1100] alice http-nio-8090-exec-6 10.0.0.5 GET /display/ENG/Home HTTP/1.1 200 12ms 7881 - Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
// 2020-12-18T01:57:26Z
const FB_SEC: u32 = 1_608_256_646;

fn run(filter: &mut Filter, record: &[u8]) -> (Vec<u8>, Vec<String>) {
    let mut logs = Vec::new();
    let out = filter.filter(FB_SEC, 5_000_000, record, &mut |l| logs.push(l.to_string()));
    let (last, body) = out.split_last().expect("never empty");
    assert_eq!(*last, 0, "NUL-terminated");
    assert!(!body.contains(&0), "no NUL inside the result");
    (body.to_vec(), logs)
}

fn filter() -> Filter {
    Filter::new(Config::default(), &mut |l| panic!("unexpected log: {l}"))
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("a JSON object")
}

/// The result minus the `wikiwatch` field, which must have been spliced in as the last key.
fn without_annotation(out: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(out);
    let at = text.rfind(",\"wikiwatch\":").expect("annotated");
    let mut original = out[..at].to_vec();
    original.push(b'}');
    original
}

#[test]
fn raw_tail_line_is_annotated_and_kept_as_is() {
    let mut f = filter();
    let record = format!(
        r#"{{"log":{},"stream":"stdout"}}"#,
        serde_json::to_string(&format!("{LINE}\n")).unwrap()
    );
    let (out, _) = run(&mut f, record.as_bytes());
    assert_eq!(without_annotation(&out), record.as_bytes(), "original fields untouched");
    let w = &json(&out)["wikiwatch"];
    assert_eq!(w["user"], "alice");
    assert_eq!(w["ip"], "10.0.0.5");
    assert_eq!(w["request"], "page-view");
    assert_eq!(w["agent"], "browser");
    assert!(w["session"].is_null() && w["allowed_by"].is_null());
    assert_eq!(w["alerts"], Value::Array(vec![]));
}

#[test]
fn parser_records_without_time_use_fluent_bits_time() {
    let mut f = filter();
    // Fluent Bit's nginx parser moves `time` into the record timestamp (Time_Keep off).
    let record = br#"{"remote":"10.0.0.7","host":"-","user":"bob","method":"GET","path":"/rest/api/content?start=25&limit=25","code":"200","size":"512","referer":"-","agent":"python-requests/2.31.0"}"#;
    let (out, _) = run(&mut f, record);
    assert_eq!(without_annotation(&out), record);
    let w = &json(&out)["wikiwatch"];
    assert_eq!((&w["user"], &w["ip"]), (&Value::from("bob"), &Value::from("10.0.0.7")));
    assert_eq!(w["agent"], "script");
    assert_eq!(f.engine().map(|e| e.stats().events), Some(1));
}

#[test]
fn ecs_records_are_annotated() {
    let mut f = filter();
    let record = br#"{"@timestamp":"2020-12-18T01:57:26.000Z","source":{"ip":"10.0.0.9"},"user":{"name":"carol"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"original":"/display/ENG/Home"},"user_agent":{"original":"curl/8.4.0"}}"#;
    let (out, _) = run(&mut f, record);
    let w = &json(&out)["wikiwatch"];
    assert_eq!((&w["user"], &w["agent"]), (&Value::from("carol"), &Value::from("script")));
}

#[test]
fn time_goes_first_under_the_configured_key() {
    assert_eq!(
        with_time(br#" {"a":1}"#, Some("@timestamp"), 7).unwrap(),
        br#"{"@timestamp":7,"a":1}"#
    );
    assert_eq!(with_time(b"{ }", Some("t"), 7).unwrap(), br#"{"t":7 }"#);
    assert_eq!(with_time(b"[1]", Some("t"), 7), None);
    assert_eq!(with_time(b"{}", None, 7), None);
}

#[test]
fn not_an_object_comes_back_wrapped_with_nothing_lost() {
    let mut f = filter();
    for input in [
        &b"garbage"[..],
        b"[1,2,3]",
        b"\"just a string\"",
        b"42",
        b"{\"a\":",
        b"",
        b"{\"a\":1} trailing",
    ] {
        let (out, _) = run(&mut f, input);
        let v = json(&out);
        assert_eq!(v["log"], String::from_utf8_lossy(input).as_ref(), "{input:?}");
        assert!(v["wikiwatch"]["error"].is_string(), "{input:?}");
        assert_eq!(v.as_object().map(|o| o.len()), Some(2));
    }
}

#[test]
fn invalid_utf8_inside_an_object_is_passed_through_byte_for_byte() {
    let mut f = filter();
    let mut record =
        format!(r#"{{"log":{},"raw":"caf"#, serde_json::to_string(LINE).unwrap()).into_bytes();
    record.extend_from_slice(b"\xe9\xff\"}");
    let (out, _) = run(&mut f, &record);
    assert!(out.starts_with(&record[..record.len() - 1]), "original bytes kept");
    let v: Value = serde_json::from_str(&String::from_utf8_lossy(&out)).unwrap();
    assert_eq!(v["wikiwatch"]["user"], "alice");
}

#[test]
fn records_that_are_not_events_pass_unchanged_and_are_logged_once() {
    let mut f = filter();
    let mut logs = Vec::new();
    for record in
        [&br#"{"message":"GC pause 12ms","level":"info"}"#[..], br#"{"log":"not an access line"}"#]
    {
        let out = f.filter(FB_SEC, 0, record, &mut |l| logs.push(l.to_string()));
        assert_eq!(&out[..out.len() - 1], record);
    }
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(logs[0].contains("not recognised"), "{logs:?}");
}

#[test]
fn annotated_records_are_not_counted_twice() {
    let mut f = filter();
    let record = format!(
        r#"{{"log":{},"wikiwatch":{{"alerts":[]}}}}"#,
        serde_json::to_string(LINE).unwrap()
    );
    let (out, _) = run(&mut f, record.as_bytes());
    assert_eq!(out, record.as_bytes());
    assert_eq!(f.engine().map(|e| e.stats().events), Some(0));
}

#[test]
fn empty_object_gets_no_leading_comma() {
    let mut f = filter();
    let (out, _) = run(&mut f, b"{}");
    assert_eq!(out, b"{}", "no event in an empty record: unchanged");
}

#[test]
fn buffer_is_reused_across_records_of_any_size() {
    let mut f = filter();
    let big = format!(r#"{{"log":"{}"}}"#, "x".repeat(1 << 20));
    let (out, _) = run(&mut f, big.as_bytes());
    assert_eq!(out, big.as_bytes());
    let (out, _) = run(&mut f, b"[]");
    assert_eq!(json(&out)["log"], "[]");
}

/// The `i`th line of a script's crawl, one page a second: a burst that raises alerts.
fn burst_line(i: usize) -> String {
    format!(
        "[18/Dec/2020:12:{:02}:{:02} +1100] mallory http-nio-8090-exec-6 10.0.0.66 GET /rest/api/content/{} HTTP/1.1 200 12ms 7881 - python-requests/2.31.0",
        i / 60,
        i % 60,
        1000 + i
    )
}

/// The fast path for plain ASCII `tail` lines gives what the JSON parser's path gives: the
/// same lines, each also sent with a space after the object (which only the parser accepts),
/// come back with the same annotations and alerts, from a burst that raises some.
#[test]
fn plain_ascii_lines_read_fast_give_what_the_parser_gives() {
    let (mut fast, mut parsed) = (filter(), filter());
    let mut alerts = 0;
    for i in 0..400 {
        let line = burst_line(i);
        let record = format!("{{\"log\":\"{line}\"}}");
        assert_eq!(record::plain_ascii_line(record.as_bytes()), Some(line.as_bytes()));
        let (out, _) = run(&mut fast, record.as_bytes());
        let (mut slow, _) = run(&mut parsed, format!("{record} ").as_bytes());
        assert_eq!(slow.pop(), Some(b' '));
        assert_eq!(out, slow, "{line}");
        alerts += usize::from(!json(&out)["wikiwatch"]["alerts"].as_array().unwrap().is_empty());
    }
    assert!(alerts > 0, "the burst raised nothing: the comparison saw no alerts");
}

#[test]
fn only_plain_ascii_log_records_take_the_fast_path() {
    for record in [
        r#"{"log":"caf\u00e9"}"#,
        "{\"log\":\"caf\u{e9}\"}",
        r#"{"log":"a\"b"}"#,
        r#"{"log":"a\\b"}"#,
        "{\"log\":\"tab\there\"}",
        r#"{"log":"x","other":1}"#,
        r#"{"other":"x"}"#,
        r#" {"log":"x"}"#,
    ] {
        assert_eq!(record::plain_ascii_line(record.as_bytes()), None, "{record}");
    }
    assert_eq!(record::plain_ascii_line(br#"{"log":""}"#), Some(&b""[..]));
}

/// `annotate: alerts`: a record that raised an alert leaves as it would by default, byte for
/// byte; every other record leaves exactly as it came. Returns how many of each there were.
fn alerts_only_against_the_default(records: &[String]) -> (usize, usize) {
    let settings = FluentBitSettings { annotate: Annotate::Alerts };
    let mut all = filter();
    let mut alerting = Filter::with_settings(Config::default(), settings, &mut |l| panic!("{l}"));
    let (mut annotated, mut plain) = (0, 0);
    for record in records {
        let (every, _) = run(&mut all, record.as_bytes());
        let (out, _) = run(&mut alerting, record.as_bytes());
        // No alerts, or no annotation at all (a page that holds no event).
        if json(&every)["wikiwatch"]["alerts"].as_array().is_none_or(Vec::is_empty) {
            assert_eq!(out, record.as_bytes(), "{record}");
            plain += 1;
        } else {
            assert_eq!(out, every, "{record}");
            annotated += 1;
        }
    }
    (annotated, plain)
}

#[test]
fn annotating_alerts_only_passes_every_other_record_as_it_came() {
    let burst: Vec<String> =
        (0..400).map(|i| format!(r#"{{"log":"{}","stream":"stdout"}}"#, burst_line(i))).collect();
    let (annotated, plain) = alerts_only_against_the_default(&burst);
    assert!(annotated > 0 && plain > 0, "{annotated} annotated, {plain} plain");
    // Records that are not JSON objects are still wrapped and told why: the result must be one.
    let settings = FluentBitSettings { annotate: Annotate::Alerts };
    let mut alerting = Filter::with_settings(Config::default(), settings, &mut |l| panic!("{l}"));
    let (out, _) = run(&mut alerting, b"not json");
    assert!(json(&out)["wikiwatch"]["error"].is_string());
}

/// Audit pages hold several events, and the alert may come from one before the last: the
/// annotation still tells of the page's last event and counts them all, as by default.
#[test]
fn annotating_alerts_only_keeps_the_note_of_a_page_of_events() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/audit/pages.jsonl");
    let text = std::fs::read_to_string(path).expect("audit pages");
    let pages: Vec<String> = text.lines().map(str::to_string).collect();
    let (annotated, _) = alerts_only_against_the_default(&pages);
    assert!(annotated > 0, "the pages raise an alert");
    let mut all = filter();
    let many = pages.iter().any(|p| {
        let (out, _) = run(&mut all, p.as_bytes());
        let w = &json(&out)["wikiwatch"];
        w["events"].as_u64() > Some(1) && w["alerts"].as_array().is_some_and(|a| !a.is_empty())
    });
    assert!(many, "a page of several events raises an alert");
}
