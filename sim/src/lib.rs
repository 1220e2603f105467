//! A deterministic generator of labelled Confluence traffic, for measuring and benchmarking
//! the wikiwatch detector.
//!
//! A scenario is a wiki (spaces, pages, attachments), a population (employees with roles,
//! office and home addresses, browsers, office hours and favourite spaces; admins; anonymous
//! readers of the public space), benign traps that look like scraping, and the attack styles
//! of [`ATTACKS`], each modelled on a real tool. It is rendered day by day in event-time order
//! as a Confluence Data Center access log and/or a combined log, with `truth.json` (the ground
//! truth, [`Truth`]) and `config.json` (the scenario config: identity and allow entries).
//! The same seed and sizes always give byte-identical files.
//!
//! The first nine styles are the default; the quiet styles ([`QUIET`], preset `quiet` of
//! [`PRESETS`]) stay under every fixed per-window threshold of the detector, for measuring
//! per-person baselines over two weeks, with two more benign traps ([`ExtraTrap`]); a corpus
//! can also be written as a two-node cluster ([`Options::nodes`]).
//!
//! [`write()`] writes a corpus to a directory (`wikiwatch simulate`); [`generate`] returns
//! access-log lines in memory (`wikiwatch bench`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attacks;
mod benign;
mod browser;
mod config;
mod crawlers;
mod creep;
mod error;
mod hunters;
mod insiders;
mod model;
mod newcomers;
mod plan;
mod population;
mod presets;
mod quiet;
mod scenario;
mod sinks;
mod slow;
mod traps;
mod truth;
mod wiki;
mod writer;

use std::path::{Path, PathBuf};
use std::rc::Rc;

pub use error::SimError;
pub use plan::{attack_style, AttackStyle, ATTACKS, FIRST_WAVE, QUIET};
pub use presets::{preset, ExtraTrap, Preset, PRESETS};
pub use scenario::MIN_USERS;
pub use sinks::NODE_SKEW;
pub use truth::{AttackTruth, EntityTruth, TrapTruth, Truth};

use scenario::Scenario;

/// Which log formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutFormat {
    /// `confluence-access.log` (Confluence Data Center's default access-log pattern).
    ConfluenceAccess,
    /// `combined.log` (the reverse proxy's nginx/Apache combined log).
    Combined,
    /// Both files, same traffic.
    #[default]
    Both,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seed of the generator (same seed and sizes, byte-identical output).
    pub seed: u64,
    /// Days of traffic (1 to 366), starting Monday 2026-10-05; attacks fall in the second half.
    pub days: u32,
    /// Employees (at least [`MIN_USERS`]; the wiki grows with the population).
    pub users: usize,
    /// Log formats to write.
    pub format: OutFormat,
    /// Attack styles to embed, by [`AttackStyle::id`].
    pub attacks: Vec<u8>,
    /// Optional benign traps to add to the standing four.
    pub traps: Vec<ExtraTrap>,
    /// Cluster nodes (1 or 2). With 2 the logs are written per node
    /// (`confluence-access-node-1.log`, ...) behind a sticky load balancer, node 2's clock
    /// 90 s behind, and the ground truth lists the cluster as a benign trap.
    pub nodes: u32,
}

impl Default for Options {
    /// Seed 1, a week, 150 employees, both formats, the first-wave attack styles (1 to 9), no
    /// optional traps, one node.
    fn default() -> Options {
        Options {
            seed: 1,
            days: 7,
            users: 150,
            format: OutFormat::Both,
            attacks: (1..=FIRST_WAVE).collect(),
            traps: Vec::new(),
            nodes: 1,
        }
    }
}

/// What [`write()`] wrote.
#[derive(Debug, Clone)]
pub struct Report {
    /// The files written, logs first.
    pub files: Vec<PathBuf>,
    /// The ground truth (also in `truth.json`).
    pub truth: Truth,
}

