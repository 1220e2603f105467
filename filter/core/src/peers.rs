//! What is normal for a team or a role: the page volumes of its members' recent days (the
//! cold-start baseline of an account with no history of its own), and the group's running total
//! through each day (so a deviation most of a team shares, a release day, is not taken for one
//! person's). The running total is judged against the usual total by the same time of day: at
//! ten in the morning a release day is already twice the usual morning, not yet twice a day.
//!
//! One group per team and role named in the identity config, so the map is bounded by config.

use crate::event::TimeMs;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Member-days kept per group.
const MEMBER_DAYS: usize = 64;
/// Group totals kept (days).
const TOTALS: usize = 14;
/// Member-days before a group's figures are trusted.
const MIN_MEMBER_DAYS: usize = 5;
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Early in the day the usual total so far is small and noisy: it counts as at least this
/// share of a usual day.
const LEAST_SHARE: u32 = 8;

/// One team's or role's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Group {
    /// Pages of members' closed days, newest overwriting oldest.
    member_days: Vec<u16>,
    next_member: u8,
    /// Pages by all members today, by hour of the day (UTC), and the day.
    day: i64,
    today: [u32; 24],
    /// Members active today, and those already past twice their own median day.
    active: u16,
    elevated: u16,
    /// Earlier days' running totals at the end of each hour.
    totals: Vec<[u32; 24]>,
    next_total: u8,
    /// (median, p95) of `member_days` and, per hour, the median running total of `totals`,
    /// worked out when first asked after a change: every member's every event asks.
    #[serde(skip)]
    cache: Option<(u32, u32, Option<[u32; 24]>)>,
}

/// A group's baseline for one member: median and 95th percentile of member-days, and how far
/// above its usual daily total the whole group is today (1.0 when not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PeerView<'a> {
    pub name: &'a str,
    pub median: u32,
    pub p95: u32,
    pub surge: f64,
    /// Most of the group's active members are past twice their own usual day.
    pub shared: bool,
}

impl Group {
    fn roll(&mut self, now: TimeMs) {
        let day = now.div_euclid(DAY_MS);
        if day <= self.day {
            return;
        }
        if self.today.iter().any(|&n| n > 0) {
            let mut running = self.today;
            for h in 1..24 {
                running[h] = running[h].saturating_add(running[h - 1]);
            }
            ring_push(&mut self.totals, &mut self.next_total, running, TOTALS);
            self.cache = None;
        }
        self.day = day;
        self.today = [0; 24];
        self.active = 0;
        self.elevated = 0;
    }

    fn count(&mut self, now: TimeMs, n: u32) {
        self.roll(now);
        let h = (now.rem_euclid(DAY_MS) / HOUR_MS) as usize;
        self.today[h] = self.today[h].saturating_add(n);
    }

    fn view<'a>(&mut self, name: &'a str, now: TimeMs, own: u32) -> Option<PeerView<'a>> {
        if self.member_days.len() < MIN_MEMBER_DAYS {
            return None;
        }
        let (median, p95, usual) = *self.cache.get_or_insert_with(|| {
            let (median, p95) = member_figures(&self.member_days);
            let usual = (self.totals.len() >= MIN_MEMBER_DAYS).then(|| {
                std::array::from_fn(|h| {
                    let mut t: Vec<u32> = self.totals.iter().map(|d| d[h]).collect();
                    t.sort_unstable();
                    t[t.len() / 2]
                })
            });
            (median, p95, usual)
        });
        let surge = usual.map_or(1.0, |u| self.surge(&u, now, own));
        let shared = self.active >= 3 && 2 * self.elevated >= self.active;
        Some(PeerView { name, median, p95, surge, shared })
    }

    /// Today's running total, less the member's own pages (one person's deviation must not
    /// lift their own allowance), against the usual running total at this time of day.
    fn surge(&self, usual: &[u32; 24], now: TimeMs, own: u32) -> f64 {
        if now.div_euclid(DAY_MS) != self.day {
            return 1.0;
        }
        let into = now.rem_euclid(DAY_MS);
        let h = (into / HOUR_MS) as usize;
        let before = if h == 0 { 0 } else { usual[h - 1] };
        let part = (into % HOUR_MS) as f64 / HOUR_MS as f64;
        let expected = f64::from(before) + part * f64::from(usual[h].saturating_sub(before));
        let expected = expected.max(f64::from(usual[23] / LEAST_SHARE)).max(1.0);
        let so_far = self.today.iter().take(h + 1).sum::<u32>().saturating_sub(own);
        (f64::from(so_far) / expected).max(1.0)
    }
}

