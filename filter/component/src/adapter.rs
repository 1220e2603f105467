//! The export table: WIT types in, core calls, WIT types out.

use crate::bindings::{self, wit};
use crate::convert;
use std::cell::RefCell;
use wikiwatch_core::{Config, ConfigError, Engine, RestoreError};

/// The component's export table.
struct Component;

/// The `engine` resource: the core engine behind a `RefCell`, since WIT methods take `&self`.
struct EngineResource {
    engine: RefCell<Engine>,
}

/// Config from JSON text; an empty text means the built-in default config.
fn parse_config(text: &str) -> Result<Config, ConfigError> {
    if text.trim().is_empty() {
        Ok(Config::default())
    } else {
        Config::from_json(text)
    }
}

fn config_error(e: ConfigError) -> wit::ConfigError {
    wit::ConfigError { key: e.key, message: e.message }
}

impl wit::Guest for Component {
    type Engine = EngineResource;
}

impl wit::GuestEngine for EngineResource {
    fn create(config: String) -> Result<wit::Engine, wit::ConfigError> {
        let engine = parse_config(&config).and_then(Engine::new).map_err(config_error)?;
        Ok(wit::Engine::new(EngineResource { engine: RefCell::new(engine) }))
    }

    fn restore(config: String, snapshot: Vec<u8>) -> Result<wit::Engine, wit::RestoreError> {
        let config =
            parse_config(&config).map_err(|e| wit::RestoreError::Config(config_error(e)))?;
        let engine = Engine::restore(config, &snapshot).map_err(|e| match e {
            RestoreError::Config(c) => wit::RestoreError::Config(config_error(c)),
            RestoreError::Snapshot(s) => wit::RestoreError::Snapshot(s.to_string()),
        })?;
        Ok(wit::Engine::new(EngineResource { engine: RefCell::new(engine) }))
    }

    fn feed_lines(&self, lines: Vec<u8>, format: wit::Format) -> wit::BatchResult {
        let format = convert::format(format);
        let mut engine = self.engine.borrow_mut();
        let mut alerts = Vec::new();
        let mut rejected = Vec::new();
        let before = engine.stats().events;
        for (index, line) in wikiwatch_core::batch_lines(&lines).enumerate() {
            if let Err(e) = engine.push_line(line, format, &mut alerts) {
                rejected.push(wit::RejectedLine {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    reason: e.reason,
                });
            }
        }
        let events = engine.stats().events.saturating_sub(before);
        wit::BatchResult {
            alerts: alerts.into_iter().map(convert::alert).collect(),
            rejected,
            events: u32::try_from(events).unwrap_or(u32::MAX),
        }
    }

    fn feed_events(&self, events: Vec<wit::Event>) -> wit::BatchResult {
        let mut engine = self.engine.borrow_mut();
        let mut alerts = Vec::new();
        for event in &events {
            engine.push_event(&convert::event(event), &mut alerts);
        }
        wit::BatchResult {
            alerts: alerts.into_iter().map(convert::alert).collect(),
            rejected: Vec::new(),
            events: u32::try_from(events.len()).unwrap_or(u32::MAX),
        }
    }

    fn finish(&self) -> Vec<wit::Alert> {
        let mut alerts = Vec::new();
        self.engine.borrow_mut().finish(&mut alerts);
        alerts.into_iter().map(convert::alert).collect()
    }

    fn stats(&self) -> String {
        serde_json::to_string(&self.engine.borrow().stats()).unwrap_or_default()
    }

    fn snapshot(&self) -> Vec<u8> {
        self.engine.borrow().snapshot()
    }
}

bindings::export!(Component with_types_in bindings);
