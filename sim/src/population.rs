//! Who uses the wiki: employees with roles, addresses, browsers and habits; admins; the
//! address book that keeps every generated address unique.

use crate::wiki::Wiki;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::rc::Rc;

/// Browser User-Agents of the population (current desktop browsers).
pub const BROWSERS: [&str; 8] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:143.0) Gecko/20100101 Firefox/143.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
];

const FIRST: [&str; 32] = [
    "anna", "ben", "carla", "david", "elena", "felix", "greta", "hugo", "ines", "jonas", "karin",
    "lukas", "maria", "nils", "olga", "paul", "rosa", "simon", "tanja", "uwe", "vera", "walter",
    "yara", "zoe", "amir", "bea", "chen", "dmitri", "eva", "farid", "gina", "hannes",
];
const LAST: [&str; 32] = [
    "meyer", "schmidt", "novak", "rossi", "garcia", "dubois", "jansen", "berg", "kowalski",
    "silva", "weber", "lind", "costa", "horvat", "moreau", "fischer", "haas", "lopez", "nagy",
    "olsen", "petrov", "quinn", "ruiz", "sauer", "tamm", "ulrich", "vogel", "wolf", "young",
    "zimmer", "brandt", "keller",
];

/// Roles: name, team, favourite spaces, share of the population.
const ROLES: [(&str, &str, &[&str], u32); 9] = [
    ("engineer", "engineering", &["ENG", "ARCH", "OPS", "DOCS"], 30),
    ("sre", "operations", &["OPS", "ENG", "SEC", "IT"], 8),
    ("support", "support", &["SUP", "PUB", "DOCS", "IT"], 14),
    ("sales", "sales", &["SALES", "MKT", "PM"], 12),
    ("marketing", "marketing", &["MKT", "PUB", "SALES"], 8),
    ("product", "product", &["PM", "ENG", "DOCS", "ARCH"], 9),
    ("hr", "people", &["HR", "IT"], 5),
    ("finance", "finance", &["FIN", "LEGAL", "HR"], 6),
    ("security", "security", &["SEC", "OPS", "IT"], 4),
];

/// One employee.
#[derive(Debug, Clone)]
pub struct Person {
    /// Login name (`anna.meyer`).
    pub name: Rc<str>,
    /// Role (identity config).
    pub role: &'static str,
    /// Team (identity config).
    pub team: &'static str,
    /// Admin: privileged in the identity config.
    pub privileged: bool,
    /// Workstation address in the office.
    pub office_ip: Rc<str>,
    /// Address when working from home.
    pub home_ip: Rc<str>,
    /// Browser.
    pub agent: Rc<str>,
    /// Usual start of the working day, minutes after local midnight.
    pub start_min: i64,
    /// Usual end of the working day.
    pub end_min: i64,
    /// Favourite spaces (indices into the wiki's spaces).
    pub favourites: Vec<usize>,
    /// Reading bursts on an ordinary day.
    pub bursts: u32,
    /// Share of days worked from home.
    pub remote: f64,
}

/// Hands out addresses, never the same one twice.
#[derive(Debug)]
pub struct AddressBook {
    used: BTreeSet<String>,
    rng: ChaCha8Rng,
}

/// Prefixes of consumer ISPs (home addresses).
const HOME_NETS: [&str; 8] =
    ["81.2", "86.144", "92.40", "109.150", "176.24", "195.12", "84.57", "62.214"];
/// Prefixes of hosting providers and VPS (where tools run).
pub const HOSTING_NETS: [&str; 6] = ["45.77", "139.59", "167.99", "5.188", "185.156", "193.142"];
/// Prefixes of residential proxy exits all over the world.
pub const PROXY_NETS: [&str; 12] = [
    "73.12", "98.207", "24.48", "187.45", "201.17", "177.71", "41.190", "103.86", "112.134",
    "190.96", "49.36", "154.72",
];
/// Prefixes of anonymous internet visitors.
pub const VISITOR_NETS: [&str; 4] = ["91.64", "188.23", "37.120", "151.80"];

impl AddressBook {
    /// An empty book.
    pub fn new(seed: u64) -> AddressBook {
        AddressBook { used: BTreeSet::new(), rng: ChaCha8Rng::seed_from_u64(seed ^ 0xADD2) }
    }

