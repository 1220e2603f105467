//! Alerts and their JSON Lines form (docs/alerts.md; stable: keys in this order).

use crate::event::TimeMs;
use crate::rule_id::RuleId;
pub use crate::severity::Severity;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// Version of the alert form ([docs/alerts.md](../../docs/alerts.md)): 1 had keys 1 to 12;
/// 2 added `id`, `schema_version`, `severity_id` and the tactic and detection strategy in
/// `attack`.
pub const SCHEMA_VERSION: u32 = 2;

/// The analytic every alert implements (MITRE ATT&CK).
pub const ANALYTIC: &str = "AN1019";
/// The detection strategy the analytic belongs to.
pub const DETECTION_STRATEGY: &str = "DET0358";
/// The technique every rule detects (the first of each rule's techniques).
pub const TECHNIQUE: &str = "T1213.001";
/// The technique's tactic: Collection.
pub const TACTIC: &str = "TA0009";
/// The tactic's name.
pub const TACTIC_NAME: &str = "Collection";

/// Which table an entity lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// An account.
    User,
    /// A client address.
    Ip,
    /// A session (hashed cookie or token).
    Session,
}

impl EntityKind {
    /// Lowercase name as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Ip => "ip",
            EntityKind::Session => "session",
        }
    }
}

/// The entity an alert is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityRef {
    /// user, ip or session.
    pub kind: EntityKind,
    /// Login name, address, or session hash.
    pub id: String,
}

/// Event-time span an alert's count covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First event time counted.
    pub start_ms: TimeMs,
    /// Last event time counted.
    pub end_ms: TimeMs,
}

/// What the alert saw, compact and with secrets masked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Client addresses seen (first few, in order of first sight).
    pub ips: Vec<String>,
    /// User agents seen (first few).
    pub user_agents: Vec<String>,
    /// Top spaces by count, most first.
    pub spaces: Vec<(String, u64)>,
    /// Sample request targets (query values of secret-like parameters masked).
    pub sample: Vec<String>,
    /// Search queries (for `sensitive-search`).
    pub queries: Vec<String>,
    /// Where a privilege came from (for alerts on privileged users learned from audit logs).
    pub privilege_source: Option<String>,
    /// Other names of the account (identity config and audit records), sorted.
    pub aliases: Vec<String>,
}

/// One alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Event time at which it was raised.
    pub time_ms: TimeMs,
    /// Which rule.
    pub rule: RuleId,
    /// How bad.
    pub severity: Severity,
    /// About whom.
    pub entity: EntityRef,
    /// The incident it belongs to: one per entity and day (`i-` and 16 hex digits, the same in
    /// every host). A new line is written only when the incident's severity rises or a rule
    /// it had not seen fires.
    pub incident: String,
    /// The span counted.
    pub window: Window,
    /// What was counted.
    pub count: u64,
    /// The threshold it crossed.
    pub threshold: u64,
    /// Whether the entity is privileged.
    pub privileged: bool,
    /// One human sentence.
    pub summary: String,
    /// What was seen.
    pub evidence: Evidence,
    /// ATT&CK techniques (the analytic is always AN1019).
    pub techniques: &'static [&'static str],
}

/// Formats event time as RFC 3339 UTC with second precision (`2026-10-07T14:03:11Z`).
pub fn format_time(ms: TimeMs) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => ms.to_string(),
    }
}

struct Spaces<'a>(&'a [(String, u64)]);

impl Serialize for Spaces<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("ips", &self.ips)?;
        m.serialize_entry("user_agents", &self.user_agents)?;
        m.serialize_entry("spaces", &Spaces(&self.spaces))?;
        m.serialize_entry("sample", &self.sample)?;
        if !self.queries.is_empty() {
            m.serialize_entry("queries", &self.queries)?;
        }
        if let Some(p) = &self.privilege_source {
            m.serialize_entry("privilege_source", p)?;
        }
        if !self.aliases.is_empty() {
            m.serialize_entry("aliases", &self.aliases)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct WindowJson {
    start: String,
    end: String,
}

#[derive(Serialize)]
struct Attack {
    analytic: &'static str,
    techniques: &'static [&'static str],
    technique: &'static str,
    tactic: &'static str,
    detection_strategy: &'static str,
}

