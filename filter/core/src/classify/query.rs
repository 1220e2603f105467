//! Query-string scanning and percent-decoding for request classification.
//!
//! One pass over the query string picks out the few parameters the classifier uses; values
//! stay borrowed from the target and are only decoded (and allocated) when decoding changes
//! them.

use super::text::Pairs;
use super::Pagination;
use std::borrow::Cow;

/// The query parameters the classifier cares about, raw (still percent-encoded).
///
/// The first occurrence of a parameter wins: a repeated `spaceKey=` later in the string cannot
/// override what the server most likely used.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Params<'a> {
    page_id: Option<&'a str>,
    space_key: Option<&'a str>,
    key: Option<&'a str>,
    space_id: Option<&'a str>,
    title: Option<&'a str>,
    start: Option<&'a str>,
    cursor: Option<&'a str>,
    cql: Option<&'a str>,
    query_string: Option<&'a str>,
    text: Option<&'a str>,
    query: Option<&'a str>,
}

impl<'a> Params<'a> {
    /// Scans `query` (the part after `?`, without any `#fragment`).
    pub(super) fn parse(query: &'a str) -> Self {
        let mut p = Params::default();
        for (name, value) in Pairs::new(query) {
            let slot = match name.len() {
                // Dispatch on length first so most parameters (expand, limit, os_authType, _)
                // cost one comparison at most.
                3 if name.eq_ignore_ascii_case("key") => &mut p.key,
                3 if name.eq_ignore_ascii_case("cql") => &mut p.cql,
                4 if name.eq_ignore_ascii_case("text") => &mut p.text,
                5 if name.eq_ignore_ascii_case("start") => &mut p.start,
                5 if name.eq_ignore_ascii_case("title") => &mut p.title,
                5 if name.eq_ignore_ascii_case("query") => &mut p.query,
                6 if name.eq_ignore_ascii_case("pageid") => &mut p.page_id,
                6 if name.eq_ignore_ascii_case("cursor") => &mut p.cursor,
                8 if name.eq_ignore_ascii_case("spacekey") => &mut p.space_key,
                8 if name.eq_ignore_ascii_case("space-id") => &mut p.space_id,
                11 if name.eq_ignore_ascii_case("querystring") => &mut p.query_string,
                _ => continue,
            };
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
        p
    }

    /// Space named by `spaceKey=`, `key=` or (Cloud v2) `space-id=`.
    pub(super) fn space(&self) -> Option<Cow<'a, str>> {
        self.space_key.or(self.key).or(self.space_id).map(decode)
    }

    /// Page named by `pageId=`, else `KEY/Title` from `spaceKey=&title=` (the same identity
    /// `/display/KEY/Title` gives, so both routes to one page count once).
    pub(super) fn page(&self) -> Option<Cow<'a, str>> {
        if let Some(id) = self.page_id {
            return Some(decode(id));
        }
        match (self.space_key.or(self.key), self.title) {
            (Some(space), Some(title)) => Some(Cow::Owned(format!("{space}/{title}"))),
            _ => None,
        }
    }

    /// `cursor=` wins over `start=`; an unparsable `start` is ignored.
    pub(super) fn pagination(&self) -> Option<Pagination<'a>> {
        if let Some(cursor) = self.cursor {
            return Some(Pagination::Cursor(decode(cursor)));
        }
        self.start.and_then(|s| s.parse::<u64>().ok()).map(Pagination::Offset)
    }

    /// Search text: `cql=`, `queryString=`, `text=` or `query=`, decoded.
    pub(super) fn search_text(&self) -> Option<Cow<'a, str>> {
        self.cql.or(self.query_string).or(self.text).or(self.query).map(decode)
    }

    /// Whether any search parameter is present.
    pub(super) fn has_search_text(&self) -> bool {
        self.cql.is_some()
            || self.query_string.is_some()
            || self.text.is_some()
            || self.query.is_some()
    }
}

/// Value of a hex digit, if `b` is one.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes a query value (`+` is a space). Borrows unless decoding changes the text;
/// a `%` not followed by two hex digits is kept as is, and bytes that do not form UTF-8 after
/// decoding become U+FFFD rather than failing.
pub(super) fn decode(raw: &str) -> Cow<'_, str> {
    let bytes = raw.as_bytes();
    let first = bytes.iter().enumerate().position(|(i, &b)| {
        b == b'+'
            || (b == b'%'
                && bytes.get(i + 1).copied().and_then(hex).is_some()
                && bytes.get(i + 2).copied().and_then(hex).is_some())
    });
    let Some(first) = first else {
        return Cow::Borrowed(raw);
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while let Some(&b) = bytes.get(i) {
        let escaped = if b == b'%' {
            bytes.get(i + 1).copied().and_then(hex).zip(bytes.get(i + 2).copied().and_then(hex))
        } else {
            None
        };
        match (b, escaped) {
            (_, Some((hi, lo))) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}
