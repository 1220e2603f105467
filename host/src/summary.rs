//! The human summary of a replay, printed on stderr.

use crate::input::InputSpec;
use crate::order::OrderReport;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;
use wikiwatch_core::{Alert, Severity, Stats};

/// Rejected lines shown with their position.
const SAMPLES: usize = 5;
/// Entities listed under "top entities".
const TOP: usize = 5;

/// Counts of one input.
#[derive(Debug, Default, Clone)]
pub struct InputCount {
    /// Path or `<stdin>`.
    pub label: String,
    /// Non-blank lines read.
    pub lines: u64,
    /// Events decoded from it (merged replays only; a single stream's come from the engine).
    pub events: u64,
    /// Lines rejected.
    pub rejected: u64,
}

/// What the host saw while replaying.
#[derive(Debug, Default)]
pub struct Summary {
    /// Per input, in command-line order.
    pub inputs: Vec<InputCount>,
    /// `FILE:LINE: reason` of the first rejected lines.
    pub samples: Vec<String>,
    /// Rejections by reason, counted by the host (merged replays decode on the host).
    reasons: BTreeMap<String, u64>,
    /// Alerts per entity: (count, worst severity).
    entities: BTreeMap<(String, String), (u64, Severity)>,
    /// Alerts written.
    pub alerts: u64,
    /// Events were decoded by the host and merged by time.
    pub merged: bool,
    /// The component's linear memory: largest and allowed, in bytes.
    pub guest_memory: Option<(u64, u64)>,
    /// Per input, what reading it in time order took.
    pub orders: Vec<OrderReport>,
    /// Events the restored state had seen before this run (`--state`).
    pub restored: Option<u64>,
}

impl Summary {
    /// An empty summary for `specs`.
    pub fn new(specs: &[InputSpec], merged: bool) -> Summary {
        Summary {
            inputs: specs
                .iter()
                .map(|s| InputCount { label: s.label.clone(), ..InputCount::default() })
                .collect(),
            merged,
            ..Summary::default()
        }
    }

    /// A new input (a file found while following); its index.
    pub fn add_input(&mut self, label: &str) -> usize {
        self.inputs.push(InputCount { label: label.to_string(), ..InputCount::default() });
        self.inputs.len() - 1
    }

    /// Input `input` was renamed to `label`.
    pub fn rename_input(&mut self, input: usize, label: &str) {
        if let Some(c) = self.inputs.get_mut(input) {
            c.label = label.to_string();
        }
    }

    /// Counts `n` lines read from `input`.
    pub fn count_lines(&mut self, input: usize, n: u64) {
        if let Some(c) = self.inputs.get_mut(input) {
            c.lines += n;
        }
    }

    /// Records a rejected line.
    pub fn reject(&mut self, input: usize, line: u64, reason: &str) {
        if let Some(c) = self.inputs.get_mut(input) {
            c.rejected += 1;
            *self.reasons.entry(reason.to_string()).or_default() += 1;
            if self.samples.len() < SAMPLES {
                self.samples.push(format!("{}:{line}: {reason}", c.label));
            }
        }
    }

    /// Records an alert written.
    pub fn alert(&mut self, a: &Alert) {
        self.alerts += 1;
        let e = self
            .entities
            .entry((a.entity.kind.as_str().to_string(), a.entity.id.clone()))
            .or_insert((0, a.severity));
        e.0 += 1;
        e.1 = e.1.max(a.severity);
    }

