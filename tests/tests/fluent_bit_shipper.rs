//! The Fluent Bit module in the real, unmodified Fluent Bit (`$FLUENT_BIT`, e.g. the 5.1.1 that
//! scripts/fluent-bit.sh builds; its filter_wasm runs WAMR): `tail` -> `wasm` filter -> `file`.
//!
//! - every line comes back as one record, annotated, its fields as they were, and the alerts
//!   on each record are the ones the native engine raises for that line with the same config
//!   (what `wikiwatch replay` prints), in the same order;
//! - the hostile corpus (invalid UTF-8, NUL bytes, 10 MB lines, deep JSON) loses no record;
//! - a bad `wikiwatch.json` is one error line in Fluent Bit's log, and records still flow;
//! - an agent forwarding to an aggregator that runs the filter finds the same alerts;
//! - the WAMR AOT file (`$WIKIWATCH_AOT`, made by scripts/aot.sh) finds the same alerts;
//! - with `fluent_bit.annotate: alerts`, only the records with alerts are annotated.
//!
//! Without `$FLUENT_BIT` (or without the module) every test says why on stderr and passes.
//! Each Fluent Bit runs in a directory of its own with its own ports, so tests run in parallel.
//!
//! `FLUENT_BIT=$(scripts/fluent-bit.sh) cargo nextest run --workspace --release -E 'test(/^fluent_bit_shipper::/)'`

use crate::corpus;
use crate::fb_records as records;
#[path = "fluent_bit_shipper/shipper.rs"]
mod shipper;

use records::{annotation, strip_annotation, tail_record};
use serde_json::Value;
use shipper::{conf, Scratch, Shipper, DELIVERY};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wikiwatch_core::{Alert, Config, Engine, Format};

const TAG: &str = "confluence.access";

/// One hour of a Confluence access log with three scrapers.
fn fixture_hour() -> PathBuf {
    wikiwatch_tests::fixture("fluent-bit/conf_access_log.log")
}

/// The example set-up's config: it allows the CI account, so it changes what the hour raises.
fn example_config() -> String {
    let path = wikiwatch_tests::root().join("examples/fluent-bit/wikiwatch.json");
    std::fs::read_to_string(path).expect("example config")
}

/// The lines of a log, as `tail` splits them (the file ends with a newline).
fn lines_of(path: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.strip_suffix(b"\n").unwrap_or(&text);
    text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Writes `lines` as a log Fluent Bit tails: each line ends with a newline, the last one too
/// (`tail` holds back a line until its newline arrives).
fn write_log(path: &Path, lines: &[Vec<u8>]) {
    let mut text = lines.join(&b'\n');
    text.push(b'\n');
    std::fs::write(path, text).expect("write the log");
}

/// One `tail -> wasm -> file` Fluent Bit (or, with an aggregator, the last hop of a chain).
struct Pipeline {
    shippers: Vec<Shipper>,
    out: PathBuf,
}

impl Pipeline {
    /// Tails `lines` (written to a file of its own) through `module`, with `config` as the
    /// `wikiwatch.json` of its accessible path (none: the module's built-in default).
    fn single(
        bin: &Path,
        module: &Path,
        scratch: &Scratch,
        name: &str,
        lines: &[Vec<u8>],
        config: Option<&str>,
    ) -> Pipeline {
        let dir = scratch.dir(name);
        let input = dir.join("conf_access_log.log");
        write_log(&input, lines);
        let cfg = accessible(&dir, config);
        let text = [
            conf::service(),
            conf::tail(&input, TAG),
            conf::wasm(module, &cfg, "confluence.*"),
            conf::file(&dir, "out.jsonl"),
        ]
        .concat();
        Pipeline {
            shippers: vec![Shipper::start(bin, &dir, name, &text)],
            out: dir.join("out.jsonl"),
        }
    }

    /// An agent that only tails and forwards, and an aggregator (`forward` input on a port of
    /// its own) that runs the filter and writes the file.
    fn forwarded(
        bin: &Path,
        module: &Path,
        scratch: &Scratch,
        lines: &[Vec<u8>],
        config: Option<&str>,
    ) -> Pipeline {
        let port = shipper::free_port();
        let dir = scratch.dir("aggregator");
        let cfg = accessible(&dir, config);
        let text = [
            conf::service(),
            conf::forward_in(port),
            conf::wasm(module, &cfg, "confluence.*"),
            conf::file(&dir, "out.jsonl"),
        ]
        .concat();
        let mut aggregator = Shipper::start(bin, &dir, "aggregator", &text);
        // The agent starts once the aggregator listens: its first flush would otherwise wait
        // for a retry.
        shipper::wait_listening(&mut aggregator, port);
        let agent_dir = scratch.dir("agent");
        let input = agent_dir.join("conf_access_log.log");
        write_log(&input, lines);
        let text = [conf::service(), conf::tail(&input, TAG), conf::forward_out(port)].concat();
        let agent = Shipper::start(bin, &agent_dir, "agent", &text);
        Pipeline { shippers: vec![aggregator, agent], out: dir.join("out.jsonl") }
    }

    /// Waits for `n` records; returns them and the log of the Fluent Bit that ran the filter.
    fn wait(mut self, n: usize, timeout: Duration) -> (Vec<Vec<u8>>, String) {
        let mut refs: Vec<&mut Shipper> = self.shippers.iter_mut().collect();
        let records = shipper::wait_records(&mut refs, &self.out, n, timeout);
        (records, self.shippers[0].log())
    }
}

/// The filter's only accessible path, holding `config` as `wikiwatch.json` when given.
fn accessible(dir: &Path, config: Option<&str>) -> PathBuf {
    let cfg = dir.join("wikiwatch");
    std::fs::create_dir_all(&cfg).expect("accessible path");
    if let Some(text) = config {
        std::fs::write(cfg.join("wikiwatch.json"), text).expect("write wikiwatch.json");
    }
    cfg
}

/// A record of the output file as JSON (Fluent Bit may write bytes that are not UTF-8).
fn parse(record: &[u8]) -> Value {
    serde_json::from_str(&String::from_utf8_lossy(record))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:.300}", String::from_utf8_lossy(record)))
}

