//! `wikiwatch replay`: inputs -> detector (in batches) -> alerts on stdout or `--alerts`,
//! summary on stderr, optional state file.

use crate::cli::{EngineKind, ReplayArgs};
use crate::engine::{self, Detector};
use crate::fail::usage;
use crate::input::{self, InputSpec, LineReader};
use crate::merge;
use crate::summary::Summary;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use wikiwatch_core::{Alert, Format};

/// Where alerts go, counted into the summary as they are written.
pub struct AlertOut {
    out: BufWriter<Box<dyn Write>>,
    label: String,
}

impl AlertOut {
    /// `--alerts FILE`, or stdout.
    pub fn open(path: Option<&Path>) -> Result<AlertOut> {
        let (w, label): (Box<dyn Write>, String) = match path {
            Some(p) => (
                Box::new(
                    File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
                ),
                p.display().to_string(),
            ),
            None => (Box::new(io::stdout()), "<stdout>".into()),
        };
        Ok(AlertOut { out: BufWriter::with_capacity(1 << 16, w), label })
    }

    /// Writes `alerts` as JSON Lines and empties the vector.
    pub fn write(&mut self, alerts: &mut Vec<Alert>, summary: &mut Summary) -> Result<()> {
        for a in alerts.drain(..) {
            summary.alert(&a);
            let mut line = a.to_json();
            line.push('\n');
            self.out
                .write_all(line.as_bytes())
                .with_context(|| format!("cannot write alerts to {}", self.label))?;
        }
        Ok(())
    }

    /// Flushes.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().with_context(|| format!("cannot write alerts to {}", self.label))
    }
}

/// A progress bar over the raw bytes of the inputs, only when stderr is a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Raw bytes read so far (updated by the readers).
    pub bytes: Arc<AtomicU64>,
}

impl Progress {
    /// A bar of `total` bytes (a spinner when unknown), hidden when stderr is not a terminal.
    pub fn new(total: Option<u64>) -> Progress {
        let bar = io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(t) => ProgressBar::new(t),
                None => ProgressBar::new_spinner(),
            };
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec})",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, bytes: Arc::new(AtomicU64::new(0)) }
    }

    /// Redraws from the byte counter.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.bytes.load(Ordering::Relaxed));
        }
    }

    /// Removes the bar.
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Runs `wikiwatch replay`.
pub fn run(args: &ReplayArgs) -> Result<()> {
    let default = input::parse_format(&args.format)?;
    let specs = input::parse_inputs(&args.inputs, default)?;
    let config = engine::load_config(args.config.as_deref())?;
    let progress = Progress::new(input::total_bytes(&specs));
    // Open every input before any work, so a missing file fails fast.
    let mut readers = specs
        .iter()
        .map(|s| LineReader::open(s, progress.bytes.clone()))
        .collect::<Result<Vec<_>>>()?;
    let state = match &args.state {
        Some(p) if p.exists() => Some((p.clone(), input::read_file(p)?)),
        _ => None,
    };
    let mut detector = engine::open(
        args.engine,
        &config,
        state.as_ref().map(|(_, b)| b.as_slice()),
        &args.sandbox,
    )
    .map_err(|e| match &state {
        Some((p, _)) if e.chain().any(|c| c.is::<crate::fail::Usage>()) => {
            usage(format!("{}: {e:#}", p.display()))
        }
        _ => e,
    })?;
    let mut out = AlertOut::open(args.alerts.as_deref())?;
    let merged = specs.len() > 1;
    let mut summary = Summary::new(&specs, merged);
    let started = Instant::now();
    let batch = args.batch as usize;
    if merged {
        merge::replay(
            &specs,
            &mut readers,
            &config,
            detector.as_mut(),
            batch,
            &mut out,
            &mut summary,
            &progress,
        )?;
    } else if let (Some(spec), Some(reader)) = (specs.first(), readers.first_mut()) {
        stream(spec, reader, detector.as_mut(), batch, &mut out, &mut summary, &progress)?;
    }
    let mut alerts = Vec::new();
    detector.finish(&mut alerts).context("at the end of input")?;
    out.write(&mut alerts, &mut summary)?;
    let stats = detector.stats()?;
    if let Some(path) = &args.stats {
        let json = serde_json::to_string_pretty(&stats)? + "\n";
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.state {
        save_state(path, &detector.snapshot()?)?;
    }
    out.finish()?;
    progress.done();
    let engine_name = match args.engine {
        EngineKind::Component => "component",
        EngineKind::Native => "native",
    };
    summary.guest_memory = detector.guest_memory();
    eprint!("{}", summary.render(&stats, engine_name, started.elapsed()));
    Ok(())
}

/// One input: lines go to the detector as they are, in batches of `batch` lines.
fn stream(
    spec: &InputSpec,
    reader: &mut LineReader,
    detector: &mut dyn Detector,
    batch: usize,
    out: &mut AlertOut,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(batch * 256);
    let mut line_nos: Vec<u64> = Vec::with_capacity(batch);
    let mut alerts = Vec::new();
    let mut rejected = Vec::new();
    loop {
        let line = reader.next_line().with_context(|| format!("cannot read {}", spec.label))?;
        let end = line.is_none();
        if let Some((line_no, line)) = line {
            buf.extend_from_slice(line);
            buf.push(b'\n');
            line_nos.push(line_no);
        }
        if line_nos.len() >= batch || (end && !line_nos.is_empty()) {
            feed(spec, spec.format, detector, &buf, &line_nos, &mut alerts, &mut rejected)?;
            for (i, reason) in rejected.drain(..) {
                let line = line_nos.get(i as usize).copied().unwrap_or(0);
                summary.reject(0, line, &reason);
            }
            out.write(&mut alerts, summary)?;
            buf.clear();
            line_nos.clear();
            progress.tick();
        }
        if end {
            break;
        }
    }
    if let Some(c) = summary.inputs.first_mut() {
        c.lines = reader.lines;
    }
    Ok(())
}

/// Feeds one batch; a failure names the input and its line range.
fn feed(
    spec: &InputSpec,
    format: Format,
    detector: &mut dyn Detector,
    buf: &[u8],
    line_nos: &[u64],
    alerts: &mut Vec<Alert>,
    rejected: &mut Vec<(u32, String)>,
) -> Result<()> {
    detector.feed_lines(buf, format, alerts, rejected).with_context(|| {
        format!(
            "while processing {} lines {}-{}",
            spec.label,
            line_nos.first().copied().unwrap_or(0),
            line_nos.last().copied().unwrap_or(0)
        )
    })
}

/// Writes the snapshot next to `path` and renames it over, so a crash never leaves half a file.
fn save_state(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
