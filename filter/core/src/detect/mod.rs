//! The pipeline behind [`crate::Engine`]: classify, update entity state, run the rules, and
//! raise alerts with cooldown and escalation.

use crate::alert::{format_time, AlertSink, EntityKind};
use crate::band::Baseline;
mod address;
mod audit;

use crate::allow::{AllowList, AllowMatch};
use crate::classify::{AgentKind, Classifier, Pagination, Request, RequestKind};
use crate::clock::{Clock, Timing};
use crate::config::Config;
use crate::event::{AccessEvent, AuditAction, TimeMs};
use crate::identity::{Directory, Learned};
use crate::judge::{self, Judge};
use crate::raise::{raise, Pending, Raise};
use crate::rules::search::SensitiveTerms;
use crate::rules::{baseline, for_each_rule, privilege, Params, RuleId};
use crate::sketch::{fold32, hash32, hash64};
use crate::snapshot::{SnapshotError, State};
use crate::state::{View, Windows};
use crate::stats::{Counters, Stats};
use crate::table::Table;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Earliest event time accepted: 0000-01-01T00:00:00Z.
const MIN_TIME: TimeMs = -62_167_219_200_000;
/// Latest event time accepted: 9999-12-31T23:59:59.999Z.
const MAX_TIME: TimeMs = 253_402_300_799_999;

/// What the engine made of one event (hosts use it to annotate records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Request kind.
    pub request: RequestKind,
    /// Agent kind.
    pub agent: AgentKind,
    /// Hashed session id, when the event had one.
    pub session: Option<String>,
    /// Name of the allow entry that matched, if any.
    pub allowed_by: Option<String>,
    /// The event was older than the late tolerance and was skipped.
    pub late: bool,
}

/// Everything but the decoders: classify, update entity state, judge, raise.
#[derive(Debug)]
pub(crate) struct Pipeline {
    config: Config,
    classifier: Classifier,
    allow: AllowList,
    allow_names: Vec<String>,
    dir: Directory,
    params: [Params; RuleId::ALL.len()],
    /// `sensitive-search` terms, built-in and configured.
    terms: SensitiveTerms,
    /// Per rule: role name -> threshold.
    role_thresholds: Vec<BTreeMap<String, u64>>,
    windows: Windows,
    /// Longest cooldown: how long an alerted entity stays protected from eviction.
    protect_ms: i64,
    late_ms: i64,
    ahead_ms: i64,
    clock: Clock,
    users: Table,
    ips: Table,
    sessions: Table,
    learned: Learned,
    pub counters: Counters,
}

