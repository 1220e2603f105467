//! What the logs can show (`wikiwatch coverage`, and the browser's "Log coverage"). Every
//! event goes through the core, whose decoders, classifier and identity say what it is; this
//! counts and judges: `tally.rs` counts, `facets.rs` gives each AN1019 facet its verdicts,
//! `advice.rs` holds the Confluence settings to change, `clock.rs` judges each source's clock,
//! `report.rs` is the report. Hosts read the inputs, merge them by event time and hand every
//! event to [`Coverage::event`], then [`Coverage::finish`] with what they read.

pub mod advice;
pub mod clock;
mod facets;
pub mod report;
mod tally;

pub use clock::ClockCheck;
pub use report::{Check, Facet, Gap, Input, Report, Verdict};

use tally::Tally;
use wikiwatch_core::alert::format_time;
use wikiwatch_core::{describe_state, AccessEvent, Alert, Config, ConfigError, Engine};

/// What a host read from one input.
#[derive(Debug, Clone)]
pub struct InputRead {
    /// The input as the user named it.
    pub label: String,
    /// The format asked for (`auto` when each input sniffs its own).
    pub format: &'static str,
    /// Non-blank lines read.
    pub lines: u64,
    /// Events decoded.
    pub events: u64,
    /// Lines the decoder rejected.
    pub rejected: u64,
    /// Its events in the order written, judged by the event clock.
    pub clock: ClockCheck,
}

/// The coverage of one set of inputs, fed event by event in merged order.
#[derive(Debug)]
pub struct Coverage {
    engine: Engine,
    tally: Tally,
}

impl Coverage {
    /// Coverage under `config` of `inputs` inputs.
    pub fn new(config: Config, inputs: usize) -> Result<Coverage, ConfigError> {
        Ok(Coverage { engine: Engine::new(config)?, tally: Tally::new(inputs) })
    }

    /// One event of input `input`, in merged order.
    pub fn event(&mut self, input: usize, ev: &AccessEvent<'_>) {
        let outcome = self.engine.push_event(ev, &mut |_: Alert| {});
        self.tally.add(input, ev, &outcome);
    }

    /// The report, with gaps of at least `gap_hours` hours.
    pub fn finish(self, read: &[InputRead], gap_hours: i64) -> Report {
        let Coverage { engine, tally } = self;
        let inputs: Vec<Input> = read
            .iter()
            .zip(&tally.sources)
            .map(|(r, time)| Input {
                input: r.label.clone(),
                format: r.format,
                lines: r.lines,
                events: r.events,
                rejected: r.rejected,
                first: time.first.map(format_time),
                last: time.last.map(format_time),
                out_of_order: r.clock.out_of_order,
                future: r.clock.future,
                gaps: time
                    .gaps(gap_hours)
                    .into_iter()
                    .map(|(from, to)| Gap {
                        from: format_time(from),
                        to: format_time(to),
                        hours: (to - from) / 3_600_000,
                    })
                    .collect(),
            })
            .collect();
        let config = engine.config();
        let ctx = facets::Context { config, privileged: privileged(config, &engine) };
        let facets = facets::facets(&tally, &inputs, &ctx);
        let uncovered: Vec<String> = facets
            .iter()
            .flat_map(|f| {
                f.checks
                    .iter()
                    .filter(|c| !c.needed_by.is_empty() && c.verdict != Verdict::Covered)
                    .map(move |c| format!("{}/{}", f.facet, c.check))
            })
            .collect();
        Report {
            inputs,
            events: tally.events,
            first: tally.all.first.map(format_time),
            last: tally.all.last.map(format_time),
            days: (facets::span_days(&tally) * 10.0).round() / 10.0,
            ok: uncovered.is_empty(),
            uncovered,
            facets,
        }
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
