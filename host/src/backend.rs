//! One interface over the two places detection can run: the component (sandboxed, default)
//! and the core compiled into this binary. Both see exactly the same batches.

use anyhow::Result;
use wikiwatch_core::{AccessEvent, Alert, Format, Stats};

/// A line the decoder refused: its index in the batch and why.
pub type Rejected = (u32, String);

/// Where detection runs, fed in batches: the component in wasmtime or the core in-process.
pub trait Backend {
    /// Feeds `lines`, each terminated by `\n`; alerts and rejected lines are appended.
    fn feed_lines(
        &mut self,
        lines: &[u8],
        format: Format,
        alerts: &mut Vec<Alert>,
        rejected: &mut Vec<Rejected>,
    ) -> Result<()>;
    /// Feeds events the host decoded.
    fn feed_events(
        &mut self,
        events: &[AccessEvent<'static>],
        alerts: &mut Vec<Alert>,
    ) -> Result<()>;
    /// Flushes at end of input.
    fn finish(&mut self, alerts: &mut Vec<Alert>) -> Result<()>;
    /// The core's counters.
    fn stats(&mut self) -> Result<Stats>;
    /// The engine state.
    fn snapshot(&mut self) -> Result<Vec<u8>>;
    /// The sandbox's linear memory, largest so far and allowed, in bytes (`None` in-process).
    fn guest_memory(&self) -> Option<(u64, u64)> {
        None
    }
}
