//! What an audit record means: its action text (stable i18n key first, English summary or
//! organization action as fallback) mapped to an [`AuditAction`], with the objects it names.
//!
//! Matching is on words, not whole strings, so `audit.logging.summary.group.membership.added`,
//! `User added to group` and `user_added_to_group` all land on the same action without a table
//! per product version.

use crate::event::AuditAction;
use std::borrow::Cow;

/// An object a record names (affected, associated, context or container).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'v> {
    pub kind: &'v str,
    pub name: Option<&'v str>,
    pub id: Option<&'v str>,
    pub uri: Option<&'v str>,
}

/// A changed value or extra attribute: its key and new value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change<'v> {
    pub key: &'v str,
    pub to: Option<&'v str>,
}

/// The parts of a record that decide its action, whatever its shape.
#[derive(Debug, Default)]
pub(crate) struct Facts<'v> {
    /// Stable key (`auditType.actionI18nKey`, org `attributes.action`).
    pub key: Option<&'v str>,
    /// English action or summary.
    pub text: Option<&'v str>,
    pub objects: Vec<Obj<'v>>,
    pub changes: Vec<Change<'v>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SpaceExport,
    PageExport,
    SpaceImport,
    PageView,
    AuditSearch,
    ApiToken,
    UserCreated,
    GroupAdded,
    GlobalGrant,
    SpacePermission,
    Other,
}

/// Words that matter, one bit each.
mod w {
    pub const SPACE: u64 = 1;
    pub const PAGE: u64 = 1 << 1;
    pub const EXPORT: u64 = 1 << 2;
    pub const IMPORT: u64 = 1 << 3;
    pub const VIEW: u64 = 1 << 4;
    pub const AUDIT: u64 = 1 << 5;
    pub const SEARCH: u64 = 1 << 6;
    pub const TOKEN: u64 = 1 << 7;
    pub const CREATE: u64 = 1 << 8;
    pub const USE: u64 = 1 << 9;
    pub const USER: u64 = 1 << 10;
    pub const GROUP: u64 = 1 << 11;
    pub const ADD: u64 = 1 << 12;
    pub const MEMBER: u64 = 1 << 13;
    pub const GLOBAL: u64 = 1 << 14;
    pub const PERMISSION: u64 = 1 << 15;
    pub const NEGATION: u64 = 1 << 16;
    pub const TO: u64 = 1 << 17;
}

fn word_bit(word: &str) -> u64 {
    const TABLE: &[(&[&str], u64)] = &[
        (&["space", "spaces"], w::SPACE),
        (&["page", "pages", "content", "blog", "blogpost", "pdf", "word"], w::PAGE),
        (&["export", "exported", "exports"], w::EXPORT),
        (&["import", "imported"], w::IMPORT),
        (&["view", "viewed"], w::VIEW),
        (&["audit"], w::AUDIT),
        (&["search", "searched", "download", "downloaded"], w::SEARCH),
        (&["token", "tokens"], w::TOKEN),
        (&["created", "create", "generated"], w::CREATE),
        (&["used", "use"], w::USE),
        (&["user", "users", "account"], w::USER),
        (&["group", "groups"], w::GROUP),
        (&["added", "add", "granted", "grant"], w::ADD),
        (&["membership", "member"], w::MEMBER),
        (&["global"], w::GLOBAL),
        (&["permission", "permissions"], w::PERMISSION),
        (&["to"], w::TO),
        (
            &["removed", "remove", "deleted", "delete", "revoked", "revoke", "failed", "disabled"],
            w::NEGATION,
        ),
    ];
    let known = |ws: &[&str]| ws.iter().any(|k| word.eq_ignore_ascii_case(k));
    TABLE.iter().find(|(ws, _)| known(ws)).map_or(0, |&(_, b)| b)
}

/// Prefixes every key of a family shares; they would otherwise read as the word "audit".
const KEY_PREFIXES: [&str; 3] = [
    "audit.logging.summary.",
    "atlassian.audit.event.action.",
    "personal.access.tokens.audit.log.summary.",
];

