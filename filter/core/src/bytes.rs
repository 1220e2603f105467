//! Finding ASCII delimiters eight bytes at a time.
//!
//! Fields in log lines and URLs are a few to a few dozen bytes long. A byte-at-a-time loop
//! pays, in a sandboxed WebAssembly guest, a deadline check on every byte (the host's epoch
//! interruption instruments each loop back-edge), and a SIMD search's set-up costs more than
//! such a short scan. Eight bytes per step in plain 64-bit arithmetic is cheap on every target.

const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit set in each zero byte of `v`, and possibly in bytes above one: the lowest set bit
/// always marks the first zero byte, which is all [`find_any`] needs.
#[inline]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & (ONES << 7)
}

/// Index of the first byte of `b` that is one of `set`.
#[inline]
pub(crate) fn find_any<const N: usize>(b: &[u8], set: [u8; N]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        let hits = set.iter().fold(0, |m, &c| m | zero_bytes(w ^ (ONES * u64::from(c))));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|c| set.contains(c)).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::find_any;

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