/// Checks the records Fluent Bit wrote for `lines` against the native engine fed the same
/// lines with `config`, record by record: the record is the `tail` record with `wikiwatch`
/// added when the engine read an event in the line (and, with `only_alerts`, raised an alert
/// on it), unchanged otherwise, and carries exactly the engine's alerts for that line.
/// Returns every alert, in order.
fn equal_to_native(
    lines: &[Vec<u8>],
    config: &Config,
    records: &[Vec<u8>],
    only_alerts: bool,
) -> Vec<Value> {
    assert_eq!(records.len(), lines.len(), "one record per line");
    let mut engine = Engine::new(config.clone()).expect("config");
    let mut all = Vec::new();
    for (n, (line, out)) in lines.iter().zip(records).enumerate() {
        let at = format!("line {}", n + 1);
        let mut raised: Vec<Alert> = Vec::new();
        let accepted = matches!(engine.push_line(line, Format::Auto, &mut raised), Ok(Some(_)));
        let expected: Vec<Value> = raised
            .iter()
            .map(|a| serde_json::from_str(&a.to_json()).expect("alert JSON"))
            .collect();
        // Fluent Bit's encoder writes the record as `tail_record` does: the original field,
        // escaped the same way, then the spliced annotation.
        if accepted && !(only_alerts && expected.is_empty()) {
            assert_eq!(
                strip_annotation(out).as_deref(),
                Some(&tail_record(line)[..]),
                "{at}: not the tail record plus an annotation: {:.400}",
                String::from_utf8_lossy(out)
            );
            let w = annotation(out);
            let got = w["alerts"].as_array().cloned().unwrap_or_default();
            assert_eq!(
                got, expected,
                "{at}: alerts differ from the native engine's (when the module is older than the \
                 core, scripts/build-wasm.sh rebuilds it)"
            );
            let top = raised.iter().map(|a| a.severity).max().map(|s| s.as_str());
            assert_eq!(w["alert_severity"].as_str(), top, "{at}");
            all.extend(got);
        } else {
            assert!(expected.is_empty(), "{at}: alerts for a line that is not an event");
            assert_eq!(
                *out,
                tail_record(line),
                "{at}: a line that is no event, or raised no alert when only alerts are \
                 annotated, comes back as it was"
            );
        }
    }
    // A stream has no end: an alert the CLI would only raise when its input ends could never
    // reach Fluent Bit's output, so there must be none.
    let mut at_end = Vec::new();
    engine.finish(&mut at_end);
    assert!(at_end.is_empty(), "alerts only raised at the end of input: {at_end:?}");
    all
}

