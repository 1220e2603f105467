//! A user's pace: how much of each daily metric the last hour held, as the day goes. Two clock
//! hours are kept, the current one and the one before, and read as a sliding hour (the earlier
//! hour weighted by the part of it still inside the last sixty minutes): exact enough to judge
//! a pace against, twelve bytes of state, and no per-event list.

use crate::event::TimeMs;
use serde::{Deserialize, Serialize};

const HOUR_MS: i64 = 3_600_000;
/// Counted besides the daily metrics (their [`crate::profile::Metric`] index): reads in
/// spaces new to the account, which tell whether the last hour was spent somewhere unusual.
pub(crate) const NEW_SPACE: usize = 3;
const SLOTS: usize = 4;

/// Counts of the current and the previous clock hour, by slot, and today's busiest hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pace {
    hour: i64,
    this: [u16; SLOTS],
    prev: [u16; SLOTS],
    /// The busiest sliding hour today, by slot.
    pub peak: [u16; SLOTS],
}

impl Pace {
    /// Counts `n` in slot `m` at `now`; returns the sliding hour's count after it.
    pub fn count(&mut self, m: usize, n: u32, now: TimeMs) -> u32 {
        let h = now.div_euclid(HOUR_MS);
        if h == self.hour + 1 {
            self.prev = self.this;
            self.this = [0; SLOTS];
            self.hour = h;
        } else if h > self.hour + 1 || h < self.hour - 1 {
            // A gap, or a jump back from a bad timestamp: nothing of the last hour is known.
            self.prev = [0; SLOTS];
            self.this = [0; SLOTS];
            self.hour = h;
        }
        // An event from the previous hour, late, counts in the current one.
        self.this[m] = self.this[m].saturating_add(u16::try_from(n).unwrap_or(u16::MAX));
        let now_count = self.at(m, now);
        self.peak[m] = self.peak[m].max(u16::try_from(now_count).unwrap_or(u16::MAX));
        now_count
    }

    /// The sliding hour's count of slot `m` at `now`.
    pub fn at(&self, m: usize, now: TimeMs) -> u32 {
        let h = now.div_euclid(HOUR_MS);
        let (this, prev) = match h - self.hour {
            0 | -1 => (self.this[m], self.prev[m]),
            1 => (0, self.this[m]),
            _ => return 0,
        };
        let left = HOUR_MS - now.rem_euclid(HOUR_MS).min(HOUR_MS);
        let carried = (i64::from(prev) * left + HOUR_MS / 2) / HOUR_MS;
        u32::from(this) + carried as u32
    }

    /// A new day: today's peaks start again (the counts carry over midnight).
    pub fn new_day(&mut self) {
        self.peak = [0; SLOTS];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;
    const T0: i64 = 1_791_158_400_000;

    #[test]
    fn the_previous_hour_fades_out_as_the_hour_goes() {
        let mut p = Pace::default();
        for i in 0..30 {
            p.count(0, 1, T0 + 10 * H + i * 120_000);
        }
        assert_eq!(p.at(0, T0 + 10 * H + 59 * 60_000), 30);
        assert_eq!(p.count(0, 1, T0 + 11 * H), 31, "the whole previous hour is still inside");
        assert_eq!(p.at(0, T0 + 11 * H + H / 2), 16, "half of it is");
        assert_eq!(p.at(0, T0 + 12 * H), 1, "only the 11:00 read");
        assert_eq!(p.at(0, T0 + 13 * H), 0);
        assert_eq!(p.peak[0], 31);
    }

    #[test]
    fn a_gap_or_a_jump_back_starts_again() {
        let mut p = Pace::default();
        p.count(2, 5, T0 + 9 * H);
        assert_eq!(p.count(2, 1, T0 + 14 * H), 1);
        assert_eq!(p.count(2, 1, T0 + 14 * H - 10 * 60_000), 2, "late by minutes: counted");
        assert_eq!(p.count(2, 1, T0 - 100 * H), 1, "a day back: a fresh start");
        p.new_day();
        assert_eq!(p.peak, [0; SLOTS]);
    }
}
