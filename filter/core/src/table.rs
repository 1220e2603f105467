//! Bounded per-entity tables with deterministic least-recently-seen eviction.
//!
//! When a table is full, the next insert evicts a batch (1/16 of the capacity) at once, chosen
//! by (hot, last seen, key): cold entities go first, then the longest quiet, ties by key. Batching
//! keeps the hot path a plain hash lookup, and "hot" (open evidence, recent alerts) means a flood
//! of fresh addresses cannot push an active scraper's counts out of memory.

use crate::event::TimeMs;
use crate::state::EntityState;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

/// Placement only: nothing iterates a table in hash order (eviction and snapshots sort by key).
type Hasher = foldhash::quality::FixedState;

/// One entity kind's table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    // Boxed values: a rehash moves 24-byte slots, not whole states, and an empty slot costs 24 bytes.
    map: HashMap<Box<str>, Box<EntityState>, Hasher>,
    cap: usize,
    evicted: u64,
}

/// Serialised form: entries sorted by key, so snapshots are byte-identical for equal state.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct TableSnapshot {
    pub entries: Vec<(String, EntityState)>,
    pub evicted: u64,
}

impl Table {
    pub fn new(cap: usize) -> Table {
        Table { map: HashMap::with_hasher(Hasher::with_seed(0x7ab1e)), cap: cap.max(1), evicted: 0 }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    pub fn get(&self, key: &str) -> Option<&EntityState> {
        self.map.get(key).map(|b| &**b)
    }

    /// The entity's state, created (evicting if full) when new.
    pub fn entry(&mut self, key: &str, now: TimeMs, cooldown: i64) -> &mut EntityState {
        // Hashed once: a full table looks the key up before evicting and again to insert it.
        let hash = self.map.hasher().hash_one(key);
        if self.map.len() >= self.cap
            && self.map.raw_entry().from_key_hashed_nocheck(hash, key).is_none()
        {
            self.evict(now, cooldown);
        }
        self.map
            .raw_entry_mut()
            .from_key_hashed_nocheck(hash, key)
            .or_insert_with(|| (Box::from(key), Box::default()))
            .1
    }

    fn evict(&mut self, now: TimeMs, cooldown: i64) {
        let n = (self.cap / 16).max(1).min(self.map.len());
        let mut order: Vec<(bool, TimeMs, &str)> =
            self.map.iter().map(|(k, s)| (s.is_hot(now, cooldown), s.last_seen, &**k)).collect();
        if n < order.len() {
            order.select_nth_unstable(n);
            order.truncate(n);
        }
        let victims: Vec<Box<str>> = order.into_iter().map(|(_, _, k)| Box::from(k)).collect();
        for k in victims {
            self.map.remove(&k);
        }
        self.evicted += n as u64;
    }

    pub fn snapshot(&self) -> TableSnapshot {
        let mut entries: Vec<(String, EntityState)> =
            self.map.iter().map(|(k, v)| (k.to_string(), EntityState::clone(v))).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        TableSnapshot { entries, evicted: self.evicted }
    }

    pub fn restore(cap: usize, snap: TableSnapshot) -> Table {
        let mut t = Table::new(cap);
        t.evicted = snap.evicted;
        for (k, v) in snap.entries.into_iter().take(t.cap) {
            t.map.insert(k.into_boxed_str(), Box::new(v));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_holds_and_evictions_are_counted() {
        let mut t = Table::new(64);
        for i in 0..10_000i64 {
            t.entry(&format!("10.0.{}.{}", i / 256, i % 256), i, 1000).last_seen = i;
            assert!(t.len() <= 64);
        }
        assert_eq!(t.evicted() + t.len() as u64, 10_000);
    }

    #[test]
    fn hot_entity_survives_flood() {
        let mut t = Table::new(32);
        t.entry("attacker", 0, 1000).exports.count = 3;
        for i in 1..5_000i64 {
            t.entry(&format!("flood{i}"), i, 1000).last_seen = i;
        }
        assert!(t.get("attacker").is_some());
    }
}
