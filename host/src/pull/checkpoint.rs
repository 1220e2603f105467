//! Where a pull stands: the time of the newest event fed and the ids of the events at that
//! time. The next poll asks again from that time (both APIs take it as inclusive, and events
//! can share a millisecond), and the ids drop what was fed already.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Ids kept at one time, at most: more events than that in one millisecond of one audit log
/// is not a real log, and the list lives in the state file.
const MAX_IDS: usize = 10_000;

/// The checkpoint of one source (`org:ID` or `site:HOST`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Time of the newest event fed, epoch ms.
    pub time_ms: i64,
    /// Ids of the events fed at `time_ms`.
    pub ids: Vec<String>,
}

/// The state file's `pull` section: one checkpoint per source, so one state file can follow
/// an organization and its sites in turn without mixing their positions.
pub type Checkpoints = BTreeMap<String, Checkpoint>;

impl Checkpoint {
    /// Whether the event `id` at `time_ms` has not been fed yet.
    pub fn is_new(&self, time_ms: i64, id: &str) -> bool {
        time_ms > self.time_ms || (time_ms == self.time_ms && !self.ids.iter().any(|i| i == id))
    }

    /// Records that the event was fed.
    pub fn advance(&mut self, time_ms: i64, id: &str) {
        if time_ms > self.time_ms {
            self.time_ms = time_ms;
            self.ids.clear();
        }
        if time_ms == self.time_ms && self.ids.len() < MAX_IDS {
            self.ids.push(id.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_at_the_checkpoint_time_is_dropped_by_id() {
        let mut c = Checkpoint::default();
        for (t, id) in [(10, "a"), (20, "b"), (20, "c")] {
            assert!(c.is_new(t, id));
            c.advance(t, id);
        }
        assert_eq!(c, Checkpoint { time_ms: 20, ids: vec!["b".into(), "c".into()] });
        // The next poll starts at 20 and sees b and c again, and d that came in since.
        assert!(!c.is_new(20, "b"));
        assert!(!c.is_new(20, "c"));
        assert!(c.is_new(20, "d"));
        assert!(!c.is_new(19, "z"), "older than the checkpoint: fed before");
        c.advance(20, "d");
        assert_eq!(c.ids.len(), 3);
        c.advance(21, "e");
        assert_eq!(c, Checkpoint { time_ms: 21, ids: vec!["e".into()] });
    }

    #[test]
    fn round_trips_through_the_state_section() {
        let mut all = Checkpoints::new();
        all.insert("org:o1".into(), Checkpoint { time_ms: 5, ids: vec!["x".into()] });
        let json = serde_json::to_value(&all).unwrap();
        assert_eq!(json, serde_json::json!({"org:o1": {"time_ms": 5, "ids": ["x"]}}));
        assert_eq!(serde_json::from_value::<Checkpoints>(json).unwrap(), all);
    }
}
