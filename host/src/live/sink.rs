//! Where a live command's alerts go: JSON Lines on stdout or appended to `--alerts FILE`,
//! flushed as they happen, and optionally posted to a collector (`--post URL`, the NDJSON a
//! proxy's collector gets) through a bounded queue that is kept in the state file.
//!
//! An alert is never written twice across a restart. The state file remembers the
//! fingerprints of the last alerts written; alerts written after the last save (a crash
//! between the two) are found again at the end of `--alerts FILE` when the sink opens.

use crate::http;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use wikiwatch_core::{Alert, AlertFormat};
use xxhash_rust::xxh3::xxh3_64;

/// Fingerprints of the most recent alerts kept against repeats.
const RECENT: usize = 4096;
/// Alert lines waiting for the collector, at most; the oldest are dropped (and counted).
pub const QUEUE_CAP: usize = 10_000;
/// Bytes read back from the end of `--alerts FILE` to find alerts written after the last save.
const TAIL_BYTES: u64 = 4 << 20;
/// Longest wait between two attempts to reach the collector.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The sink's part of the state file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SinkState {
    /// Fingerprints of the last alerts written, oldest first.
    pub recent: Vec<u64>,
    /// Alert lines not yet accepted by the collector, oldest first.
    pub pending: Vec<String>,
    /// Alert lines dropped because the queue was full, over the command's whole life.
    pub dropped: u64,
}

/// Counters of the sink, for the status line and the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct SinkCounts {
    /// Alerts written by this run.
    pub written: u64,
    /// Alerts not written again because they were written before a restart.
    pub repeats: u64,
    /// Alert lines the collector accepted in this run.
    pub posted: u64,
    /// Lines waiting for the collector.
    pub pending: usize,
    /// Lines dropped from a full queue (whole life).
    pub dropped: u64,
}

/// Alerts out of a live command.
pub struct LiveSink {
    out: Box<dyn Write>,
    label: String,
    recent: VecDeque<u64>,
    seen: HashSet<u64>,
    post: Option<Poster>,
    pending: VecDeque<String>,
    dropped: u64,
    counts: SinkCounts,
    form: AlertFormat,
}

impl std::fmt::Debug for LiveSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSink")
            .field("label", &self.label)
            .field("counts", &self.counts)
            .finish()
    }
}

struct Poster {
    url: String,
    agent: ureq::Agent,
    next_try: Instant,
    backoff: Duration,
    failed_once: bool,
}

impl LiveSink {
    /// Opens the sink: `alerts` appended to (created when missing) or stdout, `post` the
    /// collector URL, `state` what the last run left, `form` the form alerts are written in
    /// (fingerprints are of the line as written, so the file's tail is recognised).
    pub fn open(
        alerts: Option<&Path>,
        post: Option<&str>,
        state: SinkState,
        form: AlertFormat,
    ) -> Result<LiveSink> {
        let mut recent: VecDeque<u64> = state.recent.into_iter().collect();
        let (out, label): (Box<dyn Write>, String) = match alerts {
            Some(p) => {
                let mut file = OpenOptions::new()
                    .create(true)
                    .read(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("cannot open {}", p.display()))?;
                for fp in tail_fingerprints(&mut file)
                    .with_context(|| format!("cannot read {}", p.display()))?
                {
                    recent.push_back(fp);
                }
                (Box::new(file), p.display().to_string())
            }
            None => (Box::new(io::stdout()), "<stdout>".into()),
        };
        while recent.len() > RECENT {
            recent.pop_front();
        }
        let seen = recent.iter().copied().collect();
        let post = post.map(|url| Poster {
            url: url.to_string(),
            agent: http::agent(Duration::from_secs(5)),
            next_try: Instant::now(),
            backoff: Duration::from_millis(500),
            failed_once: false,
        });
        let mut pending: VecDeque<String> = state.pending.into_iter().collect();
        if post.is_none() {
            pending.clear();
        }
        Ok(LiveSink {
            out,
            label,
            recent,
            seen,
            post,
            pending,
            dropped: state.dropped,
            counts: SinkCounts::default(),
            form,
        })
    }

    /// Writes the alerts not written before, flushed, and queues them for the collector.
    pub fn write(&mut self, alerts: &mut Vec<Alert>) -> Result<()> {
        self.write_each(alerts, |_| {})
    }

