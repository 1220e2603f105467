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
use crate::siem::AlertFormat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Space labels a config may give (`spaces`).
const MAX_SPACE_LABELS: usize = 10_000;

/// The whole configuration. `Config::default()` is the built-in default config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// Sensitivity labels of spaces by space key (`{"HR": "restricted"}`), for reports. Left
    /// out of the serialised config when empty, so configs without it keep their fingerprint.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub spaces: BTreeMap<String, String>,
    /// Form in which hosts write alerts: native, ECS or OCSF. Left out of the serialised
    /// config when native, so configs without it keep their fingerprint.
    #[serde(skip_serializing_if = "AlertFormat::is_native")]
    pub output: AlertFormat,
}

/// Identity context (`"identity"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    #[cfg_attr(feature = "schema", schemars(schema_with = "rule_names_schema"))]
    pub rules: Vec<String>,
    /// Why this is allowed (for the humans reading the config).
    pub reason: String,
}

/// The schema of a list of rule names where `*` means every rule (`allow[].rules`, the proxy's
/// `enforce.rules`).
#[cfg(feature = "schema")]
pub fn rule_names_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> =
        std::iter::once("*").chain(RuleId::ALL.iter().map(|r| r.as_str())).collect();
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "string", "enum": names},
    })
}

/// Table caps (`"limits"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Most users tracked at once.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub max_users: usize,
    /// Most client addresses tracked at once.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub max_ips: usize,
    /// Most sessions tracked at once.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
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
    /// Parses and validates a config JSON document (a leading UTF-8 byte-order mark is
    /// ignored, as editors on some systems write one).
    pub fn from_json(text: &str) -> Result<Config, ConfigError> {
        Config::from_document(document(text)?)
    }

    /// [`Config::from_json`] for a host that reads a section of its own from the same document
    /// (`proxy`, `fluent_bit`): the section is taken out and parsed as `T` (its default when
    /// absent or null), the rest is the shared config. Any other host refuses the section as
    /// the unknown key it is to them.
    pub fn from_json_with<T: serde::de::DeserializeOwned + Default>(
        text: &str,
        section: &str,
    ) -> Result<(Config, T), ConfigError> {
        Config::from_document_with(document(text)?, section)
    }

    /// [`Config::from_json_with`] for a document already parsed (the proxy's configuration may
    /// come as a protobuf Struct rather than JSON text).
    pub fn from_document_with<T: serde::de::DeserializeOwned + Default>(
        mut value: serde_json::Value,
        section: &str,
    ) -> Result<(Config, T), ConfigError> {
        let own = match value.as_object_mut().and_then(|o| o.remove(section)) {
            None | Some(serde_json::Value::Null) => T::default(),
            Some(v) => {
                object(&v, section)?;
                from_value(section, v)?
            }
        };
        Ok((Config::from_document(value)?, own))
    }

    fn from_document(mut value: serde_json::Value) -> Result<Config, ConfigError> {
        require_objects(&value)?;
        // Rules are read one by one so an error names the rule (`rules.burst-rate.window`).
        let rules = value.as_object_mut().and_then(|o| o.remove("rules"));
        let mut config: Config = from_value("", value)?;
        for (name, v) in rules.as_ref().and_then(|r| r.as_object()).into_iter().flatten() {
            let id: RuleId =
                name.parse().map_err(|e: String| ConfigError::new(format!("rules.{name}"), e))?;
            config.rules.insert(id, from_value(&format!("rules.{name}"), v.clone())?);
        }
        config.validate()?;
        Ok(config)
    }

    /// Space labels: a key and a label each, both short.
    fn validate_spaces(&self) -> Result<(), ConfigError> {
        if self.spaces.len() > MAX_SPACE_LABELS {
            return Err(ConfigError::new("spaces", format!("at most {MAX_SPACE_LABELS} spaces")));
        }
        for (key, label) in &self.spaces {
            if key.trim().is_empty() {
                return Err(ConfigError::new("spaces", "a space key cannot be empty"));
            }
            if label.trim().is_empty() || label.len() > 64 {
                return Err(ConfigError::new(
                    format!("spaces.{key}"),
                    "a sensitivity label is 1 to 64 characters, e.g. \"restricted\"",
                ));
            }
        }
        Ok(())
    }

    /// Checks every value that parsing alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_spaces()?;
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

/// The JSON document of a config's text (a leading UTF-8 byte-order mark is ignored).
fn document(text: &str) -> Result<serde_json::Value, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| ConfigError::new("", e.to_string()))
}

