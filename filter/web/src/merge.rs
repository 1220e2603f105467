//! Several inputs as one stream, merged by event time the way `wikiwatch replay` merges its
//! files: each input has its own core decoder (so each settles on its own format), events
//! wait in a per-input queue, and the earliest pending event goes first (ties: the input added
//! first). An event is only released when every unfinished input has one pending, so the
//! order does not depend on how the page chunks its reads.

use crate::lines::LineBuffer;
use std::collections::VecDeque;
use wikiwatch_core::decode::{DecodeConfig, Decoder};
use wikiwatch_core::{AccessEvent, Format};

/// Counts for one input (merged runs count rejections here, not in the engine's stats).
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct InputCounts {
    /// Non-empty lines read.
    pub lines: u64,
    /// Events decoded.
    pub events: u64,
    /// Lines the decoder rejected.
    pub rejected: u64,
    /// The format it settled on.
    pub format: &'static str,
}

#[derive(Debug)]
struct Input {
    decoder: Decoder,
    buffer: LineBuffer,
    pending: VecDeque<AccessEvent<'static>>,
    ended: bool,
    counts: InputCounts,
}

/// The merge of all inputs added so far.
#[derive(Debug, Default)]
pub struct Merge {
    inputs: Vec<Input>,
}

impl Merge {
    /// Adds an input read in `format`; returns its index.
    pub fn add(&mut self, format: Format, decode: DecodeConfig) -> usize {
        self.inputs.push(Input {
            decoder: Decoder::new(format, decode),
            buffer: LineBuffer::default(),
            pending: VecDeque::new(),
            ended: false,
            counts: InputCounts::default(),
        });
        self.inputs.len() - 1
    }

    /// Decodes the complete lines of `bytes` into input `index`'s queue. False for a bad index.
    pub fn push(&mut self, index: usize, bytes: &[u8]) -> bool {
        let Some(input) = self.inputs.get_mut(index) else {
            return false;
        };
        let Input { decoder, buffer, pending, counts, .. } = input;
        buffer.push(bytes, &mut |line| decode_into(decoder, pending, counts, line));
        true
    }

    /// Marks input `index` as complete (its last unterminated line is decoded).
    pub fn end(&mut self, index: usize) -> bool {
        let Some(input) = self.inputs.get_mut(index) else {
            return false;
        };
        let Input { decoder, buffer, pending, counts, ended } = input;
        buffer.flush(&mut |line| decode_into(decoder, pending, counts, line));
        *ended = true;
        true
    }

    /// The input to read next: the first unfinished one with nothing pending (the merge
    /// cannot release anything until it has data), or `None` when none is starving.
    pub fn hungry(&self) -> Option<usize> {
        self.inputs.iter().position(|i| !i.ended && i.pending.is_empty())
    }

    /// Hands every releasable event to `each`, in merged order.
    pub fn drain(&mut self, each: &mut dyn FnMut(&AccessEvent<'static>)) {
        loop {
            let mut best: Option<(i64, usize)> = None;
            for (i, input) in self.inputs.iter().enumerate() {
                match input.pending.front() {
                    // An unfinished input with nothing pending might still yield an earlier event.
                    None if !input.ended => return,
                    Some(ev) if best.is_none_or(|(t, _)| ev.time_ms < t) => {
                        best = Some((ev.time_ms, i));
                    }
                    _ => {}
                }
            }
            let Some((_, i)) = best else { return };
            if let Some(ev) = self.inputs[i].pending.pop_front() {
                each(&ev);
            }
        }
    }

    /// Per-input counts, in the order added.
    pub fn counts(&self) -> Vec<InputCounts> {
        self.inputs
            .iter()
            .map(|i| InputCounts { format: i.decoder.format().as_str(), ..i.counts.clone() })
            .collect()
    }
}

fn decode_into(
    decoder: &mut Decoder,
    pending: &mut VecDeque<AccessEvent<'static>>,
    counts: &mut InputCounts,
    line: &[u8],
) {
    counts.lines += 1;
    match decoder.decode(line, &mut |ev| pending.push_back(ev.into_owned())) {
        Ok(n) => counts.events += n as u64,
        Err(_) => counts.rejected += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"[18/Dec/2020:12:57:26 +1100] alice t 10.0.0.5 GET /display/ENG/Home HTTP/1.1 200 12ms 7881 - Mozilla/5.0\n";
    const B: &[u8] = b"[18/Dec/2020:12:57:20 +1100] bob t 10.0.0.6 GET /display/ENG/Other HTTP/1.1 200 12ms 7881 - Mozilla/5.0\n";

    fn users(m: &mut Merge) -> Vec<String> {
        let mut out = Vec::new();
        m.drain(&mut |ev| out.push(ev.user.as_deref().unwrap_or("-").to_string()));
        out
    }

    #[test]
    fn waits_for_every_input_then_releases_the_earliest() {
        let mut m = Merge::default();
        let a = m.add(Format::Auto, DecodeConfig::default());
        let b = m.add(Format::Auto, DecodeConfig::default());
        assert!(m.push(a, A));
        assert!(users(&mut m).is_empty(), "input b may still hold an earlier event");
        assert_eq!(m.hungry(), Some(b));
        assert!(m.push(b, B));
        assert_eq!(users(&mut m), ["bob"]);
        m.end(b);
        assert_eq!(users(&mut m), ["alice"]);
        m.end(a);
        assert_eq!(m.hungry(), None);
        let c = m.counts();
        assert_eq!((c[0].events, c[1].events, c[0].format), (1, 1, "confluence-access"));
    }

    #[test]
    fn ties_go_to_the_input_added_first_and_bad_lines_are_counted() {
        let carol = String::from_utf8_lossy(A).replace("alice", "carol");
        let mut m = Merge::default();
        let a = m.add(Format::Auto, DecodeConfig::default());
        let b = m.add(Format::Auto, DecodeConfig::default());
        m.push(b, A);
        m.push(a, b"garbage\n");
        m.push(a, carol.as_bytes());
        m.end(a);
        m.end(b);
        assert_eq!(users(&mut m), ["carol", "alice"]);
        assert_eq!(m.counts()[0].rejected, 1);
        assert!(!m.push(7, A));
    }
}