/// Writes a corpus into `dir` (created if missing): the log(s) of `options.format` (per node
/// with `options.nodes` 2), `truth.json` and `config.json`.
pub fn write(dir: &Path, options: &Options) -> Result<Report, SimError> {
    if options.users < MIN_USERS {
        return Err(SimError::invalid("users", format!("must be at least {MIN_USERS}")));
    }
    if !(1..=366).contains(&options.days) {
        return Err(SimError::invalid("days", "must be between 1 and 366"));
    }
    if let Some(bad) = options.attacks.iter().find(|&&a| ATTACKS.iter().all(|s| s.id != a)) {
        let last = ATTACKS.len();
        return Err(SimError::invalid(
            "attacks",
            format!("has no attack number {bad} (attacks are 1 to {last})"),
        ));
    }
    if !(1..=2).contains(&options.nodes) {
        return Err(SimError::invalid("nodes", "must be 1 or 2"));
    }
    std::fs::create_dir_all(dir).map_err(SimError::io(format!("creating {}", dir.display())))?;
    let mut files = Vec::new();
    let mut sinks = sinks::Sinks::open(dir, options.format, options.nodes, &mut files)?;
    let mut scenario =
        Scenario::new(options.seed, options.users, options.days, &options.attacks, &options.traps);
    let cluster = (options.nodes > 1).then(|| {
        scenario.traps.push(traps::Trap {
            name: "cluster",
            description: "every entity: the corpus is written by two nodes behind a sticky load balancer, node-2's clock 90 s behind; events counts node-2's lines",
            user: Rc::from(""),
            users: Vec::new(),
            ips: Vec::new(),
            agent: Rc::from(""),
            allow_listed: false,
        });
        scenario.traps.len() - 1
    });
    let mut recorder = truth::Recorder::default();
    let mut error: Option<std::io::Error> = None;
    scenario.stream(options.days, |e| {
        recorder.record(e);
        match sinks.write(e) {
            Ok(node) => {
                if let (Some(trap), 1) = (cluster, node) {
                    recorder.count_trap(trap);
                }
                true
            }
            Err(err) => {
                error = Some(err);
                false
            }
        }
    });
    if let Some(err) = error {
        return Err(SimError::io("writing logs")(err));
    }
    sinks.flush().map_err(SimError::io("writing logs"))?;
    let truth = recorder.finish(
        options.seed,
        options.days,
        options.users,
        &scenario.plans,
        &scenario.traps,
    );
    write_json(dir, "truth.json", &truth, &mut files)?;
    let config = config::scenario_config(&scenario.people, &scenario.traps);
    write_json(dir, "config.json", &config, &mut files)?;
    Ok(Report { files, truth })
}

/// Writes `value` as pretty JSON and a newline to `dir/name`.
fn write_json(
    dir: &Path,
    name: &str,
    value: &impl serde::Serialize,
    files: &mut Vec<PathBuf>,
) -> Result<(), SimError> {
    let path = dir.join(name);
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::from);
    text.and_then(|text| std::fs::write(&path, text + "\n"))
        .map_err(SimError::io(format!("writing {name}")))?;
    files.push(path);
    Ok(())
}

/// `lines` lines of realistic mixed Confluence Data Center access log (for `wikiwatch bench`):
/// the same kind of scenario as [`write()`] (the first-wave attack styles), extended with
/// more ordinary days until there are enough lines.
pub fn generate(seed: u64, lines: usize) -> Vec<String> {
    if lines == 0 {
        return Vec::new();
    }
    // About 2,500 lines per employee-week: size the population so a week or two is enough.
    let users = (lines / 2_500).clamp(40, 2_000);
    let all: Vec<u8> = (1..=FIRST_WAVE).collect();
    let scenario = Scenario::new(seed, users, 7, &all, &[]);
    let mut out = Vec::with_capacity(lines);
    let mut clock = writer::LogClock::default();
    // Days are rendered lazily, so a generous horizon costs nothing once enough lines exist.
    scenario.stream(36_500, |e| {
        let mut s = String::with_capacity(256);
        writer::confluence_line(&mut s, &mut clock, e, sinks::thread_of(out.len() as u64));
        out.push(s);
        out.len() < lines
    });
    out
}

#[cfg(test)]
mod limits;
#[cfg(test)]
mod quiet_tests;
#[cfg(test)]
mod quiet_traps_tests;
#[cfg(test)]
mod tests;
