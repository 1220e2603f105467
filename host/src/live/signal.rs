//! SIGTERM and SIGINT ask a live command to stop at the next safe point (after the batch in
//! hand, with the state saved) instead of killing it mid-write.

use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Set when the process was asked to stop.
#[derive(Debug, Clone)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Routes SIGTERM and SIGINT to this flag.
    pub fn install() -> Result<Stop> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::flag::register(sig, Arc::clone(&flag))
                .context("cannot install the signal handlers")?;
        }
        Ok(Stop(flag))
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Sleeps up to `d`, waking early when a stop is asked for.
    pub fn sleep(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.requested() {
            let now = Instant::now();
            if now >= end {
                break;
            }
            std::thread::sleep((end - now).min(Duration::from_millis(50)));
        }
    }
}
