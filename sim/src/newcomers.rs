//! The new hire's working days (a benign trap of the quiet scenario, set up in `quiet.rs`): no
//! history at all, then 100+ onboarding and team pages a day from the first day on.

use crate::browser::Browser;
use crate::model::{
    day_start, is_weekday, rng_for, Actor, Client, Event, Ms, HOUR, MINUTE, SECOND,
};
use crate::population::Person;
use crate::quiet::readable;
use crate::wiki::Wiki;
use rand::RngExt;

/// Title topics a new hire reads first.
const ONBOARDING: [&str; 9] = [
    "Onboarding",
    "Training",
    "Laptop",
    "Benefits",
    "Holiday",
    "Expense",
    "Travel",
    "Office",
    "Identity",
];

/// What a new hire searches for.
const SEARCHES: [&str; 5] =
    ["onboarding", "holiday calendar", "benefits", "expense policy", "how to request access"];

/// Shortest gap between two of the new hire's pages (at most 36 an hour).
pub const NEW_HIRE_MIN_GAP: Ms = 100 * SECOND;

/// Day `d` of the new hire (`trap` in the trap list) from their office workstation: working
/// days only, 110 to 150 pages, about 60 % onboarding pages of any readable space and the rest
/// in their team's spaces, a few searches, a lunch break.
pub fn new_hire_day(out: &mut Vec<Event>, seed: u64, d: u32, trap: usize, p: &Person, wiki: &Wiki) {
    if !is_weekday(d) {
        return;
    }
    let mut rng = rng_for(seed, d, 14, 0);
    let client = Client {
        user: Some(p.name.clone()),
        ip: p.office_ip.clone(),
        agent: Some(p.agent.clone()),
        actor: Actor::Trap(trap),
    };
    let d0 = day_start(d);
    let start = d0 + (p.start_min + rng.random_range(-10..10)) * MINUTE;
    let end = d0 + p.end_min * MINUTE;
    let lunch = d0 + 12 * HOUR + rng.random_range(0..30) * MINUTE;
    let lunch_end = lunch + 45 * MINUTE;
    let mut b = Browser::new(client);
    let mut t = b.login(out, &mut rng, start) + rng.random_range(30..90) * SECOND;
    let spaces = readable(wiki, Some(p));
    let onboarding: Vec<usize> = spaces
        .iter()
        .flat_map(|&s| wiki.spaces[s].pages.iter().copied())
        .filter(|&pi| ONBOARDING.iter().any(|topic| wiki.pages[pi].title.starts_with(topic)))
        .collect();
    let n = rng.random_range(110..=150);
    let gap = ((end - t - (lunch_end - lunch)) / n).max(NEW_HIRE_MIN_GAP);
    for k in 0..n {
        if t >= lunch && t < lunch_end {
            t = lunch_end + rng.random_range(0..120) * SECOND;
        }
        if k % 30 == 7 {
            let query = SEARCHES[rng.random_range(0..SEARCHES.len())];
            b.search(out, &mut rng, query, t);
            t += rng.random_range(10..30) * SECOND;
        }
        let page = if !onboarding.is_empty() && (p.favourites.is_empty() || rng.random_bool(0.6)) {
            &wiki.pages[onboarding[rng.random_range(0..onboarding.len())]]
        } else {
            let s = p.favourites[rng.random_range(0..p.favourites.len())];
            wiki.pick_page(&mut rng, s)
        };
        let g = (gap * rng.random_range(85..=115) / 100).max(NEW_HIRE_MIN_GAP);
        b.view(out, &mut rng, wiki, page, t, g);
        t += g;
    }
}
