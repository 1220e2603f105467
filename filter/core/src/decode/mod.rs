//! Decoders: one file per input format, each turning a line into zero or more [`AccessEvent`]s.
//!
//! | format              | file          | notes                                                  |
//! |---------------------|---------------|--------------------------------------------------------|
//! | `confluence-access` | `access.rs`   | default `conf_access_log` pattern, optional leading XFF |
//! | `combined`          | `combined.rs` | nginx/Apache combined (and common, and nginx `main`)   |
//! | `json`              | `json.rs`     | field map of [`DecodeConfig`]; wrapped `log`/`message` lines |
//! | `audit`             | `audit.rs`    | four Atlassian shapes, single records or pages         |
//! | `auto`              | `sniff.rs`    | per-line sniffing, last format tried first             |
//!
//! Text formats borrow every field from the line (no allocation per field); JSON formats
//! borrow from the parsed record. Timestamps are parsed by hand in `time.rs`. Decoders never
//! panic, whatever the bytes: a line that does not decode is rejected with one of the fixed
//! [`reason`]s. Invalid UTF-8 in a text line is replaced (U+FFFD) rather than rejected; a JSON
//! line must be UTF-8. Blank lines decode to no event.

use crate::event::AccessEvent;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod access;
mod audit;
mod audit_action;
mod combined;
mod fields;
mod json;
mod sniff;
mod time;

/// The fixed set of rejection reasons ([`DecodeError::reason`]), so hosts can count them.
pub mod reason {
    /// A text line that is not UTF-8 where it matters, or a JSON line that is not UTF-8.
    pub const INVALID_UTF8: &str = "invalid UTF-8";
    /// Longer than [`super::MAX_LINE`] (text) or [`super::MAX_JSON_LINE`] (JSON).
    pub const TOO_LONG: &str = "line too long";
    /// The line stops before its last required field.
    pub const TRUNCATED: &str = "truncated line";
    /// A time that does not parse or names an impossible date.
    pub const BAD_TIMESTAMP: &str = "bad timestamp";
    /// An HTTP status that is not three digits.
    pub const BAD_STATUS: &str = "bad status";
    /// A byte count that is not a number or `-`.
    pub const BAD_BYTES: &str = "bad bytes";
    /// A request field that is not where the format puts it.
    pub const BAD_REQUEST: &str = "bad request line";
    /// A line starting with `{` or `[` that is not valid JSON (or nests too deep).
    pub const NOT_JSON: &str = "not JSON";
    /// Valid JSON that is not an object (for the `json` format).
    pub const NOT_OBJECT: &str = "not a JSON object";
    /// A JSON record without a time field.
    pub const MISSING_TIME: &str = "missing time";
    /// A JSON record with neither method nor target.
    pub const MISSING_REQUEST: &str = "missing request";
    /// A JSON object that has none of the audit shapes' fields.
    pub const NOT_AUDIT: &str = "not an audit record";
    /// An audit record with no action key, action or summary.
    pub const MISSING_ACTION: &str = "missing action";
    /// A line in none of the known formats.
    pub const UNRECOGNISED: &str = "unrecognised format";

    /// Every reason, for hosts that pre-register counters.
    pub const ALL: [&str; 14] = [
        INVALID_UTF8,
        TOO_LONG,
        TRUNCATED,
        BAD_TIMESTAMP,
        BAD_STATUS,
        BAD_BYTES,
        BAD_REQUEST,
        NOT_JSON,
        NOT_OBJECT,
        MISSING_TIME,
        MISSING_REQUEST,
        NOT_AUDIT,
        MISSING_ACTION,
        UNRECOGNISED,
    ];
}

/// The request target of an absolute `http(s)` URL: `https://host/path?q` -> `/path?q`, empty
/// when the URL has no path; `None` for anything else (a relative URL, `-`).
pub fn request_target(url: &str) -> Option<&str> {
    let after = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    Some(&after[after.find('/').unwrap_or(after.len())..])
}

/// The lines of a batch as hosts pass them: each line ends with `\n`, and a final piece
/// without one is a line too; an empty batch has no lines. Found with `memchr`, which scans
/// many bytes a step where the target has SIMD.
pub fn batch_lines(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len()));
    std::iter::from_fn(move || {
        let end = ends.next()?;
        let line = &body[start..end];
        start = end + 1;
        Some(line)
    })
    .take(if buf.is_empty() { 0 } else { usize::MAX })
}

/// Longest text line decoded (1 MiB); longer lines are rejected as [`reason::TOO_LONG`].
pub const MAX_LINE: usize = 1 << 20;
/// Longest JSON line decoded (16 MiB), since one line may hold a whole page of audit records.
pub const MAX_JSON_LINE: usize = 16 << 20;

/// Input formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Sniff every line cheaply, trying the format of the last line that decoded first.
    Auto,
    /// Confluence Data Center/Server `conf_access_log`.
    ConfluenceAccess,
    /// nginx/Apache combined log.
    Combined,
    /// Atlassian audit records (Data Center files and REST, Cloud, organization); alias `cloud-audit`.
    Audit,
    /// JSON lines with a field map (ECS and Fluent Bit parser fields by default).
    Json,
}

