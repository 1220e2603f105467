//! The state file of a long-running command: the detector's snapshot plus each command's own
//! section (follow's file positions, pull's checkpoint, the sink's recent alerts), written
//! atomically as one file so the detector and the positions can never disagree.
//!
//! Layout: `WKWL`, a little-endian `u32` version, a `u32` length, that many bytes of JSON (an
//! object whose keys are the sections), then the detector snapshot (`WKWS...`) to the end. A
//! plain detector snapshot, as `replay --state` writes it, loads as a state with no sections,
//! so a history replayed once starts a live command warm.

use crate::fail::usage;
use crate::state_file;
use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"WKWL";
const SNAPSHOT_MAGIC: &[u8; 4] = b"WKWS";
const VERSION: u32 = 1;

/// A live command's state: sections by name, and the detector.
#[derive(Debug, Default, Clone)]
pub struct LiveState {
    sections: Map<String, Value>,
    /// The detector snapshot; `None` before the first save.
    pub detector: Option<Vec<u8>>,
}

impl LiveState {
    /// Parses the bytes of a state file; `shown` names it in errors.
    pub fn decode(bytes: &[u8], shown: &str) -> Result<LiveState> {
        if bytes.starts_with(SNAPSHOT_MAGIC) {
            return Ok(LiveState { sections: Map::new(), detector: Some(bytes.to_vec()) });
        }
        let bad = |why: &str| usage(format!("--state {shown}: {why}"));
        if !bytes.starts_with(MAGIC) || bytes.len() < 12 {
            return Err(bad("not a wikiwatch state file"));
        }
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let version = word(4);
        if version != VERSION {
            return Err(bad(&format!(
                "state version {version}, this wikiwatch reads version {VERSION}"
            )));
        }
        let len = word(8) as usize;
        let Some(json) = bytes.get(12..12 + len) else {
            return Err(bad("truncated"));
        };
        let sections = match serde_json::from_slice::<Value>(json) {
            Ok(Value::Object(map)) => map,
            _ => return Err(bad("its sections are not a JSON object")),
        };
        let rest = &bytes[12 + len..];
        let detector = (!rest.is_empty()).then(|| rest.to_vec());
        Ok(LiveState { sections, detector })
    }

    /// The bytes of the state file.
    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(&self.sections).unwrap_or_else(|_| b"{}".to_vec());
        let detector = self.detector.as_deref().unwrap_or_default();
        let mut out = Vec::with_capacity(12 + json.len() + detector.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(detector);
        out
    }

    /// The names of its sections, in order.
    pub fn section_names(&self) -> Vec<String> {
        self.sections.keys().cloned().collect()
    }

    /// The section `key`, when present.
    pub fn section<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.sections.get(key) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|e| usage(format!("state section `{key}`: {e}"))),
        }
    }

    /// Replaces the section `key`.
    pub fn set_section<T: Serialize>(&mut self, key: &str, value: &T) -> Result<()> {
        let v = serde_json::to_value(value).context("cannot encode the state")?;
        self.sections.insert(key.to_string(), v);
        Ok(())
    }
}

/// A state file on disk: loaded once, saved atomically (write beside, then rename).
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    /// Checks that `path` can be written (before any work) and loads it when it exists.
    pub fn open(path: &Path) -> Result<(StateFile, LiveState)> {
        state_file::check(path)?;
        let state = match state_file::load(path)? {
            Some(bytes) => LiveState::decode(&bytes, &path.display().to_string())?,
            None => LiveState::default(),
        };
        Ok((StateFile { path: path.to_path_buf() }, state))
    }

    /// [`StateFile::open`] for an optional `--state`: without one, nothing is saved and the
    /// state starts empty.
    pub fn open_opt(path: Option<&Path>) -> Result<(Option<StateFile>, LiveState)> {
        match path {
            Some(p) => StateFile::open(p).map(|(f, s)| (Some(f), s)),
            None => Ok((None, LiveState::default())),
        }
    }

    /// Writes `state` atomically.
    pub fn save(&self, state: &LiveState) -> Result<()> {
        state_file::save(&self.path, &state.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_detector_round_trip() {
        let mut s =
            LiveState { detector: Some(b"WKWS\x01\x00\x00\x00xyz".to_vec()), ..Default::default() };
        s.set_section("follow", &vec![1u64, 2, 3]).unwrap();
        let back = LiveState::decode(&s.encode(), "t").unwrap();
        assert_eq!(back.section::<Vec<u64>>("follow").unwrap(), Some(vec![1, 2, 3]));
        assert_eq!(back.detector, s.detector);
        assert_eq!(back.section::<u8>("pull").unwrap(), None);
    }

    #[test]
    fn a_plain_snapshot_is_a_state_without_sections() {
        let snap = b"WKWS\x01\x00\x00\x00abc".to_vec();
        let s = LiveState::decode(&snap, "t").unwrap();
        assert_eq!(s.detector.as_deref(), Some(&snap[..]));
        assert_eq!(s.section::<u8>("follow").unwrap(), None);
    }

    #[test]
    fn garbage_and_truncation_are_usage_errors_naming_the_file() {
        for bytes in [
            &b"hello"[..],
            b"WKWL\x01\x00\x00\x00\xff\x00\x00\x00{}",
            b"WKWL\x02\x00\x00\x00\x00\x00\x00\x00",
        ] {
            let e = LiveState::decode(bytes, "/x/s.state").unwrap_err();
            assert!(e.to_string().contains("/x/s.state"), "{e}");
        }
    }
}
