//! The engine's state as bytes: magic, version, checksum, then the postcard-encoded [`Meta`]
//! and state.
//!
//! The checksum (XXH3 of the payload) turns a flipped bit in a stored state file into a clear
//! error instead of silently different baselines.

use crate::clock::Clock;
use crate::config::Config;
use crate::identity::Learned;
use crate::stats::Counters;
use crate::table::TableSnapshot;
use serde::{Deserialize, Serialize};
use std::fmt;

const MAGIC: &[u8; 4] = b"WKWS";
/// Bumped whenever the state layout changes; an old snapshot is refused, never misread.
pub(crate) const VERSION: u32 = 4;

/// A snapshot that cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a wikiwatch snapshot, or damaged.
    Corrupt(String),
    /// Written by another snapshot version.
    Version {
        /// Version found.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Corrupt(m) => write!(f, "state snapshot is corrupt: {m}"),
            SnapshotError::Version { found, expected } => {
                write!(
                    f,
                    "state snapshot version {found} cannot be read (this build reads {expected})"
                )
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

/// What a snapshot says about itself, ahead of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// [`fingerprint`] of the config the state was written under.
    pub config: u64,
}

/// XXH3 of the config's JSON form. Maps in the config are ordered, so equal configs give equal
/// fingerprints in every host.
pub(crate) fn fingerprint(config: &Config) -> u64 {
    xxhash_rust::xxh3::xxh3_64(&serde_json::to_vec(config).unwrap_or_default())
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub clock: Clock,
    pub counters: Counters,
    pub users: TableSnapshot,
    pub ips: TableSnapshot,
    pub sessions: TableSnapshot,
    pub learned: Learned,
}

const HEADER: usize = 16;

pub(crate) fn encode(meta: &Meta, state: &State) -> Vec<u8> {
    // Encoding plain data into a Vec cannot fail.
    let payload = postcard::to_allocvec(&(meta, state)).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

pub(crate) fn decode(bytes: &[u8]) -> Result<(Meta, State), SnapshotError> {
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(SnapshotError::Corrupt("not a wikiwatch state file".into()));
    }
    let found = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if found != VERSION {
        return Err(SnapshotError::Version { found, expected: VERSION });
    }
    let (sum, payload) = match (bytes.get(8..HEADER), bytes.get(HEADER..)) {
        (Some(s), Some(p)) => (s, p),
        _ => return Err(SnapshotError::Corrupt("truncated header".into())),
    };
    if sum != xxhash_rust::xxh3::xxh3_64(payload).to_le_bytes() {
        return Err(SnapshotError::Corrupt("checksum mismatch (damaged or truncated)".into()));
    }
    let (state, rest) = postcard::take_from_bytes::<(Meta, State)>(payload)
        .map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!("{} trailing bytes", rest.len())));
    }
    Ok(state)
}
