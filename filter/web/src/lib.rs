//! # wikiwatch-web
//!
//! The wikiwatch detector for browsers and Node, built with wasm-bindgen. A thin adapter:
//! text in, `wikiwatch_core::Engine`, alerts out as plain JS objects in the docs/alerts.md shape
//! (parsed from the core's own `Alert::to_json`, so re-serialising one gives the native bytes).
//!
//! ```js
//! import init, { Detector } from "./pkg/wikiwatch_web.js";
//! await init();
//! const d = new Detector(configJson);          // throws Error("config: rules...: ...")
//! const alerts = d.feed(chunkOfText);          // any chunking: partial lines are buffered
//! alerts.push(...d.finish());
//! console.log(d.stats(), alerts);
//! ```

mod activity;
pub mod coverage;
pub mod lines;
mod merge;
mod report;

use activity::Activity;
use js_sys::{Array, JSON};
use lines::LineBuffer;
use wasm_bindgen::prelude::*;
use wikiwatch_core::{Alert, Config, Engine, Format};

use merge::Inputs;

/// A detector over one stream of log lines.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Detector {
    engine: Engine,
    format: Format,
    buffer: LineBuffer,
    activity: Option<Activity>,
    merge: Inputs,
}

/// Parses config JSON; an empty string means the built-in default config.
fn parse_config(config_json: &str) -> Result<Config, JsError> {
    if config_json.trim().is_empty() {
        return Ok(Config::default());
    }
    Config::from_json(config_json).map_err(|e| JsError::new(&e.to_string()))
}

fn parse_format(format: Option<String>) -> Result<Format, JsError> {
    match format.as_deref() {
        None | Some("") => Ok(Format::Auto),
        Some(name) => name.parse().map_err(|e: String| JsError::new(&e)),
    }
}

/// Alerts as a JS array of plain objects: one `JSON.parse` of the core's own JSON, so key
/// order and values are exactly the native ones.
fn alerts_to_js(alerts: &[Alert]) -> Result<Array, JsError> {
    if alerts.is_empty() {
        return Ok(Array::new());
    }
    let mut text = String::with_capacity(alerts.len() * 512);
    text.push('[');
    for (i, a) in alerts.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&a.to_json());
    }
    text.push(']');
    let value = JSON::parse(&text).map_err(|_| JsError::new("alert JSON did not parse"))?;
    Ok(value.unchecked_into())
}

fn json_to_js(text: &str) -> Result<JsValue, JsError> {
    JSON::parse(text).map_err(|_| JsError::new("internal JSON did not parse"))
}

