//! The counters every host exports, named once: OpenMetrics families for the CLI's
//! `--metrics` file and, flattened, the metric names the proxy module defines through the
//! host's metric API. Names follow Prometheus conventions (`wikiwatch_` prefix, `_total`
//! suffix on counters, one label per family).

use crate::alert::Severity;
use crate::rule_id::RuleId;
use crate::stats::Stats;

/// Events the engine processed (late ones included), as `Stats::events`.
pub const EVENTS: &str = "wikiwatch_events";
/// Alerts raised, label `rule`.
pub const ALERTS: &str = "wikiwatch_alerts";
/// Alerts raised, label `severity`.
pub const ALERTS_BY_SEVERITY: &str = "wikiwatch_alerts_by_severity";
/// Entries evicted from a full table, label `table`: `user`, `ip`, `session` (the engine's
/// entity tables) and, in the proxy, `throttle` (the shared throttle slots).
pub const EVICTIONS: &str = "wikiwatch_evictions";
/// Requests the proxy answered with 429 itself.
pub const THROTTLED: &str = "wikiwatch_throttled_requests";
/// Events the proxy lost because the host refused to queue them.
pub const QUEUE_DROPS: &str = "wikiwatch_queue_drops";

/// The engine's entity tables, as `Stats::evicted` names them.
pub const ENTITY_TABLES: [&str; 3] = ["user", "ip", "session"];

/// Severities in scale order.
pub const SEVERITIES: [Severity; 4] =
    [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

/// One counter: its family, at most one label, and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// Family name (OpenMetrics: the sample is `<family>_total`).
    pub family: &'static str,
    /// Label name and value.
    pub label: Option<(&'static str, &'static str)>,
    /// Count.
    pub value: u64,
}

impl Counter {
    /// The flat name a proxy host keeps the counter under: `<family>_total`, then
    /// `.<label>.<value>` (hosts without labels in their metric API carry them in the name).
    pub fn flat_name(&self) -> String {
        flat_name(self.family, self.label)
    }
}

/// See [`Counter::flat_name`].
pub fn flat_name(family: &str, label: Option<(&str, &str)>) -> String {
    match label {
        Some((k, v)) => format!("{family}_total.{k}.{v}"),
        None => format!("{family}_total"),
    }
}

/// The engine's counters of `stats`, every rule, severity and table listed (zeros
/// included, so a series exists before its first increment), in a fixed order.
pub fn engine_counters(stats: &Stats) -> Vec<Counter> {
    let get = |m: &std::collections::BTreeMap<String, u64>, k: &str| m.get(k).copied().unwrap_or(0);
    let mut out = vec![Counter { family: EVENTS, label: None, value: stats.events }];
    out.extend(RuleId::ALL.iter().map(|r| Counter {
        family: ALERTS,
        label: Some(("rule", r.as_str())),
        value: get(&stats.alerts_by_rule, r.as_str()),
    }));
    out.extend(SEVERITIES.iter().map(|s| Counter {
        family: ALERTS_BY_SEVERITY,
        label: Some(("severity", s.as_str())),
        value: get(&stats.alerts_by_severity, s.as_str()),
    }));
    out.extend(ENTITY_TABLES.iter().map(|t| Counter {
        family: EVICTIONS,
        label: Some(("table", *t)),
        value: get(&stats.evicted, t),
    }));
    out
}

/// A counter family's `# HELP` text.
pub fn help(family: &str) -> &'static str {
    match family {
        EVENTS => "Events the detector processed, late ones included.",
        ALERTS => "Alerts raised, by rule.",
        ALERTS_BY_SEVERITY => "Alerts raised, by severity.",
        EVICTIONS => "Entries evicted from a full table, by table.",
        THROTTLED => "Requests the proxy answered with 429.",
        QUEUE_DROPS => "Events lost because the host refused to queue them.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_follow_stats_and_list_every_series() {
        let mut s = Stats { events: 7, ..Stats::default() };
        s.alerts_by_rule.insert("burst-rate".into(), 2);
        s.alerts_by_severity.insert("high".into(), 2);
        s.evicted.insert("ip".into(), 3);
        let c = engine_counters(&s);
        assert_eq!(c.len(), 1 + RuleId::ALL.len() + 4 + 3);
        let find = |name: &str| c.iter().find(|c| c.flat_name() == name).map(|c| c.value);
        assert_eq!(find("wikiwatch_events_total"), Some(7));
        assert_eq!(find("wikiwatch_alerts_total.rule.burst-rate"), Some(2));
        assert_eq!(find("wikiwatch_alerts_total.rule.bulk-export"), Some(0));
        assert_eq!(find("wikiwatch_alerts_by_severity_total.severity.high"), Some(2));
        assert_eq!(find("wikiwatch_evictions_total.table.ip"), Some(3));
        assert!(c.iter().all(|c| !help(c.family).is_empty()));
    }
}
