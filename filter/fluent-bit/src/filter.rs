//! One record in, one annotated record out: the whole filter, minus the wasm ABI.
//!
//! Contract (what Fluent Bit needs to never drop or mangle a record):
//! - the result is always one JSON object followed by a NUL, never empty;
//! - a JSON object comes back byte for byte as it was, with `"wikiwatch":{...}` spliced in
//!   before its closing brace when the record was an access event (with `annotate: alerts`,
//!   only when it also raised an alert; bytes that are not valid UTF-8 are passed through
//!   untouched: Fluent Bit's JSON reader takes them as they were);
//! - a record that is not an event, or already carries `wikiwatch`, comes back unchanged;
//! - anything that is not a JSON object comes back as
//!   `{"log":"<the input, as lossy UTF-8>","wikiwatch":{"error":"..."}}`.

use crate::annotation::{self, Annotation};
use crate::record::{self, Shape};
use crate::settings::{Annotate, FluentBitSettings};
use std::borrow::Cow;
use wikiwatch_core::decode::{reason, Decoder};
use wikiwatch_core::{Alert, Config, DecodeError, Engine, Format};

/// The filter's whole state: one per module instance, alive for the whole Fluent Bit run.
#[derive(Debug)]
pub struct Filter {
    engine: Option<Engine>,
    /// First configured time key of JSON records, where Fluent Bit's time goes when a record
    /// has none.
    time_key: Option<String>,
    // One decoder for every record: `auto` judges each line on its own (trying the last
    // format that worked first), so mixed sources through one filter all decode.
    decoder: Decoder,
    out: Vec<u8>,
    alerts: Vec<Alert>,
    /// The last annotated record's note, kept so its strings' buffers serve the next one.
    note: Option<Annotation>,
    annotate: Annotate,
    rejection_logged: bool,
}

impl Filter {
    /// A filter running `config`, annotating every access event. If the engine cannot be
    /// built (it can only fail for a config that did not validate), records pass through
    /// unchanged and `log` is told why.
    pub fn new(config: Config, log: &mut dyn FnMut(&str)) -> Filter {
        Filter::with_settings(config, FluentBitSettings::default(), log)
    }

    /// [`Filter::new`] with the config file's `fluent_bit` section.
    pub fn with_settings(
        config: Config,
        settings: FluentBitSettings,
        log: &mut dyn FnMut(&str),
    ) -> Filter {
        let time_key = config.decode.time.first().cloned();
        let decoder = Decoder::new(Format::Auto, config.decode.clone());
        let engine = match Engine::new(config) {
            Ok(engine) => Some(engine),
            Err(e) => {
                log(&format!(
                    "wikiwatch: cannot start the detector ({e}); records pass through unannotated"
                ));
                None
            }
        };
        Filter {
            engine,
            time_key,
            decoder,
            out: Vec::with_capacity(4096),
            alerts: Vec::new(),
            note: None,
            annotate: settings.annotate,
            rejection_logged: false,
        }
    }

    /// Continues from a saved state (an `Engine::snapshot`) under this filter's config.
    pub fn restore(&mut self, snapshot: &[u8]) -> Result<(), String> {
        let Some(engine) = &self.engine else {
            return Err("the detector is not running".into());
        };
        let engine =
            Engine::restore(engine.config().clone(), snapshot).map_err(|e| e.to_string())?;
        self.engine = Some(engine);
        Ok(())
    }

    /// The detector's state, for saving; `None` when it is not running.
    pub fn snapshot(&self) -> Option<Vec<u8>> {
        self.engine.as_ref().map(Engine::snapshot)
    }

    /// Filters one record (`record` without its NUL) and returns the result followed by a NUL.
    /// `time_sec`/`time_nsec` are Fluent Bit's record time, used when the record has none.
    /// (The tag plays no part: `auto` decoding tells sources apart by their content.)
    pub fn filter(
        &mut self,
        time_sec: u32,
        time_nsec: u32,
        record: &[u8],
        log: &mut dyn FnMut(&str),
    ) -> &[u8] {
        self.out.clear();
        let time_ms = fallback_ms(time_sec, time_nsec);
        match record::plain_ascii_line(record) {
            // No control characters in it, so no line end to trim either.
            Some(line) => self.annotate(time_ms, record, record.len() - 1, 1, line, log),
            None => self.any_record(time_ms, record, log),
        }
        self.out.push(0);
        &self.out
    }

