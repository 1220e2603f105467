//! Where [`write()`](crate::write()) puts the events: `confluence-access.log` and/or
//! `combined.log`, or, for a cluster (`nodes` 2), one pair per node behind a sticky load
//! balancer (`confluence-access-node-1.log`, `combined-node-2.log`, ...): every account (or,
//! before logging in, every address) always lands on the same node, and each node writes its
//! own clock's time, node 2's being 90 s behind. Each node's file is in time order of its own
//! timestamps.

use crate::model::{Event, Ms, SECOND};
use crate::writer::{combined_line, confluence_line, LogClock};
use crate::{OutFormat, SimError};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// How far each node's clock is off (node 1 is right; node 2 is 90 s behind).
pub const NODE_SKEW: [Ms; 2] = [0, -90 * SECOND];

/// One open log file and the clock formatting its times.
type Log = (BufWriter<File>, LogClock);

/// The log files of one node.
#[derive(Debug)]
struct Node {
    access: Option<Log>,
    combined: Option<Log>,
    lines: u64,
    skew: Ms,
}

/// The open log files.
#[derive(Debug)]
pub(crate) struct Sinks {
    nodes: Vec<Node>,
    line: String,
}

impl Sinks {
    /// Creates the log files of `format` for `nodes` nodes (1 or 2) in `dir`, adding their
    /// paths to `files`.
    pub fn open(
        dir: &Path,
        format: OutFormat,
        nodes: u32,
        files: &mut Vec<PathBuf>,
    ) -> Result<Sinks, SimError> {
        let mut open = |name: String| -> Result<Log, SimError> {
            let path = dir.join(name);
            let file = File::create(&path)
                .map_err(SimError::io(format!("creating {}", path.display())))?;
            files.push(path);
            Ok((BufWriter::new(file), LogClock::default()))
        };
        let mut out = Vec::new();
        for n in 1..=nodes {
            let suffix = if nodes == 1 { String::new() } else { format!("-node-{n}") };
            let access = match format {
                OutFormat::ConfluenceAccess | OutFormat::Both => {
                    Some(open(format!("confluence-access{suffix}.log"))?)
                }
                OutFormat::Combined => None,
            };
            let combined = match format {
                OutFormat::Combined | OutFormat::Both => {
                    Some(open(format!("combined{suffix}.log"))?)
                }
                OutFormat::ConfluenceAccess => None,
            };
            let skew = NODE_SKEW.get(n as usize - 1).copied().unwrap_or(0);
            out.push(Node { access, combined, lines: 0, skew });
        }
        Ok(Sinks { nodes: out, line: String::with_capacity(512) })
    }

    /// Writes `e` to its node's files; returns the node's index (0 for node 1).
    pub fn write(&mut self, e: &Event) -> io::Result<usize> {
        let n = node_of(e, self.nodes.len());
        let node = &mut self.nodes[n];
        let thread = thread_of(node.lines);
        node.lines += 1;
        let shifted;
        let e = if node.skew == 0 {
            e
        } else {
            shifted = Event { time_ms: e.time_ms + node.skew, ..e.clone() };
            &shifted
        };
        let line = &mut self.line;
        if let Some((w, clock)) = node.access.as_mut() {
            line.clear();
            confluence_line(line, clock, e, thread);
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        if let Some((w, clock)) = node.combined.as_mut() {
            line.clear();
            combined_line(line, clock, e);
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(n)
    }

    /// Flushes every file.
    pub fn flush(&mut self) -> io::Result<()> {
        for node in &mut self.nodes {
            for (w, _) in [node.access.as_mut(), node.combined.as_mut()].into_iter().flatten() {
                w.flush()?;
            }
        }
        Ok(())
    }
}

/// The node the sticky load balancer sends `e` to: by account, or by address when anonymous.
pub fn node_of(e: &Event, nodes: usize) -> usize {
    if nodes <= 1 {
        return 0;
    }
    let key = e.user.as_deref().unwrap_or(&e.ip);
    // FNV-1a: stable across runs and platforms.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (hash % nodes as u64) as usize
}

/// Tomcat worker thread of a node's n-th request (spread like a busy connector's pool).
pub fn thread_of(n: u64) -> u32 {
    (n.wrapping_mul(37) % 200) as u32 + 1
}
