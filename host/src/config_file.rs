//! `--config FILE`: read, parsed and validated once, its text kept for the component.

use crate::fail::usage;
use crate::input::read_file;
use anyhow::Result;
use std::path::Path;
use wikiwatch_core::Config;

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
