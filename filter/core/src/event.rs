//! The one thing every decoder produces and every rule consumes.

use std::borrow::Cow;

/// Milliseconds since the Unix epoch, taken from the event itself (never a clock).
pub type TimeMs = i64;

/// One access to Confluence, as decoded from a log line or record.
///
/// Strings borrow from the input where they can; decoders only allocate when the input
/// escapes them (JSON) or when a value has to be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessEvent<'a> {
    /// Event time, ms since epoch (UTC).
    pub time_ms: TimeMs,
    /// Authenticated user; `None` for anonymous access (`-` in access logs).
    pub user: Option<Cow<'a, str>>,
    /// Real client address (first X-Forwarded-For hop when the log has it).
    pub client: Option<Cow<'a, str>>,
    /// Raw session identifier (cookie or token) if the source has one; the engine hashes it
    /// and never stores or prints it.
    pub session: Option<Cow<'a, str>>,
    /// HTTP method (`GET`, `POST`, ...); empty for audit records.
    pub method: Cow<'a, str>,
    /// Request target: path plus query string, as logged.
    pub target: Cow<'a, str>,
    /// HTTP status; 0 when unknown (audit records).
    pub status: u16,
    /// Response bytes; 0 when unknown.
    pub bytes: u64,
    /// User-Agent header; empty when absent or `-`.
    pub agent: Cow<'a, str>,
    /// Referer header (`None` when absent or `-`). Rules ignore it; reports use it to tell that
    /// a call by page id came from a page viewed by its title.
    pub referer: Option<Cow<'a, str>>,
    /// What an audit record says happened; `None` for access-log lines, whose kind comes
    /// from classifying `target`.
    pub audit: Option<AuditAction<'a>>,
    /// Other names an audit record gives for the same account as `user` (display name, user
    /// key, account id, e-mail): the engine links them, so grants and actions that name the
    /// account differently join one entity.
    pub aliases: Vec<Cow<'a, str>>,
}

/// Meaning of an audit record, in the terms the rules use.
// Variant fields are named for exactly what they hold (space key, user, group, ...).
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditAction<'a> {
    /// A whole space was exported (XML, HTML, CSV or PDF).
    SpaceExport { space: Option<Cow<'a, str>> },
    /// One page was exported (PDF, Word, HTML). `page` is the page's id when the record
    /// names it (else `KEY/Title` or its title), so distinct pages can be counted.
    PageExport { space: Option<Cow<'a, str>>, page: Option<Cow<'a, str>> },
    /// A space was imported.
    SpaceImport { space: Option<Cow<'a, str>> },
    /// A page was viewed (Cloud audit/analytics events); `page` as for `PageExport`.
    PageView { space: Option<Cow<'a, str>>, page: Option<Cow<'a, str>> },
    /// The audit log itself was searched or exported.
    AuditSearch,
    /// An API token was created or used.
    ApiToken,
    /// A user account was created.
    UserCreated { user: Cow<'a, str> },
    /// A user was added to a group.
    GroupMembershipAdded { user: Cow<'a, str>, group: Cow<'a, str> },
    /// A global permission was granted to a user or group.
    GlobalPermissionGranted { grantee: Cow<'a, str>, permission: Cow<'a, str> },
    /// A space permission changed.
    SpacePermissionChanged { space: Option<Cow<'a, str>> },
    /// Anything else: kept for the record, ignored by rules.
    Other { action: Cow<'a, str> },
}

impl AccessEvent<'_> {
    /// Copies every borrowed string so the event can outlive its input.
    pub fn into_owned(self) -> AccessEvent<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        AccessEvent {
            time_ms: self.time_ms,
            user: self.user.map(own),
            client: self.client.map(own),
            session: self.session.map(own),
            method: own(self.method),
            target: own(self.target),
            status: self.status,
            bytes: self.bytes,
            agent: own(self.agent),
            referer: self.referer.map(own),
            audit: self.audit.map(AuditAction::into_owned),
            aliases: self.aliases.into_iter().map(own).collect(),
        }
    }
}

impl AuditAction<'_> {
    /// Copies every borrowed string.
    pub fn into_owned(self) -> AuditAction<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        fn own_opt(c: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
            c.map(own)
        }
        match self {
            AuditAction::SpaceExport { space } => {
                AuditAction::SpaceExport { space: own_opt(space) }
            }
            AuditAction::PageExport { space, page } => {
                AuditAction::PageExport { space: own_opt(space), page: own_opt(page) }
            }
            AuditAction::SpaceImport { space } => {
                AuditAction::SpaceImport { space: own_opt(space) }
            }
            AuditAction::PageView { space, page } => {
                AuditAction::PageView { space: own_opt(space), page: own_opt(page) }
            }
            AuditAction::AuditSearch => AuditAction::AuditSearch,
            AuditAction::ApiToken => AuditAction::ApiToken,
            AuditAction::UserCreated { user } => AuditAction::UserCreated { user: own(user) },
            AuditAction::GroupMembershipAdded { user, group } => {
                AuditAction::GroupMembershipAdded { user: own(user), group: own(group) }
            }
            AuditAction::GlobalPermissionGranted { grantee, permission } => {
                AuditAction::GlobalPermissionGranted {
                    grantee: own(grantee),
                    permission: own(permission),
                }
            }
            AuditAction::SpacePermissionChanged { space } => {
                AuditAction::SpacePermissionChanged { space: own_opt(space) }
            }
            AuditAction::Other { action } => AuditAction::Other { action: own(action) },
        }
    }
}
