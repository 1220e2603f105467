//! What the logs hold, counted event by event. The kinds come from the core (its decoders and
//! classifier, through the engine's outcome); this only counts them. Every table is bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use wikiwatch_core::{hash32, AccessEvent, AuditAction, Outcome, RequestKind};

/// Distinct users, addresses, agents and sessions kept; beyond it only events are counted.
const MAX_DISTINCT: usize = 100_000;
/// Active hours kept per source (11 years); a longer log is judged on its first ones.
const MAX_HOURS: usize = 100_000;

const HOUR_MS: i64 = 3_600_000;

/// How a user field names the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserForm {
    /// A login name.
    Name,
    /// An e-mail address.
    Email,
    /// A Data Center user key (32 hex digits).
    Key,
    /// A Confluence Cloud account id (24 hex digits, or `NNNNNN:uuid`).
    AccountId,
    /// A client address where the user should be: a pattern with a field out of place.
    Address,
}

impl UserForm {
    pub fn of(user: &str) -> UserForm {
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        let uuid = |s: &str| s.len() == 36 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if user.parse::<IpAddr>().is_ok() {
            UserForm::Address
        } else if hex(user, 24)
            || user.split_once(':').is_some_and(|(n, id)| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && uuid(id)
            })
        {
            UserForm::AccountId
        } else if hex(user, 32) {
            UserForm::Key
        } else if user.contains('@') {
            UserForm::Email
        } else {
            UserForm::Name
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserForm::Name => "names",
            UserForm::Email => "e-mail addresses",
            UserForm::Key => "user keys",
            UserForm::AccountId => "Cloud account ids",
            UserForm::Address => "client addresses",
        }
    }
}

/// One input's time line.
#[derive(Debug, Default, Clone)]
pub struct SourceTime {
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Hours (since the epoch) with at least one event.
    pub hours: BTreeSet<i64>,
}

impl SourceTime {
    fn add(&mut self, t: i64) {
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        if self.hours.len() < MAX_HOURS {
            self.hours.insert(t.div_euclid(HOUR_MS));
        }
    }

    /// Runs of at least `min_hours` hours without an event, between the first and last event:
    /// (start, end) in ms.
    pub fn gaps(&self, min_hours: i64) -> Vec<(i64, i64)> {
        let hours: Vec<i64> = self.hours.iter().copied().collect();
        hours
            .windows(2)
            .filter(|w| w[1] - w[0] > min_hours)
            .map(|w| ((w[0] + 1) * HOUR_MS, w[1] * HOUR_MS))
            .collect()
    }
}

/// Events by audit action, grouped the way Atlassian's audit coverage areas group them.
#[derive(Debug, Default, Clone)]
pub struct AuditSeen {
    /// Page views (Data Center: "End user activity"; Cloud: page analytics).
    pub page_views: u64,
    /// Group memberships and accounts created ("User management").
    pub user_management: u64,
    /// Global and space permissions ("Permissions").
    pub permissions: u64,
    /// Space and page exports and imports.
    pub exports: u64,
    /// API tokens and audit-log searches ("Security").
    pub security: u64,
    /// Everything else.
    pub other: u64,
}

/// Everything counted.
#[derive(Debug, Default)]
pub struct Tally {
    pub events: u64,
    /// Events from access logs (not audit records).
    pub access: u64,
    pub audit_records: u64,
    pub with_user: u64,
    pub access_with_user: u64,
    pub users: BTreeMap<String, UserForm>,
    pub access_with_client: u64,
    pub with_client: u64,
    /// Events per client address.
    pub addresses: BTreeMap<String, u64>,
    /// Distinct users per address (first few only: enough to tell a proxy).
    pub address_users: BTreeMap<String, BTreeSet<u32>>,
    pub access_with_agent: u64,
    pub agents: BTreeSet<u32>,
    /// Access events by agent kind.
    pub agent_kinds: BTreeMap<&'static str, u64>,
    pub access_with_session: u64,
    pub sessions: BTreeSet<u32>,
    /// Events by request kind (audit records included, as the core classifies them).
    pub kinds: BTreeMap<&'static str, u64>,
    /// Access events whose answer is known, and those denied (401, 403, 404).
    pub with_status: u64,
    pub denied: u64,
    pub audit: AuditSeen,
    /// Per input.
    pub sources: Vec<SourceTime>,
    /// All inputs together.
    pub all: SourceTime,
}

