//! Test helper: the detector's fixed per-window thresholds (defaults of
//! filter/core/src/params.rs), counted conservatively over one entity's events with sliding
//! windows (the detector's windows tumble, which never counts more).

use crate::model::{Event, Ms, MINUTE};
use crate::wiki::Wiki;
use std::collections::{BTreeMap, BTreeSet};

/// Per-window thresholds for one entity.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// burst-rate: counted requests a minute.
    pub burst: usize,
    /// programmatic-agent: script reads in 10 minutes.
    pub programmatic: usize,
    /// mass-enumeration: reads an hour.
    pub pages: usize,
    /// mass-enumeration: spaces an hour (with `pages / 4` reads).
    pub spaces: usize,
    /// mass-enumeration: pagination steps an hour.
    pub pagination: usize,
    /// bulk-export: exports and downloads in 30 minutes.
    pub exports: usize,
    /// access-denied-probing: refused reads in 10 minutes.
    pub denied: usize,
    /// session-anomaly: addresses an hour.
    pub addresses: usize,
}

impl Limits {
    /// The defaults, for a privileged account or not.
    pub fn defaults(privileged: bool) -> Limits {
        if privileged {
            Limits {
                burst: 120,
                programmatic: 10,
                pages: 80,
                spaces: 8,
                pagination: 30,
                exports: 8,
                denied: 15,
                addresses: 4,
            }
        } else {
            Limits {
                burst: 240,
                programmatic: 20,
                pages: 150,
                spaces: 8,
                pagination: 30,
                exports: 15,
                denied: 25,
                addresses: 6,
            }
        }
    }
}

/// Static resources, inline images and the UI's background calls (not counted by burst-rate).
fn furniture(e: &Event) -> bool {
    let t = e.target.as_str();
    t.starts_with("/s/")
        || t.contains(".png?")
        || ["/rest/mywork", "/rest/analytics", "/rest/quickreload", "/rest/likes"]
            .iter()
            .any(|p| t.starts_with(p))
}

/// A content read or a search (everything mass-enumeration counts).
pub fn content(e: &Event) -> bool {
    let t = e.target.as_str();
    crate::quiet::is_read(e)
        || t.starts_with("/dosearchsite.action")
        || t.starts_with("/rest/api/search")
        || t.starts_with("/rest/api/content/search")
        || t.starts_with("/rest/api/space")
}

fn export(e: &Event) -> bool {
    let t = e.target.as_str();
    t.starts_with("/spaces/flyingpdf/pdfpageexport.action")
        || (t.starts_with("/download/attachments/") && !t.contains(".png?"))
}

fn programmatic(e: &Event) -> bool {
    !e.agent.as_deref().is_some_and(|a| a.starts_with("Mozilla/"))
}

/// Space of a read (by page id or `/display/KEY/`).
fn space_of(e: &Event, wiki: &Wiki, ids: &BTreeMap<u64, usize>) -> Option<usize> {
    let t = e.target.as_str();
    if let Some(rest) = t.strip_prefix("/display/") {
        return wiki.space(rest.split('/').next()?);
    }
    let digits = |s: &str| s.chars().take_while(char::is_ascii_digit).collect::<String>();
    let id = if let Some(i) = t.find("pageId=") {
        digits(&t[i + 7..])
    } else if let Some(rest) = t.strip_prefix("/rest/api/content/") {
        digits(rest)
    } else if let Some(rest) = t.strip_prefix("/download/attachments/") {
        digits(rest)
    } else if let Some(i) = t.find("spaceKey=") {
        let key: String = t[i + 9..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        return wiki.space(&key);
    } else {
        return None;
    };
    ids.get(&id.parse().ok()?).map(|&p| wiki.pages[p].space)
}

/// Most events of `times` (sorted) in any window of `w` ms.
pub fn most_in(times: &[Ms], w: Ms) -> usize {
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= w {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

/// Checks one entity's events (any order) against `l`; `breadth` false skips the
/// mass-enumeration page and space criteria. Returns what is over.
pub fn check(events: &[&Event], l: Limits, wiki: &Wiki, breadth: bool) -> Vec<String> {
    let ids: BTreeMap<u64, usize> = wiki.pages.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut ev: Vec<&Event> = events.to_vec();
    ev.sort_by_key(|e| e.time_ms);
    let times = |f: &dyn Fn(&Event) -> bool| -> Vec<Ms> {
        ev.iter().filter(|e| f(e)).map(|e| e.time_ms).collect()
    };
    let mut over = Vec::new();
    let mut need = |what: &str, n: usize, limit: usize| {
        if n >= limit {
            over.push(format!("{what}: {n} (threshold {limit})"));
        }
    };
    need("burst a minute", most_in(&times(&|e| !furniture(e)), MINUTE), l.burst);
    let script = times(&|e| content(e) && programmatic(e));
    need("script reads in 10 min", most_in(&script, 10 * MINUTE), l.programmatic);
    need("exports in 30 min", most_in(&times(&export), 30 * MINUTE), l.exports);
    let paged =
        times(&|e| content(e) && e.target.contains("start=") && !e.target.contains("start=0"));
    need("pagination steps an hour", most_in(&paged, 60 * MINUTE), l.pagination);
    let refused = times(&|e| content(e) && matches!(e.status, 401 | 403 | 404));
    need("refusals in 10 min", most_in(&refused, 10 * MINUTE), l.denied);
    let reads: Vec<&&Event> = ev.iter().filter(|e| content(e)).collect();
    let mut lo = 0;
    let (mut most_pages, mut most_spaces) = (0, 0);
    for hi in 0..reads.len() {
        while reads[hi].time_ms - reads[lo].time_ms >= 60 * MINUTE {
            lo += 1;
        }
        let window = &reads[lo..=hi];
        most_pages = most_pages.max(window.len());
        if window.len() >= l.pages / 4 {
            let spaces: BTreeSet<usize> =
                window.iter().filter_map(|e| space_of(e, wiki, &ids)).collect();
            most_spaces = most_spaces.max(spaces.len());
        }
    }
    if breadth {
        need("reads an hour", most_pages, l.pages);
        need("spaces an hour (with a quarter of the page threshold)", most_spaces, l.spaces);
    }
    let (mut lo, mut most_ips) = (0, 0);
    let mut ips: BTreeMap<&str, usize> = BTreeMap::new();
    for hi in 0..ev.len() {
        *ips.entry(&*ev[hi].ip).or_default() += 1;
        while ev[hi].time_ms - ev[lo].time_ms >= 60 * MINUTE {
            let n = ips.get_mut(&*ev[lo].ip).map(|n| {
                *n -= 1;
                *n
            });
            if n == Some(0) {
                ips.remove(&*ev[lo].ip);
            }
            lo += 1;
        }
        most_ips = most_ips.max(ips.len());
    }
    if ev.iter().all(|e| e.user.is_some()) {
        need("addresses an hour", most_ips, l.addresses);
    }
    over
}
