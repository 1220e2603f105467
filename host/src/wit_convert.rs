//! WIT records <-> core types, on the host side. Alerts are rebuilt as the core's own
//! `Alert`, so the JSON line printed is byte-identical to the native engine's.

use crate::bindings::wit;
use std::borrow::Cow;
use std::sync::Mutex;
use wikiwatch_core::alert::Window;
use wikiwatch_core::{
    AccessEvent, Alert, AuditAction, EntityKind, EntityRef, Evidence, Format, RuleId, Severity,
};

pub fn format(f: Format) -> wit::Format {
    match f {
        Format::Auto => wit::Format::Auto,
        Format::ConfluenceAccess => wit::Format::ConfluenceAccess,
        Format::Combined => wit::Format::Combined,
        Format::Audit => wit::Format::Audit,
        Format::Json => wit::Format::Json,
    }
}

/// The message of a config error, as the core displays it.
pub fn config_error(e: &wit::ConfigError) -> String {
    wikiwatch_core::ConfigError { key: e.key.clone(), message: e.message.clone() }.to_string()
}

/// The message of a restore error.
pub fn restore_error(e: &wit::RestoreError) -> String {
    match e {
        wit::RestoreError::Config(c) => config_error(c),
        wit::RestoreError::Snapshot(m) => format!("state: {m}"),
    }
}

/// Technique lists the core uses are `&'static`; a list a rule does not name (another
/// `--module`, a newer core) is interned once so memory stays bounded by distinct lists.
fn techniques(rule: RuleId, list: &[String]) -> &'static [&'static str] {
    let same = |t: &[&str]| t.len() == list.len() && t.iter().zip(list).all(|(a, b)| *a == b);
    if same(rule.techniques()) {
        return rule.techniques();
    }
    if let Some(t) = RuleId::ALL.iter().map(|r| r.techniques()).find(|t| same(t)) {
        return t;
    }
    static INTERNED: Mutex<Vec<&'static [&'static str]>> = Mutex::new(Vec::new());
    let mut interned = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = interned.iter().find(|t| same(t)) {
        return t;
    }
    let leaked: Vec<&'static str> =
        list.iter().map(|s| &*Box::leak(s.clone().into_boxed_str())).collect();
    let leaked: &'static [&'static str] = Box::leak(leaked.into_boxed_slice());
    interned.push(leaked);
    leaked
}

/// Rebuilds the core's alert from the WIT record. An unknown rule name can only come from a
/// foreign `--module`.
pub fn alert(a: &wit::Alert) -> Result<Alert, String> {
    let rule =
        a.rule.parse::<RuleId>().map_err(|e| format!("the detector raised an alert of {e}"))?;
    let e = &a.evidence;
    Ok(Alert {
        time_ms: a.time_ms,
        rule,
        severity: match a.severity {
            wit::Severity::Low => Severity::Low,
            wit::Severity::Medium => Severity::Medium,
            wit::Severity::High => Severity::High,
            wit::Severity::Critical => Severity::Critical,
        },
        entity: EntityRef {
            kind: match a.entity_kind {
                wit::EntityKind::User => EntityKind::User,
                wit::EntityKind::Ip => EntityKind::Ip,
                wit::EntityKind::Session => EntityKind::Session,
            },
            id: a.entity_id.clone(),
        },
        incident: a.incident.clone(),
        window: Window { start_ms: a.window_start_ms, end_ms: a.window_end_ms },
        count: a.count,
        threshold: a.threshold,
        privileged: a.privileged,
        summary: a.summary.clone(),
        evidence: Evidence {
            ips: e.ips.clone(),
            user_agents: e.user_agents.clone(),
            spaces: e.spaces.iter().map(|s| (s.space.clone(), s.count)).collect(),
            sample: e.sample.clone(),
            queries: e.queries.clone(),
            privilege_source: e.privilege_source.clone(),
            aliases: e.aliases.clone(),
        },
        techniques: techniques(rule, &a.techniques),
    })
}

fn own(c: &str) -> String {
    c.to_string()
}

fn own_opt(c: &Option<Cow<'_, str>>) -> Option<String> {
    c.as_deref().map(own)
}

/// An event the host decoded, as the WIT record.
pub fn event(e: &AccessEvent<'_>) -> wit::Event {
    wit::Event {
        time_ms: e.time_ms,
        user: own_opt(&e.user),
        client: own_opt(&e.client),
        session: own_opt(&e.session),
        method: own(&e.method),
        target: own(&e.target),
        status: e.status,
        bytes: e.bytes,
        agent: own(&e.agent),
        audit: e.audit.as_ref().map(audit),
        aliases: e.aliases.iter().map(|a| own(a)).collect(),
    }
}

fn audit_page(space: &Option<Cow<'_, str>>, page: &Option<Cow<'_, str>>) -> wit::AuditPage {
    wit::AuditPage { space: own_opt(space), page: own_opt(page) }
}

fn audit(a: &AuditAction<'_>) -> wit::AuditAction {
    use wit::AuditAction as W;
    match a {
        AuditAction::SpaceExport { space } => W::SpaceExport(own_opt(space)),
        AuditAction::PageExport { space, page } => W::PageExport(audit_page(space, page)),
        AuditAction::SpaceImport { space } => W::SpaceImport(own_opt(space)),
        AuditAction::PageView { space, page } => W::PageView(audit_page(space, page)),
        AuditAction::AuditSearch => W::AuditSearch,
        AuditAction::ApiToken => W::ApiToken,
        AuditAction::UserCreated { user } => W::UserCreated(own(user)),
        AuditAction::GroupMembershipAdded { user, group } => {
            W::GroupMembershipAdded((own(user), own(group)))
        }
        AuditAction::GlobalPermissionGranted { grantee, permission } => {
            W::GlobalPermissionGranted((own(grantee), own(permission)))
        }
        AuditAction::SpacePermissionChanged { space } => W::SpacePermissionChanged(own_opt(space)),
        AuditAction::Other { action } => W::Other(own(action)),
    }
}
