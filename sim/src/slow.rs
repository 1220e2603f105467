//! Slow, day-long variants of the first-wave tools (planned in `quiet.rs`): PDF exports (14),
//! attachment downloads (15) and REST content reads (16), each paced to stay under every fixed
//! per-window threshold of the detector's defaults (see `quiet.rs`) for a whole working day.

use crate::browser::Browser;
use crate::model::{day_start, enc, Event, Ms, HOUR, MINUTE, SECOND};
use crate::plan::Plan;
use crate::population::Person;
use crate::quiet::readable;
use crate::traps::shuffle_prefix;
use crate::wiki::{attachment_path, Page, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Shortest time between two PDF exports: at most 9 in any 30 minutes (bulk-export: 15).
pub const EXPORT_MIN_GAP: Ms = 210 * SECOND;
/// Shortest time between two attachment downloads: at most 12 in any 30 minutes (bulk-export:
/// 15; programmatic-agent: at most 4 in 10 minutes, against 20).
pub const DOWNLOAD_MIN_GAP: Ms = 150 * SECOND;
/// Shortest time between two REST reads: at most 14 in any 10 minutes with the listings
/// (programmatic-agent: 20) and 80 an hour (mass-enumeration: 150).
pub const API_MIN_GAP: Ms = 45 * SECOND;

/// 14: the user's own browser on their usual address, the whole working day: opens a page of
/// their usual spaces, exports it to PDF, and a few minutes later the next, until about 17:00.
pub fn slow_export(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    person: Option<&Person>,
) {
    let mut b = Browser::new(plan.client());
    let end = day_start(d) + 17 * HOUR + rng.random_range(0..30) * MINUTE;
    let mut t = b.login(out, rng, plan.start) + rng.random_range(30..90) * SECOND;
    // Their usual spaces first, five in all (mass-enumeration's breadth criterion needs 8).
    let mut spaces: Vec<usize> = person.map(|p| p.favourites.clone()).unwrap_or_default();
    let mut others = readable(wiki, person);
    others.retain(|s| !spaces.contains(s));
    let n = others.len();
    shuffle_prefix(rng, &mut others, n);
    spaces.extend(others);
    spaces.truncate(5);
    let mut pages: Vec<usize> =
        spaces.iter().flat_map(|&s| wiki.spaces[s].pages.iter().copied()).collect();
    let n = pages.len();
    shuffle_prefix(rng, &mut pages, n);
    for &pi in pages.iter().cycle() {
        if t >= end {
            break;
        }
        let page = &wiki.pages[pi];
        let dwell = rng.random_range(20..50) * SECOND;
        b.view(out, rng, wiki, page, t, dwell);
        let at = t + dwell;
        b.pdf_export(out, rng, wiki, page, at);
        // The next view lasts at least 20 s, so exports are at least EXPORT_MIN_GAP apart.
        t = at + EXPORT_MIN_GAP - 20 * SECOND + rng.random_range(0..90) * SECOND;
    }
}

/// Attachment types the slow attachment hunt searches for (none a credential term).
const FILE_TYPES: [&str; 5] = ["xlsx", "docx", "pdf", "pptx", "csv"];

/// 15: AtlasReaper without its hurry: no User-Agent, a hosting address, the account's cookie;
/// a few attachment searches, then one download every few minutes all working day.
pub fn slow_attachments(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
) {
    let c = plan.client();
    let end = day_start(d) + 17 * HOUR + 30 * MINUTE + rng.random_range(0..30) * MINUTE;
    let mut t = plan.start;
    out.push(c.req(
        t,
        "GET",
        "/rest/api/space?start=0&limit=250".into(),
        200,
        rng.random_range(40..300),
        21_000,
        None,
    ));
    let mut types = FILE_TYPES.to_vec();
    shuffle_prefix(rng, &mut types, 3);
    for ext in &types[..3] {
        t += rng.random_range(1..4) * MINUTE;
        let cql = enc(&format!("type=attachment AND title~\"*.{ext}\""));
        out.push(c.req(
            t,
            "GET",
            format!("/rest/api/content/search?cql={cql}&start=0&limit=100&expand=container"),
            200,
            rng.random_range(100..1500),
            rng.random_range(5_000..80_000),
            None,
        ));
    }
    // Space by space (as the search results are grouped), so an hour touches one or two.
    let mut spaces: Vec<usize> = (0..wiki.spaces.len()).collect();
    let n = spaces.len();
    shuffle_prefix(rng, &mut spaces, n);
    let with_files: Vec<&Page> = spaces
        .iter()
        .flat_map(|&s| wiki.spaces[s].pages.iter().map(|&pi| &wiki.pages[pi]))
        .filter(|pg| !pg.attachments.is_empty())
        .collect();
    let files = with_files.iter().flat_map(|pg| pg.attachments.iter().map(move |f| (*pg, f)));
    for (page, f) in files {
        t += DOWNLOAD_MIN_GAP + rng.random_range(0..120) * SECOND;
        if t >= end {
            break;
        }
        out.push(c.req(
            t,
            "GET",
            attachment_path(page, f, 1),
            200,
            rng.random_range(30..2000),
            rng.random_range(30_000..6_000_000),
            None,
        ));
    }
}

/// 16: a python-requests script on the user's workstation walks the spaces they can read over
/// REST (a listing page, then each page's body), about one read a minute all working day.
pub fn slow_api_reads(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    d: u32,
    wiki: &Wiki,
    person: Option<&Person>,
) {
    let c = plan.client();
    let end = day_start(d) + 18 * HOUR + rng.random_range(0..30) * MINUTE;
    let mut t = plan.start;
    out.push(c.req(
        t,
        "GET",
        "/rest/api/space?start=0&limit=50".into(),
        200,
        rng.random_range(30..200),
        18_000,
        None,
    ));
    let mut spaces = readable(wiki, person);
    let n = spaces.len();
    shuffle_prefix(rng, &mut spaces, n);
    for s in spaces {
        let space = &wiki.spaces[s];
        for (chunk_no, chunk) in space.pages.chunks(25).enumerate() {
            t += API_MIN_GAP + rng.random_range(0..30) * SECOND;
            if t >= end {
                return;
            }
            let path = format!(
                "/rest/api/content?spaceKey={}&type=page&start={}&limit=25&expand=version",
                space.key,
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
            for &pi in chunk {
                t += API_MIN_GAP + rng.random_range(0..30) * SECOND;
                if t >= end {
                    return;
                }
                out.push(c.req(
                    t,
                    "GET",
                    format!("/rest/api/content/{}?expand=body.storage,version", wiki.pages[pi].id),
                    200,
                    rng.random_range(20..300),
                    rng.random_range(3_000..80_000),
                    None,
                ));
            }
        }
    }
}
