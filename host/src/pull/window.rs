//! The time window of a pull: `--since` and `--until` as epoch milliseconds, the poll
//! interval, and the window cut into steps so that a long first pull is read, fed and
//! checkpointed oldest step first instead of held in memory whole.

use chrono::DateTime;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wikiwatch_core::Duration as Span;

/// The longest span one request series covers: the APIs page newest first, so a step is
/// the unit held in memory, sorted and fed before the next (older steps first).
pub const STEP_MS: i64 = 86_400_000;

/// The wall clock, in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// An RFC 3339 time as epoch milliseconds.
pub fn time_ms(s: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| format!("`{s}` is not an RFC 3339 time (e.g. 2026-10-07T14:00:00Z)"))
}

/// `--since`: a span back from `now_ms` (`7d`, `12h`, `30m`) or an RFC 3339 time.
pub fn since_ms(s: &str, now_ms: i64) -> Result<i64, String> {
    if s.trim().starts_with(|c: char| c.is_ascii_digit()) && s.contains(['-', ':']) {
        return time_ms(s);
    }
    let span: Span = s
        .parse()
        .map_err(|_| format!("`{s}` is neither a span (7d, 12h, 30m) nor an RFC 3339 time"))?;
    Ok(now_ms - span.as_ms())
}

/// `--settle`: from nothing to an hour.
pub fn settle(s: &str) -> Result<i64, String> {
    let ms = if s.trim() == "0" { 0 } else { s.parse::<Span>()?.as_ms() };
    if !(0..=3_600_000).contains(&ms) {
        return Err(format!("`{s}` is not between 0s and 1h"));
    }
    Ok(ms)
}

/// `--interval`: at least one second, at most a day.
pub fn interval(s: &str) -> Result<Duration, String> {
    let span: Span = s.parse()?;
    let ms = span.as_ms();
    if !(1000..=STEP_MS).contains(&ms) {
        return Err(format!("`{s}` is not between 1s and 1d"));
    }
    Ok(Duration::from_millis(ms as u64))
}

/// `[from, to]` cut into steps of at most `step` ms, oldest first. Both APIs take both ends
/// as inclusive, so neighbouring steps share their boundary millisecond; the checkpoint
/// drops what the second one returns again.
pub fn steps(from: i64, to: i64, step: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut a = from;
    while a < to {
        let b = a.saturating_add(step.max(1)).min(to);
        out.push((a, b));
        a = b;
    }
    if out.is_empty() && from == to {
        out.push((from, to));
    }
    out
}

/// An epoch millisecond time as RFC 3339, for messages.
pub fn show(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_791_381_600_000; // 2026-10-07T14:00:00Z

    #[test]
    fn since_takes_spans_and_times() {
        assert_eq!(since_ms("7d", NOW), Ok(NOW - 7 * 86_400_000));
        assert_eq!(since_ms("90m", NOW), Ok(NOW - 90 * 60_000));
        assert_eq!(since_ms("2026-10-07T13:00:00Z", NOW), Ok(NOW - 3_600_000));
        assert_eq!(since_ms("2026-10-07T15:00:00+02:00", NOW), Ok(NOW - 3_600_000));
        for bad in ["", "7", "7w", "yesterday", "2026-10-07", "2026-13-07T00:00:00Z", "-1d"] {
            assert!(since_ms(bad, NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn interval_is_bounded() {
        assert_eq!(interval("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(interval("5m"), Ok(Duration::from_secs(300)));
        for bad in ["0s", "500ms", "2d", "soon"] {
            assert!(interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn steps_cover_the_window_oldest_first() {
        assert_eq!(steps(0, 25, 10), vec![(0, 10), (10, 20), (20, 25)]);
        assert_eq!(steps(5, 5, 10), vec![(5, 5)]);
        assert_eq!(steps(9, 5, 10), vec![]);
    }

    #[test]
    fn times_show_as_utc() {
        assert_eq!(show(NOW + 5), "2026-10-07T14:00:00.005Z");
    }
}
