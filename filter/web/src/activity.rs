//! Per-entity activity for the harness plots: requests per minute, distinct pages over time, and
//! for users each day against their baseline.
//!
//! This is display data, not detection: it decodes each line with the core's own decoder and
//! classifier (so "page" means what the rules mean by it) and counts, nothing more. It is kept
//! apart from the engine so the alerts are exactly those of a plain `Engine::push_line` run;
//! the baseline bands are read from the engine after it took the event (reading changes
//! nothing).

use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use wikiwatch_core::classify::Classifier;
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::{AccessEvent, BaselineDays, Config, Engine, Format, TimeMs};

/// Entities tracked per kind; later ones are counted in `untracked` only (bounded memory).
const MAX_ENTITIES: usize = 20_000;
/// Distinct pages remembered per entity; past this the curve stops rising (flagged `saturated`).
const MAX_PAGES: usize = 100_000;
const MINUTE: TimeMs = 60_000;

/// Activity of one entity.
#[derive(Debug, Default)]
struct Series {
    total: u64,
    minutes: BTreeMap<TimeMs, u32>,
    pages: HashSet<String>,
    /// (minute, distinct pages so far), one point per minute in which the count rose.
    page_steps: Vec<(TimeMs, u32)>,
    saturated: bool,
    /// A user's days against their baseline.
    days: BaselineDays,
}

impl Series {
    fn observe(&mut self, minute: TimeMs, page: Option<&str>) {
        self.total += 1;
        *self.minutes.entry(minute).or_default() += 1;
        let Some(page) = page else { return };
        if self.pages.contains(page) {
            return;
        }
        if self.pages.len() >= MAX_PAGES {
            self.saturated = true;
            return;
        }
        self.pages.insert(page.to_owned());
        let n = u32::try_from(self.pages.len()).unwrap_or(u32::MAX);
        match self.page_steps.last_mut() {
            Some(last) if last.0 == minute => last.1 = n,
            _ => self.page_steps.push((minute, n)),
        }
    }
}

/// Serialised view of one entity's series.
#[derive(Debug, Serialize)]
pub struct EntityActivity<'a> {
    kind: &'static str,
    id: &'a str,
    total: u64,
    distinct_pages: usize,
    saturated: bool,
    /// `[minute_ms, requests]`, ascending.
    minutes: Vec<(TimeMs, u32)>,
    /// `[minute_ms, distinct pages so far]`, ascending.
    pages: &'a [(TimeMs, u32)],
    /// Each day against its baseline, by date (users only).
    baseline: &'a BaselineDays,
}

/// Activity of every entity seen, by kind.
#[derive(Debug)]
pub struct Activity {
    format: Format,
    decoder: Decoder,
    classifier: Classifier,
    users: BTreeMap<String, Series>,
    ips: BTreeMap<String, Series>,
    untracked: u64,
}

impl Activity {
    /// Activity tracking for lines in `format`, decoded and classified as `config` says.
    pub fn new(config: &Config, format: Format) -> Self {
        Activity {
            format,
            decoder: Decoder::new(format, config.decode.clone()),
            classifier: Classifier::new(&config.classify),
            users: BTreeMap::new(),
            ips: BTreeMap::new(),
            untracked: 0,
        }
    }

    /// Counts the events of one raw line (rejected lines count nothing).
    pub fn observe_line(&mut self, line: &[u8], format: Format, engine: &mut Engine) {
        if format != self.format && format != Format::Auto {
            // A different explicit format (several inputs): decode this line with its own.
            let mut decoder = Decoder::new(format, Default::default());
            std::mem::swap(&mut decoder, &mut self.decoder);
            self.observe_with_current(line, engine);
            std::mem::swap(&mut decoder, &mut self.decoder);
        } else {
            self.observe_with_current(line, engine);
        }
    }

    fn observe_with_current(&mut self, line: &[u8], engine: &mut Engine) {
        let Activity { decoder, classifier, users, ips, untracked, .. } = self;
        let mut t = Tables { classifier, users, ips, untracked };
        let _ = decoder.decode(line, &mut |ev| t.observe(&ev, engine));
    }

