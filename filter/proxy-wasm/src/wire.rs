//! The compact event a worker VM enqueues for the leader: length-prefixed fields, no secrets
//! (the session is already hashed). Decoding never panics; a damaged message is dropped.

use std::borrow::Cow;
use wikiwatch_core::AccessEvent;

const VERSION: u8 = 2;
const NONE: u16 = u16::MAX;

/// One request as the leader needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WireEvent {
    /// Host clock at request headers, ms since epoch.
    pub time_ms: i64,
    /// Response status (0 when the upstream never answered).
    pub status: u16,
    /// Response bytes (`content-length`), 0 when unknown.
    pub bytes: u64,
    /// `:method`.
    pub method: String,
    /// `:path` (path and query).
    pub target: String,
    /// `user-agent`.
    pub agent: String,
    /// Client address.
    pub client: Option<String>,
    /// User from the response's user header (or Basic auth).
    pub user: Option<String>,
    /// Hashed session.
    pub session: Option<String>,
    /// Hashed `Authorization` credential that is not the session (`request::credential`).
    pub credential: Option<String>,
}

impl WireEvent {
    /// Serialises; every field must be at most 65534 bytes (callers cut at `request::MAX_FIELD`).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.target.len() + self.agent.len());
        out.push(VERSION);
        out.extend_from_slice(&self.time_ms.to_le_bytes());
        out.extend_from_slice(&self.status.to_le_bytes());
        out.extend_from_slice(&self.bytes.to_le_bytes());
        let mut put = |s: Option<&str>| match s {
            Some(s) => {
                let s = &s.as_bytes()[..s.len().min(usize::from(NONE - 1))];
                out.extend_from_slice(&(s.len() as u16).to_le_bytes());
                out.extend_from_slice(s);
            }
            None => out.extend_from_slice(&NONE.to_le_bytes()),
        };
        put(Some(&self.method));
        put(Some(&self.target));
        put(Some(&self.agent));
        put(self.client.as_deref());
        put(self.user.as_deref());
        put(self.session.as_deref());
        put(self.credential.as_deref());
        out
    }

    /// Parses what [`WireEvent::encode`] wrote; `None` for anything else.
    pub fn decode(bytes: &[u8]) -> Option<WireEvent> {
        let mut r = Reader(bytes);
        if r.take(1)? != [VERSION] {
            return None;
        }
        let time_ms = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let status = u16::from_le_bytes(r.take(2)?.try_into().ok()?);
        let bytes_ = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let ev = WireEvent {
            time_ms,
            status,
            bytes: bytes_,
            method: r.string()??,
            target: r.string()??,
            agent: r.string()??,
            client: r.string()?,
            user: r.string()?,
            session: r.string()?,
            credential: r.string()?,
        };
        r.0.is_empty().then_some(ev)
    }

    /// The core's event, borrowing from this one.
    pub fn event(&self) -> AccessEvent<'_> {
        AccessEvent {
            time_ms: self.time_ms,
            user: self.user.as_deref().map(Cow::Borrowed),
            client: self.client.as_deref().map(Cow::Borrowed),
            session: self.session.as_deref().map(Cow::Borrowed),
            method: Cow::Borrowed(&self.method),
            target: Cow::Borrowed(&self.target),
            status: self.status,
            bytes: self.bytes,
            agent: Cow::Borrowed(&self.agent),
            referer: None,
            audit: None,
            aliases: Vec::new(),
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// Outer `None`: damaged; inner `None`: the field was absent.
    fn string(&mut self) -> Option<Option<String>> {
        let n = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        if n == NONE {
            return Some(None);
        }
        let s = std::str::from_utf8(self.take(usize::from(n))?).ok()?;
        Some(Some(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let e = WireEvent {
            time_ms: 1_700_000_000_123,
            status: 200,
            bytes: 5120,
            method: "GET".into(),
            target: "/rest/api/content?start=25&limit=25".into(),
            agent: "python-requests/2.31.0".into(),
            client: Some("10.1.0.17".into()),
            user: None,
            session: Some("00ff".into()),
            credential: Some("ab12".into()),
        };
        let b = e.encode();
        assert_eq!(WireEvent::decode(&b), Some(e));
        for cut in 0..b.len() {
            assert_eq!(WireEvent::decode(&b[..cut]), None);
        }
        let mut extra = b.clone();
        extra.push(0);
        assert_eq!(WireEvent::decode(&extra), None);
    }
}
