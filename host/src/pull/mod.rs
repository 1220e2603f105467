//! `wikiwatch pull`: audit events of Confluence Cloud, from the organization events API or a
//! site's audit log, fed to the detector as `audit` lines in time order. One pass over the
//! window by default; with `--interval`, a poll after each interval until SIGINT or SIGTERM.
//!
//! A poll reads the window from the checkpoint (or `--since`) to now in steps of at most a
//! day, oldest first. Each step is read whole (the APIs page newest first), its records not
//! fed before are sorted by time and fed, and the state (detector, checkpoint, alert sink) is
//! saved, so an interrupted pull resumes where its last step ended and never feeds an event
//! twice. A stop asked for in the middle of a step drops that step unfed.

mod api;
pub mod args;
mod auth;
mod checkpoint;
mod fetch;
mod org;
mod site;
mod window;

use crate::backend::Backend;
use crate::config_file::load_config;
use crate::engine;
use crate::fail::{usage, Usage};
use crate::live::signal::Stop;
use crate::live::sink::LiveSink;
use crate::live::state::{LiveState, StateFile};
use anyhow::{anyhow, Context, Result};
use api::Api;
use args::{PullArgs, PullCommon, PullSource};
use checkpoint::{Checkpoint, Checkpoints};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use wikiwatch_core::Format;

/// Pages of one step, at most: a step is a day of one audit log.
const MAX_PAGES: u32 = 100_000;
/// Records per call into the detector.
const BATCH: usize = 4096;

/// Runs `wikiwatch pull`.
pub fn run(args: &PullArgs) -> Result<()> {
    let (api, common): (Box<dyn Api>, &PullCommon) = match &args.source {
        PullSource::Org(a) => (Box::new(org::Org::new(a)?), &a.common),
        PullSource::Site(a) => (Box::new(site::Site::new(a)?), &a.common),
    };
    let started = window::now_ms();
    let since =
        window::since_ms(&common.since, started).map_err(|e| usage(format!("--since {e}")))?;
    let until = match &common.until {
        Some(u) => Some(window::time_ms(u).map_err(|e| usage(format!("--until {e}")))?),
        None => None,
    };
    let settle = window::settle(&common.settle).map_err(|e| usage(format!("--settle {e}")))?;
    let interval = match &common.interval {
        Some(i) => Some(window::interval(i).map_err(|e| usage(format!("--interval {e}")))?),
        None => None,
    };
    let config = load_config(common.config.as_deref())?;
    let (file, mut state) = StateFile::open_opt(common.state.as_deref())?;
    let mut marks: Checkpoints = state.section("pull")?.unwrap_or_default();
    let mut detector = engine::open_state(
        common.engine,
        &config,
        state.detector.as_deref(),
        common.state.as_deref(),
        &common.sandbox,
    )?;
    common.output.write_metrics(|| detector.stats())?;
    let sink = LiveSink::open(
        common.alerts.as_deref(),
        common.post.as_deref(),
        state.section("sink")?.unwrap_or_default(),
        common.output.form(&config.config),
    )?;
    let stop = Stop::install()?;
    let client = fetch::Client::new(
        Duration::from_secs(common.timeout),
        common.retries,
        Duration::from_millis(common.retry_base_ms),
        stop.clone(),
    );
    let mut run =
        Run { api: api.as_ref(), client, detector, sink, file, stop, output: &common.output };
    let key = api.key();
    loop {
        let to = until.unwrap_or_else(|| window::now_ms() - settle);
        let polled = run.poll(&key, since, to, &mut state, &mut marks);
        match polled {
            Ok(()) => {}
            Err(e) if e.is::<fetch::Stopped>() => {}
            Err(e) => {
                // Refused credentials and a broken state end the command; a failed poll in
                // continuous mode is retried at the next interval.
                if interval.is_none() || e.chain().any(|c| c.is::<Usage>()) {
                    run.sink.post();
                    return Err(e);
                }
                eprintln!(
                    "wikiwatch: {}: {e:#}; next poll in {:?}",
                    api.label(),
                    interval.unwrap_or_default()
                );
            }
        }
        run.sink.post();
        let Some(every) = interval else { break };
        if run.stop.requested() {
            break;
        }
        run.stop.sleep(every);
        if run.stop.requested() {
            break;
        }
    }
    if run.stop.requested() {
        let at = marks.get(&key).map_or_else(|| "none".into(), |m| window::show(m.time_ms));
        eprintln!("wikiwatch: {}: stopped; checkpoint {at}", api.label());
    }
    if run.sink.has_pending() {
        let pending = run.sink.counts().pending;
        eprintln!("wikiwatch: {pending} alert(s) kept in the state file for the collector");
    }
    Ok(())
}

/// What one pull works with.
struct Run<'a> {
    api: &'a dyn Api,
    client: fetch::Client,
    detector: Box<dyn Backend>,
    sink: LiveSink,
    file: Option<StateFile>,
    stop: Stop,
    output: &'a crate::output::OutputArgs,
}

/// Counts of one step.
#[derive(Debug, Default)]
struct Fed {
    records: usize,
    seen: usize,
    undated: usize,
    rejected: usize,
    alerts: usize,
}