/// Median and 95th percentile of member-days (0 and 0 for none).
fn member_figures(member_days: &[u16]) -> (u32, u32) {
    let mut days = member_days.to_vec();
    days.sort_unstable();
    let at =
        |q: usize| days.get(days.len().saturating_sub(1) * q / 100).map_or(0, |&d| u32::from(d));
    (at(50), at(95))
}

fn ring_push<T: Copy>(ring: &mut Vec<T>, next: &mut u8, value: T, cap: usize) {
    if ring.len() < cap {
        ring.push(value);
    } else {
        ring[usize::from(*next)] = value;
    }
    *next = ((usize::from(*next) + 1) % cap) as u8;
}

/// Every group, keyed `team:NAME` and `role:NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Peers {
    groups: BTreeMap<String, Group>,
}

impl Peers {
    /// Counts `n` pages read by a member of `groups` at `now`.
    pub fn read(&mut self, groups: &[String], now: TimeMs, n: u32) {
        for g in groups {
            self.group(g).count(now, n);
        }
    }

    /// A member's first event of the day (`active`), or its passing twice its own median day.
    pub fn member(&mut self, groups: &[String], now: TimeMs, active: bool, elevated: bool) {
        for g in groups {
            let group = self.group(g);
            group.roll(now);
            group.active = group.active.saturating_add(u16::from(active));
            group.elevated = group.elevated.saturating_add(u16::from(elevated));
        }
    }

    /// Records a member's closed day.
    pub fn member_day(&mut self, groups: &[String], pages: u32) {
        for g in groups {
            let group = self.group(g);
            let pages = u16::try_from(pages).unwrap_or(u16::MAX);
            ring_push(&mut group.member_days, &mut group.next_member, pages, MEMBER_DAYS);
            group.cache = None;
        }
    }

    /// The group named `name`, created on first use. Looked up before it is created: this runs
    /// on every page a configured user reads, and `entry` would copy the name each time.
    fn group(&mut self, name: &str) -> &mut Group {
        if !self.groups.contains_key(name) {
            self.groups.insert(name.to_string(), Group::default());
        }
        self.groups.get_mut(name).expect("inserted above")
    }

    /// Each group's name, member-days kept, and their median and 95th percentile.
    pub fn figures(&self) -> impl Iterator<Item = (&str, usize, u32, u32)> {
        self.groups.iter().map(|(name, g)| {
            let (median, p95) = member_figures(&g.member_days);
            (name.as_str(), g.member_days.len(), median, p95)
        })
    }

    /// The first of `groups` (team before role) with enough history, for a member who read
    /// `own` pages today.
    pub fn view<'a>(
        &mut self,
        groups: &'a [String],
        now: TimeMs,
        own: u32,
    ) -> Option<PeerView<'a>> {
        groups.iter().find_map(|g| self.groups.get_mut(g)?.view(g, now, own))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_days_give_a_cold_start_and_totals_a_surge_by_time_of_day() {
        let mut p = Peers::default();
        let team = vec!["team:ENG".to_string()];
        let at = |d: i64, h: i64| d * DAY_MS + h * HOUR_MS;
        assert!(p.view(&team, 0, 0).is_none());
        for d in 0..10i64 {
            // A usual day: 40 pages in the morning, 60 in the afternoon.
            p.read(&team, at(d, 9), 40);
            p.read(&team, at(d, 14), 60);
            for pages in [20, 30, 40, 25, 35] {
                p.member_day(&team, pages);
            }
        }
        let v = p.view(&team, at(10, 9), 0).unwrap();
        assert_eq!((v.name, v.median, v.p95), ("team:ENG", 30, 40));
        assert!((v.surge - 1.0).abs() < 1e-9);
        // Release day: by 10:00, 80 pages against a usual 40 so far.
        p.read(&team, at(10, 9), 80);
        let surge = |p: &mut Peers, h| p.view(&team, at(10, h), 0).unwrap().surge;
        assert!((surge(&mut p, 10) - 2.0).abs() < 1e-9, "{}", surge(&mut p, 10));
        assert!((surge(&mut p, 15) - 1.0).abs() < 1e-9, "80 against 100 by the afternoon");
        // Early in the day the usual counts as at least an eighth of a day (12 pages).
        p.read(&team, at(11, 3), 24);
        assert!((surge(&mut p, 0) - 1.0).abs() < 1e-9, "another day: no surge seen yet");
        assert!((p.view(&team, at(11, 3), 0).unwrap().surge - 2.0).abs() < 1e-9);
        let one_reader = p.view(&team, at(11, 3), 24).unwrap();
        assert!((one_reader.surge - 1.0).abs() < 1e-9, "their own pages lift nobody's allowance");
    }
}
