//! Timestamp parsing for every input format, without a time-zone database or a clock.
//!
//! Access logs repeat one fixed shape (`18/Dec/2020:12:57:26 +1100`) millions of times, so it
//! gets a hand-written parser; ISO 8601 / RFC 3339 strings (JSON, audit records) get a small
//! tolerant one. Both end in [`days_from_civil`], so no calendar library runs on the hot path.

use crate::event::TimeMs;

/// Latest accepted instant (9999-12-31T23:59:59.999Z): anything later is a wrong date.
const MAX_MS: i64 = 253_402_300_799_999;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Reads exactly `n` ASCII digits at `*pos`.
fn digits(b: &[u8], pos: &mut usize, n: usize) -> Option<u32> {
    let chunk = b.get(*pos..*pos + n)?;
    let mut v = 0u32;
    for &c in chunk {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    *pos += n;
    Some(v)
}

fn expect(b: &[u8], pos: &mut usize, c: u8) -> Option<()> {
    (b.get(*pos) == Some(&c)).then(|| *pos += 1)
}

/// Milliseconds of an optional `.fff...` fraction (any number of digits, truncated to ms).
fn fraction_ms(b: &[u8], pos: &mut usize) -> u32 {
    if b.get(*pos) != Some(&b'.') && b.get(*pos) != Some(&b',') {
        return 0;
    }
    *pos += 1;
    let (mut ms, mut scale) = (0u32, 100u32);
    while let Some(c) = b.get(*pos).filter(|c| c.is_ascii_digit()) {
        ms += u32::from(c - b'0') * scale;
        scale /= 10;
        *pos += 1;
    }
    ms
}

/// A validated wall-clock time plus a UTC offset in minutes, to milliseconds since the epoch.
#[allow(clippy::too_many_arguments)] // the seven calendar fields plus the offset, named at the call
fn assemble(
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
    off_min: i64,
) -> Option<TimeMs> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    let secs =
        days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s) - off_min * 60;
    let t = secs * 1000 + i64::from(ms);
    (0..=MAX_MS).contains(&t).then_some(t)
}

