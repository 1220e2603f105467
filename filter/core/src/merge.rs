//! Several inputs as one stream, merged by event time: each input has its own decoder (so each
//! settles on its own format), decoded events wait in a per-input queue, and the earliest
//! pending event goes first (ties: the input added first). An event is released only when
//! every unfinished input has one pending, so the order does not depend on how a host reads
//! or chunks its inputs. Every host that merges (the CLI, the browser module) uses this.

use crate::decode::{DecodeConfig, DecodeError, Decoder, Format};
use crate::event::AccessEvent;
use serde::Serialize;
use std::collections::VecDeque;

/// Counts for one input (merged runs count rejections here, not in the engine's stats).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct InputCounts {
    /// Lines handed in.
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
    /// Events with the tag their line was pushed with (hosts use line numbers).
    pending: VecDeque<(u64, AccessEvent<'static>)>,
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
            pending: VecDeque::new(),
            ended: false,
            counts: InputCounts::default(),
        });
        self.inputs.len() - 1
    }

    /// Decodes one line (no terminator) of input `index`; its events carry `tag`. Returns the
    /// number of events, or why the line was rejected. A bad index decodes nothing.
    pub fn push_line(&mut self, index: usize, line: &[u8], tag: u64) -> Result<usize, DecodeError> {
        let Some(input) = self.inputs.get_mut(index) else {
            return Ok(0);
        };
        let Input { decoder, pending, counts, .. } = input;
        counts.lines += 1;
        match decoder.decode(line, &mut |ev| pending.push_back((tag, ev.into_owned()))) {
            Ok(n) => {
                counts.events += n as u64;
                Ok(n)
            }
            Err(e) => {
                counts.rejected += 1;
                Err(e)
            }
        }
    }

    /// Marks input `index` as complete. False for a bad index.
    pub fn end(&mut self, index: usize) -> bool {
        match self.inputs.get_mut(index) {
            Some(input) => {
                input.ended = true;
                true
            }
            None => false,
        }
    }

    /// The input to read next: the first unfinished one with nothing pending (the merge
    /// cannot release anything until it has data), or `None` when none is starving.
    pub fn hungry(&self) -> Option<usize> {
        self.inputs.iter().position(|i| !i.ended && i.pending.is_empty())
    }

    /// Whether every input ended and every event was released.
    pub fn is_done(&self) -> bool {
        self.inputs.iter().all(|i| i.ended && i.pending.is_empty())
    }

    /// Hands every releasable event to `each` as (input, tag, event), in merged order.
    pub fn drain(&mut self, each: &mut dyn FnMut(usize, u64, AccessEvent<'static>)) {
        loop {
            let mut best: Option<(i64, usize)> = None;
            for (i, input) in self.inputs.iter().enumerate() {
                match input.pending.front() {
                    // An unfinished input with nothing pending might still yield an earlier event.
                    None if !input.ended => return,
                    Some((_, ev)) if best.is_none_or(|(t, _)| ev.time_ms < t) => {
                        best = Some((ev.time_ms, i));
                    }
                    _ => {}
                }
            }
            let Some((_, i)) = best else { return };
            if let Some((tag, ev)) = self.inputs[i].pending.pop_front() {
                each(i, tag, ev);
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

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"[18/Dec/2020:12:57:26 +1100] alice t 10.0.0.5 GET /display/ENG/Home HTTP/1.1 200 12ms 7881 - Mozilla/5.0";
    const B: &[u8] = b"[18/Dec/2020:12:57:20 +1100] bob t 10.0.0.6 GET /display/ENG/Other HTTP/1.1 200 12ms 7881 - Mozilla/5.0";

    fn users(m: &mut Merge) -> Vec<String> {
        let mut out = Vec::new();
        m.drain(&mut |_, _, ev| out.push(ev.user.as_deref().unwrap_or("-").to_string()));
        out
    }

    #[test]
    fn waits_for_every_input_then_releases_the_earliest() {
        let mut m = Merge::default();
        let a = m.add(Format::Auto, DecodeConfig::default());
        let b = m.add(Format::Auto, DecodeConfig::default());
        assert_eq!(m.push_line(a, A, 1), Ok(1));
        assert!(users(&mut m).is_empty(), "input b may still hold an earlier event");
        assert_eq!(m.hungry(), Some(b));
        m.push_line(b, B, 1).unwrap();
        assert_eq!(users(&mut m), ["bob"]);
        m.end(b);
        assert_eq!(users(&mut m), ["alice"]);
        m.end(a);
        assert_eq!(m.hungry(), None);
        assert!(m.is_done());
        let c = m.counts();
        assert_eq!((c[0].events, c[1].events, c[0].format), (1, 1, "confluence-access"));
    }

    #[test]
    fn ties_go_to_the_input_added_first_and_bad_lines_are_counted() {
        let carol = String::from_utf8_lossy(A).replace("alice", "carol");
        let mut m = Merge::default();
        let a = m.add(Format::Auto, DecodeConfig::default());
        let b = m.add(Format::Auto, DecodeConfig::default());
        m.push_line(b, A, 7).unwrap();
        assert!(m.push_line(a, b"garbage", 1).is_err());
        m.push_line(a, carol.as_bytes(), 2).unwrap();
        m.end(a);
        m.end(b);
        let mut got = Vec::new();
        m.drain(&mut |i, tag, ev| got.push((i, tag, ev.user.unwrap_or_default().into_owned())));
        assert_eq!(got, [(0, 2, "carol".to_string()), (1, 7, "alice".to_string())]);
        assert_eq!(m.counts()[0].rejected, 1);
        assert_eq!(m.push_line(7, A, 0), Ok(0));
    }
}
