//! `--metrics FILE`: the OpenMetrics text replay and follow write, read back by the Prometheus
//! project's own parsers (`prometheus_client` from PyPI: the OpenMetrics parser, and the
//! Prometheus text format parser a textfile collector uses), against the counts the replay
//! summary prints.

use crate::common;

use common::{run, wikiwatch, workspace};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Parses the file with both parsers; prints `[parser, family, type, sample, labels, value]`
/// rows as JSON. A file either parser refuses ends it with an exception.
const PARSE: &str = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as om
from prometheus_client.parser import text_string_to_metric_families as prom
text = open(sys.argv[1]).read()
rows = []
for parser, parse in (("openmetrics", om), ("prometheus", prom)):
    for f in parse(text):
        for s in f.samples:
            rows.append([parser, f.name, f.type, s.name, s.labels, s.value])
print(json.dumps(rows))
"#;

/// Sample (`name{label="value"}`) -> value, per parser, with each family's type.
struct Parsed {
    openmetrics: BTreeMap<String, f64>,
    prometheus: BTreeMap<String, f64>,
    types: BTreeMap<String, String>,
}

/// Whether the parsers are installed; without them (a plain `cargo test` on a machine that
/// never ran `scripts/setup.sh`) the tests skip, saying so, as the real-host tests do.
fn parsers_installed() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "skipped: python3 with prometheus_client is needed \
             (scripts/setup.d/30-prometheus-client.sh installs it; scripts/test.sh runs that)"
        );
    }
    ok
}

fn parse(file: &Path) -> Parsed {
    let out = Command::new("python3")
        .args(["-c", PARSE])
        .arg(file)
        .output()
        .expect("python3 runs (scripts/setup.d installs prometheus_client)");
    assert!(
        out.status.success(),
        "the parsers refuse {}: {}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("parser output");
    let mut p = Parsed {
        openmetrics: BTreeMap::new(),
        prometheus: BTreeMap::new(),
        types: BTreeMap::new(),
    };
    for r in rows {
        let labels: Vec<String> = r[4]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap()))
            .collect();
        let key = match labels.is_empty() {
            true => r[3].as_str().unwrap().to_string(),
            false => format!("{}{{{}}}", r[3].as_str().unwrap(), labels.join(",")),
        };
        let value = r[5].as_f64().unwrap();
        match r[0].as_str().unwrap() {
            "openmetrics" => {
                p.types.insert(r[1].as_str().unwrap().to_string(), r[2].as_str().unwrap().into());
                p.openmetrics.insert(key, value)
            }
            _ => p.prometheus.insert(key, value),
        };
    }
    p
}

/// From a replay summary: events, alerts per rule, alerts per severity.
fn summary_counts(stderr: &str) -> (u64, BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut events = None;
    let mut rules = BTreeMap::new();
    let mut severities = BTreeMap::new();
    let mut in_alerts = false;
    for line in stderr.lines() {
        if let Some(n) = line.strip_prefix("  events ") {
            events = Some(n.trim().parse().expect("events"));
        }
        if line.starts_with("  alerts ") {
            in_alerts = true;
            continue;
        }
        if in_alerts {
            if let Some(by) = line.trim().strip_prefix("by severity: ") {
                for part in by.split(", ") {
                    let (s, n) = part.split_once(' ').unwrap();
                    severities.insert(s.to_string(), n.parse().unwrap());
                }
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[..] {
                [n, rule] if line.starts_with("    ") && rule.contains('-') => {
                    rules.insert(rule.to_string(), n.parse().unwrap());
                }
                _ if line.starts_with("    ") => {}
                _ => in_alerts = false,
            }
        }
    }
    (events.expect("an events line"), rules, severities)
}

#[test]
fn replay_metrics_parse_and_equal_the_summary() {
    if !parsers_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("wikiwatch.prom");
    let log = workspace().join("examples/logs/confluence-access.log");
    let out = wikiwatch()
        .args(["replay", "--alerts"])
        .arg(dir.path().join("alerts.jsonl"))
        .arg("--metrics")
        .arg(&prom)
        .arg(&log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let (events, rules, severities) = summary_counts(&stderr);
    assert!(!rules.is_empty(), "the example log must raise alerts for this test to mean anything");
    let p = parse(&prom);
    assert_eq!(p.openmetrics, p.prometheus, "both parsers read the same samples");
    assert_eq!(p.types["wikiwatch_alerts"], "counter");
    assert_eq!(p.openmetrics["wikiwatch_events_total"], events as f64);
    for rule in wikiwatch_core::RuleId::ALL {
        let want = rules.get(rule.as_str()).copied().unwrap_or(0);
        let got = p.openmetrics[&format!("wikiwatch_alerts_total{{rule=\"{}\"}}", rule.as_str())];
        assert_eq!(got, want as f64, "{rule:?}");
    }
    for s in wikiwatch_core::metrics::SEVERITIES {
        let want = severities.get(s.as_str()).copied().unwrap_or(0);
        let key = format!("wikiwatch_alerts_by_severity_total{{severity=\"{}\"}}", s.as_str());
        assert_eq!(p.openmetrics[&key], want as f64, "{s:?}");
    }
    let names: Vec<&String> = p.types.keys().collect();
    assert_eq!(
        names,
        [
            "wikiwatch_alerts",
            "wikiwatch_alerts_by_severity",
            "wikiwatch_events",
            "wikiwatch_evictions"
        ]
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(leftovers.len(), 2, "the alerts and the metrics file, no temporary file");
}

#[test]
fn follow_metrics_run_on_across_a_restart_and_end_as_replay_of_the_whole_log() {
    if !parsers_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(workspace().join("examples/logs/confluence-access.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    let log = dir.path().join("access.log");
    let state = dir.path().join("follow.state");
    let prom = dir.path().join("follow.prom");
    let follow = |what: &str| {
        let mut cmd = wikiwatch();
        cmd.args(["follow", "--once", "--state"])
            .arg(&state)
            .arg("--metrics")
            .arg(&prom)
            .arg("--alerts")
            .arg(dir.path().join("alerts.jsonl"))
            .arg(&log);
        run(&mut cmd, what);
        parse(&prom).openmetrics
    };
    std::fs::write(&log, lines[..half].join("\n") + "\n").unwrap();
    let first = follow("follow (first half)");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let second = follow("follow (after a restart)");
    assert!(first["wikiwatch_events_total"] > 0.0);
    assert!(second["wikiwatch_events_total"] > first["wikiwatch_events_total"]);
    let whole = dir.path().join("replay.prom");
    let mut cmd = wikiwatch();
    cmd.args(["replay", "--alerts"])
        .arg(dir.path().join("replay.jsonl"))
        .arg("--metrics")
        .arg(&whole)
        .arg(&log);
    run(&mut cmd, "replay");
    let replayed = parse(&whole).openmetrics;
    assert!(replayed.iter().any(|(k, v)| k.starts_with("wikiwatch_alerts_total") && *v > 0.0));
    assert_eq!(second, replayed, "follow's counters over two runs are replay's of the whole log");
}