impl Format {
    /// Every format name accepted on the command line, aliases last.
    pub const NAMES: [&'static str; 6] =
        ["auto", "confluence-access", "combined", "audit", "json", "cloud-audit"];

    /// Canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::ConfluenceAccess => "confluence-access",
            Format::Combined => "combined",
            Format::Audit => "audit",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "auto" => Format::Auto,
            "confluence-access" => Format::ConfluenceAccess,
            "combined" => Format::Combined,
            "audit" | "cloud-audit" => Format::Audit,
            "json" => Format::Json,
            _ => return Err(format!("unknown format `{s}` (one of {})", Format::NAMES.join(", "))),
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a line was rejected. Reasons are short, fixed phrases so they can be counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong with the line.
    pub reason: String,
}

impl DecodeError {
    /// A rejection with `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        DecodeError { reason: reason.into() }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// Config of the `json` format (`"decode"` key): where each event field is found.
/// Each entry lists dotted paths tried in order; the defaults cover ECS and Fluent Bit's
/// nginx/apache parsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct DecodeConfig {
    /// Event time (RFC 3339 string, epoch seconds or ms, or access-log time).
    pub time: Vec<String>,
    /// Client address.
    pub client: Vec<String>,
    /// User name.
    pub user: Vec<String>,
    /// Session id.
    pub session: Vec<String>,
    /// HTTP method.
    pub method: Vec<String>,
    /// Path and query.
    pub target: Vec<String>,
    /// HTTP status.
    pub status: Vec<String>,
    /// Response bytes.
    pub bytes: Vec<String>,
    /// User agent.
    pub agent: Vec<String>,
    /// Referer (reports only: it joins a page's id to its title).
    pub referer: Vec<String>,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
        DecodeConfig {
            time: v(&["@timestamp", "timestamp", "time"]),
            client: v(&["source.ip", "client.ip", "remote", "host"]),
            user: v(&["user.name", "user"]),
            session: v(&["session.id"]),
            method: v(&["http.request.method", "method"]),
            target: v(&["url.original", "url.path", "path"]),
            status: v(&["http.response.status_code", "code", "status"]),
            bytes: v(&["http.response.body.bytes", "size", "bytes"]),
            agent: v(&["user_agent.original", "agent", "user_agent"]),
            referer: v(&["http.request.referrer", "referer", "referrer"]),
        }
    }
}

/// A line decoder. With [`Format::Auto`] it sniffs every line cheaply (JSON or text, then the
/// text layout), trying the format of the last line that decoded first.
#[derive(Debug, Clone)]
pub struct Decoder {
    format: Format,
    config: DecodeConfig,
    last: Option<Format>,
    skipped_records: u64,
}

impl Decoder {
    /// A decoder for `format`, using `config` for the `json` format.
    pub fn new(format: Format, config: DecodeConfig) -> Self {
        Decoder { format, config, last: None, skipped_records: 0 }
    }

    /// The format in use: for `Auto`, the format of the last line that decoded (`Auto` until
    /// one has).
    pub fn format(&self) -> Format {
        match self.format {
            Format::Auto => self.last.unwrap_or(Format::Auto),
            f => f,
        }
    }

    /// Records inside audit pages that did not decode while other records of the same line
    /// did (such lines still return `Ok`, so these are not in the engine's rejected count).
    pub fn skipped_records(&self) -> u64 {
        self.skipped_records
    }

    /// Decodes one line (line terminator optional) and hands each event to `out`.
    /// Returns how many events the line held (audit pages hold many; a blank line holds none)
    /// or why it was rejected.
    pub fn decode(
        &mut self,
        line: &[u8],
        out: &mut dyn FnMut(AccessEvent<'_>),
    ) -> Result<usize, DecodeError> {
        self.decode_as(self.format, line, out)
    }

    /// Like [`Decoder::decode`], in `format` for this line only (the auto memory is kept).
    pub fn decode_as(
        &mut self,
        format: Format,
        line: &[u8],
        out: &mut dyn FnMut(AccessEvent<'_>),
    ) -> Result<usize, DecodeError> {
        sniff::decode(self, format, line, out).map_err(DecodeError::new)
    }
}

#[cfg(test)]
mod url_tests {
    use super::request_target;

    #[test]
    fn absolute_urls_give_their_request_target() {
        let t = request_target("https://wiki.example.com/display/QA/T?x=1");
        assert_eq!(t, Some("/display/QA/T?x=1"));
        assert_eq!(request_target("http://localhost:8090"), Some(""));
        assert_eq!(request_target("/display/QA/T"), None);
        assert_eq!(request_target("-"), None);
    }
}

#[cfg(test)]
mod batch_tests {
    use super::batch_lines;

    #[test]
    fn batches_split_like_lines_of_a_file() {
        let lines = |b: &'static [u8]| batch_lines(b).collect::<Vec<_>>();
        assert!(lines(b"").is_empty());
        assert_eq!(lines(b"\n"), [b""]);
        assert_eq!(lines(b"a\nb\n"), [&b"a"[..], b"b"]);
        assert_eq!(lines(b"a\n\nb"), [&b"a"[..], b"", b"b"]);
        assert_eq!(lines(b"a\r\n"), [b"a\r"]);
    }
}
