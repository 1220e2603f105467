//! Arguments of `wikiwatch report`.

use clap::Args;
use std::path::PathBuf;

/// Examples shown by `wikiwatch report --help`.
pub const EXAMPLES: &str = "\
Examples:
  wikiwatch report --html incidents.html access.log audit:audit.jsonl
  wikiwatch report --entity user:mallory --from 2026-10-07T00:00:00Z --to 2026-10-08T00:00:00Z \\
      --config config.json --html mallory.html access.log audit:audit.jsonl > mallory.json
  wikiwatch report --include-allowed access.log     # the allow-listed indexer among the busiest

Writes the report as JSON on stdout (docs/cli.md) and, with --html, as one self-contained HTML
file (inline CSS and SVG, no script).";

/// `wikiwatch report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The exposure report's entity: `user:NAME`, `ip:ADDR` or `session:ID`. Without it, the
    /// incident view only.
    #[arg(long, value_name = "KIND:ID")]
    pub entity: Option<String>,
    /// Only events and alerts at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only events and alerts before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Show allow-listed entities in incidents and among the busiest.
    #[arg(long)]
    pub include_allowed: bool,
    /// Also write the report as a self-contained HTML file here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Input format of inputs without a `FORMAT:` prefix.
    #[arg(long, default_value = "auto", value_name = "FORMAT")]
    pub format: String,
    /// Config file (JSON); its `spaces` labels lead the exposure report.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log files (`-` for stdin, `.gz` read transparently, `FORMAT:PATH` for a per-file format).
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<String>,
}
