//! `wikiwatch simulate`: the command line of the traffic generator (crate `wikiwatch-sim`).

use crate::fail;
use std::path::PathBuf;
use wikiwatch_sim::{ExtraTrap, OutFormat, SimError, ATTACKS, PRESETS};

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
    /// Days of traffic, starting Monday 2026-10-05 (attacks fall in the second half; the quiet
    /// scenario's in the last week, so give it --days 14).
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
    /// What to embed: `classic` (attacks 1-9) or `quiet` (attacks 10-16 and the new-hire and
    /// release-day traps); --attacks and --traps override its parts.
    #[arg(long, default_value = "classic", value_parser = scenario)]
    pub scenario: String,
    /// Attacks to embed, by number or name (comma-separated; default: the scenario's).
    #[arg(long, value_delimiter = ',', value_parser = attack)]
    pub attacks: Option<Vec<u8>>,
    /// Optional benign traps (comma-separated: new-hire, release-day, or none; default: the
    /// scenario's).
    #[arg(long, value_delimiter = ',', value_parser = trap)]
    pub traps: Option<Vec<Option<ExtraTrap>>>,
    /// Cluster nodes: 2 writes each log per node (node-2's clock 90 s behind, sticky load
    /// balancing) and lists the cluster as a benign trap.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub nodes: u32,
}

/// The preset named `s`.
fn scenario(s: &str) -> Result<String, String> {
    wikiwatch_sim::preset(s).map(|p| p.name.to_string()).ok_or_else(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!("no scenario `{s}` (one of {})", names.join(", "))
    })
}

/// The optional trap named `s` (`None` for `none`).
fn trap(s: &str) -> Result<Option<ExtraTrap>, String> {
    if s.trim() == "none" {
        return Ok(None);
    }
    ExtraTrap::from_name(s).map(Some).ok_or_else(|| {
        let names: Vec<&str> = ExtraTrap::ALL.iter().map(|t| t.name()).collect();
        format!("no trap `{s}` (one of {}, or none)", names.join(", "))
    })
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
        text.push_str(&format!("  {:>2} {:<27} {}\n", a.id, a.name, a.model));
    }
    text.push_str("\nOptional benign traps (--traps):\n");
    for t in ExtraTrap::ALL {
        text.push_str(&format!("  {:<12} {}\n", t.name(), t.description()));
    }
    text.push_str("\nScenarios (--scenario):\n");
    for p in &PRESETS {
        text.push_str(&format!("  {:<8} {}\n", p.name, p.description));
    }
    text.push_str(
        "\nExamples:\n  wikiwatch simulate --out corpus\n  \
         wikiwatch simulate --seed 7 --days 1 --users 12 --attacks 1,2,4,5,8,9 --out DIR\n  \
         wikiwatch simulate --days 14 --attacks rest-crawl,slow-and-low --format combined\n  \
         wikiwatch simulate --scenario quiet --days 14 --out DIR\n  \
         wikiwatch simulate --scenario quiet --days 14 --nodes 2 --format confluence-access --out DIR",
    );
    text
}

/// Runs the subcommand.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let preset = wikiwatch_sim::preset(&args.scenario).unwrap_or(&PRESETS[0]);
    let options = wikiwatch_sim::Options {
        seed: args.seed,
        days: args.days,
        users: args.users,
        format: match args.format {
            FormatArg::ConfluenceAccess => OutFormat::ConfluenceAccess,
            FormatArg::Combined => OutFormat::Combined,
            FormatArg::Both => OutFormat::Both,
        },
        attacks: args.attacks.clone().unwrap_or_else(|| preset.attacks.to_vec()),
        traps: match &args.traps {
            Some(traps) => traps.iter().flatten().copied().collect(),
            None => preset.traps.to_vec(),
        },
        nodes: args.nodes,
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
