//! The quiet scenario (`--scenario quiet`): attack styles 10 to 16, whose attackers stay under
//! every fixed per-window threshold of the detector's defaults (`creep.rs`, `slow.rs`), and the
//! benign traps that go with them (a new hire, a team's release day; `newcomers.rs`). Planned
//! after the first wave, from their own random stream, so selecting them changes nothing else.
//!
//! The default thresholds they stay under (filter/core/src/params.rs, per entity, privileged
//! in brackets): burst-rate 240 (120) counted requests a minute; programmatic-agent 20 (10)
//! script reads in 10 minutes; mass-enumeration 150 (80) distinct pages an hour, or 8 spaces
//! with 37 (20) pages, or 30 pagination steps; bulk-export 15 (8) exports and downloads in 30
//! minutes; access-denied-probing 25 (15) refusals in 10 minutes; session-anomaly 6 (4)
//! addresses an hour. The exception is the one address of `stolen-accounts-one-address`, whose
//! twenty accounts together read more pages an hour than one person would.

use crate::benign::person_day;
use crate::model::{day_start, is_weekday, Event, Ms, HOUR, MINUTE, SECOND};
use crate::plan::{
    Plan, ADMIN_SMALL_HOURS, FAKE_CHROME_SCRIPT, INSIDER_CREEP, QUIET, SLOW_API_READS,
    SLOW_ATTACHMENTS, SLOW_EXPORT, STOLEN_ACCOUNTS,
};
use crate::population::{newcomer, AddressBook, Person, BROWSERS, HOSTING_NETS, PROXY_NETS};
pub use crate::presets::ExtraTrap;
use crate::traps::{shuffle_prefix, Trap};
use crate::wiki::Wiki;
use crate::{creep, slow};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;

/// The optional traps' people and days, when selected.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The new hire: index in the population, first day, index in the trap list.
    pub new_hire: Option<(usize, u32, usize)>,
    /// The release day.
    pub release: Option<Release>,
}

/// A team's release day.
#[derive(Debug, Clone)]
pub struct Release {
    /// The day.
    pub day: u32,
    /// The team's members (population indices).
    pub members: Vec<usize>,
    /// How many times the usual bursts of activity they have that day.
    pub boost: f64,
    /// Index in the trap list.
    pub trap: usize,
}

/// Days the quiet attacks and traps fall on: weekdays of the last week (of the second half when
/// the corpus is shorter than two weeks), so a week or more of history precedes them.
pub fn quiet_days(days: u32) -> Vec<u32> {
    let from = (days / 2).max(days.saturating_sub(7));
    let weekdays: Vec<u32> = (from..days).filter(|&d| is_weekday(d)).collect();
    if weekdays.is_empty() {
        (from..days).collect()
    } else {
        weekdays
    }
}

/// Whether `e` reads content the way the detector's baseline counts it (pages, REST content,
/// page exports, attachment downloads that are not inline images).
pub fn is_read(e: &Event) -> bool {
    let t = e.target.as_str();
    t.starts_with("/display/")
        || t.starts_with("/pages/viewpage.action")
        || t.starts_with("/spaces/flyingpdf/pdfpageexport.action")
        || (t.starts_with("/rest/api/content") && !t.starts_with("/rest/api/content/search"))
        || (t.starts_with("/download/attachments/") && !t.contains(".png?"))
}

/// A person's usual reads a working day: the mean over the working days of the first week
/// (their ordinary days, whatever the corpus holds).
pub fn usual_reads(seed: u64, idx: usize, p: &Person, wiki: &Wiki) -> f64 {
    let mut counts = Vec::new();
    for d in 0..5 {
        let mut out = Vec::new();
        person_day(&mut out, seed, d, idx, p, wiki);
        let n = out.iter().filter(|e| is_read(e)).count();
        if n > 0 {
            counts.push(n as f64);
        }
    }
    if counts.is_empty() {
        0.0
    } else {
        counts.iter().sum::<f64>() / counts.len() as f64
    }
}

/// Pages `insider-creep` can read in a working day of this person at one every two minutes
/// (login and lunch left out).
fn creep_capacity(p: &Person) -> f64 {
    ((p.end_min - p.start_min - 70).max(60) * MINUTE / (120 * SECOND)) as f64
}

/// Working days of history the quiet attackers have before their attack (the detector's default
/// `warmup_days`), where the corpus allows it.
pub const HISTORY_DAYS: u32 = 5;

/// Days before `until` on which person `idx` was active.
pub(crate) fn active_days(seed: u64, idx: usize, p: &Person, wiki: &Wiki, until: u32) -> u32 {
    let mut out = Vec::new();
    (0..until)
        .filter(|&d| {
            out.clear();
            person_day(&mut out, seed, d, idx, p, wiki);
            !out.is_empty()
        })
        .count() as u32
}

/// Picks people for the quiet plans, preferring ones not yet used and with enough history.
struct Picker<'a> {
    people: &'a [Person],
    used: Vec<usize>,
    /// Days each person was active before the quiet days.
    history: Vec<u32>,
    /// History wanted.
    need: u32,
}

