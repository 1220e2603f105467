//! A small, lock-free memo of recent User-Agent verdicts.
//!
//! Logs repeat a few hundred distinct User-Agent strings millions of times, and scanning a
//! 120-byte browser string against the whole agent table costs far more than hashing it (which
//! the engine does anyway, for its distinct-agent counts). The
//! memo is direct-mapped: each slot holds a 61-bit hash tag and the verdict, in one atomic word,
//! so it needs no lock, no allocation per call, and stays `Sync`. It only caches a pure function
//! of the string, so it never changes a result (a tag collision between two different strings
//! is a 2^-61 event; and a sender who wants to pass as a browser can simply send a browser
//! string, so crafting one buys nothing).

use super::AgentKind;
use std::sync::atomic::{AtomicU64, Ordering};

/// Slots (a power of two): enough for the distinct agents of a large organisation.
const SLOTS: usize = 1024;
/// Low bits of a slot word that hold the verdict code (0 = empty slot).
const CODE_BITS: u64 = 0b111;

const KINDS: [AgentKind; 6] = AgentKind::ALL;

/// Direct-mapped verdict memo.
pub(super) struct Memo {
    slots: Box<[AtomicU64]>,
}

impl Memo {
    pub(super) fn new() -> Self {
        Memo { slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect() }
    }

    /// The remembered verdict for `key` (already hashed with [`hash`]), if any.
    pub(super) fn get(&self, key: u64) -> Option<AgentKind> {
        let word = self.slots.get(slot(key))?.load(Ordering::Relaxed);
        if word & !CODE_BITS != key & !CODE_BITS {
            return None;
        }
        let code = (word & CODE_BITS) as usize;
        code.checked_sub(1).and_then(|i| KINDS.get(i)).copied()
    }

    pub(super) fn put(&self, key: u64, kind: AgentKind) {
        let code = KINDS.iter().position(|&k| k == kind).map_or(0, |i| i as u64 + 1);
        if let Some(s) = self.slots.get(slot(key)) {
            s.store((key & !CODE_BITS) | code, Ordering::Relaxed);
        }
    }
}

// A fresh memo for the clone: it is only a cache.
impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::new()
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").field("slots", &self.slots.len()).finish()
    }
}

fn slot(key: u64) -> usize {
    // Top bits: the tag check already covers the low ones.
    (key >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The memo's key for `bytes`: the same hash the engine keeps of every agent (`hash32` folds
/// it), so an event's agent is hashed once for both.
pub(super) fn hash(bytes: &[u8]) -> u64 {
    crate::sketch::hash64(bytes)
}