#[wasm_bindgen]
impl Detector {
    /// A detector for `config_json` (empty: the default config) reading lines in `format`
    /// (`auto` when omitted). Throws an `Error` whose message is the config error, e.g.
    /// `config: rules.burst-rate.window: ...`.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str, format: Option<String>) -> Result<Detector, JsError> {
        let config = parse_config(config_json)?;
        let format = parse_format(format)?;
        let engine = Engine::new(config).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Detector::with_engine(engine, format))
    }

    /// A detector for `config_json` continuing from a `snapshot()` or a state file of any
    /// other host (`wikiwatch learn`, `replay --state`, Fluent Bit's `wikiwatch.state`), reading
    /// `format` (`auto` when omitted). Throws when the state is damaged, of another version, or
    /// written under a config with other allow entries.
    pub fn restore(
        config_json: &str,
        snapshot: &[u8],
        format: Option<String>,
    ) -> Result<Detector, JsError> {
        let config = parse_config(config_json)?;
        let format = parse_format(format)?;
        let engine = Engine::restore(config, snapshot).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Detector::with_engine(engine, format))
    }

    /// The built-in default config, pretty-printed (what runs when no config is given).
    #[wasm_bindgen(js_name = defaultConfig)]
    pub fn default_config() -> String {
        serde_json::to_string_pretty(&Config::default()).unwrap_or_default()
    }

    /// The config in force with every default filled in, pretty-printed.
    #[wasm_bindgen(js_name = effectiveConfig)]
    pub fn effective_config(&self) -> String {
        serde_json::to_string_pretty(self.engine.config()).unwrap_or_default()
    }

    /// Also keep per-entity activity (requests per minute, distinct pages) for plots. Call
    /// before feeding; costs a second decode of every line.
    #[wasm_bindgen(js_name = trackActivity)]
    pub fn track_activity(&mut self) {
        self.activity = Some(Activity::new(self.engine.config(), self.format));
    }

    /// Feeds text in any chunking: complete lines are processed, a trailing partial line
    /// waits for the next call or `finish()`. Returns the alerts raised.
    pub fn feed(&mut self, text: &str) -> Result<Array, JsError> {
        self.feed_bytes(text.as_bytes())
    }

    /// Like `feed`, for raw bytes (a `Uint8Array` from a file reader; no UTF-8 needed).
    #[wasm_bindgen(js_name = feedBytes)]
    pub fn feed_bytes(&mut self, bytes: &[u8]) -> Result<Array, JsError> {
        let mut alerts = Vec::new();
        let Detector { engine, format, buffer, activity, .. } = self;
        buffer.push(bytes, &mut |line| push(engine, activity, line, *format, &mut alerts));
        alerts_to_js(&alerts)
    }

    /// Feeds whole lines (an array of strings, terminators optional) in `format` (the
    /// detector's own when omitted, e.g. to merge several inputs). Returns the alerts raised.
    #[wasm_bindgen(js_name = feedLines)]
    pub fn feed_lines(&mut self, lines: Array, format: Option<String>) -> Result<Array, JsError> {
        let format = match format {
            Some(f) => parse_format(Some(f))?,
            None => self.format,
        };
        let mut alerts = Vec::new();
        let Detector { engine, activity, .. } = self;
        for (i, item) in lines.iter().enumerate() {
            let Some(text) = item.as_string() else {
                return Err(JsError::new(&format!("feedLines: element {i} is not a string")));
            };
            let mut one = LineBuffer::default();
            let mut each = |line: &[u8]| push(engine, activity, line, format, &mut alerts);
            one.push(text.as_bytes(), &mut each);
            one.flush(&mut each);
        }
        alerts_to_js(&alerts)
    }

    /// Processes any buffered partial line, ends the input (see the WIT `finish`) and returns
    /// the last alerts.
    pub fn finish(&mut self) -> Result<Array, JsError> {
        let mut alerts = Vec::new();
        let Detector { engine, format, buffer, activity, .. } = self;
        buffer.flush(&mut |line| push(engine, activity, line, *format, &mut alerts));
        engine.finish(&mut alerts);
        alerts_to_js(&alerts)
    }

    /// Counters so far, as a plain object (`events`, `rejected`, `alerts_by_rule`, ...).
    pub fn stats(&self) -> Result<JsValue, JsError> {
        let text = serde_json::to_string(&self.engine.stats())
            .map_err(|e| JsError::new(&e.to_string()))?;
        json_to_js(&text)
    }

    /// The whole engine state (a `Uint8Array`) for `Detector.restore`. A buffered partial line
    /// is not part of it: snapshot after `finish()` or at a line boundary.
    pub fn snapshot(&self) -> Vec<u8> {
        self.engine.snapshot()
    }

    /// Adds an input to merge with others by event time (like `wikiwatch replay A B`), read
    /// in `format` (`auto` when omitted: each input sniffs its own). Returns its index. Feed it
    /// with `feedInput`, close it with `endInput`; read next from `hungryInput()`.
    #[wasm_bindgen(js_name = addInput)]
    pub fn add_input(&mut self, format: Option<String>) -> Result<usize, JsError> {
        let format = parse_format(format)?;
        Ok(self.merge.add(format, self.engine.config().decode.clone()))
    }

    /// Bytes of merged input `index` (any chunking). Returns the alerts raised by the events
    /// this released.
    #[wasm_bindgen(js_name = feedInput)]
    pub fn feed_input(&mut self, index: usize, bytes: &[u8]) -> Result<Array, JsError> {
        if !self.merge.push(index, bytes) {
            return Err(JsError::new(&format!("feedInput: no input {index}")));
        }
        self.drain_merge()
    }

    /// Marks merged input `index` as complete. Returns the alerts raised.
    #[wasm_bindgen(js_name = endInput)]
    pub fn end_input(&mut self, index: usize) -> Result<Array, JsError> {
        if !self.merge.end(index) {
            return Err(JsError::new(&format!("endInput: no input {index}")));
        }
        self.drain_merge()
    }

    /// The merged input to read next (unfinished, nothing pending), or -1 when none starves.
    #[wasm_bindgen(js_name = hungryInput)]
    pub fn hungry_input(&self) -> i32 {
        self.merge.hungry().and_then(|i| i32::try_from(i).ok()).unwrap_or(-1)
    }

    /// Per merged input: `[{lines, events, rejected, format}]` (merged lines are decoded
    /// here, so their rejections are counted here rather than in `stats()`).
    #[wasm_bindgen(js_name = inputCounts)]
    pub fn input_counts(&self) -> Result<JsValue, JsError> {
        let text = serde_json::to_string(&self.merge.counts())
            .map_err(|e| JsError::new(&e.to_string()))?;
        json_to_js(&text)
    }

    /// Bytes of an unterminated last line waiting for more input.
    #[wasm_bindgen(getter, js_name = pendingBytes)]
    pub fn pending_bytes(&self) -> usize {
        self.buffer.pending()
    }

    /// Activity of the `n` busiest entities plus the `wanted` ones (`[[kind, id], ...]`):
    /// `{entities: [{kind, id, total, distinct_pages, minutes: [[ms, n]], pages: [[ms, n]],
    /// baseline: [{date, bands: [{metric, today, usual, allowed, basis, days}]}]}]}`; `baseline`
    /// (users only) is each day's final count against that day's band, as the rules judge it.
    /// `null` unless `trackActivity()` was called.
    pub fn activity(&self, n: usize, wanted: JsValue) -> Result<JsValue, JsError> {
        let Some(activity) = &self.activity else {
            return Ok(JsValue::NULL);
        };
        let wanted: Vec<(String, String)> = if wanted.is_undefined() || wanted.is_null() {
            Vec::new()
        } else {
            let text = JSON::stringify(&wanted)
                .map_err(|_| JsError::new("activity: wanted is not JSON"))?
                .as_string()
                .unwrap_or_default();
            serde_json::from_str(&text).map_err(|e| {
                JsError::new(&format!("activity: wanted must be [[kind, id], ...]: {e}"))
            })?
        };
        json_to_js(&activity.top_json(n, &wanted))
    }
}

impl Detector {
    fn with_engine(engine: Engine, format: Format) -> Detector {
        Detector {
            engine,
            format,
            buffer: LineBuffer::default(),
            activity: None,
            merge: Inputs::default(),
        }
    }

    fn drain_merge(&mut self) -> Result<Array, JsError> {
        let mut alerts = Vec::new();
        let Detector { engine, merge, activity, .. } = self;
        merge.drain(&mut |ev| {
            engine.push_event(ev, &mut alerts);
            if let Some(a) = activity {
                a.observe_event(ev, engine);
            }
        });
        alerts_to_js(&alerts)
    }
}

/// One line through the engine (and the activity counters when on). A rejected line is
/// counted in the engine's stats; nothing else to do with it here.
fn push(
    engine: &mut Engine,
    activity: &mut Option<Activity>,
    line: &[u8],
    format: Format,
    alerts: &mut Vec<Alert>,
) {
    let _ = engine.push_line(line, format, alerts);
    if let Some(a) = activity {
        a.observe_line(line, format, engine);
    }
}
