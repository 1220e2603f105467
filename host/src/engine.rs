//! One interface over the two places detection can run: the component (sandboxed, default)
//! and the core compiled into this binary. Both see exactly the same batches.

use crate::cli::{EngineKind, SandboxArgs};
use crate::component::ComponentDetector;
use crate::fail::usage;
use crate::input::read_file;
use anyhow::Result;
use std::path::Path;
use wikiwatch_core::{batch_lines, AccessEvent, Alert, Config, Engine, Format, Stats};

/// A config as loaded: its text (handed to the component) and the parsed value.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// JSON text; empty for the built-in default.
    pub text: String,
    /// Parsed and validated.
    pub config: Config,
}

/// Loads and validates `--config` (exit 2 naming the key on a bad config, 1 when unreadable).
pub fn load_config(path: Option<&Path>) -> Result<LoadedConfig> {
    let Some(path) = path else {
        return Ok(LoadedConfig { text: String::new(), config: Config::default() });
    };
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| usage(format!("{}: config: not UTF-8 text", path.display())))?;
    let config = Config::from_json(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    Ok(LoadedConfig { text, config })
}

/// A line the decoder refused: its index in the batch and why.
pub type Rejected = (u32, String);

/// A detector the host feeds in batches.
pub trait Detector {
    /// Feeds `lines`, each terminated by `\n`; alerts and rejected lines are appended.
    fn feed_lines(
        &mut self,
        lines: &[u8],
        format: Format,
        alerts: &mut Vec<Alert>,
        rejected: &mut Vec<Rejected>,
    ) -> Result<()>;
    /// Feeds events the host decoded.
    fn feed_events(
        &mut self,
        events: &[AccessEvent<'static>],
        alerts: &mut Vec<Alert>,
    ) -> Result<()>;
    /// Flushes at end of input.
    fn finish(&mut self, alerts: &mut Vec<Alert>) -> Result<()>;
    /// The core's counters.
    fn stats(&mut self) -> Result<Stats>;
    /// The engine state.
    fn snapshot(&mut self) -> Result<Vec<u8>>;
    /// The sandbox's linear memory, largest so far and allowed, in bytes (`None` in-process).
    fn guest_memory(&self) -> Option<(u64, u64)> {
        None
    }
}

/// Creates the detector of `kind`, restoring `state` when given.
pub fn open(
    kind: EngineKind,
    config: &LoadedConfig,
    state: Option<&[u8]>,
    sandbox: &SandboxArgs,
) -> Result<Box<dyn Detector>> {
    Ok(match kind {
        EngineKind::Native => Box::new(Native::new(config, state)?),
        EngineKind::Component => Box::new(ComponentDetector::new(config, state, sandbox)?),
    })
}

/// The core in-process.
#[derive(Debug)]
pub struct Native {
    engine: Engine,
}

impl Native {
    /// An engine for `config`, continuing from `state` when given.
    pub fn new(config: &LoadedConfig, state: Option<&[u8]>) -> Result<Native> {
        let engine = match state {
            Some(bytes) => Engine::restore(config.config.clone(), bytes)
                .map_err(|e| usage(format!("state: {e}")))?,
            None => Engine::new(config.config.clone()).map_err(|e| usage(e.to_string()))?,
        };
        Ok(Native { engine })
    }
}

impl Detector for Native {
    fn feed_lines(
        &mut self,
        lines: &[u8],
        format: Format,
        alerts: &mut Vec<Alert>,
        rejected: &mut Vec<Rejected>,
    ) -> Result<()> {
        for (i, line) in batch_lines(lines).enumerate() {
            if let Err(e) = self.engine.push_line(line, format, alerts) {
                rejected.push((u32::try_from(i).unwrap_or(u32::MAX), e.reason));
            }
        }
        Ok(())
    }

    fn feed_events(
        &mut self,
        events: &[AccessEvent<'static>],
        alerts: &mut Vec<Alert>,
    ) -> Result<()> {
        for e in events {
            self.engine.push_event(e, alerts);
        }
        Ok(())
    }

    fn finish(&mut self, alerts: &mut Vec<Alert>) -> Result<()> {
        self.engine.finish(alerts);
        Ok(())
    }

    fn stats(&mut self) -> Result<Stats> {
        Ok(self.engine.stats())
    }

    fn snapshot(&mut self) -> Result<Vec<u8>> {
        Ok(self.engine.snapshot())
    }
}
