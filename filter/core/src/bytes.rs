//! Finding ASCII delimiters eight bytes at a time, and telling text with nothing to unescape
//! (a `tail` line in a Fluent Bit record) the same way.
//!
//! Fields in log lines and URLs are a few to a few dozen bytes long. A byte-at-a-time loop
//! pays, in an interpreter such as Fluent Bit's WAMR, a dispatch for every operation on every
//! byte, and a SIMD search's set-up costs more than such a short scan (and Fluent Bit's WAMR
//! has no SIMD). Eight bytes per step in plain 64-bit arithmetic is cheap on every target.

const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit set in each byte of `v` below `n` (`n <= 0x80`), and possibly in bytes above one:
/// the lowest set bit always marks the first such byte, and the result is zero exactly when no
/// byte is below `n` (a borrow only runs upwards from a byte that really is below it).
#[inline]
fn below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(ONES * u64::from(n)) & !v & (ONES << 7)
}

/// Index of the first byte of `b` that is one of `set`, or below `BELOW` (0: none is).
#[inline]
fn first_of<const N: usize, const BELOW: u8>(b: &[u8], set: [u8; N]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let hits =
            set.iter().fold(below(w, BELOW), |m, &c| m | below(w ^ (ONES * u64::from(c)), 1));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let hit = |c: u8| c < BELOW || set.contains(&c);
    chunks.remainder().iter().position(|&c| hit(c)).map(|i| at + i)
}

/// Index of the first byte of `b` that is one of `set`.
#[inline]
pub(crate) fn find_any<const N: usize>(b: &[u8], set: [u8; N]) -> Option<usize> {
    first_of::<N, 0>(b, set)
}

/// Whether `b`, the inside of a JSON string, holds no `"`, no `\` and no control character:
/// text that is its own value, with nothing to unescape (what most log lines are).
#[inline]
pub fn json_plain(b: &[u8]) -> bool {
    first_of::<2, 0x20>(b, [b'"', b'\\']).is_none()
}

/// [`json_plain`], and ASCII too: bytes that are already valid UTF-8 text, with nothing to
/// check or unescape. Only a yes or no is asked, so no position is kept and `below`'s masks
/// fall away: a byte of 0x80 or more already has its high bit set, and a borrow that sets one
/// comes only from a byte below 0x20, `"` or `\` (or from such a byte lower in the word), each
/// of which is a no as well. Five operations a word fewer, on every `tail` record.
#[inline]
pub fn json_plain_ascii(b: &[u8]) -> bool {
    let mut chunks = b.chunks_exact(8);
    let mut any = 0;
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        any |= w
            | w.wrapping_sub(ONES * 0x20)
            | (w ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES)
            | (w ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    }
    any & (ONES << 7) == 0
        && chunks.remainder().iter().all(|&c| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\')
}

#[cfg(test)]
mod tests {
    use super::{find_any, json_plain, json_plain_ascii};

    /// Every length and position, with bytes next to the forbidden ones (a borrow in the
    /// word-at-a-time test must not hide or fake one).
    #[test]
    fn json_plain_agrees_with_a_byte_at_a_time_scan() {
        let slow = |b: &[u8]| b.iter().all(|&c| c >= 0x20 && c != b'"' && c != b'\\');
        let slow_ascii = |b: &[u8]| slow(b) && b.is_ascii();
        let bytes =
            [0x00, 0x1f, 0x20, 0x21, b'"', 0x23, b'[', b'\\', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff];
        for len in 0..20 {
            for at in 0..len {
                for &x in &bytes {
                    for &y in &bytes {
                        let mut b = vec![b'a'; len];
                        b[at] = x;
                        b[len - 1 - at / 2] = y;
                        assert_eq!(json_plain(&b), slow(&b), "{b:?}");
                        assert_eq!(json_plain_ascii(&b), slow_ascii(&b), "{b:?}");
                    }
                }
            }
        }
    }

    /// Every length, every position, with decoys that differ from a needle by one bit or sit
    /// just below it (a borrow in the zero-byte trick must not fake a match).
    #[test]
    fn finds_the_first_needle_at_every_offset() {
        let set = [b' ', b'\t', b'?'];
        let decoys = [0x00, 0x21, 0x08, 0xa0, 0x89, 0x3e, 0xbf, 0x80, 0xff];
        for len in 0..26 {
            let mut b = vec![b'x'; len];
            assert_eq!(find_any(&b, set), None);
            for at in 0..len {
                for needle in set {
                    for (k, &decoy) in decoys.iter().enumerate() {
                        b.fill(b'x');
                        b[..at].fill(decoys[(k + at) % decoys.len()]);
                        if at > 0 {
                            b[at - 1] = decoy;
                        }
                        b[at] = needle;
                        b[len - 1] = if at == len - 1 { needle } else { b' ' };
                        assert_eq!(find_any(&b, set), Some(at), "{len} {at} {needle} {decoy}");
                    }
                }
            }
        }
        assert_eq!(find_any(b"abc", []), None);
        assert_eq!(find_any("é ".as_bytes(), [b' ']), Some(2));
    }
}
