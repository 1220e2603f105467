//! Whose a request is before the upstream says so. Confluence names the user only in its answer
//! (`X-AUSERNAME`), but a throttle must act at request headers; so the leader learns, from every
//! answered request that names a user, which identities the request carried, and workers look
//! them up at request headers to apply that user's active rules.
//!
//! A request's identities: its session (the hash of its session cookie or bearer token), its
//! credential (a hash of an `Authorization` value that is not the session, e.g. Basic), and,
//! only for a request that carries neither, its sender (a hash of client address and user
//! agent). A session or credential belongs to one user, so the latest answer wins. A sender is
//! only a guess (several people may share an address and a browser build), so it is applied
//! only while every answer to it named the same user: a second user makes it ambiguous, and an
//! ambiguous sender is never applied until it expires. Requests that carry a session or a
//! credential are never matched by sender.
//!
//! The map lives in shared data (it outlives a leader hand-over) in a fixed number of slots
//! `wikiwatch/who/0 .. identities-1`, addressed and evicted like the throttle table
//! (`crate::slots`): bounded whatever the traffic. Only the leader writes it.

use crate::request::{fnv1a, session_hash};
use crate::slots::{Store, PROBE};
use std::collections::HashMap;

/// Longest user name kept (longer names are cut; the upstream header is cut the same way).
pub const MAX_USER: usize = 256;
/// Largest slot value: kind, a 32-digit hash, the user and the time.
pub const MAX_ENTRY: usize = 16 + 32 + MAX_USER + 24;
/// The leader rewrites an entry it keeps seeing this often, so a live identity never expires.
pub const REFRESH_MS: i64 = 10 * 60 * 1000;
const CAS_RETRIES: usize = 4;

/// What kind of identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Session cookie or bearer token (the module's session hash).
    Session,
    /// Another `Authorization` credential (Basic): hashed, never kept.
    Credential,
    /// Client address and user agent of a request with neither.
    Sender,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Session => "session",
            Kind::Credential => "credential",
            Kind::Sender => "sender",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [Kind::Session, Kind::Credential, Kind::Sender].into_iter().find(|k| k.as_str() == s)
    }
}

/// One identity: its kind and a 32-digit hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Which kind.
    pub kind: Kind,
    /// The hash (the session hash as it is; the others hashed here).
    pub id: String,
}

/// The identities of a request: `session` (already hashed), `credential` (already hashed), and
/// the sender only when both are absent and the client address is known.
pub fn of(
    session: Option<&str>,
    credential: Option<&str>,
    client: Option<&str>,
    agent: &str,
) -> Vec<Identity> {
    let mut out = Vec::with_capacity(2);
    if let Some(s) = session {
        out.push(Identity { kind: Kind::Session, id: s.to_string() });
    }
    if let Some(c) = credential {
        out.push(Identity { kind: Kind::Credential, id: c.to_string() });
    }
    if let (true, Some(client)) = (out.is_empty(), client) {
        let sender = [client.as_bytes(), b"\0", agent.as_bytes()].concat();
        out.push(Identity { kind: Kind::Sender, id: session_hash(&sender) });
    }
    out
}

/// A slot's content: whose the identity is (empty: ambiguous) and when the leader last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    identity: Identity,
    user: String,
    seen_ms: i64,
}

impl Entry {
    fn encode(&self) -> Vec<u8> {
        format!(
            "{}\t{}\t{}\t{}",
            self.identity.kind.as_str(),
            self.identity.id,
            self.seen_ms,
            self.user
        )
        .into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Entry> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut f = text.splitn(4, '\t');
        let kind = Kind::parse(f.next()?)?;
        let id = f.next()?.to_string();
        let seen_ms = f.next()?.parse().ok()?;
        let user = f.next()?.to_string();
        Some(Entry { identity: Identity { kind, id }, user, seen_ms })
    }

    fn live(&self, now_ms: i64, ttl_ms: i64) -> bool {
        self.seen_ms.saturating_add(ttl_ms) > now_ms
    }
}

fn slot_key(i: u32) -> String {
    format!("wikiwatch/who/{i}")
}

fn home(identity: &Identity, slots: u32) -> u32 {
    let h = fnv1a(0x6c62_272e_07bb_0142, identity.kind.as_str().as_bytes());
    (fnv1a(h, identity.id.as_bytes()) % u64::from(slots.max(1))) as u32
}

