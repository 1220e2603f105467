//! `wikiwatch simulate`: a deterministic generator of labelled Confluence traffic.
//!
//! A scenario is a wiki (spaces, pages, attachments), a population (employees with roles,
//! office and home addresses, browsers, office hours and favourite spaces; admins; anonymous
//! readers of the public space), benign traps that look like scraping, and the nine attacks
//! of issue 4, each modelled on a real tool. It is rendered day by day in event-time order as
//! a Confluence Data Center access log and/or a combined log, with `truth.json` (the ground
//! truth) and `config.json` (the scenario config: identity and allow entries).
//! The same seed and sizes always give byte-identical files.

mod attacks;
mod benign;
mod browser;
mod config;
mod crawlers;
mod hunters;
mod insiders;
mod model;
mod population;
mod scenario;
mod traps;
pub mod truth;
mod wiki;
mod writer;

use anyhow::{bail, Context};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use scenario::{Scenario, MIN_USERS};

/// Which log formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// `confluence-access.log` (Confluence Data Center's default access-log pattern).
    ConfluenceAccess,
    /// `combined.log` (the reverse proxy's nginx/Apache combined log).
    Combined,
    /// Both files, same traffic.
    Both,
}

/// Arguments of `wikiwatch simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// Seed of the generator (same seed and sizes, byte-identical output).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Days of traffic, starting Monday 2026-10-05 (attacks fall in the second half).
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Employees (at least 12; the wiki grows with the population).
    #[arg(long, default_value_t = 150)]
    pub users: usize,
    /// Directory for the logs, truth.json and config.json (created if missing).
    #[arg(long, default_value = "simulated")]
    pub out: PathBuf,
    /// Log formats to write.
    #[arg(long, value_enum, default_value = "both")]
    pub format: OutFormat,
    /// Attacks to embed, by number (comma-separated; default all nine).
    #[arg(long, value_delimiter = ',', default_value = "1,2,3,4,5,6,7,8,9")]
    pub attacks: Vec<u8>,
}

/// Runs the subcommand.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    if args.users < MIN_USERS {
        bail!("--users must be at least {MIN_USERS}");
    }
    if !(1..=366).contains(&args.days) {
        bail!("--days must be between 1 and 366");
    }
    if let Some(bad) = args.attacks.iter().find(|a| !(1..=9).contains(*a)) {
        bail!("--attacks: no attack number {bad} (attacks are 1 to 9)");
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let open = |name: &str| -> anyhow::Result<BufWriter<File>> {
        let path = args.out.join(name);
        Ok(BufWriter::new(
            File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        ))
    };
    let mut access = match args.format {
        OutFormat::ConfluenceAccess | OutFormat::Both => Some(open("confluence-access.log")?),
        OutFormat::Combined => None,
    };
    let mut combined = match args.format {
        OutFormat::Combined | OutFormat::Both => Some(open("combined.log")?),
        OutFormat::ConfluenceAccess => None,
    };
    let scenario = Scenario::new(args.seed, args.users, args.days, &args.attacks);
    let mut recorder = truth::Recorder::default();
    let (mut c1, mut c2) = (writer::LogClock::default(), writer::LogClock::default());
    let mut line = String::with_capacity(512);
    let mut error: Option<std::io::Error> = None;
    scenario.stream(args.days, |e| {
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
        return Err(err).context("writing logs");
    }
    for w in [access.as_mut(), combined.as_mut()].into_iter().flatten() {
        w.flush().context("writing logs")?;
    }
    let truth = recorder.finish(args.seed, args.days, args.users, &scenario.plans, &scenario.traps);
    let text = serde_json::to_string_pretty(&truth)?;
    std::fs::write(args.out.join("truth.json"), text + "\n").context("writing truth.json")?;
    let config = config::scenario_config(&scenario.people, &scenario.traps);
    let text = serde_json::to_string_pretty(&config)?;
    std::fs::write(args.out.join("config.json"), text + "\n").context("writing config.json")?;
    eprintln!(
        "simulate: {} lines over {} days, {} attacks, {} benign traps -> {}",
        truth.lines,
        args.days,
        truth.attacks.len(),
        truth.benign_traps.len(),
        args.out.display()
    );
    Ok(())
}

/// Tomcat worker thread of the n-th request (spread like a busy connector's pool).
fn thread_of(n: u64) -> u32 {
    (n.wrapping_mul(37) % 200) as u32 + 1
}

/// `lines` lines of realistic mixed Confluence Data Center access log (for `bench`):
/// the same scenario as `simulate` (all attacks in the first week), extended with more
/// ordinary days until there are enough lines.
pub fn generate(seed: u64, lines: usize) -> Vec<String> {
    if lines == 0 {
        return Vec::new();
    }
    // About 2,500 lines per employee-week: size the population so a week or two is enough.
    let users = (lines / 2_500).clamp(40, 2_000);
    let scenario = Scenario::new(seed, users, 7, &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
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
