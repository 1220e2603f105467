//! The nine attacks of the scenario: what each is modelled on, who runs it, from where, and
//! when. The traffic itself is written by `crawlers.rs` and `hunters.rs` (scraping tools) and `insiders.rs`
//! (abuse of an account through a browser).

use super::model::{day_start, is_weekday, Actor, Client, Event, Ms, HOUR, MINUTE};
use super::population::{AddressBook, Person, HOSTING_NETS, PROXY_NETS};
use super::wiki::Wiki;
use super::{crawlers, hunters, insiders};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;

/// Number, name, model and description of each attack.
pub const CATALOGUE: [(u8, &str, &str, &str); 9] = [
    (1, "rest-crawl", "confluence-dumper / atlassian-python-api",
     "REST crawl with python-requests: list spaces, paginate content, read each page body, grab attachments"),
    (2, "keyword-hunt-export", "Conf-Thief",
     "CQL searches for credential terms, then a PDF export of each hit"),
    (3, "search-burst", "conkeyscan",
     "CQL search burst with a Chrome user agent at tens of requests per second"),
    (4, "attachment-hunt", "AtlasReaper",
     "no user agent at all: attachment searches, then downloads"),
    (5, "privileged-export", "admin account after hours",
     "a privileged account exporting several spaces and many pages after hours"),
    (6, "slow-and-low", "insider with their own browser",
     "one page every ~10 s for a working day across many spaces, from the user's own browser"),
    (7, "distributed-account", "residential proxy network",
     "one account from dozens of outside addresses, each quiet on its own"),
    (8, "credential-hunt", "2023 Cloudflare intrusion",
     "a dozen credential searches and a few page reads, at very low volume"),
    (9, "anonymous-crawler", "curl",
     "an anonymous crawler with curl hitting public and restricted spaces (many 401/403/404)"),
];

/// One planned attack.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Attack number (1..=9).
    pub id: u8,
    /// Day it happens.
    pub day: u32,
    /// Planned start (the truth file records the first and last event actually written).
    pub start: Ms,
    /// Account used (`None` for anonymous).
    pub user: Option<Rc<str>>,
    /// Index of that account's owner in the population, if any.
    pub person: Option<usize>,
    /// Addresses the attacker uses.
    pub ips: Vec<Rc<str>>,
    /// User-Agent, `None` for none.
    pub agent: Option<Rc<str>>,
}

impl Plan {
    /// The attacker as a client on its first address.
    pub fn client(&self) -> Client {
        Client {
            user: self.user.clone(),
            ip: self.ips[0].clone(),
            agent: self.agent.clone(),
            actor: Actor::Attack(self.id),
        }
    }

    /// Catalogue entry.
    pub fn info(&self) -> (u8, &'static str, &'static str, &'static str) {
        CATALOGUE[usize::from(self.id - 1)]
    }
}

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
    for &(id, ..) in &CATALOGUE {
        // Draw for every attack, selected or not, so a subset keeps the same timings.
        let day = candidates[(offset + usize::from(id)) % candidates.len()];
        let d0 = day_start(day);
        let minute = |rng: &mut ChaCha8Rng, from_h: i64, to_h: i64| {
            d0 + rng.random_range(from_h * 60..to_h * 60) * MINUTE + rng.random_range(0..60_000)
        };
        let person = match id {
            5 => Some(pick_person(&mut rng, true)),
            9 => None,
            _ => Some(pick_person(&mut rng, false)),
        };
        let user = person.map(|i| people[i].name.clone());
        let chrome = |v: u32| -> Rc<str> {
            format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36").into()
        };
        let (start, ips, agent): (Ms, Vec<Rc<str>>, Option<Rc<str>>) = match id {
            1 => {
                let ua =
                    ["python-requests/2.31.0", "python-requests/2.28.2", "python-requests/2.32.3"]
                        [rng.random_range(0..3)];
                (minute(&mut rng, 10, 16), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
            2 => {
                let ua =
                    ["python-requests/2.25.1", "python-requests/2.22.0"][rng.random_range(0..2)];
                (minute(&mut rng, 9, 17), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
            3 => {
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
            4 => (minute(&mut rng, 8, 20), vec![book.fresh(&HOSTING_NETS)], None),
            5 => {
                let p = &people[person.unwrap_or(0)];
                (
                    minute(&mut rng, 21, 23) - 30 * MINUTE,
                    vec![p.home_ip.clone()],
                    Some(p.agent.clone()),
                )
            }
            6 => {
                let p = &people[person.unwrap_or(0)];
                (
                    d0 + 9 * HOUR + rng.random_range(-20..20) * MINUTE,
                    vec![p.office_ip.clone()],
                    Some(p.agent.clone()),
                )
            }
            7 => {
                let n = rng.random_range(30..51);
                let ips = (0..n).map(|_| book.fresh(&PROXY_NETS)).collect();
                (minute(&mut rng, 8, 17), ips, Some(chrome(rng.random_range(138..142))))
            }
            8 => (minute(&mut rng, 10, 17), vec![book.fresh(&HOSTING_NETS)], Some(chrome(140))),
            _ => {
                let ua = ["curl/8.5.0", "curl/7.88.1", "curl/8.7.1"][rng.random_range(0..3)];
                (minute(&mut rng, 3, 23), vec![book.fresh(&HOSTING_NETS)], Some(ua.into()))
            }
        };
        if selected.contains(&id) {
            plans.push(Plan { id, day, start, user, person, ips, agent });
        }
    }
    plans
}

/// Writes attack `plan`'s traffic.
pub fn render(out: &mut Vec<Event>, seed: u64, plan: &Plan, wiki: &Wiki, people: &[Person]) {
    let mut rng = super::model::rng_for(seed, plan.day, 100, usize::from(plan.id));
    let person = plan.person.map(|i| &people[i]);
    match plan.id {
        1 => crawlers::rest_crawl(out, &mut rng, plan, wiki),
        2 => hunters::keyword_hunt_export(out, &mut rng, plan, wiki),
        3 => hunters::search_burst(out, &mut rng, plan),
        4 => hunters::attachment_hunt(out, &mut rng, plan, wiki),
        5 => insiders::privileged_export(out, &mut rng, plan, wiki),
        6 => insiders::slow_and_low(out, &mut rng, plan, wiki, person),
        7 => insiders::distributed_account(out, &mut rng, plan, wiki),
        8 => insiders::credential_hunt(out, &mut rng, plan, wiki),
        _ => crawlers::anonymous_crawler(out, &mut rng, plan, wiki),
    }
}
