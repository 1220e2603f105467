//! Attacks by crawling tools, each modelled on the real tool's request pattern:
//! confluence-dumper / atlassian-python-api (1) and an anonymous curl crawler (9).
//! Keyword and attachment hunters are in `hunters.rs`.

use crate::model::{Event, Ms};
use crate::plan::Plan;
use crate::traps::shuffle_prefix;
use crate::wiki::{attachment_path, page_path, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Keeps the attack's clock: each request after a gap drawn from `lo..hi` ms.
#[derive(Debug)]
pub struct Pace {
    /// Time of the last request.
    pub t: Ms,
    /// Shortest gap.
    pub lo: i64,
    /// Longest gap (exclusive).
    pub hi: i64,
}

impl Pace {
    /// Time of the next request.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> Ms {
        self.t += rng.random_range(self.lo..self.hi);
        self.t
    }
}

fn spaces_to_take(rng: &mut ChaCha8Rng, wiki: &Wiki, lo: usize, hi: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..wiki.spaces.len()).filter(|&s| !wiki.spaces[s].public).collect();
    let n = rng.random_range(lo..=hi).min(all.len());
    shuffle_prefix(rng, &mut all, n);
    all.truncate(n);
    all
}

/// 1: list spaces, then per space either walk the page tree page by page
/// (confluence-dumper) or paginate the content listing with bodies expanded
/// (atlassian-python-api `get_all_pages_from_space`); download attachments.
pub fn rest_crawl(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let c = plan.client();
    let (lo, hi) = [(80, 300), (150, 600), (300, 1200)][rng.random_range(0..3)];
    let mut p = Pace { t: plan.start, lo, hi };
    let dumper = rng.random_bool(0.5);
    out.push(c.req(
        p.t,
        "GET",
        "/rest/api/space?start=0&limit=50".into(),
        200,
        rng.random_range(30..200),
        18_000,
        None,
    ));
    for s in spaces_to_take(rng, wiki, 3, 6) {
        let space = &wiki.spaces[s];
        out.push(c.req(
            p.next(rng),
            "GET",
            format!("/rest/api/space/{}?expand=homepage", space.key),
            200,
            rng.random_range(20..100),
            1_900,
            None,
        ));
        if !dumper {
            for start in (0..space.pages.len()).step_by(50) {
                let path = format!("/rest/api/content?spaceKey={}&type=page&status=current&start={start}&limit=50&expand=body.storage,version", space.key);
                out.push(c.req(
                    p.next(rng),
                    "GET",
                    path,
                    200,
                    rng.random_range(300..2500),
                    rng.random_range(200_000..900_000),
                    None,
                ));
            }
        }
        for &pi in &space.pages {
            let page = &wiki.pages[pi];
            if dumper {
                let t = p.next(rng);
                out.push(c.req(
                    t,
                    "GET",
                    format!(
                        "/rest/api/content/{}?expand=body.view,version,children.attachment",
                        page.id
                    ),
                    200,
                    rng.random_range(30..400),
                    rng.random_range(4_000..90_000),
                    None,
                ));
                out.push(c.req(
                    p.next(rng),
                    "GET",
                    format!("/rest/api/content/{}/child/page?start=0&limit=25", page.id),
                    200,
                    rng.random_range(20..150),
                    700,
                    None,
                ));
            }
            let files: Vec<&String> = page.attachments.iter().chain(&page.images).collect();
            if files.is_empty() {
                continue;
            }
            if !dumper {
                out.push(c.req(
                    p.next(rng),
                    "GET",
                    format!("/rest/api/content/{}/child/attachment?start=0&limit=50", page.id),
                    200,
                    rng.random_range(20..200),
                    2_400,
                    None,
                ));
            }
            for f in files {
                out.push(c.req(
                    p.next(rng),
                    "GET",
                    attachment_path(page, f, 1),
                    200,
                    rng.random_range(30..1500),
                    rng.random_range(30_000..5_000_000),
                    None,
                ));
            }
        }
    }
}

/// 9: an anonymous curl loop: the public space reads fine, everything else is refused
/// (401/403/404), and sequential content ids are guessed.
pub fn anonymous_crawler(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let c = plan.client();
    let (lo, hi) = [(80, 250), (150, 500), (300, 900)][rng.random_range(0..3)];
    let mut p = Pace { t: plan.start, lo, hi };
    out.push(c.req(p.t, "GET", "/".into(), 302, 5, 0, None));
    out.push(c.req(
        p.next(rng),
        "GET",
        "/rest/api/space?start=0&limit=100".into(),
        200,
        60,
        1_800,
        None,
    ));
    for s in 0..wiki.spaces.len() {
        let space = &wiki.spaces[s];
        let ok = space.public;
        let status = if ok { 200 } else { 404 };
        out.push(c.req(
            p.next(rng),
            "GET",
            format!("/rest/api/content?spaceKey={}&start=0&limit=25", space.key),
            status,
            rng.random_range(20..300),
            if ok { 30_000 } else { 170 },
            None,
        ));
        for &pi in space.pages.iter().take(if ok { 60 } else { rng.random_range(8..25) }) {
            let page = &wiki.pages[pi];
            let (path, status) = match rng.random_range(0..3) {
                0 => (
                    format!("/rest/api/content/{}?expand=body.storage", page.id),
                    if ok { 200 } else { 404 },
                ),
                1 => (page_path(wiki, page, true), if ok { 200 } else { 401 }),
                _ => (
                    format!("/spaces/viewspace.action?key={}", space.key),
                    if ok { 200 } else { 403 },
                ),
            };
            let bytes = if status == 200 { rng.random_range(5_000..80_000) } else { 170 };
            out.push(c.req(
                p.next(rng),
                "GET",
                path,
                status,
                rng.random_range(10..300),
                bytes,
                None,
            ));
        }
    }
    // Guessing ids in a row: most do not exist.
    let mut id = wiki.pages.first().map_or(65_537, |pg| pg.id);
    for _ in 0..rng.random_range(100..300) {
        id += 1;
        let exists = wiki.pages.iter().any(|pg| pg.id == id);
        let status = if exists { 401 } else { 404 };
        out.push(c.req(
            p.next(rng),
            "GET",
            format!("/rest/api/content/{id}?expand=body.storage"),
            status,
            rng.random_range(5..60),
            170,
            None,
        ));
    }
}
