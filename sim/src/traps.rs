//! Benign traps: legitimate activity that looks like scraping and must stay quiet (no alert
//! above low): the nightly backup and the search indexer (both allow-listed), an integration
//! polling the REST API all day (not allow-listed), and a technical writer's review afternoon.
//! The quiet scenario adds a new hire and a release day (`quiet.rs`, `newcomers.rs`), and
//! `--nodes 2` a cluster (`sinks.rs`).

use crate::benign::day_of_bursts;
use crate::browser::Browser;
use crate::model::{day_start, rng_for, Actor, Client, Event, Ms, HOUR, MINUTE, SECOND};
use crate::population::Person;
use crate::wiki::Wiki;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;

/// One benign trap entity (listed in the ground truth).
#[derive(Debug, Clone)]
pub struct Trap {
    /// Stable name (`nightly-backup`).
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Its account.
    pub user: Rc<str>,
    /// All its accounts when it is several people (a team), `user` first; empty otherwise.
    pub users: Vec<Rc<str>>,
    /// Its addresses.
    pub ips: Vec<Rc<str>>,
    /// Its User-Agent.
    pub agent: Rc<str>,
    /// Whether the scenario config allow-lists it.
    pub allow_listed: bool,
}

/// Index of each trap in the scenario's list.
pub const BACKUP: usize = 0;
/// Search indexer.
pub const INDEXER: usize = 1;
/// Polling integration.
pub const INTEGRATION: usize = 2;
/// Technical writer.
pub const WRITER: usize = 3;

/// The four traps; the writer is person `writer` of the population.
pub fn traps(writer: &Person) -> Vec<Trap> {
    let t = |name, description, user: &str, ip: &str, agent: &str, allow_listed| Trap {
        name,
        description,
        user: user.into(),
        users: Vec::new(),
        ips: vec![ip.into()],
        agent: agent.into(),
        allow_listed,
    };
    vec![
        t(
            "nightly-backup",
            "exports every space as XML at 02:00 every night",
            "svc-backup",
            "10.9.0.10",
            "Apache-HttpClient/4.5.14 (Java/17.0.12)",
            true,
        ),
        t(
            "search-indexer",
            "crawls every page over REST with python-requests at 01:00 every night",
            "svc-indexer",
            "10.9.0.20",
            "python-requests/2.31.0",
            true,
        ),
        t(
            "status-integration",
            "polls the REST API once a minute all day (not allow-listed)",
            "svc-statuspage",
            "10.9.0.31",
            "Go-http-client/1.1",
            false,
        ),
        Trap {
            name: "writer-review",
            description:
                "a technical writer reviews and edits a few hundred pages in one afternoon",
            user: writer.name.clone(),
            users: Vec::new(),
            ips: vec![writer.office_ip.clone()],
            agent: writer.agent.clone(),
            allow_listed: false,
        },
    ]
}

fn client(trap: &Trap, index: usize) -> Client {
    Client {
        user: Some(trap.user.clone()),
        ip: trap.ips[0].clone(),
        agent: Some(trap.agent.clone()),
        actor: Actor::Trap(index),
    }
}

/// The nightly backup: every space exported as XML, one after the other.
pub fn backup_night(out: &mut Vec<Event>, seed: u64, d: u32, trap: &Trap, wiki: &Wiki) {
    let mut rng = rng_for(seed, d, 10, 0);
    let c = client(trap, BACKUP);
    let mut t = day_start(d) + 2 * HOUR + rng.random_range(0..120) * SECOND;
    for s in &wiki.spaces {
        out.push(c.req(
            t,
            "GET",
            format!("/spaces/exportspacexml.action?key={}", s.key),
            200,
            rng.random_range(80..400),
            14_200,
            None,
        ));
        t += rng.random_range(500..2000);
        let took = (s.pages.len() as u32 * rng.random_range(60..180)).max(2_000);
        out.push(c.req(
            t,
            "POST",
            format!("/spaces/doexportspace.action?key={}", s.key),
            302,
            took,
            0,
            None,
        ));
        t += i64::from(took) + rng.random_range(200..800);
        let stamp = format!("{}-{}", t / 1000 % 100_000_000, rng.random_range(100..999));
        out.push(c.req(
            t,
            "GET",
            format!("/download/temp/xmlexport-{stamp}.zip"),
            200,
            rng.random_range(500..5000),
            s.pages.len() as u64 * rng.random_range(40_000..90_000),
            None,
        ));
        t += rng.random_range(2..10) * SECOND;
    }
}

