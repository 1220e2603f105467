//! Command-line interface (clap derive). The help texts are the user documentation.

use crate::simulate::SimulateArgs;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Detects Confluence scraping (MITRE ATT&CK AN1019, T1213.001) in access and audit logs.
///
/// The detector is a WebAssembly component embedded in this binary and run in wasmtime with
/// no filesystem, network, clock or environment, under memory and time limits.
///
/// Exit codes: 0 ok; 1 I/O error (unreadable input, cannot write output); 2 usage or config
/// error; 3 the detector component failed (trap, out of fuel or time, memory limit); 4 the
/// replay finished but more of its input than `--max-skipped` allows could not be used
/// (rejected lines, events skipped as late or out of range). `pull` exits 2 when the API refuses
/// the credentials (401, 403) and 1 when the API cannot be read after its retries. 5: `coverage`
/// found a check an enabled rule needs not covered.
#[derive(Debug, Parser)]
#[command(name = "wikiwatch", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replays logs through the detector: alerts as JSON Lines, a summary on stderr.
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Follows logs as they are written (like `tail -F`): alerts as they happen.
    #[command(after_help = FOLLOW_EXAMPLES)]
    Follow(FollowArgs),
    /// What one user, address or session read, searched, exported and downloaded.
    #[command(after_help = SCOPE_EXAMPLES)]
    Scope(ScopeArgs),
    /// Incidents, the busiest entities, and what one entity read, exported and downloaded
    /// (exposure report), as JSON and self-contained HTML.
    #[command(after_help = crate::report::args::EXAMPLES)]
    Report(crate::report::args::ReportArgs),
    /// Validates a config file and prints the effective thresholds per rule.
    #[command(after_help = "Example:\n  wikiwatch check-config examples/config.json")]
    CheckConfig(CheckConfigArgs),
    /// Replays the same input natively and through the component; prints lines/s of each.
    #[command(
        after_help = "Examples:\n  wikiwatch bench                  # 1,000,000 generated lines\n  wikiwatch bench --lines 200000\n  wikiwatch bench access.log"
    )]
    Bench(BenchArgs),
    /// Generates labelled synthetic Confluence traffic.
    #[command(after_help = crate::simulate::after_help())]
    Simulate(SimulateArgs),
    /// Pulls Confluence Cloud audit events (organization or site audit log) through the detector.
    #[command(after_help = crate::pull::args::EXAMPLES)]
    Pull(crate::pull::args::PullArgs),
    /// What the logs can show: each AN1019 facet covered, partial or missing, with the
    /// evidence and the Confluence setting to change.
    #[command(after_help = crate::coverage::args::EXAMPLES)]
    Coverage(crate::coverage::args::CoverageArgs),
    /// Prints a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Prints the manual page (roff), generated from the same definitions as --help.
    #[command(
        after_help = "Examples:\n  wikiwatch man | man -l -\n  wikiwatch man > /usr/local/share/man/man1/wikiwatch.1"
    )]
    Man,
    /// Config tools: the config's JSON Schema.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Builds baselines from history into a state file, without raising alerts, and prints
    /// what it learned.
    #[command(after_help = LEARN_EXAMPLES)]
    Learn(LearnArgs),
    /// Looks into state files.
    #[command(subcommand)]
    State(StateCommand),
}

const LEARN_EXAMPLES: &str = "\
Examples:
  wikiwatch learn --days 30 --state base.state logs/conf_access_log.*.log audit:audit.jsonl
  wikiwatch learn --config config.json --state base.state --force access.log.1.gz access.log
  wikiwatch replay --state base.state today.log     # starts warm

The same file starts Fluent Bit warm (`wikiwatch.state` in the module's first accessible
path) and the browser harness (Load state).";

/// `wikiwatch state ...`.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// What a state file holds: version, time range, entities and sizes per table, config
    /// fingerprint, team, role and user baselines.
    #[command(
        after_help = "Examples:\n  wikiwatch state show base.state\n  wikiwatch state show --config config.json --json base.state"
    )]
    Show(StateShowArgs),
}

/// `wikiwatch learn`.
#[derive(Debug, Args)]
pub struct LearnArgs {
    /// Days of history learned: the last N days of the input, by event time.
    #[arg(long, default_value_t = 30, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// The state file written (the format every command and host restores).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// Replace an existing state file.
    #[arg(long)]
    pub force: bool,
    /// Config JSON (docs/config.md); the built-in default config when absent. Hosts that
    /// restore the state need a config with as many allow entries.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Input format of every input without its own `FORMAT:` prefix.
    #[arg(long, default_value = "auto", value_name = "FORMAT", value_parser = formats())]
    pub format: String,
    /// Where detection runs.
    #[arg(long, value_enum, default_value_t = EngineKind::Component)]
    pub engine: EngineKind,
    /// Print what was learned as JSON.
    #[arg(long)]
    pub json: bool,
    /// Component sandbox.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Log files (`.gz` read transparently, `FORMAT:PATH` for a per-file format); read twice,
    /// so not stdin.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
}