    /// A record of any shape, or none: read as text, then as JSON.
    fn any_record(&mut self, time_ms: i64, record: &[u8], log: &mut dyn FnMut(&str)) {
        // `from_utf8` first: its validation skips ASCII a word at a time, the lossy scan goes
        // byte by byte (and bytes are what an interpreter pays for).
        let text = match std::str::from_utf8(record) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(record),
        };
        match record::parse(&text) {
            Ok(shape) => self.object(time_ms, record, &text, shape, log),
            Err(e) => {
                self.out.extend_from_slice(b"{\"log\":");
                annotation::string(&mut self.out, &text);
                self.out.push(b',');
                annotation::write_error(&mut self.out, &e.0);
                self.out.push(b'}');
            }
        }
    }

    /// Detection state so far (for tests and diagnostics).
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    fn object(
        &mut self,
        time_ms: i64,
        record: &[u8],
        text: &str,
        shape: Shape<'_>,
        log: &mut dyn FnMut(&str),
    ) {
        let (Some(close), false) = (record::closing_brace(record), shape.annotated) else {
            self.out.extend_from_slice(record);
            return;
        };
        let input = match &shape.log {
            // `tail` without a parser: the raw line, as the CLI reads it from the file.
            Some(line) => trim_newline(line.as_bytes()),
            // A parsed record (nginx/apache parser, ECS JSON, audit record): the record itself.
            None => text.as_bytes(),
        };
        self.annotate(time_ms, record, close, shape.keys, input, log);
    }

    /// Runs `input` (a `tail` line, or the whole record) through the detector and writes the
    /// record with its annotation spliced in before `close`, its closing brace; the record as
    /// it was when `input` is not an event, or raised no alert and only alerts are annotated.
    fn annotate(
        &mut self,
        time_ms: i64,
        record: &[u8],
        close: usize,
        keys: usize,
        input: &[u8],
        log: &mut dyn FnMut(&str),
    ) {
        let result = self.detect(input, time_ms);
        let wanted = annotates(self.annotate, &self.alerts);
        match (result, &self.note) {
            (Ok(true), Some(note)) if wanted => {
                self.out.extend_from_slice(&record[..close]);
                if keys > 0 {
                    self.out.push(b',');
                }
                let form = self.engine.as_ref().map(|e| e.config().output).unwrap_or_default();
                annotation::write(&mut self.out, note, &self.alerts, form);
                self.out.extend_from_slice(&record[close..]);
            }
            (Ok(_), _) => self.out.extend_from_slice(record),
            (Err(e), _) => {
                if !self.rejection_logged {
                    self.rejection_logged = true;
                    log(&format!(
                        "wikiwatch: a record was not recognised as a Confluence access event ({e}); \
                         such records pass through unannotated (logged once)"
                    ));
                }
                self.out.extend_from_slice(record);
            }
        }
    }

    /// Decodes `input` and runs its events through the engine; alerts land in `self.alerts`.
    /// A JSON record without a time of its own (Fluent Bit parsers move the parsed time into
    /// the record's timestamp unless `Time_Keep` is on) is decoded again with Fluent Bit's
    /// time added under the first configured time key.
    /// `Ok(true)` when it held an event; then, if the record is to be annotated, `self.note`
    /// tells of its last one.
    fn detect(&mut self, input: &[u8], time_ms: i64) -> Result<bool, DecodeError> {
        match self.decode(input) {
            Err(e) if e.reason == reason::MISSING_TIME => {
                match with_time(input, self.time_key.as_deref(), time_ms) {
                    Some(timed) => self.decode(&timed),
                    None => Err(e),
                }
            }
            result => result,
        }
    }

    fn decode(&mut self, input: &[u8]) -> Result<bool, DecodeError> {
        self.alerts.clear();
        let Some(engine) = self.engine.as_mut() else {
            return Ok(false);
        };
        let (alerts, note, annotate) = (&mut self.alerts, &mut self.note, self.annotate);
        let mut events = 0;
        self.decoder.decode(input, &mut |event| {
            let outcome = engine.push_event(&event, alerts);
            events += 1;
            // A note no record will carry is not worth its copies (most records, when only
            // alerts are annotated). Once the record has an alert, every later event of it
            // writes the note, so it still tells of the last one.
            if !annotates(annotate, alerts) {
                return;
            }
            match note {
                Some(note) => {
                    note.outcome = outcome;
                    keep(&mut note.user, event.user.as_deref());
                    keep(&mut note.ip, event.client.as_deref());
                    note.events = events;
                }
                None => {
                    *note = Some(Annotation {
                        outcome,
                        user: event.user.map(Cow::into_owned),
                        ip: event.client.map(Cow::into_owned),
                        events,
                    })
                }
            }
        })?;
        Ok(events > 0)
    }
}

/// Whether a record that raised `alerts` leaves with the annotation.
fn annotates(annotate: Annotate, alerts: &[Alert]) -> bool {
    annotate == Annotate::All || !alerts.is_empty()
}

/// Copies `value` into `slot`, in the buffer `slot` already has when it can (an allocation
/// and a free fewer per record, which an interpreter pays dearly for).
fn keep(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(kept), Some(value)) => {
            kept.clear();
            kept.push_str(value);
        }
        (_, value) => *slot = value.map(str::to_owned),
    }
}

/// `{"<key>":<time_ms>, ...the record's own fields}`; `None` when `input` is not an object
/// or no time key is configured.
fn with_time(input: &[u8], key: Option<&str>, time_ms: i64) -> Option<Vec<u8>> {
    let key = key?;
    let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = input[start..].strip_prefix(b"{")?;
    let empty = rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}');
    let mut out = Vec::with_capacity(input.len() + key.len() + 24);
    out.push(b'{');
    annotation::string(&mut out, key);
    out.extend_from_slice(format!(":{time_ms}").as_bytes());
    if !empty {
        out.push(b',');
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// Fluent Bit's record time in ms, the fallback for records without a time of their own.
fn fallback_ms(time_sec: u32, time_nsec: u32) -> i64 {
    i64::from(time_sec) * 1000 + i64::from(time_nsec / 1_000_000)
}

fn trim_newline(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
