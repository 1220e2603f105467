//! Event time that one bad timestamp cannot move.
//!
//! The clock is the median of the last few event times, not the newest: a single line dated ten
//! years ahead (a flipped byte, a node with a broken clock, a forged `@timestamp`) leaves it
//! where it was, so the events after it are not judged late. It moves when several events
//! agree, in either direction, so a real jump (a quiet night, a restored state from another
//! day) is followed after a handful of events.
//!
//! Each event is judged against the clock *before* it joins the sample:
//! - **late**: older than the clock by more than the late tolerance; skipped and counted;
//! - **ahead**: newer than the clock by more than the ahead tolerance; processed and counted
//!   (after a quiet gap every first event is "ahead", so these are never dropped);
//! - **on time**: everything else.

use crate::event::TimeMs;
use serde::{Deserialize, Serialize};

/// How many recent event times the median is taken over (odd, so it is one of them).
const SAMPLE: usize = 9;

/// How an event's time compares with the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Within tolerance of the clock.
    OnTime,
    /// Older than the clock by more than the late tolerance: skip it.
    Late,
    /// Newer than the clock by more than the ahead tolerance: process it, but count it.
    Ahead,
}

/// A robust event-time clock (see the module docs). Serialised into engine snapshots, so a
/// restarted host keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Clock {
    /// The most recent event times, oldest overwritten first.
    recent: Vec<TimeMs>,
    /// Where the next time goes in `recent` once it is full.
    next: u8,
    /// `recent` in ascending order, kept up to date as times come and go: sorting the sample
    /// again on every event cost more than all the rest of the clock. Not saved (a restored
    /// clock rebuilds it), and not part of equality.
    #[serde(skip)]
    sorted: Sorted,
}

impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        self.recent == other.recent && self.next == other.next
    }
}

impl Eq for Clock {}

/// A sorted copy of a clock's sample.
#[derive(Debug, Clone, Copy, Default)]
struct Sorted {
    times: [TimeMs; SAMPLE],
    len: u8,
}

impl Sorted {
    fn of(recent: &[TimeMs]) -> Sorted {
        let mut s = Sorted { times: [0; SAMPLE], len: recent.len() as u8 };
        s.times[..recent.len()].copy_from_slice(recent);
        s.times[..recent.len()].sort_unstable();
        s
    }

    fn insert(&mut self, t: TimeMs) {
        let mut i = usize::from(self.len);
        while i > 0 && self.times[i - 1] > t {
            self.times[i] = self.times[i - 1];
            i -= 1;
        }
        self.times[i] = t;
        self.len += 1;
    }

    /// Replaces one occurrence of `old` with `new`; false if `old` is not there.
    fn replace(&mut self, old: TimeMs, new: TimeMs) -> bool {
        let s = &mut self.times[..usize::from(self.len)];
        let Some(mut i) = s.iter().position(|&x| x == old) else {
            return false;
        };
        while i + 1 < s.len() && s[i + 1] < new {
            s[i] = s[i + 1];
            i += 1;
        }
        while i > 0 && s[i - 1] > new {
            s[i] = s[i - 1];
            i -= 1;
        }
        s[i] = new;
        true
    }
}

impl Clock {
    /// The clock's time: the median of the recent sample (`None` before the first event).
    pub fn now(&self) -> Option<TimeMs> {
        if self.recent.is_empty() {
            return None;
        }
        let mut sorted = [0; SAMPLE];
        let sorted = &mut sorted[..self.recent.len()];
        sorted.copy_from_slice(&self.recent);
        sorted.sort_unstable();
        Some(sorted[sorted.len() / 2])
    }

    /// [`Clock::now`] from the sorted copy, rebuilt first if it does not match the sample (a
    /// restored clock).
    fn median(&mut self) -> Option<TimeMs> {
        let n = self.recent.len();
        if n > SAMPLE {
            return self.now();
        }
        if usize::from(self.sorted.len) != n {
            self.sorted = Sorted::of(&self.recent);
        }
        (n > 0).then(|| self.sorted.times[n / 2])
    }

