//! `wikiwatch coverage`: what the logs can show. The inputs are read as `replay` reads them
//! (each file in time order, all merged by event time) and every event goes through the core,
//! whose decoders, classifier and identity say what it is; this module counts and judges:
//! `tally.rs` counts, `facets.rs` gives each AN1019 facet its verdicts, `advice.rs` holds the
//! Confluence settings to change, `render.rs` prints.

pub mod advice;
pub mod args;
mod facets;
mod render;
mod report;
mod tally;

use crate::config_file::load_config;
use crate::fail::Uncovered;
use crate::input;
use crate::merge;
use crate::order::{self, ClockCheck};
use crate::output::Progress;
use crate::summary::Summary;
use anyhow::{Context as _, Result};
use args::CoverageArgs;
use report::{Gap, Input, Report};
use tally::Tally;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::{describe_state, Alert, Config, Engine};

/// Runs `wikiwatch coverage`.
pub fn run(args: &CoverageArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = load_config(args.config.as_deref())?;
    let progress = Progress::new(None);
    let (mut readers, mut orders) = order::open_all(&specs, &config, &progress)?;
    let mut engine = Engine::new(config.config.clone()).context("config")?;
    let mut tally = Tally::new(specs.len());
    let mut summary = Summary::new(&specs, true);
    let limits = &config.config.limits;
    let (late_ms, ahead_ms) = (limits.late_tolerance.as_ms(), limits.ahead_tolerance.as_ms());
    // Stdin is not pre-read, and it is never sorted: its events come in the order written.
    let mut stdin_clock = ClockCheck::default();
    let read_failure =
        merge::for_each_event(&specs, &mut readers, &config, &mut summary, &mut |i, _, ev, _| {
            let outcome = engine.push_event(&ev, &mut |_: Alert| {});
            tally.add(i, &ev, &outcome);
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
    let inputs: Vec<Input> = specs
        .iter()
        .zip(&summary.inputs)
        .zip(&orders)
        .zip(&tally.sources)
        .map(|(((spec, count), order), time)| Input {
            input: spec.label.clone(),
            format: spec.format.as_str(),
            lines: count.lines,
            events: count.events,
            rejected: count.rejected,
            first: time.first.map(format_time),
            last: time.last.map(format_time),
            out_of_order: order.clock.out_of_order,
            future: order.clock.future,
            gaps: time
                .gaps(i64::from(args.gap))
                .into_iter()
                .map(|(from, to)| Gap {
                    from: format_time(from),
                    to: format_time(to),
                    hours: (to - from) / 3_600_000,
                })
                .collect(),
        })
        .collect();
    let ctx =
        facets::Context { config: &config.config, privileged: privileged(&config.config, &engine) };
    let facets = facets::facets(&tally, &inputs, &ctx);
    let uncovered: Vec<String> = facets
        .iter()
        .flat_map(|f| {
            f.checks
                .iter()
                .filter(|c| !c.needed_by.is_empty() && c.verdict != report::Verdict::Covered)
                .map(move |c| format!("{}/{}", f.facet, c.check))
        })
        .collect();
    let report = Report {
        inputs,
        events: tally.events,
        first: tally.all.first.map(format_time),
        last: tally.all.last.map(format_time),
        days: (facets::span_days(&tally) * 10.0).round() / 10.0,
        ok: uncovered.is_empty(),
        uncovered,
        facets,
    };
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

/// Privileged accounts: configured (the user or their role), then learned from audit grants.
fn privileged(config: &Config, engine: &Engine) -> Vec<(String, &'static str)> {
    let id = &config.identity;
    let mut out: Vec<(String, &'static str)> = id
        .users
        .keys()
        .filter(|login| id.is_privileged(login))
        .map(|login| (login.clone(), "config"))
        .collect();
    if let Ok(state) = describe_state(&engine.snapshot()) {
        for u in state.users.into_iter().filter(|u| u.privileged_by_audit) {
            if !out.iter().any(|(l, _)| *l == u.user) {
                out.push((u.user, "audit"));
            }
        }
    }
    out
}
