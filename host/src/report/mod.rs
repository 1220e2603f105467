//! `wikiwatch report`: the incident view and, for one entity and span, the exposure report, as
//! JSON on stdout and a self-contained HTML file. The report itself is `wikiwatch-report`'s
//! (shared with the browser module); this only reads the inputs and writes the outputs.

pub mod args;

use crate::config_file::load_config;
use crate::input::{self, LineReader};
use crate::scope::{parse_entity, parse_time};
use anyhow::{Context, Result};
use args::ReportArgs;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use wikiwatch_core::decode::Decoder;
use wikiwatch_report::{ReportOptions, Reporter};

/// Runs `wikiwatch report`.
pub fn run(args: &ReportArgs) -> Result<()> {
    let entity = args.entity.as_deref().map(parse_entity).transpose()?;
    let (from, to) = (parse_time("--from", &args.from)?, parse_time("--to", &args.to)?);
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = load_config(args.config.as_deref())?.config;
    let decode = config.decode.clone();
    let opts = ReportOptions { entity, from, to, include_allowed: args.include_allowed };
    let mut reporter = Reporter::new(config, opts).map_err(anyhow::Error::msg).context("config")?;
    for spec in &specs {
        let mut reader = LineReader::open(spec, Arc::new(AtomicU64::new(0)))?;
        let mut decoder = Decoder::new(spec.format, decode.clone());
        while let Some((_, line)) =
            reader.next_line().with_context(|| format!("cannot read {}", spec.label))?
        {
            reporter.line(&mut decoder, line);
        }
    }
    let report = reporter.finish();
    if let Some(path) = &args.html {
        std::fs::write(path, wikiwatch_report::html::to_html(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    crate::fail::out(&(serde_json::to_string_pretty(&report)? + "\n"))?;
    Ok(())
}
