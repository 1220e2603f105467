//! Byte-level string helpers for short, ASCII-delimited request targets.
//!
//! `str::split`/`find` with a `char` go through the general searcher and a memchr set-up that
//! costs more than the whole scan of a 40-byte path; [`find`] scans eight bytes a step instead
//! (see `crate::bytes`). Every split point is an ASCII byte, so every slice boundary is a char
//! boundary.

/// Position of the first byte of `s` that is one of the ASCII bytes `set`.
#[inline]
pub(super) fn find<const N: usize>(s: &str, set: [u8; N]) -> Option<usize> {
    crate::bytes::find_any(s.as_bytes(), set)
}

/// `s` up to (not including) the first `delim`, and what follows it (if `delim` occurs).
#[inline]
pub(super) fn cut(s: &str, delim: u8) -> (&str, Option<&str>) {
    match find(s, [delim]) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

/// Whether `s` starts with the ASCII `prefix`, ignoring ASCII case.
#[inline]
pub(super) fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Iterator over the non-empty `/`-separated segments of a path.
#[derive(Debug, Clone)]
pub(super) struct Segments<'a> {
    rest: &'a str,
}

impl<'a> Segments<'a> {
    pub(super) fn new(path: &'a str) -> Self {
        Segments { rest: path }
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (seg, rest) = cut(self.rest, b'/');
            self.rest = rest.unwrap_or("");
            if !seg.is_empty() {
                return Some(seg);
            }
        }
    }
}

/// Iterator over the `&`-separated pieces of a query string, which ends at a `#`.
#[derive(Debug, Clone)]
pub(super) struct Pairs<'a> {
    rest: Option<&'a str>,
}

impl<'a> Pairs<'a> {
    pub(super) fn new(query: &'a str) -> Self {
        Pairs { rest: Some(query) }
    }
}

impl<'a> Iterator for Pairs<'a> {
    /// Name and value (empty when there is no `=`).
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let rest = self.rest?;
        let (pair, next) = match find(rest, [b'&', b'#']) {
            Some(i) if rest.as_bytes()[i] == b'&' => (&rest[..i], Some(&rest[i + 1..])),
            Some(i) => (&rest[..i], None),
            None => (rest, None),
        };
        self.rest = next;
        let (name, value) = cut(pair, b'=');
        Some((name, value.unwrap_or("")))
    }
}
