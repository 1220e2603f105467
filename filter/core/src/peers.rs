//! What is normal for a team or a role: the page volumes of its members' recent days (the
//! cold-start baseline of an account with no history of its own), and the group's total per
//! day (so a deviation most of a team shares, a release day, is not taken for one person's).
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

/// One team's or role's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Group {
    /// Pages of members' closed days, newest overwriting oldest.
    member_days: Vec<u16>,
    next_member: u8,
    /// Pages by all members today, and the day.
    day: i64,
    today: u32,
    /// Members active today, and those already past twice their own median day.
    active: u16,
    elevated: u16,
    /// Totals of earlier days.
    totals: Vec<u32>,
    next_total: u8,
    /// (median, p95) of `member_days` and the median of `totals`, worked out when first asked
    /// after a change: every member's every event asks.
    #[serde(skip)]
    cache: Option<(u32, u32, u32)>,
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
        if self.today > 0 {
            ring_push(&mut self.totals, &mut self.next_total, self.today, TOTALS);
            self.cache = None;
        }
        self.day = day;
        self.today = 0;
        self.active = 0;
        self.elevated = 0;
    }

    fn view<'a>(&mut self, name: &'a str) -> Option<PeerView<'a>> {
        if self.member_days.len() < MIN_MEMBER_DAYS {
            return None;
        }
        let (median, p95, usual) = *self.cache.get_or_insert_with(|| {
            let mut days = self.member_days.clone();
            days.sort_unstable();
            let at = |q: usize| u32::from(days[(days.len() - 1) * q / 100]);
            let mut t = self.totals.clone();
            t.sort_unstable();
            let usual = if t.len() >= MIN_MEMBER_DAYS { t[t.len() / 2] } else { 0 };
            (at(50), at(95), usual)
        });
        let surge = match usual {
            0 => 1.0,
            u => (f64::from(self.today) / f64::from(u)).max(1.0),
        };
        let shared = self.active >= 3 && 2 * self.elevated >= self.active;
        Some(PeerView { name, median, p95, surge, shared })
    }
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
            let group = self.group(g);
            group.roll(now);
            group.today = group.today.saturating_add(n);
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

    /// The first of `groups` (team before role) with enough history.
    pub fn view<'a>(&mut self, groups: &'a [String]) -> Option<PeerView<'a>> {
        groups.iter().find_map(|g| self.groups.get_mut(g)?.view(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_days_give_a_cold_start_and_totals_a_surge() {
        let mut p = Peers::default();
        let team = vec!["team:ENG".to_string()];
        assert!(p.view(&team).is_none());
        for d in 0..10i64 {
            p.read(&team, d * DAY_MS, 100);
            for pages in [20, 30, 40, 25, 35] {
                p.member_day(&team, pages);
            }
        }
        let v = p.view(&team).unwrap();
        assert_eq!((v.name, v.median, v.p95), ("team:ENG", 30, 40));
        assert!((v.surge - 1.0).abs() < 1e-9);
        p.read(&team, 10 * DAY_MS, 250);
        assert!((p.view(&team).unwrap().surge - 2.5).abs() < 1e-9);
    }
}
