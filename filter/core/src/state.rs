//! What the engine remembers about one entity, and how one event updates it.
//!
//! Everything here is fixed-size except the lazily allocated evidence and alert memos, so a
//! table of these has a hard memory bound (see `table.rs`).

use crate::alert::{EntityKind, Severity};
use crate::classify::{AgentKind, RequestKind};
use crate::event::TimeMs;
use crate::evidence::EvidenceBuf;
use crate::profile::{Metric, Profile};
use crate::rules::{Params, RuleId};
use crate::sketch::{Linear, LinearCounter, SmallSet};
use crate::window::{Bucket, Tumbling};
use serde::{Deserialize, Serialize};

/// An event as the rules see it: classified, hashed, with the few strings evidence needs.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    pub time: TimeMs,
    pub kind: RequestKind,
    pub agent_kind: AgentKind,
    pub agent: &'a str,
    pub client: Option<&'a str>,
    pub target: &'a str,
    pub status: u16,
    pub ip_hash: Option<u32>,
    pub session_hash: Option<u32>,
    pub agent_hash: u32,
    pub page_hash: Option<u32>,
    pub space: Option<&'a str>,
    pub space_hash: Option<u32>,
    pub paginated: bool,
    pub query: Option<&'a str>,
    /// Credential-like terms the query matched (bits; 0 for none).
    pub sensitive: u64,
    /// Weight of an export-like request (download-all counts more than one file).
    pub export_weight: u32,
}

/// Distinct pages, spaces and pagination steps in the enumeration window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Enumeration {
    pub window: Tumbling,
    pub pages: LinearCounter,
    pub spaces: Linear<2>,
    pub pagination: u32,
}

/// Addresses, sessions and agents of an account (or of a session) in the session window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Spread {
    pub window: Tumbling,
    pub ips: Linear<2>,
    pub sessions: Linear<2>,
    pub agents: SmallSet<4>,
}

/// The last alert of one rule on this entity: the cooldown and escalation memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Memo {
    pub rule: RuleId,
    pub at: TimeMs,
    pub count: u64,
    pub severity: Severity,
    pub stage: u8,
}

/// The accounts seen from one client address in the `shared-address` window (addresses only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Accounts {
    pub window: Tumbling,
    pub all: Linear<2>,
    /// Accounts for which the address was new (never used on an earlier day).
    pub new: Linear<2>,
}

/// What one event changed in a user's profile.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProfileStep {
    /// Page count of a day that just closed.
    pub closed: Option<u32>,
    /// On the account's first use of the address today: whether the address is new to it.
    pub address: Option<bool>,
    /// The account's first event of the day.
    pub first_today: bool,
    /// Today's pages just passed twice the account's median day.
    pub elevated: bool,
}

/// An entity's incident of one day: the worst severity written and the rules that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Incident {
    pub day: i64,
    pub worst: Severity,
    /// The kinds of evidence shown: bit `4 * rule index + stage` (stages above 3 count as 3).
    pub shown: u64,
}

/// Everything tracked for one user, address or session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct EntityState {
    pub first_seen: TimeMs,
    pub last_seen: TimeMs,
    pub total: u32,
    pub burst: Bucket,
    pub programmatic: Tumbling,
    /// Pages read with a browser agent in the `programmatic-agent` window, and the static
    /// resources and background calls that came with them: a real browser always has some.
    pub browser_pages: Tumbling,
    pub browser_assets: u32,
    pub enumeration: Enumeration,
    pub exports: Tumbling,
    pub space_exports: Tumbling,
    pub sensitive: Tumbling,
    /// Credential-like terms searched in the window (bits of `search::sensitive_terms`).
    pub sensitive_terms: u64,
    pub spread: Spread,
    pub denied: Tumbling,
    /// What is normal for a user (users only).
    pub profile: Option<Box<Profile>>,
    pub saw_browser: bool,
    pub evidence: Option<Box<EvidenceBuf>>,
    pub memos: Vec<Memo>,
    pub incident: Option<Incident>,
    /// Accounts seen from this address (addresses with authenticated traffic only).
    pub accounts: Option<Box<Accounts>>,
}

/// Windows of the rules that count in this state, resolved once from config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    pub burst: (u64, i64),
    pub programmatic: i64,
    pub enumeration: i64,
    pub exports: i64,
    pub space_exports: i64,
    pub sensitive: i64,
    pub spread: i64,
    pub denied: i64,
}

