//! Conversions between the core's types and the WIT types (field by field, no logic).

use crate::bindings::wit;
use std::borrow::Cow;
use wikiwatch_core::{AccessEvent, Alert, AuditAction, EntityKind, Format, Severity};

pub(crate) fn format(f: wit::Format) -> Format {
    match f {
        wit::Format::Auto => Format::Auto,
        wit::Format::ConfluenceAccess => Format::ConfluenceAccess,
        wit::Format::Combined => Format::Combined,
        wit::Format::Audit => Format::Audit,
        wit::Format::Json => Format::Json,
    }
}

pub(crate) fn alert(a: Alert) -> wit::Alert {
    let e = a.evidence;
    wit::Alert {
        time_ms: a.time_ms,
        rule: a.rule.as_str().to_string(),
        severity: match a.severity {
            Severity::Low => wit::Severity::Low,
            Severity::Medium => wit::Severity::Medium,
            Severity::High => wit::Severity::High,
            Severity::Critical => wit::Severity::Critical,
        },
        entity_kind: match a.entity.kind {
            EntityKind::User => wit::EntityKind::User,
            EntityKind::Ip => wit::EntityKind::Ip,
            EntityKind::Session => wit::EntityKind::Session,
        },
        entity_id: a.entity.id,
        incident: a.incident,
        window_start_ms: a.window.start_ms,
        window_end_ms: a.window.end_ms,
        count: a.count,
        threshold: a.threshold,
        privileged: a.privileged,
        summary: a.summary,
        evidence: wit::Evidence {
            ips: e.ips,
            user_agents: e.user_agents,
            spaces: e
                .spaces
                .into_iter()
                .map(|(space, count)| wit::SpaceCount { space, count })
                .collect(),
            sample: e.sample,
            queries: e.queries,
            privilege_source: e.privilege_source,
            aliases: e.aliases,
        },
        techniques: a.techniques.iter().map(|t| t.to_string()).collect(),
    }
}

fn cow(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

fn cow_opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

pub(crate) fn event(e: &wit::Event) -> AccessEvent<'_> {
    AccessEvent {
        time_ms: e.time_ms,
        user: cow_opt(&e.user),
        client: cow_opt(&e.client),
        session: cow_opt(&e.session),
        method: cow(&e.method),
        target: cow(&e.target),
        status: e.status,
        bytes: e.bytes,
        agent: cow(&e.agent),
        // The detector world carries no Referer: rules do not read it.
        referer: None,
        audit: e.audit.as_ref().map(audit),
        aliases: e.aliases.iter().map(|a| cow(a)).collect(),
    }
}

fn audit(a: &wit::AuditAction) -> AuditAction<'_> {
    use wit::AuditAction as W;
    match a {
        W::SpaceExport(space) => AuditAction::SpaceExport { space: cow_opt(space) },
        W::PageExport(p) => {
            AuditAction::PageExport { space: cow_opt(&p.space), page: cow_opt(&p.page) }
        }
        W::SpaceImport(space) => AuditAction::SpaceImport { space: cow_opt(space) },
        W::PageView(p) => {
            AuditAction::PageView { space: cow_opt(&p.space), page: cow_opt(&p.page) }
        }
        W::AuditSearch => AuditAction::AuditSearch,
        W::ApiToken => AuditAction::ApiToken,
        W::UserCreated(user) => AuditAction::UserCreated { user: cow(user) },
        W::GroupMembershipAdded((user, group)) => {
            AuditAction::GroupMembershipAdded { user: cow(user), group: cow(group) }
        }
        W::GlobalPermissionGranted((grantee, permission)) => AuditAction::GlobalPermissionGranted {
            grantee: cow(grantee),
            permission: cow(permission),
        },
        W::SpacePermissionChanged(space) => {
            AuditAction::SpacePermissionChanged { space: cow_opt(space) }
        }
        W::Other(action) => AuditAction::Other { action: cow(action) },
    }
}