impl Run<'_> {
    /// One poll: every step of `[max(since, checkpoint), to]`, each fed and saved.
    fn poll(
        &mut self,
        key: &str,
        since: i64,
        to: i64,
        state: &mut LiveState,
        marks: &mut Checkpoints,
    ) -> Result<()> {
        let from = marks.get(key).map_or(since, |m| m.time_ms.max(since));
        let mut total = Fed::default();
        for (a, b) in window::steps(from, to, window::STEP_MS) {
            let Some(records) = self.fetch(a, b)? else {
                return Err(anyhow::Error::new(fetch::Stopped));
            };
            let mut m = marks
                .get(key)
                .cloned()
                .unwrap_or(Checkpoint { time_ms: i64::MIN, ids: Vec::new() });
            let fed = self.feed(records, &mut m)?;
            total.records += fed.records;
            total.seen += fed.seen;
            total.undated += fed.undated;
            total.rejected += fed.rejected;
            total.alerts += fed.alerts;
            if m.time_ms != i64::MIN {
                marks.insert(key.to_string(), m);
            }
            self.save(state, marks)?;
            self.output.write_metrics(|| self.detector.stats())?;
            if self.stop.requested() {
                return Err(anyhow::Error::new(fetch::Stopped));
            }
        }
        let fresh = total.records - total.seen - total.undated;
        let at = marks.get(key).map_or_else(|| "none".into(), |m| window::show(m.time_ms));
        let mut line = format!(
            "wikiwatch: {}: {} to {}: {fresh} new event(s)",
            self.api.label(),
            window::show(from),
            window::show(to)
        );
        if total.seen > 0 {
            line += &format!(", {} seen before", total.seen);
        }
        if total.rejected + total.undated > 0 {
            line += &format!(", {} not usable", total.rejected + total.undated);
        }
        eprintln!("{line}, {} alert(s); checkpoint {at}", total.alerts);
        Ok(())
    }

    /// Every record of one step, or `None` when a stop was asked for before its last page.
    fn fetch(&self, from: i64, to: i64) -> Result<Option<Vec<Value>>> {
        let mut pos: Option<String> = None;
        let mut out = Vec::new();
        for page_no in 1..=MAX_PAGES {
            if self.stop.requested() {
                return Ok(None);
            }
            let (url, query) = self.api.request(from, to, pos.as_deref());
            let body = match self.client.get(self.api, &url, &query) {
                Err(e) if e.is::<fetch::Stopped>() => return Ok(None),
                other => other?,
            };
            let (records, next) = self.api.page(body, pos.as_deref()).map_err(|why| {
                anyhow!("{}: page {page_no} of {url} is not an audit page: {why}", self.api.label())
            })?;
            out.extend(records);
            match next {
                None => return Ok(Some(out)),
                Some(n) if pos.as_deref() == Some(n.as_str()) => {
                    return Err(anyhow!(
                        "{}: {url} gives the same next page again",
                        self.api.label()
                    ))
                }
                Some(n) => pos = Some(n),
            }
        }
        Err(anyhow!(
            "{}: more than {MAX_PAGES} pages between {} and {}",
            self.api.label(),
            window::show(from),
            window::show(to)
        ))
    }

    /// Feeds the records of a step not fed before, oldest first, and writes the alerts.
    fn feed(&mut self, records: Vec<Value>, mark: &mut Checkpoint) -> Result<Fed> {
        let mut fed = Fed { records: records.len(), ..Fed::default() };
        let mut fresh: Vec<(i64, String, Value)> = Vec::with_capacity(records.len());
        let mut in_step = HashSet::new();
        for r in records {
            let Some(t) = self.api.time(&r) else {
                fed.undated += 1;
                continue;
            };
            let id = self.api.id(&r);
            // Offset pages shift when events arrive between two requests: the same record
            // can come back on the next page.
            if !mark.is_new(t, &id) || !in_step.insert(id.clone()) {
                fed.seen += 1;
                continue;
            }
            fresh.push((t, id, r));
        }
        // Stable: records of one millisecond keep their page order, as the core keeps them
        // within one page.
        fresh.sort_by_key(|(t, _, _)| *t);
        let mut buf = Vec::new();
        let mut alerts = Vec::new();
        let mut rejected = Vec::new();
        for chunk in fresh.chunks(BATCH) {
            buf.clear();
            for (_, _, r) in chunk {
                serde_json::to_writer(&mut buf, r).context("cannot encode a record")?;
                buf.push(b'\n');
            }
            self.detector
                .feed_lines(&buf, Format::Audit, &mut alerts, &mut rejected)
                .with_context(|| format!("while processing events of {}", self.api.label()))?;
            fed.rejected += rejected.len();
            if let Some((i, why)) = rejected.first() {
                eprintln!(
                    "wikiwatch: {}: {} record(s) not usable, e.g. #{i}: {why}",
                    self.api.label(),
                    rejected.len()
                );
            }
            rejected.clear();
            fed.alerts += alerts.len();
            self.sink.write(&mut alerts)?;
            for (t, id, _) in chunk {
                mark.advance(*t, id);
            }
        }
        Ok(fed)
    }

    /// Saves detector, checkpoints and sink as one file.
    fn save(&mut self, state: &mut LiveState, marks: &Checkpoints) -> Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        state.detector = Some(self.detector.snapshot()?);
        state.set_section("pull", marks)?;
        state.set_section("sink", &self.sink.state())?;
        file.save(state)
    }
}
