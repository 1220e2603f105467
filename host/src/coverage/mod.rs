//! `wikiwatch coverage`: what the logs can show. The inputs are read as `replay` reads them
//! (each file in time order, all merged by event time) and every event goes to the report
//! crate's coverage ([`wikiwatch_report::coverage`], shared with the browser), which counts and
//! judges; this module reads, checks the clock of stdin, prints (`render.rs`) and sets the
//! exit code.

pub mod args;
mod render;

use crate::config_file::load_config;
use crate::fail::Uncovered;
use crate::input;
use crate::merge;
use crate::order::{self, ClockCheck};
use crate::output::Progress;
use crate::summary::Summary;
use anyhow::{Context as _, Result};
use args::CoverageArgs;
use wikiwatch_report::coverage::{Coverage, InputRead};

/// Runs `wikiwatch coverage`.
pub fn run(args: &CoverageArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = load_config(args.config.as_deref())?;
    let progress = Progress::new(None);
    let (mut readers, mut orders) = order::open_all(&specs, &config, &progress)?;
    let mut coverage = Coverage::new(config.config.clone(), specs.len()).context("config")?;
    let mut summary = Summary::new(&specs, true);
    let limits = &config.config.limits;
    let (late_ms, ahead_ms) = (limits.late_tolerance.as_ms(), limits.ahead_tolerance.as_ms());
    // Stdin is not pre-read, and it is never sorted: its events come in the order written.
    let mut stdin_clock = ClockCheck::default();
    let read_failure =
        merge::for_each_event(&specs, &mut readers, &config, &mut summary, &mut |i, _, ev, _| {
            coverage.event(i, &ev);
            if specs[i].path.is_none() {
                stdin_clock.observe(ev.time_ms, late_ms, ahead_ms);
            }
            Ok(())
        })?;
    progress.done();
    if let Some(e) = read_failure {
        return Err(e);
    }
    if let Some(i) = specs.iter().position(|s| s.path.is_none()) {
        orders[i].clock = stdin_clock;
    }
    let read: Vec<InputRead> = specs
        .iter()
        .zip(&summary.inputs)
        .zip(orders)
        .map(|((spec, count), order)| InputRead {
            label: spec.label.clone(),
            format: spec.format.as_str(),
            lines: count.lines,
            events: count.events,
            rejected: count.rejected,
            clock: order.clock,
        })
        .collect();
    let report = coverage.finish(&read, i64::from(args.gap));
    let text = if args.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        render::text(&report)
    };
    crate::fail::out(&text)?;
    if report.ok {
        Ok(())
    } else {
        Err(anyhow::Error::new(Uncovered(format!(
            "coverage: not covered but needed by an enabled rule: {}",
            report.uncovered.join(", ")
        ))))
    }
}
