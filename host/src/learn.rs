//! `wikiwatch learn`: baselines from history, without alerts. The inputs are read twice: once
//! to find where they end (the largest time of the core's event clock, so one bad timestamp
//! cannot move the end), then the events of the last `--days` before that end are merged by
//! event time and fed to a fresh detector exactly as `replay` would feed them. The detector's
//! state is therefore the state a replay of the same events leaves (cooldowns and incidents
//! included): a later run from it raises exactly the alerts one replay of the history and the
//! later logs would raise after the history. Alerts are counted in the state and not written.

use crate::backend::Backend;
use crate::cli::LearnArgs;
use crate::config_file::{load_config, LoadedConfig};
use crate::engine;
use crate::fail::usage;
use crate::input::{self, InputSpec};
use crate::merge;
use crate::order;
use crate::output::Progress;
use crate::state_file;
use crate::state_show;
use crate::summary::Summary;
use anyhow::{Context, Result};
use std::time::Instant;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::clock::Clock;
use wikiwatch_core::{describe_state, AccessEvent, TimeMs};

const DAY_MS: i64 = 86_400_000;
/// Events per call into the detector.
const BATCH: usize = 4096;

/// Runs `wikiwatch learn`.
pub fn run(args: &LearnArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    if specs.iter().any(|s| s.path.is_none()) {
        return Err(usage(
            "learn reads its inputs twice (first to find where the last --days begin): \
             give files, not `-`",
        ));
    }
    let config = load_config(args.config.as_deref())?;
    let shown = args.state.display();
    state_file::check(&args.state)?;
    if args.state.exists() && !args.force {
        return Err(usage(format!(
            "--state {shown}: exists; learn writes a new state from the history it reads \
             (--force replaces it, `replay --state` continues it)"
        )));
    }
    let started = Instant::now();
    let progress = Progress::new(input::total_bytes(&specs).map(|b| 2 * b));
    let Some(end) = input_end(&specs, &config, &progress)? else {
        return Err(usage("learn: the inputs hold no event"));
    };
    let cut = end.saturating_sub(i64::from(args.days) * DAY_MS);

    let (mut readers, orders) = order::open_all(&specs, &config, &progress)?;
    let mut detector = engine::open(args.engine, &config, None, &args.sandbox)?;
    let mut summary = Summary::new(&specs, true);
    summary.orders = orders;
    let mut batch: Vec<AccessEvent<'static>> = Vec::with_capacity(BATCH);
    let mut alerts = Vec::new();
    let mut older = 0u64;
    let failed =
        merge::for_each_event(&specs, &mut readers, &config, &mut summary, &mut |_, _, ev, _| {
            if ev.time_ms < cut {
                older += 1;
                return Ok(());
            }
            batch.push(ev);
            if batch.len() >= BATCH {
                feed(detector.as_mut(), &mut batch, &mut alerts)?;
                progress.tick();
            }
            Ok(())
        })?;
    feed(detector.as_mut(), &mut batch, &mut alerts)?;
    detector.finish(&mut alerts).context("at the end of input")?;
    progress.done();
    if let Some(e) = failed {
        // A baseline from part of the history would pass for the whole: nothing is saved.
        return Err(e.context(format!("--state {shown}: not written")));
    }
    let snapshot = detector.snapshot()?;
    state_file::save(&args.state, &snapshot)?;
    let learned = describe_state(&snapshot).context("the state just written")?;
    let identity = Some(&config.config.identity);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&state_show::to_json(&learned, identity))?);
    } else {
        print!("{}", state_show::render(&learned, identity));
    }
    let stats = detector.stats()?;
    let rejected: u64 = summary.inputs.iter().map(|c| c.rejected).sum();
    eprintln!(
        "learn ({} engine): {} events from {} to {} learned into {shown}; {older} older events \
         skipped; {rejected} lines rejected; {} alerts not raised; {:.1}s",
        args.engine.name(),
        stats.events,
        format_time(cut),
        format_time(end),
        stats.alerts,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Where the inputs end: the largest time the core's event clock reaches over them, merged.
fn input_end(
    specs: &[InputSpec],
    config: &LoadedConfig,
    progress: &Progress,
) -> Result<Option<TimeMs>> {
    let (mut readers, _) = order::open_all(specs, config, progress)?;
    let limits = &config.config.limits;
    let (late, ahead) = (limits.late_tolerance.as_ms(), limits.ahead_tolerance.as_ms());
    let mut clock = Clock::default();
    let mut end = None;
    let mut summary = Summary::new(specs, true);
    let failed =
        merge::for_each_event(specs, &mut readers, config, &mut summary, &mut |_, _, ev, _| {
            clock.observe(ev.time_ms, late, ahead);
            end = end.max(clock.now());
            Ok(())
        })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(end),
    }
}

fn feed(
    detector: &mut dyn Backend,
    batch: &mut Vec<AccessEvent<'static>>,
    alerts: &mut Vec<wikiwatch_core::Alert>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    detector.feed_events(batch, alerts).context("while learning")?;
    batch.clear();
    alerts.clear();
    Ok(())
}
