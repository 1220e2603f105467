//! The exposure report of one entity and time span: what they read, exported and downloaded
//! (counts and bytes), searched, from where and with what, and what they did after a privilege
//! change, told in order. Spaces the config labels (`spaces: {"HR": "restricted"}`) lead.

use crate::gather::{Gather, Seen, Step};
use serde::Serialize;
use std::collections::BTreeMap;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::BaselineDays;

/// Rows per table in the report (the gathering keeps more; the report is read by people).
pub const MAX_REPORT_ROWS: usize = 1_000;

/// A counted row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What: a target, search text, address, agent.
    pub name: String,
    /// Events.
    pub count: u64,
    /// Response bytes.
    pub bytes: u64,
    /// First time.
    pub first: String,
    /// Last time.
    pub last: String,
}

/// One space.
#[derive(Debug, Clone, Serialize)]
pub struct SpaceRow {
    /// Space key.
    pub space: String,
    /// Sensitivity label from config, if any.
    pub label: Option<String>,
    /// Content requests in the space (reads, searches, exports, downloads).
    pub requests: u64,
    /// Their response bytes.
    pub bytes: u64,
    /// Exports and downloads in the space.
    pub exported: u64,
    /// Their response bytes.
    pub exported_bytes: u64,
    /// First time.
    pub first: String,
    /// Last time.
    pub last: String,
}

/// One page under its one identity.
#[derive(Debug, Clone, Serialize)]
pub struct PageOut {
    /// Page id when known, else as logged.
    pub page: String,
    /// Names it was logged under.
    pub spellings: Vec<String>,
    /// Reads.
    pub count: u64,
    /// Response bytes.
    pub bytes: u64,
    /// First time.
    pub first: String,
    /// Last time.
    pub last: String,
}

/// One step of the account told in order.
#[derive(Debug, Clone, Serialize)]
pub struct StepOut {
    /// Event time.
    pub time: String,
    /// `privilege`, `export`, `download`, `search` or `audit`.
    pub what: &'static str,
    /// Target, search text or audit action.
    pub detail: String,
    /// Space, when known.
    pub space: Option<String>,
    /// Response bytes.
    pub bytes: u64,
}

/// Totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Page reads.
    pub pages_read: u64,
    /// Distinct pages.
    pub distinct_pages: u64,
    /// Bytes of page reads.
    pub read_bytes: u64,
    /// Exports.
    pub exports: u64,
    /// Bytes of exports.
    pub export_bytes: u64,
    /// Attachment downloads.
    pub downloads: u64,
    /// Bytes of downloads.
    pub download_bytes: u64,
    /// Searches.
    pub searches: u64,
}

/// What happened after the first privilege granted to the entity.
#[derive(Debug, Clone, Serialize)]
pub struct AfterPrivilege {
    /// When the first grant was recorded.
    pub granted: String,
    /// What was granted (each grant).
    pub grants: Vec<String>,
    /// Pages read from then on.
    pub pages_read: u64,
    /// Exports from then on.
    pub exports: u64,
    /// Downloads from then on.
    pub downloads: u64,
    /// Bytes exported and downloaded from then on.
    pub bytes: u64,
    /// The steps from the first grant on, in order.
    pub steps: Vec<StepOut>,
}

/// The exposure report.
#[derive(Debug, Clone, Serialize)]
pub struct Exposure {
    /// `user:NAME`, `ip:ADDR` or `session:ID`.
    pub entity: String,
    /// Start of the span asked for.
    pub from: Option<String>,
    /// End of the span asked for (exclusive).
    pub to: Option<String>,
    /// Events of the entity in the span.
    pub events: u64,
    /// First access.
    pub first: Option<String>,
    /// Last access.
    pub last: Option<String>,
    /// Totals.
    pub totals: Totals,
    /// Labelled spaces the entity touched, the most sensitive first.
    pub sensitive: Vec<SpaceRow>,
    /// Every space touched: labelled first, then by requests.
    pub spaces: Vec<SpaceRow>,
    /// Pages read, most first.
    pub pages: Vec<PageOut>,
    /// Set when counts may include both spellings of one page.
    pub pages_note: Option<String>,
    /// Exports.
    pub exports: Vec<Row>,
    /// Downloads.
    pub downloads: Vec<Row>,
    /// Searches with their terms.
    pub searches: Vec<Row>,
    /// Client addresses used.
    pub addresses: Vec<Row>,
    /// User agents used.
    pub user_agents: Vec<Row>,
    /// Audit actions.
    pub audit: Vec<Row>,
    /// Denied answers.
    pub denied: u64,
    /// After a privilege change, if any.
    pub after_privilege: Option<AfterPrivilege>,
    /// Exports, downloads, searches and audit actions in order.
    pub timeline: Vec<StepOut>,
    /// Events per UTC hour: `[hour, count]`.
    pub activity: Vec<(String, u64)>,
    /// A user's days against their baseline.
    pub baseline: BaselineDays,
}

fn rows(map: &BTreeMap<String, Seen>) -> Vec<Row> {
    let mut v: Vec<_> = map.iter().collect();
    // Most first, then by name: stable output.
    v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    v.into_iter()
        .take(MAX_REPORT_ROWS)
        .map(|(k, s)| Row {
            name: k.clone(),
            count: s.count,
            bytes: s.bytes,
            first: format_time(s.first),
            last: format_time(s.last),
        })
        .collect()
}

