//! Counters: cheap arrays on the hot path, named maps when a host asks.

use crate::alert::{Alert, EntityKind};
use crate::classify::{AgentKind, RequestKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counters an engine keeps; serialised as JSON by hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Lines handed to `push_line`.
    pub lines: u64,
    /// Events processed (decoded lines plus pushed events), late ones included.
    pub events: u64,
    /// Lines rejected by decoders.
    pub rejected: u64,
    /// Rejections by reason.
    pub rejected_reasons: BTreeMap<String, u64>,
    /// Events older than the event clock by more than the late tolerance, skipped.
    pub late: u64,
    /// Events newer than the event clock by more than the ahead tolerance (processed).
    pub ahead: u64,
    /// Events dated outside years 0-9999, skipped (not counted in `events`).
    pub out_of_range: u64,
    /// Alerts raised (lines written).
    pub alerts: u64,
    /// Alerts folded into an incident's earlier line (same entity and day, no higher severity,
    /// a rule the incident had already shown).
    pub alerts_merged: u64,
    /// Alerts by rule name.
    pub alerts_by_rule: BTreeMap<String, u64>,
    /// Alerts by severity.
    pub alerts_by_severity: BTreeMap<String, u64>,
    /// Events matched by each allow entry (sanctioned automation is reported, never invisible).
    pub allowed_events: BTreeMap<String, u64>,
    /// Alerts an allow entry suppressed, by entry name.
    pub suppressed: BTreeMap<String, u64>,
    /// Events by request kind.
    pub requests: BTreeMap<String, u64>,
    /// Events by agent kind.
    pub agents: BTreeMap<String, u64>,
    /// Entities tracked now, by kind.
    pub tracked: BTreeMap<String, u64>,
    /// Entities evicted from full tables, by kind.
    pub evicted: BTreeMap<String, u64>,
}

impl Stats {
    /// What happened since `earlier` (counters of the same engine, e.g. right after a restore):
    /// every count minus its earlier value. `tracked` is a level, not a count, and stays.
    pub fn since(&self, earlier: &Stats) -> Stats {
        fn sub(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
            a.iter()
                .map(|(k, v)| (k.clone(), v.saturating_sub(b.get(k).copied().unwrap_or(0))))
                .filter(|(_, v)| *v > 0)
                .collect()
        }
        Stats {
            lines: self.lines.saturating_sub(earlier.lines),
            events: self.events.saturating_sub(earlier.events),
            rejected: self.rejected.saturating_sub(earlier.rejected),
            rejected_reasons: sub(&self.rejected_reasons, &earlier.rejected_reasons),
            late: self.late.saturating_sub(earlier.late),
            ahead: self.ahead.saturating_sub(earlier.ahead),
            out_of_range: self.out_of_range.saturating_sub(earlier.out_of_range),
            alerts: self.alerts.saturating_sub(earlier.alerts),
            alerts_merged: self.alerts_merged.saturating_sub(earlier.alerts_merged),
            alerts_by_rule: sub(&self.alerts_by_rule, &earlier.alerts_by_rule),
            alerts_by_severity: sub(&self.alerts_by_severity, &earlier.alerts_by_severity),
            allowed_events: sub(&self.allowed_events, &earlier.allowed_events),
            suppressed: sub(&self.suppressed, &earlier.suppressed),
            requests: sub(&self.requests, &earlier.requests),
            agents: sub(&self.agents, &earlier.agents),
            tracked: self.tracked.clone(),
            evicted: sub(&self.evicted, &earlier.evicted),
        }
    }
}

const AGENTS: [AgentKind; 6] = AgentKind::ALL;

/// The engine's live counters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Counters {
    pub lines: u64,
    pub events: u64,
    pub rejected: u64,
    pub rejected_reasons: BTreeMap<String, u64>,
    pub late: u64,
    pub ahead: u64,
    pub out_of_range: u64,
    pub alerts: u64,
    pub merged: u64,
    pub by_rule: BTreeMap<String, u64>,
    pub by_severity: BTreeMap<String, u64>,
    /// Per allow entry, in config order.
    pub allowed: Vec<u64>,
    pub suppressed: Vec<u64>,
    pub requests: [u64; RequestKind::ALL.len()],
    pub agents: [u64; AGENTS.len()],
}

impl Counters {
    pub fn new(allow_entries: usize) -> Counters {
        Counters {
            allowed: vec![0; allow_entries],
            suppressed: vec![0; allow_entries],
            ..Counters::default()
        }
    }

    pub fn classified(&mut self, request: RequestKind, agent: AgentKind) {
        self.requests[request as usize] += 1;
        self.agents[agent as usize] += 1;
    }

    pub fn alert(&mut self, a: &Alert) {
        self.alerts += 1;
        *self.by_rule.entry(a.rule.as_str().to_string()).or_default() += 1;
        *self.by_severity.entry(a.severity.as_str().to_string()).or_default() += 1;
    }

    pub fn rejected(&mut self, reason: &str) {
        self.rejected += 1;
        match self.rejected_reasons.get_mut(reason) {
            Some(n) => *n += 1,
            None => {
                self.rejected_reasons.insert(reason.to_string(), 1);
            }
        }
    }

    /// Named stats; `tables` gives (kind, tracked, evicted), `names` the allow entry names.
    pub fn report(&self, names: &[String], tables: [(EntityKind, u64, u64); 3]) -> Stats {
        let named = |v: &[u64]| -> BTreeMap<String, u64> {
            names.iter().zip(v).filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect()
        };
        Stats {
            lines: self.lines,
            events: self.events,
            rejected: self.rejected,
            rejected_reasons: self.rejected_reasons.clone(),
            late: self.late,
            ahead: self.ahead,
            out_of_range: self.out_of_range,
            alerts: self.alerts,
            alerts_merged: self.merged,
            alerts_by_rule: self.by_rule.clone(),
            alerts_by_severity: self.by_severity.clone(),
            allowed_events: named(&self.allowed),
            suppressed: named(&self.suppressed),
            requests: RequestKind::ALL
                .iter()
                .zip(self.requests)
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            agents: AGENTS
                .iter()
                .zip(self.agents)
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| (k.as_str().to_string(), n))
                .collect(),
            tracked: tables.iter().map(|(k, t, _)| (k.as_str().to_string(), *t)).collect(),
            evicted: tables.iter().map(|(k, _, e)| (k.as_str().to_string(), *e)).collect(),
        }
    }
}
