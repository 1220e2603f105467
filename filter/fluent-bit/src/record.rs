//! The shape of one Fluent Bit record: is it a JSON object, which top-level keys matter, and
//! where its closing brace is (so the annotation can be spliced in without re-serialising).
//!
//! Only the top level is looked at; nested values are validated and skipped
//! (`IgnoredAny`), so the original text is never rebuilt and key order is kept as it was.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use wikiwatch_core::bytes::{json_plain, json_plain_ascii};

/// The key this filter adds to every record it annotates.
pub const FIELD: &str = "wikiwatch";

/// What the top level of a record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape<'a> {
    /// The `log` field when it is a string: a raw line from `tail` without a parser.
    pub log: Option<Cow<'a, str>>,
    /// Number of top-level keys.
    pub keys: usize,
    /// The record already has a `wikiwatch` key (it went through this filter before).
    pub annotated: bool,
}

/// Why a record is not a JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnObject(pub String);

impl fmt::Display for NotAnObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses `text` as one JSON object (whitespace around it allowed) and reports its shape.
pub fn parse(text: &str) -> Result<Shape<'_>, NotAnObject> {
    if let Some(shape) = plain_tail_line(text) {
        return Ok(shape);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let shape = de.deserialize_any(TopLevel).map_err(|e| NotAnObject(describe(&e)))?;
    de.end().map_err(|e| NotAnObject(describe(&e)))?;
    Ok(shape)
}

/// The shape of `{"log":"<line>"}` exactly (what `tail` without a parser sends) when the line
/// holds no `"` or `\`: the bulk of the traffic, read without a JSON parser because the
/// filter's cost per record is dominated by byte-at-a-time work in an interpreter. Anything
/// else (escapes, more keys, whitespace) returns `None` and goes through [`parse`]'s parser,
/// which gives the same shape for these records.
fn plain_tail_line(text: &str) -> Option<Shape<'_>> {
    let line = log_only(text.as_bytes())?;
    // Control characters are invalid inside a JSON string: leave the error to the parser.
    // `line` starts and ends where `text` has ASCII quotes, so it is a `str` slice of it.
    json_plain(line).then(|| Shape {
        log: Some(Cow::Borrowed(&text[LOG_OPEN.len()..text.len() - LOG_CLOSE.len()])),
        keys: 1,
        annotated: false,
    })
}

/// The line of `{"log":"<line>"}` exactly when it is plain ASCII: what `tail` sends for nearly
/// every access log line, read from the record's bytes without the UTF-8 check or the parser
/// (ASCII is its own text). [`parse`] gives the same line for such a record.
pub fn plain_ascii_line(record: &[u8]) -> Option<&[u8]> {
    log_only(record).filter(|line| json_plain_ascii(line))
}

const LOG_OPEN: &[u8] = br#"{"log":""#;
const LOG_CLOSE: &[u8] = br#""}"#;

/// The inside of the string of `{"log":"..."}`, when the record is written exactly so (what
/// `tail` without a parser sends), escapes and all.
fn log_only(record: &[u8]) -> Option<&[u8]> {
    record.strip_prefix(LOG_OPEN)?.strip_suffix(LOG_CLOSE)
}

/// Byte offset of the closing `}` of an object record: its last non-whitespace byte.
/// Works on the raw bytes, so it is right even when the record is not valid UTF-8.
pub fn closing_brace(record: &[u8]) -> Option<usize> {
    let end = record.iter().rposition(|b| !b.is_ascii_whitespace())?;
    (record[end] == b'}').then_some(end)
}

fn describe(e: &serde_json::Error) -> String {
    if e.is_data() {
        "record is not a JSON object".to_string()
    } else {
        format!("record is not valid JSON: {e}")
    }
}

struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape<'de>, A::Error> {
        let mut shape = Shape { log: None, keys: 0, annotated: false };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            shape.keys += 1;
            match key.0.as_ref() {
                "log" if shape.log.is_none() => shape.log = map.next_value::<MaybeStr<'de>>()?.0,
                FIELD => {
                    shape.annotated = true;
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(shape)
    }
}

/// A key, borrowed unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor).map(Key)
    }
}

/// A value that is kept when it is a string and skipped otherwise.
struct MaybeStr<'a>(Option<Cow<'a, str>>);

impl<'de> serde::Deserialize<'de> for MaybeStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeStrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

struct MaybeStrVisitor;

impl<'de> Visitor<'de> for MaybeStrVisitor {
    type Value = MaybeStr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(MaybeStr(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(MaybeStr(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MaybeStr(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(MaybeStr(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_line_record() {
        let s =
            parse(r#"{"log":"[18/Dec/2020:12:57:26 +1100] alice","filename":"a.log"}"#).unwrap();
        assert_eq!(s.log.as_deref(), Some("[18/Dec/2020:12:57:26 +1100] alice"));
        assert!(matches!(s.log, Some(Cow::Borrowed(_))));
        assert_eq!((s.keys, s.annotated), (2, false));
    }

    #[test]
    fn plain_tail_line_matches_the_parser() {
        for record in [
            r#"{"log":"[18/Dec/2020:12:57:26 +1100] alice GET /x HTTP/1.1 200 3ms 5 - curl/8"}"#,
            r#"{"log":""}"#,
            r#"{"log":"caf\u00e9 \"q\" \\ end"}"#,
            r#"{"log":"a\"}"#,
            "{\"log\":\"tab\there\"}",
            r#"{"log":"x","wikiwatch":{}}"#,
            r#"{"log":"x"}{"log":"y"}"#,
        ] {
            let fast = plain_tail_line(record);
            let mut de = serde_json::Deserializer::from_str(record);
            let slow = de.deserialize_any(TopLevel).and_then(|s| de.end().map(|()| s)).ok();
            if let Some(fast) = &fast {
                assert_eq!(Some(fast), slow.as_ref(), "{record}");
            }
            assert_eq!(parse(record).ok(), slow, "{record}");
        }
        assert!(plain_tail_line(r#"{"log":"plain line"}"#).is_some(), "the fast path is taken");
    }

    #[test]
    fn escaped_log_is_unescaped() {
        let s = parse(r#"{"log":"a \"quoted\" \u00e9 line"}"#).unwrap();
        assert_eq!(s.log.as_deref(), Some("a \"quoted\" é line"));
    }

    #[test]
    fn structured_record_has_no_log() {
        let s = parse(r#" {"remote":"10.0.0.5","log":{"nested":[1,2]},"code":"200"} "#).unwrap();
        assert_eq!((s.log, s.keys), (None, 3));
        assert_eq!(parse("{}").unwrap().keys, 0);
    }

    #[test]
    fn annotated_records_are_recognised() {
        assert!(parse(r#"{"log":"x","wikiwatch":{"alerts":[]}}"#).unwrap().annotated);
    }

    #[test]
    fn non_objects_are_rejected() {
        for bad in [
            "",
            "[1,2]",
            "\"s\"",
            "42",
            "null",
            "{\"a\":1",
            "{\"a\":1} x",
            "{\"a\":1}{}",
            "garbage",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn closing_brace_skips_trailing_whitespace() {
        assert_eq!(closing_brace(b"{\"a\":1}\n "), Some(6));
        assert_eq!(closing_brace(b"{\"a\":\xff}"), Some(6));
        assert_eq!(closing_brace(b"[1]"), None);
        assert_eq!(closing_brace(b"  "), None);
    }
}
