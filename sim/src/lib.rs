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
//! [`write()`] writes a corpus to a directory (`wikiwatch simulate`); [`generate`] returns
//! access-log lines in memory (`wikiwatch bench`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod attacks;
mod benign;
mod browser;
mod config;
mod crawlers;
mod error;
mod hunters;
mod insiders;
mod model;
mod plan;
mod population;
mod scenario;
mod traps;
mod truth;
mod wiki;
mod writer;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

pub use error::SimError;
pub use plan::{attack_style, AttackStyle, ATTACKS};
pub use scenario::MIN_USERS;
pub use truth::{AttackTruth, TrapTruth, Truth};

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
}

impl Default for Options {
    /// Seed 1, a week, 150 employees, both formats, every attack style.
    fn default() -> Options {
        Options {
            seed: 1,
            days: 7,
            users: 150,
            format: OutFormat::Both,
            attacks: ATTACKS.iter().map(|a| a.id).collect(),
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

/// Writes a corpus into `dir` (created if missing): the log(s) of `options.format`,
/// `truth.json` and `config.json`.
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
    std::fs::create_dir_all(dir).map_err(SimError::io(format!("creating {}", dir.display())))?;
    let mut files = Vec::new();
    let mut open = |name: &str| -> Result<BufWriter<File>, SimError> {
        let path = dir.join(name);
        let file =
            File::create(&path).map_err(SimError::io(format!("creating {}", path.display())))?;
        files.push(path);
        Ok(BufWriter::new(file))
    };
    let mut access = match options.format {
        OutFormat::ConfluenceAccess | OutFormat::Both => Some(open("confluence-access.log")?),
        OutFormat::Combined => None,
    };
    let mut combined = match options.format {
        OutFormat::Combined | OutFormat::Both => Some(open("combined.log")?),
        OutFormat::ConfluenceAccess => None,
    };
    let scenario = Scenario::new(options.seed, options.users, options.days, &options.attacks);
    let mut recorder = truth::Recorder::default();
    let (mut c1, mut c2) = (writer::LogClock::default(), writer::LogClock::default());
    let mut line = String::with_capacity(512);
    let mut error: Option<std::io::Error> = None;
    scenario.stream(options.days, |e| {
        let thread = thread_of(recorder.lines());
        recorder.record(e);
        let mut result = Ok(());
        if let Some(w) = access.as_mut() {
            line.clear();
            writer::confluence_line(&mut line, &mut c1, e, thread);
            line.push('\n');
            result = result.and_then(|_| w.write_all(line.as_bytes()));
        }
        if let Some(w) = combined.as_mut() {
            line.clear();
            writer::combined_line(&mut line, &mut c2, e);
            line.push('\n');
            result = result.and_then(|_| w.write_all(line.as_bytes()));
        }
        match result {
            Ok(()) => true,
            Err(err) => {
                error = Some(err);
                false
            }
        }
    });
    if let Some(err) = error {
        return Err(SimError::io("writing logs")(err));
    }
    for w in [access.as_mut(), combined.as_mut()].into_iter().flatten() {
        w.flush().map_err(SimError::io("writing logs"))?;
    }
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

/// Tomcat worker thread of the n-th request (spread like a busy connector's pool).
fn thread_of(n: u64) -> u32 {
    (n.wrapping_mul(37) % 200) as u32 + 1
}

/// `lines` lines of realistic mixed Confluence Data Center access log (for `wikiwatch bench`):
/// the same kind of scenario as [`write()`] (every attack style in the first week), extended with
/// more ordinary days until there are enough lines.
pub fn generate(seed: u64, lines: usize) -> Vec<String> {
    if lines == 0 {
        return Vec::new();
    }
    // About 2,500 lines per employee-week: size the population so a week or two is enough.
    let users = (lines / 2_500).clamp(40, 2_000);
    let all: Vec<u8> = ATTACKS.iter().map(|a| a.id).collect();
    let scenario = Scenario::new(seed, users, 7, &all);
    let mut out = Vec::with_capacity(lines);
    let mut clock = writer::LogClock::default();
    // Days are rendered lazily, so a generous horizon costs nothing once enough lines exist.
    scenario.stream(36_500, |e| {
        let mut s = String::with_capacity(256);
        writer::confluence_line(&mut s, &mut clock, e, thread_of(out.len() as u64));
        out.push(s);
        out.len() < lines
    });
    out
}

#[cfg(test)]
mod tests;
