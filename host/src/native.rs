//! The core compiled into this binary, behind the same batches as the component.

use crate::backend::{Backend, Rejected};
use crate::config_file::LoadedConfig;
use crate::fail::usage;
use anyhow::Result;
use wikiwatch_core::{batch_lines, AccessEvent, Alert, Engine, Format, Stats};

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

impl Backend for Native {
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
