//! The Fluent Bit filter_wasm module, loaded from `target/wasm/wikiwatch_fluent_bit.wasm` and
//! called the way Fluent Bit calls it (see `fluent_bit/host.rs`).
//!
//! - the alerts each record carries are, byte for byte, the alerts the native engine raises
//!   for the same line (what the CLI prints), and the annotation matches its outcome;
//! - garbage, non-objects, invalid UTF-8 and 1 MB records come back as JSON objects that
//!   Fluent Bit keeps, with nothing lost;
//! - `wikiwatch.json` in the first accessible path is used; a bad one is one error on stderr
//!   and the default config, records still flowing.
//!
//! `cargo test -p wikiwatch-tests --release --test suite fluent_bit:: -- --ignored --nocapture`
//! prints throughput and module size.

use crate::fb_host as host;
use crate::fb_records as records;

use host::{FluentBit, Preopen, Returned};
use records::{alerts_text, annotation, fluent_bit_keeps, strip_annotation, tail_record};
use serde_json::Value;
use std::path::PathBuf;
use wikiwatch_core::{Alert, Engine, Format};

const TAG: &str = "confluence.access";
const TIME: (u32, u32) = (1_791_378_000, 250_000_000);

/// The workspace, as seen when this test was compiled.
fn workspace() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One hour of a Confluence access log with three scrapers (tests/fixtures/fluent-bit).
fn corpus_file() -> PathBuf {
    workspace().join("tests/fixtures/fluent-bit/conf_access_log.log")
}

