//! `json`: one JSON object per line, fields found through the dotted paths of
//! [`DecodeConfig`] (Elastic Common Schema and Fluent Bit's nginx/apache parser fields by
//! default). Strings borrow from the parsed record, which lives as long as the callback runs.

use super::{reason, time, DecodeConfig};
use crate::event::{AccessEvent, TimeMs};
use serde_json::Value;
use std::borrow::Cow;

/// Parses a JSON line into a value; serde_json's recursion limit turns hostile nesting into
/// an error rather than a stack overflow.
pub(crate) fn parse(text: &str) -> Result<Value, &'static str> {
    serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            reason::TRUNCATED
        } else {
            reason::NOT_JSON
        }
    })
}

/// The value at `path`: a literal key first (`"source.ip": ...` as flattened shippers write),
/// then nested objects, trying every split of the dots so `a.b.c` finds `{"a.b":{"c":..}}` too.
pub(crate) fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let obj = v.as_object()?;
    if let Some(found) = obj.get(path) {
        return Some(found);
    }
    path.match_indices('.').find_map(|(i, _)| lookup(obj.get(&path[..i])?, &path[i + 1..]))
}

/// The first path in `paths` that holds a non-empty string (numbers are rendered).
fn text<'v>(v: &'v Value, paths: &[String]) -> Option<Cow<'v, str>> {
    paths.iter().find_map(|p| match lookup(v, p)? {
        Value::String(s) if !s.is_empty() => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    })
}

/// The first path that holds a number or a numeric string; `-` or junk counts as 0.
fn number(v: &Value, paths: &[String]) -> Option<f64> {
    paths.iter().find_map(|p| match lookup(v, p)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => Some(s.trim().parse::<f64>().unwrap_or(0.0)),
        _ => None,
    })
}

/// Event time from an RFC 3339 string, an epoch number (s/ms/µs/ns) or access-log time.
pub(crate) fn time_of(v: &Value) -> Result<TimeMs, &'static str> {
    match v {
        Value::String(s) => time::parse_any(s).ok_or(reason::BAD_TIMESTAMP),
        Value::Number(n) => n.as_f64().and_then(time::from_epoch).ok_or(reason::BAD_TIMESTAMP),
        _ => Err(reason::BAD_TIMESTAMP),
    }
}