impl Windows {
    pub fn from_params(p: &[Params; RuleId::ALL.len()]) -> Windows {
        let w = |r: RuleId| p[r.index()].window.as_ms();
        Windows {
            burst: (p[RuleId::BurstRate.index()].threshold, w(RuleId::BurstRate)),
            programmatic: w(RuleId::ProgrammaticAgent),
            enumeration: w(RuleId::MassEnumeration),
            exports: w(RuleId::BulkExport),
            space_exports: w(RuleId::SpaceExport),
            sensitive: w(RuleId::SensitiveSearch),
            spread: w(RuleId::SessionAnomaly),
            denied: w(RuleId::AccessDeniedProbing),
        }
    }
}

const DAY_MS: i64 = 86_400_000;

impl EntityState {
    /// Updates every window counter with one event.
    pub fn observe(&mut self, v: &View<'_>, w: &Windows) {
        if self.total == 0 {
            self.first_seen = v.time;
        }
        self.last_seen = self.last_seen.max(v.time);
        self.total = self.total.saturating_add(1);
        let content = v.kind.is_content_read();
        let counted = !matches!(v.kind, RequestKind::Static | RequestKind::Background);
        if counted {
            self.burst.add(v.time, w.burst.0, w.burst.1);
        }
        if v.agent_kind == AgentKind::Browser {
            self.saw_browser = true;
        }
        if v.agent_kind == AgentKind::Browser {
            if self.browser_pages.roll(v.time, w.programmatic) {
                self.browser_assets = 0;
            }
            if content {
                self.browser_pages.count = self.browser_pages.count.saturating_add(1);
            } else if !counted {
                self.browser_assets = self.browser_assets.saturating_add(1);
            }
        }
        if content && v.agent_kind.is_programmatic() {
            self.programmatic.add(v.time, w.programmatic, 1);
        }
        if content {
            let e = &mut self.enumeration;
            if e.window.roll(v.time, w.enumeration) {
                e.pages.clear();
                e.spaces.clear();
                e.pagination = 0;
            }
            e.window.count = e.window.count.saturating_add(1);
            if let Some(p) = v.page_hash {
                e.pages.insert(p);
            }
            if let Some(s) = v.space_hash {
                e.spaces.insert(s);
            }
            if v.paginated {
                e.pagination = e.pagination.saturating_add(1);
            }
        }
        if v.export_weight > 0 && v.kind != RequestKind::SpaceExport {
            self.exports.add(v.time, w.exports, v.export_weight);
        }
        if v.kind == RequestKind::SpaceExport {
            self.space_exports.add(v.time, w.space_exports, 1);
        }
        if v.sensitive != 0 {
            if self.sensitive.roll(v.time, w.sensitive) {
                self.sensitive_terms = 0;
            }
            self.sensitive.count = self.sensitive.count.saturating_add(1);
            self.sensitive_terms |= v.sensitive;
        }
        let s = &mut self.spread;
        if s.window.roll(v.time, w.spread) {
            s.ips.clear();
            s.sessions.clear();
            s.agents.clear();
        }
        s.window.count = s.window.count.saturating_add(1);
        if let Some(ip) = v.ip_hash {
            s.ips.insert(ip);
        }
        if let Some(sess) = v.session_hash {
            s.sessions.insert(sess);
        }
        if counted {
            s.agents.insert(v.agent_hash);
        }
        if content && matches!(v.status, 401 | 403 | 404) {
            self.denied.add(v.time, w.denied, 1);
        }
    }

    /// Counts an account seen from this address; `new` when the address is new to it.
    pub fn account(&mut self, now: TimeMs, window: i64, user: u32, new: bool) {
        self.last_seen = self.last_seen.max(now);
        let a = self.accounts.get_or_insert_with(Box::default);
        if a.window.roll(now, window) {
            a.all.clear();
            a.new.clear();
        }
        a.window.count = a.window.count.saturating_add(1);
        a.all.insert(user);
        if new {
            a.new.insert(user);
        }
    }

    /// Updates a user's profile with one event. Returns the page count of a day that just
    /// closed, if one did, and on the account's first use of the event's address today,
    /// whether that address is new to it.
    pub fn profile(&mut self, v: &View<'_>) -> ProfileStep {
        let fresh = self.profile.is_none();
        let p = self.profile.get_or_insert_with(Box::default);
        let day = p.day;
        let closed = p.roll(v.time);
        let first_today = fresh || p.day != day;
        if first_today && self.memos.iter().all(|m| v.time - m.at >= DAY_MS) {
            // A user's evidence is of their day: a new day with no recent alert starts afresh.
            self.evidence = None;
        }
        let page_read = v.kind.is_content_read() && v.kind != RequestKind::Search;
        if page_read {
            p.count(Metric::Pages, 1, v.time);
            if v.agent_kind.is_programmatic() {
                p.count(Metric::Programmatic, 1, v.time);
            }
        }
        if v.kind == RequestKind::Edit {
            p.edits = p.edits.saturating_add(1);
        }
        if v.export_weight > 0 && v.kind != RequestKind::SpaceExport {
            p.count(Metric::Exports, v.export_weight, v.time);
        }
        let address = p.saw(v.time, v.ip_hash, v.space_hash, page_read);
        let elevated = page_read && p.becomes_elevated();
        ProfileStep { closed, address, first_today, elevated }
    }

