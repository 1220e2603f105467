//! `wikiwatch state show FILE`: what a state file holds, and the same report for `learn`. A
//! live state file (`follow`, `pull`) is shown by its detector snapshot and the names of its
//! sections.

use crate::cli::StateShowArgs;
use crate::config_file::{load_config, LoadedConfig};
use crate::fail::usage;
use crate::input::read_file;
use crate::live::state::LiveState;
use anyhow::Result;
use serde_json::{json, Value};
use std::fmt::Write as _;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::config::Identity;
use wikiwatch_core::{describe_state, Engine, StateSummary};

/// Users listed in the text report (most pages per usual day first); `--json` lists all.
const TOP_USERS: usize = 25;

/// Runs `wikiwatch state show`.
pub fn run(args: &StateShowArgs) -> Result<()> {
    let shown = args.file.display().to_string();
    let bytes = read_file(&args.file)?;
    let live = LiveState::decode(&bytes, &shown)?;
    let Some(snapshot) = live.detector.as_deref() else {
        return Err(usage(format!("{shown}: holds no detector state yet")));
    };
    let summary = describe_state(snapshot).map_err(|e| usage(format!("{shown}: {e}")))?;
    let config = args.config.as_deref().map(|p| load_config(Some(p))).transpose()?;
    let matches = config.as_ref().map(|c| fingerprint(c) == Ok(summary.config.clone()));
    let identity = config.as_ref().map(|c| &c.config.identity);
    if args.json {
        let mut v = to_json(&summary, identity);
        v["sections"] = json!(live.section_names());
        if let Some(m) = matches {
            v["config_matches"] = json!(m);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", render(&summary, identity));
        let sections = live.section_names();
        if !sections.is_empty() {
            println!("sections: {}", sections.join(", "));
        }
        let config_path = args.config.as_deref().map(|p| p.display().to_string());
        match (matches, config_path) {
            (Some(true), Some(p)) => println!("config: matches {p}"),
            (Some(false), Some(p)) => println!(
                "config: differs from {p} (a state restores under another config only when it \
                 has as many allow entries; rules then judge the learned state by the new config)"
            ),
            _ => {}
        }
    }
    Ok(())
}

/// The fingerprint a config gives snapshots.
fn fingerprint(config: &LoadedConfig) -> Result<String, String> {
    Engine::new(config.config.clone()).map(|e| e.config_fingerprint()).map_err(|e| e.to_string())
}

/// The summary as JSON, each user with its team and role from `identity` when known.
pub fn to_json(s: &StateSummary, identity: Option<&Identity>) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
    if let (Some(users), Some(identity)) = (v["users"].as_array_mut(), identity) {
        for u in users {
            let info = u["user"].as_str().and_then(|name| identity.users.get(name));
            if let Some(info) = info {
                u["team"] = json!(info.team);
                u["role"] = json!(info.role);
            }
        }
    }
    v["first"] = json!(s.first.map(format_time));
    v["last"] = json!(s.last.map(format_time));
    v
}

/// The summary for people: header, tables, team and role baselines, the busiest users.
pub fn render(s: &StateSummary, identity: Option<&Identity>) -> String {
    let mut out = String::new();
    let time = |t: Option<i64>| t.map_or_else(|| "-".to_string(), format_time);
    let _ = writeln!(out, "state version {}, {} bytes, config {}", s.version, s.bytes, s.config);
    let _ = writeln!(
        out,
        "time range: {} .. {} ({} events, {} alerts over its life)",
        time(s.first),
        time(s.last),
        s.events,
        s.alerts
    );
    let _ = writeln!(out, "{:<10} {:>9} {:>9} {:>11}", "table", "entries", "evicted", "bytes");
    for t in &s.tables {
        let _ = writeln!(out, "{:<10} {:>9} {:>9} {:>11}", t.name, t.entries, t.evicted, t.bytes);
    }
    if !s.groups.is_empty() {
        let _ = writeln!(out, "teams and roles (pages per member-day):");
        for g in &s.groups {
            let _ = writeln!(
                out,
                "  {:<24} {:>4} member-days  median {:>5}  p95 {:>5}",
                g.group, g.member_days, g.median, g.p95
            );
        }
    }
    let with_history = s.users.iter().filter(|u| u.days > 0).count();
    let _ = writeln!(
        out,
        "users: {} ({} with a baseline of at least one closed day)",
        s.users.len(),
        with_history
    );
    let mut users: Vec<_> = s.users.iter().collect();
    users.sort_by_key(|u| (std::cmp::Reverse(u.pages.map_or(0, |p| p.median)), &u.user));
    if !users.is_empty() {
        let _ = writeln!(
            out,
            "  {:<24} {:<12} {:<12} {:>4}  {:>13}  {:>11}  {:>11}",
            "user", "team", "role", "days", "pages med/max", "exports", "by script"
        );
    }
    let pair = |t: Option<wikiwatch_core::state_summary::Typical>| {
        t.map_or_else(|| "-".to_string(), |t| format!("{}/{}", t.median, t.max))
    };
    for u in users.iter().take(TOP_USERS) {
        let info = identity.and_then(|i| i.users.get(&u.user));
        let team = info.and_then(|i| i.team.as_deref()).unwrap_or("-");
        let role = info.and_then(|i| i.role.as_deref()).unwrap_or("-");
        let mark = if u.privileged_by_audit { " (privileged by audit)" } else { "" };
        let _ = writeln!(
            out,
            "  {:<24} {:<12} {:<12} {:>4}  {:>13}  {:>11}  {:>11}{mark}",
            u.user,
            team,
            role,
            u.days,
            pair(u.pages),
            pair(u.exports),
            pair(u.programmatic)
        );
    }
    if users.len() > TOP_USERS {
        let _ = writeln!(out, "  ... {} more (--json lists all)", users.len() - TOP_USERS);
    }
    out
}
