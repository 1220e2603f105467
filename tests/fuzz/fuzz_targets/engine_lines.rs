//! The engine fed fuzz bytes as log lines: byte 0 picks the format, byte 1 the table size; the
//! rest is lines. Counters add up, snapshots round-trip, and a restart halfway changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wikiwatch_core::Engine;
use wikiwatch_fuzz::{check_alert, check_round_trip, check_stats, small_config, Fed, FORMATS};

fuzz_target!(|data: &[u8]| {
    let [pick, tables, rest @ ..] = data else { return };
    let format = FORMATS[usize::from(*pick) % FORMATS.len()];
    let Ok(mut whole) = Engine::new(small_config(*tables)) else { panic!("valid config") };
    let lines: Vec<&[u8]> = rest.split(|b| *b == b'\n').collect();
    let split = lines.len() / 2;
    let mut restarted: Option<Engine> = None;
    let mut fed = Fed::default();
    for (i, line) in lines.iter().enumerate() {
        if i == split {
            restarted = Some(check_round_trip(&whole));
        }
        let mut alerts = Vec::new();
        fed.lines += 1;
        let ok = whole.push_line(line, format, &mut alerts).is_ok();
        if !ok {
            fed.rejected += 1;
        }
        let got: Vec<String> = alerts.iter().map(check_alert).collect();
        if let Some(r) = restarted.as_mut() {
            let mut again = Vec::new();
            assert_eq!(ok, r.push_line(line, format, &mut again).is_ok(), "line {i}");
            let again: Vec<String> = again.iter().map(check_alert).collect();
            assert_eq!(got, again, "restored engine alerted differently at line {i}");
        }
        fed.alerts.extend(got);
    }
    check_stats(&whole, &fed);
    check_round_trip(&whole);
});
