//! The engine fed arbitrary event sequences (every field, audit actions, times jumping back and
//! far away), with a restart at a fuzzed point: the restored engine must raise exactly the alerts
//! the uninterrupted one raises, the counters must add up and snapshots must round-trip.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wikiwatch_core::Engine;
use wikiwatch_fuzz::{check_alert, check_round_trip, check_stats, small_config, Fed, FuzzEvent};

#[derive(Debug, Arbitrary)]
struct Input {
    tables: u8,
    restart_at: u16,
    start: i64,
    events: Vec<FuzzEvent>,
}

fuzz_target!(|input: Input| {
    let config = small_config(input.tables);
    let Ok(mut whole) = Engine::new(config.clone()) else { panic!("valid config") };
    let mut restarted: Option<Engine> = None;
    let mut fed = Fed::default();
    let mut time = input.start;
    let split = usize::from(input.restart_at) % (input.events.len() + 1);
    for (i, fe) in input.events.iter().enumerate() {
        if i == split {
            restarted = Some(check_round_trip(&whole));
        }
        time = match fe.absolute {
            Some(t) => t,
            None => time.saturating_add(i64::from(fe.dt)),
        };
        let ev = fe.event(time);
        let mut alerts = Vec::new();
        let outcome = whole.push_event(&ev, &mut alerts);
        let lines: Vec<String> = alerts.iter().map(check_alert).collect();
        if let Some(r) = restarted.as_mut() {
            let mut again = Vec::new();
            let o2 = r.push_event(&ev, &mut again);
            assert_eq!(outcome, o2, "restored engine classified event {i} differently");
            let again: Vec<String> = again.iter().map(check_alert).collect();
            assert_eq!(lines, again, "restored engine alerted differently at event {i}");
        }
        fed.alerts.extend(lines);
    }
    check_stats(&whole, &fed);
    let end = check_round_trip(&whole);
    if let Some(r) = restarted {
        assert!(r.snapshot() == end.snapshot(), "restart changed the final state");
    }
});
