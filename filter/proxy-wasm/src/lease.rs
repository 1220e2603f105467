//! Which VM runs the one engine of the proxy: a lease in shared data, taken and renewed by
//! compare-and-swap on every tick.
//!
//! The holder renews on every tick, whatever the time says. Another VM takes the lease only
//! when it has not been renewed for `lease_ms` (the holder stalled or its VM was torn down by a
//! config reload); the taker's state starts empty (documented in the README).

use crate::slots::Store;

/// Shared-data key of the lease.
pub const KEY: &str = "wikiwatch/leader";

/// The lease as stored: `holder-id,expires-ms`.
fn parse(bytes: &[u8]) -> Option<(u64, i64)> {
    let (id, until) = std::str::from_utf8(bytes).ok()?.split_once(',')?;
    Some((id.parse().ok()?, until.parse().ok()?))
}

/// What a tick learnt about the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// This VM holds the lease.
    Leader,
    /// Another live VM holds it.
    Follower,
}

/// Renews or takes the lease for VM `me`. `me` must be unique per VM (random at start).
pub fn tick(store: &dyn Store, me: u64, now_ms: i64, lease_ms: i64) -> Role {
    let value = format!("{me},{}", now_ms.saturating_add(lease_ms));
    match store.get(KEY) {
        Some((bytes, cas)) => match parse(&bytes) {
            Some((holder, until)) if holder != me && until > now_ms => Role::Follower,
            // Ours (renew) or expired/damaged (take): either way only if nobody wrote since.
            _ => {
                if store.set(KEY, value.as_bytes(), cas) {
                    Role::Leader
                } else {
                    Role::Follower
                }
            }
        },
        None => {
            // Absent keys are created whatever the CAS, so write then read back: of two VMs
            // racing here the later write wins and the earlier one sees it at once (and, at
            // worst, on its next tick).
            store.set(KEY, value.as_bytes(), 0);
            match store.get(KEY).and_then(|(b, _)| parse(&b)) {
                Some((holder, _)) if holder == me => Role::Leader,
                _ => Role::Follower,
            }
        }
    }
}

/// Gives the lease up (VM shutdown, config reload) so another VM takes it at its next tick
/// instead of waiting for it to expire.
pub fn release(store: &dyn Store, me: u64) {
    if let Some((bytes, cas)) = store.get(KEY) {
        if parse(&bytes).is_some_and(|(holder, _)| holder == me) {
            store.set(KEY, b"0,0", cas);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::tests::MapStore;

    #[test]
    fn one_leader_renews_other_takes_over_when_stale() {
        let s = MapStore::default();
        assert_eq!(tick(&s, 1, 0, 1000), Role::Leader);
        assert_eq!(tick(&s, 2, 10, 1000), Role::Follower);
        // the holder renews even after a long quiet time
        assert_eq!(tick(&s, 1, 50_000, 1000), Role::Leader);
        assert_eq!(tick(&s, 2, 50_500, 1000), Role::Follower);
        // holder gone: the other takes over after the lease
        assert_eq!(tick(&s, 2, 51_001, 1000), Role::Leader);
        assert_eq!(tick(&s, 1, 51_002, 1000), Role::Follower);
        s.set(KEY, b"garbage", 0);
        assert_eq!(tick(&s, 1, 51_003, 1000), Role::Leader);
        release(&s, 2); // not the holder: no effect
        assert_eq!(tick(&s, 2, 51_004, 1000), Role::Follower);
        release(&s, 1);
        assert_eq!(tick(&s, 2, 51_005, 1000), Role::Leader);
    }
}
