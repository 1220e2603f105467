//! Field scanning shared by the text formats (confluence-access, combined): a byte cursor over
//! a `&str` that hands out borrowed slices, so decoding a line allocates nothing.

use super::reason;
use crate::bytes::find_any;
use std::borrow::Cow;

/// A cursor over one line. Positions always sit on ASCII bytes (spaces, quotes, brackets),
/// so every slice it returns is on a UTF-8 boundary.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(s: &'a str, pos: usize) -> Self {
        Cursor { s, pos }
    }

    #[inline(always)]
    fn skip_spaces(&mut self) {
        let b = self.s.as_bytes();
        while b.get(self.pos) == Some(&b' ') || b.get(self.pos) == Some(&b'\t') {
            self.pos += 1;
        }
    }

    /// The next space-delimited token, or `None` at the end of the line.
    // Always inlined: ten calls a line, each shorter than a call's prologue in a guest.
    #[inline(always)]
    pub(crate) fn token(&mut self) -> Option<&'a str> {
        self.skip_spaces();
        let b = self.s.as_bytes();
        let start = self.pos;
        let rest = b.get(start..).unwrap_or_default();
        self.pos = start + find_any(rest, [b' ', b'\t']).unwrap_or(rest.len());
        (self.pos > start).then(|| &self.s[start..self.pos])
    }

    /// Like [`Cursor::token`], but a missing token is a truncated line.
    #[inline]
    pub(crate) fn need(&mut self) -> Result<&'a str, &'static str> {
        self.token().ok_or(reason::TRUNCATED)
    }

    /// Consumes the next token if `want` accepts it.
    pub(crate) fn skip_if(&mut self, want: impl Fn(&str) -> bool) {
        let save = self.pos;
        if !self.token().is_some_and(want) {
            self.pos = save;
        }
    }

    /// Whether the next non-space byte is `c`.
    #[inline]
    pub(crate) fn at(&mut self, c: u8) -> bool {
        self.skip_spaces();
        self.s.as_bytes().get(self.pos) == Some(&c)
    }

    /// Everything left on the line, trimmed.
    pub(crate) fn rest(&mut self) -> &'a str {
        let r = self.s.get(self.pos..).unwrap_or("").trim_ascii();
        self.pos = self.s.len();
        r
    }

    /// A `"..."` field starting at the next non-space byte, with `\"`, `\\` and `\xHH` escapes
    /// (Apache and nginx). Borrowed unless it held an escape.
    pub(crate) fn quoted(&mut self) -> Result<Cow<'a, str>, &'static str> {
        self.skip_spaces();
        let b = self.s.as_bytes();
        if b.get(self.pos) != Some(&b'"') {
            return Err(reason::BAD_REQUEST);
        }
        let start = self.pos + 1;
        let mut from = start;
        // The closing quote: one preceded by an odd run of backslashes is escaped and the
        // search goes on.
        while let Some(off) = find_any(&b[from..], [b'"']) {
            let i = from + off;
            let run = b[start..i].iter().rev().take_while(|&&c| c == b'\\').count();
            if run % 2 == 0 {
                self.pos = i + 1;
                let raw = &self.s[start..i];
                return Ok(if raw.as_bytes().contains(&b'\\') {
                    Cow::Owned(unescape(raw))
                } else {
                    Cow::Borrowed(raw)
                });
            }
            from = i + 1;
        }
        Err(reason::TRUNCATED)
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Undoes the escapes web servers apply inside quoted log fields.
fn unescape(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'"' | b'\\' => {
                    out.push(b[i + 1]);
                    i += 2;
                    continue;
                }
                b'x' if i + 3 < b.len() => {
                    if let (Some(h), Some(l)) = (hex(b[i + 2]), hex(b[i + 3])) {
                        out.push(h << 4 | l);
                        i += 4;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    // `\xHH` may spell bytes that are not UTF-8 on their own.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Position of the `[` that opens an access-log time (`[dd/` or `[d/`), skipping brackets that
/// belong to something else (e.g. `[2001:db8::1]` in a forwarded-for list).
pub(crate) fn time_open(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(off) = find_any(b.get(from..)?, [b'[']) {
        let i = from + off;
        let d = |k: usize| b.get(i + k).is_some_and(u8::is_ascii_digit);
        if d(1) && (b.get(i + 2) == Some(&b'/') || (d(2) && b.get(i + 3) == Some(&b'/'))) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// The time text inside `[...]` at `open`, and the position after `]`.
pub(crate) fn bracketed(s: &str, open: usize) -> Result<(&str, usize), &'static str> {
    let close = find_any(&s.as_bytes()[open..], [b']']).ok_or(reason::TRUNCATED)?;
    Ok((&s[open + 1..open + close], open + close + 1))
}

/// `None` for the `-` that logs write for an absent value.
pub(crate) fn dash_none(s: &str) -> Option<Cow<'_, str>> {
    (!s.is_empty() && s != "-").then_some(Cow::Borrowed(s))
}

/// Empty for `-`.
pub(crate) fn dash_empty(s: &str) -> &str {
    if s == "-" {
        ""
    } else {
        s
    }
}

/// A three-digit HTTP status.
pub(crate) fn status(s: &str) -> Result<u16, &'static str> {
    let b = s.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
        return Err(reason::BAD_STATUS);
    }
    Ok(u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0'))
}

/// A byte count; `-` means none was sent.
pub(crate) fn byte_count(s: &str) -> Result<u64, &'static str> {
    if s == "-" {
        return Ok(0);
    }
    // What `str::parse::<u64>` accepts (one optional `+`, digits, no overflow), without its
    // generic radix machinery: this runs on every line.
    let digits = s.as_bytes().strip_prefix(b"+").unwrap_or(s.as_bytes());
    if digits.is_empty() {
        return Err(reason::BAD_BYTES);
    }
    digits.iter().try_fold(0u64, |n, &c| {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return Err(reason::BAD_BYTES);
        }
        n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d))).ok_or(reason::BAD_BYTES)
    })
}