/// `tail -> wasm -> file` over `log` with the example config, compared with the native engine.
fn single_process_parity(log: &Path) {
    let Some((bin, module)) = shipper::setup() else { return };
    let name = log.file_stem().unwrap().to_string_lossy().into_owned();
    let scratch = Scratch::new(&format!("parity-{name}"));
    let lines = lines_of(log);
    let config = example_config();
    let run = Pipeline::single(&bin, &module, &scratch, "single", &lines, Some(&config));
    let (records, log) = run.wait(lines.len(), DELIVERY);
    assert!(
        log.lines().any(|l| l.starts_with("wikiwatch: config ") && l.ends_with("loaded")),
        "the module says it loaded wikiwatch.json:\n{log}"
    );
    let alerts = equal_to_native(&lines, &Config::from_json(&config).unwrap(), &records, false);
    assert!(!alerts.is_empty(), "the log must raise alerts for the comparison to mean something");
    eprintln!(
        "{}: {} records, {} alerts, equal to the native engine's",
        name,
        lines.len(),
        alerts.len()
    );
}

#[test]
fn tail_wasm_file_alerts_equal_the_native_engine() {
    single_process_parity(&fixture_hour());
}

#[test]
fn tail_wasm_file_alerts_equal_the_native_engine_on_the_example_log() {
    single_process_parity(&wikiwatch_tests::root().join("examples/logs/confluence-access.log"));
}

/// Whether `got` is what Fluent Bit's `tail` hands on for `line` (plugins/in_tail/tail_file.c,
/// `process_content`): it drops the CR of a CRLF ending, and skips NUL bytes at the head of its
/// read buffer (a guard against copytruncate rotation). Whether a line starts that buffer
/// depends on where a read ended, so a line of NULs may come back shorter, or empty: still one
/// record.
fn same_line(got: &str, line: &str) -> bool {
    let line = line.strip_suffix('\r').unwrap_or(line);
    got == line || got == line.trim_start_matches('\0')
}

#[test]
fn every_hostile_line_comes_back_as_a_record() {
    let Some((bin, module)) = shipper::setup() else { return };
    let scratch = Scratch::new("hostile");
    let cases = corpus::cases();
    let lines: Vec<Vec<u8>> = cases.iter().map(|c| c.line.clone()).collect();
    let run = Pipeline::single(&bin, &module, &scratch, "single", &lines, None);
    // Four 10 MB lines through WAMR's interpreter: more time than the default.
    let (records, log) = run.wait(lines.len(), 3 * DELIVERY);
    // Lines that are not UTF-8 reach the module as Fluent Bit's JSON encoder rewrites them
    // (U+FFFD, private-use code points, or bytes left out), so the check of what the module
    // did is made on what it was given: the `log` field it passed through. The native engine
    // fed those strings must raise what the records carry.
    let mut engine = Engine::new(Config::default()).expect("default config");
    let (mut annotated, mut alerts) = (0, 0);
    for ((case, record), line) in cases.iter().zip(&records).zip(&lines) {
        let v = parse(record);
        let got = v["log"].as_str().unwrap_or_else(|| {
            panic!("{}: no `log` string: {:.300}", case.name, String::from_utf8_lossy(record))
        });
        if let Ok(line) = std::str::from_utf8(line) {
            assert!(
                same_line(got, line),
                "{}: a different line came back: {:.200}",
                case.name,
                got
            );
        }
        let mut raised: Vec<Alert> = Vec::new();
        let accepted =
            matches!(engine.push_line(got.as_bytes(), Format::Auto, &mut raised), Ok(Some(_)));
        let w = &v["wikiwatch"];
        assert_eq!(
            w.is_object(),
            accepted,
            "{}: annotated iff the engine reads an event",
            case.name
        );
        if accepted {
            annotated += 1;
            let expected: Vec<Value> =
                raised.iter().map(|a| serde_json::from_str(&a.to_json()).unwrap()).collect();
            assert_eq!(w["alerts"].as_array(), Some(&expected), "{}: alerts", case.name);
            alerts += expected.len();
        }
    }
    assert!(annotated > 10, "the good lines of the corpus are annotated ({annotated})");
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("[error]")).collect();
    assert!(errors.is_empty(), "Fluent Bit reported errors:\n{}", errors.join("\n"));
    eprintln!(
        "hostile corpus: {} records back, {annotated} annotated, {alerts} alerts",
        lines.len()
    );
}

