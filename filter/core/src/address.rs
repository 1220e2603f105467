//! Client addresses in one form, so that an address means one entity whatever way a log, a
//! proxy or a forwarding header wrote it: an IPv4 address mapped into IPv6 (`::ffff:10.1.2.3`,
//! as dual-stack servers log IPv4 clients) is its IPv4 address, an IPv6 address is written as
//! Rust prints it (lowercase, zeros compressed), and surrounding blanks go. Anything that is not
//! an address (a host name a log gives instead) is kept, trimmed.

use std::borrow::Cow;
use std::fmt::Write;
use std::net::IpAddr;

/// `client` in canonical form; borrowed whenever it already is (every dotted IPv4 address).
pub fn canonical(client: &str) -> Cow<'_, str> {
    let t = client.trim();
    // Dotted IPv4 as logs write it is already canonical: no parse on the common path.
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Cow::Borrowed(t);
    }
    let Ok(ip) = t.parse::<IpAddr>() else { return Cow::Borrowed(t) };
    let mut buf = Printed::default();
    // An address prints in at most 45 bytes, so this cannot fail; if it did, keep the text.
    if write!(buf, "{}", ip.to_canonical()).is_err() {
        return Cow::Borrowed(t);
    }
    match buf.as_str() {
        Some(c) if c == t => Cow::Borrowed(t),
        Some(c) => Cow::Owned(c.to_string()),
        None => Cow::Borrowed(t),
    }
}

/// `client` as an address, canonical (see [`canonical`]), if it is one.
pub(crate) fn parse(client: &str) -> Option<IpAddr> {
    client.trim().parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// A printed address on the stack: canonicalising an address that already is allocates nothing.
#[derive(Debug)]
struct Printed {
    bytes: [u8; 48],
    len: usize,
}

impl Default for Printed {
    fn default() -> Self {
        Printed { bytes: [0; 48], len: 0 }
    }
}

impl Printed {
    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes[..self.len]).ok()
    }
}

impl Write for Printed {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv4_is_ipv4_and_ipv6_has_one_spelling() {
        for (written, canon) in [
            ("::ffff:10.1.2.3", "10.1.2.3"),
            ("::FFFF:10.1.2.3", "10.1.2.3"),
            ("::ffff:a01:203", "10.1.2.3"),
            (" 10.1.2.3 ", "10.1.2.3"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::1", "::1"),
            ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("confluence-lb.internal", "confluence-lb.internal"),
            ("not:an:address", "not:an:address"),
            ("", ""),
        ] {
            assert_eq!(canonical(written), canon, "{written}");
        }
        assert!(matches!(canonical("10.1.2.3"), Cow::Borrowed(_)));
        assert!(matches!(canonical("2001:db8::1"), Cow::Borrowed(_)));
        assert_eq!(parse("::ffff:10.1.2.3"), Some("10.1.2.3".parse().unwrap()));
        assert_eq!(parse("host"), None);
    }
}