/// The first address of an `X-Forwarded-For` value (`client, proxy1, proxy2`), unbracketed.
pub(crate) fn first_forwarded(s: &str) -> Option<&str> {
    // Most access logs have no such field: skip the splitting and trimming below.
    if s.is_empty() {
        return None;
    }
    // Quotes appear when the pattern was customised as `"%{X-Forwarded-For}i"`.
    let first = s.trim_matches('"').split(',').next()?.trim_ascii();
    let first = first.strip_prefix('[').and_then(|r| r.split(']').next()).unwrap_or(first);
    (!first.is_empty() && first != "-" && !first.eq_ignore_ascii_case("unknown")).then_some(first)
}

/// Splits `METHOD target [HTTP/x]` (a request line). A line without a space (`-`, garbage sent
/// to the port) has no method and keeps its text as the target, except `-`.
pub(crate) fn split_request(req: &str) -> (&str, &str) {
    let req = req.trim_ascii();
    let Some((method, rest)) = req.split_once(' ') else {
        return ("", dash_empty(req));
    };
    let rest = rest.trim_ascii();
    let target = match rest.rsplit_once(' ') {
        Some((t, proto)) if proto.starts_with("HTTP/") => t.trim_end(),
        _ => rest,
    };
    (method, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_borrow_unless_escaped() {
        let mut c = Cursor::new(r#" "GET / HTTP/1.1" "a \"b\" \x41\\" "#, 0);
        assert!(matches!(c.quoted(), Ok(Cow::Borrowed("GET / HTTP/1.1"))));
        assert_eq!(c.quoted().unwrap(), r#"a "b" A\"#);
        assert_eq!(Cursor::new(r#""unterminated \""#, 0).quoted(), Err(reason::TRUNCATED));
        assert_eq!(Cursor::new("x", 0).quoted(), Err(reason::BAD_REQUEST));
        // A bare trailing backslash or a broken \x escape stays as written.
        assert_eq!(unescape(r"\x4"), r"\x4");
        assert_eq!(unescape(r"\xff"), "\u{fffd}");
    }

    #[test]
    fn time_open_skips_ipv6_brackets() {
        assert_eq!(time_open("[18/Dec/2020:12:57:26 +1100] x"), Some(0));
        assert_eq!(time_open("[2001:db8::1], 10.0.0.1 [18/Dec/2020:1"), Some(24));
        assert_eq!(time_open("a [1/Dec/2020"), Some(2));
        assert_eq!(time_open("no time ["), None);
    }

    #[test]
    fn small_fields() {
        assert_eq!(status("200"), Ok(200));
        assert_eq!(status("20x"), Err(reason::BAD_STATUS));
        assert_eq!(status("2000"), Err(reason::BAD_STATUS));
        assert_eq!(byte_count("-"), Ok(0));
        assert_eq!(byte_count("99999999999999999999999"), Err(reason::BAD_BYTES));
        // Exactly what `str::parse::<u64>` accepts.
        for s in [
            "0",
            "+7",
            "+",
            "",
            "-1",
            "++1",
            "1 ",
            "18446744073709551615",
            "18446744073709551616",
            "007",
            "1a",
        ] {
            let want =
                if s == "-" { Ok(0) } else { s.parse::<u64>().map_err(|_| reason::BAD_BYTES) };
            assert_eq!(byte_count(s), want, "{s:?}");
        }
        assert_eq!(first_forwarded(""), None);
        assert_eq!(first_forwarded("203.0.113.9, 10.0.0.1"), Some("203.0.113.9"));
        assert_eq!(first_forwarded("[2001:db8::7]:443, 10.0.0.1"), Some("2001:db8::7"));
        assert_eq!(first_forwarded("-"), None);
        assert_eq!(first_forwarded("\"-\""), None);
        assert_eq!(first_forwarded("\"198.51.100.7, 10.0.0.1\""), Some("198.51.100.7"));
        assert_eq!(split_request("GET /a b HTTP/1.1"), ("GET", "/a b"));
        assert_eq!(split_request("GET /x"), ("GET", "/x"));
        assert_eq!(split_request("-"), ("", ""));
        assert_eq!(split_request("\\x16\\x03"), ("", "\\x16\\x03"));
    }
}