    /// Judges `t` against the clock, then lets it join the sample.
    pub fn observe(&mut self, t: TimeMs, late_ms: i64, ahead_ms: i64) -> Timing {
        let timing = match self.median() {
            Some(now) if t < now.saturating_sub(late_ms) => Timing::Late,
            Some(now) if t > now.saturating_add(ahead_ms) => Timing::Ahead,
            _ => Timing::OnTime,
        };
        if self.recent.len() < SAMPLE {
            self.recent.push(t);
            self.sorted.insert(t);
        } else {
            let slot = &mut self.recent[usize::from(self.next)];
            let old = std::mem::replace(slot, t);
            if !self.sorted.replace(old, t) {
                self.sorted = Sorted::of(&self.recent);
            }
        }
        self.next = ((usize::from(self.next) + 1) % SAMPLE) as u8;
        timing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const LATE: i64 = 15 * MIN;
    const AHEAD: i64 = 15 * MIN;

    fn run(clock: &mut Clock, times: &[i64]) -> Vec<Timing> {
        times.iter().map(|&t| clock.observe(t, LATE, AHEAD)).collect()
    }

    #[test]
    fn one_far_future_event_does_not_make_the_rest_late() {
        let mut c = Clock::default();
        let mut times: Vec<i64> = (0..100).map(|i| i * 1000).collect();
        times[50] += 10 * 365 * 24 * 60 * MIN;
        let timings = run(&mut c, &times);
        assert_eq!(timings[50], Timing::Ahead);
        assert!(timings.iter().enumerate().all(|(i, t)| i == 50 || *t == Timing::OnTime));
    }

    #[test]
    fn one_far_past_event_is_late_and_alone() {
        let mut c = Clock::default();
        let mut times: Vec<i64> = (0..100).map(|i| 1_000_000_000 + i * 1000).collect();
        times[10] = 0;
        let timings = run(&mut c, &times);
        assert_eq!(timings[10], Timing::Late);
        assert_eq!(timings.iter().filter(|t| **t != Timing::OnTime).count(), 1);
    }

    #[test]
    fn a_real_jump_is_followed_after_a_few_events() {
        let mut c = Clock::default();
        let night: Vec<i64> = (0..20).map(|i| i * 1000).collect();
        let morning: Vec<i64> = (0..20).map(|i| 8 * 60 * MIN + i * 1000).collect();
        run(&mut c, &night);
        let timings = run(&mut c, &morning);
        let ahead = timings.iter().take_while(|t| **t == Timing::Ahead).count();
        assert!((1..=SAMPLE / 2 + 1).contains(&ahead), "{timings:?}");
        assert!(timings[ahead..].iter().all(|t| *t == Timing::OnTime), "{timings:?}");
        assert!(c.now().unwrap() >= 8 * 60 * MIN);
    }

    #[test]
    fn a_clock_poisoned_by_a_saved_state_heals() {
        let mut c = Clock::default();
        run(&mut c, &[10 * 365 * 24 * 60 * MIN; SAMPLE]);
        let timings = run(&mut c, &(0..30).map(|i| i * 1000).collect::<Vec<_>>());
        let late = timings.iter().filter(|t| **t == Timing::Late).count();
        assert!(late <= SAMPLE / 2 + 1, "{late} late");
        assert_eq!(timings.last(), Some(&Timing::OnTime));
    }

    #[test]
    fn the_kept_order_is_the_sample_sorted() {
        let mut c = Clock::default();
        let mut x: u64 = 7;
        for i in 0..500 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            // Few distinct values, so equal times come and go too.
            let t = (x >> 60) as i64 * 1000 + i / 50 * 60_000;
            c.observe(t, LATE, AHEAD);
            let n = c.recent.len();
            assert_eq!(Sorted::of(&c.recent).times[..n], c.sorted.times[..n]);
            assert_eq!(c.median(), c.now());
        }
        // A restored clock has no sorted copy: it is rebuilt.
        let mut restored = Clock { recent: c.recent.clone(), next: c.next, ..Clock::default() };
        assert_eq!(restored, c);
        assert_eq!(restored.observe(9_000_000, LATE, AHEAD), c.observe(9_000_000, LATE, AHEAD));
        assert_eq!(restored.sorted.times, c.sorted.times);
    }

    #[test]
    fn a_node_ten_minutes_behind_interleaved_is_on_time() {
        let mut c = Clock::default();
        let times: Vec<i64> =
            (0..200).map(|i| i * 1000 - if i % 2 == 1 { 10 * MIN } else { 0 }).collect();
        assert!(run(&mut c, &times).iter().skip(1).all(|t| *t == Timing::OnTime));
    }
}
