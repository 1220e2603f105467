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
use wikiwatch_core::{
    session_id, AccessEvent, Alert, AuditAction, BaselineDays, Engine, RequestKind,
};

/// Rows shown per table in the text view (the JSON view has them all, up to `MAX_ROWS`).
const SHOWN: usize = 20;
/// Rows kept per table, so one huge log cannot exhaust memory.
const MAX_ROWS: usize = 100_000;

/// Which entity.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entity {
    User(String),
    Ip(String),
    Session(String),
}

impl Entity {
    fn parse(s: &str) -> Result<Entity> {
        match s.split_once(':') {
            Some(("user", id)) if !id.is_empty() => Ok(Entity::User(id.into())),
            Some(("ip", id)) if !id.is_empty() => Ok(Entity::Ip(id.into())),
            Some(("session", id)) if !id.is_empty() => Ok(Entity::Session(id.into())),
            _ => Err(usage(format!("--entity: `{s}` is not user:NAME, ip:ADDR or session:ID"))),
        }
    }

    fn matches(&self, e: &AccessEvent<'_>) -> bool {
        match self {
            // An audit record names the account by login and gives its other names as aliases.
            Entity::User(u) => {
                e.user.as_deref() == Some(u.as_str()) || e.aliases.iter().any(|a| a == u)
            }
            Entity::Ip(a) => e.client.as_deref() == Some(a.as_str()),
            // Alerts name a session by its hash; a responder may also hold the raw id.
            Entity::Session(s) => {
                e.session.as_deref().is_some_and(|raw| raw == s || session_id(raw) == *s)
            }
        }
    }
}

/// A count with the first and last time seen.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    count: u64,
    first: i64,
    last: i64,
}

impl Seen {
    fn add(&mut self, t: i64) {
        if self.count == 0 || t < self.first {
            self.first = t;
        }
        if self.count == 0 || t > self.last {
            self.last = t;
        }
        self.count += 1;
    }
}

fn add(map: &mut BTreeMap<String, Seen>, key: &str, t: i64) {
    if let Some(s) = map.get_mut(key) {
        s.add(t);
    } else if map.len() < MAX_ROWS {
        map.entry(key.to_string()).or_default().add(t);
    }
}

/// Everything counted about the entity.
#[derive(Debug, Default)]
struct Scope {
    all: Seen,
    kinds: BTreeMap<String, Seen>,
    spaces: BTreeMap<String, Seen>,
    pages: BTreeMap<String, Seen>,
    searches: BTreeMap<String, Seen>,
    exports: BTreeMap<String, Seen>,
    downloads: BTreeMap<String, Seen>,
    audit: BTreeMap<String, Seen>,
    agents: BTreeMap<String, Seen>,
    addresses: BTreeMap<String, Seen>,
    users: BTreeMap<String, Seen>,
    denied: u64,
    /// A user's days against their baseline.
    days: BaselineDays,
}

impl Scope {
    fn record(&mut self, e: &AccessEvent<'_>, classifier: &Classifier) {
        let t = e.time_ms;
        self.all.add(t);
        add(&mut self.agents, if e.agent.is_empty() { "-" } else { &e.agent }, t);
        if let Some(c) = &e.client {
            add(&mut self.addresses, c, t);
        }
        if let Some(u) = &e.user {
            add(&mut self.users, u, t);
        }
        if let Some(a) = &e.audit {
            let (what, space) = describe_audit(a);
            add(&mut self.audit, &what, t);
            if let Some(space) = space {
                add(&mut self.spaces, space, t);
            }
            return;
        }
        if matches!(e.status, 401 | 403) {
            self.denied += 1;
        }
        let agent = classifier.agent(&e.agent);
        let r = classifier.request(&e.method, &e.target, agent);
        add(&mut self.kinds, r.kind.as_str(), t);
        if !r.kind.is_content_read() {
            return;
        }
        if let Some(s) = &r.space {
            add(&mut self.spaces, s, t);
        }
        let page = r.page.as_deref().unwrap_or(&e.target);
        match r.kind {
            RequestKind::Search => {
                add(&mut self.searches, r.query.as_deref().unwrap_or(&e.target), t)
            }
            RequestKind::PageExport | RequestKind::SpaceExport => {
                add(&mut self.exports, &e.target, t)
            }
            RequestKind::AttachmentDownload => add(&mut self.downloads, &e.target, t),
            RequestKind::PageView | RequestKind::ApiRead => add(&mut self.pages, page, t),
            _ => {}
        }
    }
}

fn describe_audit<'a>(a: &'a AuditAction<'a>) -> (String, Option<&'a str>) {
    match a {
        AuditAction::SpaceExport { space } => ("space export".into(), space.as_deref()),
        AuditAction::PageExport { space, .. } => ("page export".into(), space.as_deref()),
        AuditAction::SpaceImport { space } => ("space import".into(), space.as_deref()),
        AuditAction::PageView { space, .. } => ("page view".into(), space.as_deref()),
        AuditAction::AuditSearch => ("audit log search".into(), None),
        AuditAction::ApiToken => ("API token".into(), None),
        AuditAction::UserCreated { user } => (format!("created user {user}"), None),
        AuditAction::GroupMembershipAdded { user, group } => {
            (format!("added {user} to group {group}"), None)
        }
        AuditAction::GlobalPermissionGranted { grantee, permission } => {
            (format!("granted {permission} to {grantee}"), None)
        }
        AuditAction::SpacePermissionChanged { space } => {
            ("space permission changed".into(), space.as_deref())
        }
        AuditAction::Other { action } => (action.to_string(), None),
    }
}

fn parse_time(flag: &str, s: &Option<String>) -> Result<Option<i64>> {
    s.as_deref()
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.timestamp_millis())
                .map_err(|e| usage(format!("{flag}: `{s}` is not an RFC 3339 time ({e})")))
        })
        .transpose()
}

/// Runs `wikiwatch scope`.
pub fn run(args: &ScopeArgs) -> Result<()> {
    let entity = Entity::parse(&args.entity)?;
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
        "pages": table_json(&s.pages),
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
        ("pages read", &s.pages),
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
