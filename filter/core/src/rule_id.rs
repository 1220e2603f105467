//! The rules' stable names: what alerts, config keys and stats call each rule.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Stable rule names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// One client address serving many accounts, for most of which it is new.
    SharedAddress,
}

impl RuleId {
    /// Every rule, in a fixed order.
    pub const ALL: [RuleId; 11] = [
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
        RuleId::SharedAddress,
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
            RuleId::SharedAddress => "shared-address",
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
            RuleId::SharedAddress => &["T1213.001", "T1078"],
        }
    }

    /// Config keys beyond the common ones that this rule reads.
    pub(crate) fn extra_keys(self) -> &'static [&'static str] {
        match self {
            RuleId::MassEnumeration => &["space_threshold", "pagination_threshold"],
            RuleId::SensitiveSearch => &["terms"],
            RuleId::SessionAnomaly => &["session_threshold"],
            RuleId::BaselineDeviation => &["factor", "warmup_days"],
            RuleId::PrivilegeChange => &["recent"],
            _ => &[],
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
