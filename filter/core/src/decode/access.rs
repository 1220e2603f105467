//! `confluence-access`: Confluence Data Center/Server `conf_access_log`, default pattern
//! `%t %{X-AUSERNAME}o %I %h %r %s %Dms %b %{Referer}i %{User-Agent}i`, optionally preceded
//! by `%{X-Forwarded-For}i` (deployments behind a proxy), whose first address is the client.
//!
//! ```text
//! [18/Dec/2020:12:57:26 +1100] testuser http-nio-8090-exec-6 0:0:0:0:0:0:0:1 GET /index.action HTTP/1.1 200 1020ms 7881 http://localhost:8090/login.action Mozilla/5.0 (X11; Linux x86_64)
//! 203.0.113.9, 10.0.0.1 [18/Dec/2020:12:57:26 +1100] - http-nio-8090-exec-2 10.0.0.1 GET /login.action HTTP/1.1 200 3ms - - curl/8.4.0
//! ```

use super::fields::{self, Cursor};
use super::{reason, time};
use crate::event::AccessEvent;
use std::borrow::Cow;

/// Decodes one access-log line; every string borrows from `line`.
pub(crate) fn decode(line: &str) -> Result<AccessEvent<'_>, &'static str> {
    let open = fields::time_open(line).ok_or(reason::UNRECOGNISED)?;
    // Whatever precedes the time is the X-Forwarded-For field (`-` when the header was absent).
    let forwarded = fields::first_forwarded(line[..open].trim_ascii());
    let (stamp, after) = fields::bracketed(line, open)?;
    let time_ms = time::parse_clf(stamp).ok_or(reason::BAD_TIMESTAMP)?;
    let mut c = Cursor::new(line, after);
    if c.at(b'"') {
        // `[time] "GET ..."` is the combined format; refusing it keeps `auto` unambiguous.
        return Err(reason::UNRECOGNISED);
    }
    let user = c.need()?;
    let _thread = c.need()?;
    let host = c.need()?;
    let (method, target) = request(&mut c)?;
    let status = fields::status(c.need()?)?;
    // `%Dms`; patterns customised without it go straight to the byte count.
    let mut bytes_tok = c.need()?;
    if bytes_tok.ends_with("ms") {
        bytes_tok = c.token().unwrap_or("-");
    }
    let bytes = fields::byte_count(bytes_tok)?;
    let referer = c.token().and_then(fields::dash_none);
    let agent = fields::dash_empty(c.rest());
    Ok(AccessEvent {
        time_ms,
        user: fields::dash_none(user),
        client: forwarded.map(Cow::Borrowed).or_else(|| fields::dash_none(host)),
        session: None,
        method: Cow::Borrowed(method),
        target: Cow::Borrowed(target),
        status,
        bytes,
        agent: Cow::Borrowed(agent),
        referer,
        audit: None,
        aliases: Vec::new(),
    })
}

