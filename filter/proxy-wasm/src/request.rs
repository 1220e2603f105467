//! What a request's headers say about who sent it: client address, session, user.
//! Pure functions over header bytes; hostile input (invalid UTF-8, huge values) is cut, never trusted.

use std::net::IpAddr;

/// Longest value kept from any header (longer values are cut at a character boundary).
pub const MAX_FIELD: usize = 4096;

/// Header bytes as text: invalid UTF-8 replaced, cut to `max` bytes.
pub fn text(bytes: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]);
    let mut s = s.into_owned();
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// Headers as the proxy serialises a whole map (proxy-wasm wire format: count, then key and
/// value sizes, then NUL-terminated keys and values), borrowed, never trusted: a malformed map
/// yields the pairs before the damage.
#[derive(Debug, Clone, Default)]
pub struct Pairs<'a>(Vec<(&'a [u8], &'a [u8])>);

impl<'a> Pairs<'a> {
    /// Parses a serialised map.
    pub fn parse(b: &'a [u8]) -> Pairs<'a> {
        let word = |i: usize| -> Option<usize> {
            Some(u32::from_le_bytes(b.get(i..i.checked_add(4)?)?.try_into().ok()?) as usize)
        };
        let mut out = Vec::new();
        let Some(n) = word(0) else { return Pairs(out) };
        // Each pair needs 8 bytes of sizes and 2 terminators: a count the buffer cannot hold is
        // damage, not a reason to allocate.
        if n > b.len() / 10 {
            return Pairs(out);
        }
        let mut p = 4 + n * 8;
        for i in 0..n {
            let (Some(kl), Some(vl)) = (word(4 + i * 8), word(8 + i * 8)) else { break };
            let Some(k) = p.checked_add(kl).and_then(|e| b.get(p..e)) else { break };
            p += kl + 1;
            let Some(v) = p.checked_add(vl).and_then(|e| b.get(p..e)) else { break };
            p += vl + 1;
            out.push((k, v));
        }
        Pairs(out)
    }

    /// The first value of header `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.0.iter().find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| *v)
    }

    /// A header as text cut to `max` bytes; empty when absent.
    pub fn text(&self, name: &str, max: usize) -> String {
        self.get(name).map(|v| text(v, max)).unwrap_or_default()
    }
}

/// The client address: the `trusted_hops`-th entry from the right of a forwarding header when
/// hops are trusted and the header has that many entries, otherwise the peer address. The
/// address is validated, its port and brackets dropped, and written in the core's canonical
/// form (`::ffff:10.1.2.3` is `10.1.2.3`), so that throttle slots key on the entity alerts name.
pub fn client(forwarded: Option<&[u8]>, trusted_hops: u32, peer: Option<&[u8]>) -> Option<String> {
    let canonical = |ip: &str| wikiwatch_core::address::canonical(ip).into_owned();
    if trusted_hops > 0 {
        if let Some(h) = forwarded {
            let h = String::from_utf8_lossy(&h[..h.len().min(MAX_FIELD)]);
            let hop = h.rsplit(',').nth(trusted_hops as usize - 1);
            if let Some(ip) = hop.and_then(addr) {
                return Some(canonical(ip));
            }
        }
    }
    let peer = String::from_utf8_lossy(peer?);
    addr(&peer).map(canonical)
}

/// The address part of `10.0.0.1`, `10.0.0.1:443`, `[2001:db8::1]:443` or `::1`, if valid.
fn addr(s: &str) -> Option<&str> {
    let s = s.trim();
    let a = if s.parse::<IpAddr>().is_ok() {
        s
    } else if let Some(rest) = s.strip_prefix('[') {
        rest.split_once(']')?.0
    } else {
        s.rsplit_once(':')?.0
    };
    a.parse::<IpAddr>().is_ok().then_some(a)
}

/// The session secret: the first named cookie present, else a bearer token if enabled.
/// The caller hashes it at once (see [`session_hash`]).
pub fn session<'a>(
    cookie: Option<&'a [u8]>,
    authorization: Option<&'a [u8]>,
    names: &[String],
    bearer: bool,
) -> Option<&'a [u8]> {
    if let Some(c) = cookie {
        for part in c.split(|&b| b == b';') {
            let part = part.trim_ascii();
            let Some(eq) = part.iter().position(|&b| b == b'=') else {
                continue;
            };
            let (k, v) = (&part[..eq], &part[eq + 1..]);
            if !v.is_empty() && names.iter().any(|n| n.as_bytes() == k) {
                return Some(v);
            }
        }
    }
    let a = authorization?.trim_ascii();
    let token = a.strip_prefix(b"Bearer ").or_else(|| a.strip_prefix(b"bearer "))?.trim_ascii();
    (bearer && !token.is_empty()).then_some(token)
}

/// The `Authorization` value that names its sender without being the session: Basic
/// credentials, or a bearer token when bearer tokens are not sessions. The caller hashes it at
/// once (see [`session_hash`]): a scraper that logs in anew for every batch with the same
/// credentials is still recognised.
pub fn credential(authorization: Option<&[u8]>, bearer_is_session: bool) -> Option<&[u8]> {
    let a = authorization?.trim_ascii();
    let is_session = bearer_is_session && (a.starts_with(b"Bearer ") || a.starts_with(b"bearer "));
    (!a.is_empty() && !is_session).then_some(a)
}

