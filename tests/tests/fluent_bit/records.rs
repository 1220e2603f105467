//! Records as Fluent Bit hands them over, and reading the module's answers.

use serde_json::Value;

/// What `tail` without a parser emits for one line: `{"log":"<line>"}`, escaped as Fluent
/// Bit's JSON encoder does by default (`json.escape_unicode` on: every non-ASCII character as
/// `\uXXXX`); invalid UTF-8 shows up as U+FFFD.
pub fn tail_record(line: &[u8]) -> Vec<u8> {
    let mut out = String::from(r#"{"log":"#);
    let quoted =
        serde_json::to_string(&String::from_utf8_lossy(line)).expect("a string serialises");
    for c in quoted.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.push('}');
    out.into_bytes()
}

/// Whether Fluent Bit keeps a result: not empty, and a JSON object (its JSON reader takes
/// bytes that are not UTF-8 inside strings as they are, hence the lossy view).
pub fn fluent_bit_keeps(out: &[u8]) -> bool {
    !out.is_empty()
        && serde_json::from_str::<Value>(&String::from_utf8_lossy(out)).is_ok_and(|v| v.is_object())
}

/// Where the spliced `,"wikiwatch":` starts and where the record's own closing brace is.
/// The key cannot occur raw inside a string (quotes are escaped there), and it is the last key.
fn annotation_span(out: &[u8]) -> Option<(usize, usize)> {
    let key = br#","wikiwatch":"#;
    let at = out.windows(key.len()).rposition(|w| w == key)?;
    let close = out.iter().rposition(|b| !b.is_ascii_whitespace())?;
    (out[close] == b'}' && close > at).then_some((at, close))
}

/// The record without the annotation: what went in, if only `wikiwatch` was added.
pub fn strip_annotation(out: &[u8]) -> Option<Vec<u8>> {
    let (at, close) = annotation_span(out)?;
    Some([&out[..at], &out[close..]].concat())
}

/// The `wikiwatch` object.
pub fn annotation(out: &[u8]) -> Value {
    let (at, close) = annotation_span(out).expect("an annotated record");
    let text = String::from_utf8_lossy(&out[at + br#","wikiwatch":"#.len()..close]);
    serde_json::from_str(&text).expect("the annotation is JSON")
}

/// The raw text of `wikiwatch.alerts` (`[...]`), exactly as the module wrote it: the last
/// key of the annotation, so it runs to the annotation's closing brace.
pub fn alerts_text(out: &[u8]) -> Option<&str> {
    let (at, close) = annotation_span(out)?;
    let inner = std::str::from_utf8(&out[at..close]).ok()?;
    let start = inner.find(r#""alerts":["#)? + r#""alerts":"#.len();
    inner[start..].strip_suffix('}')
}

/// `n` access-log lines in time order: a few hundred browser users and a handful of scripts,
/// 5 ms apart (deterministic).
pub fn synthetic_lines(n: usize) -> Vec<Vec<u8>> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36";
    let t0 = 1_791_378_000_000_i64; // 2026-10-07T13:00:00Z
    (0..n)
        .map(|i| {
            let r = next();
            let ms = t0 + i as i64 * 5;
            let when = chrono::DateTime::from_timestamp_millis(ms).expect("in range").format("[%d/%b/%Y:%H:%M:%S +0000]");
            let (user, ip, agent, target) = if r % 50 == 0 {
                let s = r % 5;
                (format!("svc{s}"), format!("10.2.0.{s}"), "python-requests/2.31.0", format!("/rest/api/content?start={}&limit=25", (r >> 8) % 4000 * 25))
            } else {
                let u = (r >> 16) % 400;
                (format!("user{u}"), format!("10.0.{}.{}", u / 200, u % 200), browser, format!("/display/SPACE{}/Page+{}", (r >> 24) % 12, (r >> 32) % 3000))
            };
            format!("{when} {user} http-nio-8090-exec-{} {ip} GET {target} HTTP/1.1 200 {}ms {} - {agent}", r % 50, r % 900, (r >> 40) % 90_000)
                .into_bytes()
        })
        .collect()
}
