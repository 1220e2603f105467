//! The driver of `wikiwatch report` and the browser's report button: every line through the
//! decoder and the detector, each event to the per-entity gathering and the busiest counts,
//! each alert to its incident. Both hosts feed lines here, so both give the same report.

use crate::entity::Entity;
use crate::exposure::Exposure;
use crate::gather::{grant_to, Gather};
use crate::incidents::{Busy, Incident, Incidents};
use serde::Serialize;
use std::collections::BTreeMap;
use wikiwatch_core::classify::Classifier;
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::{AccessEvent, Alert, AllowList, Config, Engine};

/// Names of one account kept.
const MAX_NAMES: usize = 16;

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The entity of the exposure report; none for the incident view only.
    pub entity: Option<Entity>,
    /// Start of the span (ms, inclusive).
    pub from: Option<i64>,
    /// End of the span (ms, exclusive).
    pub to: Option<i64>,
    /// Whether allow-listed entities appear in incidents and "busiest".
    pub include_allowed: bool,
}

/// Parses an RFC 3339 time to ms.
pub fn parse_time(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("`{s}` is not an RFC 3339 time ({e})"))
}

/// Lines read and rejected.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct InputCounts {
    /// Lines read.
    pub lines: u64,
    /// Lines that did not decode.
    pub rejected: u64,
}

/// The report (docs/cli.md, `wikiwatch report`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The exposure report, when an entity was asked for.
    pub exposure: Option<Exposure>,
    /// Incidents (of the entity, when one was asked for), worst first.
    pub incidents: Vec<Incident>,
    /// The entities with most requests.
    pub busiest: Vec<Busy>,
    /// Whether allow-listed entities were included.
    pub include_allowed: bool,
    /// Lines read.
    pub input: InputCounts,
}

/// Feeds a detector and the report tables.
#[derive(Debug)]
pub struct Reporter {
    opts: ReportOptions,
    engine: Engine,
    classifier: Classifier,
    allow: AllowList,
    labels: BTreeMap<String, String>,
    /// The user's names (login, configured and learned aliases): a grant names the grantee by
    /// any of them.
    names: Vec<String>,
    gather: Gather,
    incidents: Incidents,
    input: InputCounts,
}

impl Reporter {
    /// A reporter over a fresh detector for `config`.
    pub fn new(config: Config, opts: ReportOptions) -> Result<Reporter, String> {
        let classifier = Classifier::new(&config.classify);
        let allow = AllowList::new(&config.allow);
        let labels = config.spaces.clone();
        let names = match &opts.entity {
            Some(Entity::User(u)) => std::iter::once(u.clone())
                .chain(config.identity.users.get(u).into_iter().flat_map(|i| i.aliases.clone()))
                .collect(),
            _ => Vec::new(),
        };
        let engine = Engine::new(config).map_err(|e| e.to_string())?;
        Ok(Reporter {
            opts,
            engine,
            classifier,
            allow,
            labels,
            names,
            gather: Gather::default(),
            incidents: Incidents::default(),
            input: InputCounts::default(),
        })
    }

    /// One line in `decoder`'s format.
    pub fn line(&mut self, decoder: &mut Decoder, line: &[u8]) {
        self.input.lines += 1;
        let mut alerts: Vec<Alert> = Vec::new();
        let mut events = Vec::new();
        let ok = decoder
            .decode(line, &mut |e: AccessEvent<'_>| {
                self.engine.push_event(&e, &mut alerts);
                events.push(e.into_owned());
            })
            .is_ok();
        if !ok {
            self.input.rejected += 1;
        }
        for e in &events {
            self.event(e);
        }
        for a in &alerts {
            self.alert(a);
        }
    }

    /// Every non-blank line of `text` (a whole file, as the browser holds it), without its
    /// `\n` or `\r\n`, as the CLI's line reader gives them.
    pub fn text(&mut self, text: &[u8], decoder: &mut Decoder) {
        for line in text.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.iter().all(u8::is_ascii_whitespace) {
                self.line(decoder, line);
            }
        }
    }

    fn in_span(&self, t: i64) -> bool {
        self.opts.from.is_none_or(|f| t >= f) && self.opts.to.is_none_or(|to| t < to)
    }

    fn event(&mut self, e: &AccessEvent<'_>) {
        if !self.in_span(e.time_ms) {
            return;
        }
        if e.audit.is_none() {
            let allowed =
                self.allow.check(e.user.as_deref(), e.client.as_deref(), &e.agent, &e.target);
            let allowed = allowed.is_some();
            if let Some(u) = &e.user {
                self.incidents.request(format!("user:{u}"), allowed);
            }
            if let Some(c) = &e.client {
                self.incidents.request(format!("ip:{c}"), allowed);
            }
        }
        let Some(entity) = &self.opts.entity else { return };
        if entity.matches(e) {
            for a in &e.aliases {
                if self.names.len() < MAX_NAMES && !self.names.iter().any(|n| n == a) {
                    self.names.push(a.to_string());
                }
            }
            self.gather.record(e, &self.classifier);
            if let Entity::User(u) = entity {
                if let Some(b) = self.engine.baseline(u) {
                    self.gather.days.record(b);
                }
            }
        } else if let (Entity::User(_), Some(a)) = (entity, &e.audit) {
            let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
            if let Some(what) = grant_to(a, &names) {
                let by = e.user.as_deref().unwrap_or("-");
                self.gather.record_grant(e.time_ms, &format!("{what} by {by}"));
            }
        }
    }

    fn alert(&mut self, a: &Alert) {
        if !self.in_span(a.time_ms) {
            return;
        }
        if let Some(entity) = &self.opts.entity {
            if format!("{}:{}", a.entity.kind.as_str(), a.entity.id) != entity.label() {
                return;
            }
        }
        self.incidents.alert(a);
    }

    /// The report.
    pub fn finish(mut self) -> Report {
        let mut rest: Vec<Alert> = Vec::new();
        self.engine.finish(&mut rest);
        for a in &rest {
            self.alert(a);
        }
        let include = self.opts.include_allowed;
        let exposure = self.opts.entity.as_ref().map(|e| {
            Exposure::build(&e.label(), (self.opts.from, self.opts.to), &self.gather, &self.labels)
        });
        Report {
            exposure,
            incidents: self.incidents.incidents(include),
            busiest: self.incidents.busiest(include),
            include_allowed: include,
            input: self.input,
        }
    }
}
