//! What is normal for one account: daily volumes over its last fourteen active days, the hours
//! of the week it works, the spaces it reads and the addresses it comes from. Kept only for
//! user entities (boxed: addresses and sessions pay one pointer), bounded, and in snapshots.
//!
//! Today's activity is counted as the day goes and merged into the history when the next day
//! starts, so "usual" always means earlier days: a deviation is judged against what the account
//! did before, never against itself.

use crate::event::TimeMs;
use crate::pace::{Pace, NEW_SPACE};
use crate::sketch::SmallSet;
use crate::state::View;
use serde::{Deserialize, Serialize};

/// Active days of history kept per metric.
pub(crate) const HISTORY: usize = 14;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// What a user's daily baseline counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    /// Pages and content read (searches, static resources and background calls excluded).
    Pages,
    /// Page exports and attachment downloads (download-all weighs more).
    Exports,
    /// Content read with a script, library or empty agent.
    Programmatic,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Pages, Metric::Exports, Metric::Programmatic];

    /// Its name in [`Band`](crate::Band)s.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Pages => "pages",
            Metric::Exports => "exports",
            Metric::Programmatic => "programmatic",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Metric::Pages => "pages",
            Metric::Exports => "exports and downloads",
            Metric::Programmatic => "pages by script",
        }
    }
}

/// A user's history and today.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Profile {
    /// Day number (UTC) of `today`.
    pub day: i64,
    pub day_start: TimeMs,
    /// Counts so far today, by [`Metric`].
    pub today: [u32; 3],
    /// Reads today in spaces not among `spaces`.
    pub new_space_reads: u32,
    /// Pages created or edited today.
    pub edits: u32,
    /// Today's pages passed twice the median day (counted once in the peer group).
    pub elevated: bool,
    /// The last hour's counts, and today's busiest hour.
    pub pace: Pace,
    /// Daily counts of earlier active days, and each day's busiest hour, rings by metric.
    history: [[u16; HISTORY]; 3],
    peaks: [[u16; HISTORY]; 3],
    /// What `history` and `peaks` amount to, worked out when a day closes (every event asks).
    usual: [Usual; 3],
    /// Days in `history` (at most [`HISTORY`]).
    pub days: u8,
    next: u8,
    /// Hours of the week (Monday 00:00 UTC is bit 0) with activity on earlier days.
    hours: [u64; 3],
    hours_today: [u64; 3],
    /// Spaces read on earlier days, and today.
    spaces: SmallSet<16>,
    spaces_today: SmallSet<8>,
    /// Client addresses used on earlier days, and today.
    addrs: SmallSet<4>,
    addrs_today: SmallSet<4>,
}

/// A metric's own baseline: median and largest day of the history, and its busiest hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Usual {
    pub median: u16,
    pub max: u16,
    pub peak: u16,
    pub days: u8,
}

impl Profile {
    /// Starts a new day when `now` is past the current one, merging today into the history.
    /// Returns the closed day's page count, if a day closed. A late event from the previous
    /// day counts in today; one from further back restarts the day (a bad timestamp).
    pub fn roll(&mut self, now: TimeMs) -> Option<u32> {
        let day = now.div_euclid(DAY_MS);
        if day == self.day || day == self.day - 1 {
            return None;
        }
        let active = self.today.iter().any(|&n| n > 0);
        let closed = (day > self.day && active).then(|| self.close());
        self.day = day;
        self.day_start = now;
        self.today = [0; 3];
        self.new_space_reads = 0;
        self.edits = 0;
        self.elevated = false;
        self.hours_today = [0; 3];
        self.pace.new_day();
        self.spaces_today.clear();
        self.addrs_today.clear();
        closed
    }

    fn close(&mut self) -> u32 {
        let slot = usize::from(self.next);
        for (m, n) in self.today.iter().enumerate() {
            self.history[m][slot] = u16::try_from(*n).unwrap_or(u16::MAX);
            self.peaks[m][slot] = self.pace.peak[m];
        }
        self.next = ((slot + 1) % HISTORY) as u8;
        self.days = (self.days + 1).min(HISTORY as u8);
        let n = usize::from(self.days);
        for m in 0..3 {
            let mut days = self.history[m];
            let days = &mut days[..n];
            days.sort_unstable();
            let peak = self.peaks[m][..n].iter().copied().max().unwrap_or(0);
            self.usual[m] = Usual { median: days[n / 2], max: days[n - 1], peak, days: self.days };
        }
        for (h, t) in self.hours.iter_mut().zip(self.hours_today) {
            *h |= t;
        }
        self.spaces.merge(&self.spaces_today);
        self.addrs.merge(&self.addrs_today);
        self.today[Metric::Pages as usize]
    }

    /// Counts one event of `metric` at `now` (several metrics may apply to one event).
    pub fn count(&mut self, metric: Metric, n: u32, now: TimeMs) {
        let t = &mut self.today[metric as usize];
        *t = t.saturating_add(n);
        self.pace.count(metric as usize, n, now);
    }

