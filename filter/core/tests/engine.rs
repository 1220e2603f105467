//! Engine-wide properties: determinism, snapshots, late events, bounded tables.

use crate::common;

use common::*;
use wikiwatch_core::{Config, Engine, RuleId};

fn scraper_and_crowd() -> Vec<wikiwatch_core::AccessEvent<'static>> {
    let mut evs = Vec::new();
    for i in 0..3000i64 {
        evs.push(ev(
            i,
            Some(&format!("u{}", i % 37)),
            &format!("10.0.{}.{}", i % 7, i % 200),
            &format!("/display/ENG/P{}", i % 90),
            200,
            CHROME,
        ));
        if i % 3 == 0 {
            evs.push(ev(
                i,
                Some("mallory"),
                "10.66.0.1",
                &format!("/rest/api/content/{}?expand=body.storage", i),
                200,
                PY,
            ));
        }
    }
    evs
}

#[test]
fn identical_input_gives_identical_bytes() {
    let json = |alerts: Vec<wikiwatch_core::Alert>| {
        alerts.iter().map(|a| a.to_json() + "\n").collect::<String>()
    };
    let (a, e1) = run("{}", scraper_and_crowd());
    let (b, e2) = run("{}", scraper_and_crowd());
    assert!(!a.is_empty());
    assert_eq!(json(a), json(b));
    assert_eq!(e1.snapshot(), e2.snapshot());
    assert_eq!(e1.stats(), e2.stats());
}

#[test]
fn restart_from_snapshot_gives_the_same_alerts_as_one_run() {
    let evs = scraper_and_crowd();
    let (whole, whole_engine) = run("{}", evs.clone());
    let (half, mid) = evs.split_at(evs.len() / 2);
    let (mut alerts, first) = run("{}", half.to_vec());
    let mut second = Engine::restore(Config::default(), &first.snapshot()).expect("restore");
    for e in mid {
        second.push_event(e, &mut alerts);
    }
    let j = |v: &[wikiwatch_core::Alert]| v.iter().map(|a| a.to_json()).collect::<Vec<_>>();
    assert_eq!(j(&whole), j(&alerts));
    assert_eq!(whole_engine.stats(), second.stats());
}

#[test]
fn corrupt_and_foreign_snapshots_are_errors() {
    let (_, e) = run("{}", scraper_and_crowd());
    let mut snap = e.snapshot();
    assert!(Engine::restore(Config::default(), b"not a snapshot").is_err());
    snap[4] = 99; // version
    let err = Engine::restore(Config::default(), &snap).unwrap_err().to_string();
    assert!(err.contains("version 99"), "{err}");
    let snap = e.snapshot();
    assert!(Engine::restore(Config::default(), &snap[..snap.len() - 3]).is_err());
}

#[test]
fn late_events_are_counted_and_skipped() {
    let evs = vec![
        ev(10_000, Some("a"), "10.0.0.1", "/display/X/Y", 200, CHROME),
        ev(10_000 - 60, Some("a"), "10.0.0.1", "/display/X/Y", 200, CHROME), // within 5 min
        ev(10_000 - 3600, Some("a"), "10.0.0.1", "/display/X/Y", 200, CHROME), // an hour late
    ];
    let (_, e) = run("{}", evs);
    let s = e.stats();
    assert_eq!((s.events, s.late), (3, 1));
}

#[test]
fn address_flood_holds_the_cap_and_the_scraper_is_still_caught() {
    let cfg = r#"{"limits":{"max_ips":1000}}"#;
    let mut evs = Vec::new();
    for i in 0..100_000i64 {
        evs.push(ev(
            i / 50,
            None,
            &format!("198.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255),
            "/display/PUB/Home",
            200,
            CHROME,
        ));
        if i % 400 == 0 {
            evs.push(ev(
                i / 50,
                None,
                "203.0.113.99",
                &format!("/display/S{}/P{}", i % 17, i),
                403,
                "curl/8.5.0",
            ));
        }
    }
    let (alerts, e) = run(cfg, evs);
    let s = e.stats();
    assert!(s.tracked["ip"] <= 1000, "{s:?}");
    assert!(s.evicted["ip"] >= 99_000, "{s:?}");
    assert!(!of(&alerts, RuleId::AccessDeniedProbing, "203.0.113.99").is_empty(), "{alerts:#?}");
}

#[test]
fn any_flipped_bit_in_a_snapshot_is_refused() {
    let (_, e) = run("{}", scraper_and_crowd());
    let snap = e.snapshot();
    for i in (0..snap.len()).step_by(97) {
        let mut bad = snap.clone();
        bad[i] ^= 0x10;
        assert!(Engine::restore(Config::default(), &bad).is_err(), "flip at byte {i} accepted");
    }
}
