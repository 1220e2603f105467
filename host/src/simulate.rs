//! `wikiwatch simulate`: the command line of the traffic generator (crate `wikiwatch-sim`).

use crate::fail;
use std::path::PathBuf;
use wikiwatch_sim::{OutFormat, SimError, ATTACKS};

/// Which log formats to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
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
    pub format: FormatArg,
    /// Attacks to embed, by number or name (comma-separated; default all nine).
    #[arg(long, value_delimiter = ',', default_value = "1,2,3,4,5,6,7,8,9", value_parser = attack)]
    pub attacks: Vec<u8>,
}

/// Number of the attack style named or numbered `s`.
fn attack(s: &str) -> Result<u8, String> {
    wikiwatch_sim::attack_style(s).map(|a| a.id).ok_or_else(|| {
        let names: Vec<&str> = ATTACKS.iter().map(|a| a.name).collect();
        format!("no attack `{s}` (1 to {}, or one of {})", ATTACKS.len(), names.join(", "))
    })
}

/// The `--help` text after the options: the attack styles and examples.
pub fn after_help() -> String {
    let mut text = String::from("Attacks (number, name, modelled on):\n");
    for a in &ATTACKS {
        text.push_str(&format!("  {} {:<20} {}\n", a.id, a.name, a.model));
    }
    text.push_str(
        "\nExamples:\n  wikiwatch simulate --out corpus\n  \
         wikiwatch simulate --seed 7 --days 1 --users 12 --attacks 1,2,4,5,8,9 --out DIR\n  \
         wikiwatch simulate --days 14 --attacks rest-crawl,slow-and-low --format combined",
    );
    text
}

/// Runs the subcommand.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let options = wikiwatch_sim::Options {
        seed: args.seed,
        days: args.days,
        users: args.users,
        format: match args.format {
            FormatArg::ConfluenceAccess => OutFormat::ConfluenceAccess,
            FormatArg::Combined => OutFormat::Combined,
            FormatArg::Both => OutFormat::Both,
        },
        attacks: args.attacks.clone(),
    };
    let report = wikiwatch_sim::write(&args.out, &options).map_err(|e| match e {
        SimError::InvalidOption { option, problem } => fail::usage(format!("--{option} {problem}")),
        other => anyhow::Error::new(other),
    })?;
    let truth = &report.truth;
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
