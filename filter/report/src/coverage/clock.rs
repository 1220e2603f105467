//! Clock problems of one source, judged in the order its events were written, against the
//! core's event clock (the median of recent times), so one bad timestamp cannot hide the rest.

use wikiwatch_core::clock::{Clock, Timing};

/// Ahead events waiting to be judged; beyond it the oldest is given up on.
const MAX_PENDING: usize = 64;

/// Out-of-order and fast events of one source.
#[derive(Debug, Default, Clone)]
pub struct ClockCheck {
    clock: Clock,
    /// Events older than the clock by more than the late tolerance (written out of order).
    pub out_of_order: u64,
    /// Events dated ahead of the clock that the source then came back from: a clock running
    /// fast, not a quiet gap (after a gap the source stays at the new time).
    pub future: u64,
    /// Times of events ahead of the clock not yet judged, in the order written.
    pending: Vec<i64>,
}

impl ClockCheck {
    /// Judges one event time, in source order.
    pub fn observe(&mut self, t: i64, late_ms: i64, ahead_ms: i64) {
        let timing = self.clock.observe(t, late_ms, ahead_ms);
        if timing == Timing::Late {
            self.out_of_order += 1;
            return;
        }
        // Each ahead event is judged on its own by the next event the clock accepts: one
        // dated below it by more than the tolerance shows the source came back. Judging a
        // whole run of ahead events by its earliest one lost fast events on quiet logs, where
        // the median lags and every ordinary event is ahead too.
        let before = self.pending.len();
        self.pending.retain(|&p| p <= t.saturating_add(ahead_ms));
        self.future += (before - self.pending.len()) as u64;
        // Ahead events the source has since passed stay: a run of fast events passes its own
        // first ones, and only the return below all of them tells it from a quiet gap.
        if timing == Timing::Ahead {
            if self.pending.len() == MAX_PENDING {
                self.pending.remove(0);
            }
            self.pending.push(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;
    const TOLERANCE: i64 = 15 * MIN;

    fn check(times: impl IntoIterator<Item = i64>) -> ClockCheck {
        let mut c = ClockCheck::default();
        for t in times {
            c.observe(t, TOLERANCE, TOLERANCE);
        }
        c
    }

    /// Four events an hour over `days` working days (9:00 to 17:00), every `fast`-th one
    /// dated three hours ahead: (times, how many are ahead and followed by an ordinary event).
    fn quiet_log(days: i64, fast: Option<usize>) -> (Vec<i64>, u64) {
        let mut times = Vec::new();
        for day in 0..days {
            for q in 0..(8 * 4) {
                times.push(day * 24 * HOUR + 9 * HOUR + q * 15 * MIN);
            }
        }
        let mut expected = 0;
        if let Some(every) = fast {
            let last = times.len() - 1;
            for i in (every - 1..times.len()).step_by(every) {
                times[i] += 3 * HOUR;
                // The last event of a day is followed by the next morning: not told from a gap.
                let next_day = i == last || (i + 1) % 32 == 0;
                expected += u64::from(!next_day);
            }
        }
        (times, expected)
    }

    #[test]
    fn every_fast_event_of_a_quiet_log_is_counted() {
        let (times, expected) = quiet_log(20, Some(10));
        assert!(expected > 50);
        let c = check(times);
        assert_eq!((c.future, c.out_of_order), (expected, 0));
    }

    #[test]
    fn a_quiet_log_with_nights_and_weekends_has_no_clock_problem() {
        let (mut times, _) = quiet_log(5, None);
        times.extend(quiet_log(5, None).0.into_iter().map(|t| t + 7 * 24 * HOUR));
        let c = check(times);
        assert_eq!((c.future, c.out_of_order), (0, 0));
    }

    #[test]
    fn a_run_of_fast_events_is_counted_whole_and_a_gap_is_not() {
        let mut times: Vec<i64> = (0..50).map(|i| i * MIN).collect();
        times.extend((0..3).map(|i| 5 * HOUR + i * MIN));
        times.extend((50..60).map(|i| i * MIN));
        // Then a real jump: the source stays at the new time.
        times.extend((0..20).map(|i| 9 * HOUR + i * MIN));
        let c = check(times);
        assert_eq!(c.future, 3);
    }

    #[test]
    fn events_written_late_are_out_of_order_not_fast() {
        let mut times: Vec<i64> = (0..60).map(|i| i * MIN).collect();
        times.insert(50, 0);
        let c = check(times);
        assert_eq!((c.future, c.out_of_order), (0, 1));
    }
}