/// `wikiwatch state show`.
#[derive(Debug, Args)]
pub struct StateShowArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Say whether the state was written under this config, and show its users' teams and
    /// roles.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The state file (`replay`, `learn`, `follow`, `pull`, or a host's saved state).
    pub file: PathBuf,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  source <(wikiwatch completions bash)                      # this shell
  wikiwatch completions bash > /etc/bash_completion.d/wikiwatch
  wikiwatch completions zsh > \"${fpath[1]}/_wikiwatch\"
  wikiwatch completions fish > ~/.config/fish/completions/wikiwatch.fish";

/// `wikiwatch completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `wikiwatch config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Prints the config's JSON Schema (draft 4; docs/config.schema.json holds the same), for
    /// editors and CI checks; --kong-meta wraps it as Kong's filter metadata.
    #[command(
        after_help = "Examples:\n  wikiwatch config schema > config.schema.json\n  wikiwatch config schema --kong-meta > /kong/wasm/wikiwatch_proxy_wasm.meta.json"
    )]
    Schema(SchemaArgs),
}

/// `wikiwatch config schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print `{"config_schema": ...}`, the `.meta.json` Kong reads beside a filter module.
    #[arg(long)]
    pub kong_meta: bool,
}

/// `--format`'s values, so that --help and completions list them: the core's format names,
/// `cloud-audit` accepted as an alias of `audit`.
pub fn formats() -> clap::builder::PossibleValuesParser {
    use clap::builder::PossibleValue;
    use wikiwatch_core::Format;
    let canonical = |n: &str| n.parse::<Format>().map(Format::as_str).ok();
    let values = Format::NAMES.iter().filter(|n| canonical(n) == Some(**n)).map(|&n| {
        let aliases = Format::NAMES.iter().filter(move |a| **a != n && canonical(a) == Some(n));
        PossibleValue::new(n).aliases(aliases.copied())
    });
    clap::builder::PossibleValuesParser::new(values)
}

const REPLAY_EXAMPLES: &str = "\
Examples:
  wikiwatch replay examples/logs/confluence-access.log
  wikiwatch replay --config examples/config.json --alerts alerts.jsonl access.log.1.gz access.log
  zcat access.log.gz | wikiwatch replay -
  wikiwatch replay access.log audit:audit.jsonl      # two streams merged by event time
  wikiwatch replay --state wikiwatch.state today.log # keeps baselines across runs

Inputs: `-` is stdin; gzip input is read transparently; FORMAT:PATH sets the format of one
input. Several inputs are merged by event time into one stream (one engine).";

