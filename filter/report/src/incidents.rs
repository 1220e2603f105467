//! The incident view: alerts grouped by entity and incident (the id the core gives each
//! entity's UTC day), worst severity first, each expandable to its alerts; and the busiest
//! entities, with allow-listed ones left out unless asked for.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use wikiwatch_core::alert::format_time;
use wikiwatch_core::{Alert, Evidence, Severity};

/// Incidents kept.
pub const MAX_INCIDENTS: usize = 10_000;
/// Alerts kept per incident.
pub const MAX_ALERTS: usize = 50;
/// Entities counted for "busiest".
pub const MAX_ENTITIES: usize = 100_000;
/// Rows of "busiest".
pub const BUSIEST: usize = 20;

/// One incident as it is built.
#[derive(Debug, Clone)]
struct Building {
    kind: &'static str,
    id: String,
    incident: String,
    severity: Severity,
    first: i64,
    last: i64,
    rules: BTreeSet<&'static str>,
    alerts: u64,
    max_count: u64,
    privileged: bool,
    evidence: Evidence,
    summary: String,
    lines: Vec<serde_json::Value>,
}

/// One incident.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// `user`, `ip` or `session`.
    pub kind: &'static str,
    /// Entity id as alerts give it.
    pub id: String,
    /// The incident id (`i-` and 16 hex digits).
    pub incident: String,
    /// Worst severity of its alerts.
    pub severity: &'static str,
    /// Start of the earliest alert window.
    pub first: String,
    /// Time of the last alert.
    pub last: String,
    /// Rules that fired, by name.
    pub rules: Vec<&'static str>,
    /// Alert lines.
    pub alerts: u64,
    /// The largest count of any of its alerts.
    pub max_count: u64,
    /// Whether the entity is privileged.
    pub privileged: bool,
    /// Whether the entity is allow-listed.
    pub allowed: bool,
    /// Summary of the worst (latest of equal) alert.
    pub summary: String,
    /// Evidence of the last alert (the engine's evidence is cumulative).
    pub evidence: serde_json::Value,
    /// The alert lines themselves, as written (at most 50).
    pub lines: Vec<serde_json::Value>,
    #[serde(skip)]
    first_ms: i64,
    #[serde(skip)]
    rank: Severity,
}

/// One row of "busiest".
#[derive(Debug, Clone, Serialize)]
pub struct Busy {
    /// `user:NAME` or `ip:ADDR`.
    pub entity: String,
    /// Requests.
    pub requests: u64,
    /// Whether the entity is allow-listed.
    pub allowed: bool,
}

/// Incidents and request counts as events and alerts arrive.
#[derive(Debug, Default)]
pub struct Incidents {
    open: BTreeMap<(String, String), Building>,
    requests: BTreeMap<String, u64>,
    allowed: BTreeSet<String>,
}

impl Incidents {
    /// Counts one request of an entity (`user:NAME` or `ip:ADDR`); `allowed` when an allow
    /// entry matched it.
    pub fn request(&mut self, entity: String, allowed: bool) {
        if allowed && self.allowed.len() < MAX_ENTITIES {
            self.allowed.insert(entity.clone());
        }
        if let Some(n) = self.requests.get_mut(&entity) {
            *n += 1;
        } else if self.requests.len() < MAX_ENTITIES {
            self.requests.insert(entity, 1);
        }
    }

    /// Files one alert under its incident.
    pub fn alert(&mut self, a: &Alert) {
        let key = (format!("{}:{}", a.entity.kind.as_str(), a.entity.id), a.incident.clone());
        if !self.open.contains_key(&key) && self.open.len() >= MAX_INCIDENTS {
            return;
        }
        let b = self.open.entry(key).or_insert_with(|| Building {
            kind: a.entity.kind.as_str(),
            id: a.entity.id.clone(),
            incident: a.incident.clone(),
            severity: a.severity,
            first: a.window.start_ms,
            last: a.time_ms,
            rules: BTreeSet::new(),
            alerts: 0,
            max_count: 0,
            privileged: false,
            evidence: Evidence::default(),
            summary: String::new(),
            lines: Vec::new(),
        });
        if a.severity >= b.severity || b.summary.is_empty() {
            b.summary = a.summary.clone();
        }
        b.severity = b.severity.max(a.severity);
        b.first = b.first.min(a.window.start_ms);
        b.last = b.last.max(a.time_ms);
        b.rules.insert(a.rule.as_str());
        b.alerts += 1;
        b.max_count = b.max_count.max(a.count);
        b.privileged |= a.privileged;
        b.evidence = a.evidence.clone();
        if b.lines.len() < MAX_ALERTS {
            b.lines.push(a.to_value());
        }
    }

    /// Whether the entity (`user:NAME`, `ip:ADDR`) matched an allow entry.
    pub fn is_allowed(&self, entity: &str) -> bool {
        self.allowed.contains(entity)
    }

    /// Incidents, worst first, then earliest; allow-listed entities' only when asked for.
    pub fn incidents(&self, include_allowed: bool) -> Vec<Incident> {
        let mut v: Vec<Incident> = self
            .open
            .iter()
            .map(|((entity, _), b)| Incident {
                kind: b.kind,
                id: b.id.clone(),
                incident: b.incident.clone(),
                severity: b.severity.as_str(),
                first: format_time(b.first),
                last: format_time(b.last),
                rules: b.rules.iter().copied().collect(),
                alerts: b.alerts,
                max_count: b.max_count,
                privileged: b.privileged,
                allowed: self.is_allowed(entity),
                summary: b.summary.clone(),
                evidence: serde_json::to_value(&b.evidence).unwrap_or_default(),
                lines: b.lines.clone(),
                first_ms: b.first,
                rank: b.severity,
            })
            .filter(|i| include_allowed || !i.allowed)
            .collect();
        v.sort_by(|a, b| {
            b.rank.cmp(&a.rank).then(a.first_ms.cmp(&b.first_ms)).then(a.id.cmp(&b.id))
        });
        v
    }

    /// The entities with most requests, allow-listed ones only when asked for.
    pub fn busiest(&self, include_allowed: bool) -> Vec<Busy> {
        let mut v: Vec<Busy> = self
            .requests
            .iter()
            .map(|(e, n)| Busy { entity: e.clone(), requests: *n, allowed: self.is_allowed(e) })
            .filter(|b| include_allowed || !b.allowed)
            .collect();
        v.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.entity.cmp(&b.entity)));
        v.truncate(BUSIEST);
        v
    }
}