/// `%r`: `GET /x HTTP/1.1` as three tokens, `"GET /x HTTP/1.1"` if the pattern quotes it,
/// `-` when Tomcat had no request line, or `GET /x` from an HTTP/0.9 client.
fn request<'a>(c: &mut Cursor<'a>) -> Result<(&'a str, &'a str), &'static str> {
    if c.at(b'"') {
        return match c.quoted()? {
            Cow::Borrowed(r) => Ok(fields::split_request(r)),
            // An escaped quote inside an access-log request line is not worth a copy.
            Cow::Owned(_) => Err(reason::BAD_REQUEST),
        };
    }
    let method = c.need()?;
    if method == "-" {
        return Ok(("", ""));
    }
    let target = c.need()?;
    c.skip_if(|p| p.starts_with("HTTP/"));
    Ok((method, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "[18/Dec/2020:12:57:26 +1100] testuser http-nio-8090-exec-6 0:0:0:0:0:0:0:1 GET /index.action HTTP/1.1 200 1020ms 7881 http://localhost:8090/login.action Mozilla/5.0 (X11; Linux x86_64)";

    #[test]
    fn default_pattern_ipv6() {
        let e = decode(LINE).unwrap();
        assert_eq!(e.time_ms, 1_608_256_646_000);
        assert_eq!(e.user.as_deref(), Some("testuser"));
        assert_eq!(e.client.as_deref(), Some("0:0:0:0:0:0:0:1"));
        assert_eq!((&*e.method, &*e.target), ("GET", "/index.action"));
        assert_eq!((e.status, e.bytes), (200, 7881));
        assert_eq!(e.agent, "Mozilla/5.0 (X11; Linux x86_64)");
        assert_eq!(e.referer.as_deref(), Some("http://localhost:8090/login.action"));
        assert!(matches!(e.agent, Cow::Borrowed(_)) && matches!(e.target, Cow::Borrowed(_)));
        assert_eq!(e.audit, None);
    }

    #[test]
    fn anonymous_ipv4_no_bytes_no_agent() {
        let e = decode("[18/Dec/2020:12:57:26 +1100] - http-nio-8090-exec-1 10.1.2.3 GET /rest/api/content?spaceKey=ENG&start=25&limit=25 HTTP/1.1 401 2ms - - -").unwrap();
        assert_eq!(e.user, None);
        assert_eq!(e.client.as_deref(), Some("10.1.2.3"));
        assert_eq!(e.target, "/rest/api/content?spaceKey=ENG&start=25&limit=25");
        assert_eq!((e.status, e.bytes), (401, 0));
        assert_eq!((&*e.agent, e.referer), ("", None));
        // Line ending right after the byte count: no referer, no agent.
        let e =
            decode("[18/Dec/2020:12:57:26 +1100] bob t 10.1.2.3 GET / HTTP/1.1 200 2ms 5").unwrap();
        assert_eq!((e.bytes, &*e.agent), (5, ""));
    }

    #[test]
    fn forwarded_for_variant() {
        let e = decode("203.0.113.9, 10.0.0.1 [18/Dec/2020:12:57:26 +1100] alice http-nio-8090-exec-3 10.0.0.1 GET /display/ENG/Home HTTP/1.1 200 15ms 1024 - python-requests/2.31.0").unwrap();
        assert_eq!(e.client.as_deref(), Some("203.0.113.9"));
        assert_eq!(e.user.as_deref(), Some("alice"));
        assert_eq!(e.agent, "python-requests/2.31.0");
        let e =
            decode("- [18/Dec/2020:12:57:26 +1100] alice t 10.0.0.1 GET / HTTP/1.1 200 1ms 1 - x")
                .unwrap();
        assert_eq!(e.client.as_deref(), Some("10.0.0.1"));
        let e = decode(
            "2001:db8::5 [18/Dec/2020:12:57:26 +1100] alice t ::1 GET / HTTP/1.1 200 1ms 1 - x",
        )
        .unwrap();
        assert_eq!(e.client.as_deref(), Some("2001:db8::5"));
    }

    #[test]
    fn quoted_and_odd_request_lines() {
        let e = decode(r#"[18/Dec/2020:12:57:26 +1100] bob t 10.0.0.2 "GET /a b.action HTTP/1.1" 200 9ms 10 - curl/8"#).unwrap();
        assert_eq!((&*e.method, &*e.target, e.status), ("GET", "/a b.action", 200));
        let e = decode("[18/Dec/2020:12:57:26 +1100] - t 10.0.0.2 - 400 0ms - - -").unwrap();
        assert_eq!((&*e.method, &*e.target, e.status), ("", "", 400));
        let e = decode("[18/Dec/2020:12:57:26 +1100] - t 10.0.0.2 GET /old 200 0ms 3 - -").unwrap();
        assert_eq!((&*e.target, e.bytes), ("/old", 3));
        // Pattern without %D.
        let e = decode("[18/Dec/2020:12:57:26 +1100] - t 10.0.0.2 GET / HTTP/1.1 200 77 - agent x")
            .unwrap();
        assert_eq!((e.bytes, &*e.agent), (77, "agent x"));
    }

    #[test]
    fn bad_lines_have_reasons() {
        let cases = [
            ("[18/Dec/2020:12:57:26 +1100] testuser http-nio-8090-exec-6", reason::TRUNCATED),
            ("[18/Dec/2020:12:57:26 +1100", reason::TRUNCATED),
            (
                "[31/Feb/2020:12:57:26 +1100] u t h GET / HTTP/1.1 200 1ms 1 - a",
                reason::BAD_TIMESTAMP,
            ),
            ("[18/Dec/2020:12:57:26 +1100] u t h GET / HTTP/1.1 2x0 1ms 1 - a", reason::BAD_STATUS),
            (
                "[18/Dec/2020:12:57:26 +1100] u t h GET / HTTP/1.1 200 1ms lots - a",
                reason::BAD_BYTES,
            ),
            (r#"[18/Dec/2020:12:57:26 +1100] "GET / HTTP/1.1" 200 1"#, reason::UNRECOGNISED),
            ("hello world", reason::UNRECOGNISED),
            ("", reason::UNRECOGNISED),
        ];
        for (line, why) in cases {
            assert_eq!(decode(line), Err(why), "{line}");
        }
    }
}
