//! Several inputs as one stream: the core's merge (each input decoded by its own decoder,
//! events released in event-time order, ties to the input named first) fed from the readers,
//! its events handed to the detector in batches, so access and audit events meet in one engine.

use crate::backend::Backend;
use crate::config_file::LoadedConfig;
use crate::input::{InputSpec, LineReader};
use crate::output::{AlertOut, Progress};
use crate::summary::Summary;
use anyhow::{Context, Result};
use wikiwatch_core::merge::Merge;
use wikiwatch_core::AccessEvent;

/// Events waiting for the detector, and where they came from (for error messages).
struct Batch {
    events: Vec<AccessEvent<'static>>,
    /// (input, line) of the first and last event.
    span: ((usize, u64), (usize, u64)),
    alerts: Vec<wikiwatch_core::Alert>,
}

/// Replays `readers` merged by event time, feeding events in batches of `batch`.
#[allow(clippy::too_many_arguments)] // the replay's parts, passed down once
pub fn replay(
    specs: &[InputSpec],
    readers: &mut [LineReader],
    config: &LoadedConfig,
    detector: &mut dyn Backend,
    batch: usize,
    out: &mut AlertOut,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<()> {
    let mut pending =
        Batch { events: Vec::with_capacity(batch), span: Default::default(), alerts: Vec::new() };
    let read_failure =
        for_each_event(specs, readers, config, summary, &mut |i, line_no, ev, summary| {
            if pending.events.is_empty() {
                pending.span.0 = (i, line_no);
            }
            pending.span.1 = (i, line_no);
            pending.events.push(ev);
            if pending.events.len() >= batch {
                flush(specs, detector, &mut pending, out, summary)?;
                progress.tick();
            }
            Ok(())
        })?;
    flush(specs, detector, &mut pending, out, summary)?;
    read_failure.map_or(Ok(()), Err)
}

/// What [`for_each_event`] hands on: (input, line number, event, the summary).
pub type EachEvent<'a> =
    dyn FnMut(usize, u64, AccessEvent<'static>, &mut Summary) -> Result<()> + 'a;

/// Reads `readers` through the core's merge and hands every event to `each` in merged order.
/// Rejected lines, events per input and lines per input are counted in `summary`. An error of
/// `each` stops at once and is returned. A read error ends that input only: the others are
/// read to their end, and it is handed back (`Ok(Some(..))`) for the caller to report after
/// finishing what was read.
pub fn for_each_event(
    specs: &[InputSpec],
    readers: &mut [LineReader],
    config: &LoadedConfig,
    summary: &mut Summary,
    each: &mut EachEvent<'_>,
) -> Result<Option<anyhow::Error>> {
    let mut merge = Merge::default();
    for spec in specs {
        merge.add(spec.format, config.config.decode.clone());
    }
    let mut failed = None;
    let result = loop {
        while let Some(i) = merge.hungry() {
            match readers[i].next_line() {
                Ok(Some((line_no, line))) => {
                    if let Err(e) = merge.push_line(i, line, line_no) {
                        summary.reject(i, line_no, &e.reason);
                    }
                }
                Ok(None) => {
                    merge.end(i);
                }
                Err(e) => {
                    let at = readers[i].line_no;
                    failed = Some(
                        anyhow::Error::new(e)
                            .context(format!("cannot read {} after line {at}", specs[i].label)),
                    );
                    merge.end(i);
                }
            }
        }
        let mut fed = Ok(());
        merge.drain(&mut |i, line_no, ev| {
            if fed.is_err() {
                return;
            }
            summary.inputs[i].events += 1;
            fed = each(i, line_no, ev, summary);
        });
        if let Err(e) = fed {
            break Err(e);
        }
        if merge.is_done() {
            break Ok(());
        }
    };
    for (count, reader) in summary.inputs.iter_mut().zip(readers.iter()) {
        count.lines = reader.lines;
    }
    result?;
    Ok(failed)
}

fn flush(
    specs: &[InputSpec],
    detector: &mut dyn Backend,
    b: &mut Batch,
    out: &mut AlertOut,
    summary: &mut Summary,
) -> Result<()> {
    if b.events.is_empty() {
        return Ok(());
    }
    let ((i0, l0), (i1, l1)) = b.span;
    detector.feed_events(&b.events, &mut b.alerts).with_context(|| {
        format!(
            "while processing merged events from {}:{l0} to {}:{l1}",
            specs[i0].label, specs[i1].label
        )
    })?;
    b.events.clear();
    out.write(&mut b.alerts, summary)
}