impl Pipeline {
    pub fn new(config: Config) -> Pipeline {
        let params = RuleId::ALL.map(|id| config.params(id));
        let role_thresholds = RuleId::ALL
            .iter()
            .map(|id| {
                config.rules.get(id).map_or_else(BTreeMap::new, |c| {
                    c.roles.iter().filter_map(|(r, o)| Some((r.clone(), o.threshold?))).collect()
                })
            })
            .collect();
        let l = &config.limits;
        Pipeline {
            classifier: Classifier::new(&config.classify),
            allow: AllowList::new(&config.allow),
            allow_names: config.allow.iter().map(|a| a.name.clone()).collect(),
            dir: Directory::new(&config.identity),
            terms: SensitiveTerms::new(&params[RuleId::SensitiveSearch.index()].terms),
            windows: Windows::from_params(&params),
            protect_ms: params.iter().map(|p| p.cooldown.as_ms()).max().unwrap_or(0),
            late_ms: l.late_tolerance.as_ms(),
            ahead_ms: l.ahead_tolerance.as_ms(),
            clock: Clock::default(),
            users: Table::new(l.max_users),
            ips: Table::new(l.max_ips),
            sessions: Table::new(l.max_sessions),
            learned: Learned::default(),
            counters: Counters::new(config.allow.len()),
            params,
            role_thresholds,
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    pub fn push(&mut self, ev: &AccessEvent<'_>, sink: &mut dyn AlertSink) -> Outcome {
        if !(MIN_TIME..=MAX_TIME).contains(&ev.time_ms) {
            // Window arithmetic assumes times within a few thousand years of each other.
            self.counters.out_of_range += 1;
            return Outcome {
                request: RequestKind::Other,
                agent: AgentKind::Other,
                session: None,
                allowed_by: None,
                late: true,
            };
        }
        self.counters.events += 1;
        let agent_h64 = hash64(ev.agent.as_bytes());
        let agent_kind = match &ev.audit {
            // Audit records carry no User-Agent: that says nothing of how the account works.
            Some(_) if ev.agent.is_empty() => AgentKind::Other,
            _ => self.classifier.agent_hashed(&ev.agent, agent_h64),
        };
        let req = match &ev.audit {
            Some(a) => audit_request(a),
            None => self.classifier.request(&ev.method, &ev.target, agent_kind),
        };
        self.counters.classified(req.kind, agent_kind);
        let session = ev.session.as_deref().filter(|s| !s.is_empty()).map(session_id);
        let now = ev.time_ms;
        let late = match self.clock.observe(now, self.late_ms, self.ahead_ms) {
            Timing::Late => true,
            Timing::Ahead => {
                self.counters.ahead += 1;
                false
            }
            Timing::OnTime => false,
        };
        let user = ev.user.as_deref().filter(|u| !u.is_empty() && *u != "-");
        if let (Some(u), false) = (user, ev.aliases.is_empty() || late) {
            self.learn_aliases(u, &ev.aliases, now);
        }
        let learned = ev.audit.is_some().then_some(&self.learned);
        let user: Option<Cow<'_, str>> = user.map(|u| match self.dir.login(u, learned) {
            login if login == u => Cow::Borrowed(u),
            login => Cow::Owned(login.to_string()),
        });
        let user = user.as_deref();
        // One form per address before anything keys on it: allow entries, the address entity.
        let client = ev.client.as_deref().map(crate::address::canonical);
        let client = client.as_deref();
        let allow = self.allow.check(user, client, &ev.agent, &ev.target);
        let outcome = Outcome {
            request: req.kind,
            agent: agent_kind,
            session: session.clone(),
            allowed_by: allow.map(|m| self.allow_names[m.index].clone()),
            late,
        };
        if late {
            self.counters.late += 1;
            return outcome;
        }
        if let Some(m) = allow {
            self.counters.allowed[m.index] += 1;
        }
        let query = req.query.as_deref();
        let view = View {
            time: now,
            kind: req.kind,
            agent_kind,
            agent: &ev.agent,
            client,
            target: &ev.target,
            status: ev.status,
            ip_hash: client.map(hash32),
            session_hash: session.as_deref().map(hash32),
            agent_hash: fold32(agent_h64),
            page_hash: req.page.as_deref().map(hash32),
            space: req.space.as_deref(),
            space_hash: req.space.as_deref().map(hash32),
            paginated: match &req.pagination {
                Some(Pagination::Offset(n)) => *n > 0,
                Some(Pagination::Cursor(_)) => true,
                None => false,
            },
            query,
            sensitive: match (req.kind, query) {
                (RequestKind::Search, Some(q)) => self.terms.bits(q),
                _ => 0,
            },
            export_weight: crate::classify::export_weight(req.kind, req.page.is_some(), &ev.target),
        };
        if let Some(a) = &ev.audit {
            self.audit(a, user, now, allow, sink);
        }
        if let Some(u) = user {
            // An account counts on an address once a day, when it first uses it.
            let first_use = self.entity(EntityKind::User, u, &view, allow, sink);
            if let (Some(ip), Some(new_address)) = (view.client, first_use) {
                self.address(ip, u, new_address, &view, allow, sink);
            }
        } else if let Some(ip) = view.client {
            self.entity(EntityKind::Ip, ip, &view, allow, sink);
        }
        if let Some(s) = &session {
            self.entity(EntityKind::Session, s, &view, allow, sink);
        }
        outcome
    }

    /// A user's bands now (`None` for a user not seen, or never seen since an eviction).
    pub fn baseline(&mut self, user: &str) -> Option<Baseline> {
        let user = self.dir.login(user, Some(&self.learned)).to_string();
        let user = user.as_str();
        let state = self.users.get(user)?;
        let prof = state.profile.as_deref()?;
        let id = RuleId::BaselineDeviation;
        let p = &self.params[id.index()];
        let privileged = self.dir.privileged(user, &self.learned);
        let threshold =
            judge::threshold(p, &self.role_thresholds[id.index()], self.dir.role(user), privileged);
        let peer =
            self.learned.peers.view(self.dir.groups(user), state.last_seen, state.pages_today());
        let mut date = format_time(prof.day_start);
        date.truncate(10);
        Some(Baseline { date, bands: baseline::bands(prof, p, threshold, peer.as_ref()) })
    }