/// ECS `url.original` is often the absolute URL, while the classifier works on the request
/// target as an access log writes it.
fn origin_form(t: Cow<'_, str>) -> Cow<'_, str> {
    let cut = |s: &str| super::request_target(s).map(|target| s.len() - target.len());
    match (cut(&t), t) {
        (None, t) => t,
        (Some(i), Cow::Borrowed(s)) => Cow::Borrowed(&s[i..]),
        (Some(i), Cow::Owned(s)) => Cow::Owned(s[i..].to_owned()),
    }
}

/// Maps one JSON record to an event.
pub(crate) fn decode<'v>(
    v: &'v Value,
    cfg: &DecodeConfig,
) -> Result<AccessEvent<'v>, &'static str> {
    if !v.is_object() {
        return Err(reason::NOT_OBJECT);
    }
    let t = cfg.time.iter().find_map(|p| lookup(v, p)).ok_or(reason::MISSING_TIME)?;
    let time_ms = time_of(t)?;
    let target = text(v, &cfg.target).map(origin_form);
    let method = text(v, &cfg.method);
    if target.is_none() && method.is_none() {
        return Err(reason::MISSING_REQUEST);
    }
    let dash = |c: Cow<'v, str>| (c != "-").then_some(c);
    let status = number(v, &cfg.status).filter(|s| (0.0..1000.0).contains(s)).unwrap_or(0.0);
    let bytes = number(v, &cfg.bytes).filter(|b| *b >= 0.0 && *b < u64::MAX as f64).unwrap_or(0.0);
    Ok(AccessEvent {
        time_ms,
        user: text(v, &cfg.user).and_then(dash),
        client: text(v, &cfg.client).and_then(dash),
        session: text(v, &cfg.session).and_then(dash),
        method: method.unwrap_or(Cow::Borrowed("")),
        target: target.and_then(dash).unwrap_or(Cow::Borrowed("")),
        // Both ranges are checked just above, so the casts cannot truncate.
        status: status as u16,
        bytes: bytes as u64,
        agent: text(v, &cfg.agent).and_then(dash).unwrap_or(Cow::Borrowed("")),
        referer: text(v, &cfg.referer).and_then(dash),
        audit: None,
        aliases: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(line: &str) -> Result<AccessEvent<'static>, &'static str> {
        let v = parse(line)?;
        decode(&v, &DecodeConfig::default()).map(AccessEvent::into_owned)
    }

    #[test]
    fn ecs_nested_and_flattened() {
        let e = dec(r#"{"@timestamp":"2020-12-18T01:57:26.000Z","source":{"ip":"2001:db8::9"},"user":{"name":"alice"},"http":{"request":{"method":"GET"},"response":{"status_code":200,"body":{"bytes":7881}}},"url":{"original":"https://wiki.example.com/rest/api/content?limit=100"},"user_agent":{"original":"curl/8.4.0"}}"#).unwrap();
        assert_eq!(e.time_ms, 1_608_256_646_000);
        assert_eq!(e.client.as_deref(), Some("2001:db8::9"));
        assert_eq!(e.user.as_deref(), Some("alice"));
        assert_eq!((&*e.method, &*e.target), ("GET", "/rest/api/content?limit=100"));
        assert_eq!((e.status, e.bytes, &*e.agent), (200, 7881, "curl/8.4.0"));
        let e = dec(r#"{"@timestamp":1608256646123,"source.ip":"10.0.0.1","url.original":"/x","http.response.status_code":"404"}"#).unwrap();
        assert_eq!((e.time_ms, e.status), (1_608_256_646_123, 404));
        assert_eq!(e.client.as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn fluent_bit_parser_fields() {
        let e = dec(r#"{"remote":"10.0.0.7","host":"-","user":"-","time":"18/Dec/2020:12:57:26 +1100","method":"GET","path":"/display/ENG/Home","code":"200","size":"-","referer":"-","agent":"Mozilla/5.0 (X11)"}"#).unwrap();
        assert_eq!(e.time_ms, 1_608_256_646_000);
        assert_eq!((e.user, e.client.as_deref()), (None, Some("10.0.0.7")));
        assert_eq!((e.status, e.bytes), (200, 0));
        assert_eq!(e.agent, "Mozilla/5.0 (X11)");
        let e = dec(r#"{"time":1608256646,"path":"/x","code":200,"size":12}"#).unwrap();
        assert_eq!((e.time_ms, e.bytes), (1_608_256_646_000, 12));
    }

    #[test]
    fn bad_records_have_reasons() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let cases = [
            (r#"{"path":"/x"}"#.to_string(), reason::MISSING_TIME),
            (r#"{"time":"2020-12-18T01:57:26Z"}"#.to_string(), reason::MISSING_REQUEST),
            (r#"{"time":"2020-13-18T01:57:26Z","path":"/x"}"#.to_string(), reason::BAD_TIMESTAMP),
            (r#"{"time":1e400,"path":"/x"}"#.to_string(), reason::NOT_JSON),
            (r#"{"time":1e300,"path":"/x"}"#.to_string(), reason::BAD_TIMESTAMP),
            (r#"{"time":true,"path":"/x"}"#.to_string(), reason::BAD_TIMESTAMP),
            (r#"{"time":"2020-12-18T01:57:26Z","path":"#.to_string(), reason::TRUNCATED),
            ("[1,2]".to_string(), reason::NOT_OBJECT),
            ("{not json}".to_string(), reason::NOT_JSON),
            (deep, reason::NOT_JSON),
        ];
        for (line, why) in cases {
            assert_eq!(dec(&line).err(), Some(why), "{line:.60}");
        }
    }

    #[test]
    fn huge_numbers_do_not_wrap() {
        let e = dec(r#"{"time":"2020-12-18T01:57:26Z","path":"/x","code":99999999999999999999999,"size":1e30}"#).unwrap();
        assert_eq!((e.status, e.bytes), (0, 0));
        let e = dec(r#"{"time":"2020-12-18T01:57:26Z","path":"/x","code":-5,"size":-1}"#).unwrap();
        assert_eq!((e.status, e.bytes), (0, 0));
    }

    #[test]
    fn lookup_tries_every_split() {
        let v: Value = serde_json::from_str(r#"{"a.b":{"c":1},"x":{"y.z":2}}"#).unwrap();
        assert_eq!(lookup(&v, "a.b.c"), Some(&Value::from(1)));
        assert_eq!(lookup(&v, "x.y.z"), Some(&Value::from(2)));
        assert_eq!(lookup(&v, "x.q"), None);
    }
}
