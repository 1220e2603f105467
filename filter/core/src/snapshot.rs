//! The engine's state as bytes: magic, version, then postcard-encoded state.

use crate::event::TimeMs;
use crate::identity::Learned;
use crate::stats::Counters;
use crate::table::TableSnapshot;
use serde::{Deserialize, Serialize};
use std::fmt;

const MAGIC: &[u8; 4] = b"WKWS";
/// Bumped whenever the state layout changes; an old snapshot is refused, never misread.
pub(crate) const VERSION: u32 = 1;

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

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub watermark: TimeMs,
    pub counters: Counters,
    pub users: TableSnapshot,
    pub ips: TableSnapshot,
    pub sessions: TableSnapshot,
    pub learned: Learned,
}

pub(crate) fn encode(state: &State) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    // Encoding plain data into a Vec cannot fail.
    postcard::to_extend(state, out).unwrap_or_default()
}

pub(crate) fn decode(bytes: &[u8]) -> Result<State, SnapshotError> {
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(SnapshotError::Corrupt("not a wikiwatch state file".into()));
    }
    let found = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    if found != VERSION {
        return Err(SnapshotError::Version { found, expected: VERSION });
    }
    let (state, rest) = postcard::take_from_bytes::<State>(&bytes[8..])
        .map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!("{} trailing bytes", rest.len())));
    }
    Ok(state)
}
