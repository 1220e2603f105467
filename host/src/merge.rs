//! Several inputs as one stream: each input is decoded by the core's decoder and the events
//! are merged by event time (k-way merge; ties go to the input named first), so access and
//! audit events meet in one engine.

use crate::engine::{Detector, LoadedConfig};
use crate::input::{InputSpec, LineReader};
use crate::replay::{AlertOut, Progress};
use crate::summary::Summary;
use anyhow::{Context, Result};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::AccessEvent;

/// One input being merged: its reader, its decoder, and events decoded but not yet fed.
struct Source<'r> {
    reader: &'r mut LineReader,
    decoder: Decoder,
    pending: VecDeque<(AccessEvent<'static>, u64)>,
    done: bool,
}

impl Source<'_> {
    /// Decodes lines until an event is pending or the input ends.
    fn refill(&mut self, index: usize, label: &str, summary: &mut Summary) -> Result<()> {
        while self.pending.is_empty() && !self.done {
            let line = self.reader.next_line().with_context(|| format!("cannot read {label}"))?;
            let Some((line_no, line)) = line else {
                self.done = true;
                break;
            };
            let pending = &mut self.pending;
            if let Err(e) =
                self.decoder.decode(line, &mut |ev| pending.push_back((ev.into_owned(), line_no)))
            {
                summary.reject(index, line_no, &e.reason);
            }
        }
        Ok(())
    }

    fn next_time(&self) -> Option<i64> {
        self.pending.front().map(|(e, _)| e.time_ms)
    }
}

/// Replays `readers` merged by event time, feeding events in batches of `batch`.
#[allow(clippy::too_many_arguments)] // the replay's parts, passed down once
pub fn replay(
    specs: &[InputSpec],
    readers: &mut [LineReader],
    config: &LoadedConfig,
    detector: &mut dyn Detector,
    batch: usize,
    out: &mut AlertOut,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<()> {
    let mut sources: Vec<Source<'_>> = readers
        .iter_mut()
        .zip(specs)
        .map(|(reader, spec)| Source {
            reader,
            decoder: Decoder::new(spec.format, config.config.decode.clone()),
            pending: VecDeque::new(),
            done: false,
        })
        .collect();
    let mut heap = BinaryHeap::new();
    for (i, src) in sources.iter_mut().enumerate() {
        src.refill(i, &specs[i].label, summary)?;
        if let Some(t) = src.next_time() {
            heap.push(Reverse((t, i)));
        }
    }
    let mut events: Vec<AccessEvent<'static>> = Vec::with_capacity(batch);
    // Where the batch's events came from, for error messages: (input, line) of first and last.
    let mut span = ((0usize, 0u64), (0usize, 0u64));
    let mut alerts = Vec::new();
    while let Some(Reverse((_, i))) = heap.pop() {
        let src = &mut sources[i];
        if let Some((event, line)) = src.pending.pop_front() {
            if events.is_empty() {
                span.0 = (i, line);
            }
            span.1 = (i, line);
            events.push(event);
            summary.inputs[i].events += 1;
        }
        src.refill(i, &specs[i].label, summary)?;
        if let Some(t) = src.next_time() {
            heap.push(Reverse((t, i)));
        }
        if events.len() >= batch || (heap.is_empty() && !events.is_empty()) {
            detector.feed_events(&events, &mut alerts).with_context(|| {
                format!(
                    "while processing merged events from {}:{} to {}:{}",
                    specs[span.0 .0].label, span.0 .1, specs[span.1 .0].label, span.1 .1
                )
            })?;
            events.clear();
            out.write(&mut alerts, summary)?;
            progress.tick();
        }
    }
    for (count, src) in summary.inputs.iter_mut().zip(&sources) {
        count.lines = src.reader.lines;
    }
    Ok(())
}
