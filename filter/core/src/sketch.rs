//! Distinct counts in fixed space: an exact small set, and a linear counter for larger sets.
//!
//! Both are deterministic (fixed hash seed, no floating point at query time), so every host
//! reports the same counts.

use serde::{Deserialize, Serialize};

/// Fixed-seed hash of a string: the same on every host, every run and every platform.
///
/// XXH3 is defined on bytes and 64-bit arithmetic, so wasm32 and x86_64 agree (foldhash, used
/// for table placement, does not: its 32-bit path multiplies differently).
pub fn hash32(s: &str) -> u32 {
    fold32(hash64(s.as_bytes()))
}

/// The 64-bit hash that [`hash32`] folds, for a string that is also looked up by it elsewhere
/// (the User-Agent memo): one pass over the bytes serves both.
#[inline]
pub(crate) fn hash64(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(b, 0x5eed_a11c_e0f1_7e57)
}

/// [`hash32`] of a string whose [`hash64`] is known.
#[inline]
pub(crate) fn fold32(h: u64) -> u32 {
    // Zero marks an empty slot in `SmallSet`.
    ((h >> 32) as u32 ^ h as u32).max(1)
}

/// Up to `N` distinct hashes kept exactly; past that the count saturates at `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmallSet<const N: usize> {
    #[serde(with = "serde_array")]
    slots: [u32; N],
    len: u8,
}

impl<const N: usize> Default for SmallSet<N> {
    fn default() -> Self {
        SmallSet { slots: [0; N], len: 0 }
    }
}

impl<const N: usize> SmallSet<N> {
    /// Adds `h`; returns true if it was new (and there was room to remember it).
    pub fn insert(&mut self, h: u32) -> bool {
        let len = usize::from(self.len);
        if self.slots[..len].contains(&h) || len == N {
            return false;
        }
        self.slots[len] = h;
        self.len += 1;
        true
    }

    /// Whether `h` is in the set.
    pub fn contains(&self, h: u32) -> bool {
        self.slots[..usize::from(self.len)].contains(&h)
    }

    /// Distinct members (saturates at `N`).
    pub fn len(&self) -> u64 {
        u64::from(self.len)
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Adds every member of `other` (as far as there is room).
    pub fn merge<const M: usize>(&mut self, other: &SmallSet<M>) {
        for &h in &other.slots[..usize::from(other.len)] {
            self.insert(h);
        }
    }
}

/// Linear counting over `64 * W` bits: exact-ish for small counts, within a few percent up to
/// about `W * 300`. The estimate is a table lookup: no floating point, so every host agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linear<const W: usize> {
    #[serde(with = "serde_array")]
    bits: [u64; W],
}

/// 512 bits: distinct pages.
pub type LinearCounter = Linear<8>;

impl<const W: usize> Default for Linear<W> {
    fn default() -> Self {
        Linear { bits: [0; W] }
    }
}

impl<const W: usize> Linear<W> {
    const BITS: usize = 64 * W;
    const TABLE: &'static [u64] = &estimates::<W>();

    /// Adds a hash.
    pub fn insert(&mut self, h: u32) {
        // Mix so that hashes of nearby integers spread over the words.
        let bit = (h.wrapping_mul(0x9E37_79B1) >> 16) as usize % Self::BITS;
        self.bits[bit / 64] |= 1 << (bit % 64);
    }

    /// Estimated number of distinct hashes added.
    pub fn estimate(&self) -> u64 {
        let ones: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        Self::TABLE[ones as usize]
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.bits = [0; W];
    }

    /// The largest [`Linear::estimate`] possible after at most `inserts` insertions since the
    /// last clear (each sets one bit at most, and the estimate grows with the bits set): lets a
    /// caller that knows how many there were skip counting the bits.
    pub fn most(inserts: u32) -> u64 {
        Self::TABLE[(inserts as usize).min(Self::BITS)]
    }
}