/// The user an identity belongs to, if learnt within `ttl_ms` and not ambiguous.
pub fn lookup(
    store: &dyn Store,
    slots: u32,
    identity: &Identity,
    now_ms: i64,
    ttl_ms: i64,
) -> Option<String> {
    let h = home(identity, slots);
    for j in 0..PROBE.min(slots) {
        // Slots are never un-written: the first never-written one ends the probe.
        let (bytes, _) = store.get(&slot_key((h + j) % slots))?;
        if let Some(e) = Entry::decode(&bytes).filter(|e| e.identity == *identity) {
            return (e.live(now_ms, ttl_ms) && !e.user.is_empty()).then_some(e.user);
        }
    }
    None
}

/// Records that an answer to `identity` named `user`; returns whose the map now says it is
/// (empty: ambiguous), or `None` when every compare-and-swap lost (nothing written).
pub fn learn(
    store: &dyn Store,
    slots: u32,
    identity: &Identity,
    user: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Option<String> {
    let mut cut = user.len().min(MAX_USER);
    while !user.is_char_boundary(cut) {
        cut -= 1;
    }
    let user = &user[..cut];
    let h = home(identity, slots);
    for _ in 0..CAS_RETRIES {
        // (slot, cas, this identity's live entry), else the oldest entry to evict
        let mut pick: Option<(u32, u32, Option<Entry>)> = None;
        let mut oldest: Option<(u32, u32, i64)> = None;
        for j in 0..PROBE.min(slots) {
            let i = (h + j) % slots;
            let Some((bytes, cas)) = store.get(&slot_key(i)) else {
                pick.get_or_insert((i, 0, None));
                break;
            };
            match Entry::decode(&bytes) {
                Some(e) if e.identity == *identity => {
                    let live = e.live(now_ms, ttl_ms).then_some(e);
                    pick = Some((i, cas, live));
                    break;
                }
                Some(e) if e.live(now_ms, ttl_ms) => {
                    if oldest.is_none_or(|(_, _, seen)| e.seen_ms < seen) {
                        oldest = Some((i, cas, e.seen_ms));
                    }
                }
                _ => {
                    pick.get_or_insert((i, cas, None));
                }
            }
        }
        let (i, cas, current) = pick.or(oldest.map(|(i, cas, _)| (i, cas, None)))?;
        let owner = match current {
            // A sender answered as two users is shared: never applied while it lives.
            Some(e) if identity.kind == Kind::Sender && e.user != user => String::new(),
            _ => user.to_string(),
        };
        let entry = Entry { identity: identity.clone(), user: owner, seen_ms: now_ms };
        if store.set(&slot_key(i), &entry.encode(), cas) {
            return Some(entry.user);
        }
    }
    None
}

/// The leader's memory of what it last wrote, so that an identity seen on every request costs
/// one map lookup, not a shared-data read, until it is due for a refresh.
#[derive(Debug, Default)]
pub struct Learner {
    written: HashMap<Identity, (String, i64)>,
    cap: usize,
}

impl Learner {
    /// A learner remembering at most `cap` identities (then it forgets them all and re-reads).
    pub fn new(cap: usize) -> Learner {
        Learner { written: HashMap::new(), cap }
    }

    /// [`learn`], unless this leader wrote the same (or ambiguity) within [`REFRESH_MS`].
    pub fn learn(
        &mut self,
        store: &dyn Store,
        slots: u32,
        identity: &Identity,
        user: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) {
        if let Some((owner, at)) = self.written.get(identity) {
            let same = owner == user || owner.is_empty();
            if same && now_ms.saturating_sub(*at) < REFRESH_MS {
                return;
            }
        }
        if let Some(owner) = learn(store, slots, identity, user, now_ms, ttl_ms) {
            if self.written.len() >= self.cap {
                self.written.clear();
            }
            self.written.insert(identity.clone(), (owner, now_ms));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::tests::MapStore;

    const TTL: i64 = 3_600_000;

    fn session(id: &str) -> Identity {
        Identity { kind: Kind::Session, id: id.into() }
    }

    #[test]
    fn identities_of_a_request() {
        let both = of(Some("s1"), Some("c1"), Some("10.0.0.1"), "curl");
        assert_eq!(
            both.iter().map(|i| i.kind).collect::<Vec<_>>(),
            [Kind::Session, Kind::Credential]
        );
        let naked = of(None, None, Some("10.0.0.1"), "python-requests/2.31");
        assert_eq!(naked.len(), 1);
        assert_eq!(naked[0].kind, Kind::Sender);
        assert_ne!(naked, of(None, None, Some("10.0.0.1"), "Mozilla/5.0"));
        assert_ne!(naked, of(None, None, Some("10.0.0.2"), "python-requests/2.31"));
        assert!(of(None, None, None, "curl").is_empty());
    }

    #[test]
    fn learn_lookup_latest_wins_and_expires() {
        let s = MapStore::default();
        let a = session("aaaa");
        assert_eq!(lookup(&s, 16, &a, 0, TTL), None);
        assert_eq!(learn(&s, 16, &a, "mallory", 0, TTL).as_deref(), Some("mallory"));
        assert_eq!(lookup(&s, 16, &a, 10, TTL).as_deref(), Some("mallory"));
        // A session re-used by another login: the latest answer wins.
        learn(&s, 16, &a, "alice", 20, TTL);
        assert_eq!(lookup(&s, 16, &a, 30, TTL).as_deref(), Some("alice"));
        assert_eq!(lookup(&s, 16, &a, 20 + TTL, TTL), None);
        let long = "ü".repeat(400);
        learn(&s, 16, &session("bbbb"), &long, 0, TTL);
        assert!(s.0.borrow().0.values().all(|(v, _)| v.len() <= MAX_ENTRY));
    }

    #[test]
    fn a_sender_answered_as_two_users_is_never_applied() {
        let s = MapStore::default();
        let x = of(None, None, Some("10.0.0.1"), "Mozilla/5.0").remove(0);
        learn(&s, 16, &x, "alice", 0, TTL);
        assert_eq!(lookup(&s, 16, &x, 1, TTL).as_deref(), Some("alice"));
        assert_eq!(learn(&s, 16, &x, "bob", 2, TTL).as_deref(), Some(""));
        assert_eq!(lookup(&s, 16, &x, 3, TTL), None);
        learn(&s, 16, &x, "alice", 4, TTL);
        assert_eq!(lookup(&s, 16, &x, 5, TTL), None, "stays ambiguous while it lives");
        // Once expired it is learnt afresh.
        learn(&s, 16, &x, "alice", 10 + TTL, TTL);
        assert_eq!(lookup(&s, 16, &x, 11 + TTL, TTL).as_deref(), Some("alice"));
    }

    #[test]
    fn bounded_evicts_the_oldest() {
        let s = MapStore::default();
        for n in 0..100 {
            let id = session(&format!("{n:032x}"));
            assert!(learn(&s, 4, &id, &format!("u{n}"), n, TTL).is_some());
            assert_eq!(lookup(&s, 4, &id, n, TTL), Some(format!("u{n}")));
        }
        assert_eq!(s.0.borrow().0.len(), 4);
        assert_eq!(lookup(&s, 4, &session(&format!("{:032x}", 0)), 100, TTL), None);
    }

    #[test]
    fn the_learner_writes_once_per_refresh() {
        let s = MapStore::default();
        let mut l = Learner::new(8);
        let a = session("aaaa");
        let writes = |s: &MapStore| s.0.borrow().1;
        l.learn(&s, 16, &a, "mallory", 0, TTL);
        let after_first = writes(&s);
        for t in 1..100 {
            l.learn(&s, 16, &a, "mallory", t, TTL);
        }
        assert_eq!(writes(&s), after_first);
        l.learn(&s, 16, &a, "mallory", REFRESH_MS, TTL);
        assert_eq!(writes(&s), after_first + 1);
        l.learn(&s, 16, &a, "alice", REFRESH_MS + 1, TTL);
        assert_eq!(lookup(&s, 16, &a, REFRESH_MS + 2, TTL).as_deref(), Some("alice"));
        for n in 0..20 {
            l.learn(&s, 16, &session(&format!("s{n}")), "x", 0, TTL);
        }
        assert!(l.written.len() <= 8);
    }
}
