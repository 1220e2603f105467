//! Invariants every fuzz target checks on the engine, and the arbitrary event shapes.
//!
//! A violated invariant panics (that is how libFuzzer learns of it); the message says which.

use arbitrary::Arbitrary;
use std::borrow::Cow;
use wikiwatch_core::{AccessEvent, Alert, AuditAction, Config, Engine, Format};

/// The five input formats, indexed by a fuzz byte.
pub const FORMATS: [Format; 5] =
    [Format::Auto, Format::ConfluenceAccess, Format::Combined, Format::Audit, Format::Json];

/// Counts what the fuzz target fed, to check the engine's own counters against.
#[derive(Debug, Default)]
pub struct Fed {
    /// `push_line` calls.
    pub lines: u64,
    /// `push_line` calls that returned an error.
    pub rejected: u64,
    /// Alerts the sink received.
    pub alerts: Vec<String>,
}

/// Checks the stats counters against what was fed and against each other.
pub fn check_stats(engine: &Engine, fed: &Fed) {
    let s = engine.stats();
    let sum = |m: &std::collections::BTreeMap<String, u64>| m.values().sum::<u64>();
    assert_eq!(s.lines, fed.lines, "stats.lines counts every push_line call");
    assert_eq!(s.rejected, fed.rejected, "stats.rejected counts every decode error");
    assert_eq!(sum(&s.rejected_reasons), s.rejected, "rejected reasons add up");
    assert_eq!(s.alerts, fed.alerts.len() as u64, "stats.alerts counts what the sink got");
    assert_eq!(sum(&s.alerts_by_rule), s.alerts, "alerts by rule add up");
    assert_eq!(sum(&s.alerts_by_severity), s.alerts, "alerts by severity add up");
    assert_eq!(sum(&s.requests), s.events, "every event has a request kind");
    assert_eq!(sum(&s.agents), s.events, "every event has an agent kind");
    assert!(s.late <= s.events, "late events are events");
    let l = &engine.config().limits;
    for (kind, cap) in [("user", l.max_users), ("ip", l.max_ips), ("session", l.max_sessions)] {
        let n = s.tracked.get(kind).copied().unwrap_or(0);
        assert!(n as usize <= cap.max(1), "{kind} table holds {n} > cap {cap}");
    }
}

/// Snapshot, restore, snapshot again: the bytes and the stats must be identical.
pub fn check_round_trip(engine: &Engine) -> Engine {
    let snap = engine.snapshot();
    let restored = match Engine::restore(engine.config().clone(), &snap) {
        Ok(e) => e,
        Err(e) => panic!("a fresh snapshot must restore: {e}"),
    };
    assert!(restored.snapshot() == snap, "restore(snapshot) then snapshot changed the bytes");
    assert_eq!(restored.stats(), engine.stats(), "restore changed the stats");
    restored
}

/// Every alert is one valid JSON object on one line.
pub fn check_alert(a: &Alert) -> String {
    let line = a.to_json();
    assert!(!line.contains('\n'), "alert JSON spans lines: {line}");
    match serde_json::from_str::<serde_json::Value>(&line) {
        Ok(v) => assert!(v.is_object(), "alert is not an object: {line}"),
        Err(e) => panic!("alert is not JSON ({e}): {line}"),
    }
    line
}

/// A small config the fuzzer can steer: tiny tables so eviction runs, low thresholds so rules fire.
pub fn small_config(tables: u8) -> Config {
    let cap = 1 + usize::from(tables % 16);
    let json = format!(
        r#"{{"limits":{{"max_users":{cap},"max_ips":{cap},"max_sessions":{cap}}},
            "identity":{{"users":{{"root":{{"role":"admin","privileged":true}}}}}},
            "allow":[{{"name":"backup","users":["svc"],"rules":["*"],"reason":"fuzz"}}]}}"#
    );
    match Config::from_json(&json) {
        Ok(c) => c,
        Err(e) => panic!("the fuzz config is valid: {e}"),
    }
}

/// Short strings from a small alphabet, so entities and paths collide and rules see repeats.
#[derive(Debug, Arbitrary)]
pub enum Word {
    /// One of a few fixed values.
    Pick(u8),
    /// Anything.
    Raw(String),
}

const WORDS: [&str; 16] = [
    "alice", "mallory", "root", "svc", "10.0.0.1", "::1", "-", "", "python-requests/2.31",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "curl/8.0", "ENG", "sqlmap/1.7", "HR",
    "Googlebot/2.1", "admins",
];

impl Word {
    fn text(&self) -> Cow<'_, str> {
        match self {
            Word::Pick(i) => Cow::Borrowed(WORDS[usize::from(*i) % WORDS.len()]),
            Word::Raw(s) => Cow::Borrowed(s.as_str()),
        }
    }
}

