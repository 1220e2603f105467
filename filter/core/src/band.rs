//! A user's baseline as `baseline-deviation` sees it at one moment: per metric, today's count,
//! the usual day it is judged against and what the day criterion allows. Display data for the
//! hosts that plot activity beside its baseline (`wikiwatch scope`, the browser harness); the
//! figures come from the rule's own code, so the band drawn is the band judged.

use serde::Serialize;
use std::collections::BTreeMap;

/// One metric of a user's baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// `pages`, `exports` (exports and downloads) or `programmatic` (pages read by script).
    pub metric: &'static str,
    /// Count so far today.
    pub today: u64,
    /// The usual day: the user's own median day, or their team's or role's median member-day.
    pub usual: u64,
    /// What the day criterion allows today; the rule alerts past it.
    pub allowed: u64,
    /// Whose days `usual` comes from: `own` or the group's name (`team:ENG`, `role:admin`).
    pub basis: String,
    /// Days of history behind `usual` (the user's own days; 0 for a group).
    pub days: u8,
}

/// A user's bands on one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Baseline {
    /// The user's current day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// One band per metric that has a baseline (own history, or a group's for pages).
    pub bands: Vec<Band>,
}

/// Days kept by [`BaselineDays`] (a row each): over a year of daily rows.
const MAX_DAYS: usize = 400;

/// One user's days, each with the last baseline asked for on it: asked after each of the user's
/// events, a day's entry is that day's final count against that day's band. Bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BaselineDays(#[serde(serialize_with = "values")] BTreeMap<String, Baseline>);

fn values<S: serde::Serializer>(m: &BTreeMap<String, Baseline>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(m.values())
}

impl BaselineDays {
    /// Keeps `b` as the latest baseline of its day (a new day past the bound is not kept).
    pub fn record(&mut self, b: Baseline) {
        if self.0.len() < MAX_DAYS || self.0.contains_key(&b.date) {
            self.0.insert(b.date.clone(), b);
        }
    }

    /// Whether no day was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The days, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Baseline> {
        self.0.values()
    }
}
