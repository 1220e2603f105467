//! Config parsing: `Config::from_json` then `Engine::new`. Errors name a key and never panic;
//! an accepted config builds an engine that runs a few lines and snapshots.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wikiwatch_core::{Config, Engine, Format};
use wikiwatch_fuzz::{check_alert, check_round_trip, check_stats, Fed};

const LINES: [&[u8]; 3] = [
    b"10.0.0.1 - alice [07/Oct/2026:14:03:11 +0000] \"GET /rest/api/content?start=0&limit=50 HTTP/1.1\" 200 512 \"-\" \"python-requests/2.31\"",
    b"{\"@timestamp\":\"2026-10-07T14:03:12Z\",\"user\":\"bob\",\"path\":\"/pages/viewpage.action?pageId=1\",\"status\":200}",
    b"garbage",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match Config::from_json(text) {
        Ok(c) => c,
        Err(e) => {
            assert!(e.to_string().starts_with("config: "), "error format: {e}");
            return;
        }
    };
    let mut engine = match Engine::new(config) {
        Ok(e) => e,
        Err(e) => {
            assert!(e.to_string().starts_with("config: "), "error format: {e}");
            return;
        }
    };
    let mut fed = Fed::default();
    for line in LINES {
        let mut alerts = Vec::new();
        fed.lines += 1;
        if engine.push_line(line, Format::Auto, &mut alerts).is_err() {
            fed.rejected += 1;
        }
        fed.alerts.extend(alerts.iter().map(check_alert));
    }
    check_stats(&engine, &fed);
    check_round_trip(&engine);
});