impl Serialize for Alert {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(15))?;
        m.serialize_entry("time", &format_time(self.time_ms))?;
        m.serialize_entry("rule", self.rule.as_str())?;
        m.serialize_entry("severity", &self.severity)?;
        m.serialize_entry("entity", &self.entity)?;
        m.serialize_entry("incident", &self.incident)?;
        m.serialize_entry(
            "window",
            &WindowJson {
                start: format_time(self.window.start_ms),
                end: format_time(self.window.end_ms),
            },
        )?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("threshold", &self.threshold)?;
        m.serialize_entry("privileged", &self.privileged)?;
        m.serialize_entry("summary", &self.summary)?;
        m.serialize_entry("evidence", &self.evidence)?;
        m.serialize_entry(
            "attack",
            &Attack {
                analytic: ANALYTIC,
                techniques: self.techniques,
                technique: TECHNIQUE,
                tactic: TACTIC,
                detection_strategy: DETECTION_STRATEGY,
            },
        )?;
        m.serialize_entry("id", &self.id())?;
        m.serialize_entry("schema_version", &SCHEMA_VERSION)?;
        m.serialize_entry("severity_id", &self.severity.id())?;
        m.end()
    }
}

impl Alert {
    /// The alert's stable id: `a-` and 16 hex digits of a fixed-seed hash of rule, entity kind,
    /// entity id and window start. Every host gives the same alert the same id, and a rule
    /// that fires again on the same window (a higher severity) keeps it, so a SIEM can
    /// deduplicate on it.
    pub fn id(&self) -> String {
        let name = format!(
            "{}:{}:{}:{}",
            self.rule.as_str(),
            self.entity.kind.as_str(),
            self.entity.id,
            self.window.start_ms
        );
        format!("a-{:016x}", xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), 0xa1e7_1d00))
    }

    /// The alert as one JSON line (no trailing newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The alert as a `serde_json::Value` (for hosts that embed it in a record).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Where alerts go. `Vec<Alert>` is a sink; hosts write their own.
pub trait AlertSink {
    /// Receives one alert, in the order raised.
    fn alert(&mut self, alert: Alert);
}

impl AlertSink for Vec<Alert> {
    fn alert(&mut self, alert: Alert) {
        self.push(alert);
    }
}

impl<F: FnMut(Alert)> AlertSink for F {
    fn alert(&mut self, alert: Alert) {
        self(alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_and_key_order() {
        let a = Alert {
            time_ms: 1_791_381_791_000,
            rule: RuleId::MassEnumeration,
            severity: Severity::High,
            entity: EntityRef { kind: EntityKind::User, id: "mallory".into() },
            incident: "i-0123456789abcdef".into(),
            window: Window { start_ms: 1_791_381_191_000, end_ms: 1_791_381_791_000 },
            count: 412,
            threshold: 200,
            privileged: false,
            summary: "mallory read 412 distinct pages".into(),
            evidence: Evidence {
                ips: vec!["10.1.0.17".into()],
                user_agents: vec!["python-requests/2.31.0".into()],
                spaces: vec![("ENG".into(), 300), ("HR".into(), 2)],
                sample: vec!["/rest/api/content/1".into()],
                ..Evidence::default()
            },
            techniques: &["T1213.001", "T1119"],
        };
        assert_eq!(
            a.to_json(),
            r#"{"time":"2026-10-07T14:03:11Z","rule":"mass-enumeration","severity":"high","entity":{"kind":"user","id":"mallory"},"incident":"i-0123456789abcdef","window":{"start":"2026-10-07T13:53:11Z","end":"2026-10-07T14:03:11Z"},"count":412,"threshold":200,"privileged":false,"summary":"mallory read 412 distinct pages","evidence":{"ips":["10.1.0.17"],"user_agents":["python-requests/2.31.0"],"spaces":{"ENG":300,"HR":2},"sample":["/rest/api/content/1"]},"attack":{"analytic":"AN1019","techniques":["T1213.001","T1119"],"technique":"T1213.001","tactic":"TA0009","detection_strategy":"DET0358"},"id":"a-b440756759030c92","schema_version":2,"severity_id":4}"#
        );
        let mut later = a.clone();
        later.window.start_ms += 1000;
        assert_ne!(later.id(), a.id(), "the window start is part of the id");
        let mut worse = a.clone();
        worse.severity = Severity::Critical;
        worse.time_ms += 5000;
        worse.count += 1;
        assert_eq!(worse.id(), a.id(), "a later line of the same window keeps the id");
    }
}
