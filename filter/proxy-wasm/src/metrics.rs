//! The module's counters in the host's metric store (`proxy_define_metric`,
//! `proxy_increment_metric`), under the names `wikiwatch_core::metrics` gives every host.
//!
//! Counters are proxy-wide in the host (every VM that defines a name gets the same counter),
//! so each VM adds only what it saw: a worker its throttled requests and queue drops, the
//! leader the engine's counts since its last sync. A host that refuses a metric (no metric
//! support, store full) leaves that counter undefined here: increments to it are skipped and
//! detection goes on. The host calls are made directly: the SDK's wrappers panic on any
//! status but Ok.

use wikiwatch_core::metrics::{self, Counter};
use wikiwatch_core::Stats;

/// The metric API, as the module needs it (the host in the module, a map in tests).
pub trait MetricHost {
    /// Defines a counter; `None` when the host refuses.
    fn define(&mut self, name: &str) -> Option<u32>;
    /// Adds `by` to counter `id`; the outcome is ignored (fail open).
    fn increment(&mut self, id: u32, by: u64);
}

/// The counters of one VM.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Engine counters by flat name, with the value last added (`None`: refused by the host).
    engine: Vec<(String, Option<u32>, u64)>,
    throttled: Option<u32>,
    queue_drops: Option<u32>,
    throttle_evictions: Option<u32>,
}

impl Metrics {
    /// Defines every counter (zeros are exported too, so a series exists from the start).
    pub fn define(host: &mut dyn MetricHost) -> Metrics {
        let engine = metrics::engine_counters(&Stats::default())
            .iter()
            .map(Counter::flat_name)
            .map(|n| {
                let id = host.define(&n);
                (n, id, 0)
            })
            .collect();
        Metrics {
            engine,
            throttled: host.define(&metrics::flat_name(metrics::THROTTLED, None)),
            queue_drops: host.define(&metrics::flat_name(metrics::QUEUE_DROPS, None)),
            throttle_evictions: host
                .define(&metrics::flat_name(metrics::EVICTIONS, Some(("table", "throttle")))),
        }
    }

    /// Adds what the engine counted since the last sync (or since `restart`).
    pub fn sync(&mut self, host: &mut dyn MetricHost, stats: &Stats) {
        for (c, (name, id, last)) in metrics::engine_counters(stats).iter().zip(&mut self.engine) {
            debug_assert_eq!(&c.flat_name(), name);
            if c.value > *last {
                if let Some(id) = id {
                    host.increment(*id, c.value - *last);
                }
                *last = c.value;
            }
        }
    }

    /// Counts from `stats` on: an engine restored from a state file has counted events this
    /// proxy never saw.
    pub fn rebase(&mut self, stats: &Stats) {
        for (c, (_, _, last)) in metrics::engine_counters(stats).iter().zip(&mut self.engine) {
            *last = c.value;
        }
    }

    /// A new engine starts from zero: the next sync adds all of its counts.
    pub fn restart(&mut self) {
        for (_, _, last) in &mut self.engine {
            *last = 0;
        }
    }

    /// One request answered with 429.
    pub fn throttled(&self, host: &mut dyn MetricHost) {
        bump(host, self.throttled, 1);
    }

    /// One event the host refused to queue.
    pub fn queue_drop(&self, host: &mut dyn MetricHost) {
        bump(host, self.queue_drops, 1);
    }

    /// Throttle decisions written over another entity's live slot.
    pub fn throttle_evictions(&self, host: &mut dyn MetricHost, n: u64) {
        bump(host, self.throttle_evictions, n);
    }
}

fn bump(host: &mut dyn MetricHost, id: Option<u32>, by: u64) {
    if let (Some(id), true) = (id, by > 0) {
        host.increment(id, by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Refuses names containing `refuse`.
    #[derive(Default)]
    struct Map {
        names: Vec<String>,
        values: BTreeMap<String, u64>,
        refuse: &'static str,
    }

    impl MetricHost for Map {
        fn define(&mut self, name: &str) -> Option<u32> {
            if !self.refuse.is_empty() && name.contains(self.refuse) {
                return None;
            }
            self.names.push(name.to_string());
            Some(self.names.len() as u32 - 1)
        }
        fn increment(&mut self, id: u32, by: u64) {
            *self.values.entry(self.names[id as usize].clone()).or_default() += by;
        }
    }

    #[test]
    fn sync_adds_deltas_and_skips_refused_counters() {
        let mut host = Map { refuse: "burst-rate", ..Map::default() };
        let mut m = Metrics::define(&mut host);
        let mut s = Stats { events: 5, ..Stats::default() };
        s.alerts_by_rule.insert("burst-rate".into(), 1);
        s.alerts_by_rule.insert("bulk-export".into(), 2);
        m.sync(&mut host, &s);
        s.events = 9;
        m.sync(&mut host, &s);
        m.sync(&mut host, &s);
        m.throttled(&mut host);
        m.restart();
        m.sync(&mut host, &Stats { events: 1, ..Stats::default() });
        assert_eq!(host.values["wikiwatch_events_total"], 10);
        assert_eq!(host.values["wikiwatch_alerts_total.rule.bulk-export"], 2);
        assert_eq!(host.values["wikiwatch_throttled_requests_total"], 1);
        assert!(!host.values.keys().any(|k| k.contains("burst-rate")));
    }
}