    /// A fresh address in one of `nets` (two-octet prefixes).
    pub fn fresh(&mut self, nets: &[&str]) -> Rc<str> {
        loop {
            let net = nets[self.rng.random_range(0..nets.len())];
            let ip = format!(
                "{net}.{}.{}",
                self.rng.random_range(0..=255),
                self.rng.random_range(1..=254)
            );
            if self.used.insert(ip.clone()) {
                return ip.into();
            }
        }
    }

    /// Reserves a fixed address (service accounts).
    pub fn fixed(&mut self, ip: &str) -> Rc<str> {
        self.used.insert(ip.to_string());
        ip.into()
    }
}

/// Builds `n` employees, admins included (at least two, about one in forty).
pub fn people(seed: u64, n: usize, wiki: &Wiki, book: &mut AddressBook) -> Vec<Person> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9E0);
    let admins = (n / 40).max(2);
    let total: u32 = ROLES.iter().map(|r| r.3).sum();
    let mut names = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (role, team, favs) = if i < admins {
            ("admin", "it", &["IT", "OPS", "SEC"][..])
        } else {
            let mut x = rng.random_range(0..total);
            let mut pick = ROLES[0];
            for r in ROLES {
                if x < r.3 {
                    pick = r;
                    break;
                }
                x -= r.3;
            }
            (pick.0, pick.1, pick.2)
        };
        let name = loop {
            let f = FIRST[rng.random_range(0..FIRST.len())];
            let l = LAST[rng.random_range(0..LAST.len())];
            let candidate = if i < admins { format!("admin.{f}") } else { format!("{f}.{l}") };
            let candidate = if names.contains(&candidate) {
                format!("{candidate}{}", rng.random_range(2..99))
            } else {
                candidate
            };
            if names.insert(candidate.clone()) {
                break candidate;
            }
        };
        let mut favourites: Vec<usize> = favs.iter().filter_map(|k| wiki.space(k)).collect();
        // Everyone also has one space outside their team's that they like.
        if let Some(extra) = (0..wiki.spaces.len()).collect::<Vec<_>>().choose(&mut rng) {
            if !wiki.spaces[*extra].restricted && !favourites.contains(extra) {
                favourites.push(*extra);
            }
        }
        let office_ip = book.fixed(&format!("10.20.{}.{}", i / 200, 10 + i % 200));
        let start_min = rng.random_range(7 * 60..10 * 60);
        out.push(Person {
            name: name.into(),
            role,
            team,
            privileged: role == "admin",
            office_ip,
            home_ip: book.fresh(&HOME_NETS),
            agent: BROWSERS[rng.random_range(0..BROWSERS.len())].into(),
            start_min,
            end_min: start_min + rng.random_range(7 * 60 + 30..9 * 60 + 30),
            favourites,
            bursts: rng.random_range(4..14),
            remote: [0.0, 0.2, 0.4, 0.6, 1.0][rng.random_range(0..5)],
        });
    }
    out
}

/// A newcomer joining a population of `existing` people (the new hire of the quiet scenario):
/// a role drawn like everyone's, a name nobody has, the next office address.
pub fn newcomer(
    rng: &mut ChaCha8Rng,
    existing: &[Person],
    wiki: &Wiki,
    book: &mut AddressBook,
) -> Person {
    let total: u32 = ROLES.iter().map(|r| r.3).sum();
    let mut x = rng.random_range(0..total);
    let mut pick = ROLES[0];
    for r in ROLES {
        if x < r.3 {
            pick = r;
            break;
        }
        x -= r.3;
    }
    let name = loop {
        let f = FIRST[rng.random_range(0..FIRST.len())];
        let l = LAST[rng.random_range(0..LAST.len())];
        let suffix = rng.random_range(2..99);
        let free = |c: &String| existing.iter().all(|p| *p.name != **c);
        if let Some(c) = [format!("{f}.{l}"), format!("{f}.{l}{suffix}")].into_iter().find(free) {
            break c;
        }
    };
    let i = existing.len();
    let start_min = rng.random_range(8 * 60..9 * 60 + 30);
    Person {
        name: name.into(),
        role: pick.0,
        team: pick.1,
        privileged: false,
        office_ip: book.fixed(&format!("10.20.{}.{}", i / 200, 10 + i % 200)),
        home_ip: book.fresh(&HOME_NETS),
        agent: BROWSERS[rng.random_range(0..BROWSERS.len())].into(),
        start_min,
        end_min: start_min + rng.random_range(8 * 60..9 * 60),
        favourites: pick.2.iter().filter_map(|k| wiki.space(k)).collect(),
        bursts: rng.random_range(4..14),
        remote: 0.0,
    }
}
