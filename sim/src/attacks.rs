//! Planning the first-wave attacks of a scenario (the styles are listed in `plan.rs`): who runs
//! each, from where, and when. The traffic itself is written by `crawlers.rs` and `hunters.rs`
//! (scraping tools) and `insiders.rs` (abuse of an account through a browser). The quiet styles
//! are planned and rendered by `quiet.rs`.

use crate::model::{day_start, is_weekday, rng_for, Event, Ms, HOUR, MINUTE};
use crate::plan::{
    AttackStyle, Plan, ANONYMOUS_CRAWLER, ATTACHMENT_HUNT, ATTACKS, CREDENTIAL_HUNT,
    DISTRIBUTED_ACCOUNT, FIRST_WAVE, KEYWORD_HUNT_EXPORT, PRIVILEGED_EXPORT, REST_CRAWL,
    SEARCH_BURST, SLOW_AND_LOW,
};
use crate::population::{AddressBook, Person, HOSTING_NETS, PROXY_NETS};
use crate::wiki::Wiki;
use crate::{crawlers, hunters, insiders, quiet};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;

/// Days attacks may fall on: weekdays of the second half of the corpus (so baselines have
/// history), or the last days when there are none.
pub fn attack_days(days: u32) -> Vec<u32> {
    let from = days / 2;
    let weekdays: Vec<u32> = (from..days).filter(|&d| is_weekday(d)).collect();
    if weekdays.is_empty() {
        (from..days).collect()
    } else {
        weekdays
    }
}

/// Plans the attacks in `selected`; `taken` are people who must not be used (trap accounts).
pub fn plan(
    seed: u64,
    days: u32,
    selected: &[u8],
    people: &[Person],
    taken: &[usize],
    book: &mut AddressBook,
) -> Vec<Plan> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA77AC);
    let candidates = attack_days(days);
    let offset = rng.random_range(0..candidates.len());
    let mut used: Vec<usize> = taken.to_vec();
    let mut pick_person = |rng: &mut ChaCha8Rng, admin: bool| -> usize {
        loop {
            let i = rng.random_range(0..people.len());
            if people[i].privileged == admin && !used.contains(&i) {
                used.push(i);
                return i;
            }
        }
    };
    let mut plans = Vec::new();
    // The first wave only: the quiet styles are planned by `quiet.rs`, after these draws.
    for &AttackStyle { id, .. } in &ATTACKS[..usize::from(FIRST_WAVE)] {
        // Draw for every attack, selected or not, so a subset keeps the same timings.
        let day = candidates[(offset + usize::from(id)) % candidates.len()];
        let d0 = day_start(day);
        let minute = |rng: &mut ChaCha8Rng, from_h: i64, to_h: i64| {
            d0 + rng.random_range(from_h * 60..to_h * 60) * MINUTE + rng.random_range(0..60_000)
        };
        let person = match id {
            PRIVILEGED_EXPORT => Some(pick_person(&mut rng, true)),
            ANONYMOUS_CRAWLER => None,
            _ => Some(pick_person(&mut rng, false)),
        };
        let user = person.map(|i| people[i].name.clone());
        let chrome = |v: u32| -> Rc<str> {
            format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36").into()
        };
        let (start, ips, agent): (Ms, Vec<Rc<str>>, Option<Rc<str>>) = match id {
            REST_CRAWL => {
                let ua =
                    ["python-requests/2.31.0", "python-requests/2.28.2", "python-requests/2.32.3"]
                        [rng.random_range(0..3)];
                (minute(&mut rng, 10, 16), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
            KEYWORD_HUNT_EXPORT => {
                let ua =
                    ["python-requests/2.25.1", "python-requests/2.22.0"][rng.random_range(0..2)];
                (minute(&mut rng, 9, 17), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
            SEARCH_BURST => {
                let ip = if rng.random_bool(0.5) {
                    book.fixed(&format!(
                        "10.30.{}.{}",
                        rng.random_range(0..4),
                        rng.random_range(2..250)
                    ))
                } else {
                    book.fresh(&HOSTING_NETS)
                };
                (minute(&mut rng, 9, 17), vec![ip], Some(chrome(rng.random_range(116..124))))
            }
            ATTACHMENT_HUNT => (minute(&mut rng, 8, 20), vec![book.fresh(&HOSTING_NETS)], None),
            PRIVILEGED_EXPORT => {
                let p = &people[person.unwrap_or(0)];
                (
                    minute(&mut rng, 21, 23) - 30 * MINUTE,
                    vec![p.home_ip.clone()],
                    Some(p.agent.clone()),
                )
            }
            SLOW_AND_LOW => {
                let p = &people[person.unwrap_or(0)];
                (
                    d0 + 9 * HOUR + rng.random_range(-20..20) * MINUTE,
                    vec![p.office_ip.clone()],
                    Some(p.agent.clone()),
                )
            }
            DISTRIBUTED_ACCOUNT => {
                let n = rng.random_range(30..51);
                let ips = (0..n).map(|_| book.fresh(&PROXY_NETS)).collect();
                (minute(&mut rng, 8, 17), ips, Some(chrome(rng.random_range(138..142))))
            }
            CREDENTIAL_HUNT => {
                (minute(&mut rng, 10, 17), vec![book.fresh(&HOSTING_NETS)], Some(chrome(140)))
            }
            _ => {
                let ua = ["curl/8.5.0", "curl/7.88.1", "curl/8.7.1"][rng.random_range(0..3)];
                (minute(&mut rng, 3, 23), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
        };
        if selected.contains(&id) {
            plans.push(Plan { id, day, start, user, person, ips, agent, ..Plan::default() });
        }
    }
    plans
}

/// Writes attack `plan`'s traffic of day `d` (one of its days).
pub fn render(
    out: &mut Vec<Event>,
    seed: u64,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    people: &[Person],
) {
    let mut rng = rng_for(seed, d, 100, usize::from(plan.id));
    let person = plan.person.map(|i| &people[i]);
    if plan.id > FIRST_WAVE {
        return quiet::render(out, &mut rng, plan, d, wiki, people);
    }
    match plan.id {
        REST_CRAWL => crawlers::rest_crawl(out, &mut rng, plan, wiki),
        KEYWORD_HUNT_EXPORT => hunters::keyword_hunt_export(out, &mut rng, plan, wiki),
        SEARCH_BURST => hunters::search_burst(out, &mut rng, plan),
        ATTACHMENT_HUNT => hunters::attachment_hunt(out, &mut rng, plan, wiki),
        PRIVILEGED_EXPORT => insiders::privileged_export(out, &mut rng, plan, wiki),
        SLOW_AND_LOW => insiders::slow_and_low(out, &mut rng, plan, wiki, person),
        DISTRIBUTED_ACCOUNT => insiders::distributed_account(out, &mut rng, plan, wiki),
        CREDENTIAL_HUNT => insiders::credential_hunt(out, &mut rng, plan, wiki),
        _ => crawlers::anonymous_crawler(out, &mut rng, plan, wiki),
    }
}