    /// Pages the user read today (0 for other entities).
    pub fn pages_today(&self) -> u32 {
        self.profile.as_ref().map_or(0, |p| p.today[Metric::Pages as usize])
    }

    /// Records what an alert on this entity would show of one event.
    pub fn record_evidence(&mut self, v: &View<'_>) {
        let notable = v.agent_kind != AgentKind::Browser
            || v.export_weight > 0
            || v.sensitive != 0
            || matches!(v.status, 401 | 403)
            || v.kind == RequestKind::SpaceExport;
        // Asked only while there is no evidence yet: once kept, it is kept for the day.
        let routine = self.evidence.is_none()
            && !notable
            && !self.warm()
            && self.profile.as_deref().is_some_and(|p| p.routine(v));
        if let Some(e) = self.evidence_mut(notable, routine) {
            e.see(v.client.zip(v.ip_hash), (v.agent, v.agent_hash));
            if v.kind.is_content_read() {
                if let (Some(s), Some(h)) = (v.space, v.space_hash) {
                    e.space(s, h);
                }
                if !v.target.is_empty() {
                    e.sample(v.target);
                }
            }
            if let (true, Some(q)) = (v.sensitive != 0, v.query) {
                e.query(q);
            }
        }
    }

    /// Evidence is kept for entities past a few events or doing anything notable, so a flood of
    /// one-request addresses costs no allocation; and for a user, not while their day is
    /// routine (their usual volume, hours and addresses, nothing warm in any window), so an
    /// ordinary account costs none either.
    pub fn evidence_mut(&mut self, notable: bool, routine: bool) -> Option<&mut EvidenceBuf> {
        if self.evidence.is_none() && (notable || (self.total >= 5 && !routine)) {
            self.evidence = Some(Box::default());
        }
        self.evidence.as_deref_mut()
    }

    /// The incident id of an alert that gets its own line, or `None` when the entity's
    /// incident of the day already shows this kind of evidence (rule and stage) at this
    /// severity or worse.
    pub fn incident_line(
        &mut self,
        kind: EntityKind,
        key: &str,
        now: TimeMs,
        (rule, stage): (RuleId, u8),
        severity: Severity,
    ) -> Option<String> {
        let day = now.div_euclid(DAY_MS);
        let bit = 1u64 << (4 * rule.index() + usize::from(stage.min(3)));
        let open = self.incident.filter(|i| i.day == day);
        if open.is_some_and(|i| severity <= i.worst && i.shown & bit != 0) {
            return None;
        }
        self.incident = Some(Incident {
            day,
            worst: open.map_or(severity, |i| i.worst.max(severity)),
            shown: open.map_or(0, |i| i.shown) | bit,
        });
        let seed = 0x01c1_de47;
        let name = format!("{}:{key}:{day}", kind.as_str());
        Some(format!("i-{:016x}", xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), seed)))
    }

    /// The memo of `rule`, if it alerted.
    pub fn memo(&self, rule: RuleId) -> Option<&Memo> {
        self.memos.iter().find(|m| m.rule == rule)
    }

    /// Records an alert of `rule`.
    pub fn remember(&mut self, memo: Memo) {
        match self.memos.iter_mut().find(|m| m.rule == memo.rule) {
            Some(m) => *m = memo,
            None => self.memos.push(memo),
        }
    }

    /// An entity with open evidence: evicting it would let an attacker reset their counts.
    pub fn is_hot(&self, now: TimeMs, cooldown: i64) -> bool {
        self.memos.iter().any(|m| now - m.at < cooldown)
            || self.enumeration.window.count >= 20
            || self.programmatic.count >= 5
            || self.exports.count > 0
            || self.sensitive.count > 0
            || self.denied.count >= 5
    }

    /// Anything in a window that a rule may soon judge: reads piling up within the hour, any
    /// script, export, sensitive search or refusal, more than one address or agent.
    fn warm(&self) -> bool {
        self.enumeration.window.count >= 20
            || self.programmatic.count > 0
            || self.exports.count > 0
            || self.space_exports.count > 0
            || self.sensitive.count > 0
            || self.denied.count > 0
            || self.spread.ips.estimate() > 1
            || self.spread.agents.len() > 1
    }
}
