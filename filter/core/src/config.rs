//! Config JSON (docs/config.md): identity, allow entries, rule thresholds, table limits.
//!
//! Unknown keys are errors that name the key; every value is validated before an engine exists.

use crate::classify::ClassifyConfig;
pub use crate::config_error::ConfigError;
use crate::decode::DecodeConfig;
use crate::duration::Duration;
use crate::params::Params;
pub use crate::params::{RoleOverride, RuleConfig};
use crate::rule_id::RuleId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The whole configuration. `Config::default()` is the built-in default config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Who is who: roles, teams, privileged accounts.
    pub identity: Identity,
    /// Sanctioned automation: what it may do without raising the rules it names.
    pub allow: Vec<AllowEntry>,
    /// Per-rule settings, keyed by stable rule name; a rule not named keeps its defaults.
    pub rules: BTreeMap<RuleId, RuleConfig>,
    /// Caps of the per-entity tables.
    pub limits: Limits,
    /// Extensions of the request and agent tables.
    pub classify: ClassifyConfig,
    /// Field map of the `json` input format.
    pub decode: DecodeConfig,
}

/// Identity context (`"identity"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    /// Known users by login name.
    pub users: BTreeMap<String, UserInfo>,
    /// Roles whose members are privileged.
    pub privileged_roles: Vec<String>,
    /// Groups that make a member privileged when an audit record adds them.
    pub privileged_groups: Vec<String>,
    /// Global permissions that make a grantee privileged when an audit record grants them.
    pub privileged_permissions: Vec<String>,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            users: BTreeMap::new(),
            privileged_roles: vec!["admin".into()],
            privileged_groups: vec![
                "confluence-administrators".into(),
                "site-admins".into(),
                "system-administrators".into(),
            ],
            privileged_permissions: vec![
                "SYSTEMADMINISTRATOR".into(),
                "ADMINISTRATECONFLUENCE".into(),
            ],
        }
    }
}

/// One known user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UserInfo {
    /// Role name; selects per-role thresholds and the role baseline.
    pub role: Option<String>,
    /// Team name (reported, not used by rules).
    pub team: Option<String>,
    /// Privileged account: own thresholds, raised severity.
    pub privileged: bool,
    /// Other names of the account (display name, user key, Cloud account id, e-mail): events
    /// and audit records under any of them count for this user.
    pub aliases: Vec<String>,
}

/// Sanctioned automation (`"allow"` entries). Every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AllowEntry {
    /// Name reported in stats.
    pub name: String,
    /// Users, matched exactly.
    pub users: Vec<String>,
    /// Client addresses or CIDR blocks.
    pub ips: Vec<String>,
    /// User-Agent substrings.
    pub user_agents: Vec<String>,
    /// Path prefixes.
    pub paths: Vec<String>,
    /// Rules suppressed for matching events; `*` means all.
    pub rules: Vec<String>,
    /// Why this is allowed (for the humans reading the config).
    pub reason: String,
}

/// Table caps (`"limits"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most users tracked at once.
    pub max_users: usize,
    /// Most client addresses tracked at once.
    pub max_ips: usize,
    /// Most sessions tracked at once.
    pub max_sessions: usize,
    /// How far behind the event clock (the median of the last few event times) an event may
    /// be and still count; older events are skipped and counted as late.
    pub late_tolerance: Duration,
    /// How far ahead of the event clock an event may be before it is counted as ahead (it is
    /// still processed: after a quiet gap the first events are ahead).
    pub ahead_tolerance: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_users: 100_000,
            max_ips: 200_000,
            max_sessions: 200_000,
            late_tolerance: Duration::from_mins(15),
            ahead_tolerance: Duration::from_mins(15),
        }
    }
}

impl Config {
    /// Parses and validates a config JSON document.
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            let key = if path == "." { String::new() } else { path };
            ConfigError::new(key, inner)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value that parsing alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        for (key, v) in
            [("max_users", l.max_users), ("max_ips", l.max_ips), ("max_sessions", l.max_sessions)]
        {
            if v == 0 {
                return Err(ConfigError::new(format!("limits.{key}"), "must be at least 1"));
            }
        }
        for (i, a) in self.allow.iter().enumerate() {
            let key = |f: &str| format!("allow[{i}].{f}");
            if a.name.is_empty() {
                return Err(ConfigError::new(key("name"), "every allow entry needs a name"));
            }
            if a.users.is_empty()
                && a.ips.is_empty()
                && a.user_agents.is_empty()
                && a.paths.is_empty()
            {
                return Err(ConfigError::new(
                    key("users"),
                    "an allow entry must match on at least one of users, ips, user_agents, paths",
                ));
            }
            for ip in &a.ips {
                Cidr::parse(ip).map_err(|m| ConfigError::new(key("ips"), m))?;
            }
            if a.rules.is_empty() {
                return Err(ConfigError::new(
                    key("rules"),
                    "list the rules it suppresses, or \"*\"",
                ));
            }
            for r in &a.rules {
                if r != "*" && r.parse::<RuleId>().is_err() {
                    return Err(ConfigError::new(key("rules"), format!("unknown rule `{r}`")));
                }
            }
        }
        for (id, rc) in &self.rules {
            crate::params::validate(*id, rc)?;
        }
        Ok(())
    }

    /// The effective settings of rule `id`: its defaults overlaid with what this config gives.
    pub fn params(&self, id: RuleId) -> Params {
        match self.rules.get(&id) {
            Some(c) => id.defaults().overlay(c),
            None => id.defaults(),
        }
    }

    /// The config as pretty JSON (what `check-config` prints as the effective config).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// An address block from an allow entry (`10.9.0.10/32`, `2001:db8::/32`, or a bare address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR` or `ADDR/PREFIX`.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr =
            a.trim().parse().map_err(|_| format!("`{s}` is not an address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= max)
                .ok_or_else(|| format!("`{s}`: prefix must be 0..={max}"))?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` lies in the block.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(*ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(*ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        Config::default().validate().unwrap();
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Config::from_json(r#"{"limits":{"max_user":3}}"#).unwrap_err();
        assert_eq!(e.key, "limits.max_user");
        assert!(e.to_string().contains("max_user"), "{e}");
    }

    #[test]
    fn zero_limit_rejected() {
        let e = Config::from_json(r#"{"limits":{"max_ips":0}}"#).unwrap_err();
        assert_eq!(e.key, "limits.max_ips");
    }

    #[test]
    fn allow_entry_checked() {
        let e =
            Config::from_json(r#"{"allow":[{"name":"x","ips":["10.0.0.0/33"],"rules":["*"]}]}"#)
                .unwrap_err();
        assert_eq!(e.key, "allow[0].ips");
        let e = Config::from_json(r#"{"allow":[{"name":"x","users":["a"],"rules":["nope"]}]}"#)
            .unwrap_err();
        assert!(e.message.contains("nope"));
    }

    #[test]
    fn cidr_matching() {
        let c = Cidr::parse("10.9.0.0/16").unwrap();
        assert!(c.contains(&"10.9.200.1".parse().unwrap()));
        assert!(!c.contains(&"10.8.0.1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(&"1.2.3.4".parse().unwrap()));
        let c6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c6.contains(&"2001:db8::1".parse().unwrap()));
        assert!(!c6.contains(&"10.0.0.1".parse().unwrap()));
    }
}