/// The search indexer: lists every space's pages and reads every page body.
pub fn indexer_night(out: &mut Vec<Event>, seed: u64, d: u32, trap: &Trap, wiki: &Wiki) {
    let mut rng = rng_for(seed, d, 11, 0);
    let c = client(trap, INDEXER);
    let mut t = day_start(d) + HOUR + rng.random_range(0..300) * SECOND;
    out.push(c.req(
        t,
        "GET",
        "/rest/api/space?start=0&limit=50".into(),
        200,
        rng.random_range(30..200),
        18_000,
        None,
    ));
    for s in &wiki.spaces {
        for (chunk_no, chunk) in s.pages.chunks(25).enumerate() {
            t += rng.random_range(60..200);
            let path = format!(
                "/rest/api/content?spaceKey={}&type=page&start={}&limit=25&expand=version",
                s.key,
                chunk_no * 25
            );
            out.push(c.req(
                t,
                "GET",
                path,
                200,
                rng.random_range(40..400),
                rng.random_range(8_000..30_000),
                None,
            ));
            for &p in chunk {
                t += rng.random_range(60..200);
                let path = format!(
                    "/rest/api/content/{}?expand=body.storage,version,space",
                    wiki.pages[p].id
                );
                out.push(c.req(
                    t,
                    "GET",
                    path,
                    200,
                    rng.random_range(20..300),
                    rng.random_range(3_000..80_000),
                    None,
                ));
            }
        }
    }
}

/// The status-page integration: one REST call a minute, all day, every day.
pub fn integration_day(out: &mut Vec<Event>, seed: u64, d: u32, trap: &Trap, wiki: &Wiki) {
    let mut rng = rng_for(seed, d, 12, 0);
    let c = client(trap, INTEGRATION);
    let status_page =
        wiki.space("OPS").map(|s| wiki.pages[wiki.spaces[s].pages[0]].id).unwrap_or(65_537);
    let end = day_start(d + 1);
    let mut t = day_start(d) + rng.random_range(0..60) * SECOND;
    let mut n = 0_u64;
    while t < end {
        let path = if n.is_multiple_of(2) {
            "/rest/api/content/search?cql=space%3DOPS%20and%20type%3Dpage%20and%20lastmodified%3Enow(%22-5m%22)&limit=25".to_string()
        } else {
            format!("/rest/api/content/{status_page}?expand=version,body.storage")
        };
        out.push(c.req(
            t,
            "GET",
            path,
            200,
            rng.random_range(15..250),
            rng.random_range(400..6_000),
            None,
        ));
        n += 1;
        t += 60 * SECOND + rng.random_range(-3_000..3_000);
    }
}

/// The writer's review day: an ordinary morning, then from about 13:00 a review of a few
/// hundred pages of the documentation spaces, editing about a third of them.
pub fn writer_day(
    out: &mut Vec<Event>,
    seed: u64,
    d: u32,
    trap: &Trap,
    person: &Person,
    wiki: &Wiki,
) {
    let mut rng = rng_for(seed, d, 13, 0);
    let c = client(trap, WRITER);
    let day0 = day_start(d);
    day_of_bursts(
        out,
        &mut rng,
        c.clone(),
        person,
        wiki,
        day0 + 8 * HOUR + 30 * MINUTE,
        day0 + 12 * HOUR,
        3,
    );
    let mut pages: Vec<usize> = ["DOCS", "PUB", "SUP"]
        .iter()
        .filter_map(|k| wiki.space(k))
        .flat_map(|s| wiki.spaces[s].pages.iter().copied())
        .collect();
    shuffle_prefix(&mut rng, &mut pages, 320);
    pages.truncate(rng.random_range(220..320));
    let mut b = Browser::new(c);
    let mut t: Ms = day0 + 13 * HOUR + rng.random_range(0..20) * MINUTE;
    for p in pages {
        let page = &wiki.pages[p];
        let dwell = rng.random_range(15..45) * SECOND;
        b.view(out, &mut rng, wiki, page, t, dwell);
        t += dwell;
        if rng.random_bool(0.3) {
            let typing = rng.random_range(40..120) * SECOND;
            t = b.edit(out, &mut rng, wiki, page, t, typing) + rng.random_range(5..20) * SECOND;
        }
    }
}

/// Moves `n` random elements to the front (a partial Fisher-Yates shuffle).
pub fn shuffle_prefix<T>(rng: &mut ChaCha8Rng, v: &mut [T], n: usize) {
    for i in 0..n.min(v.len()) {
        let j = rng.random_range(i..v.len());
        v.swap(i, j);
    }
}
