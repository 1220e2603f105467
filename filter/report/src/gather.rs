//! The per-entity tables: what one entity read, searched, exported and downloaded, from where,
//! with what, and when. One owner for `wikiwatch scope`, `wikiwatch report` and the browser's
//! exposure report; decoding, classification and baselines are the core's, this only counts.

use crate::pages::{is_title, PageIds};
use serde::Serialize;
use std::collections::BTreeMap;
use wikiwatch_core::classify::Classifier;
use wikiwatch_core::decode::request_target;
use wikiwatch_core::{AccessEvent, AuditAction, BaselineDays, RequestKind};

/// Rows kept per table, so one huge log cannot exhaust memory.
pub const MAX_ROWS: usize = 100_000;
/// Hours of activity kept (over a year).
pub const MAX_HOURS: usize = 24 * 400;
/// Page read times kept.
pub const MAX_READ_TIMES: usize = 500_000;
/// An hour in ms.
pub const HOUR_MS: i64 = 3_600_000;
/// Steps kept for the told-in-order account (exports, downloads, searches, audit actions).
pub const MAX_STEPS: usize = 5_000;

/// A count, bytes sent, and the first and last time seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// Events.
    pub count: u64,
    /// Response bytes summed.
    pub bytes: u64,
    /// First event time (ms).
    pub first: i64,
    /// Last event time (ms).
    pub last: i64,
}

impl Seen {
    /// Counts one event.
    pub fn add(&mut self, t: i64, bytes: u64) {
        self.merge(&Seen { count: 1, bytes, first: t, last: t });
    }

    /// Adds another count.
    pub fn merge(&mut self, o: &Seen) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 || o.first < self.first {
            self.first = o.first;
        }
        if self.count == 0 || o.last > self.last {
            self.last = o.last;
        }
        self.count += o.count;
        self.bytes = self.bytes.saturating_add(o.bytes);
    }
}

/// Counts one event under `key`, up to [`MAX_ROWS`] keys.
pub fn add(map: &mut BTreeMap<String, Seen>, key: &str, t: i64, bytes: u64) {
    if let Some(s) = map.get_mut(key) {
        s.add(t, bytes);
    } else if map.len() < MAX_ROWS {
        map.entry(key.to_string()).or_default().add(t, bytes);
    }
}

/// One thing that happened, for the account told in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Event time (ms).
    pub time: i64,
    /// `export`, `download`, `search`, `audit` or `privilege`.
    pub what: &'static str,
    /// What exactly: the target, search text or audit action.
    pub detail: String,
    /// Space, when known.
    pub space: Option<String>,
    /// Response bytes.
    pub bytes: u64,
}

/// Everything counted about the entity.
#[derive(Debug, Default)]
pub struct Gather {
    /// All its events.
    pub all: Seen,
    /// Requests by kind.
    pub kinds: BTreeMap<String, Seen>,
    /// Spaces touched (reads, exports, downloads, audit actions).
    pub spaces: BTreeMap<String, Seen>,
    /// Pages read, as logged (see [`Gather::pages_merged`]).
    pub pages: BTreeMap<String, Seen>,
    /// Search texts.
    pub searches: BTreeMap<String, Seen>,
    /// Export targets.
    pub exports: BTreeMap<String, Seen>,
    /// Attachment downloads.
    pub downloads: BTreeMap<String, Seen>,
    /// Exports and downloads per space.
    pub space_exports: BTreeMap<String, Seen>,
    /// Audit actions.
    pub audit: BTreeMap<String, Seen>,
    /// User agents.
    pub agents: BTreeMap<String, Seen>,
    /// Client addresses.
    pub addresses: BTreeMap<String, Seen>,
    /// Login names.
    pub users: BTreeMap<String, Seen>,
    /// Denied answers (401, 403).
    pub denied: u64,
    /// A user's days against their baseline.
    pub days: BaselineDays,
    /// Exports, downloads, searches and audit actions in order of arrival (sorted on output).
    pub steps: Vec<Step>,
    /// Page identities.
    pub page_ids: PageIds,
    /// Events per UTC hour (start of the hour in ms), for the activity plot.
    pub hours: BTreeMap<i64, u64>,
    /// Times of page reads, so reads after a privilege change can be counted whatever order
    /// the inputs came in.
    pub read_times: Vec<i64>,
}

impl Gather {
    fn step(
        &mut self,
        time: i64,
        what: &'static str,
        detail: &str,
        space: Option<&str>,
        bytes: u64,
    ) {
        if self.steps.len() < MAX_STEPS {
            let (detail, space) = (detail.to_string(), space.map(str::to_string));
            self.steps.push(Step { time, what, detail, space, bytes });
        }
    }

