//! `wikiwatch follow`: logs followed as they are written (like `tail -F`), through the
//! detector, alerts out as they happen. Positions, the detector and the sink's memory live in
//! one state file, saved at an interval and when asked to stop, so a restart continues where
//! the last run stopped and never repeats an alert.

mod files;
mod status;
mod tail;

use crate::cli::FollowArgs;
use crate::config_file::load_config;
use crate::engine;
use crate::fail::{usage, Unusable};
use crate::input;
use crate::live::signal::Stop;
use crate::live::sink::LiveSink;
use crate::live::state::{LiveState, StateFile};
use crate::summary::Summary;
use anyhow::{Context, Result};
use files::{Files, Pattern};
use serde::{Deserialize, Serialize};
use status::Status;
use std::time::{Duration, Instant};
use tail::{Lines, Position};
use wikiwatch_core::Stats;

/// Follow's part of the state file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct FollowState {
    files: Vec<Position>,
}

/// Runs `wikiwatch follow`.
pub fn run(args: &FollowArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    if specs.iter().any(|s| s.path.is_none()) {
        return Err(usage("follow reads files; for stdin use `wikiwatch replay -`"));
    }
    let patterns =
        specs.iter().map(|s| Pattern { glob: s.label.clone(), format: s.format }).collect();
    let config = load_config(args.config.as_deref())?;
    let (state_file, mut state) = StateFile::open_opt(args.state.as_deref())?;
    let stop = Stop::install()?;
    let mut detector = engine::open_state(
        args.engine,
        &config,
        state.detector.as_deref(),
        args.state.as_deref(),
        &args.sandbox,
    )?;
    let history = match state.detector {
        Some(_) => detector.stats()?,
        None => Stats::default(),
    };
    args.output.write_metrics(|| Ok(history.clone()))?;
    let mut sink = LiveSink::open(
        args.alerts.as_deref(),
        args.post.as_deref(),
        state.section("sink")?.unwrap_or_default(),
        args.output.form(&config.config),
    )?;
    let mut summary = Summary::new(&[], false);
    summary.restored = state.detector.as_ref().map(|_| history.events);
    let mut files = Files::new(patterns);
    let saved: Option<FollowState> = state.section("follow")?;
    if let Some(saved) = &saved {
        files.resume(&saved.files, &mut summary)?;
    }
    let mut from_end = args.from_end && saved.is_none();
    let mut status = Status::new();
    let started = Instant::now();
    let mut last_save = Instant::now();
    let save_every = Duration::from_secs(args.save_every);
    let mut alerts = Vec::new();
    let mut rejected = Vec::new();
    let fed: Result<()> = (|| loop {
        files.scan(from_end, &mut summary)?;
        from_end = false;
        let mut more = false;
        let mut fed_any = false;
        for t in &mut files.tails {
            let mut lines = Lines::default();
            let before = t.offset;
            let n =
                t.read(&mut lines).with_context(|| format!("cannot read {}", t.path.display()))?;
            more |= t.offset - before >= tail::CHUNK as u64 / 2;
            t.idle = if t.offset == before { t.idle + 1 } else { 0 };
            if n == 0 {
                continue;
            }
            detector.feed_lines(&lines.buf, t.format, &mut alerts, &mut rejected).with_context(
                || {
                    format!(
                        "while processing {} lines {}-{}",
                        t.path.display(),
                        lines.line_nos.first().copied().unwrap_or(0),
                        lines.line_nos.last().copied().unwrap_or(0)
                    )
                },
            )?;
            fed_any = true;
            summary.count_lines(t.input, n as u64);
            for (i, reason) in rejected.drain(..) {
                let line = lines.line_nos.get(i as usize).copied().unwrap_or(0);
                summary.reject(t.input, line, &reason);
            }
            sink.write_each(&mut alerts, |a| summary.alert(a))?;
            status.lines(n as u64);
        }
        files.retire();
        if fed_any {
            args.output.write_metrics(|| detector.stats())?;
        }
        sink.post();
        if let (Some(f), true) = (&state_file, last_save.elapsed() >= save_every) {
            save(f, &mut state, detector.as_mut(), &files, &sink)?;
            last_save = Instant::now();
        }
        status.show(&sink, files.behind());
        if stop.requested() || (args.once && !more) {
            return Ok(());
        }
        if !more {
            stop.sleep(Duration::from_millis(args.poll_ms));
        }
    })();
    if let Err(e) = &fed {
        if e.chain().any(|c| c.is::<crate::fail::GuestFailure>()) {
            return fed;
        }
    }
    status.clear();
    if let Some(f) = &state_file {
        save(f, &mut state, detector.as_mut(), &files, &sink)?;
    }
    let stats = detector.stats()?;
    args.output.write_metrics(|| Ok(stats.clone()))?;
    summary.guest_memory = detector.guest_memory();
    let this_run = stats.since(&history);
    let engine_name = format!("follow ({} engine)", args.engine.name());
    eprint!("{}", summary.render(&this_run, &engine_name, started.elapsed()));
    eprint!("{}", sink.render());
    fed?;
    match summary.unusable(&this_run, args.max_skipped) {
        Some(why) => Err(anyhow::Error::new(Unusable(why))),
        None => Ok(()),
    }
}

/// Writes the detector, the positions and the sink's memory as one file.
fn save(
    file: &StateFile,
    state: &mut LiveState,
    detector: &mut dyn crate::backend::Backend,
    files: &Files,
    sink: &LiveSink,
) -> Result<()> {
    state.detector = Some(detector.snapshot()?);
    state.set_section("follow", &FollowState { files: files.positions() })?;
    state.set_section("sink", &sink.state())?;
    file.save(state)
}
