//! One record in, one annotated record out: the whole filter, minus the wasm ABI.
//!
//! Contract (what Fluent Bit needs to never drop or mangle a record):
//! - the result is always one JSON object followed by a NUL, never empty;
//! - a JSON object comes back byte for byte as it was, with `"wikiwatch":{...}` spliced in
//!   before its closing brace when the record was an access event (bytes that are not valid
//!   UTF-8 are passed through untouched: Fluent Bit's JSON reader takes them as they were);
//! - a record that is not an event, or already carries `wikiwatch`, comes back unchanged;
//! - anything that is not a JSON object comes back as
//!   `{"log":"<the input, as lossy UTF-8>","wikiwatch":{"error":"..."}}`.

use crate::annotation::{self, Annotation};
use crate::record::{self, Shape};
use std::borrow::Cow;
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::{Alert, Config, DecodeError, Engine, Format};

/// Decoders kept per (tag, kind of record): each source settles its own format, as each
/// file does in the CLI. Past this many, records are sniffed one by one.
const MAX_DECODERS: usize = 64;

/// The filter's whole state: one per module instance, alive for the whole Fluent Bit run.
#[derive(Debug)]
pub struct Filter {
    engine: Option<Engine>,
    config: Config,
    decoders: Vec<(Vec<u8>, bool, Decoder)>,
    out: Vec<u8>,
    alerts: Vec<Alert>,
    rejection_logged: bool,
}

impl Filter {
    /// A filter running `config`. If the engine cannot be built (it can only fail for a
    /// config that did not validate), records pass through unchanged and `log` is told why.
    pub fn new(config: Config, log: &mut dyn FnMut(&str)) -> Filter {
        let engine = match Engine::new(config.clone()) {
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
            config,
            decoders: Vec::new(),
            out: Vec::with_capacity(4096),
            alerts: Vec::new(),
            rejection_logged: false,
        }
    }

    /// Filters one record (`record` without its NUL) and returns the result followed by a NUL.
    /// `time_sec`/`time_nsec` are Fluent Bit's record time, used when the record has none.
    pub fn filter(
        &mut self,
        tag: &[u8],
        time_sec: u32,
        time_nsec: u32,
        record: &[u8],
        log: &mut dyn FnMut(&str),
    ) -> &[u8] {
        self.out.clear();
        let text = String::from_utf8_lossy(record);
        match record::parse(&text) {
            Ok(shape) => self.object(
                tag,
                fallback_ms(time_sec, time_nsec),
                record,
                &text,
                shape,
                log,
            ),
            Err(e) => {
                self.out.extend_from_slice(b"{\"log\":");
                annotation::string(&mut self.out, &text);
                self.out.push(b',');
                annotation::write_error(&mut self.out, &e.0);
                self.out.push(b'}');
            }
        }
        self.out.push(0);
        &self.out
    }

    /// Detection state so far (for tests and diagnostics).
    pub fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref()
    }

    fn object(
        &mut self,
        tag: &[u8],
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
        let raw_line = shape.log.is_some();
        let result = match &shape.log {
            // `tail` without a parser: the raw line, as the CLI reads it from the file.
            Some(line) => self.detect(tag, raw_line, trim_newline(line).as_bytes(), time_ms),
            // A parsed record (nginx/apache parser, ECS JSON, audit record): the record itself.
            None => self.detect(tag, raw_line, text.as_bytes(), time_ms),
        };
        match result {
            Ok(Some(note)) => {
                self.out.extend_from_slice(&record[..close]);
                if shape.keys > 0 {
                    self.out.push(b',');
                }
                annotation::write(&mut self.out, &note, &self.alerts);
                self.out.extend_from_slice(&record[close..]);
            }
            Ok(None) => self.out.extend_from_slice(record),
            Err(e) => {
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
    fn detect(
        &mut self,
        tag: &[u8],
        raw_line: bool,
        input: &[u8],
        time_ms: i64,
    ) -> Result<Option<Annotation>, DecodeError> {
        self.alerts.clear();
        let Some(engine) = self.engine.as_mut() else {
            return Ok(None);
        };
        let decoder = decoder_for(&mut self.decoders, &self.config, tag, raw_line);
        let alerts = &mut self.alerts;
        let mut note: Option<Annotation> = None;
        let mut events = 0;
        decoder.decode(input, &mut |mut event| {
            if event.time_ms == 0 {
                event.time_ms = time_ms;
            }
            let outcome = engine.push_event(&event, alerts);
            events += 1;
            note = Some(Annotation {
                outcome,
                user: event.user.map(Cow::into_owned),
                ip: event.client.map(Cow::into_owned),
                events,
            });
        })?;
        Ok(note)
    }
}

fn decoder_for<'a>(
    decoders: &'a mut Vec<(Vec<u8>, bool, Decoder)>,
    config: &Config,
    tag: &[u8],
    raw_line: bool,
) -> &'a mut Decoder {
    let found = decoders
        .iter()
        .position(|(t, r, _)| t == tag && *r == raw_line);
    let index = match found {
        Some(i) => i,
        None => {
            if decoders.len() >= MAX_DECODERS {
                // Too many sources to remember: recycle the last slot (a fresh sniff per record).
                decoders.pop();
            }
            decoders.push((
                tag.to_vec(),
                raw_line,
                Decoder::new(Format::Auto, config.decode.clone()),
            ));
            decoders.len() - 1
        }
    };
    &mut decoders[index].2
}

/// Fluent Bit's record time in ms, the fallback for records without a time of their own.
fn fallback_ms(time_sec: u32, time_nsec: u32) -> i64 {
    i64::from(time_sec) * 1000 + i64::from(time_nsec / 1_000_000)
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}
