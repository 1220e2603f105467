//! The throttle table in proxy-wide shared data: a fixed number of slots addressed by a hash
//! of the entity, so shared data (which never expires) stays bounded by `slots x MAX_ENTRY`.
//!
//! Collisions: an entity lives in one of `PROBE` consecutive slots from its hash. A writer
//! reuses the entity's own slot, else the first never-written or fully expired one, else it
//! evicts the probed entry whose last rule expires soonest (counted in the leader's stats).
//! Because slots are never un-written, a reader stops at the first never-written slot.
//! Writers use compare-and-swap and retry, so a racing writer never loses an update silently.

use crate::request::fnv1a;
use wikiwatch_core::{EntityKind, RuleId, Severity};

/// Consecutive slots an entity may occupy.
pub const PROBE: u32 = 4;
/// Longest entity id kept (longer ids are cut; readers cut the same way).
pub const MAX_ID: usize = 256;
/// Largest slot value: the id plus one line per rule.
pub const MAX_ENTRY: usize = 8 + MAX_ID + RuleId::ALL.len() * 32;
const CAS_RETRIES: usize = 4;

/// The shared-data operations the table needs (the proxy host in the module, a map in tests).
pub trait Store {
    /// The value and its CAS number, or `None` if the key was never written.
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)>;
    /// Writes `value` if `cas` still matches (0 = unconditionally); false on a CAS mismatch.
    fn set(&self, key: &str, value: &[u8], cas: u32) -> bool;
}

/// Who a slot is about: the entity kind and id as the worker can compute them from a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityKey {
    /// user, ip or session.
    pub kind: EntityKind,
    /// Login name, address, or the module's session hash.
    pub id: String,
}

impl EntityKey {
    /// A key, with the id cut to `MAX_ID` bytes on a character boundary.
    pub fn new(kind: EntityKind, id: &str) -> EntityKey {
        let mut cut = id.len().min(MAX_ID);
        while !id.is_char_boundary(cut) {
            cut -= 1;
        }
        EntityKey { kind, id: id[..cut].to_string() }
    }

    fn home(&self, slots: u32) -> u32 {
        let h = fnv1a(0xcbf2_9ce4_8422_2325, self.kind.as_str().as_bytes());
        (fnv1a(h, self.id.as_bytes()) % u64::from(slots.max(1))) as u32
    }
}

/// One active rule of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Active {
    /// Which rule.
    pub rule: RuleId,
    /// Highest severity seen while active.
    pub severity: Severity,
    /// Event time (ms) when its cooldown ends.
    pub until_ms: i64,
}

/// A slot's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Whose rules.
    pub key: EntityKey,
    /// Rules with their cooldown ends (some may have expired).
    pub rules: Vec<Active>,
}

impl Entry {
    /// `kind\tid\n` then `rule-index,severity,until` lines.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = format!("{}\t{}\n", self.key.kind.as_str(), self.key.id);
        for a in &self.rules {
            s.push_str(&format!("{},{},{}\n", a.rule.index(), a.severity as u8, a.until_ms));
        }
        s.into_bytes()
    }

    /// Parses a slot value; `None` if damaged (treated as free).
    pub fn decode(bytes: &[u8]) -> Option<Entry> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.lines();
        let (kind, id) = lines.next()?.split_once('\t')?;
        let kind = [EntityKind::User, EntityKind::Ip, EntityKind::Session]
            .into_iter()
            .find(|k| k.as_str() == kind)?;
        let mut rules = Vec::new();
        for l in lines {
            let mut f = l.split(',');
            let rule = *RuleId::ALL.get(f.next()?.parse::<usize>().ok()?)?;
            let severity = match f.next()? {
                "0" => Severity::Low,
                "1" => Severity::Medium,
                "2" => Severity::High,
                "3" => Severity::Critical,
                _ => return None,
            };
            rules.push(Active { rule, severity, until_ms: f.next()?.parse().ok()? });
        }
        Some(Entry { key: EntityKey { kind, id: id.to_string() }, rules })
    }

    /// Rules still active at `now_ms`.
    pub fn active(&self, now_ms: i64) -> impl Iterator<Item = &Active> {
        self.rules.iter().filter(move |a| a.until_ms > now_ms)
    }

    fn last_until(&self) -> i64 {
        self.rules.iter().map(|a| a.until_ms).max().unwrap_or(i64::MIN)
    }
}

fn slot_key(i: u32) -> String {
    format!("wikiwatch/slot/{i}")
}

/// The entry of `key`, if published (may hold expired rules; filter with [`Entry::active`]).
pub fn lookup(store: &dyn Store, slots: u32, key: &EntityKey) -> Option<Entry> {
    let home = key.home(slots);
    for j in 0..PROBE.min(slots) {
        let (bytes, _) = store.get(&slot_key((home + j) % slots))?;
        if let Some(e) = Entry::decode(&bytes).filter(|e| e.key == *key) {
            return Some(e);
        }
    }
    None
}

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Written into a free or own slot.
    Stored,
    /// Written over another entity's live entry (the one expiring soonest).
    Evicted,
    /// Lost the CAS race every time; the decision is dropped (fail open).
    Contended,
}