/// Deserialises `value`, naming the key at fault after `prefix`.
fn from_value<T: serde::de::DeserializeOwned>(
    prefix: &str,
    value: serde_json::Value,
) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let key = match (prefix, path.as_str()) {
            (p, ".") => p.to_string(),
            ("", path) => path.to_string(),
            (p, path) => format!("{p}.{path}"),
        };
        ConfigError::new(key, inner)
    })
}

/// `v`, the value of `key`, is a JSON object, or the error that says it must be.
fn object(v: &serde_json::Value, key: &str) -> Result<(), ConfigError> {
    match v {
        serde_json::Value::Object(_) => Ok(()),
        _ => Err(ConfigError::new(key, "must be a JSON object ({...})")),
    }
}

/// Sections that are objects must be written as objects: serde would otherwise accept a list
/// for a struct (`[]` as an empty config), which hides a config written wrong.
fn require_objects(v: &serde_json::Value) -> Result<(), ConfigError> {
    use serde_json::Value;
    fn each<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = (String, &'v Value)> {
        let key = key.to_string();
        v.as_object().into_iter().flatten().map(move |(k, v)| (format!("{key}.{k}"), v))
    }
    object(v, "")?;
    for section in ["identity", "limits", "rules", "classify", "decode"] {
        if let Some(s) = v.get(section) {
            object(s, section)?;
        }
    }
    if let Some(users) = v.get("identity").and_then(|i| i.get("users")) {
        object(users, "identity.users")?;
        for (k, u) in each(users, "identity.users") {
            object(u, &k)?;
        }
    }
    for (k, rule) in v.get("rules").map(|r| each(r, "rules")).into_iter().flatten() {
        object(rule, &k)?;
        if let Some(roles) = rule.get("roles") {
            let key = format!("{k}.roles");
            object(roles, &key)?;
            for (k, role) in each(roles, &key) {
                object(role, &k)?;
            }
        }
    }
    if let Some(Value::Array(entries)) = v.get("allow") {
        for (i, e) in entries.iter().enumerate() {
            object(e, &format!("allow[{i}]"))?;
        }
    }
    Ok(())
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

    /// A host's own section is split off and parsed on its own; the rest is the shared config,
    /// and a host that does not split it refuses it as an unknown key.
    #[test]
    fn a_hosts_section_is_split_off() {
        #[derive(Debug, Default, PartialEq, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Own {
            n: u32,
        }
        let text = "\u{feff}{\"own\":{\"n\":3},\"limits\":{\"max_users\":7}}";
        let (config, own) = Config::from_json_with::<Own>(text, "own").unwrap();
        assert_eq!((config.limits.max_users, own), (7, Own { n: 3 }));
        for absent in ["{}", "{\"own\":null}"] {
            assert_eq!(Config::from_json_with::<Own>(absent, "own").unwrap().1, Own::default());
        }
        let key = |text: &str| Config::from_json_with::<Own>(text, "own").unwrap_err().key;
        assert_eq!(key("{\"own\":[]}"), "own");
        assert_eq!(key("{\"own\":{\"n\":-1}}"), "own.n");
        assert_eq!(key("{\"own\":{\"n\":1},\"limits\":[]}"), "limits");
        assert_eq!(Config::from_json(text).unwrap_err().key, "own");
    }

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
    fn lists_where_objects_belong_are_rejected() {
        assert_eq!(Config::from_json("[]").unwrap_err().key, "");
        assert!(Config::from_json("[]").unwrap_err().message.contains("object"));
        assert_eq!(Config::from_json(r#"{"identity": []}"#).unwrap_err().key, "identity");
        let e = Config::from_json(r#"{"rules":{"burst-rate":[]}}"#).unwrap_err();
        assert_eq!(e.key, "rules.burst-rate");
        let e = Config::from_json(r#"{"identity":{"users":{"a":[]}}}"#).unwrap_err();
        assert_eq!(e.key, "identity.users.a");
        let e = Config::from_json(r#"{"allow":[[]]}"#).unwrap_err();
        assert_eq!(e.key, "allow[0]");
    }

    #[test]
    fn rule_errors_name_the_rule_and_a_bom_is_ignored() {
        let e = Config::from_json(r#"{"rules":{"burst-rate":{"window":5}}}"#).unwrap_err();
        assert_eq!(e.key, "rules.burst-rate.window");
        let e = Config::from_json(r#"{"rules":{"burst-rate":{"thresold":5}}}"#).unwrap_err();
        assert_eq!(e.key, "rules.burst-rate.thresold");
        assert!(e.message.contains("thresold"), "{e}");
        let c = Config::from_json("\u{feff}{\"limits\":{\"max_users\":7}}").unwrap();
        assert_eq!(c.limits.max_users, 7);
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
