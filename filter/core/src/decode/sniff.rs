//! Line preparation and format dispatch, including `auto`.
//!
//! `auto` decides per line, cheaply: a first byte of `{` (or `[{`) means JSON, which is audit
//! when it has an audit shape and field-map JSON otherwise; anything else is text, whose layout
//! is told by what follows the `[time]` field (`"` for combined, a user name for
//! confluence-access, with or without a leading X-Forwarded-For). The format of the last line
//! that decoded is tried first, so a steady stream pays for one decoder per line.

use super::{
    access, audit, combined, fields, json, reason, Decoder, Format, MAX_JSON_LINE, MAX_LINE,
};
use crate::event::AccessEvent;
use std::borrow::Cow;

fn trim(line: &[u8]) -> &[u8] {
    // A UTF-8 byte-order mark at the start of a file is not part of the first line.
    let mut line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    while let [rest @ .., b'\n' | b'\r' | b' ' | b'\t'] = line {
        line = rest;
    }
    while let [b' ' | b'\t', rest @ ..] = line {
        line = rest;
    }
    line
}

fn looks_like_json(line: &[u8]) -> bool {
    match line.first() {
        Some(b'{') => true,
        // `[18/Dec/...` is an access-log time; `[{...}]` or `[]` is a JSON array of records.
        Some(b'[') => {
            matches!(line[1..].iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b']'))
        }
        _ => false,
    }
}

/// The text layout of a line, judged by the byte after its `[time]` field.
fn text_layout(s: &str) -> Format {
    let after_time = fields::time_open(s)
        .and_then(|open| fields::bracketed(s, open).ok())
        .map(|(_, after)| after)
        // Only the separators the decoders' cursor skips: trimming other whitespace (a vertical
        // tab, say) judged `[t] \x0b"GET` combined while the access decoder would take it, so
        // the same line decoded or not depending on the line before (found by fuzzing).
        .and_then(|i| s[i..].trim_start_matches([' ', '\t']).bytes().next());
    if after_time == Some(b'"') {
        Format::Combined
    } else {
        Format::ConfluenceAccess
    }
}

fn text_as<'a>(format: Format, s: &'a str) -> Result<AccessEvent<'a>, &'static str> {
    match format {
        Format::Combined => combined::decode(s),
        _ => access::decode(s),
    }
}

pub(super) fn decode(
    d: &mut Decoder,
    format: Format,
    line: &[u8],
    out: &mut dyn FnMut(AccessEvent<'_>),
) -> Result<usize, &'static str> {
    let line = trim(line);
    if line.is_empty() {
        return Ok(0);
    }
    let is_json = looks_like_json(line);
    if line.len() > if is_json { MAX_JSON_LINE } else { MAX_LINE } {
        return Err(reason::TOO_LONG);
    }
    if matches!(format, Format::Json | Format::Audit) || (format == Format::Auto && is_json) {
        if !is_json {
            return Err(reason::NOT_JSON);
        }
        return decode_json(d, format, line, out);
    }
    // `from_utf8` first: its validation is several times faster than the lossy scan. Invalid
    // bytes become U+FFFD; the separators the decoders look for are ASCII and survive, so a
    // stray byte in a user agent costs a copy of the line, not the event.
    let text: Cow<'_, str> = match std::str::from_utf8(line) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(line),
    };
    let (event, used) = decode_text(d.last, format, &text)?;
    d.last = Some(used);
    out(event);
    Ok(1)
}

fn decode_json(
    d: &mut Decoder,
    format: Format,
    line: &[u8],
    out: &mut dyn FnMut(AccessEvent<'_>),
) -> Result<usize, &'static str> {
    let text = std::str::from_utf8(line).map_err(|_| reason::INVALID_UTF8)?;
    let v = json::parse(text)?;
    let as_audit = match format {
        Format::Audit => true,
        Format::Json => false,
        _ => audit::is_audit(&v),
    };
    if as_audit {
        let n = audit::decode(&v, out, &mut d.skipped_records)?;
        d.last = Some(Format::Audit);
        return Ok(n);
    }
    let event = match json::decode(&v, &d.config) {
        // A shipper that wrapped the raw log line (`{"log": "..."}` from Fluent Bit or Docker,
        // `{"message": "..."}` from Vector or Logstash): decode the line inside.
        Err(why @ (reason::MISSING_REQUEST | reason::MISSING_TIME)) => {
            let inner = ["log", "message"].iter().find_map(|k| v.get(*k)?.as_str()).ok_or(why)?;
            decode_text(None, Format::Auto, inner.trim_ascii()).map_err(|_| why)?.0
        }
        other => other?,
    };
    d.last = Some(Format::Json);
    out(event);
    Ok(1)
}