fn kind_of(text: &str) -> Kind {
    let text = KEY_PREFIXES.iter().find_map(|p| text.strip_prefix(p)).unwrap_or(text);
    let f =
        text.split(|c: char| !c.is_ascii_alphanumeric()).fold(0, |acc, word| acc | word_bit(word));
    let has = |bits: u64| f & bits == bits;
    let neg = has(w::NEGATION);
    if has(w::PERMISSION) {
        return match () {
            _ if has(w::GLOBAL | w::ADD) && !neg => Kind::GlobalGrant,
            _ if has(w::SPACE) => Kind::SpacePermission,
            _ => Kind::Other,
        };
    }
    match () {
        _ if neg => Kind::Other,
        _ if has(w::GROUP | w::ADD) && f & (w::USER | w::MEMBER | w::TO) != 0 => Kind::GroupAdded,
        _ if has(w::AUDIT) && f & (w::SEARCH | w::EXPORT) != 0 => Kind::AuditSearch,
        _ if has(w::TOKEN) && f & (w::CREATE | w::USE) != 0 => Kind::ApiToken,
        _ if has(w::USER | w::CREATE) && !has(w::GROUP) => Kind::UserCreated,
        _ if has(w::SPACE | w::EXPORT) => Kind::SpaceExport,
        _ if has(w::PAGE | w::EXPORT) => Kind::PageExport,
        _ if has(w::SPACE | w::IMPORT) => Kind::SpaceImport,
        _ if has(w::PAGE | w::VIEW) => Kind::PageView,
        _ => Kind::Other,
    }
}

fn is_kind(o: &Obj<'_>, names: &[&str]) -> bool {
    names.iter().any(|n| o.kind.eq_ignore_ascii_case(n))
}

/// `...?username=eve` or `...?spaceKey=ENG` in an object's URI.
pub(crate) fn query_param<'v>(uri: &'v str, key: &str) -> Option<&'v str> {
    let (_, q) = uri.split_once('?')?;
    q.split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).filter(|v| !v.is_empty())
}

/// The key of a space from its URI (`/display/ENG`, `/spaces/ENG`, `?key=ENG`, `?spaceKey=ENG`).
fn space_key(uri: &str) -> Option<&str> {
    if let Some(k) = query_param(uri, "spaceKey").or_else(|| query_param(uri, "key")) {
        return Some(k);
    }
    let path = uri.split(['?', '#']).next()?;
    let mut segs = path.split('/');
    segs.find(|s| *s == "display" || *s == "spaces")?;
    segs.next().filter(|k| !k.is_empty() && !k.ends_with(".action"))
}

fn change<'v>(f: &Facts<'v>, keys: &[&str]) -> Option<&'v str> {
    f.changes.iter().find_map(|c| {
        let k = c.key.to_ascii_lowercase();
        keys.iter().any(|want| k.contains(want)).then_some(c.to?)
    })
}

fn is_key_like(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'~')
}

fn space<'v>(f: &Facts<'v>) -> Option<Cow<'v, str>> {
    let spaces = || f.objects.iter().filter(|o| is_kind(o, &["space", "spaces"]));
    spaces()
        .find_map(|o| o.uri.and_then(space_key))
        .or_else(|| change(f, &["space key", "spacekey"]))
        // Cloud names a space twice (title and key): the key-shaped name wins.
        .or_else(|| spaces().filter_map(|o| o.name).find(|n| is_key_like(n)))
        .or_else(|| spaces().find_map(|o| o.name.or(o.id)))
        .map(Cow::Borrowed)
}