const FOLLOW_EXAMPLES: &str = "\
Examples:
  wikiwatch follow --state /var/lib/wikiwatch/follow.state \\
      '/var/atlassian/application-data/confluence/logs/conf_access_log.*.log'
  wikiwatch follow --alerts alerts.jsonl --post http://siem.example:8080/alerts access.log
  wikiwatch follow --once --state s.state access.log   # what is there now, then exit
  wikiwatch replay --state s.state old/*.log && wikiwatch follow --state s.state --from-end 'logs/*.log'

Patterns are globs, matched again at every poll: a new dated log is picked up when it
appears. A file renamed away is read to its end; a file truncated in place is read again
from its start. Compressed files are not followed. Several files growing at once are read a
chunk each per poll, in path order; to load a backlog of several node logs merged by event
time, replay them first with --state and follow with --from-end.

SIGTERM or SIGINT: stops after the batch in hand, saves the state, prints the summary, exits 0.";

const SCOPE_EXAMPLES: &str = "\
Examples:
  wikiwatch scope --entity user:mallory access.log
  wikiwatch scope --entity ip:10.1.0.17 --from 2026-10-07T14:00:00Z --to 2026-10-07T15:00:00Z access.log
  wikiwatch scope --entity user:mallory --json access.log audit:audit.jsonl";

/// Which detector runs the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineKind {
    /// The WebAssembly component in wasmtime (sandboxed; the default).
    Component,
    /// The same core compiled into this binary.
    Native,
}

impl EngineKind {
    /// The name `--engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Component => "component",
            EngineKind::Native => "native",
        }
    }
}

/// Limits of the component sandbox.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// Load this component instead of the embedded one (must export wit/wikiwatch.wit).
    #[arg(long, value_name = "FILE")]
    pub module: Option<PathBuf>,
    /// Guest memory limit in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub max_memory: usize,
    /// Fuel (roughly, wasm instructions) per batch call into the component. Off by default:
    /// metering slows the guest down, and a wall-clock deadline bounds every call anyway.
    /// Creating the engine is bounded by the deadline only.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Wall-clock limit of one call into the component, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub call_timeout: u64,
}

/// `wikiwatch replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Input format of every input without its own `FORMAT:` prefix
    /// (auto, confluence-access, combined, audit (alias cloud-audit), json).
    #[arg(long, default_value = "auto", value_name = "FORMAT", value_parser = formats())]
    pub format: String,
    /// Config JSON (docs/config.md); the built-in default config when absent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where detection runs.
    #[arg(long, value_enum, default_value_t = EngineKind::Component)]
    pub engine: EngineKind,
    /// Write alerts (JSON Lines) here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// Form of the alerts.
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
    /// Write the core's counters (JSON) here at the end.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Engine state file: restored at start when it exists, saved at the end (its directory
    /// is checked before the replay starts).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Largest share of the input, in percent, that may be unusable (rejected lines, events
    /// skipped as late or out of range) before the replay exits 4.
    #[arg(long, value_name = "PERCENT", default_value_t = 10, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_skipped: u8,
    /// Lines per call into the detector.
    #[arg(long, default_value_t = 4096, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,
    /// Component sandbox.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Log files (`-` for stdin, `.gz` read transparently, `FORMAT:PATH` for a per-file format).
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
}

/// `wikiwatch follow`.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Input format of every pattern without its own `FORMAT:` prefix
    /// (auto, confluence-access, combined, audit (alias cloud-audit), json).
    #[arg(long, default_value = "auto", value_name = "FORMAT", value_parser = formats())]
    pub format: String,
    /// Config JSON (docs/config.md); the built-in default config when absent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where detection runs.
    #[arg(long, value_enum, default_value_t = EngineKind::Component)]
    pub engine: EngineKind,
    /// Append alerts (JSON Lines) to this file instead of writing them to stdout. Alerts
    /// written before a crash are recognised here and not written again.
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// Also POST alerts to this collector as `application/x-ndjson`, retried with backoff
    /// from a bounded queue kept in the state file.
    #[arg(long, value_name = "URL")]
    pub post: Option<String>,
    /// Form of the alerts.
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
    /// State file: file positions, the detector and the alerts already written. Restored at
    /// start (a `replay --state` file starts the detector warm), saved every --save-every
    /// seconds and at exit.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Seconds between two saves of the state file.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub save_every: u64,
    /// Milliseconds between two looks at the files when nothing new was there.
    #[arg(long, value_name = "MS", default_value_t = 250, value_parser = clap::value_parser!(u64).range(10..))]
    pub poll_ms: u64,
    /// Files found at the first start (no saved positions) are read from their end, not
    /// their start.
    #[arg(long)]
    pub from_end: bool,
    /// Reads what the files hold now, saves the state and exits.
    #[arg(long)]
    pub once: bool,
    /// Largest share of the input, in percent, that may be unusable before the command
    /// exits 4 (see `replay`).
    #[arg(long, value_name = "PERCENT", default_value_t = 10, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_skipped: u8,
    /// Component sandbox.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Files or glob patterns (quote them), `FORMAT:PATTERN` for a per-pattern format.
    #[arg(required = true, value_name = "PATTERN")]
    pub inputs: Vec<String>,
}

/// `wikiwatch scope`.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// The entity: `user:NAME`, `ip:ADDR` or `session:ID` (raw id, or the hash alerts print).
    #[arg(long, value_name = "KIND:ID")]
    pub entity: String,
    /// Only events at or after this time (RFC 3339, e.g. 2026-10-07T14:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only events before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Input format of inputs without a `FORMAT:` prefix.
    #[arg(long, default_value = "auto", value_name = "FORMAT", value_parser = formats())]
    pub format: String,
    /// Config JSON (for the `json` field map and classification extensions).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log files (`-` for stdin, `.gz` read transparently, `FORMAT:PATH` for a per-file format).
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
}

/// `wikiwatch check-config`.
#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// The config JSON file.
    pub file: PathBuf,
}

/// `wikiwatch bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A log to replay; a generated Confluence access log when absent.
    pub file: Option<String>,
    /// Lines to generate when no file is given.
    #[arg(long, default_value_t = 1_000_000)]
    pub lines: usize,
    /// Runs of each engine (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Input format.
    #[arg(long, default_value = "auto", value_name = "FORMAT", value_parser = formats())]
    pub format: String,
    /// Config JSON.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Component sandbox.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}
