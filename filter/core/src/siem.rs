//! The alert in the forms SIEMs ingest as they are: Elastic Common Schema and an OCSF Detection
//! Finding (docs/alerts.md, "ECS" and "OCSF"). One owner for both, in the core, so every host
//! writes them byte-identical.

use crate::alert::{format_time, Alert, EntityKind, TACTIC, TACTIC_NAME};
use crate::alert::{ANALYTIC, DETECTION_STRATEGY, SCHEMA_VERSION};
use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// ECS version the ECS form follows (its field definitions are vendored in the tests).
pub const ECS_VERSION: &str = "8.12.0";
/// OCSF schema version the OCSF form follows.
pub const OCSF_VERSION: &str = "1.6.0";

/// Which form alerts are written in (`output` in the config, `--output` in the CLI).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum AlertFormat {
    /// The native form of docs/alerts.md.
    #[default]
    Native,
    /// Elastic Common Schema.
    Ecs,
    /// OCSF Detection Finding (class 2004).
    Ocsf,
}

impl AlertFormat {
    /// Whether this is the native form (the config leaves the key out then).
    pub fn is_native(&self) -> bool {
        *self == AlertFormat::Native
    }
}

impl Alert {
    /// The alert as one JSON line in `format` (no trailing newline).
    pub fn render(&self, format: AlertFormat) -> String {
        match format {
            AlertFormat::Native => self.to_json(),
            AlertFormat::Ecs => self.to_ecs().to_string(),
            AlertFormat::Ocsf => self.to_ocsf().to_string(),
        }
    }

    /// The alert as a JSON value in `format`.
    pub fn render_value(&self, format: AlertFormat) -> Value {
        match format {
            AlertFormat::Native => self.to_value(),
            AlertFormat::Ecs => self.to_ecs(),
            AlertFormat::Ocsf => self.to_ocsf(),
        }
    }

    /// The ECS document: `event.kind: alert`, the rule, the ATT&CK technique and tactic, the
    /// entity as `user.name`, `source.ip` (or `source.address` when it is not an address) or
    /// `labels.session`.
    pub fn to_ecs(&self) -> Value {
        let (techniques, subtechniques) = split_techniques(self.techniques);
        let mut labels = Map::new();
        labels.insert("incident".into(), self.incident.clone().into());
        labels.insert("count".into(), self.count.to_string().into());
        labels.insert("threshold".into(), self.threshold.to_string().into());
        labels.insert("privileged".into(), self.privileged.to_string().into());
        labels.insert("analytic".into(), ANALYTIC.into());
        labels.insert("detection_strategy".into(), DETECTION_STRATEGY.into());
        let mut doc = json!({
            "@timestamp": format_time(self.time_ms),
            "ecs": {"version": ECS_VERSION},
            "message": self.summary,
            "event": {
                "kind": "alert",
                "category": ["intrusion_detection"],
                "type": ["info"],
                "id": self.id(),
                "severity": self.severity.id(),
                "start": format_time(self.window.start_ms),
                "end": format_time(self.window.end_ms),
                "module": "wikiwatch",
                "dataset": "wikiwatch.alert",
            },
            "rule": {
                "id": self.rule.as_str(),
                "name": self.rule.as_str(),
                "ruleset": "wikiwatch",
                "description": self.summary,
            },
            "threat": {
                "framework": "MITRE ATT&CK",
                "technique": {"id": techniques, "subtechnique": {"id": subtechniques}},
                "tactic": {"id": [TACTIC], "name": [TACTIC_NAME]},
            },
        });
        let related_ips: Vec<&str> =
            self.evidence.ips.iter().map(String::as_str).filter(|s| is_ip(s)).collect();
        let mut related = json!({ "ip": related_ips });
        match self.entity.kind {
            EntityKind::User => {
                doc["user"] = json!({ "name": self.entity.id });
                related["user"] = json!([self.entity.id]);
            }
            EntityKind::Ip => {
                doc["source"] = if is_ip(&self.entity.id) {
                    json!({ "address": self.entity.id, "ip": self.entity.id })
                } else {
                    json!({ "address": self.entity.id })
                };
            }
            EntityKind::Session => {
                labels.insert("session".into(), self.entity.id.clone().into());
            }
        }
        if let Some(ua) = self.evidence.user_agents.first() {
            doc["user_agent"] = json!({ "original": ua });
        }
        doc["related"] = related;
        doc["labels"] = Value::Object(labels);
        doc
    }