fn corpora() -> Vec<PathBuf> {
    let mut files = vec![corpus_file()];
    // Sample logs written for the examples, when present, are replayed too.
    if let Ok(dir) = std::fs::read_dir(workspace().join("examples/logs")) {
        let mut more: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("wikiwatch-fluent-bit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn call(fb: &mut FluentBit, record: &[u8]) -> Vec<u8> {
    match fb.call(TAG, TIME, record).expect("host call") {
        Returned::Record(out) => {
            assert!(
                fluent_bit_keeps(&out),
                "Fluent Bit would drop {:.200}",
                String::from_utf8_lossy(&out)
            );
            out
        }
        Returned::Dropped(why) => {
            panic!("record dropped ({why}): {:.200}", String::from_utf8_lossy(record))
        }
    }
}

#[test]
fn alerts_and_annotations_equal_the_native_engine_record_by_record() {
    let mut total_alerts = 0;
    for file in corpora() {
        let text = std::fs::read(&file).expect("corpus");
        let mut fb = FluentBit::with_cwd(&scratch("parity")).expect("instantiate");
        let mut native = Engine::new(Default::default()).expect("default config");
        for (n, line) in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).enumerate() {
            let record = tail_record(line);
            let out = call(&mut fb, &record);
            let mut expected: Vec<Alert> = Vec::new();
            let where_ = format!("{}:{}", file.display(), n + 1);
            match native.push_line(line, Format::Auto, &mut expected) {
                Ok(Some(outcome)) => {
                    assert_eq!(
                        strip_annotation(&out).as_deref(),
                        Some(&record[..]),
                        "{where_}: fields changed"
                    );
                    let w = annotation(&out);
                    assert_eq!(w["request"], outcome.request.as_str(), "{where_}");
                    assert_eq!(w["agent"], outcome.agent.as_str(), "{where_}");
                    assert_eq!(w["session"].as_str(), outcome.session.as_deref(), "{where_}");
                    assert_eq!(w["allowed_by"].as_str(), outcome.allowed_by.as_deref(), "{where_}");
                    let top = expected.iter().map(|a| a.severity).max();
                    assert_eq!(w["alert_severity"].as_str(), top.map(|s| s.as_str()), "{where_}");
                    let wanted = format!(
                        "[{}]",
                        expected.iter().map(Alert::to_json).collect::<Vec<_>>().join(",")
                    );
                    assert_eq!(alerts_text(&out), Some(wanted.as_str()), "{where_}: alerts differ");
                    total_alerts += expected.len();
                }
                // A line the core rejects (or that holds no event) passes through untouched.
                Ok(None) | Err(_) => assert_eq!(out, record, "{where_}"),
            }
        }
        // The CLI calls finish at the end of input; a stream never ends, so nothing may be
        // pending there for the module to miss.
        let mut flushed = Vec::new();
        native.finish(&mut flushed);
        assert!(
            flushed.is_empty(),
            "{}: alerts only raised at finish: {flushed:?}",
            file.display()
        );
        assert_eq!(fb.stderr().lines().count(), 1, "only the config line: {}", fb.stderr());
    }
    assert!(total_alerts > 0, "the corpus must raise alerts for the comparison to mean something");
}

#[test]
fn bad_records_come_back_as_objects_with_nothing_lost() {
    let mut fb = FluentBit::with_cwd(&scratch("bad")).expect("instantiate");
    let line = std::fs::read_to_string(corpus_file()).expect("corpus");
    let line = line.lines().next().expect("a line").as_bytes().to_vec();
    let mut invalid_utf8 = br#"{"log":"#.to_vec();
    invalid_utf8.extend_from_slice(&serde_json::to_vec(&String::from_utf8_lossy(&line)).unwrap());
    invalid_utf8.extend_from_slice(b",\"raw\":\"caf\xe9 \xff\xfe\"}");
    let mut huge_object = br#"{"message":""#.to_vec();
    huge_object.extend(std::iter::repeat_n(b'x', 1 << 20));
    huge_object.extend_from_slice(br#"","n":[1,2,{"deep":true}]}"#);
    let huge_line = tail_record(&[line.as_slice(), &vec![b'y'; 1 << 20]].concat());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\x01 not json at all".to_vec()),
        ("empty", Vec::new()),
        ("array", b"[1,2,3]".to_vec()),
        ("string", b"\"a string\"".to_vec()),
        ("truncated", br#"{"log":"abc"#.to_vec()),
        ("two objects", br#"{"a":1}{"b":2}"#.to_vec()),
        ("invalid UTF-8 in an object", invalid_utf8),
        ("invalid UTF-8 garbage", b"\xff\xfe\xfd".to_vec()),
        ("1 MB object", huge_object),
        ("1 MB raw line", huge_line),
        ("1 MB garbage", vec![b'{'; 1 << 20]),
        ("deep nesting", [vec![b'['; 100_000], vec![b']'; 100_000]].concat()),
    ];
    for (name, record) in &cases {
        let out = call(&mut fb, record);
        let lossy = String::from_utf8_lossy(record);
        let v: Value = serde_json::from_str(&String::from_utf8_lossy(&out)).expect(name);
        if v["wikiwatch"]["error"].is_string() {
            // Not an object: wrapped, the input kept whole in `log`.
            assert_eq!(v["log"].as_str(), Some(lossy.as_ref()), "{name}: input kept in `log`");
            assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{name}");
        } else if let Some(original) = strip_annotation(&out) {
            assert_eq!(&original, record, "{name}: original bytes kept");
        } else {
            // Objects that are not events come back exactly as they went in.
            assert_eq!(&out, record, "{name}");
        }
    }
    // The instance is still healthy: state persisted and the next record is annotated.
    let out = call(&mut fb, &tail_record(&line));
    assert!(annotation(&out)["request"].is_string());
}

#[test]
fn config_comes_from_the_first_accessible_path() {
    let line = std::fs::read_to_string(corpus_file()).expect("corpus");
    let line = line.lines().find(|l| l.contains(" mallory ")).expect("a mallory line").to_string();
    let allow =
        r#"{"allow":[{"name":"harness-allow","users":["mallory"],"rules":["*"],"reason":"test"}]}"#;

    // The first path holds the config; a second path's file is ignored.
    let first = scratch("cfg-first");
    let second = scratch("cfg-second");
    std::fs::write(first.join("wikiwatch.json"), allow).unwrap();
    std::fs::write(second.join("wikiwatch.json"), "{not even json").unwrap();
    let guest = first.to_string_lossy().into_owned();
    let mut fb = FluentBit::new(&[
        Preopen { host: first.clone(), guest: guest.clone() },
        Preopen { host: second.clone(), guest: second.to_string_lossy().into_owned() },
    ])
    .expect("instantiate");
    let out = call(&mut fb, &tail_record(line.as_bytes()));
    assert_eq!(annotation(&out)["allowed_by"], "harness-allow");
    assert_eq!(fb.stderr().trim(), format!("wikiwatch: config {guest}/wikiwatch.json loaded"));

    // Fluent Bit's default accessible path, `.`.
    let mut fb = FluentBit::with_cwd(&first).expect("instantiate");
    let out = call(&mut fb, &tail_record(line.as_bytes()));
    assert_eq!(annotation(&out)["allowed_by"], "harness-allow");

    // A bad file: one clear error naming the problem, the default config, records flowing.
    std::fs::write(
        first.join("wikiwatch.json"),
        r#"{"rules":{"burst-rate":{"threshold":0}},"allwo":[]}"#,
    )
    .unwrap();
    let mut fb = FluentBit::with_cwd(&first).expect("instantiate");
    let out = call(&mut fb, &tail_record(line.as_bytes()));
    assert!(annotation(&out)["allowed_by"].is_null());
    let stderr = fb.stderr();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("wikiwatch: error: wikiwatch.json: config:"), "{stderr}");
    assert!(stderr.contains("built-in default"), "{stderr}");

    // The example set-up's config is valid.
    let example = workspace().join("examples/fluent-bit");
    let mut fb = FluentBit::with_cwd(&example).expect("instantiate");
    call(&mut fb, &tail_record(line.as_bytes()));
    assert_eq!(fb.stderr().trim(), "wikiwatch: config wikiwatch.json loaded");

    // No file: the default, said once.
    let mut fb = FluentBit::with_cwd(&scratch("cfg-none")).expect("instantiate");
    call(&mut fb, &tail_record(line.as_bytes()));
    assert_eq!(
        fb.stderr().trim(),
        "wikiwatch: no wikiwatch.json; using the built-in default config"
    );
}

#[test]
fn parser_and_ecs_records_are_annotated_with_fluent_bit_time_as_fallback() {
    let mut fb = FluentBit::with_cwd(&scratch("parsed")).expect("instantiate");
    // nginx parser output with Time_Keep off: no time field left in the record.
    let nginx = br#"{"remote":"10.1.0.17","host":"-","user":"mallory","method":"GET","path":"/rest/api/content?spaceKey=ENG&start=50&limit=25","code":"200","size":"5120","referer":"-","agent":"python-requests/2.31.0"}"#;
    let out = call(&mut fb, nginx);
    assert_eq!(strip_annotation(&out).as_deref(), Some(&nginx[..]));
    let w = annotation(&out);
    assert_eq!(
        (w["user"].as_str(), w["ip"].as_str(), w["agent"].as_str()),
        (Some("mallory"), Some("10.1.0.17"), Some("script"))
    );
    let ecs = br#"{"@timestamp":"2026-10-07T13:40:00.000Z","source":{"ip":"10.0.0.9"},"user":{"name":"carol"},"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"original":"https://wiki.example.com/display/ENG/Home"},"user_agent":{"original":"curl/8.4.0"}}"#;
    let w = annotation(&call(&mut fb, ecs));
    assert_eq!((w["user"].as_str(), w["ip"].as_str()), (Some("carol"), Some("10.0.0.9")));
}

/// Throughput through the full host protocol, and the module's size. Run with `--release`.
#[test]
#[ignore = "benchmark: run with --release -- --ignored --nocapture"]
fn throughput_records_per_second() {
    let text = std::fs::read(corpus_file()).expect("corpus");
    let lines: Vec<Vec<u8>> = records::synthetic_lines(200_000);
    let records: Vec<Vec<u8>> = lines.iter().map(|l| tail_record(l)).collect();
    let bytes: usize = records.iter().map(Vec::len).sum();
    let mut fb = FluentBit::with_cwd(&scratch("bench")).expect("instantiate");
    let start = std::time::Instant::now();
    let mut alerts = 0usize;
    for r in &records {
        let out = call(&mut fb, r);
        alerts += usize::from(alerts_text(&out).is_some_and(|a| a != "[]"));
    }
    let secs = start.elapsed().as_secs_f64();
    let size =
        std::fs::metadata(wikiwatch_tests::artifact("wikiwatch_fluent_bit.wasm")).unwrap().len();
    println!(
        "fluent-bit module: {} records ({:.1} MB) in {secs:.2}s = {:.0} records/s; {alerts} records with alerts; \
         module {size} bytes; linear memory {} KiB; fixture {} bytes",
        records.len(),
        bytes as f64 / 1e6,
        records.len() as f64 / secs,
        fb.memory_size() / 1024,
        text.len()
    );
}

#[test]
fn mutated_records_never_trap_or_get_dropped() {
    let text = std::fs::read(corpus_file()).expect("corpus");
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mut fb = FluentBit::with_cwd(&scratch("mutate")).expect("instantiate");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let nasty = [b'"', b'\\', b'{', b'}', b'[', b']', b':', b',', 0xff, 0xc3, 0x00, b'\n', b' '];
    for i in 0..3000 {
        let r = next();
        // Alternate raw-line records and parser-style records, then damage them.
        let mut record = if i % 2 == 0 {
            tail_record(lines[r as usize % lines.len()])
        } else {
            format!(
                r#"{{"remote":"10.0.{}.{}","user":"u{}","method":"GET","path":"/rest/api/content/{}","code":"{}","size":"{}","agent":"curl/8"}}"#,
                r % 3, r % 250, r % 40, r % 100_000, 200 + r % 300, r % 5000
            )
            .into_bytes()
        };
        for _ in 0..(next() % 4) {
            let at = next() as usize % (record.len() + 1);
            match next() % 3 {
                0 => record.insert(at, nasty[next() as usize % nasty.len()]),
                1 if at < record.len() => record[at] = nasty[next() as usize % nasty.len()],
                _ => record.truncate(at),
            }
        }
        call(&mut fb, &record);
    }
}