#[test]
fn a_bad_config_is_one_error_line_and_records_still_flow() {
    let Some((bin, module)) = shipper::setup() else { return };
    let scratch = Scratch::new("bad-config");
    let lines = lines_of(&fixture_hour());
    // Valid JSON, an invalid threshold and a misspelt key: the module must name a problem.
    let bad = r#"{"rules":{"burst-rate":{"threshold":0}},"allwo":[]}"#;
    let run = Pipeline::single(&bin, &module, &scratch, "single", &lines, Some(bad));
    let (records, log) = run.wait(lines.len(), DELIVERY);
    let errors: Vec<&str> = log.lines().filter(|l| l.starts_with("wikiwatch: error: ")).collect();
    assert_eq!(errors.len(), 1, "one error line from the module:\n{log}");
    assert!(errors[0].contains("wikiwatch.json"), "{}", errors[0]);
    assert!(errors[0].contains("built-in default"), "{}", errors[0]);
    let module_lines = log.lines().filter(|l| l.starts_with("wikiwatch:")).count();
    assert_eq!(module_lines, 1, "nothing else from the module:\n{log}");
    // The records carry what the default config raises.
    let alerts = equal_to_native(&lines, &Config::default(), &records, false);
    assert!(!alerts.is_empty());
}

#[test]
fn an_agent_forwarding_to_an_aggregator_finds_the_same_alerts() {
    let Some((bin, module)) = shipper::setup() else { return };
    let scratch = Scratch::new("forward");
    let lines = lines_of(&fixture_hour());
    let config = example_config();
    let single = Pipeline::single(&bin, &module, &scratch, "single", &lines, Some(&config));
    let chain = Pipeline::forwarded(&bin, &module, &scratch, &lines, Some(&config));
    let (single_records, _) = single.wait(lines.len(), DELIVERY);
    let (chain_records, _) = chain.wait(lines.len(), DELIVERY);
    let config = Config::from_json(&config).unwrap();
    let single_alerts = equal_to_native(&lines, &config, &single_records, false);
    let chain_alerts = equal_to_native(&lines, &config, &chain_records, false);
    assert!(!single_alerts.is_empty());
    assert_eq!(chain_alerts, single_alerts, "agent -> aggregator differs from one process");
}

#[test]
fn the_aot_module_finds_the_same_alerts() {
    let Some((bin, module)) = shipper::setup() else { return };
    let Some(aot) = std::env::var_os("WIKIWATCH_AOT").filter(|v| !v.is_empty()) else {
        eprintln!("skipped: set WIKIWATCH_AOT=/path/to/wikiwatch_fluent_bit.aot (scripts/aot.sh makes one)");
        return;
    };
    let aot = PathBuf::from(aot);
    assert!(aot.is_file(), "WIKIWATCH_AOT={} is not a file", aot.display());
    let scratch = Scratch::new("aot");
    let lines = lines_of(&fixture_hour());
    let config = example_config();
    let bytecode = Pipeline::single(&bin, &module, &scratch, "bytecode", &lines, Some(&config));
    let compiled = Pipeline::single(&bin, &aot, &scratch, "aot", &lines, Some(&config));
    let (bytecode_records, _) = bytecode.wait(lines.len(), DELIVERY);
    let (aot_records, log) = compiled.wait(lines.len(), DELIVERY);
    assert!(log.lines().any(|l| l.starts_with("wikiwatch: config ")), "the AOT module ran:\n{log}");
    let config = Config::from_json(&config).unwrap();
    let aot_alerts = equal_to_native(&lines, &config, &aot_records, false);
    assert!(!aot_alerts.is_empty());
    // Not only the alerts: every annotation, byte for byte.
    assert!(
        aot_records == bytecode_records,
        "the AOT run's records differ from the bytecode run's"
    );
}

