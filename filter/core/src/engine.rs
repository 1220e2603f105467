//! The engine: the public face of the core. Events in, alerts to a sink, stats and snapshots out.

use crate::alert::AlertSink;
use crate::classify::{AgentKind, Classifier, RequestKind};
use crate::config::{Config, ConfigError};
use crate::decode::{DecodeError, Decoder, Format};
use crate::event::AccessEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Counters an engine keeps; serialised as JSON by hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Lines handed to `push_line`.
    pub lines: u64,
    /// Events processed (decoded lines plus pushed events).
    pub events: u64,
    /// Lines rejected by decoders.
    pub rejected: u64,
    /// Rejections by reason.
    pub rejected_reasons: BTreeMap<String, u64>,
    /// Events older than the late tolerance, skipped.
    pub late: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Alerts by rule name.
    pub alerts_by_rule: BTreeMap<String, u64>,
    /// Alerts by severity.
    pub alerts_by_severity: BTreeMap<String, u64>,
    /// Events matched by each allow entry (sanctioned automation is reported, never invisible).
    pub allowed_events: BTreeMap<String, u64>,
    /// Alerts an allow entry suppressed, by entry name.
    pub suppressed: BTreeMap<String, u64>,
    /// Events by request kind.
    pub requests: BTreeMap<String, u64>,
    /// Events by agent kind.
    pub agents: BTreeMap<String, u64>,
    /// Entities tracked now, by kind.
    pub tracked: BTreeMap<String, u64>,
    /// Entities evicted from full tables, by kind.
    pub evicted: BTreeMap<String, u64>,
}

/// What the engine made of one event (hosts use it to annotate records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Request kind.
    pub request: RequestKind,
    /// Agent kind.
    pub agent: AgentKind,
    /// Hashed session id, when the event had one.
    pub session: Option<String>,
    /// Name of the allow entry that matched, if any.
    pub allowed_by: Option<String>,
    /// The event was too late and was skipped.
    pub late: bool,
}

/// A snapshot that cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a wikiwatch snapshot, or damaged.
    Corrupt(String),
    /// Written by another snapshot version.
    Version {
        /// Version found.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Corrupt(m) => write!(f, "state snapshot is corrupt: {m}"),
            SnapshotError::Version { found, expected } => {
                write!(f, "state snapshot version {found} cannot be read (this build reads {expected})")
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The detector. Create one per stream; feed it in event-time order (late events within
/// `limits.late_tolerance` are fine).
#[derive(Debug)]
pub struct Engine {
    config: Config,
    classifier: Classifier,
    decoder: Decoder,
    stats: Stats,
}

impl Engine {
    /// An engine for a validated config.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        config.validate()?;
        Ok(Engine {
            classifier: Classifier::new(&config.classify),
            decoder: Decoder::new(Format::Auto, config.decode.clone()),
            config,
            stats: Stats::default(),
        })
    }

    /// An engine from config JSON text.
    pub fn from_json(text: &str) -> Result<Engine, ConfigError> {
        Engine::new(Config::from_json(text)?)
    }

    /// The config in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decodes one raw line (no terminator) in `format` and processes its events.
    /// Returns the outcome of the line's last event (audit pages hold several), or `None`
    /// for a line that held no event.
    pub fn push_line(
        &mut self,
        line: &[u8],
        format: Format,
        sink: &mut dyn AlertSink,
    ) -> Result<Option<Outcome>, DecodeError> {
        self.stats.lines += 1;
        let mut decoder = std::mem::replace(&mut self.decoder, Decoder::new(Format::Auto, Default::default()));
        let _ = format;
        let mut last = None;
        let result = decoder.decode(line, &mut |ev| last = Some(self.push_event(&ev, sink)));
        self.decoder = decoder;
        match result {
            Ok(_) => Ok(last),
            Err(e) => {
                self.stats.rejected += 1;
                *self.stats.rejected_reasons.entry(e.reason.clone()).or_default() += 1;
                Err(e)
            }
        }
    }

    /// Processes one decoded event.
    pub fn push_event(&mut self, event: &AccessEvent<'_>, sink: &mut dyn AlertSink) -> Outcome {
        let _ = sink;
        self.stats.events += 1;
        let agent = self.classifier.agent(&event.agent);
        let request = self.classifier.request(&event.method, &event.target, agent).kind;
        Outcome { request, agent, session: None, allowed_by: None, late: false }
    }

    /// Flushes open windows at the end of input.
    pub fn finish(&mut self, sink: &mut dyn AlertSink) {
        let _ = sink;
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.stats.clone()
    }

    /// The whole engine state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }

    /// An engine for `config` that continues from `snapshot`.
    pub fn restore(config: Config, snapshot: &[u8]) -> Result<Engine, RestoreError> {
        let _ = snapshot;
        Engine::new(config).map_err(RestoreError::Config)
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
