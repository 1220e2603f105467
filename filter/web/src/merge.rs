//! Merged inputs for the page: the core's [`wikiwatch_core::merge::Merge`] (the one owner of
//! merging by event time) fed from per-input line buffers, so the page may hand over any chunks.

use crate::lines::LineBuffer;
use wikiwatch_core::decode::DecodeConfig;
use wikiwatch_core::merge::{InputCounts, Merge};
use wikiwatch_core::{AccessEvent, Format};

/// The merge of all inputs added so far, with each input's partial last line.
#[derive(Debug, Default)]
pub struct Inputs {
    merge: Merge,
    buffers: Vec<LineBuffer>,
}

impl Inputs {
    /// Adds an input read in `format`; returns its index.
    pub fn add(&mut self, format: Format, decode: DecodeConfig) -> usize {
        self.buffers.push(LineBuffer::default());
        self.merge.add(format, decode)
    }

    /// Decodes the complete lines of `bytes` into input `index`. False for a bad index.
    pub fn push(&mut self, index: usize, bytes: &[u8]) -> bool {
        let (Some(buffer), merge) = (self.buffers.get_mut(index), &mut self.merge) else {
            return false;
        };
        // A rejected line is counted in the merge's per-input counts.
        buffer.push(bytes, &mut |line| drop(merge.push_line(index, line, 0)));
        true
    }

    /// Marks input `index` as complete, decoding its last unterminated line.
    pub fn end(&mut self, index: usize) -> bool {
        let (Some(buffer), merge) = (self.buffers.get_mut(index), &mut self.merge) else {
            return false;
        };
        buffer.flush(&mut |line| drop(merge.push_line(index, line, 0)));
        merge.end(index)
    }

    /// The input to read next, or `None` when none is starving.
    pub fn hungry(&self) -> Option<usize> {
        self.merge.hungry()
    }

    /// Hands every releasable event to `each`, in merged order.
    pub fn drain(&mut self, each: &mut dyn FnMut(&AccessEvent<'static>)) {
        self.merge.drain(&mut |_, _, ev| each(&ev));
    }

    /// Per-input counts, in the order added.
    pub fn counts(&self) -> Vec<InputCounts> {
        self.merge.counts()
    }
}
