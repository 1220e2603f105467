//! `wikiwatch bench`: the same batches through the native core and through the component,
//! in one run, alternating, reporting the median lines/s of each and their ratio.

use crate::cli::{BenchArgs, EngineKind};
use crate::component::embedded_size;
use crate::config_file::{self, LoadedConfig};
use crate::engine;
use crate::input::{self, InputSpec, LineReader};
use anyhow::{Context, Result};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;
use wikiwatch_core::{Alert, Format};

/// Lines per call, as `replay` uses by default.
const BATCH: usize = 4096;

/// One timed replay: (lines per second, alerts as JSON, stats as JSON).
fn once(
    kind: EngineKind,
    args: &BenchArgs,
    config: &LoadedConfig,
    batches: &[Vec<u8>],
    format: Format,
    lines: usize,
) -> Result<(f64, Vec<String>, String)> {
    let mut detector = engine::open(kind, config, None, &args.sandbox)?;
    let mut alerts: Vec<Alert> = Vec::new();
    let mut rejected = Vec::new();
    let start = Instant::now();
    for b in batches {
        detector.feed_lines(b, format, &mut alerts, &mut rejected)?;
        rejected.clear();
    }
    detector.finish(&mut alerts)?;
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let stats = serde_json::to_string(&detector.stats()?)?;
    Ok((lines as f64 / secs, alerts.iter().map(Alert::to_json).collect(), stats))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Runs `wikiwatch bench`.
pub fn run(args: &BenchArgs) -> Result<()> {
    let format = input::parse_format(&args.format)?;
    let config = config_file::load_config(args.config.as_deref())?;
    let lines: Vec<Vec<u8>> = match &args.file {
        Some(name) => {
            let spec = input::parse_inputs(std::slice::from_ref(name), format)?
                .pop()
                .context("no input")?;
            read_all(&spec)?
        }
        None => {
            wikiwatch_sim::generate(1, args.lines).into_iter().map(String::into_bytes).collect()
        }
    };
    let batches: Vec<Vec<u8>> = lines
        .chunks(BATCH)
        .map(|chunk| {
            let mut b = Vec::with_capacity(chunk.iter().map(|l| l.len() + 1).sum());
            for l in chunk {
                b.extend_from_slice(l);
                b.push(b'\n');
            }
            b
        })
        .collect();
    let n = lines.len();
    drop(lines);
    eprintln!(
        "bench: {n} lines, {} batches of up to {BATCH}, {} runs per engine",
        batches.len(),
        args.runs
    );
    let (mut native, mut component) = (Vec::new(), Vec::new());
    let mut same = true;
    for run in 0..args.runs {
        // Alternate the order so neither engine always runs on a warmer machine.
        let order = if run % 2 == 0 {
            [EngineKind::Native, EngineKind::Component]
        } else {
            [EngineKind::Component, EngineKind::Native]
        };
        let mut outputs = Vec::new();
        for kind in order {
            let (rate, alerts, stats) = once(kind, args, &config, &batches, format, n)?;
            eprintln!("  run {}: {:<9} {:>12.0} lines/s", run + 1, kind.name(), rate);
            match kind {
                EngineKind::Native => native.push(rate),
                EngineKind::Component => component.push(rate),
            }
            outputs.push((alerts, stats));
        }
        same &= outputs.windows(2).all(|w| w[0] == w[1]);
    }
    let (nat, comp) = (median(native), median(component));
    let report = format!(
        "native     {nat:>12.0} lines/s (median of {runs})\n\
         component  {comp:>12.0} lines/s (median of {runs})\n\
         ratio      {:>12.1} % of native\n\
         component size {} bytes; alerts and stats identical: {}\n",
        100.0 * comp / nat.max(1e-9),
        match &args.sandbox.module {
            Some(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            None => embedded_size() as u64,
        },
        if same { "yes" } else { "NO" },
        runs = args.runs,
    );
    crate::fail::out(&report)?;
    if !same {
        return Err(crate::fail::guest("the component and the native engine disagreed"));
    }
    Ok(())
}

fn read_all(spec: &InputSpec) -> Result<Vec<Vec<u8>>> {
    let mut reader = LineReader::open(spec, Arc::new(AtomicU64::new(0)))?;
    let mut lines = Vec::new();
    while let Some((_, l)) =
        reader.next_line().with_context(|| format!("cannot read {}", spec.label))?
    {
        lines.push(l.to_vec());
    }
    Ok(lines)
}