    /// Counts one already decoded event (merged inputs decode before the engine sees them),
    /// after `engine` took it.
    pub fn observe_event(&mut self, ev: &AccessEvent<'_>, engine: &mut Engine) {
        let Activity { classifier, users, ips, untracked, .. } = self;
        Tables { classifier, users, ips, untracked }.observe(ev, engine);
    }

    /// The `n` busiest entities plus every entity in `wanted` (`[kind, id]` pairs), as JSON.
    pub fn top_json(&self, n: usize, wanted: &[(String, String)]) -> String {
        let mut all: Vec<(&'static str, &String, &Series)> = self
            .users
            .iter()
            .map(|(k, s)| ("user", k, s))
            .chain(self.ips.iter().map(|(k, s)| ("ip", k, s)))
            .collect();
        // Busiest first; ties by kind then id so the choice is deterministic.
        all.sort_by(|a, b| b.2.total.cmp(&a.2.total).then(a.0.cmp(b.0)).then(a.1.cmp(b.1)));
        let mut picked: Vec<EntityActivity<'_>> = Vec::new();
        for (kind, id) in wanted {
            if let Some(e) = self.entity(kind, id) {
                if !picked.iter().any(|p| p.kind == e.kind && p.id == e.id) {
                    picked.push(e);
                }
            }
        }
        let limit = picked.len() + n;
        for (kind, id, s) in all {
            if picked.len() >= limit {
                break;
            }
            if !picked.iter().any(|p| p.kind == kind && p.id == id.as_str()) {
                picked.push(view(kind, id, s));
            }
        }
        serde_json::to_string(&serde_json::json!({
            "entities": picked,
            "tracked": {"user": self.users.len(), "ip": self.ips.len()},
            "untracked_events": self.untracked,
        }))
        .unwrap_or_else(|_| "{}".into())
    }

    /// One entity's series, if it was seen.
    pub fn entity(&self, kind: &str, id: &str) -> Option<EntityActivity<'_>> {
        let (kind, table) = match kind {
            "user" => ("user", &self.users),
            "ip" => ("ip", &self.ips),
            _ => return None,
        };
        table.get_key_value(id).map(|(k, s)| view(kind, k, s))
    }
}

fn view<'a>(kind: &'static str, id: &'a str, s: &'a Series) -> EntityActivity<'a> {
    EntityActivity {
        kind,
        id,
        total: s.total,
        distinct_pages: s.pages.len(),
        saturated: s.saturated,
        minutes: s.minutes.iter().map(|(&m, &c)| (m, c)).collect(),
        pages: &s.page_steps,
        baseline: &s.days,
    }
}

/// The activity tables, borrowed apart from the decoder that feeds them.
struct Tables<'a> {
    classifier: &'a Classifier,
    users: &'a mut BTreeMap<String, Series>,
    ips: &'a mut BTreeMap<String, Series>,
    untracked: &'a mut u64,
}

impl Tables<'_> {
    fn observe(&mut self, ev: &AccessEvent<'_>, engine: &mut Engine) {
        let minute = ev.time_ms.div_euclid(MINUTE) * MINUTE;
        let agent = self.classifier.agent(&ev.agent);
        let request = self.classifier.request(&ev.method, &ev.target, agent);
        let page = request.page.as_deref();
        for (user, key) in [(true, ev.user.as_deref()), (false, ev.client.as_deref())] {
            let Some(key) = key.filter(|k| !k.is_empty() && *k != "-") else {
                continue;
            };
            let table = if user { &mut *self.users } else { &mut *self.ips };
            if !table.contains_key(key) {
                if table.len() >= MAX_ENTITIES {
                    *self.untracked += 1;
                    continue;
                }
                table.insert(key.to_owned(), Series::default());
            }
            let Some(s) = table.get_mut(key) else { continue };
            s.observe(minute, page);
            if user {
                if let Some(b) = engine.baseline(key) {
                    s.days.record(b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_counts_minutes_and_distinct_pages() {
        let mut s = Series::default();
        s.observe(0, Some("A"));
        s.observe(0, Some("A"));
        s.observe(60_000, Some("B"));
        s.observe(60_000, None);
        assert_eq!(s.total, 4);
        assert_eq!(s.minutes.into_iter().collect::<Vec<_>>(), [(0, 2), (60_000, 2)]);
        assert_eq!(s.page_steps, [(0, 1), (60_000, 2)]);
    }
}
