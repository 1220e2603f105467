//! The generated event, who produced it, and the simulated clock.

use std::rc::Rc;

/// Milliseconds since the Unix epoch (UTC).
pub type Ms = i64;
/// One second in ms.
pub const SECOND: Ms = 1_000;
/// One minute in ms.
pub const MINUTE: Ms = 60 * SECOND;
/// One hour in ms.
pub const HOUR: Ms = 60 * MINUTE;
/// One day in ms.
pub const DAY: Ms = 24 * HOUR;

/// The server's UTC offset in minutes (the log prints local time with this offset, and
/// office hours are local). Central European winter time.
pub const TZ_OFFSET_MIN: i64 = 60;

/// Local midnight of 2026-10-05, a Monday, as UTC ms: day 0 of every corpus.
pub const EPOCH_LOCAL_MIDNIGHT: Ms = 1_791_158_400_000 - TZ_OFFSET_MIN * MINUTE;

/// Who produced an event: ordinary traffic, a benign trap, or an attack (ground truth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Ordinary users, admins, anonymous readers.
    Population,
    /// A benign trap, by index into the scenario's trap list.
    Trap(usize),
    /// An attack, by its number (1..=16).
    Attack(u8),
}

/// One request as it will be logged.
#[derive(Debug, Clone)]
pub struct Event {
    /// When the request arrived.
    pub time_ms: Ms,
    /// Authenticated user, `None` for anonymous.
    pub user: Option<Rc<str>>,
    /// Client address.
    pub ip: Rc<str>,
    /// User-Agent, `None` when the client sent none.
    pub agent: Option<Rc<str>>,
    /// HTTP method.
    pub method: &'static str,
    /// Path and query.
    pub target: String,
    /// HTTP status.
    pub status: u16,
    /// Response time in ms.
    pub duration_ms: u32,
    /// Response bytes (0 is logged as `-`).
    pub bytes: u64,
    /// Referer, `None` for none.
    pub referer: Option<String>,
    /// Ground truth.
    pub actor: Actor,
}

/// A client: one identity on one address with one agent. Requests are built from it.
#[derive(Debug, Clone)]
pub struct Client {
    /// Authenticated user, `None` for anonymous.
    pub user: Option<Rc<str>>,
    /// Address the requests come from.
    pub ip: Rc<str>,
    /// User-Agent.
    pub agent: Option<Rc<str>>,
    /// Ground truth of everything this client sends.
    pub actor: Actor,
}

impl Client {
    /// A request by this client.
    #[allow(clippy::too_many_arguments)]
    pub fn req(
        &self,
        time_ms: Ms,
        method: &'static str,
        target: String,
        status: u16,
        duration_ms: u32,
        bytes: u64,
        referer: Option<String>,
    ) -> Event {
        Event {
            time_ms,
            user: self.user.clone(),
            ip: self.ip.clone(),
            agent: self.agent.clone(),
            method,
            target,
            status,
            duration_ms,
            bytes,
            referer,
            actor: self.actor,
        }
    }

    /// The same client on another address.
    pub fn at(&self, ip: Rc<str>) -> Client {
        Client { ip, ..self.clone() }
    }
}

/// Where the wiki lives (Referer values are absolute URLs).
pub const BASE_URL: &str = "https://wiki.example.com";

/// Absolute URL of a path, for Referer headers.
pub fn url(path: &str) -> String {
    format!("{BASE_URL}{path}")
}

/// Local midnight of day `d` as UTC ms.
pub fn day_start(d: u32) -> Ms {
    EPOCH_LOCAL_MIDNIGHT + i64::from(d) * DAY
}

/// Whether day `d` is Monday to Friday.
pub fn is_weekday(d: u32) -> bool {
    d % 7 < 5
}

/// An independent random stream for one (day, actor) pair, so each day and actor can be
/// generated on its own and the output still only depends on the seed.
pub fn rng_for(seed: u64, day: u32, salt: u64, index: usize) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for v in [u64::from(day), salt, index as u64] {
        // splitmix64 step per component
        x = x.wrapping_add(v).wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    rand_chacha::ChaCha8Rng::seed_from_u64(x)
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept; space as `%20`).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a query the way Confluence's site-search form does (`+` for spaces).
pub fn form_enc(s: &str) -> String {
    enc(s).replace("%20", "+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_zero_is_a_monday_at_local_midnight() {
        let t = chrono::DateTime::from_timestamp_millis(day_start(0) + TZ_OFFSET_MIN * MINUTE)
            .map(|t| t.format("%a %Y-%m-%d %H:%M").to_string());
        assert_eq!(t.as_deref(), Some("Mon 2026-10-05 00:00"));
        assert!(is_weekday(4) && !is_weekday(5) && !is_weekday(6) && is_weekday(7));
    }

    #[test]
    fn encoding() {
        assert_eq!(enc("text~\"pass word\""), "text~%22pass%20word%22");
        assert_eq!(form_enc("pass word"), "pass+word");
    }
}
