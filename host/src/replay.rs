//! `wikiwatch replay`: inputs (each in time order, see `order.rs`) -> detector in batches ->
//! alerts on stdout or `--alerts`, summary on stderr, optional state file. The summary is
//! printed even when reading stops early, and says how far it got.

use crate::backend::Backend;
use crate::cli::ReplayArgs;
use crate::config_file::load_config;
use crate::engine;
use crate::fail::Unusable;
use crate::input::{self, InputSpec, LineReader};
use crate::merge;
use crate::order;
use crate::output::{AlertOut, Progress};
use crate::state_file;
use crate::summary::Summary;
use anyhow::{Context, Result};
use std::time::Instant;
use wikiwatch_core::{Alert, Format, Stats};

/// Runs `wikiwatch replay`.
pub fn run(args: &ReplayArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = load_config(args.config.as_deref())?;
    if let Some(path) = &args.state {
        state_file::check(path)?;
    }
    let progress = Progress::new(input::total_bytes(&specs));
    let (mut readers, orders) = order::open_all(&specs, &config, &progress)?;
    let state = match &args.state {
        Some(p) => state_file::load(p)?,
        None => None,
    };
    let mut detector = engine::open_state(
        args.engine,
        &config,
        state.as_deref(),
        args.state.as_deref(),
        &args.sandbox,
    )?;
    // A restored engine's counters include earlier runs; the summary shows this run's.
    let history = match state {
        Some(_) => detector.stats()?,
        None => Stats::default(),
    };
    // Written now as well: a path that cannot be written fails before the replay, not after.
    args.output.write_metrics(|| Ok(history.clone()))?;
    let mut out = AlertOut::open(args.alerts.as_deref(), args.output.form(&config.config))?;
    let merged = specs.len() > 1;
    let mut summary = Summary::new(&specs, merged);
    summary.orders = orders;
    summary.restored = state.is_some().then_some(history.events);
    let started = Instant::now();
    let batch = args.batch as usize;
    let fed = if merged {
        merge::replay(
            &specs,
            &mut readers,
            &config,
            detector.as_mut(),
            batch,
            &mut out,
            &mut summary,
            &progress,
        )
    } else {
        match (specs.first(), readers.first_mut()) {
            (Some(spec), Some(reader)) => {
                stream(spec, reader, detector.as_mut(), batch, &mut out, &mut summary, &progress)
            }
            _ => Ok(()),
        }
    };
    // A detector that failed cannot be asked for anything more; a read error still gets the
    // end of the run (summary, state, alerts of what was read) before it is reported.
    if let Err(e) = &fed {
        if e.chain().any(|c| c.is::<crate::fail::GuestFailure>()) {
            return fed;
        }
    }
    let mut alerts = Vec::new();
    detector.finish(&mut alerts).context("at the end of input")?;
    out.write(&mut alerts, &mut summary)?;
    let stats = detector.stats()?;
    args.output.write_metrics(|| Ok(stats.clone()))?;
    if let Some(path) = &args.stats {
        let json = serde_json::to_string_pretty(&stats)? + "\n";
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.state {
        state_file::save(path, &detector.snapshot()?)?;
    }
    out.finish()?;
    progress.done();
    summary.guest_memory = detector.guest_memory();
    let this_run = stats.since(&history);
    eprint!(
        "{}",
        summary.render(
            &this_run,
            &format!("replay ({} engine)", args.engine.name()),
            started.elapsed()
        )
    );
    fed?;
    match summary.unusable(&this_run, args.max_skipped) {
        Some(why) => Err(anyhow::Error::new(Unusable(why))),
        None => Ok(()),
    }
}

/// One input: lines go to the detector as they are, in batches of `batch` lines.
fn stream(
    spec: &InputSpec,
    reader: &mut LineReader,
    detector: &mut dyn Backend,
    batch: usize,
    out: &mut AlertOut,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(batch * 256);
    let mut line_nos: Vec<u64> = Vec::with_capacity(batch);
    let mut alerts = Vec::new();
    let mut rejected = Vec::new();
    let result = loop {
        let line = match reader.next_line() {
            Ok(line) => line,
            Err(e) => {
                break Err(anyhow::Error::new(e)
                    .context(format!("cannot read {} after line {}", spec.label, reader.line_no)))
            }
        };
        let end = line.is_none();
        if let Some((line_no, line)) = line {
            buf.extend_from_slice(line);
            buf.push(b'\n');
            line_nos.push(line_no);
        }
        if line_nos.len() >= batch || (end && !line_nos.is_empty()) {
            feed(spec, spec.format, detector, &buf, &line_nos, &mut alerts, &mut rejected)?;
            for (i, reason) in rejected.drain(..) {
                let line = line_nos.get(i as usize).copied().unwrap_or(0);
                summary.reject(0, line, &reason);
            }
            out.write(&mut alerts, summary)?;
            buf.clear();
            line_nos.clear();
            progress.tick();
        }
        if end {
            break Ok(());
        }
    };
    if let Some(c) = summary.inputs.first_mut() {
        c.lines = reader.lines;
    }
    if result.is_err() && !line_nos.is_empty() {
        // What was read before the failure still counts.
        feed(spec, spec.format, detector, &buf, &line_nos, &mut alerts, &mut rejected)?;
        out.write(&mut alerts, summary)?;
    }
    result
}

/// Feeds one batch; a failure names the input and its line range.
fn feed(
    spec: &InputSpec,
    format: Format,
    detector: &mut dyn Backend,
    buf: &[u8],
    line_nos: &[u64],
    alerts: &mut Vec<Alert>,
    rejected: &mut Vec<(u32, String)>,
) -> Result<()> {
    detector.feed_lines(buf, format, alerts, rejected).with_context(|| {
        format!(
            "while processing {} lines {}-{}",
            spec.label,
            line_nos.first().copied().unwrap_or(0),
            line_nos.last().copied().unwrap_or(0)
        )
    })
}
