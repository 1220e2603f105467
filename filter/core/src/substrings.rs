//! Finding every one of many substrings in one pass: aho-corasick's DFA alone (the full
//! `AhoCorasick` type links its NFAs and prefilters too, tens of kilobytes in each wasm module),
//! walked by hand.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use std::ops::ControlFlow;

/// A DFA over `patterns`, ASCII case-insensitive. Standard semantics: every state knows every
/// pattern that ends there, so one walk sees all of them, overlapping ones included. No
/// prefilter: the texts are short and most of their bytes start some pattern. `None` only if
/// building failed (callers then find nothing rather than the engine failing to start).
pub(crate) fn matcher<P: AsRef<[u8]>>(patterns: &[P]) -> Option<DFA> {
    DFA::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .prefilter(false)
        .build(patterns)
        .ok()
}

/// Calls `found` with the id of each pattern occurring in `text` (once per occurrence), until
/// it breaks.
pub(crate) fn each(dfa: &DFA, text: &[u8], mut found: impl FnMut(usize) -> ControlFlow<()>) {
    let Ok(mut sid) = dfa.start_state(Anchored::No) else {
        return;
    };
    for &b in text {
        sid = dfa.next_state(Anchored::No, sid, b);
        if !dfa.is_special(sid) || !dfa.is_match(sid) {
            continue;
        }
        for i in 0..dfa.match_len(sid) {
            if found(dfa.match_pattern(sid, i).as_usize()).is_break() {
                return;
            }
        }
    }
}