/// Marks `rule` active for `key` until `until_ms` (keeping the later end and higher severity).
pub fn publish(
    store: &dyn Store,
    slots: u32,
    key: &EntityKey,
    add: Active,
    now_ms: i64,
) -> Published {
    let home = key.home(slots);
    for _ in 0..CAS_RETRIES {
        // (slot, cas, current entry of this entity if any, evicts someone)
        let mut pick: Option<(u32, u32, Option<Entry>, bool)> = None;
        let mut victim: Option<(u32, u32, i64)> = None;
        for j in 0..PROBE.min(slots) {
            let i = (home + j) % slots;
            let Some((bytes, cas)) = store.get(&slot_key(i)) else {
                pick.get_or_insert((i, 0, None, false));
                break;
            };
            match Entry::decode(&bytes) {
                Some(e) if e.key == *key => {
                    pick = Some((i, cas, Some(e), false));
                    break;
                }
                Some(e) if e.last_until() > now_ms => {
                    if victim.is_none_or(|(_, _, u)| e.last_until() < u) {
                        victim = Some((i, cas, e.last_until()));
                    }
                }
                _ => {
                    pick.get_or_insert((i, cas, None, false));
                }
            }
        }
        let Some((i, cas, current, evicts)) =
            pick.or_else(|| victim.map(|(i, cas, _)| (i, cas, None, true)))
        else {
            return Published::Contended;
        };
        let mut rules: Vec<Active> =
            current.map(|e| e.active(now_ms).copied().collect()).unwrap_or_default();
        match rules.iter_mut().find(|a| a.rule == add.rule) {
            Some(a) => {
                a.until_ms = a.until_ms.max(add.until_ms);
                a.severity = a.severity.max(add.severity);
            }
            None => rules.push(add),
        }
        rules.sort_by_key(|a| a.rule.index());
        let entry = Entry { key: key.clone(), rules };
        if store.set(&slot_key(i), &entry.encode(), cas) {
            return if evicts { Published::Evicted } else { Published::Stored };
        }
    }
    Published::Contended
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Key -> (value, cas), and the last CAS number handed out.
    type Map = (HashMap<String, (Vec<u8>, u32)>, u32);

    /// Envoy's semantics: absent keys are created whatever the CAS; cas 0 = unconditional.
    #[derive(Default)]
    pub(crate) struct MapStore(pub RefCell<Map>);

    impl Store for MapStore {
        fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
            self.0.borrow().0.get(key).cloned()
        }
        fn set(&self, key: &str, value: &[u8], cas: u32) -> bool {
            let mut m = self.0.borrow_mut();
            m.1 += 1;
            let next = m.1;
            match m.0.get_mut(key) {
                Some(v) if cas != 0 && v.1 != cas => false,
                Some(v) => {
                    *v = (value.to_vec(), next);
                    true
                }
                None => {
                    m.0.insert(key.to_string(), (value.to_vec(), next));
                    true
                }
            }
        }
    }

    fn act(rule: RuleId, until_ms: i64) -> Active {
        Active { rule, severity: Severity::High, until_ms }
    }

    #[test]
    fn publish_lookup_merge_expire() {
        let s = MapStore::default();
        let k = EntityKey::new(EntityKind::Ip, "10.0.0.1");
        assert_eq!(lookup(&s, 8, &k), None);
        assert_eq!(publish(&s, 8, &k, act(RuleId::BurstRate, 100), 0), Published::Stored);
        assert_eq!(publish(&s, 8, &k, act(RuleId::BulkExport, 200), 50), Published::Stored);
        let e = lookup(&s, 8, &k).unwrap();
        assert_eq!(e.active(150).count(), 1);
        assert_eq!(e.active(0).count(), 2);
        assert_eq!(Entry::decode(&e.encode()), Some(e));
    }

    /// Another writer slips in before each of our first `n` writes.
    struct Racy<'a>(&'a MapStore, std::cell::Cell<u32>);

    impl Store for Racy<'_> {
        fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &[u8], cas: u32) -> bool {
            if self.1.get() > 0 {
                self.1.set(self.1.get() - 1);
                let other = Entry {
                    key: EntityKey::new(EntityKind::Ip, "10.0.0.1"),
                    rules: vec![act(RuleId::BulkExport, 900)],
                };
                self.0.set(key, &other.encode(), 0);
            }
            self.0.set(key, value, cas)
        }
    }

    #[test]
    fn cas_race_retries_and_merges() {
        let s = MapStore::default();
        let k = EntityKey::new(EntityKind::Ip, "10.0.0.1");
        publish(&s, 8, &k, act(RuleId::BurstRate, 100), 0);
        let racy = Racy(&s, std::cell::Cell::new(1));
        assert_eq!(publish(&racy, 8, &k, act(RuleId::MassEnumeration, 500), 0), Published::Stored);
        // The racing write (bulk-export) is kept: the retry re-read and merged it.
        let rules: Vec<RuleId> = lookup(&s, 8, &k).unwrap().rules.iter().map(|a| a.rule).collect();
        assert_eq!(rules, [RuleId::MassEnumeration, RuleId::BulkExport]);
        let always = Racy(&s, std::cell::Cell::new(100));
        assert_eq!(publish(&always, 8, &k, act(RuleId::BurstRate, 700), 0), Published::Contended);
    }

    #[test]
    fn bounded_with_collisions() {
        let s = MapStore::default();
        let mut evicted = 0;
        for n in 0..100 {
            let k = EntityKey::new(EntityKind::User, &format!("u{n}"));
            if publish(&s, 4, &k, act(RuleId::BurstRate, 1000 + n), 0) == Published::Evicted {
                evicted += 1;
            }
            assert_eq!(lookup(&s, 4, &k).map(|e| e.key), Some(k));
        }
        assert_eq!(s.0.borrow().0.len(), 4);
        assert_eq!(evicted, 96);
        let long = "x".repeat(10_000);
        let k = EntityKey::new(EntityKind::User, &long);
        publish(&s, 4, &k, act(RuleId::BurstRate, 5000), 0);
        assert!(s.0.borrow().0.values().all(|(v, _)| v.len() <= MAX_ENTRY));
    }
}