const TARGETS: [&str; 12] = [
    "/pages/viewpage.action?pageId=",
    "/rest/api/content?start=0&limit=",
    "/rest/api/search?cql=text~password&start=",
    "/spaces/flyingpdf/pdfpageexport.action?pageId=",
    "/spaces/exportspacewelcome.action?key=",
    "/download/attachments/",
    "/wiki/rest/api/content/",
    "/dosearchsite.action?queryString=secret&os_authType=basic&token=",
    "/admin/users/browseusers.action?n=",
    "/login.action?x=",
    "/s/static/app.js?v=",
    "/rest/mywork/latest/status/notification/count?n=",
];

/// One event with every field under the fuzzer's control.
#[derive(Debug, Arbitrary)]
pub struct FuzzEvent {
    /// Milliseconds added to the previous event's time (negative = out of order).
    pub dt: i32,
    /// Jump to an absolute time instead (far past/future).
    pub absolute: Option<i64>,
    user: Option<Word>,
    client: Option<Word>,
    session: Option<Word>,
    method: u8,
    target: (u8, u16, Option<String>),
    status: u16,
    bytes: u64,
    agent: Word,
    audit: Option<FuzzAudit>,
}

/// The audit actions, with fuzzed names.
#[derive(Debug, Arbitrary)]
pub enum FuzzAudit {
    #[allow(missing_docs)]
    SpaceExport(Option<Word>),
    #[allow(missing_docs)]
    PageExport(Option<Word>, Option<Word>),
    #[allow(missing_docs)]
    SpaceImport(Option<Word>),
    #[allow(missing_docs)]
    PageView(Option<Word>, Option<Word>),
    #[allow(missing_docs)]
    AuditSearch,
    #[allow(missing_docs)]
    ApiToken,
    #[allow(missing_docs)]
    UserCreated(Word),
    #[allow(missing_docs)]
    GroupMembershipAdded(Word, Word),
    #[allow(missing_docs)]
    GlobalPermissionGranted(Word, Word),
    #[allow(missing_docs)]
    SpacePermissionChanged(Option<Word>),
    #[allow(missing_docs)]
    Other(Word),
}

impl FuzzAudit {
    fn action(&self) -> AuditAction<'_> {
        fn opt(w: &Option<Word>) -> Option<Cow<'_, str>> {
            w.as_ref().map(Word::text)
        }
        match self {
            FuzzAudit::SpaceExport(s) => AuditAction::SpaceExport { space: opt(s) },
            FuzzAudit::PageExport(s, p) => {
                AuditAction::PageExport { space: opt(s), page: opt(p) }
            }
            FuzzAudit::SpaceImport(s) => AuditAction::SpaceImport { space: opt(s) },
            FuzzAudit::PageView(s, p) => AuditAction::PageView { space: opt(s), page: opt(p) },
            FuzzAudit::AuditSearch => AuditAction::AuditSearch,
            FuzzAudit::ApiToken => AuditAction::ApiToken,
            FuzzAudit::UserCreated(u) => AuditAction::UserCreated { user: u.text() },
            FuzzAudit::GroupMembershipAdded(u, g) => {
                AuditAction::GroupMembershipAdded { user: u.text(), group: g.text() }
            }
            FuzzAudit::GlobalPermissionGranted(u, p) => {
                AuditAction::GlobalPermissionGranted { grantee: u.text(), permission: p.text() }
            }
            FuzzAudit::SpacePermissionChanged(s) => {
                AuditAction::SpacePermissionChanged { space: opt(s) }
            }
            FuzzAudit::Other(a) => AuditAction::Other { action: a.text() },
        }
    }
}

const METHODS: [&str; 8] = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "", "G\u{e9}T"];

impl FuzzEvent {
    /// The event at `time` (the caller advances time by `dt`/`absolute`).
    pub fn event(&self, time: i64) -> AccessEvent<'_> {
        let (t, n, raw) = &self.target;
        let target = match raw {
            Some(s) => Cow::Borrowed(s.as_str()),
            None => Cow::Owned(format!("{}{n}", TARGETS[usize::from(*t) % TARGETS.len()])),
        };
        AccessEvent {
            time_ms: time,
            user: self.user.as_ref().map(Word::text),
            client: self.client.as_ref().map(Word::text),
            session: self.session.as_ref().map(Word::text),
            method: Cow::Borrowed(METHODS[usize::from(self.method) % METHODS.len()]),
            target,
            status: self.status,
            bytes: self.bytes,
            agent: self.agent.text(),
            referer: None,
            audit: self.audit.as_ref().map(FuzzAudit::action),
            aliases: Vec::new(),
        }
    }
}