fn month_abbr(m: &[u8]) -> Option<u32> {
    // Case-insensitive on the ASCII letters, since some log libraries upper-case the month.
    let k = [m[0] | 0x20, m[1] | 0x20, m[2] | 0x20];
    Some(match &k {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// `±HHMM`, `±HH:MM`, `±HH` or `Z` at `*pos`, as minutes east of UTC.
fn offset_minutes(b: &[u8], pos: &mut usize) -> Option<i64> {
    match b.get(*pos)? {
        b'Z' | b'z' => {
            *pos += 1;
            Some(0)
        }
        &sign @ (b'+' | b'-') => {
            *pos += 1;
            let h = digits(b, pos, 2)?;
            if b.get(*pos) == Some(&b':') {
                *pos += 1;
            }
            let m =
                if b.get(*pos).is_some_and(u8::is_ascii_digit) { digits(b, pos, 2)? } else { 0 };
            if h > 23 || m > 59 {
                return None;
            }
            let total = i64::from(h * 60 + m);
            Some(if sign == b'-' { -total } else { total })
        }
        _ => None,
    }
}

/// Access-log time `dd/Mon/yyyy:HH:MM:SS[.fff] [±zzzz]` (the part inside `[...]`).
/// A missing zone means UTC.
pub(crate) fn parse_clf(s: &str) -> Option<TimeMs> {
    let b = s.as_bytes();
    parse_clf_padded(b).or_else(|| parse_clf_fields(b))
}

/// [`parse_clf`] field by field, for every shape it accepts.
fn parse_clf_fields(b: &[u8]) -> Option<TimeMs> {
    let mut p = 0;
    // One-digit days appear in hand-rolled patterns; Tomcat and nginx always pad.
    let d = if b.get(1) == Some(&b'/') { digits(b, &mut p, 1)? } else { digits(b, &mut p, 2)? };
    expect(b, &mut p, b'/')?;
    let mo = month_abbr(b.get(p..p + 3)?)?;
    p += 3;
    expect(b, &mut p, b'/')?;
    let y = digits(b, &mut p, 4)?;
    expect(b, &mut p, b':')?;
    let h = digits(b, &mut p, 2)?;
    expect(b, &mut p, b':')?;
    let mi = digits(b, &mut p, 2)?;
    expect(b, &mut p, b':')?;
    let sec = digits(b, &mut p, 2)?;
    let ms = fraction_ms(b, &mut p);
    let off = if p == b.len() {
        0
    } else {
        expect(b, &mut p, b' ')?;
        offset_minutes(b, &mut p)?
    };
    if p != b.len() {
        return None;
    }
    assemble(i64::from(y), mo, d, h, mi, sec, ms, off)
}

/// The shape nearly every access log writes, `dd/Mon/yyyy:HH:MM:SS ±hhmm`, read at fixed
/// positions (one length check instead of one per field). `None` for anything else, which
/// [`parse_clf`] then reads field by field: where both accept a time they agree.
fn parse_clf_padded(b: &[u8]) -> Option<TimeMs> {
    let b: &[u8; 26] = b.try_into().ok()?;
    if b[2] != b'/' || b[6] != b'/' || b[11] != b':' || b[14] != b':' || b[17] != b':' {
        return None;
    }
    if b[20] != b' ' || !matches!(b[21], b'+' | b'-') {
        return None;
    }
    let digit = |i: usize| {
        let d = b[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let d = two(0)?;
    let mo = month_abbr(&b[3..6])?;
    let y = two(7)? * 100 + two(9)?;
    let (h, mi, sec) = (two(12)?, two(15)?, two(18)?);
    let (oh, om) = (two(22)?, two(24)?);
    if oh > 23 || om > 59 {
        return None;
    }
    let off = i64::from(oh * 60 + om);
    let off = if b[21] == b'-' { -off } else { off };
    assemble(i64::from(y), mo, d, h, mi, sec, 0, off)
}

/// ISO 8601 / RFC 3339: `yyyy-mm-dd[T| ]HH:MM[:SS[.fff]][Z|±HH[:]MM]`; no zone means UTC.
pub(crate) fn parse_iso(s: &str) -> Option<TimeMs> {
    let b = s.trim().as_bytes();
    let mut p = 0;
    let y = digits(b, &mut p, 4)?;
    expect(b, &mut p, b'-')?;
    let mo = digits(b, &mut p, 2)?;
    expect(b, &mut p, b'-')?;
    let d = digits(b, &mut p, 2)?;
    if p == b.len() {
        return assemble(i64::from(y), mo, d, 0, 0, 0, 0, 0);
    }
    match b[p] {
        b'T' | b't' | b' ' => p += 1,
        _ => return None,
    }
    let h = digits(b, &mut p, 2)?;
    expect(b, &mut p, b':')?;
    let mi = digits(b, &mut p, 2)?;
    let sec = if b.get(p) == Some(&b':') {
        p += 1;
        digits(b, &mut p, 2)?
    } else {
        0
    };
    let ms = fraction_ms(b, &mut p);
    let off = if p == b.len() { 0 } else { offset_minutes(b, &mut p)? };
    if p != b.len() {
        return None;
    }
    assemble(i64::from(y), mo, d, h, mi, sec, ms, off)
}

/// An epoch number of unknown unit: seconds, milliseconds, microseconds or nanoseconds,
/// told apart by magnitude (seconds stay below 1e11 until the year 5138).
pub(crate) fn from_epoch(x: f64) -> Option<TimeMs> {
    if !x.is_finite() || x < 0.0 {
        return None;
    }
    let ms = if x < 1e11 {
        x * 1000.0
    } else if x < 1e14 {
        x
    } else if x < 1e17 {
        x / 1000.0
    } else {
        x / 1_000_000.0
    };
    // The range check happens on the float, so the cast below cannot saturate.
    (ms <= MAX_MS as f64).then(|| ms.round() as i64)
}

/// Any textual time: ISO 8601, access-log form, or an epoch number written as a string.
pub(crate) fn parse_any(s: &str) -> Option<TimeMs> {
    let t = s.trim().trim_start_matches('[').trim_end_matches(']');
    let first = *t.as_bytes().first()?;
    if t.len() > 4 && t.as_bytes()[4] == b'-' {
        parse_iso(t)
    } else if t.as_bytes().get(2) == Some(&b'/') || t.as_bytes().get(1) == Some(&b'/') {
        parse_clf(t)
    } else if first.is_ascii_digit() {
        from_epoch(t.parse::<f64>().ok()?)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2020, 12, 18), 18_614);
    }

    #[test]
    fn access_log_time_with_offset() {
        // 2020-12-18T01:57:26Z
        assert_eq!(parse_clf("18/Dec/2020:12:57:26 +1100"), Some(1_608_256_646_000));
        assert_eq!(parse_clf("18/Dec/2020:01:57:26 +0000"), Some(1_608_256_646_000));
        assert_eq!(parse_clf("17/Dec/2020:20:57:26 -0500"), Some(1_608_256_646_000));
        assert_eq!(parse_clf("18/DEC/2020:01:57:26"), Some(1_608_256_646_000));
        assert_eq!(parse_clf("18/Dec/2020:01:57:26.250 +0000"), Some(1_608_256_646_250));
        assert_eq!(parse_clf("8/Dec/2020:00:00:00 +0000"), parse_iso("2020-12-08T00:00:00Z"));
    }

    #[test]
    fn wrong_access_log_dates_are_rejected() {
        for bad in [
            "31/Feb/2021:00:00:00 +0000",
            "29/Feb/2021:00:00:00 +0000",
            "18/Dex/2020:12:57:26 +1100",
            "18/Dec/2020:24:00:00 +1100",
            "18/Dec/2020:12:60:00 +1100",
            "18/Dec/2020:12:57:26 +1160",
            "18/Dec/2020:12:57:26 1100",
            "18/Dec/2020:12:57",
            "18/Dec/20:12:57:26 +1100",
            "00/Dec/2020:12:57:26 +1100",
            "18/Dec/2020:12:57:26 +1100 trailing",
            "",
            "ab/",
        ] {
            assert_eq!(parse_clf(bad), None, "{bad}");
        }
        assert!(parse_clf("29/Feb/2020:00:00:00 +0000").is_some());
        // The padded shape read at fixed positions agrees with the field-by-field reader.
        for t in [
            "18/Dec/2020:12:57:26 +1100",
            "01/jan/1970:00:00:00 -0000",
            "31/DEC/9999:23:59:59 +0000",
            "18/Dec/2020:12:57:60 -2359",
            "18/Dec/2020:12:57:26 +2400",
            "18/Dec/2020:12:57:26 +0060",
            "1x/Dec/2020:12:57:26 +1100",
            "18/Dec/2020:12:57:26 *1100",
        ] {
            let slow = parse_clf_fields(t.as_bytes());
            assert_eq!(parse_clf_padded(t.as_bytes()), slow, "{t}");
            assert_eq!(parse_clf(t), slow, "{t}");
        }
    }

    #[test]
    fn iso_variants() {
        let t = Some(1_608_256_646_842);
        assert_eq!(parse_iso("2020-12-18T01:57:26.842Z"), t);
        assert_eq!(parse_iso("2020-12-18T12:57:26.842+11:00"), t);
        assert_eq!(parse_iso("2020-12-18T12:57:26.842123456+1100"), t);
        assert_eq!(parse_iso("2020-12-18 01:57:26.842"), t);
        assert_eq!(parse_iso("2020-12-18"), Some(1_608_249_600_000));
        for bad in
            ["2020-13-01T00:00:00Z", "2020-12-18T01:57:26Q", "2020/12/18", "2020-12-18T1:2:3Z"]
        {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_units_by_magnitude() {
        assert_eq!(from_epoch(1_608_256_646.0), Some(1_608_256_646_000));
        assert_eq!(from_epoch(1_608_256_646.5), Some(1_608_256_646_500));
        assert_eq!(from_epoch(1_608_256_646_000.0), Some(1_608_256_646_000));
        assert_eq!(from_epoch(1_608_256_646_000_000.0), Some(1_608_256_646_000));
        assert_eq!(from_epoch(1_608_256_646_000_000_000.0), Some(1_608_256_646_000));
        assert_eq!(from_epoch(-1.0), None);
        assert_eq!(from_epoch(f64::INFINITY), None);
        assert_eq!(from_epoch(1e300), None);
    }

    #[test]
    fn parse_any_dispatches() {
        assert_eq!(parse_any("[18/Dec/2020:12:57:26 +1100]"), Some(1_608_256_646_000));
        assert_eq!(parse_any("2020-12-18T01:57:26Z"), Some(1_608_256_646_000));
        assert_eq!(parse_any("1608256646"), Some(1_608_256_646_000));
        assert_eq!(parse_any("yesterday"), None);
        assert_eq!(parse_any(""), None);
    }
}
