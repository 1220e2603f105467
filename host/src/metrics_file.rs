//! `--metrics FILE`: the detector's counters as OpenMetrics text, under the names the proxy
//! module exports (`wikiwatch_core::metrics` owns them), for a Prometheus textfile collector.
//!
//! The file is replaced whole (a temporary file in the same directory, then a rename), so a
//! collector reading it at any moment sees the previous complete file or the new one.

use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use wikiwatch_core::metrics::{self, Counter};
use wikiwatch_core::Stats;

/// The counters of `stats` as an OpenMetrics text exposition: per family a `# TYPE` and a
/// `# HELP` line, then its `<family>_total` samples, and `# EOF` at the end.
pub fn render(stats: &Stats) -> String {
    let counters = metrics::engine_counters(stats);
    let mut out = String::new();
    let mut family = "";
    for Counter { family: f, label, value } in &counters {
        if *f != family {
            family = *f;
            let _ = writeln!(out, "# TYPE {f} counter");
            let _ = writeln!(out, "# HELP {f} {}", escape(metrics::help(f), false));
        }
        match label {
            Some((k, v)) => {
                let _ = writeln!(out, "{f}_total{{{k}=\"{}\"}} {value}", escape(v, true));
            }
            None => {
                let _ = writeln!(out, "{f}_total {value}");
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

/// OpenMetrics escaping: backslash and newline everywhere, the double quote in label values.
fn escape(s: &str, quote: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// Replaces `path` with the exposition of `stats`.
pub fn write(path: &Path, stats: &Stats) -> Result<()> {
    crate::replace_file::replace(path, render(stats).as_bytes())
        .with_context(|| format!("--metrics {}: cannot write", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_typed_described_and_closed() {
        let mut s = Stats { events: 12, ..Stats::default() };
        s.alerts_by_rule.insert("burst-rate".into(), 2);
        let text = render(&s);
        assert!(text.starts_with("# TYPE wikiwatch_events counter\n# HELP wikiwatch_events "));
        assert!(text.contains("\nwikiwatch_events_total 12\n"));
        assert!(text.contains("\nwikiwatch_alerts_total{rule=\"burst-rate\"} 2\n"));
        assert!(text.contains("\nwikiwatch_alerts_by_severity_total{severity=\"low\"} 0\n"));
        assert!(text.ends_with("\n# EOF\n"));
        assert_eq!(text.matches("# TYPE wikiwatch_alerts counter").count(), 1);
        assert_eq!(escape("a\\b\"c\nd", true), "a\\\\b\\\"c\\nd");
    }

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wikiwatch.prom");
        std::fs::write(&path, "old").unwrap();
        write(&path, &Stats { events: 3, ..Stats::default() }).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("wikiwatch_events_total 3\n"));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }
}