/// A text line in `format`; under `auto` the remembered layout first, then the line's own.
fn decode_text(
    last: Option<Format>,
    format: Format,
    text: &str,
) -> Result<(AccessEvent<'_>, Format), &'static str> {
    let guess = match (format, last) {
        (Format::Auto, Some(last @ (Format::ConfluenceAccess | Format::Combined))) => last,
        (Format::Auto, _) => text_layout(text),
        (f, _) => f,
    };
    match text_as(guess, text) {
        Ok(e) => Ok((e, guess)),
        Err(why) if format != Format::Auto => Err(why),
        Err(why) => {
            // The remembered layout did not fit: fall back to what the line's shape says.
            let layout = text_layout(text);
            if layout == guess {
                return Err(why);
            }
            Ok((text_as(layout, text)?, layout))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::decode::{reason, DecodeConfig, Decoder, Format, MAX_LINE};
    use crate::event::AccessEvent;

    const ACCESS: &str = "[18/Dec/2020:12:57:26 +1100] testuser http-nio-8090-exec-6 0:0:0:0:0:0:0:1 GET /index.action HTTP/1.1 200 1020ms 7881 http://localhost:8090/login.action Mozilla/5.0 (X11; Linux x86_64)";
    const XFF: &str = "203.0.113.9, 10.0.0.1 [18/Dec/2020:12:57:26 +1100] - http-nio-8090-exec-2 10.0.0.1 GET /login.action HTTP/1.1 200 3ms - - curl/8.4.0";
    const COMBINED: &str = r#"198.51.100.4 - bob [18/Dec/2020:12:57:26 +1100] "GET /dosearchsite.action?queryString=password HTTP/1.1" 200 912 "-" "Mozilla/5.0""#;
    const JSON: &str = r#"{"@timestamp":"2020-12-18T01:57:26Z","source":{"ip":"10.0.0.8"},"url":{"original":"/x"}}"#;
    const AUDIT: &str = r#"{"auditType":{"action":"Space exported","actionI18nKey":"audit.logging.summary.space.exported"},"author":{"name":"eve"},"source":"10.0.0.9","timestamp":{"epochSecond":1608256646,"nano":0}}"#;

    fn one(d: &mut Decoder, line: &[u8]) -> Result<AccessEvent<'static>, String> {
        let mut got = Vec::new();
        d.decode(line, &mut |e| got.push(e.into_owned())).map_err(|e| e.reason)?;
        assert_eq!(got.len(), 1);
        Ok(got.remove(0))
    }

    #[test]
    fn auto_decodes_a_mixed_stream_and_remembers() {
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        assert_eq!(d.format(), Format::Auto);
        let cases = [
            (ACCESS, Format::ConfluenceAccess, Some("0:0:0:0:0:0:0:1")),
            (XFF, Format::ConfluenceAccess, Some("203.0.113.9")),
            (COMBINED, Format::Combined, Some("198.51.100.4")),
            (ACCESS, Format::ConfluenceAccess, Some("0:0:0:0:0:0:0:1")),
            (JSON, Format::Json, Some("10.0.0.8")),
            (AUDIT, Format::Audit, Some("10.0.0.9")),
            (COMBINED, Format::Combined, Some("198.51.100.4")),
        ];
        for (line, format, client) in cases {
            let e = one(&mut d, line.as_bytes()).unwrap();
            assert_eq!((d.format(), e.client.as_deref()), (format, client), "{line}");
            assert_eq!(e.time_ms, 1_608_256_646_000);
        }
    }

    #[test]
    fn json_wrapped_raw_lines_are_decoded() {
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        let wrapped = serde_json::json!({"log": format!("{ACCESS}\n"), "stream": "stdout", "time": "2020-12-18T01:57:27Z"});
        let e = one(&mut d, wrapped.to_string().as_bytes()).unwrap();
        assert_eq!((e.user.as_deref(), e.time_ms), (Some("testuser"), 1_608_256_646_000));
        assert_eq!(d.format(), Format::Json);
        let wrapped = serde_json::json!({"message": COMBINED});
        assert_eq!(one(&mut d, wrapped.to_string().as_bytes()).unwrap().status, 200);
        let junk = serde_json::json!({"message": "hello", "time": 1});
        assert_eq!(
            one(&mut d, junk.to_string().as_bytes()).err().as_deref(),
            Some(reason::MISSING_REQUEST)
        );
    }

    #[test]
    fn fixed_formats_refuse_other_shapes() {
        let mut d = Decoder::new(Format::Combined, DecodeConfig::default());
        assert_eq!(one(&mut d, ACCESS.as_bytes()).err().as_deref(), Some(reason::UNRECOGNISED));
        assert_eq!(d.format(), Format::Combined);
        let mut d = Decoder::new(Format::Json, DecodeConfig::default());
        assert_eq!(one(&mut d, ACCESS.as_bytes()).err().as_deref(), Some(reason::NOT_JSON));
        let mut d = Decoder::new(Format::Audit, DecodeConfig::default());
        assert_eq!(one(&mut d, JSON.as_bytes()).err().as_deref(), Some(reason::NOT_AUDIT));
        // decode_as overrides the configured format for one line.
        assert!(d.decode_as(Format::Auto, ACCESS.as_bytes(), &mut |_| {}).is_ok());
    }

    #[test]
    fn line_endings_bom_and_blank_lines() {
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        let crlf = format!("\u{feff}{ACCESS}\r\n");
        assert_eq!(one(&mut d, crlf.as_bytes()).unwrap().agent, "Mozilla/5.0 (X11; Linux x86_64)");
        assert_eq!(d.decode(b"", &mut |_| {}), Ok(0));
        assert_eq!(d.decode(b" \r\n", &mut |_| {}), Ok(0));
    }

    #[test]
    fn invalid_utf8_is_lossy_in_text_and_rejected_in_json() {
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        let mut line = ACCESS.as_bytes().to_vec();
        line.extend_from_slice(b" \xff\xfe");
        let e = one(&mut d, &line).unwrap();
        assert!(e.agent.ends_with("\u{fffd}\u{fffd}"));
        let mut bad_user = ACCESS.replace("testuser", "t\u{1}").into_bytes();
        bad_user[29] = 0xC3; // a lead byte followed by ASCII
        assert_eq!(one(&mut d, &bad_user).unwrap().user.as_deref(), Some("\u{fffd}\u{1}"));
        let mut bad_time = ACCESS.as_bytes().to_vec();
        bad_time[1] = 0xff;
        assert_eq!(one(&mut d, &bad_time).err().as_deref(), Some(reason::UNRECOGNISED));
        let json = b"{\"time\":\"2020-12-18T01:57:26Z\",\"path\":\"/\xff\"}";
        assert_eq!(one(&mut d, json).err().as_deref(), Some(reason::INVALID_UTF8));
    }

    #[test]
    fn huge_and_garbage_lines_are_rejected() {
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        let huge = format!("{ACCESS} {}", "A".repeat(MAX_LINE));
        assert_eq!(one(&mut d, huge.as_bytes()).err().as_deref(), Some(reason::TOO_LONG));
        let long_agent = format!("{ACCESS} {}", "A".repeat(MAX_LINE / 2));
        assert!(one(&mut d, long_agent.as_bytes()).is_ok());
        for garbage in [
            &b"\x00\x01\x02"[..],
            b"[",
            b"{",
            b"[[[[",
            b"]",
            b"\"",
            b"[18/",
            b"- [18/Dec/2020:12:57:26 +1100]",
        ] {
            assert!(d.decode(garbage, &mut |_| {}).is_err(), "{garbage:?}");
        }
        // Every possible single byte, and a few random-ish byte soups, decode or fail cleanly.
        for b in 0..=255u8 {
            let _ = d.decode(&[b, b'[', b, b'{', b' ', b'"'], &mut |_| {});
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let soup: Vec<u8> = (0..64)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let table = b"[]{}\" :/-0123456789AZaz,\\\xff";
                    table[(x % table.len() as u64) as usize]
                })
                .collect();
            let _ = d.decode(&soup, &mut |_| {});
        }
    }

    #[test]
    fn text_decoding_borrows_from_the_line() {
        // The hot path must not allocate per field: every string of the event points into the line.
        let mut d = Decoder::new(Format::Auto, DecodeConfig::default());
        for line in [ACCESS, XFF, COMBINED] {
            let range = line.as_bytes().as_ptr_range();
            d.decode(line.as_bytes(), &mut |e| {
                for s in [
                    Some(&e.method),
                    Some(&e.target),
                    Some(&e.agent),
                    e.user.as_ref(),
                    e.client.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    assert!(matches!(s, std::borrow::Cow::Borrowed(_)));
                    assert!(s.is_empty() || range.contains(&s.as_ptr()), "{s}");
                }
            })
            .unwrap();
        }
    }
}
