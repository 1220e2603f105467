//! What each rule can be told: its config keys, its built-in defaults, their validation, and
//! the effective settings the detector runs with. A leaf of the core: config, alerts and state
//! use it without knowing the rules' implementations.

use crate::config_error::ConfigError;
use crate::duration::Duration;
use crate::rule_id::RuleId;
use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Settings of one rule. Keys that a rule does not use are rejected by validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct RuleConfig {
    /// Off switch.
    pub enabled: Option<bool>,
    /// Window the threshold is counted over.
    pub window: Option<Duration>,
    /// Count at which the rule fires (for `session-anomaly`: distinct client addresses).
    pub threshold: Option<u64>,
    /// Threshold for privileged users.
    pub privileged_threshold: Option<u64>,
    /// Quiet time per (rule, entity) after an alert, unless the evidence escalates.
    pub cooldown: Option<Duration>,
    /// Base severity.
    pub severity: Option<Severity>,
    /// Per-role threshold overrides.
    pub roles: BTreeMap<String, RoleOverride>,
    /// `mass-enumeration`: distinct spaces that also fire the rule.
    pub space_threshold: Option<u64>,
    /// `mass-enumeration`: pagination steps that also fire the rule.
    pub pagination_threshold: Option<u64>,
    /// `sensitive-search`: extra credential-like terms.
    pub terms: Option<Vec<String>>,
    /// `session-anomaly`: distinct sessions for one account in the window.
    pub session_threshold: Option<u64>,
    /// `baseline-deviation`: how many times the baseline is anomalous.
    pub factor: Option<f64>,
    /// `baseline-deviation`: days of history before a user's own baseline is trusted.
    pub warmup_days: Option<u64>,
    /// `privilege-change`: an account created this recently makes a grant critical.
    pub recent: Option<Duration>,
}

/// A per-role override.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct RoleOverride {
    /// Threshold for members of the role.
    pub threshold: Option<u64>,
}

impl RuleId {
    /// Built-in defaults.
    pub fn defaults(self) -> Params {
        let p = |window: Duration, threshold: u64, priv_t: u64, severity: Severity| Params {
            enabled: true,
            window,
            threshold,
            privileged_threshold: priv_t,
            cooldown: Duration::from_mins(30),
            severity,
            space_threshold: 0,
            pagination_threshold: 0,
            terms: Vec::new(),
            session_threshold: 0,
            factor: 0.0,
            warmup_days: 0,
            recent: Duration::from_mins(60),
        };
        let m = Duration::from_mins;
        match self {
            RuleId::BurstRate => p(m(1), 240, 120, Severity::Medium),
            RuleId::ProgrammaticAgent => p(m(10), 20, 10, Severity::Low),
            RuleId::MassEnumeration => Params {
                space_threshold: 8,
                pagination_threshold: 30,
                ..p(m(60), 150, 80, Severity::Medium)
            },
            RuleId::BulkExport => p(m(30), 15, 8, Severity::Medium),
            RuleId::SpaceExport => p(m(60), 1, 1, Severity::High),
            RuleId::SensitiveSearch => p(m(60), 1, 1, Severity::Medium),
            RuleId::BaselineDeviation => {
                Params { factor: 5.0, warmup_days: 5, ..p(m(24 * 60), 60, 40, Severity::Medium) }
            }
            RuleId::SessionAnomaly => {
                Params { session_threshold: 20, ..p(m(60), 6, 4, Severity::Medium) }
            }
            RuleId::AccessDeniedProbing => p(m(10), 25, 15, Severity::Medium),
            RuleId::PrivilegeChange => p(m(60), 1, 1, Severity::Medium),
            RuleId::SharedAddress => p(m(120), 8, 8, Severity::Medium),
        }
    }
}

/// A rule's effective settings: defaults overlaid with config.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Counting window.
    pub window: Duration,
    /// Firing threshold.
    pub threshold: u64,
    /// Firing threshold for privileged users.
    pub privileged_threshold: u64,
    /// Quiet time per (rule, entity) after an alert, unless evidence escalates.
    pub cooldown: Duration,
    /// Base severity.
    pub severity: Severity,
    /// `mass-enumeration`: distinct spaces.
    pub space_threshold: u64,
    /// `mass-enumeration`: pagination steps.
    pub pagination_threshold: u64,
    /// `sensitive-search`: extra terms.
    pub terms: Vec<String>,
    /// `session-anomaly`: distinct sessions.
    pub session_threshold: u64,
    /// `baseline-deviation`: multiple of the baseline.
    pub factor: f64,
    /// `baseline-deviation`: days before the user's own baseline counts.
    pub warmup_days: u64,
    /// `privilege-change`: how recent an account creation makes a grant critical.
    pub recent: Duration,
}