/// `-m ln(zeros/m)` for every number of set bits, rounded, in integer arithmetic only.
/// Sized for the largest counter (8 words); smaller counters use a prefix of their own table.
const fn estimates<const W: usize>() -> [u64; 513] {
    let bits = 64 * W;
    let mut t = [0u64; 513];
    let mut ones = 0;
    while ones <= bits {
        let zeros = bits - ones;
        t[ones] = if zeros == 0 {
            // Saturated: report the largest finite estimate.
            (bits as u64) * 7
        } else {
            // m * ln(m / zeros) in 32.32 fixed point.
            let x = ((bits as u128) << 32) / (zeros as u128);
            ((bits as u128 * ln_fixed(x) + (1u128 << 31)) >> 32) as u64
        };
        ones += 1;
    }
    t
}

/// Natural log of a 32.32 fixed-point number >= 1, in 32.32 fixed point.
const fn ln_fixed(mut x: u128) -> u128 {
    const ONE: u128 = 1 << 32;
    const LN2: u128 = 2_977_044_472; // ln(2) * 2^32
    let mut result = 0;
    while x >= 2 * ONE {
        x /= 2;
        result += LN2;
    }
    // ln(x) = 2 atanh((x-1)/(x+1)) for x in [1, 2).
    let y = ((x - ONE) * ONE) / (x + ONE);
    let y2 = y * y / ONE;
    let mut term = y;
    let mut sum = 0;
    let mut k = 1;
    while k < 40 {
        sum += term / k;
        term = term * y2 / ONE;
        k += 2;
    }
    result + 2 * sum
}

/// Serde for fixed-size arrays of any length (serde derives only up to 32).
mod serde_array {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize, const N: usize>(
        a: &[T; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        a.as_slice().serialize(s)
    }

    pub fn deserialize<'de, D, T, const N: usize>(d: D) -> Result<[T; N], D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        let v = Vec::<T>::deserialize(d)?;
        v.try_into().map_err(|_| serde::de::Error::custom("wrong array length"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_set_is_exact_then_saturates() {
        let mut s = SmallSet::<4>::default();
        assert!(s.insert(1));
        assert!(!s.insert(1));
        for h in 2..10 {
            s.insert(h);
        }
        assert_eq!(s.len(), 4);
        assert!(s.contains(3) && !s.contains(9));
    }

    #[test]
    fn linear_counter_is_close() {
        for n in [1u32, 10, 50, 150, 400, 1000] {
            let mut c = LinearCounter::default();
            for i in 0..n {
                c.insert(hash32(&format!("page-{i}")));
            }
            let est = c.estimate() as f64;
            let err = (est - f64::from(n)).abs() / f64::from(n);
            assert!(err < 0.12, "n={n} est={est}");
        }
    }

    #[test]
    fn most_bounds_every_estimate() {
        let t = estimates::<8>();
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "the estimate grows with the bits set");
        let mut c = LinearCounter::default();
        for i in 0..2000u32 {
            assert!(c.estimate() <= LinearCounter::most(i), "{i}");
            c.insert(hash32(&format!("page-{i}")));
        }
    }

    #[test]
    fn estimate_table_matches_float_math() {
        let t = estimates::<8>();
        for ones in [1usize, 100, 256, 500] {
            let zeros = (512 - ones) as f64;
            let want = (512.0 * (512.0 / zeros).ln()).round() as u64;
            assert!(t[ones].abs_diff(want) <= 1, "{ones}: {} vs {want}", t[ones]);
        }
    }

    #[test]
    fn small_linear_counter_is_close_at_its_range() {
        for n in [1u32, 6, 20, 60] {
            let mut c = Linear::<2>::default();
            for i in 0..n {
                c.insert(hash32(&format!("10.0.0.{i}")));
            }
            let est = c.estimate() as f64;
            assert!((est - f64::from(n)).abs() <= 1.0 + 0.15 * f64::from(n), "n={n} est={est}");
        }
    }
}

#[cfg(test)]
mod pinned {
    /// Counts and session ids derive from these hashes: a change breaks parity between hosts
    /// built at different versions and every stored snapshot.
    #[test]
    fn hash32_is_pinned() {
        let got: Vec<u32> = ["", "ENG", "10.0.0.1", "python-requests/2.31.0"]
            .iter()
            .map(|s| super::hash32(s))
            .collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [u32; 4] = [2_177_349_625, 3_191_165_792, 3_081_638_784, 912_982_700];
}