    /// Notes when, from where and in which space the account was active. Returns, on the
    /// account's first use of the address today, whether the address is new to it.
    pub fn saw(
        &mut self,
        now: TimeMs,
        ip: Option<u32>,
        space: Option<u32>,
        page_read: bool,
    ) -> Option<bool> {
        let h = hour_of_week(now);
        self.hours_today[h / 64] |= 1 << (h % 64);
        let first_today = ip.filter(|&ip| self.addrs_today.insert(ip));
        if let (Some(s), true) = (space, page_read) {
            if !self.spaces.contains(s) {
                self.new_space_reads = self.new_space_reads.saturating_add(1);
                self.pace.count(NEW_SPACE, 1, now);
            }
            self.spaces_today.insert(s);
        }
        first_today.map(|ip| self.new_address(ip))
    }

    /// The metric's own baseline, once there is history.
    pub fn usual(&self, metric: Metric) -> Option<Usual> {
        (self.days > 0).then_some(self.usual[metric as usize])
    }

    /// True once a day, when today's pages first pass twice the median day of the history.
    pub fn becomes_elevated(&mut self) -> bool {
        if self.elevated || self.days == 0 {
            return false;
        }
        let median = self.usual(Metric::Pages).map_or(0, |u| u32::from(u.median));
        self.elevated = self.today[Metric::Pages as usize] > 2 * median.max(1);
        self.elevated
    }

    /// Whether the event is routine for the account: it has history, today is within its
    /// busiest day on every metric, and the hour and the address are among its usual ones.
    pub fn routine(&self, v: &View<'_>) -> bool {
        self.days > 0
            && Metric::ALL
                .iter()
                .all(|&m| self.today[m as usize] <= u32::from(self.usual[m as usize].max))
            && !self.unusual_hour(v.time)
            && v.ip_hash.is_none_or(|ip| !self.new_address(ip))
    }

    /// Whether the account was never active at this hour of the day on an earlier day.
    pub fn unusual_hour(&self, now: TimeMs) -> bool {
        if self.days == 0 {
            return false;
        }
        let hour = hour_of_week(now) % 24;
        !(0..7).any(|d| {
            let h = d * 24 + hour;
            self.hours[h / 64] & (1 << (h % 64)) != 0
        })
    }

    /// Whether `ip` is new to the account (never used on an earlier day). An account with no
    /// history has no usual address yet, so nothing is new to it.
    pub fn new_address(&self, ip: u32) -> bool {
        self.days > 0 && self.addrs.len() > 0 && !self.addrs.contains(ip)
    }
}

/// Hour of the week, Monday 00:00 UTC = 0.
fn hour_of_week(now: TimeMs) -> usize {
    // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
    let day = now.div_euclid(DAY_MS);
    let weekday = (day + 3).rem_euclid(7) as usize;
    let hour = (now.rem_euclid(DAY_MS) / HOUR_MS) as usize;
    weekday * 24 + hour
}

#[cfg(test)]
mod tests {
    use super::*;

    const MON: i64 = 1_791_158_400_000; // 2026-10-05 00:00 UTC, a Monday

    #[test]
    fn hour_of_week_starts_on_monday() {
        assert_eq!(hour_of_week(MON), 0);
        assert_eq!(hour_of_week(MON + 26 * HOUR_MS), 26);
        assert_eq!(hour_of_week(MON - HOUR_MS), 167);
    }

    #[test]
    fn history_is_earlier_days_only() {
        let mut p = Profile::default();
        for d in 0..20i64 {
            p.roll(MON + d * DAY_MS + 9 * HOUR_MS);
            p.count(Metric::Pages, 10 + d as u32, MON + d * DAY_MS + 9 * HOUR_MS);
            p.saw(MON + d * DAY_MS + 9 * HOUR_MS, Some(7), Some(1), true);
        }
        let u = p.usual(Metric::Pages).unwrap();
        assert_eq!(u.days, 14);
        assert_eq!((u.median, u.max), (10 + 5 + 7, 10 + 18), "days 5..=18, today (19) not in");
        assert_eq!(u.peak, 10 + 18, "each day's reads came at once");
        assert!(p.usual(Metric::Exports).is_some_and(|u| u.max == 0));
        assert!(p.unusual_hour(MON + 2 * HOUR_MS));
        assert!(!p.unusual_hour(MON + 9 * HOUR_MS + 1000));
        assert!(!p.new_address(7) && p.new_address(8));
    }

    #[test]
    fn a_late_event_and_a_bad_timestamp_do_not_close_days() {
        let mut p = Profile::default();
        p.roll(MON + 10 * HOUR_MS);
        p.count(Metric::Pages, 5, MON + 10 * HOUR_MS);
        assert_eq!(p.roll(MON - HOUR_MS), None, "yesterday counts in today");
        assert_eq!(p.today[0], 5);
        assert_eq!(p.roll(MON + DAY_MS), Some(5));
        p.count(Metric::Pages, 3, MON + DAY_MS);
        assert_eq!(p.roll(MON + 3650 * DAY_MS), Some(3));
        assert_eq!(p.roll(MON + 2 * DAY_MS), None, "back from the bad day: restart, no close");
        assert_eq!(p.days, 2);
    }
}
