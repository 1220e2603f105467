//! The status line on a terminal (lines/s, alerts, bytes behind), redrawn once a second;
//! nothing when stderr is not a terminal.

use crate::live::sink::LiveSink;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The status line.
#[derive(Debug)]
pub struct Status {
    on: bool,
    since: Instant,
    lines: u64,
    rate: f64,
}

impl Status {
    /// On when stderr is a terminal.
    pub fn new() -> Status {
        Status { on: std::io::stderr().is_terminal(), since: Instant::now(), lines: 0, rate: 0.0 }
    }

    /// Counts lines read.
    pub fn lines(&mut self, n: u64) {
        self.lines += n;
    }

    /// Redraws, at most once a second.
    pub fn show(&mut self, sink: &LiveSink, behind: u64) {
        let elapsed = self.since.elapsed();
        if !self.on || elapsed < Duration::from_secs(1) {
            return;
        }
        self.rate = self.lines as f64 / elapsed.as_secs_f64();
        self.lines = 0;
        self.since = Instant::now();
        let c = sink.counts();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[K{:.0} lines/s  {} alerts  {} bytes behind{}",
            self.rate,
            c.written,
            behind,
            if c.pending > 0 { format!("  {} to post", c.pending) } else { String::new() }
        );
        let _ = err.flush();
    }

    /// Removes the line.
    pub fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}