    /// As [`LiveSink::write`], calling `written` with each alert written.
    pub fn write_each(
        &mut self,
        alerts: &mut Vec<Alert>,
        mut written: impl FnMut(&Alert),
    ) -> Result<()> {
        if alerts.is_empty() {
            return Ok(());
        }
        for a in alerts.drain(..) {
            let line = a.render(self.form);
            let fp = xxh3_64(line.as_bytes());
            if !self.seen.insert(fp) {
                self.counts.repeats += 1;
                continue;
            }
            self.recent.push_back(fp);
            if self.recent.len() > RECENT {
                if let Some(old) = self.recent.pop_front() {
                    self.seen.remove(&old);
                }
            }
            writeln!(self.out, "{line}")
                .with_context(|| format!("cannot write alerts to {}", self.label))?;
            self.counts.written += 1;
            written(&a);
            if self.post.is_some() {
                if self.pending.len() >= QUEUE_CAP {
                    self.pending.pop_front();
                    self.dropped += 1;
                }
                self.pending.push_back(line);
            }
        }
        self.out.flush().with_context(|| format!("cannot write alerts to {}", self.label))
    }

    /// Sends what waits for the collector, when its backoff allows. Never fails the command:
    /// an unreachable collector is reported once on stderr and retried with backoff.
    pub fn post(&mut self) {
        let Some(p) = &mut self.post else { return };
        while !self.pending.is_empty() && Instant::now() >= p.next_try {
            let n = self.pending.len().min(500);
            let mut body = String::new();
            for line in self.pending.iter().take(n) {
                body.push_str(line);
                body.push('\n');
            }
            let sent = p
                .agent
                .post(&p.url)
                .header("content-type", "application/x-ndjson")
                .send(body.as_bytes());
            let wait = match sent {
                Ok(resp) if resp.status().is_success() => {
                    self.pending.drain(..n);
                    self.counts.posted += n as u64;
                    p.backoff = Duration::from_millis(500);
                    if p.failed_once {
                        eprintln!("wikiwatch: collector {} reachable again", p.url);
                        p.failed_once = false;
                    }
                    continue;
                }
                Ok(resp) => {
                    let why = format!("answered {}", resp.status());
                    (http::retry_after(&resp), why)
                }
                Err(e) => (None, e.to_string()),
            };
            if !p.failed_once {
                eprintln!(
                    "wikiwatch: collector {}: {}; {} alert(s) kept to retry",
                    p.url,
                    wait.1,
                    self.pending.len()
                );
                p.failed_once = true;
            }
            let delay = wait.0.unwrap_or(p.backoff).min(MAX_BACKOFF);
            p.next_try = Instant::now() + delay;
            p.backoff = (p.backoff * 2).min(MAX_BACKOFF);
            break;
        }
    }

    /// Whether lines still wait for the collector.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What to keep in the state file.
    pub fn state(&self) -> SinkState {
        SinkState {
            recent: self.recent.iter().copied().collect(),
            pending: self.pending.iter().cloned().collect(),
            dropped: self.dropped,
        }
    }

    /// What the sink did, for the end-of-run summary (empty when there is nothing to say).
    pub fn render(&self) -> String {
        let c = self.counts();
        let mut s = String::new();
        if c.repeats > 0 {
            s += &format!(
                "  not repeated    {} alert(s) already written before the restart\n",
                c.repeats
            );
        }
        if let Some(p) = &self.post {
            s += &format!(
                "  collector       {} posted, {} waiting, {} dropped (queue full) ({})\n",
                c.posted, c.pending, c.dropped, p.url
            );
        }
        s
    }

    /// Counters so far.
    pub fn counts(&self) -> SinkCounts {
        SinkCounts { pending: self.pending.len(), dropped: self.dropped, ..self.counts }
    }
}

/// Fingerprints of the complete alert lines at the end of an alerts file.
fn tail_fingerprints(file: &mut File) -> io::Result<Vec<u64>> {
    let len = file.seek(SeekFrom::End(0))?;
    let start = len.saturating_sub(TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut reader = BufReader::new(&mut *file);
    let mut line = Vec::new();
    let mut out = Vec::new();
    let mut first = start > 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        // The first line of a window that starts mid-file is a fragment; a last line
        // without its newline is one the crash cut short.
        if std::mem::take(&mut first) || !line.ends_with(b"\n") {
            continue;
        }
        out.push(xxh3_64(&line[..line.len() - 1]));
    }
    file.seek(SeekFrom::End(0))?;
    Ok(out)
}