/// A stable 128-bit hash of a session secret, as 32 hex digits: the secret itself is never
/// kept, queued or logged (the core hashes this again for alert entity ids).
pub fn session_hash(secret: &[u8]) -> String {
    let a = fnv1a(0xcbf2_9ce4_8422_2325, secret);
    let b = fnv1a(0x6c62_272e_07bb_0142, secret);
    format!("{a:016x}{b:016x}")
}

/// FNV-1a 64: deterministic in every VM (no random seed), so all workers agree on slots.
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The user named by `Authorization: Basic` (only the name; the password is dropped unread).
pub fn basic_user(authorization: Option<&[u8]>) -> Option<String> {
    let a = authorization?.trim_ascii();
    let b64 = a.strip_prefix(b"Basic ").or_else(|| a.strip_prefix(b"basic "))?;
    let raw = base64(b64.get(..b64.len().min(1024))?)?;
    let colon = raw.iter().position(|&c| c == b':')?;
    let user = std::str::from_utf8(&raw[..colon]).ok()?;
    (!user.is_empty()).then(|| user.to_string())
}

/// Standard or URL-safe base64, padding optional; `None` at any other byte.
pub(crate) fn base64(input: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let input: Vec<u8> = input.iter().copied().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    for chunk in input.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_from_trusted_hop_or_peer() {
        let xff = Some(&b"6.6.6.6, 203.0.113.7, 10.0.0.2"[..]);
        assert_eq!(client(xff, 1, Some(b"10.0.0.9:5000")).as_deref(), Some("10.0.0.2"));
        assert_eq!(client(xff, 2, None).as_deref(), Some("203.0.113.7"));
        assert_eq!(client(xff, 0, Some(b"10.0.0.9:5000")).as_deref(), Some("10.0.0.9"));
        assert_eq!(client(xff, 9, Some(b"[2001:db8::1]:443")).as_deref(), Some("2001:db8::1"));
        assert_eq!(client(Some(b"\xff\xfe"), 1, Some(b"junk")), None);
        let mapped = Some(&b"::ffff:10.1.2.3, 10.0.0.1"[..]);
        assert_eq!(client(mapped, 2, None).as_deref(), Some("10.1.2.3"));
        assert_eq!(client(None, 0, Some(b"[::ffff:10.1.2.3]:443")).as_deref(), Some("10.1.2.3"));
    }

    #[test]
    fn session_from_cookie_or_bearer() {
        let names = vec!["JSESSIONID".to_string()];
        let c = Some(&b"a=1; JSESSIONID=ABC123; b=2"[..]);
        assert_eq!(session(c, None, &names, true), Some(&b"ABC123"[..]));
        assert_eq!(session(None, Some(b"Bearer tok"), &names, true), Some(&b"tok"[..]));
        assert_eq!(session(None, Some(b"Bearer tok"), &names, false), None);
        assert_eq!(session(Some(b"JSESSIONID="), None, &names, true), None);
        assert_ne!(session_hash(b"ABC123"), session_hash(b"ABC124"));
        assert!(!session_hash(b"ABC123").contains("ABC"));
    }

    #[test]
    fn credential_unless_it_is_the_session() {
        assert_eq!(
            credential(Some(b" Basic YWxpY2U6czNjcmV0 "), true),
            Some(&b"Basic YWxpY2U6czNjcmV0"[..])
        );
        assert_eq!(credential(Some(b"Bearer tok"), true), None);
        assert_eq!(credential(Some(b"Bearer tok"), false), Some(&b"Bearer tok"[..]));
        assert_eq!(credential(Some(b"  "), false), None);
        assert_eq!(credential(None, false), None);
    }

    #[test]
    fn basic_user_only_name() {
        // "alice:s3cret"
        assert_eq!(basic_user(Some(b"Basic YWxpY2U6czNjcmV0")).as_deref(), Some("alice"));
        assert_eq!(basic_user(Some(b"Basic !!!")), None);
        assert_eq!(basic_user(Some(b"Bearer x")), None);
    }

    #[test]
    fn pairs_parse_and_survive_damage() {
        // count 2; sizes (7,3) (10,4); ":method\0GET\0user-agent\0curl\0"
        let mut b = vec![2, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 10, 0, 0, 0, 4, 0, 0, 0];
        b.extend_from_slice(b":method\0GET\0user-agent\0curl\0");
        let p = Pairs::parse(&b);
        assert_eq!(p.get(":method"), Some(&b"GET"[..]));
        assert_eq!(p.text("User-Agent", 100), "curl");
        assert_eq!(p.get("cookie"), None);
        for cut in 0..b.len() {
            let _ = Pairs::parse(&b[..cut]);
        }
        let mut huge = b.clone();
        huge[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Pairs::parse(&huge).get(":method"), None);
        let mut long = b.clone();
        long[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(Pairs::parse(&long).get(":method"), None);
    }

    #[test]
    fn text_cuts_on_char_boundary() {
        assert_eq!(text("héllo".as_bytes(), 2), "h");
        assert_eq!(text(b"\xff", 10), "\u{fffd}");
        assert!(text(&[b'a'; 10_000], MAX_FIELD).len() == MAX_FIELD);
    }
}
