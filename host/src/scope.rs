//! `wikiwatch scope`: the incident-response view of one entity. What did they read, search,
//! export and download, from where, with what, and when, and for a user, how each day compares
//! with their baseline? Decoding, classification and baselines are the core's; this module
//! only filters and counts.

use crate::cli::ScopeArgs;
use crate::config_file::load_config;
use crate::fail::usage;
use crate::input::{self, LineReader};
use anyhow::{Context, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::classify::Classifier;
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::{AccessEvent, Alert, Engine};
use wikiwatch_report::{Entity, Gather as Scope, Seen};

/// Rows shown per table in the text view (the JSON view has them all, up to `MAX_ROWS`).
const SHOWN: usize = 20;

/// An optional `--from`/`--to` time (shared with `wikiwatch report`).
pub fn parse_time(flag: &str, s: &Option<String>) -> Result<Option<i64>> {
    s.as_deref()
        .map(|s| wikiwatch_report::report::parse_time(s).map_err(|e| usage(format!("{flag}: {e}"))))
        .transpose()
}

/// `--entity` (shared with `wikiwatch report`).
pub fn parse_entity(s: &str) -> Result<Entity> {
    Entity::parse(s).map_err(|e| usage(format!("--entity: {e}")))
}

/// Runs `wikiwatch scope`.
pub fn run(args: &ScopeArgs) -> Result<()> {
    let entity = parse_entity(&args.entity)?;
    let (from, to) = (parse_time("--from", &args.from)?, parse_time("--to", &args.to)?);
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = load_config(args.config.as_deref())?.config;
    let classifier = Classifier::new(&config.classify);
    // The whole input goes through a detector too: a user's baseline is learned from every
    // day before the one shown, and the team's from every member.
    let mut engine = Engine::new(config.clone()).context("config")?;
    let mut scope = Scope::default();
    let (mut lines, mut rejected) = (0u64, 0u64);
    for spec in &specs {
        let mut reader = LineReader::open(spec, Arc::new(AtomicU64::new(0)))?;
        let mut decoder = Decoder::new(spec.format, config.decode.clone());
        while let Some((_, line)) =
            reader.next_line().with_context(|| format!("cannot read {}", spec.label))?
        {
            lines += 1;
            let mut sink = |e: AccessEvent<'_>| {
                engine.push_event(&e, &mut |_: Alert| {});
                let in_range =
                    from.is_none_or(|f| e.time_ms >= f) && to.is_none_or(|t| e.time_ms < t);
                if in_range && entity.matches(&e) {
                    scope.record(&e, &classifier);
                    if let Entity::User(u) = &entity {
                        if let Some(b) = engine.baseline(u) {
                            scope.days.record(b);
                        }
                    }
                }
            };
            if decoder.decode(line, &mut sink).is_err() {
                rejected += 1;
            }
        }
    }
    let text = if args.json {
        serde_json::to_string_pretty(&to_json(&args.entity, &scope, lines, rejected))? + "\n"
    } else {
        to_text(&args.entity, &scope, lines, rejected)
    };
    crate::fail::out(&text)?;
    Ok(())
}

/// Pages under one identity each (an id and its `KEY/Title` spelling joined by session).
fn merged_pages(s: &Scope) -> BTreeMap<String, Seen> {
    s.pages_merged().0.into_iter().map(|(k, r)| (k, r.seen)).collect()
}

fn rows(map: &BTreeMap<String, Seen>) -> Vec<(&String, &Seen)> {
    let mut v: Vec<_> = map.iter().collect();
    // Most first, then by name: stable output.
    v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    v
}

fn table_json(map: &BTreeMap<String, Seen>) -> serde_json::Value {
    rows(map)
        .into_iter()
        .map(|(k, s)| json!({"name": k, "count": s.count, "first": format_time(s.first), "last": format_time(s.last)}))
        .collect()
}

fn to_json(entity: &str, s: &Scope, lines: u64, rejected: u64) -> serde_json::Value {
    json!({
        "entity": entity,
        "events": s.all.count,
        "first": (s.all.count > 0).then(|| format_time(s.all.first)),
        "last": (s.all.count > 0).then(|| format_time(s.all.last)),
        "requests": table_json(&s.kinds),
        "spaces": table_json(&s.spaces),
        "pages": table_json(&merged_pages(s)),
        "searches": table_json(&s.searches),
        "exports": table_json(&s.exports),
        "downloads": table_json(&s.downloads),
        "audit": table_json(&s.audit),
        "denied": s.denied,
        "user_agents": table_json(&s.agents),
        "addresses": table_json(&s.addresses),
        "users": table_json(&s.users),
        "baseline": &s.days,
        "input": {"lines": lines, "rejected": rejected},
    })
}

fn to_text(entity: &str, s: &Scope, lines: u64, rejected: u64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scope of {entity}: {} events in {lines} lines ({rejected} rejected)",
        s.all.count
    );
    if s.all.count > 0 {
        let _ = writeln!(out, "  from {} to {}", format_time(s.all.first), format_time(s.all.last));
    }
    if s.denied > 0 {
        let _ = writeln!(out, "  denied (401/403): {}", s.denied);
    }
    if !s.days.is_empty() {
        crate::band_plot::to_text(&s.days, &mut out);
    }
    for (title, map) in [
        ("requests by kind", &s.kinds),
        ("spaces", &s.spaces),
        ("pages read", &merged_pages(s)),
        ("searches", &s.searches),
        ("exports", &s.exports),
        ("downloads", &s.downloads),
        ("audit actions", &s.audit),
        ("user agents", &s.agents),
        ("addresses", &s.addresses),
        ("users", &s.users),
    ] {
        if map.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({})", map.len());
        let all = rows(map);
        for (k, v) in all.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "  {:>7}  {}  {}  {k}",
                v.count,
                format_time(v.first),
                format_time(v.last)
            );
        }
        if all.len() > SHOWN {
            let _ = writeln!(out, "  ... {} more (--json lists all)", all.len() - SHOWN);
        }
    }
    out
}
