//! `wikiwatch coverage` arguments.

use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  wikiwatch coverage examples/logs/confluence-access.log
  wikiwatch coverage --config config.json conf_access_log.*.log audit:audit.jsonl
  wikiwatch coverage --json access.log > coverage.json

Exit 0 when every check an enabled rule needs is covered, 5 when one is not (the report says
which and what to change).";

/// `wikiwatch coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Input format of every input without its own `FORMAT:` prefix
    /// (auto, confluence-access, combined, audit (alias cloud-audit), json).
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    pub format: String,
    /// Config JSON: the rules it enables are the ones whose needs decide the exit code; its
    /// identity says who is privileged and who has a team or role.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print JSON instead of the report.
    #[arg(long)]
    pub json: bool,
    /// Hours without any event in one input that count as a gap.
    #[arg(long, value_name = "HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub gap: u32,
    /// Log files (`-` for stdin, `.gz` read transparently, `FORMAT:PATH` for a per-file format),
    /// merged by event time as `replay` merges them.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
}
