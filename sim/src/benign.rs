//! Ordinary days: employees reading, searching, editing and exporting in office hours;
//! admins in the admin console; anonymous readers of the public space; a search-engine bot.

use crate::browser::Browser;
use crate::model::{
    day_start, is_weekday, rng_for, Actor, Client, Event, Ms, DAY, EPOCH_LOCAL_MIDNIGHT, HOUR,
    MINUTE, SECOND,
};
use crate::population::{Person, BROWSERS, VISITOR_NETS};
use crate::wiki::{page_path, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::rc::Rc;

/// What people search for. "reset password" is rare but real: the most common intranet
/// search, and a trap for naive credential-term rules.
const SEARCHES: [(&str, u32); 22] = [
    ("vpn", 8),
    ("onboarding", 6),
    ("holiday calendar", 5),
    ("expense policy", 5),
    ("release notes", 8),
    ("architecture", 4),
    ("on-call rota", 5),
    ("roadmap", 6),
    ("how to request access", 3),
    ("wifi", 3),
    ("benefits", 3),
    ("travel policy", 4),
    ("incident postmortem", 4),
    ("api documentation", 5),
    ("brand guidelines", 3),
    ("sales deck", 4),
    ("okr", 3),
    ("runbook", 5),
    ("deployment", 5),
    ("kubernetes", 4),
    ("meeting notes", 4),
    ("reset password", 1),
];

const ADMIN_PAGES: [&str; 7] = [
    "/admin/console.action",
    "/admin/viewgeneralconfig.action",
    "/admin/users/browseusers.action",
    "/plugins/servlet/upm",
    "/admin/systeminfo.action",
    "/admin/viewmailqueue.action",
    "/admin/permissions/viewdefaultspacepermissions.action",
];

fn weighted_search(rng: &mut ChaCha8Rng) -> &'static str {
    let total: u32 = SEARCHES.iter().map(|s| s.1).sum();
    let mut x = rng.random_range(0..total);
    for (q, w) in SEARCHES {
        if x < w {
            return q;
        }
        x -= w;
    }
    SEARCHES[0].0
}

/// A space this person would read now: mostly favourites, sometimes anything open.
fn pick_space(rng: &mut ChaCha8Rng, p: &Person, wiki: &Wiki) -> usize {
    if rng.random_bool(0.8) && !p.favourites.is_empty() {
        p.favourites[rng.random_range(0..p.favourites.len())]
    } else {
        let open: Vec<usize> =
            (0..wiki.spaces.len()).filter(|&s| !wiki.spaces[s].restricted).collect();
        open[rng.random_range(0..open.len())]
    }
}

/// One person's ordinary day `d` (nothing on most weekends).
pub fn person_day(out: &mut Vec<Event>, seed: u64, d: u32, idx: usize, p: &Person, wiki: &Wiki) {
    person_day_as(out, seed, d, idx, p, wiki, Actor::Population, 1.0);
}

/// [`person_day`] with its events credited to `actor` and `boost` times as many bursts of
/// activity (a release day); with `Actor::Population` and 1.0 it is exactly the ordinary day.
#[allow(clippy::too_many_arguments)]
pub fn person_day_as(
    out: &mut Vec<Event>,
    seed: u64,
    d: u32,
    idx: usize,
    p: &Person,
    wiki: &Wiki,
    actor: Actor,
    boost: f64,
) {
    let mut rng = rng_for(seed, d, 1, idx);
    let weekday = is_weekday(d);
    if (weekday && rng.random_bool(0.06)) || (!weekday && !rng.random_bool(0.06)) {
        return; // on leave, or enjoying the weekend
    }
    let home = !weekday || rng.random_bool(p.remote);
    let ip = if home { p.home_ip.clone() } else { p.office_ip.clone() };
    let client = Client { user: Some(p.name.clone()), ip, agent: Some(p.agent.clone()), actor };
    let day0 = day_start(d);
    let start =
        day0 + (p.start_min + rng.random_range(-25..25)) * MINUTE + rng.random_range(0..60_000);
    let end = day0 + (p.end_min + rng.random_range(-40..40)) * MINUTE;
    let bursts = if weekday { p.bursts + rng.random_range(0..4) } else { rng.random_range(1..3) };
    let bursts = (f64::from(bursts) * boost).round() as u32;
    day_of_bursts(out, &mut rng, client, p, wiki, start, end, bursts);
}

/// `bursts` bursts of activity between `start` and `end`, skipping lunch.
#[allow(clippy::too_many_arguments)]
pub fn day_of_bursts(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    client: Client,
    p: &Person,
    wiki: &Wiki,
    start: Ms,
    end: Ms,
    bursts: u32,
) {
    let mut b = Browser::new(client);
    let mut t = if rng.random_bool(0.5) {
        b.login(out, rng, start)
    } else {
        b.dashboard(out, rng, start);
        start
    };
    let mut times: Vec<Ms> = (0..bursts)
        .map(|_| rng.random_range(start + 5 * MINUTE..end.max(start + 6 * MINUTE)))
        .collect();
    times.sort_unstable();
    for at in times {
        let local_hour = (at - EPOCH_LOCAL_MIDNIGHT).rem_euclid(DAY) / HOUR;
        if local_hour == 12 && rng.random_bool(0.7) {
            continue; // lunch
        }
        t = burst(out, rng, &mut b, p, wiki, at.max(t + 10 * SECOND));
    }
}