impl Picker<'_> {
    /// Whether person `i` is unused and has history.
    fn fit(&self, i: usize) -> bool {
        !self.used.contains(&i) && self.history[i] >= self.need
    }

    fn pick(&mut self, rng: &mut ChaCha8Rng, ok: impl Fn(&Person) -> bool) -> usize {
        let all = 0..self.people.len();
        let fit: Vec<usize> = all.clone().filter(|&i| self.fit(i) && ok(&self.people[i])).collect();
        let fresh: Vec<usize> =
            all.clone().filter(|i| !self.used.contains(i) && ok(&self.people[*i])).collect();
        let any: Vec<usize> = all.filter(|&i| ok(&self.people[i])).collect();
        let from = [fit, fresh, any].into_iter().find(|v| !v.is_empty()).unwrap_or(vec![0]);
        let i = from[rng.random_range(0..from.len())];
        self.used.push(i);
        i
    }
}

/// Plans the quiet styles in `selected` and sets up the optional traps in `extra` (the new hire
/// joins `people`, the traps join `traps`). `taken` are people already in use.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    seed: u64,
    days: u32,
    selected: &[u8],
    extra: &[ExtraTrap],
    people: &mut Vec<Person>,
    wiki: &Wiki,
    book: &mut AddressBook,
    taken: &[usize],
    traps: &mut Vec<Trap>,
) -> (Vec<Plan>, Extras) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x51E7);
    let qd = quiet_days(days);
    let offset = rng.random_range(0..qd.len());
    let day_at = |k: usize| qd[(offset + k) % qd.len()];
    let mut used = taken.to_vec();
    let mut extras = Extras::default();
    if extra.contains(&ExtraTrap::NewHire) {
        let p = newcomer(&mut rng, people, wiki, book);
        extras.new_hire = Some((people.len(), qd[0], traps.len()));
        used.push(people.len());
        traps.push(Trap {
            name: ExtraTrap::NewHire.name(),
            description: ExtraTrap::NewHire.description(),
            user: p.name.clone(),
            users: Vec::new(),
            ips: vec![p.office_ip.clone()],
            agent: p.agent.clone(),
            allow_listed: false,
        });
        people.push(p);
    }
    if extra.contains(&ExtraTrap::ReleaseDay) {
        let member = |p: &Person, i: usize, team: &str| {
            p.team == team && !p.privileged && !used.contains(&i)
        };
        let teams: Vec<&str> = ["engineering", "product", "support", "operations", "sales"]
            .into_iter()
            .filter(|t| people.iter().enumerate().filter(|(i, p)| member(p, *i, t)).count() >= 3)
            .collect();
        let team = teams.get(rng.random_range(0..teams.len().max(1))).copied().unwrap_or("");
        let members: Vec<usize> =
            (0..people.len()).filter(|&i| member(&people[i], i, team)).collect();
        let boost = rng.random_range(2.1..2.6);
        if let Some(&first) = members.first() {
            traps.push(Trap {
                name: ExtraTrap::ReleaseDay.name(),
                description: ExtraTrap::ReleaseDay.description(),
                user: people[first].name.clone(),
                users: members.iter().map(|&i| people[i].name.clone()).collect(),
                ips: members
                    .iter()
                    .flat_map(|&i| [people[i].office_ip.clone(), people[i].home_ip.clone()])
                    .collect(),
                agent: people[first].agent.clone(),
                allow_listed: false,
            });
            used.extend(&members);
            let trap = traps.len() - 1;
            extras.release = Some(Release { day: day_at(7), members, boost, trap });
        }
    }
    let history =
        (0..people.len()).map(|i| active_days(seed, i, &people[i], wiki, qd[0])).collect();
    let need = HISTORY_DAYS.min((0..qd[0]).filter(|&d| is_weekday(d)).count() as u32);
    let mut picker = Picker { people, used, history, need };
    let mut plans = Vec::new();
    // Draw for every style, selected or not, so a subset keeps the same people and timings.
    for (k, &id) in QUIET.iter().enumerate() {
        let day = day_at(k);
        let d0 = day_start(day);
        let at = |rng: &mut ChaCha8Rng, h: i64, m: i64, jitter_min: i64| -> Ms {
            d0 + h * HOUR
                + m * MINUTE
                + rng.random_range(0..jitter_min.max(1)) * MINUTE
                + rng.random_range(0..60_000)
        };
        let mut plan = Plan { id, day, ..Plan::default() };
        let person = match id {
            INSIDER_CREEP => {
                let (i, volume) = creep_person(seed, &mut rng, &mut picker, wiki);
                let mut more: Vec<u32> = qd.iter().copied().filter(|&d| d != day).collect();
                shuffle_prefix(&mut rng, &mut more, 2);
                more.truncate(2);
                let mut all: Vec<u32> = more.into_iter().chain([day]).collect();
                all.sort_unstable();
                plan.day = all[0];
                plan.also = all[1..].to_vec();
                plan.volume = volume;
                let p = &picker.people[i];
                plan.start = day_start(plan.day) + p.start_min * MINUTE;
                Some(i)
            }
            STOLEN_ACCOUNTS => {
                let mut accounts = Vec::new();
                for limit in [0.2, 0.4, 1.0] {
                    while accounts.len() < 20 {
                        let fresh = (0..picker.people.len()).any(|i| {
                            let p = &picker.people[i];
                            !picker.used.contains(&i) && !p.privileged && p.remote <= limit
                        });
                        if !fresh {
                            break;
                        }
                        accounts
                            .push(picker.pick(&mut rng, |p| !p.privileged && p.remote <= limit));
                    }
                }
                plan.accounts = accounts;
                plan.start = at(&mut rng, 18, 30, 120);
                plan.ips = vec![book.fresh(&PROXY_NETS)];
                plan.agent = Some(chrome(139));
                None
            }
            ADMIN_SMALL_HOURS => Some(picker.pick(&mut rng, |p| p.privileged)),
            _ => Some(picker.pick(&mut rng, |p| !p.privileged && p.remote < 1.0)),
        };
        if let Some(i) = person {
            let p = &picker.people[i];
            plan.person = Some(i);
            plan.user = Some(p.name.clone());
            plan.agent = Some(p.agent.clone());
            plan.ips = vec![p.office_ip.clone()];
            match id {
                FAKE_CHROME_SCRIPT => {
                    plan.start = at(&mut rng, 1, 0, 20);
                    plan.ips = vec![p.home_ip.clone()];
                    plan.agent = Some(BROWSERS[0].into());
                }
                ADMIN_SMALL_HOURS => {
                    plan.start = at(&mut rng, 1, 50, 20);
                    plan.ips = vec![p.home_ip.clone()];
                }
                SLOW_EXPORT => plan.start = at(&mut rng, 8, 40, 40),
                SLOW_ATTACHMENTS => {
                    plan.start = at(&mut rng, 8, 10, 40);
                    plan.ips = vec![book.fresh(&HOSTING_NETS)];
                    plan.agent = None;
                }
                SLOW_API_READS => {
                    plan.start = at(&mut rng, 7, 40, 40);
                    plan.agent = Some("python-requests/2.32.3".into());
                }
                _ => {}
            }
            plan.entities.push(("user", p.name.clone()));
            if id == SLOW_ATTACHMENTS {
                plan.entities.push(("ip", plan.ips[0].clone()));
            }
        } else {
            plan.entities.push(("ip", plan.ips[0].clone()));
            for &i in &plan.accounts {
                plan.entities.push(("user", picker.people[i].name.clone()));
            }
        }
        if selected.contains(&id) {
            plans.push(plan);
        }
    }
    (plans, extras)
}