/// The page a record names, for distinct-page counts: its id (the object's, or `pageId` of its
/// URI), else `KEY/Title` (or the title alone when no space is named). Object kinds vary by
/// product and API (`Page`, `page`, `blogpost`, `confluence.page`), so any kind that says page
/// or blog counts.
fn page<'v>(f: &Facts<'v>, space: Option<&str>) -> Option<Cow<'v, str>> {
    let is_page = |o: &&Obj<'v>| {
        let k = o.kind.as_bytes();
        [b"page".as_slice(), b"blog"]
            .iter()
            .any(|w| k.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
    };
    let o = f.objects.iter().find(is_page)?;
    if let Some(id) = o.id.or_else(|| o.uri.and_then(|u| query_param(u, "pageId"))) {
        return Some(Cow::Borrowed(id));
    }
    let title = o.name.filter(|n| !n.is_empty())?;
    Some(match space {
        Some(key) => Cow::Owned(format!("{key}/{title}")),
        None => Cow::Borrowed(title),
    })
}

/// A user object's login: `?username=` of its URI, else its name, else its id.
fn user_of<'v>(f: &Facts<'v>) -> Option<&'v str> {
    let o = f.objects.iter().find(|o| is_kind(o, &["user", "users", "account", "accounts"]))?;
    o.uri.and_then(|u| query_param(u, "username")).or(o.name).or(o.id)
}

fn group_of<'v>(f: &Facts<'v>) -> Option<&'v str> {
    let o = f.objects.iter().find(|o| is_kind(o, &["group", "groups"]))?;
    o.name.or(o.id).map(without_directory_id)
}

/// Confluence Cloud names a group with its directory id after a colon
/// (`site-admins:4375f4c3-bfdf-4f36-a62e-141ccf1588a3`): the group is the part before it.
fn without_directory_id(group: &str) -> &str {
    match group.rsplit_once(':') {
        Some((name, id))
            if !name.is_empty()
                && id.len() >= 8
                && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') =>
        {
            name
        }
        _ => group,
    }
}

/// The UI names of the two administration permissions, as the permission keys rules know.
fn permission_key(p: &str) -> &str {
    const NAMES: &[(&str, &str)] = &[
        ("system administrator", "SYSTEMADMINISTRATOR"),
        ("system administration", "SYSTEMADMINISTRATOR"),
        ("confluence administrator", "ADMINISTRATECONFLUENCE"),
        ("administer confluence", "ADMINISTRATECONFLUENCE"),
    ];
    NAMES.iter().find(|(ui, _)| p.trim().eq_ignore_ascii_case(ui)).map_or(p, |&(_, key)| key)
}

