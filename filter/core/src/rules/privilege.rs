//! `privilege-change`: administration granted (learned from audit records), and what the newly
//! privileged account does next. A grant to a fresh account, or one followed within the hour by
//! exports or mass reading, is the CVE-2023-22515 pattern and is critical.

use super::check::Finding;
use crate::alert::Severity;
use crate::classify::RequestKind;
use crate::event::{AuditAction, TimeMs};
use crate::identity::{Directory, Grant};
use crate::rules::Params;

/// A grant of administration in an audit record: (grantee, what was granted).
pub(crate) fn grant_in<'a>(
    action: &'a AuditAction<'_>,
    dir: &Directory,
) -> Option<(&'a str, String)> {
    match action {
        AuditAction::GroupMembershipAdded { user, group } if dir.is_privileged_group(group) => {
            Some((user, format!("membership of group {group}")))
        }
        AuditAction::GlobalPermissionGranted { grantee, permission }
            if dir.is_privileged_permission(permission) =>
        {
            Some((grantee, format!("global permission {permission}")))
        }
        _ => None,
    }
}

/// The alert on the grant itself.
pub(crate) fn on_grant(
    now: TimeMs,
    what: &str,
    actor: Option<&str>,
    created: Option<TimeMs>,
    p: &Params,
) -> (Finding, String) {
    let by = actor.map(|a| format!(" by {a}")).unwrap_or_default();
    let fresh = created.filter(|&c| now >= c && now - c <= p.recent.as_ms());
    let (severity, note) = match fresh {
        Some(c) => (
            Severity::Critical,
            format!(", {} min after the account was created", (now - c) / 60_000),
        ),
        None => (p.severity.max(Severity::Medium), String::new()),
    };
    let finding = Finding {
        count: 1,
        threshold: p.threshold,
        severity,
        window_start: fresh.unwrap_or(now),
        stage: 0,
    };
    (finding, format!("was granted {what}{by}{note}"))
}

/// The follow-up alert: a freshly privileged account exporting or mass-reading.
pub(crate) fn after_grant(
    now: TimeMs,
    kind: RequestKind,
    enumerating: bool,
    grant: &Grant,
    p: &Params,
) -> Option<(Finding, String)> {
    let within = now >= grant.at && now - grant.at <= p.recent.as_ms();
    let exporting = matches!(
        kind,
        RequestKind::SpaceExport | RequestKind::PageExport | RequestKind::AttachmentDownload
    );
    (within && (exporting || enumerating)).then(|| {
        let f = Finding {
            count: 1,
            threshold: p.threshold,
            severity: Severity::Critical,
            window_start: grant.at,
            stage: 1,
        };
        let what = format!(
            "{} {} min after being granted {}",
            if exporting { "exported content" } else { "mass-read content" },
            (now - grant.at) / 60_000,
            grant.source
        );
        (f, what)
    })
}
