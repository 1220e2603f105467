//! The event clock: arbitrary timestamps mixed into an in-order stream never make an in-order
//! event late, as long as fewer than half of the last nine events are the arbitrary ones (the
//! clock is their median). Bytes drive the stream: each step is either an in-order event (a
//! non-negative increment, gaps of days included) or an arbitrary `i64` time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wikiwatch_core::clock::{Clock, Timing};

const SAMPLE: usize = 9;
const LATE: i64 = 15 * 60_000;

fuzz_target!(|data: &[u8]| {
    let mut clock = Clock::default();
    let mut clean: i64 = 1_791_381_791_000;
    // Last nine steps: true for an arbitrary one.
    let mut recent: Vec<bool> = Vec::new();
    let mut rest = data;
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        let bad_recent = recent.iter().rev().take(SAMPLE - 1).filter(|b| **b).count();
        let seen = recent.len().min(SAMPLE - 1);
        let may_be_bad = 2 * (bad_recent + 1) < seen + 1;
        if op & 1 == 1 && may_be_bad && rest.len() >= 8 {
            let (t, tail) = rest.split_at(8);
            rest = tail;
            let t = i64::from_le_bytes(t.try_into().unwrap());
            clock.observe(t, LATE, LATE);
            recent.push(true);
        } else {
            let step = match op >> 1 {
                0..=99 => i64::from(op >> 1) * 1000,
                100..=119 => i64::from(op >> 1) * 60_000,
                _ => i64::from(op >> 1) * 3_600_000,
            };
            clean = clean.saturating_add(step);
            let timing = clock.observe(clean, LATE, LATE);
            assert_ne!(timing, Timing::Late, "an in-order event at {clean} was judged late");
            recent.push(false);
        }
    }
});
