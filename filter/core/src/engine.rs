//! The engine: the public face of the core. Lines or events in, alerts to a sink, stats and
//! snapshots out.

use crate::alert::AlertSink;
use crate::band::Baseline;
use crate::classify::Classifier;
use crate::config::{Config, ConfigError};
use crate::decode::{DecodeError, Decoder, Format};
pub use crate::detect::Outcome;
use crate::detect::Pipeline;
use crate::event::AccessEvent;
use crate::snapshot::{self, SnapshotError};
use crate::stats::Stats;
use std::fmt;

/// The detector. Create one per stream and feed it in event-time order: events behind the
/// event clock by less than `limits.late_tolerance` still count, older ones are skipped and
/// counted (see [`clock`](crate::clock)).
#[derive(Debug)]
pub struct Engine {
    /// One decoder per format, so `auto` keeps its own guess.
    decoders: Vec<Decoder>,
    detector: Pipeline,
    /// The config's fingerprint, written into snapshots.
    fingerprint: u64,
}

const FORMATS: [Format; 5] =
    [Format::Auto, Format::ConfluenceAccess, Format::Combined, Format::Audit, Format::Json];

impl Engine {
    /// An engine for a config (validated here too, so no invalid config ever runs).
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        config.validate()?;
        let decoders = FORMATS.iter().map(|f| Decoder::new(*f, config.decode.clone())).collect();
        let fingerprint = snapshot::fingerprint(&config);
        Ok(Engine { decoders, detector: Pipeline::new(config), fingerprint })
    }

    /// An engine from config JSON text.
    pub fn from_json(text: &str) -> Result<Engine, ConfigError> {
        Engine::new(Config::from_json(text)?)
    }

    /// The config in force.
    pub fn config(&self) -> &Config {
        self.detector.config()
    }

    /// Decodes one raw line (no terminator) in `format` and processes its events.
    /// Returns the outcome of the line's last event (audit pages hold several), or `None` for a
    /// line that held none. A rejected line is counted with its reason.
    pub fn push_line(
        &mut self,
        line: &[u8],
        format: Format,
        sink: &mut dyn AlertSink,
    ) -> Result<Option<Outcome>, DecodeError> {
        self.detector.counters.lines += 1;
        let i = FORMATS.iter().position(|f| *f == format).unwrap_or(0);
        let detector = &mut self.detector;
        let mut last = None;
        match self.decoders[i].decode(line, &mut |ev| last = Some(detector.push(&ev, sink))) {
            Ok(_) => Ok(last),
            Err(e) => {
                detector.counters.rejected(&e.reason);
                Err(e)
            }
        }
    }

    /// Processes one decoded event.
    pub fn push_event(&mut self, event: &AccessEvent<'_>, sink: &mut dyn AlertSink) -> Outcome {
        self.detector.push(event, sink)
    }

    /// Marks the end of input. Rules judge on every event, so no alert is pending; hosts call
    /// it anyway so that a future windowed rule can flush here.
    pub fn finish(&mut self, sink: &mut dyn AlertSink) {
        let _ = sink;
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.detector.stats()
    }

    /// A user's baseline now, as `baseline-deviation` judges it: per metric, today's count,
    /// the usual day and what is allowed today. `None` for a user not seen (or evicted). For
    /// hosts that plot activity beside its baseline; asking changes no alert.
    pub fn baseline(&mut self, user: &str) -> Option<Baseline> {
        self.detector.baseline(user)
    }

    /// The whole engine state as bytes (byte-identical for identical input).
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&snapshot::Meta { config: self.fingerprint }, &self.detector.state())
    }

    /// The fingerprint snapshots record of this engine's config (16 hex digits), as
    /// [`StateSummary::config`](crate::StateSummary::config) shows it.
    pub fn config_fingerprint(&self) -> String {
        format!("{:016x}", self.fingerprint)
    }

    /// An engine for `config` that continues from `snapshot`.
    pub fn restore(config: Config, snapshot: &[u8]) -> Result<Engine, RestoreError> {
        let (_, state) = snapshot::decode(snapshot).map_err(RestoreError::Snapshot)?;
        let mut engine = Engine::new(config).map_err(RestoreError::Config)?;
        engine.detector.restore(state).map_err(RestoreError::Snapshot)?;
        Ok(engine)
    }
}

/// Why `Engine::restore` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// The config is invalid.
    Config(ConfigError),
    /// The snapshot is unusable.
    Snapshot(SnapshotError),
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::Config(e) => e.fmt(f),
            RestoreError::Snapshot(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RestoreError {}

/// The classifier is part of the detector; exposed for hosts that classify without detecting
/// (`wikiwatch scope`).
impl Engine {
    /// The request and agent classifier this engine uses.
    pub fn classifier(&self) -> &Classifier {
        self.detector.classifier()
    }
}
