//! `wikiwatch check-config`: validate a config and show what it means, rule by rule.

use crate::cli::CheckConfigArgs;
use crate::config_file::load_config;
use anyhow::Result;
use std::fmt::Write as _;
use wikiwatch_core::{Config, Params, RuleId};

/// Runs `wikiwatch check-config` (errors exit 2 and name the key).
pub fn run(args: &CheckConfigArgs) -> Result<()> {
    let loaded = load_config(Some(&args.file))?;
    crate::fail::out(&format!("{}{}: ok\n", render(&loaded.config), args.file.display()))?;
    Ok(())
}

/// The effective settings of every rule, and the identity and allow entries.
pub fn render(config: &Config) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<22} {:<3} {:>6} {:>9} {:>10} {:>8} {:<8} extra",
        "rule", "on", "window", "threshold", "privileged", "cooldown", "severity"
    );
    for id in RuleId::ALL {
        let p = config.params(id);
        let _ = writeln!(
            s,
            "{:<22} {:<3} {:>6} {:>9} {:>10} {:>8} {:<8} {}",
            id.as_str(),
            if p.enabled { "yes" } else { "no" },
            p.window.to_string(),
            p.threshold,
            p.privileged_threshold,
            p.cooldown.to_string(),
            p.severity.as_str(),
            extras(&p)
        );
    }
    let id = &config.identity;
    let privileged = id.users.iter().filter(|(_, u)| u.privileged).count();
    let _ = writeln!(
        s,
        "identity: {} users ({} marked privileged), privileged roles [{}], groups [{}], permissions [{}]",
        id.users.len(),
        privileged,
        id.privileged_roles.join(", "),
        id.privileged_groups.join(", "),
        id.privileged_permissions.join(", ")
    );
    for a in &config.allow {
        let _ =
            writeln!(s, "allow {:?}: suppresses [{}] ({})", a.name, a.rules.join(", "), a.reason);
    }
    let l = &config.limits;
    let _ = writeln!(
        s,
        "limits: max_users {}, max_ips {}, max_sessions {}, late_tolerance {}",
        l.max_users, l.max_ips, l.max_sessions, l.late_tolerance
    );
    s
}

/// The rule-specific settings: every key beyond the common columns that is set (through
/// serde, so settings the core adds show up without a change here).
fn extras(p: &Params) -> String {
    const COMMON: [&str; 6] =
        ["enabled", "window", "threshold", "privileged_threshold", "cooldown", "severity"];
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(p) else {
        return String::new();
    };
    let unset = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Null => true,
        _ => false,
    };
    map.iter()
        .filter(|(k, v)| !COMMON.contains(&k.as_str()) && !unset(v))
        .map(|(k, v)| format!("{k} {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect::<Vec<_>>()
        .join(" ")
}
