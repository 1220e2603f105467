//! The command line of `wikiwatch pull` (clap derive; the help texts are the user
//! documentation, as in `cli.rs`).

use crate::cli::{EngineKind, SandboxArgs};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Shown after the help of `pull`, `pull org` and `pull site`.
pub const EXAMPLES: &str = "\
Examples:
  export WIKIWATCH_ATLASSIAN_API_KEY=...          # organization API key
  wikiwatch pull org --org-id 0a1b2c3d-... --since 7d --state pull.state
  wikiwatch pull org --org-id 0a1b2c3d-... --state pull.state --interval 60s --alerts alerts.jsonl

  export WIKIWATCH_ATLASSIAN_EMAIL=admin@example.com WIKIWATCH_ATLASSIAN_API_TOKEN=...
  wikiwatch pull site --site acme.atlassian.net --since 2026-10-01T00:00:00Z --until 2026-10-08T00:00:00Z

Credentials are read from the environment only, never from the command line. The organization
audit log (page views and other user activity) needs Atlassian Guard; the site audit log
(exports, permissions, groups) needs a Standard, Premium or Enterprise plan and the
Confluence Administrator global permission. A 401 or 403 exits 2 and says what to check.";

/// `wikiwatch pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Which audit log.
    #[command(subcommand)]
    pub source: PullSource,
}

/// The audit log `pull` reads.
#[derive(Debug, Subcommand)]
pub enum PullSource {
    /// The organization audit log (`/admin/v1/orgs/{id}/events`, bearer key in
    /// WIKIWATCH_ATLASSIAN_API_KEY).
    #[command(after_help = EXAMPLES)]
    Org(PullOrgArgs),
    /// A site's Confluence audit log (`/wiki/rest/api/audit`, basic auth from
    /// WIKIWATCH_ATLASSIAN_EMAIL and WIKIWATCH_ATLASSIAN_API_TOKEN).
    #[command(after_help = EXAMPLES)]
    Site(PullSiteArgs),
}

/// `wikiwatch pull org`.
#[derive(Debug, Args)]
pub struct PullOrgArgs {
    /// The organization id (in the admin.atlassian.com URL, and shown with the API key).
    #[arg(long, value_name = "ID")]
    pub org_id: String,
    /// What both audit logs take.
    #[command(flatten)]
    pub common: PullCommon,
}

/// `wikiwatch pull site`.
#[derive(Debug, Args)]
pub struct PullSiteArgs {
    /// The site, `NAME.atlassian.net`.
    #[arg(long, value_name = "HOST")]
    pub site: String,
    /// Records asked for per page (the site may return fewer).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,
    /// What both audit logs take.
    #[command(flatten)]
    pub common: PullCommon,
}

/// What `pull org` and `pull site` share.
#[derive(Debug, Args)]
pub struct PullCommon {
    /// Start of the window when the state holds no later checkpoint: a span back from now
    /// (`7d`, `12h`, `30m`) or an RFC 3339 time.
    #[arg(long, value_name = "SPAN|TIME", default_value = "1d")]
    pub since: String,
    /// End of the window (RFC 3339); now when absent. Only for one pass.
    #[arg(long, value_name = "TIME", conflicts_with = "interval")]
    pub until: Option<String>,
    /// Poll again after this long (`60s`, `5m`), until SIGINT or SIGTERM; one pass when absent.
    #[arg(long, value_name = "SPAN")]
    pub interval: Option<String>,
    /// Without `--until`, read only up to this long before now (`0s` to `1h`): Atlassian can
    /// publish an event some time after it happened, and the next poll starts after the
    /// newest event already read, so an event published later than this is missed.
    #[arg(long, value_name = "SPAN", default_value = "2m", conflicts_with = "until")]
    pub settle: String,
    /// One pass, then exit (the default; for scripts that want to say so).
    #[arg(long, conflicts_with = "interval")]
    pub once: bool,
    /// State file: detector, checkpoint and recent alerts, saved after every step of the
    /// window. Without it every run starts cold at `--since`.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Append alerts (JSON Lines) to this file instead of writing them to stdout.
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// Also POST alerts (NDJSON) to this collector URL; unsent alerts wait in the state file.
    #[arg(long, value_name = "URL")]
    pub post: Option<String>,
    /// Form of the alerts.
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
    /// Config JSON (docs/config.md); the built-in default config when absent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where detection runs.
    #[arg(long, value_enum, default_value_t = EngineKind::Component)]
    pub engine: EngineKind,
    /// Scheme, host and port of the API instead of Atlassian's (a proxy, or a test server).
    /// Plain http is accepted for the loopback address only.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Time limit of one HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Further attempts after a 429, a 5xx or a network failure, before the poll fails.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
    /// First backoff after a 5xx or a network failure, in milliseconds; it doubles per retry.
    #[arg(long, value_name = "MS", default_value_t = 1000, hide = true)]
    pub retry_base_ms: u64,
    /// Component sandbox.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}
