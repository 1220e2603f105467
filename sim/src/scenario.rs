//! A whole scenario: wiki, population, traps and attack plans, rendered day by day in
//! event-time order.

use crate::attacks;
use crate::benign::{anonymous_day, person_day, person_day_as};
use crate::model::{day_start, Actor, Event};
use crate::newcomers::new_hire_day;
use crate::plan::{Plan, FIRST_WAVE, INSIDER_CREEP, SLOW_AND_LOW, SLOW_EXPORT};
use crate::population::{people, AddressBook, Person};
use crate::quiet::{self, ExtraTrap, Extras};
use crate::traps::{self, Trap};
use crate::wiki::Wiki;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Fewest employees a scenario needs (attack accounts, admins, the writer).
pub const MIN_USERS: usize = 12;

/// Everything needed to render any day.
#[derive(Debug)]
pub struct Scenario {
    /// Seed.
    pub seed: u64,
    /// The wiki.
    pub wiki: Wiki,
    /// The employees.
    pub people: Vec<Person>,
    /// Benign traps.
    pub traps: Vec<Trap>,
    /// Planned attacks.
    pub plans: Vec<Plan>,
    writer: usize,
    writer_day: u32,
    visitors: usize,
    /// The optional traps' people and days.
    pub(crate) extras: Extras,
}

impl Scenario {
    /// A scenario of `users` employees over `days` days with the attack styles numbered in
    /// `selected` (see [`ATTACKS`](crate::ATTACKS)) and the optional traps in `extra`.
    pub fn new(
        seed: u64,
        users: usize,
        days: u32,
        selected: &[u8],
        extra: &[ExtraTrap],
    ) -> Scenario {
        let users = users.max(MIN_USERS);
        let days = days.max(1);
        let wiki = Wiki::new(seed, (users * 15).max(300));
        let mut book = AddressBook::new(seed);
        let mut people = people(seed, users, &wiki, &mut book);
        // The first non-admin becomes the technical writer of the review-afternoon trap.
        let writer = people.iter().position(|p| !p.privileged).unwrap_or(0);
        let w = &mut people[writer];
        w.role = "writer";
        w.team = "docs";
        w.favourites = ["DOCS", "PUB", "SUP"].iter().filter_map(|k| wiki.space(k)).collect();
        let mut traps = traps::traps(&people[writer]);
        for t in &traps[..3] {
            book.fixed(&t.ips[0]);
        }
        let mut plans = attacks::plan(seed, days, selected, &people, &[writer], &mut book);
        let mut extras = Extras::default();
        if selected.iter().any(|&a| a > FIRST_WAVE) || !extra.is_empty() {
            let taken: Vec<usize> =
                [writer].into_iter().chain(plans.iter().filter_map(|p| p.person)).collect();
            let (quiet, x) = quiet::plan(
                seed,
                days,
                selected,
                extra,
                &mut people,
                &wiki,
                &mut book,
                &taken,
                &mut traps,
            );
            plans.extend(quiet);
            extras = x;
        }
        let candidates = attacks::attack_days(days);
        let writer_day =
            candidates[ChaCha8Rng::seed_from_u64(seed ^ 0x3317).random_range(0..candidates.len())];
        Scenario {
            seed,
            wiki,
            people,
            traps,
            plans,
            writer,
            writer_day,
            visitors: (users / 10).max(3),
            extras,
        }
    }

    /// Every event of day `d`, unsorted (attacks only happen within `days`).
    pub fn day_events(&self, d: u32) -> Vec<Event> {
        let mut out = Vec::new();
        let wiki = &self.wiki;
        for (i, p) in self.people.iter().enumerate() {
            // These attacks are the person's whole day.
            let replaced = self.plans.iter().any(|a| {
                matches!(a.id, SLOW_AND_LOW | INSIDER_CREEP | SLOW_EXPORT)
                    && a.on(d)
                    && a.person == Some(i)
            });
            let release =
                self.extras.release.as_ref().filter(|r| r.day == d && r.members.contains(&i));
            if i == self.writer && d == self.writer_day {
                traps::writer_day(&mut out, self.seed, d, &self.traps[traps::WRITER], p, wiki);
            } else if let Some((_, first, trap)) = self.extras.new_hire.filter(|h| h.0 == i) {
                if d >= first {
                    new_hire_day(&mut out, self.seed, d, trap, p, wiki);
                }
            } else if !replaced {
                match release {
                    Some(r) => {
                        let actor = Actor::Trap(r.trap);
                        person_day_as(&mut out, self.seed, d, i, p, wiki, actor, r.boost);
                    }
                    None => person_day(&mut out, self.seed, d, i, p, wiki),
                }
            }
        }
        anonymous_day(&mut out, self.seed, d, self.visitors, wiki);
        traps::backup_night(&mut out, self.seed, d, &self.traps[traps::BACKUP], wiki);
        traps::indexer_night(&mut out, self.seed, d, &self.traps[traps::INDEXER], wiki);
        traps::integration_day(&mut out, self.seed, d, &self.traps[traps::INTEGRATION], wiki);
        for plan in self.plans.iter().filter(|a| a.on(d)) {
            attacks::render(&mut out, self.seed, plan, d, wiki, &self.people);
        }
        out
    }

    /// Calls `f` with every event of days `0..days` in time order (ties in generation order)
    /// until it returns false. Events that run past midnight are carried into the next day.
    pub fn stream(&self, days: u32, mut f: impl FnMut(&Event) -> bool) {
        let mut carry: Vec<Event> = Vec::new();
        for d in 0..days {
            let mut events = std::mem::take(&mut carry);
            events.extend(self.day_events(d));
            events.sort_by_key(|e| e.time_ms);
            let cut = if d + 1 == days {
                events.len()
            } else {
                events.partition_point(|e| e.time_ms < day_start(d + 1))
            };
            carry = events.split_off(cut);
            for e in &events {
                if !f(e) {
                    return;
                }
            }
        }
    }
}