impl Tally {
    pub fn new(inputs: usize) -> Tally {
        Tally { sources: vec![SourceTime::default(); inputs], ..Tally::default() }
    }

    /// Counts one event of input `input` with what the engine made of it.
    pub fn add(&mut self, input: usize, e: &AccessEvent<'_>, outcome: &Outcome) {
        self.events += 1;
        if let Some(s) = self.sources.get_mut(input) {
            s.add(e.time_ms);
        }
        self.all.add(e.time_ms);
        *self.kinds.entry(outcome.request.as_str()).or_default() += 1;
        let user = e.user.as_deref().filter(|u| !u.is_empty() && *u != "-");
        if let Some(u) = user {
            self.with_user += 1;
            if e.audit.is_none() {
                self.access_with_user += 1;
            }
            if self.users.len() < MAX_DISTINCT && !self.users.contains_key(u) {
                self.users.insert(u.to_string(), UserForm::of(u));
            }
        }
        if let Some(c) = e.client.as_deref().filter(|c| !c.is_empty()) {
            self.with_client += 1;
            if e.audit.is_none() {
                self.access_with_client += 1;
            }
            if let Some(n) = self.addresses.get_mut(c) {
                *n += 1;
            } else if self.addresses.len() < MAX_DISTINCT {
                self.addresses.insert(c.to_string(), 1);
            }
            if let Some(u) = user {
                let room = self.address_users.len() < MAX_DISTINCT;
                match self.address_users.get_mut(c) {
                    Some(set) if set.len() < 16 => {
                        set.insert(hash32(u));
                    }
                    None if room => {
                        self.address_users.insert(c.to_string(), BTreeSet::from([hash32(u)]));
                    }
                    _ => {}
                }
            }
        }
        match &e.audit {
            Some(a) => {
                self.audit_records += 1;
                self.audit_action(a);
            }
            None => self.access(e, outcome),
        }
    }

    fn access(&mut self, e: &AccessEvent<'_>, outcome: &Outcome) {
        self.access += 1;
        if !e.agent.is_empty() {
            self.access_with_agent += 1;
            if self.agents.len() < MAX_DISTINCT {
                self.agents.insert(hash32(&e.agent));
            }
        }
        *self.agent_kinds.entry(outcome.agent.as_str()).or_default() += 1;
        if let Some(s) = &outcome.session {
            self.access_with_session += 1;
            if self.sessions.len() < MAX_DISTINCT {
                self.sessions.insert(hash32(s));
            }
        }
        if e.status != 0 {
            self.with_status += 1;
            if matches!(e.status, 401 | 403 | 404) && outcome.request.is_content_read() {
                self.denied += 1;
            }
        }
    }

    fn audit_action(&mut self, a: &AuditAction<'_>) {
        let seen = &mut self.audit;
        let n = match a {
            AuditAction::PageView { .. } => &mut seen.page_views,
            AuditAction::UserCreated { .. } | AuditAction::GroupMembershipAdded { .. } => {
                &mut seen.user_management
            }
            AuditAction::GlobalPermissionGranted { .. }
            | AuditAction::SpacePermissionChanged { .. } => &mut seen.permissions,
            AuditAction::SpaceExport { .. }
            | AuditAction::PageExport { .. }
            | AuditAction::SpaceImport { .. } => &mut seen.exports,
            AuditAction::ApiToken | AuditAction::AuditSearch => &mut seen.security,
            AuditAction::Other { .. } => &mut seen.other,
        };
        *n += 1;
    }

    /// Events of one request kind.
    pub fn kind(&self, k: RequestKind) -> u64 {
        self.kinds.get(k.as_str()).copied().unwrap_or(0)
    }

    /// Distinct users by how they are named.
    pub fn user_forms(&self) -> BTreeMap<UserForm, u64> {
        let mut m = BTreeMap::new();
        for f in self.users.values() {
            *m.entry(*f).or_default() += 1;
        }
        m
    }
}
