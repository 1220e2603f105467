//! `wikiwatch simulate`: a deterministic generator of labelled Confluence traffic.

/// Arguments of `wikiwatch simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// Seed of the generator (same seed, same output).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Runs the subcommand.
pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let _ = args;
    anyhow::bail!("simulate is not implemented yet")
}

/// `lines` lines of realistic mixed Confluence Data Center access log (for `bench`).
pub fn generate(seed: u64, lines: usize) -> Vec<String> {
    let _ = seed;
    (0..lines)
        .map(|i| {
            format!(
                "[18/Dec/2020:12:57:{:02} +0000] user{} http-nio-8090-exec-6 10.0.{}.{} GET /display/ENG/Page{} HTTP/1.1 200 12ms 7881 - Mozilla/5.0 (X11; Linux x86_64)",
                i % 60, i % 50, (i / 256) % 256, i % 256, i % 1000
            )
        })
        .collect()
}
