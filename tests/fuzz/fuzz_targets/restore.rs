//! State files: `Engine::restore` on arbitrary bytes is an error or an engine whose snapshot
//! round-trips and which keeps running. Seeds are real state files (see seed.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wikiwatch_core::{Config, Engine, Format};
use wikiwatch_fuzz::{check_alert, check_round_trip};

fuzz_target!(|data: &[u8]| {
    let mut engine = match Engine::restore(Config::default(), data) {
        Ok(e) => e,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let mut engine2 = check_round_trip(&engine);
    let line: &[u8] = b"10.0.0.9 - mallory [07/Oct/2026:14:03:11 +0000] \"GET /rest/api/content?start=0&limit=50 HTTP/1.1\" 200 512 \"-\" \"python-requests/2.31\"";
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let ra = engine.push_line(line, Format::Auto, &mut a).is_ok();
    let rb = engine2.push_line(line, Format::Auto, &mut b).is_ok();
    assert_eq!(ra, rb);
    let a: Vec<String> = a.iter().map(check_alert).collect();
    let b: Vec<String> = b.iter().map(check_alert).collect();
    assert_eq!(a, b, "a restored engine behaves like the original");
    let stats = engine.stats();
    let _ = stats.alerts_by_rule.values().sum::<u64>();
});