/// `fluent_bit.annotate: alerts` in the real Fluent Bit: the records that raised alerts carry
/// the same annotations as by default, every other record comes back as `tail` sent it, and
/// the section does not disturb the shared config around it.
#[test]
fn annotating_only_alerts_passes_the_other_records_as_they_came() {
    let Some((bin, module)) = shipper::setup() else { return };
    let scratch = Scratch::new("annotate-alerts");
    let lines = lines_of(&fixture_hour());
    let mut config: Value = serde_json::from_str(&example_config()).expect("example config");
    config["fluent_bit"] = serde_json::json!({ "annotate": "alerts" });
    let text = config.to_string();
    let run = Pipeline::single(&bin, &module, &scratch, "alerts", &lines, Some(&text));
    let (records, log) = run.wait(lines.len(), DELIVERY);
    assert!(
        log.lines().any(|l| l.starts_with("wikiwatch: config ") && l.ends_with("loaded")),
        "the module took the config with its section:\n{log}"
    );
    let alerts =
        equal_to_native(&lines, &Config::from_json(&example_config()).unwrap(), &records, true);
    let annotated = records.iter().filter(|r| strip_annotation(r).is_some()).count();
    assert!(!alerts.is_empty() && annotated < lines.len() / 10, "{annotated} annotated");
}

/// Every alert the records carry, in order.
fn alerts_of(records: &[Vec<u8>]) -> Vec<Value> {
    records
        .iter()
        .flat_map(|r| parse(r)["wikiwatch"]["alerts"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// carol's week and the evening after (tests/fixtures/warm-start/): only her history makes the
/// evening alertable.
fn carol_week() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let dir = wikiwatch_tests::root().join("tests/fixtures/warm-start");
    (lines_of(&dir.join("carol-week.log")), lines_of(&dir.join("carol-evening.log")))
}

/// A state another host wrote (the native engine, as `wikiwatch learn --engine native` and
/// `replay --state` write it) as `wikiwatch.state` in the accessible path starts the filter
/// warm: carol's evening raises exactly what one engine fed her whole week raises on it. A
/// state written under a config with other allow entries is refused with one error line, and
/// records still flow.
#[test]
fn a_state_file_in_the_accessible_path_starts_the_filter_warm() {
    let Some((bin, module)) = shipper::setup() else { return };
    let scratch = Scratch::new("warm-start");
    let (history, rest) = carol_week();
    let (history, rest) = (&history[..], &rest[..]);
    let config_text = example_config();
    let config = Config::from_json(&config_text).expect("example config");
    let to_json = |alerts: &[Alert]| -> Vec<Value> {
        alerts.iter().map(|a| serde_json::from_str(&a.to_json()).expect("alert JSON")).collect()
    };
    let mut engine = Engine::new(config.clone()).expect("config");
    for line in history {
        let _ = engine.push_line(line, Format::Auto, &mut Vec::new());
    }
    let state = engine.snapshot();
    let mut expected = Vec::new();
    for line in rest {
        let _ = engine.push_line(line, Format::Auto, &mut expected);
    }
    let expected = to_json(&expected);
    let mut cold = Engine::new(config).expect("config");
    let mut cold_alerts = Vec::new();
    for line in rest {
        let _ = cold.push_line(line, Format::Auto, &mut cold_alerts);
    }
    assert!(!expected.is_empty(), "the second half must raise alerts to mean something");
    assert_ne!(
        to_json(&cold_alerts),
        expected,
        "a cold start must differ for the test to mean something"
    );

    let accessible = scratch.dir("warm").join("wikiwatch");
    std::fs::create_dir_all(&accessible).expect("accessible path");
    std::fs::write(accessible.join("wikiwatch.state"), &state).expect("write the state");
    let run = Pipeline::single(&bin, &module, &scratch, "warm", rest, Some(&config_text));
    let (records, log) = run.wait(rest.len(), DELIVERY);
    assert!(log.contains("wikiwatch.state restored"), "the module says it restored:\n{log}");
    assert_eq!(alerts_of(&records), expected, "the warm filter raises what one engine raises");

    // The same state under the built-in default config (no allow entries): refused, cold.
    let accessible = scratch.dir("refused").join("wikiwatch");
    std::fs::create_dir_all(&accessible).expect("accessible path");
    std::fs::write(accessible.join("wikiwatch.state"), &state).expect("write the state");
    let few = rest;
    let run = Pipeline::single(&bin, &module, &scratch, "refused", few, None);
    let (records, log) = run.wait(few.len(), DELIVERY);
    assert_eq!(records.len(), few.len(), "records flow with a refused state");
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("wikiwatch.state")).collect();
    assert!(
        errors.len() == 1 && errors[0].contains("allow entries") && errors[0].contains("cold"),
        "one error line naming the state and why:\n{log}"
    );
    eprintln!(
        "warm start: {} history lines restored, {} alerts on the next {} lines equal one run's",
        history.len(),
        expected.len(),
        rest.len()
    );
}
