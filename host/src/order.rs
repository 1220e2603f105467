//! Finished files in time order. The audit APIs page newest first and files saved from them
//! keep that order; files merged by hand can be out of order. A detector fed such a file
//! would skip most of it as late, so a file whose events go back in time by more than the late
//! tolerance is read into memory and sorted by event time first (stable: lines of the same
//! time keep their order, and every line keeps its number for messages).

use crate::config_file::LoadedConfig;
use crate::input::{InputSpec, LineReader};
use crate::output::Progress;
use anyhow::{Context, Result};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use wikiwatch_core::decode::{DecodeConfig, Decoder};
/// The clock check is the coverage report's (shared with the browser).
pub use wikiwatch_report::coverage::ClockCheck;

/// Largest file sorted in memory; a larger out-of-order file is read as it is, with a warning.
const SORT_LIMIT: u64 = 1 << 30;

/// What the pre-read found out about one input's order.
#[derive(Debug, Default, Clone)]
pub struct OrderReport {
    /// Lines whose events went back in time by more than the late tolerance.
    pub backwards: u64,
    /// The input was sorted before it was read.
    pub sorted: bool,
    /// It needed sorting but was too large to sort in memory.
    pub too_large: bool,
    /// Its events as they stand in the file, judged by the core's event clock.
    pub clock: ClockCheck,
}

/// Opens every input before any work (so a missing file fails fast), each in time order: its
/// reader and what its pre-read found.
pub fn open_all(
    specs: &[InputSpec],
    config: &LoadedConfig,
    progress: &Progress,
) -> Result<(Vec<LineReader>, Vec<OrderReport>)> {
    let limits = &config.config.limits;
    let tolerance = (limits.late_tolerance.as_ms(), limits.ahead_tolerance.as_ms());
    let mut orders = vec![OrderReport::default(); specs.len()];
    let mut readers = Vec::with_capacity(specs.len());
    for (spec, report) in specs.iter().zip(&mut orders) {
        readers.push(match sorted_reader(spec, &config.config.decode, tolerance, report)? {
            Some(reader) => reader,
            None => LineReader::open(spec, progress.bytes.clone())?,
        });
    }
    Ok((readers, orders))
}

/// Checks a file's order and, when it needs it, returns a reader over its lines sorted by event
/// time. `None` for stdin, and for files already in order.
pub fn sorted_reader(
    spec: &InputSpec,
    decode: &DecodeConfig,
    (late_ms, ahead_ms): (i64, i64),
    report: &mut OrderReport,
) -> Result<Option<LineReader>> {
    if spec.path.is_none() {
        return Ok(None);
    }
    *report = OrderReport::default();
    let mut bytes = 0u64;
    let scanned = scan(spec, decode, |_, line, key, times| {
        bytes += line.len() as u64;
        if key.backwards(late_ms) {
            report.backwards += 1;
        }
        for &t in times {
            report.clock.observe(t, late_ms, ahead_ms);
        }
    });
    if scanned.is_err() {
        // An input that cannot be read to its end (a truncated .gz) is streamed as it is, so
        // the replay processes what can be read and then reports where reading stopped.
        *report = OrderReport::default();
        return Ok(None);
    }
    if report.backwards == 0 {
        return Ok(None);
    }
    if bytes > SORT_LIMIT {
        report.too_large = true;
        return Ok(None);
    }
    let mut lines: Vec<(i64, u64, Vec<u8>)> = Vec::new();
    scan(spec, decode, |line_no, line, key, _| lines.push((key.time, line_no, line.to_vec())))?;
    lines.sort_by_key(|(time, ..)| *time);
    report.sorted = true;
    Ok(Some(LineReader::from_sorted(lines.into_iter().map(|(_, n, l)| (n, l)).collect())))
}

/// A line's place in time: its earliest event, or the line before's for lines without one.
#[derive(Debug, Clone, Copy)]
struct Key {
    time: i64,
    newest_before: i64,
}

impl Key {
    fn backwards(self, late_ms: i64) -> bool {
        self.time < self.newest_before.saturating_sub(late_ms)
    }
}

/// Decodes every line of `spec` natively (times only) and hands each to `each` with the times
/// of its events.
fn scan(
    spec: &InputSpec,
    decode: &DecodeConfig,
    mut each: impl FnMut(u64, &[u8], Key, &[i64]),
) -> Result<()> {
    let mut reader = LineReader::open(spec, Arc::new(AtomicU64::new(0)))?;
    let mut decoder = Decoder::new(spec.format, decode.clone());
    let (mut last, mut newest) = (i64::MIN, i64::MIN);
    let mut times = Vec::new();
    while let Some((line_no, line)) =
        reader.next_line().with_context(|| format!("cannot read {}", spec.label))?
    {
        times.clear();
        // A line the decoder refuses keeps its place after the line before it.
        let _ = decoder.decode(line, &mut |ev| times.push(ev.time_ms));
        let time = times.iter().copied().min().unwrap_or(last);
        each(line_no, line, Key { time, newest_before: newest }, &times);
        last = time;
        newest = newest.max(time);
    }
    Ok(())
}