/// One burst of activity starting at `t`; returns when it ended.
fn burst(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    b: &mut Browser,
    p: &Person,
    wiki: &Wiki,
    mut t: Ms,
) -> Ms {
    let roll = rng.random_range(0..100);
    if p.privileged && roll < 30 {
        for _ in 0..rng.random_range(1..5) {
            let page = ADMIN_PAGES[rng.random_range(0..ADMIN_PAGES.len())];
            b.admin(out, rng, page, t);
            t += rng.random_range(20..180) * SECOND;
        }
        return t;
    }
    match roll {
        0..=9 => {
            let query = weighted_search(rng);
            b.search(out, rng, query, t);
            t += rng.random_range(8..40) * SECOND;
            for _ in 0..rng.random_range(0..3) {
                let s = pick_space(rng, p, wiki);
                let dwell = rng.random_range(20..240) * SECOND;
                let page = wiki.pick_page(rng, s);
                b.view(out, rng, wiki, page, t, dwell);
                t += dwell;
            }
        }
        10..=14 => {
            let s = pick_space(rng, p, wiki);
            let page = wiki.pick_page(rng, s);
            b.view(out, rng, wiki, page, t, 20 * SECOND);
            let typing = rng.random_range(2..15) * MINUTE;
            t = b.edit(out, rng, wiki, page, t + 20 * SECOND, typing) + 30 * SECOND;
        }
        15..=17 => {
            let s = pick_space(rng, p, wiki);
            let page = wiki.pick_page(rng, s);
            b.view(out, rng, wiki, page, t, 30 * SECOND);
            let at = t + rng.random_range(10..60) * SECOND;
            t = b.pdf_export(out, rng, wiki, page, at) + 10 * SECOND;
        }
        18..=23 => {
            b.dashboard(out, rng, t);
            t += rng.random_range(10..60) * SECOND;
        }
        _ => {
            let mut s = pick_space(rng, p, wiki);
            for _ in 0..rng.random_range(1..9) {
                if rng.random_bool(0.3) {
                    s = pick_space(rng, p, wiki);
                }
                let page = wiki.pick_page(rng, s);
                let dwell = rng.random_range(15..200) * SECOND;
                b.view(out, rng, wiki, page, t, dwell);
                if !page.attachments.is_empty() && rng.random_bool(0.15) {
                    let file = &page.attachments[rng.random_range(0..page.attachments.len())];
                    b.download(out, rng, page, file, t + dwell / 2);
                }
                t += dwell;
            }
        }
    }
    t
}

/// Anonymous visitors reading the public space (and bouncing off the login page when a link
/// leads into a private space), plus a search-engine bot crawling the public space slowly.
pub fn anonymous_day(out: &mut Vec<Event>, seed: u64, d: u32, visitors: usize, wiki: &Wiki) {
    let Some(public) = wiki.spaces.iter().position(|s| s.public) else {
        return;
    };
    let day0 = day_start(d);
    let n = if is_weekday(d) { visitors } else { visitors / 2 + 1 };
    for v in 0..n {
        let mut rng = rng_for(seed, d, 2, v);
        let ip = format!(
            "{}.{}.{}",
            VISITOR_NETS[rng.random_range(0..VISITOR_NETS.len())],
            rng.random_range(0..=255),
            rng.random_range(1..=254)
        );
        let client = Client {
            user: None,
            ip: ip.into(),
            agent: Some(BROWSERS[rng.random_range(0..BROWSERS.len())].into()),
            actor: Actor::Population,
        };
        let mut b = Browser::new(client);
        let mut t = day0 + rng.random_range(6 * HOUR..23 * HOUR);
        for _ in 0..rng.random_range(1..7) {
            let dwell = rng.random_range(20..240) * SECOND;
            let page = wiki.pick_page(&mut rng, public);
            b.view(out, &mut rng, wiki, page, t, dwell);
            t += dwell;
        }
        if rng.random_bool(0.15) {
            // A link into a private space: Confluence sends anonymous users to log in.
            let s = rng.random_range(0..wiki.spaces.len() - 1);
            let path = page_path(wiki, wiki.pick_page(&mut rng, s), false);
            out.push(b.client.req(
                t,
                "GET",
                path.clone(),
                302,
                rng.random_range(20..80),
                0,
                b.last.clone(),
            ));
            let login = format!("/login.action?os_destination={}", crate::model::enc(&path));
            out.push(b.client.req(
                t + 300,
                "GET",
                login,
                200,
                rng.random_range(30..200),
                9_120,
                None,
            ));
        }
    }
    let mut rng = rng_for(seed, d, 3, 0);
    let bot: Rc<str> =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)".into();
    let mut t = day0 + rng.random_range(0..10 * MINUTE);
    while t < day0 + 24 * HOUR {
        let ip = format!("66.249.66.{}", rng.random_range(1..40));
        let c = Client {
            user: None,
            ip: ip.into(),
            agent: Some(bot.clone()),
            actor: Actor::Population,
        };
        let path = if rng.random_bool(0.03) {
            "/robots.txt".to_string()
        } else {
            page_path(wiki, wiki.pick_page(&mut rng, public), false)
        };
        out.push(c.req(
            t,
            "GET",
            path,
            200,
            rng.random_range(60..900),
            rng.random_range(15_000..120_000),
            None,
        ));
        t += rng.random_range(2..9) * MINUTE;
    }
}
