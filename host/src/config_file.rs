//! `--config FILE`: read, parsed and validated once, its text kept for the component.

use crate::fail::usage;
use crate::input::read_file;
use anyhow::Result;
use std::path::Path;
use wikiwatch_core::Config;
use wikiwatch_fluent_bit::settings::{FluentBitSettings, SECTION};

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
    // The Fluent Bit module's own section is checked too, so `check-config` and `learn` take
    // the very file the module reads; the component is handed the shared config without it.
    let (config, _): (Config, FluentBitSettings) = Config::from_json_with(&text, SECTION)
        .map_err(|e| usage(format!("{}: {e}", path.display())))?;
    let text = without(&text, SECTION);
    Ok(LoadedConfig { text, config })
}

/// `text` without its top-level `key` (unchanged when it has none).
fn without(text: &str, key: &str) -> String {
    match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(serde_json::Value::Object(mut o)) => match o.remove(key) {
            Some(_) => serde_json::Value::Object(o).to_string(),
            None => text.to_string(),
        },
        _ => text.to_string(),
    }
}