    /// The summary text.
    pub fn render(&self, stats: &Stats, title: &str, elapsed: Duration) -> String {
        let mut s = String::new();
        let lines: u64 = self.inputs.iter().map(|i| i.lines).sum();
        let rejected: u64 = self.inputs.iter().map(|i| i.rejected).sum();
        let secs = elapsed.as_secs_f64().max(1e-9);
        let _ = writeln!(s, "wikiwatch {title}");
        let _ = writeln!(
            s,
            "  lines read      {lines}  ({:.0} lines/s, {:.2} s)",
            lines as f64 / secs,
            elapsed.as_secs_f64()
        );
        let _ = writeln!(s, "  events          {}", stats.events);
        if let Some(before) = self.restored {
            let _ = writeln!(
                s,
                "    (this run only; the restored state had seen {before} events before it)"
            );
        }
        if self.inputs.len() > 1 {
            for i in &self.inputs {
                let _ = writeln!(
                    s,
                    "    {:<40} {} lines, {} events, {} rejected",
                    i.label, i.lines, i.events, i.rejected
                );
            }
        }
        let _ = writeln!(s, "  rejected lines  {rejected}");
        // Merged inputs are decoded here, single ones by the engine.
        let reasons = if self.merged { &self.reasons } else { &stats.rejected_reasons };
        for (reason, n) in reasons {
            let _ = writeln!(s, "    {n:>8}  {reason}");
        }
        for sample in &self.samples {
            let _ = writeln!(s, "    e.g. {sample}");
        }
        for (input, order) in self.inputs.iter().zip(&self.orders) {
            if order.sorted {
                let _ = writeln!(
                    s,
                    "  reordered       {}: read sorted by event time ({} lines were behind \
                     an earlier one)",
                    input.label, order.backwards
                );
            } else if order.too_large {
                let _ = writeln!(
                    s,
                    "  WARNING         {}: {} lines are out of time order but the file is too \
                     large to sort in memory; sort it first (late events are skipped)",
                    input.label, order.backwards
                );
            }
        }
        if stats.late > 0 {
            let _ =
                writeln!(s, "  late events     {} (skipped: behind the event clock)", stats.late);
        }
        if stats.ahead > 0 {
            let _ = writeln!(
                s,
                "  ahead events    {} (processed: ahead of the event clock, a gap or a bad \
                 timestamp)",
                stats.ahead
            );
        }
        if stats.out_of_range > 0 {
            let _ = writeln!(
                s,
                "  out of range    {} (skipped: dated outside years 0-9999)",
                stats.out_of_range
            );
        }
        let _ = writeln!(s, "  alerts          {}", self.alerts);
        if stats.alerts_merged > 0 {
            let _ = writeln!(
                s,
                "    {:>8}  more findings folded into the incidents above (same entity and day)",
                stats.alerts_merged
            );
        }
        for (rule, n) in &stats.alerts_by_rule {
            let _ = writeln!(s, "    {n:>8}  {rule}");
        }
        if !stats.alerts_by_severity.is_empty() {
            let by: Vec<String> =
                stats.alerts_by_severity.iter().map(|(k, v)| format!("{k} {v}")).collect();
            let _ = writeln!(s, "    by severity: {}", by.join(", "));
        }
        if !self.entities.is_empty() {
            let mut top: Vec<_> = self.entities.iter().collect();
            // Most alerts first, then worst severity, then name: a stable order.
            top.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(b.1 .1.cmp(&a.1 .1)).then(a.0.cmp(b.0)));
            let _ = writeln!(s, "  top entities");
            for ((kind, id), (n, sev)) in top.into_iter().take(TOP) {
                let _ = writeln!(s, "    {n:>8}  {kind}:{id} (worst {sev})");
            }
        }
        let pairs = |m: &BTreeMap<String, u64>| {
            m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        };
        if !stats.allowed_events.is_empty() || !stats.suppressed.is_empty() {
            let _ =
                writeln!(s, "  allow-list      events allowed: {}", pairs(&stats.allowed_events));
            let _ =
                writeln!(s, "                  alerts suppressed: {}", pairs(&stats.suppressed));
        }
        if let Some((peak, limit)) = self.guest_memory {
            let mib = |b: u64| b as f64 / f64::from(1 << 20);
            let _ = writeln!(
                s,
                "  guest memory    {:.1} MiB at most, of {:.0} MiB allowed (--max-memory)",
                mib(peak),
                mib(limit)
            );
        }
        let evicted: u64 = stats.evicted.values().sum();
        let _ = writeln!(
            s,
            "  evictions       {evicted}{}",
            if evicted > 0 { format!(" ({})", pairs(&stats.evicted)) } else { String::new() }
        );
        s
    }

    /// Says how much of the input could not be used, when that is more than `max_percent` of
    /// it: rejected lines against lines read, late and out-of-range events against events.
    pub fn unusable(&self, stats: &Stats, max_percent: u8) -> Option<String> {
        let lines: u64 = self.inputs.iter().map(|i| i.lines).sum();
        let rejected: u64 = self.inputs.iter().map(|i| i.rejected).sum();
        let skipped = stats.late + stats.out_of_range;
        let seen = stats.events + stats.out_of_range;
        let share = |n: u64, of: u64| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
        let (rej, skip) = (share(rejected, lines), share(skipped, seen));
        if rej <= f64::from(max_percent) && skip <= f64::from(max_percent) {
            return None;
        }
        Some(format!(
            "{rej:.1}% of {lines} lines rejected, {skip:.1}% of {seen} events skipped \
             (late or out of range); more than {max_percent}% of the input could not be used"
        ))
    }
}
