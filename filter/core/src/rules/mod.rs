//! The rules (DESIGN §4): stable names, defaults, validation of their config, and one file per
//! rule behind one `Rule` trait (`check.rs`).

mod baseline;
mod burst;
pub(crate) mod check;
mod denied;
mod enumeration;
mod export;
pub(crate) mod privilege;
mod programmatic;
pub mod search;
mod session;

use check::Rule;

use crate::alert::Severity;
use crate::config::{ConfigError, RuleConfig};
use crate::duration::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Stable rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    /// Requests per entity in a short window.
    BurstRate,
    /// Script, library or empty agents reading content.
    ProgrammaticAgent,
    /// Distinct pages, spaces and pagination steps per window.
    MassEnumeration,
    /// Page exports and attachment downloads.
    BulkExport,
    /// Whole-space exports.
    SpaceExport,
    /// Searches for credential-like terms.
    SensitiveSearch,
    /// Volume against the user's own (or role's) learned baseline.
    BaselineDeviation,
    /// One account from many addresses or sessions; one session moving between addresses.
    SessionAnomaly,
    /// Many 401/403/404 on content.
    AccessDeniedProbing,
    /// Administration granted (from audit logs).
    PrivilegeChange,
}

impl RuleId {
    /// Every rule, in a fixed order.
    pub const ALL: [RuleId; 10] = [
        RuleId::BurstRate,
        RuleId::ProgrammaticAgent,
        RuleId::MassEnumeration,
        RuleId::BulkExport,
        RuleId::SpaceExport,
        RuleId::SensitiveSearch,
        RuleId::BaselineDeviation,
        RuleId::SessionAnomaly,
        RuleId::AccessDeniedProbing,
        RuleId::PrivilegeChange,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::BurstRate => "burst-rate",
            RuleId::ProgrammaticAgent => "programmatic-agent",
            RuleId::MassEnumeration => "mass-enumeration",
            RuleId::BulkExport => "bulk-export",
            RuleId::SpaceExport => "space-export",
            RuleId::SensitiveSearch => "sensitive-search",
            RuleId::BaselineDeviation => "baseline-deviation",
            RuleId::SessionAnomaly => "session-anomaly",
            RuleId::AccessDeniedProbing => "access-denied-probing",
            RuleId::PrivilegeChange => "privilege-change",
        }
    }

    /// Position in [`RuleId::ALL`] (for per-rule arrays).
    pub fn index(self) -> usize {
        self as usize
    }

    /// ATT&CK techniques an alert of this rule names.
    pub fn techniques(self) -> &'static [&'static str] {
        match self {
            RuleId::BurstRate
            | RuleId::ProgrammaticAgent
            | RuleId::MassEnumeration
            | RuleId::BulkExport
            | RuleId::SpaceExport => &["T1213.001", "T1119"],
            RuleId::SensitiveSearch => &["T1213.001", "T1552"],
            RuleId::BaselineDeviation => &["T1213.001"],
            RuleId::SessionAnomaly => &["T1213.001", "T1078"],
            RuleId::AccessDeniedProbing => &["T1213.001", "T1083"],
            RuleId::PrivilegeChange => &["T1098", "T1078"],
        }
    }

    /// Config keys beyond the common ones that this rule reads.
    fn extra_keys(self) -> &'static [&'static str] {
        match self {
            RuleId::MassEnumeration => &["space_threshold", "pagination_threshold"],
            RuleId::SensitiveSearch => &["terms"],
            RuleId::SessionAnomaly => &["session_threshold"],
            RuleId::BaselineDeviation => &["factor", "warmup_days"],
            RuleId::PrivilegeChange => &["recent"],
            _ => &[],
        }
    }

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
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RuleId::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown rule `{s}`"))
    }
}

/// Something done with every windowed rule, each seen as its own type.
pub(crate) trait RuleVisitor {
    fn visit<R: Rule>(&mut self, rule: &R);
}

/// Visits the windowed rules in [`RuleId::ALL`] order (`privilege-change` is driven by audit
/// events). Statically dispatched: a table of `&dyn Rule` costs three indirect calls per rule
/// and entity on every event, which in a WebAssembly guest (a signature check and a deadline
/// check each) was a tenth of the run time whenever the optimiser chose not to devirtualise.
pub(crate) fn for_each_rule(v: &mut impl RuleVisitor) {
    v.visit(&burst::BurstRate);
    v.visit(&programmatic::ProgrammaticAgent);
    v.visit(&enumeration::MassEnumeration);
    v.visit(&export::BulkExport);
    v.visit(&export::SpaceExport);
    v.visit(&search::SensitiveSearch);
    v.visit(&baseline::BaselineDeviation);
    v.visit(&session::SessionAnomaly);
    v.visit(&denied::AccessDeniedProbing);
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
