//! Quiet attacks through accounts (planned in `quiet.rs`): an insider reading far more than usual
//! at a human pace (10), a script disguised as Chrome at night (11), twenty stolen accounts on
//! one outside address (12), and an administrator reading HR, legal and finance at 2 a.m. (13).
//! Each stays under every fixed per-window threshold of the detector (see `quiet.rs`).

use crate::browser::Browser;
use crate::model::{day_start, Actor, Client, Event, Ms, HOUR, MINUTE, SECOND};
use crate::plan::Plan;
use crate::population::Person;
use crate::quiet::readable;
use crate::traps::shuffle_prefix;
use crate::wiki::{page_path, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Shortest gap between two of the insider's pages: at most 36 pages in any hour.
pub const CREEP_MIN_GAP: Ms = 100 * SECOND;
/// Most spaces the insider reads (mass-enumeration's breadth criterion needs 8 in an hour).
pub const CREEP_SPACES: usize = 7;

/// The spaces around a person's work: their favourites, then the open spaces most often
/// favoured by the people who share a favourite with them, `max` in all.
pub fn neighbourhood(p: &Person, people: &[Person], wiki: &Wiki, max: usize) -> Vec<usize> {
    let mut spaces: Vec<usize> = p.favourites.iter().copied().take(max).collect();
    let mut score = vec![0_usize; wiki.spaces.len()];
    for q in people.iter().filter(|q| q.favourites.iter().any(|s| p.favourites.contains(s))) {
        for &s in &q.favourites {
            score[s] += 1;
        }
    }
    let mut others: Vec<usize> = (0..wiki.spaces.len())
        .filter(|&s| !spaces.contains(&s) && !wiki.spaces[s].restricted && !wiki.spaces[s].public)
        .collect();
    others.sort_by_key(|&s| (std::cmp::Reverse(score[s]), s));
    spaces.extend(others.into_iter().take(max.saturating_sub(spaces.len())));
    spaces
}

/// Every page of `spaces`, shuffled.
fn shuffled_pages(rng: &mut ChaCha8Rng, wiki: &Wiki, spaces: &[usize]) -> Vec<usize> {
    let mut pages: Vec<usize> =
        spaces.iter().flat_map(|&s| wiki.spaces[s].pages.iter().copied()).collect();
    let n = pages.len();
    shuffle_prefix(rng, &mut pages, n);
    pages
}

/// 10: one of the insider's three days: their own browser on their usual address, from the
/// start of their office hours to the end, a page every two minutes or so (never closer than
/// [`CREEP_MIN_GAP`]), `plan.volume` pages in the spaces around their work, a lunch break.
pub fn insider_creep(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    people: &[Person],
) {
    let Some(p) = plan.person.map(|i| &people[i]) else {
        return;
    };
    let d0 = day_start(d);
    let start =
        d0 + (p.start_min + rng.random_range(-10..10)) * MINUTE + rng.random_range(0..60_000);
    let end = d0 + (p.end_min + rng.random_range(-10..5)) * MINUTE;
    let lunch = d0 + 12 * HOUR + rng.random_range(0..30) * MINUTE;
    let lunch_end = lunch + rng.random_range(30..45) * MINUTE;
    let mut b = Browser::new(plan.client());
    let mut t = b.login(out, rng, start) + rng.random_range(30..90) * SECOND;
    let pages = (i64::from(plan.volume) * rng.random_range(96..=104) / 100).max(1);
    let span = end - t - (lunch_end - lunch);
    let gap = (span / pages).max(CREEP_MIN_GAP);
    let spaces = neighbourhood(p, people, wiki, CREEP_SPACES);
    let order = shuffled_pages(rng, wiki, &spaces);
    for (n, pi) in order.iter().cycle().enumerate() {
        if t >= lunch && t < lunch_end {
            t = lunch_end + rng.random_range(0..120) * SECOND;
        }
        if n as i64 >= pages || t >= end {
            break;
        }
        let g = (gap * rng.random_range(85..=115) / 100).max(CREEP_MIN_GAP);
        b.view(out, rng, wiki, &wiki.pages[*pi], t, g);
        t += g;
    }
}

/// Pages `fake-chrome-script` reads in one batch (one space), at most.
pub const SCRIPT_BATCH: usize = 28;
/// Least time between the starts of two batches: at most five batches touch any hour, so at
/// most 140 pages (mass-enumeration: 150) in five spaces (8).
pub const SCRIPT_BATCH_EVERY: Ms = 14 * MINUTE;

/// 11: a script with a copied Chrome agent: page requests only (no resources, no XHR, no
/// Referer), seconds apart, in batches of one space each a quarter of an hour apart, from
/// about 01:00 until a few hundred pages are read or it is 04:00.
pub fn fake_chrome_script(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    person: Option<&Person>,
) {
    let c = plan.client();
    let mut spaces = readable(wiki, person);
    spaces.retain(|&s| !wiki.spaces[s].public);
    let n_spaces = spaces.len();
    shuffle_prefix(rng, &mut spaces, n_spaces);
    let target = rng.random_range(240..=320);
    let stop = day_start(d) + 4 * HOUR;
    let mut batch_start = plan.start;
    let mut read = 0;
    for &s in spaces.iter().cycle() {
        if read >= target || batch_start >= stop {
            break;
        }
        let mut pages = wiki.spaces[s].pages.clone();
        let size = rng.random_range(20..=SCRIPT_BATCH).min(target - read).min(pages.len());
        shuffle_prefix(rng, &mut pages, size);
        let mut t = batch_start;
        for &pi in &pages[..size] {
            let page = &wiki.pages[pi];
            out.push(c.req(
                t,
                "GET",
                page_path(wiki, page, rng.random_bool(0.8)),
                200,
                rng.random_range(90..1600),
                rng.random_range(18_000..160_000),
                None,
            ));
            t += rng.random_range(2_000..7_000);
        }
        read += size;
        batch_start += SCRIPT_BATCH_EVERY + rng.random_range(0..4 * 60) * SECOND;
    }
}

/// 12: twenty accounts, each logged in from the same outside address with the same browser a
/// few minutes after the previous one, each reading a few dozen pages of two or three open
/// spaces outside its team; all within two hours.
pub fn stolen_accounts(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    wiki: &Wiki,
    people: &[Person],
) {
    let slot = 100 * MINUTE / plan.accounts.len().max(1) as i64;
    for (k, &i) in plan.accounts.iter().enumerate() {
        let p = &people[i];
        let client = Client {
            user: Some(p.name.clone()),
            ip: plan.ips[0].clone(),
            agent: plan.agent.clone(),
            actor: Actor::Attack(plan.id),
        };
        let mut b = Browser::new(client);
        let start = plan.start + k as i64 * slot + rng.random_range(0..slot / 3 + 1);
        let mut t = b.login(out, rng, start) + rng.random_range(10..40) * SECOND;
        let mut outside: Vec<usize> = (0..wiki.spaces.len())
            .filter(|&s| {
                !wiki.spaces[s].restricted && !wiki.spaces[s].public && !p.favourites.contains(&s)
            })
            .collect();
        let n = rng.random_range(2..=3).min(outside.len());
        shuffle_prefix(rng, &mut outside, n);
        outside.truncate(n.max(1));
        for _ in 0..rng.random_range(24..=36) {
            let s = outside[rng.random_range(0..outside.len())];
            let page = wiki.pick_page(rng, s);
            let dwell = rng.random_range(10..25) * SECOND;
            b.view(out, rng, wiki, page, t, dwell);
            t += dwell;
        }
    }
}

/// Shortest gap between two of the administrator's pages: at most 65 pages an hour
/// (mass-enumeration for privileged users: 80).
pub const ADMIN_MIN_GAP: Ms = 55 * SECOND;

/// 13: an administrator at home logs in at about 2 a.m. with their usual browser and reads a
/// couple of hundred pages of the HR, legal and finance spaces, a page a minute or so.
pub fn admin_small_hours(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let mut b = Browser::new(plan.client());
    let mut t = b.login(out, rng, plan.start) + rng.random_range(20..60) * SECOND;
    let spaces: Vec<usize> = ["HR", "LEGAL", "FIN"].iter().filter_map(|k| wiki.space(k)).collect();
    let order = shuffled_pages(rng, wiki, &spaces);
    if order.is_empty() {
        return;
    }
    let n = rng.random_range(180..=240);
    for &pi in order.iter().cycle().take(n) {
        let gap = rng.random_range(ADMIN_MIN_GAP..ADMIN_MIN_GAP + 15 * SECOND);
        b.view(out, rng, wiki, &wiki.pages[pi], t, gap);
        t += gap;
    }
}