    /// The OCSF Detection Finding (class 2004, activity Create), with the ATT&CK technique,
    /// sub-technique and tactic in `finding_info.attacks` and the entity in `evidences` as
    /// `actor.user`, `src_endpoint` or `actor.session`.
    pub fn to_ocsf(&self) -> Value {
        let (techniques, subtechniques) = split_techniques(self.techniques);
        let attacks: Vec<Value> = techniques
            .iter()
            .map(|t| {
                let mut a = json!({
                    "technique": {"uid": t},
                    "tactic": {"uid": TACTIC, "name": TACTIC_NAME},
                });
                if let Some(sub) = subtechniques.iter().find(|s| s.starts_with(&format!("{t}."))) {
                    a["sub_technique"] = json!({ "uid": sub });
                }
                a
            })
            .collect();
        let mut doc = json!({
            "activity_id": 1,
            "activity_name": "Create",
            "category_uid": 2,
            "category_name": "Findings",
            "class_uid": 2004,
            "class_name": "Detection Finding",
            "type_uid": 200401,
            "type_name": "Detection Finding: Create",
            "severity_id": self.severity.id(),
            "severity": ocsf_severity(self.severity),
            "status_id": 1,
            "status": "New",
            "time": self.time_ms,
            "start_time": self.window.start_ms,
            "end_time": self.window.end_ms,
            "count": self.count,
            "message": self.summary,
            "is_alert": true,
            "metadata": {
                "version": OCSF_VERSION,
                "uid": self.id(),
                "correlation_uid": self.incident,
                "product": {
                    "name": "wikiwatch",
                    "vendor_name": "wikiwatch",
                    "version": env!("CARGO_PKG_VERSION"),
                },
                "labels": [format!("schema_version:{SCHEMA_VERSION}")],
            },
            "finding_info": {
                "uid": self.id(),
                "title": format!("{} on {} {}", self.rule.as_str(), self.entity.kind.as_str(), self.entity.id),
                "desc": self.summary,
                "types": [self.rule.as_str()],
                "first_seen_time": self.window.start_ms,
                "last_seen_time": self.window.end_ms,
                "analytic": {
                    "uid": ANALYTIC,
                    "name": self.rule.as_str(),
                    "type_id": 1,
                    "type": "Rule",
                },
                "attacks": attacks,
            },
        });
        // A Detection Finding names what it saw in `evidences`, not in top-level attributes.
        doc["evidences"] = match self.entity.kind {
            EntityKind::User => json!([{ "actor": { "user": { "name": self.entity.id } } }]),
            EntityKind::Ip if is_ip(&self.entity.id) => {
                json!([{ "src_endpoint": { "ip": self.entity.id } }])
            }
            EntityKind::Ip => json!([{ "src_endpoint": { "name": self.entity.id } }]),
            EntityKind::Session => {
                json!([{ "actor": { "session": { "uid": self.entity.id } } }])
            }
        };
        doc
    }
}

/// ECS keeps a technique (`T1213`) apart from its sub-technique (`T1213.001`); so does OCSF.
fn split_techniques(all: &[&'static str]) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut techniques = Vec::new();
    let mut subs = Vec::new();
    for t in all {
        let parent = t.split('.').next().unwrap_or(t);
        if !techniques.contains(&parent) {
            techniques.push(parent);
        }
        if t.contains('.') && !subs.contains(t) {
            subs.push(*t);
        }
    }
    (techniques, subs)
}

fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// OCSF's caption of `severity_id`.
fn ocsf_severity(s: Severity) -> &'static str {
    match s {
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}
