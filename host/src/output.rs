//! What a replay writes as it goes: alerts (JSON Lines, counted into the summary) and a
//! progress bar on a terminal.

use crate::summary::Summary;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use wikiwatch_core::{Alert, AlertFormat, Config};

/// What replay, follow and pull write besides the alerts: `--output`, the form alerts are
/// written in, and `--metrics`, the counters file.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Form of every alert written: native (docs/alerts.md), ecs (Elastic Common Schema) or
    /// ocsf (OCSF Detection Finding). Default: the config's `output`, else native.
    #[arg(long, value_enum, value_name = "FORM")]
    pub output: Option<OutputForm>,
    /// Write the detector's counters here as OpenMetrics text, under the proxy module's metric
    /// names (events, alerts by rule and by severity, evictions), replaced whole at the start,
    /// as input is read (follow, pull) and at the end; name it `*.prom` in node exporter's
    /// textfile directory. Counts run on across restarts with --state.
    #[arg(long, value_name = "FILE")]
    pub metrics: Option<std::path::PathBuf>,
}

/// The forms `--output` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputForm {
    /// One JSON object per alert as docs/alerts.md describes.
    Native,
    /// Elastic Common Schema (`event.kind: alert`).
    Ecs,
    /// OCSF Detection Finding (class 2004).
    Ocsf,
}

impl OutputArgs {
    /// The form in force: `--output`, else the config's `output`.
    pub fn form(&self, config: &Config) -> AlertFormat {
        match self.output {
            Some(OutputForm::Native) => AlertFormat::Native,
            Some(OutputForm::Ecs) => AlertFormat::Ecs,
            Some(OutputForm::Ocsf) => AlertFormat::Ocsf,
            None => config.output,
        }
    }

    /// Rewrites the `--metrics` file, when there is one, with what `stats` gives. Asked for only
    /// then: follow calls this after every poll, and a component's stats cost a call.
    pub fn write_metrics(
        &self,
        stats: impl FnOnce() -> Result<wikiwatch_core::Stats>,
    ) -> Result<()> {
        match &self.metrics {
            Some(path) => crate::metrics_file::write(path, &stats()?),
            None => Ok(()),
        }
    }
}

/// Where alerts go, counted into the summary as they are written.
pub struct AlertOut {
    out: BufWriter<Box<dyn Write>>,
    label: String,
    form: AlertFormat,
}

impl AlertOut {
    /// `--alerts FILE`, or stdout, with alerts written in `form`.
    pub fn open(path: Option<&Path>, form: AlertFormat) -> Result<AlertOut> {
        let (w, label): (Box<dyn Write>, String) = match path {
            Some(p) => (
                Box::new(
                    File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
                ),
                p.display().to_string(),
            ),
            None => (Box::new(io::stdout()), "<stdout>".into()),
        };
        Ok(AlertOut { out: BufWriter::with_capacity(1 << 16, w), label, form })
    }

    /// Writes `alerts` as JSON Lines in the chosen form and empties the vector.
    pub fn write(&mut self, alerts: &mut Vec<Alert>, summary: &mut Summary) -> Result<()> {
        for a in alerts.drain(..) {
            summary.alert(&a);
            let mut line = a.render(self.form);
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