    /// Updates one entity and runs the rules that judge its kind.
    fn entity(
        &mut self,
        kind: EntityKind,
        key: &str,
        v: &View<'_>,
        allow: Option<AllowMatch>,
        sink: &mut dyn AlertSink,
    ) -> Option<bool> {
        let (role, privileged) = match kind {
            EntityKind::User => (self.dir.role(key), self.dir.privileged(key, &self.learned)),
            _ => (None, false),
        };
        let table = match kind {
            EntityKind::User => &mut self.users,
            EntityKind::Ip => &mut self.ips,
            EntityKind::Session => &mut self.sessions,
        };
        let state = table.entry(key, v.time, self.protect_ms);
        state.observe(v, &self.windows);
        let groups = match kind {
            EntityKind::User => self.dir.groups(key),
            _ => &[],
        };
        let mut first_use = None;
        if kind == EntityKind::User {
            let step = state.profile(v);
            first_use = step.address;
            if let Some(pages) = step.closed {
                self.learned.peers.member_day(groups, pages);
            }
            if step.first_today || step.elevated {
                self.learned.peers.member(groups, v.time, step.first_today, step.elevated);
            }
            if v.kind.is_content_read() && v.kind != RequestKind::Search {
                self.learned.peers.read(groups, v.time, 1);
            }
        }
        state.record_evidence(v);
        let peer = self.learned.peers.view(groups, v.time, state.pages_today());
        let r = Raise { kind, key, privileged, now: v.time, allow };
        let mut judge = Judge {
            params: &self.params,
            role_thresholds: &self.role_thresholds,
            role,
            view: v,
            state,
            raise: &r,
            peer,
            pending: Vec::new(),
            enumerating: false,
        };
        for_each_rule(&mut judge);
        let Judge { mut pending, enumerating, .. } = judge;
        if let (EntityKind::User, Some(g)) = (kind, self.learned.grants.get(key)) {
            let p = &self.params[RuleId::PrivilegeChange.index()];
            if let Some((f, what)) =
                privilege::after_grant(v.time, v.kind, enumerating, g, p).filter(|_| p.enabled)
            {
                if let Some(due) =
                    Pending::new(RuleId::PrivilegeChange, f, &r, state, p.cooldown.as_ms())
                {
                    pending.push(due.with(what));
                }
            }
        }
        for p in pending {
            raise(&mut self.counters, &self.dir, &self.learned, state, &r, p, sink);
        }
        first_use
    }

    pub fn stats(&self) -> Stats {
        let t = |k, t: &Table| (k, t.len() as u64, t.evicted());
        self.counters.report(
            &self.allow_names,
            [
                t(EntityKind::User, &self.users),
                t(EntityKind::Ip, &self.ips),
                t(EntityKind::Session, &self.sessions),
            ],
        )
    }

    pub fn state(&self) -> State {
        State {
            clock: self.clock.clone(),
            counters: self.counters.clone(),
            users: self.users.snapshot(),
            ips: self.ips.snapshot(),
            sessions: self.sessions.snapshot(),
            learned: self.learned.clone(),
        }
    }

    pub fn restore(&mut self, s: State) -> Result<(), SnapshotError> {
        if s.counters.allowed.len() != self.allow_names.len() {
            return Err(SnapshotError::Corrupt(format!(
                "it was written with {} allow entries, the config has {}",
                s.counters.allowed.len(),
                self.allow_names.len()
            )));
        }
        let l = &self.config.limits;
        self.clock = s.clock;
        self.counters = s.counters;
        self.users = Table::restore(l.max_users, s.users);
        self.ips = Table::restore(l.max_ips, s.ips);
        self.sessions = Table::restore(l.max_sessions, s.sessions);
        self.learned = s.learned;
        Ok(())
    }
}

/// The name alerts give a session (`s-` and 16 hex digits): session ids are hashed before
/// anything keeps them, so alerts and tables never hold the secret. Hosts use it to find the
/// session an alert names in raw logs.
pub fn session_id(raw: &str) -> String {
    let h = xxhash_rust::xxh3::xxh3_64_with_seed(raw.as_bytes(), 0x5e55_10b5);
    format!("s-{h:016x}")
}

/// The request an audit record amounts to.
pub(crate) fn audit_request<'a>(a: &'a AuditAction<'_>) -> Request<'a> {
    use std::borrow::Cow;
    let borrow = |s: &'a Option<Cow<'_, str>>| s.as_deref().map(Cow::Borrowed);
    let target = |kind, space, page| Request {
        space: borrow(space),
        page: borrow(page),
        ..Request::of_kind(kind)
    };
    match a {
        AuditAction::SpaceExport { space } => target(RequestKind::SpaceExport, space, &None),
        AuditAction::PageExport { space, page } => target(RequestKind::PageExport, space, page),
        AuditAction::PageView { space, page } => target(RequestKind::PageView, space, page),
        AuditAction::Other { .. } => Request::of_kind(RequestKind::Other),
        _ => Request::of_kind(RequestKind::Admin),
    }
}
