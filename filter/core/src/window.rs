//! Event-time windows: a tumbling counter that opens at an entity's first activity, and a leaky
//! bucket for rates.

use crate::event::TimeMs;
use serde::{Deserialize, Serialize};

/// A count over a window that opens at the first event and closes `window` ms later.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tumbling {
    /// When the current window opened.
    pub start: TimeMs,
    /// Events counted in it.
    pub count: u32,
}

impl Tumbling {
    /// Closes the window if `now` is past it; returns true when a new window opened.
    pub fn roll(&mut self, now: TimeMs, window: i64) -> bool {
        // A slightly late event (now < start) counts in the open window rather than resetting it;
        // one from more than a window before it means the window was opened by an event dated
        // far ahead (a bad timestamp), so it starts over instead of never closing.
        let elapsed = now.saturating_sub(self.start);
        if self.count == 0 || elapsed >= window || elapsed < -window {
            self.start = now;
            self.count = 0;
            true
        } else {
            false
        }
    }

    /// Rolls, then adds `n`.
    pub fn add(&mut self, now: TimeMs, window: i64, n: u32) -> u32 {
        self.roll(now, window);
        self.count = self.count.saturating_add(n);
        self.count
    }
}

/// A leaky bucket: fills by one per event, drains at `threshold / window`.
/// Its level is the request count "within the window" that the burst rule compares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    level: f32,
    last: TimeMs,
}

impl Bucket {
    /// Drains for the time since the last event, adds one, returns the level.
    pub fn add(&mut self, now: TimeMs, threshold: u64, window: i64) -> f32 {
        let elapsed = now.saturating_sub(self.last);
        if elapsed < -window {
            // The last event was dated far ahead: start over rather than never draining.
            self.level = 0.0;
        }
        let dt = elapsed.max(0) as f32;
        let rate = threshold as f32 / window.max(1) as f32;
        self.level = (self.level - dt * rate).max(0.0) + 1.0;
        self.last = now;
        self.level
    }

    /// Current level (without draining).
    pub fn level(&self) -> f32 {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumbling_resets_after_window() {
        let mut t = Tumbling::default();
        assert_eq!(t.add(1000, 60_000, 1), 1);
        assert_eq!(t.add(30_000, 60_000, 1), 2);
        assert_eq!(t.add(61_000, 60_000, 1), 1);
        assert_eq!(t.start, 61_000);
    }

    #[test]
    fn a_window_opened_far_ahead_starts_over() {
        let mut t = Tumbling::default();
        t.add(10_000_000_000, 60_000, 1);
        assert_eq!(t.add(1000, 60_000, 1), 1);
        assert_eq!(t.start, 1000);
        assert_eq!(t.add(-30_000, 60_000, 1), 2, "slightly late still counts");
        let mut b = Bucket::default();
        b.add(10_000_000_000, 60, 60_000);
        b.add(10_000_000_000, 60, 60_000);
        assert!(b.add(1000, 60, 60_000) <= 1.0 + f32::EPSILON);
    }

    #[test]
    fn bucket_drains() {
        let mut b = Bucket::default();
        for i in 0..100 {
            b.add(i * 10, 60, 60_000);
        }
        assert!(b.level() > 99.0);
        assert!(b.add(200_000, 60, 60_000) <= 1.0 + f32::EPSILON);
    }
}