    /// Counts one of the entity's events.
    pub fn record(&mut self, e: &AccessEvent<'_>, classifier: &Classifier) {
        let (t, b) = (e.time_ms, e.bytes);
        self.all.add(t, b);
        let hour = t.div_euclid(HOUR_MS) * HOUR_MS;
        if let Some(n) = self.hours.get_mut(&hour) {
            *n += 1;
        } else if self.hours.len() < MAX_HOURS {
            self.hours.insert(hour, 1);
        }
        add(&mut self.agents, if e.agent.is_empty() { "-" } else { &e.agent }, t, b);
        if let Some(c) = &e.client {
            add(&mut self.addresses, c, t, b);
        }
        if let Some(u) = &e.user {
            add(&mut self.users, u, t, b);
        }
        if let Some(a) = &e.audit {
            let (what, space) = describe_audit(a);
            add(&mut self.audit, &what, t, 0);
            if let Some(space) = space {
                add(&mut self.spaces, space, t, 0);
            }
            if matches!(a, AuditAction::SpaceExport { .. } | AuditAction::PageExport { .. }) {
                add(&mut self.space_exports, space.unwrap_or("-"), t, 0);
                self.step(t, "export", &what, space, 0);
            } else {
                self.step(t, "audit", &what, space, 0);
            }
            return;
        }
        if matches!(e.status, 401 | 403) {
            self.denied += 1;
        }
        let agent = classifier.agent(&e.agent);
        let r = classifier.request(&e.method, &e.target, agent);
        add(&mut self.kinds, r.kind.as_str(), t, b);
        // The title-form page the Referer names, for the page's own background calls by id.
        let from_title = || {
            let path = e.referer.as_deref().and_then(request_target).filter(|p| !p.is_empty())?;
            let by = classifier.request("GET", path, agent);
            by.page.filter(|p| by.kind == RequestKind::PageView && is_title(p))
        };
        let (session, page) = (e.session.as_deref(), r.page.as_deref());
        self.page_ids.observe(session, t, r.kind, page, &e.target, from_title);
        if !r.kind.is_content_read() {
            return;
        }
        let space = r.space.as_deref();
        if let Some(s) = space {
            add(&mut self.spaces, s, t, b);
        }
        let page = r.page.as_deref().unwrap_or(&e.target);
        match r.kind {
            RequestKind::Search => {
                let q = r.query.as_deref().unwrap_or(&e.target);
                add(&mut self.searches, q, t, b);
                self.step(t, "search", q, space, b);
            }
            RequestKind::PageExport | RequestKind::SpaceExport => {
                add(&mut self.exports, &e.target, t, b);
                add(&mut self.space_exports, space.unwrap_or("-"), t, b);
                self.step(t, "export", &e.target, space, b);
            }
            RequestKind::AttachmentDownload => {
                add(&mut self.downloads, &e.target, t, b);
                add(&mut self.space_exports, space.unwrap_or("-"), t, b);
                self.step(t, "download", &e.target, space, b);
            }
            RequestKind::PageView | RequestKind::ApiRead => {
                add(&mut self.pages, page, t, b);
                if self.read_times.len() < MAX_READ_TIMES {
                    self.read_times.push(t);
                }
            }
            _ => {}
        }
    }

    /// Records a privilege granted to the entity (the audit record names the actor as its
    /// user, so it is not one of the entity's own events).
    pub fn record_grant(&mut self, time_ms: i64, what: &str) {
        add(&mut self.audit, what, time_ms, 0);
        self.step(time_ms, "privilege", what, None, 0);
    }

    /// Pages under one identity each, and whether counts may include both spellings.
    pub fn pages_merged(&self) -> (BTreeMap<String, crate::pages::PageRow>, bool) {
        self.page_ids.merge(&self.pages)
    }
}

/// A privilege an audit record grants to `user` (an account or one of its names), described.
pub fn grant_to(a: &AuditAction<'_>, names: &[&str]) -> Option<String> {
    match a {
        AuditAction::GroupMembershipAdded { user, group } if names.contains(&user.as_ref()) => {
            Some(format!("added to group {group}"))
        }
        AuditAction::GlobalPermissionGranted { grantee, permission }
            if names.contains(&grantee.as_ref()) =>
        {
            Some(format!("granted {permission}"))
        }
        _ => None,
    }
}

/// An audit action in words, and the space it names.
pub fn describe_audit<'a>(a: &'a AuditAction<'a>) -> (String, Option<&'a str>) {
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