impl Params {
    /// Overlays the values `c` gives.
    pub fn overlay(mut self, c: &RuleConfig) -> Params {
        if let Some(v) = c.enabled {
            self.enabled = v;
        }
        if let Some(v) = c.window {
            self.window = v;
        }
        if let Some(v) = c.threshold {
            self.threshold = v;
        }
        if let Some(v) = c.privileged_threshold {
            self.privileged_threshold = v;
        }
        if let Some(v) = c.cooldown {
            self.cooldown = v;
        }
        if let Some(v) = c.severity {
            self.severity = v;
        }
        if let Some(v) = c.space_threshold {
            self.space_threshold = v;
        }
        if let Some(v) = c.pagination_threshold {
            self.pagination_threshold = v;
        }
        if let Some(v) = &c.terms {
            self.terms = v.clone();
        }
        if let Some(v) = c.session_threshold {
            self.session_threshold = v;
        }
        if let Some(v) = c.factor {
            self.factor = v;
        }
        if let Some(v) = c.warmup_days {
            self.warmup_days = v;
        }
        if let Some(v) = c.recent {
            self.recent = v;
        }
        self
    }
}

/// Rejects zero windows and thresholds, and keys the rule does not read.
pub(crate) fn validate(id: RuleId, c: &RuleConfig) -> Result<(), ConfigError> {
    let key = |k: &str| format!("rules.{}.{k}", id.as_str());
    let given: [(&str, bool); 7] = [
        ("space_threshold", c.space_threshold.is_some()),
        ("pagination_threshold", c.pagination_threshold.is_some()),
        ("terms", c.terms.is_some()),
        ("session_threshold", c.session_threshold.is_some()),
        ("factor", c.factor.is_some()),
        ("warmup_days", c.warmup_days.is_some()),
        ("recent", c.recent.is_some()),
    ];
    for (k, present) in given {
        if present && !id.extra_keys().contains(&k) {
            return Err(ConfigError::new(key(k), format!("not a setting of rule `{id}`")));
        }
    }
    if c.window.is_some_and(|w| w.as_ms() == 0) {
        return Err(ConfigError::new(key("window"), "must be longer than zero"));
    }
    let nonzero = [
        ("threshold", c.threshold),
        ("privileged_threshold", c.privileged_threshold),
        ("space_threshold", c.space_threshold),
        ("pagination_threshold", c.pagination_threshold),
        ("session_threshold", c.session_threshold),
    ];
    for (k, v) in nonzero {
        if v == Some(0) {
            return Err(ConfigError::new(key(k), "must be at least 1"));
        }
    }
    for (role, o) in &c.roles {
        if o.threshold == Some(0) {
            return Err(ConfigError::new(
                key(&format!("roles.{role}.threshold")),
                "must be at least 1",
            ));
        }
    }
    if c.factor.is_some_and(|f| !(f.is_finite() && f > 1.0)) {
        return Err(ConfigError::new(key("factor"), "must be a number above 1"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn names_round_trip() {
        for r in RuleId::ALL {
            assert_eq!(r.as_str().parse::<RuleId>().unwrap(), r);
            assert_eq!(RuleId::ALL[r.index()], r);
        }
    }

    #[test]
    fn foreign_key_and_zero_window_rejected() {
        let e = Config::from_json(r#"{"rules":{"burst-rate":{"terms":["x"]}}}"#).unwrap_err();
        assert_eq!(e.key, "rules.burst-rate.terms");
        let e = Config::from_json(r#"{"rules":{"burst-rate":{"window":"0s"}}}"#).unwrap_err();
        assert_eq!(e.key, "rules.burst-rate.window");
        let e = Config::from_json(r#"{"rules":{"no-such-rule":{}}}"#).unwrap_err();
        assert!(e.to_string().contains("no-such-rule"), "{e}");
    }
}