fn step_out(s: &Step) -> StepOut {
    StepOut {
        time: format_time(s.time),
        what: s.what,
        detail: s.detail.clone(),
        space: s.space.clone(),
        bytes: s.bytes,
    }
}

/// Order of labels: the order they first appear in config is not kept by a map, so a label
/// ranks by how sensitive its usual words say it is, then by name.
fn label_rank(label: &str) -> u8 {
    let l = label.to_ascii_lowercase();
    ["secret", "restricted", "confidential", "sensitive", "internal"]
        .iter()
        .position(|w| l.contains(w))
        .map_or(5, |p| p as u8)
}

impl Exposure {
    /// Builds the report from what was gathered, with the config's space labels.
    pub fn build(
        entity: &str,
        span: (Option<i64>, Option<i64>),
        g: &Gather,
        labels: &BTreeMap<String, String>,
    ) -> Exposure {
        let mut spaces: Vec<SpaceRow> = g
            .spaces
            .iter()
            .map(|(k, s)| {
                let ex = g.space_exports.get(k).copied().unwrap_or_default();
                SpaceRow {
                    space: k.clone(),
                    label: labels.get(k).cloned(),
                    requests: s.count,
                    bytes: s.bytes,
                    exported: ex.count,
                    exported_bytes: ex.bytes,
                    first: format_time(s.first),
                    last: format_time(s.last),
                }
            })
            .collect();
        spaces.sort_by(|a, b| {
            let rank = |r: &SpaceRow| r.label.as_deref().map_or(u8::MAX, label_rank);
            rank(a)
                .cmp(&rank(b))
                .then(b.exported.cmp(&a.exported))
                .then(b.requests.cmp(&a.requests))
                .then(a.space.cmp(&b.space))
        });
        spaces.truncate(MAX_REPORT_ROWS);
        let sensitive = spaces.iter().filter(|s| s.label.is_some()).cloned().collect();

        let (merged, ambiguous) = g.pages_merged();
        let mut pages: Vec<PageOut> = merged
            .into_iter()
            .map(|(k, r)| PageOut {
                page: k,
                spellings: r.spellings,
                count: r.seen.count,
                bytes: r.seen.bytes,
                first: format_time(r.seen.first),
                last: format_time(r.seen.last),
            })
            .collect();
        let distinct_pages = pages.len() as u64;
        pages.sort_by(|a, b| b.count.cmp(&a.count).then(a.page.cmp(&b.page)));
        pages.truncate(MAX_REPORT_ROWS);
        let pages_note = ambiguous.then(|| {
            "some pages were read both by id and by space and title with neither a Referer nor \
             a session tying the two together; page counts may include both spellings of one page"
                .to_string()
        });

        let sum = |m: &BTreeMap<String, Seen>| {
            m.values().fold(Seen::default(), |mut a, s| {
                a.merge(s);
                a
            })
        };
        let (reads, exports, downloads, searches) =
            (sum(&g.pages), sum(&g.exports), sum(&g.downloads), sum(&g.searches));
        let totals = Totals {
            pages_read: reads.count,
            distinct_pages,
            read_bytes: reads.bytes,
            exports: exports.count,
            export_bytes: exports.bytes,
            downloads: downloads.count,
            download_bytes: downloads.bytes,
            searches: searches.count,
        };

        let mut steps = g.steps.clone();
        steps.sort_by(|a, b| a.time.cmp(&b.time).then(a.what.cmp(b.what)));
        let after_privilege = steps.iter().find(|s| s.what == "privilege").map(|grant| {
            let after: Vec<&Step> = steps.iter().filter(|s| s.time >= grant.time).collect();
            let count = |w: &str| after.iter().filter(|s| s.what == w).count() as u64;
            AfterPrivilege {
                granted: format_time(grant.time),
                grants: after
                    .iter()
                    .filter(|s| s.what == "privilege")
                    .map(|s| s.detail.clone())
                    .collect(),
                pages_read: g.read_times.iter().filter(|t| **t >= grant.time).count() as u64,
                exports: count("export"),
                downloads: count("download"),
                bytes: after
                    .iter()
                    .filter(|s| matches!(s.what, "export" | "download"))
                    .map(|s| s.bytes)
                    .sum(),
                steps: after.iter().take(MAX_REPORT_ROWS).map(|s| step_out(s)).collect(),
            }
        });

        let has = g.all.count > 0;
        Exposure {
            entity: entity.to_string(),
            from: span.0.map(format_time),
            to: span.1.map(format_time),
            events: g.all.count,
            first: has.then(|| format_time(g.all.first)),
            last: has.then(|| format_time(g.all.last)),
            totals,
            sensitive,
            spaces,
            pages,
            pages_note,
            exports: rows(&g.exports),
            downloads: rows(&g.downloads),
            searches: rows(&g.searches),
            addresses: rows(&g.addresses),
            user_agents: rows(&g.agents),
            audit: rows(&g.audit),
            denied: g.denied,
            after_privilege,
            timeline: steps.iter().take(MAX_REPORT_ROWS).map(step_out).collect(),
            activity: g.hours.iter().map(|(h, n)| (format_time(*h), *n)).collect(),
            baseline: g.days.clone(),
        }
    }
}