/// The action of a record, or `None` when it names no action at all.
pub(crate) fn action<'v>(f: &Facts<'v>) -> Option<AuditAction<'v>> {
    let label = f.key.or(f.text)?;
    let mut kind = f.key.map_or(Kind::Other, kind_of);
    if kind == Kind::Other {
        kind = f.text.map_or(Kind::Other, kind_of);
    }
    let other = || AuditAction::Other { action: Cow::Borrowed(label) };
    Some(match kind {
        Kind::SpaceExport => AuditAction::SpaceExport { space: space(f) },
        Kind::PageExport => {
            let space = space(f);
            let page = page(f, space.as_deref());
            AuditAction::PageExport { space, page }
        }
        Kind::SpaceImport => AuditAction::SpaceImport { space: space(f) },
        Kind::PageView => {
            let space = space(f);
            let page = page(f, space.as_deref());
            AuditAction::PageView { space, page }
        }
        Kind::SpacePermission => AuditAction::SpacePermissionChanged { space: space(f) },
        Kind::AuditSearch => AuditAction::AuditSearch,
        Kind::ApiToken => AuditAction::ApiToken,
        Kind::UserCreated => match change(f, &["username", "user name"]).or_else(|| user_of(f)) {
            Some(user) => AuditAction::UserCreated { user: Cow::Borrowed(user) },
            None => other(),
        },
        Kind::GroupAdded => {
            let user = user_of(f).or_else(|| change(f, &["user"]));
            let group = group_of(f).or_else(|| change(f, &["group"]));
            match (user, group) {
                (Some(u), Some(g)) => AuditAction::GroupMembershipAdded {
                    user: Cow::Borrowed(u),
                    group: Cow::Borrowed(g),
                },
                _ => other(),
            }
        }
        Kind::GlobalGrant => {
            let grantee = user_of(f)
                .or_else(|| group_of(f))
                .or_else(|| change(f, &["user", "group", "grantee"]));
            let permission = change(f, &["permission"])
                .or_else(|| {
                    f.objects
                        .iter()
                        .find(|o| is_kind(o, &["permission"]))
                        .and_then(|o| o.name.or(o.id))
                })
                .unwrap_or("");
            match grantee {
                Some(g) => AuditAction::GlobalPermissionGranted {
                    grantee: Cow::Borrowed(g),
                    permission: Cow::Borrowed(permission_key(permission)),
                },
                None => other(),
            }
        }
        Kind::Other => other(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_summaries_and_org_actions_agree() {
        let cases = [
            ("audit.logging.summary.group.membership.added", Kind::GroupAdded),
            ("User added to group", Kind::GroupAdded),
            ("user_added_to_group", Kind::GroupAdded),
            ("user_removed_from_group", Kind::Other),
            ("audit.logging.summary.group.created", Kind::Other),
            ("audit.logging.summary.space.import", Kind::SpaceImport),
            ("audit.logging.summary.space.exported", Kind::SpaceExport),
            ("Space exported", Kind::SpaceExport),
            ("audit.logging.summary.page.export.pdf", Kind::PageExport),
            ("Page exported to PDF", Kind::PageExport),
            ("audit.logging.summary.user.created", Kind::UserCreated),
            ("user_created", Kind::UserCreated),
            ("audit.logging.summary.global.permission.added", Kind::GlobalGrant),
            ("Global permission granted", Kind::GlobalGrant),
            ("Global permission removed", Kind::Other),
            ("audit.logging.summary.space.permission.added", Kind::SpacePermission),
            ("Space permission removed", Kind::SpacePermission),
            ("personal.access.tokens.audit.log.summary.token.created", Kind::ApiToken),
            ("api_token_created", Kind::ApiToken),
            ("API token used", Kind::ApiToken),
            ("api_token_revoked", Kind::Other),
            ("atlassian.audit.event.action.audit.search", Kind::AuditSearch),
            ("Audit log exported", Kind::AuditSearch),
            ("audit_log_exported", Kind::AuditSearch),
            ("atlassian.audit.event.action.audit.config.updated", Kind::Other),
            ("Page viewed", Kind::PageView),
            ("audit.logging.summary.login.success", Kind::Other),
        ];
        for (text, want) in cases {
            assert_eq!(kind_of(text), want, "{text}");
        }
    }

    #[test]
    fn space_keys_from_uris() {
        assert_eq!(space_key("http://wiki:8090/display/ENG"), Some("ENG"));
        assert_eq!(space_key("http://wiki:8090/spaces/viewspace.action?key=HR"), Some("HR"));
        assert_eq!(space_key("https://x.atlassian.net/wiki/spaces/OPS/overview"), Some("OPS"));
        assert_eq!(space_key("http://wiki:8090/pages/viewpage.action?pageId=1"), None);
    }

    #[test]
    fn cloud_group_names_lose_their_directory_id() {
        assert_eq!(
            without_directory_id("site-admins:4375f4c3-bfdf-4f36-a62e-141ccf1588a3"),
            "site-admins"
        );
        assert_eq!(without_directory_id("Ops: on call"), "Ops: on call");
        assert_eq!(without_directory_id("confluence-administrators"), "confluence-administrators");
    }

    #[test]
    fn permission_display_names_become_keys() {
        assert_eq!(permission_key("System Administrator"), "SYSTEMADMINISTRATOR");
        assert_eq!(permission_key("Confluence Administrator"), "ADMINISTRATECONFLUENCE");
        assert_eq!(permission_key("USECONFLUENCE"), "USECONFLUENCE");
    }

    #[test]
    fn actions_missing_their_subject_fall_back_to_other() {
        let f =
            Facts { key: Some("audit.logging.summary.group.membership.added"), ..Facts::default() };
        assert_eq!(
            action(&f),
            Some(AuditAction::Other {
                action: Cow::Borrowed("audit.logging.summary.group.membership.added")
            })
        );
        assert_eq!(action(&Facts::default()), None);
    }
}