/// A Chrome on Windows agent string.
fn chrome(version: u32) -> Rc<str> {
    format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 Safari/537.36").into()
}

/// The `insider-creep` employee: the one whose working day holds about ten times their usual
/// reads at one page every two minutes; returns them and the reads a day they aim at (8 to 12
/// times their usual).
fn creep_person(
    seed: u64,
    rng: &mut ChaCha8Rng,
    picker: &mut Picker<'_>,
    wiki: &Wiki,
) -> (usize, u32) {
    let people = picker.people;
    let mut best: Option<(f64, usize, f64)> = None;
    for (i, p) in people.iter().enumerate() {
        if p.privileged || p.remote >= 1.0 || !picker.fit(i) {
            continue;
        }
        let usual = usual_reads(seed, i, p, wiki);
        if usual < 1.0 {
            continue;
        }
        let score = (creep_capacity(p) / usual - 10.0).abs();
        if best.is_none_or(|b| score < b.0) {
            best = Some((score, i, usual));
        }
    }
    let Some((_, i, usual)) = best else {
        let i = picker.pick(rng, |p| !p.privileged);
        return (i, 200);
    };
    picker.used.push(i);
    let factor = (creep_capacity(&people[i]) / usual).clamp(8.0, 12.0);
    (i, (usual * factor).round() as u32)
}

/// Writes quiet attack `plan`'s traffic of day `d`.
pub fn render(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    people: &[Person],
) {
    let person = plan.person.map(|i| &people[i]);
    match plan.id {
        INSIDER_CREEP => creep::insider_creep(out, rng, plan, d, wiki, people),
        FAKE_CHROME_SCRIPT => creep::fake_chrome_script(out, rng, plan, d, wiki, person),
        STOLEN_ACCOUNTS => creep::stolen_accounts(out, rng, plan, wiki, people),
        ADMIN_SMALL_HOURS => creep::admin_small_hours(out, rng, plan, wiki),
        SLOW_EXPORT => slow::slow_export(out, rng, plan, d, wiki, person),
        SLOW_ATTACHMENTS => slow::slow_attachments(out, rng, plan, d, wiki),
        _ => slow::slow_api_reads(out, rng, plan, d, wiki, person),
    }
}

/// Spaces `p` can read (open ones and their own restricted ones), public space last.
pub fn readable(wiki: &Wiki, p: Option<&Person>) -> Vec<usize> {
    (0..wiki.spaces.len())
        .filter(|&s| !wiki.spaces[s].restricted || p.is_some_and(|p| p.favourites.contains(&s)))
        .collect()
}
