//! `combined`: the nginx/Apache combined log,
//! `$remote_addr - $remote_user [$time_local] "$request" $status $bytes "$referer" "$agent"`.
//!
//! Also accepted: the common log format (no referer/agent), and nginx's `main` format, which
//! appends `"$http_x_forwarded_for"`: when that field starts with an address, it is the client.

use super::fields::{self, Cursor};
use super::{reason, time};
use crate::event::AccessEvent;
use std::borrow::Cow;

/// Decodes one combined-log line; strings borrow from `line` unless they held escapes.
pub(crate) fn decode(line: &str) -> Result<AccessEvent<'_>, &'static str> {
    let open = fields::time_open(line).ok_or(reason::UNRECOGNISED)?;
    let (stamp, after) = fields::bracketed(line, open)?;
    let mut c = Cursor::new(line, after);
    if !c.at(b'"') {
        // `[time] user thread ...` is confluence-access; refusing it keeps `auto` unambiguous.
        return Err(reason::UNRECOGNISED);
    }
    let time_ms = time::parse_clf(stamp).ok_or(reason::BAD_TIMESTAMP)?;
    // `addr ident user` before the time; the user may itself contain spaces (Apache %u).
    let mut head = Cursor::new(&line[..open], 0);
    let addr = head.token().ok_or(reason::TRUNCATED)?;
    let _ident = head.token();
    let user = head.rest();
    let request = c.quoted()?;
    let status = fields::status(c.need()?)?;
    let bytes = fields::byte_count(c.need()?)?;
    let referer = if c.at(b'"') { Some(c.quoted()?) } else { None };
    let agent = if c.at(b'"') { c.quoted()? } else { Cow::Borrowed("") };
    let forwarded = if c.at(b'"') { c.quoted().ok() } else { None };
    let client = match forwarded {
        Some(Cow::Borrowed(f)) => {
            fields::first_forwarded(f).filter(|a| looks_like_ip(a)).map(Cow::Borrowed)
        }
        Some(Cow::Owned(f)) => fields::first_forwarded(&f)
            .filter(|a| looks_like_ip(a))
            .map(|a| Cow::Owned(a.to_owned())),
        None => None,
    }
    .or_else(|| fields::dash_none(addr));
    let (method, target) = match request {
        Cow::Borrowed(r) => {
            let (m, t) = fields::split_request(r);
            (Cow::Borrowed(m), Cow::Borrowed(t))
        }
        Cow::Owned(r) => {
            let (m, t) = fields::split_request(&r);
            (Cow::Owned(m.to_owned()), Cow::Owned(t.to_owned()))
        }
    };
    Ok(AccessEvent {
        time_ms,
        user: fields::dash_none(user),
        client,
        session: None,
        method,
        target,
        status,
        bytes,
        agent: if agent == "-" { Cow::Borrowed("") } else { agent },
        referer: referer.filter(|r| !r.is_empty() && r != "-"),
        audit: None,
        aliases: Vec::new(),
    })
}

/// Cheap shape test (digits, hex, dots, colons) so a free-text trailing field is not taken
/// for a forwarded address.
fn looks_like_ip(s: &str) -> bool {
    s.len() >= 2
        && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
        && s.contains(['.', ':'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_combined() {
        let e = decode(r#"203.0.113.9 - alice [18/Dec/2020:12:57:26 +1100] "GET /rest/api/content/123?expand=body.storage HTTP/1.1" 200 5321 "-" "python-requests/2.31.0""#).unwrap();
        assert_eq!(e.time_ms, 1_608_256_646_000);
        assert_eq!(e.user.as_deref(), Some("alice"));
        assert_eq!(e.client.as_deref(), Some("203.0.113.9"));
        assert_eq!((&*e.method, &*e.target), ("GET", "/rest/api/content/123?expand=body.storage"));
        assert_eq!((e.status, e.bytes), (200, 5321));
        assert_eq!(e.agent, "python-requests/2.31.0");
        assert!(matches!(e.agent, Cow::Borrowed(_)) && matches!(e.target, Cow::Borrowed(_)));
    }

    #[test]
    fn anonymous_ipv6_escaped_agent() {
        let e = decode(r#"2001:db8::1 - - [18/Dec/2020:12:57:26 +0000] "GET /login.action HTTP/2.0" 302 - "https://wiki.example.com/" "Mozilla/5.0 \"quoted\" (X11)""#).unwrap();
        assert_eq!(e.user, None);
        assert_eq!(e.client.as_deref(), Some("2001:db8::1"));
        assert_eq!(e.bytes, 0);
        assert_eq!(e.agent, r#"Mozilla/5.0 "quoted" (X11)"#);
        // nginx writes \x22 instead of \".
        let e = decode(
            r#"10.0.0.1 - - [18/Dec/2020:12:57:26 +0000] "GET /x HTTP/1.1" 200 1 "-" "a\x22b""#,
        )
        .unwrap();
        assert_eq!(e.agent, "a\"b");
    }

    #[test]
    fn common_log_format_and_forwarded_for() {
        let e = decode(r#"10.0.0.1 - bob [18/Dec/2020:12:57:26 +0000] "POST /dosearchsite.action HTTP/1.1" 200 88"#).unwrap();
        assert_eq!((&*e.method, &*e.agent, e.bytes), ("POST", "", 88));
        let e = decode(r#"10.0.0.1 - bob [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.4.0" "198.51.100.4, 10.0.0.1""#).unwrap();
        assert_eq!(e.client.as_deref(), Some("198.51.100.4"));
        let e = decode(r#"10.0.0.1 - bob [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8.4.0" "-""#).unwrap();
        assert_eq!(e.client.as_deref(), Some("10.0.0.1"));
        let e = decode(r#"10.0.0.1 - bob [18/Dec/2020:12:57:26 +0000] "-" 400 0 "-" "-""#).unwrap();
        assert_eq!((&*e.method, &*e.target, e.status), ("", "", 400));
    }

    #[test]
    fn bad_lines_have_reasons() {
        let cases = [
            (
                r#"10.0.0.1 - - [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" 200"#,
                reason::TRUNCATED,
            ),
            (r#"10.0.0.1 - - [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1"#, reason::TRUNCATED),
            (
                r#"10.0.0.1 - - [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" 200 1 "-" "unterminated"#,
                reason::TRUNCATED,
            ),
            (
                r#"10.0.0.1 - - [99/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" 200 1 "-" "-""#,
                reason::BAD_TIMESTAMP,
            ),
            (
                r#"10.0.0.1 - - [18/Dec/2020:12:57:26 +0000] "GET / HTTP/1.1" OK 1 "-" "-""#,
                reason::BAD_STATUS,
            ),
            (
                "[18/Dec/2020:12:57:26 +1100] testuser t ::1 GET / HTTP/1.1 200 1ms 1 - a",
                reason::UNRECOGNISED,
            ),
            ("just text", reason::UNRECOGNISED),
        ];
        for (line, why) in cases {
            assert_eq!(decode(line), Err(why), "{line}");
        }
    }
}
