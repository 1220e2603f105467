//! Attacks through an account and a browser: a privileged export after hours (5), an insider
//! reading slowly all day (6), one account spread over residential proxies (7), and a
//! low-volume credential hunt like the 2023 Cloudflare intrusion (8).

use crate::browser::Browser;
use crate::model::{Event, Ms, MINUTE, SECOND};
use crate::plan::Plan;
use crate::population::Person;
use crate::traps::shuffle_prefix;
use crate::wiki::{page_path, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// 5: an admin at home late in the evening exports several spaces (XML or HTML) and then
/// exports many single pages to PDF.
pub fn privileged_export(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let mut b = Browser::new(plan.client());
    let mut t = b.login(out, rng, plan.start) + rng.random_range(20..90) * SECOND;
    let preferred = ["HR", "FIN", "LEGAL", "SEC", "ENG", "PM", "SALES"];
    let mut keys: Vec<&str> =
        preferred.iter().copied().filter(|k| wiki.space(k).is_some()).collect();
    let n = rng.random_range(3..=5).min(keys.len());
    shuffle_prefix(rng, &mut keys, n);
    for key in &keys[..n] {
        b.admin(out, rng, &format!("/spaces/exportspacechoice.action?key={key}"), t);
        t += rng.random_range(10..40) * SECOND;
        let kind = if rng.random_bool(0.5) { "xml" } else { "html" };
        b.admin(out, rng, &format!("/spaces/exportspace{kind}.action?key={key}"), t);
        t += rng.random_range(10..40) * SECOND;
        let took = rng.random_range(20_000..180_000_u32);
        out.push(b.client.req(
            t,
            "POST",
            format!("/spaces/doexportspace.action?key={key}"),
            302,
            took,
            0,
            b.last.clone(),
        ));
        t += i64::from(took) + rng.random_range(300..900);
        let stamp = format!("{}-{}", t / 1000 % 100_000_000, rng.random_range(100..999));
        out.push(b.client.req(
            t,
            "GET",
            format!("/download/temp/{kind}export-{stamp}.zip"),
            200,
            rng.random_range(500..5_000),
            rng.random_range(5_000_000..90_000_000),
            b.last.clone(),
        ));
        t += rng.random_range(30..120) * SECOND;
    }
    for _ in 0..rng.random_range(30..80) {
        let s = wiki.space(keys[rng.random_range(0..n)]).unwrap_or(0);
        let page = wiki.pick_page(rng, s);
        b.view(out, rng, wiki, page, t, 8 * SECOND);
        let at = t + rng.random_range(4..15) * SECOND;
        t = b.pdf_export(out, rng, wiki, page, at) + rng.random_range(3..20) * SECOND;
    }
}

/// 6: the user's own browser, one page about every ten seconds for a working day, spread
/// over every space the user can open.
pub fn slow_and_low(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    wiki: &Wiki,
    person: Option<&Person>,
) {
    let mut b = Browser::new(plan.client());
    let hours = rng.random_range(7..9);
    let end = plan.start + hours * 60 * MINUTE;
    let mut t = b.login(out, rng, plan.start) + rng.random_range(30..90) * SECOND;
    let open: Vec<usize> = (0..wiki.spaces.len())
        .filter(|&s| {
            !wiki.spaces[s].restricted || person.is_some_and(|p| p.favourites.contains(&s))
        })
        .collect();
    let mut order: Vec<usize> =
        open.iter().flat_map(|&s| wiki.spaces[s].pages.iter().copied()).collect();
    let total = order.len();
    shuffle_prefix(rng, &mut order, total);
    for pi in order.into_iter().cycle() {
        if t >= end {
            break;
        }
        let gap = rng.random_range(6_000..14_000);
        b.view(out, rng, wiki, &wiki.pages[pi], t, gap);
        t += gap;
    }
}

/// 7: one account driven through residential proxies: each exit address makes a handful of
/// page and REST reads, then the next address takes over.
pub fn distributed_account(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let base = plan.client();
    let mut t: Ms = plan.start;
    for ip in &plan.ips {
        let c = base.at(ip.clone());
        for _ in 0..rng.random_range(3..11) {
            let s = rng.random_range(0..wiki.spaces.len());
            let page = wiki.pick_page(rng, s);
            let path = if rng.random_bool(0.7) {
                page_path(wiki, page, true)
            } else {
                format!("/rest/api/content/{}?expand=body.storage", page.id)
            };
            out.push(c.req(
                t,
                "GET",
                path,
                200,
                rng.random_range(80..1500),
                rng.random_range(5_000..150_000),
                None,
            ));
            t += rng.random_range(3..12) * SECOND;
        }
        t += rng.random_range(10..40) * SECOND;
    }
}

const HUNT_TERMS: [&str; 14] = [
    "remote access",
    "secret",
    "client-secret",
    "openconnect",
    "cloudflared",
    "token",
    "vpn password",
    "ssh key",
    "aws credentials",
    "admin password",
    "service account",
    "api key",
    "okta",
    "bastion",
];

/// 8: a dozen searches for access secrets through the web UI, minutes apart, and a few reads
/// of what they found.
pub fn credential_hunt(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let mut b = Browser::new(plan.client());
    let mut t = b.login(out, rng, plan.start) + rng.random_range(30..120) * SECOND;
    let mut terms = HUNT_TERMS.to_vec();
    let n = rng.random_range(10..=13);
    shuffle_prefix(rng, &mut terms, n);
    let sensitive = wiki.sensitive_pages();
    let mut reads = rng.random_range(3..7);
    for term in &terms[..n] {
        b.search(out, rng, term, t);
        t += rng.random_range(20..60) * SECOND;
        if reads > 0 && !sensitive.is_empty() && rng.random_bool(0.5) {
            let page = sensitive[rng.random_range(0..sensitive.len())];
            let dwell = rng.random_range(30..150) * SECOND;
            b.view(out, rng, wiki, page, t, dwell);
            t += dwell;
            reads -= 1;
        }
        t += rng.random_range(1..8) * MINUTE;
    }
}
