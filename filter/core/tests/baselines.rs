//! Baselines: each person judged against their own normal, a new hire against their team, a
//! team's shared busy day left alone; one incident per entity and day.

use crate::common;

use common::*;
use wikiwatch_core::{AccessEvent, RuleId, Severity};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

const CONFIG: &str = r#"{"identity":{"users":{
    "ann":{"team":"ENG","role":"dev"},"bob":{"team":"ENG","role":"dev"},
    "cat":{"team":"ENG","role":"dev"},"dan":{"team":"ENG","role":"dev"},
    "new":{"team":"ENG","role":"dev"},"sam":{"team":"ENG","role":"admin","privileged":true}}}}"#;

/// `pages` page views by `user` on day `day` (relative to T0, a Wednesday 09:00), spread over
/// office hours from `start` hours after 09:00, in space `space`.
fn day_of(user: &str, day: i64, pages: u32, start: i64, space: &str) -> Vec<AccessEvent<'static>> {
    let step = (8 * HOUR / i64::from(pages.max(1))).max(1);
    (0..pages)
        .flat_map(|i| {
            let t = day * DAY + start * HOUR + i64::from(i) * step;
            browse(t, user, "10.0.0.7", space, i)
        })
        .collect()
}

/// Two weeks of ordinary work by the team (30-40 pages a day each), sorted by time.
fn history(days: std::ops::Range<i64>) -> Vec<AccessEvent<'static>> {
    let mut evs = Vec::new();
    for d in days {
        for (u, n) in [("ann", 30), ("bob", 35), ("cat", 40), ("dan", 32), ("sam", 20)] {
            evs.extend(day_of(u, d, n + (d % 3) as u32, 0, "ENG"));
        }
    }
    evs
}

fn sorted(mut evs: Vec<AccessEvent<'static>>) -> Vec<AccessEvent<'static>> {
    evs.sort_by_key(|e| e.time_ms);
    evs
}

#[test]
fn ten_times_her_own_day_in_office_hours_is_found_and_explained() {
    let mut evs = history(0..10);
    evs.extend(day_of("ann", 10, 330, 0, "HR"));
    evs.extend(day_of("bob", 10, 38, 0, "ENG"));
    let (alerts, _) = run(CONFIG, sorted(evs));
    let ann = of(&alerts, RuleId::BaselineDeviation, "ann");
    assert!(!ann.is_empty(), "{alerts:#?}");
    assert!(ann[0].severity >= Severity::Medium);
    assert!(ann[0].summary.contains("today (own median 3"), "{}", ann[0].summary);
    assert!(ann[0].summary.contains("spaces they never read"), "{}", ann[0].summary);
    assert!(of(&alerts, RuleId::BaselineDeviation, "bob").is_empty(), "{alerts:#?}");
    assert!(alerts.iter().all(|a| a.entity.id == "ann"), "only ann: {alerts:#?}");
}

#[test]
fn a_new_hire_is_judged_against_the_team_not_against_nothing() {
    let mut evs = history(0..10);
    evs.extend(day_of("new", 10, 110, 0, "ENG"));
    let (alerts, _) = run(CONFIG, sorted(evs.clone()));
    assert!(worst(&alerts, "new").is_none_or(|s| s <= Severity::Low), "{alerts:#?}");
    // Ten times the team's day is still too much, history or not.
    evs.extend(day_of("new", 11, 500, 0, "ENG"));
    let (alerts, _) = run(CONFIG, sorted(evs));
    let a = of(&alerts, RuleId::BaselineDeviation, "new");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert!(a[0].summary.contains("team:ENG"), "{}", a[0].summary);
}

#[test]
fn a_team_wide_busy_day_is_nobodys_deviation() {
    let mut evs = history(0..10);
    for (u, n) in [("ann", 100), ("bob", 110), ("cat", 120), ("dan", 100)] {
        evs.extend(day_of(u, 10, n, 0, "ENG"));
    }
    let (alerts, _) = run(CONFIG, sorted(evs));
    assert!(of(&alerts, RuleId::BaselineDeviation, "ann").is_empty(), "{alerts:#?}");
    assert!(alerts.iter().all(|a| a.severity <= Severity::Low), "{alerts:#?}");
}

#[test]
fn an_administrator_reading_at_two_in_the_morning_is_high() {
    let mut evs = history(0..10);
    // 02:00 is 17 hours after the 09:00 of day 10.
    let night: Vec<_> = (0..300u32)
        .flat_map(|i| browse(10 * DAY + 17 * HOUR + i64::from(i) * 20, "sam", "10.0.0.7", "HR", i))
        .collect();
    evs.extend(night);
    let (alerts, _) = run(CONFIG, sorted(evs));
    let sam = of(&alerts, RuleId::BaselineDeviation, "sam");
    assert!(sam.iter().any(|a| a.severity >= Severity::High), "{alerts:#?}");
    assert!(sam.iter().any(|a| a.summary.contains("never worked before")), "{sam:#?}");
    assert!(sam.iter().all(|a| a.privileged));
}

#[test]
fn one_incident_per_entity_and_day() {
    let mut evs = history(0..10);
    evs.extend(day_of("ann", 10, 900, 0, "HR"));
    let (alerts, engine) = run(CONFIG, sorted(evs));
    let ann: Vec<_> = alerts.iter().filter(|a| a.entity.id == "ann").collect();
    assert!(!ann.is_empty());
    assert!(ann.len() <= 3, "{ann:#?}");
    assert!(ann.iter().all(|a| a.incident == ann[0].incident && a.incident.starts_with("i-")));
    // Severity only rises from one line to the next, or the line shows a new kind of evidence.
    assert!(engine.stats().alerts_merged > 0, "{:?}", engine.stats());
}

#[test]
fn many_accounts_from_one_address_new_to_them_is_one_operator() {
    let users: Vec<String> = (0..20).map(|i| format!("emp{i:02}")).collect();
    let mut evs = Vec::new();
    for d in 0..8 {
        for (i, u) in users.iter().enumerate() {
            // Everyone works from the same office address every day: never an alert.
            evs.extend((0..10u32).flat_map(|p| {
                browse(d * DAY + i as i64 * 60 + i64::from(p) * 600, u, "10.0.0.7", "ENG", p)
            }));
        }
    }
    let quiet = run("{}", sorted(evs.clone())).0;
    assert!(of(&quiet, RuleId::SharedAddress, "10.0.0.7").is_empty(), "{quiet:#?}");
    for (i, u) in users.iter().enumerate() {
        evs.extend((0..30u32).flat_map(|p| {
            browse(
                8 * DAY + 2 * HOUR + i as i64 * 300 + i64::from(p) * 5,
                u,
                "203.0.113.99",
                "HR",
                p,
            )
        }));
    }
    let (alerts, _) = run("{}", sorted(evs));
    let op = of(&alerts, RuleId::SharedAddress, "203.0.113.99");
    assert!(!op.is_empty(), "{alerts:#?}");
    assert!(op[0].severity >= Severity::Medium);
    assert!(op[0].summary.contains("never used"), "{}", op[0].summary);
}

#[test]
fn a_script_claiming_to_be_chrome_gives_itself_away() {
    let mut evs = history(0..10);
    // Pages only, no static resources or background calls, a few seconds apart, at night.
    evs.extend((0..200).map(|i| {
        ev(
            10 * DAY + 16 * HOUR + i * 4,
            Some("bob"),
            "10.0.0.7",
            &format!("/display/ENG/P{i}"),
            200,
            CHROME,
        )
    }));
    let (alerts, _) = run(CONFIG, sorted(evs));
    let bob = of(&alerts, RuleId::ProgrammaticAgent, "bob");
    assert!(bob.iter().any(|a| a.severity >= Severity::Medium), "{alerts:#?}");
    assert!(bob[0].summary.contains("with a browser agent but none"), "{}", bob[0].summary);
    // Real browsing (pages with their resources and calls) never looks like that.
    assert!(of(&alerts, RuleId::ProgrammaticAgent, "ann").is_empty());
}

#[test]
fn a_first_script_shows_within_minutes_not_at_the_end_of_the_day() {
    let mut evs = history(0..10);
    // dan never used a script; now one REST read a minute from his own workstation.
    evs.extend((0..60).map(|i| {
        let target = format!("/rest/api/content/{}?expand=body.storage", 1000 + i);
        ev(10 * DAY + HOUR + i * 60, Some("dan"), "10.0.0.7", &target, 200, PY)
    }));
    let (alerts, _) = run(CONFIG, sorted(evs));
    let dan = of(&alerts, RuleId::BaselineDeviation, "dan");
    let first = dan.first().unwrap_or_else(|| panic!("{alerts:#?}"));
    assert!(first.severity >= Severity::Medium);
    assert!(first.summary.contains("pages by script in the last hour"), "{}", first.summary);
    let minutes = (first.time_ms - (T0 + (10 * DAY + HOUR) * 1000)) / 60_000;
    assert!(minutes < 10, "found after {minutes} minutes: {}", first.summary);
}

#[test]
fn a_stolen_account_elsewhere_shows_within_minutes() {
    let mut evs = history(0..10);
    // cat's account, from an address she never used, reading spaces she never read.
    for i in 0..40u32 {
        evs.extend(browse(
            10 * DAY + 5 * HOUR + i64::from(i) * 30,
            "cat",
            "198.51.100.9",
            "FIN",
            i,
        ));
    }
    let (alerts, _) = run(CONFIG, sorted(evs.clone()));
    let cat = of(&alerts, RuleId::BaselineDeviation, "cat");
    let first = cat.first().unwrap_or_else(|| panic!("{alerts:#?}"));
    assert!(first.severity >= Severity::Medium);
    assert!(first.summary.contains("out of their usual hours or places"), "{}", first.summary);
    assert!(first.summary.contains("address they never used"), "{}", first.summary);
    assert!(first.time_ms < T0 + (10 * DAY + 5 * HOUR + 10 * 60) * 1000, "{}", first.summary);
    // The same reading from her usual address, in her usual space, is her business.
    let mut evs = history(0..10);
    for i in 0..40u32 {
        evs.extend(browse(10 * DAY + 5 * HOUR + i64::from(i) * 30, "cat", "10.0.0.7", "ENG", i));
    }
    let (alerts, _) = run(CONFIG, sorted(evs));
    assert!(of(&alerts, RuleId::BaselineDeviation, "cat").is_empty(), "{alerts:#?}");
}

#[test]
fn a_writer_who_edits_as_they_read_is_working_not_scraping() {
    let edit = |t: i64, page: u32| {
        let target = format!("/pages/editpage.action?pageId={page}");
        ev(t, Some("bob"), "10.0.0.7", &target, 200, CHROME)
    };
    let review = |edits: bool| {
        let mut evs = history(0..10);
        for i in 0..200u32 {
            let t = 10 * DAY + 4 * HOUR + i64::from(i) * 60;
            evs.extend(browse(t, "bob", "10.0.0.7", "DOCS", i));
            if edits && i % 3 == 0 {
                evs.push(edit(t + 30, i));
            }
        }
        run(CONFIG, sorted(evs)).0
    };
    let reading = review(false);
    assert!(!of(&reading, RuleId::BaselineDeviation, "bob").is_empty(), "{reading:#?}");
    let writing = review(true);
    assert!(of(&writing, RuleId::BaselineDeviation, "bob").is_empty(), "{writing:#?}");
}

#[test]
fn the_band_reported_is_the_band_judged() {
    let mut engine = run(CONFIG, sorted(history(0..10))).1;
    assert_eq!(engine.baseline("nobody"), None);
    // Ann's own ten days, and the alert fires exactly when today's count passes `allowed`.
    let mut alerts = Vec::new();
    let mut at_alert = None;
    for e in day_of("ann", 10, 400, 0, "ENG") {
        engine.push_event(&e, &mut alerts);
        let b = engine.baseline("ann").expect("seen");
        let pages = b.bands.iter().find(|b| b.metric == "pages").expect("pages band").clone();
        assert_eq!((pages.basis.as_str(), pages.days), ("own", 10));
        assert_eq!(b.date, "2026-10-17", "ten days after T0");
        if !alerts.is_empty() && at_alert.is_none() {
            at_alert = Some(pages);
        }
    }
    let at_alert = at_alert.expect("ann alerted");
    let a = of(&alerts, RuleId::BaselineDeviation, "ann");
    assert_eq!(a[0].count, at_alert.allowed + 1, "{:?} / {at_alert:?}", a[0].summary);
    assert_eq!(a[0].threshold, at_alert.allowed);
    assert!(a[0].summary.contains(&format!("own median {} a day", at_alert.usual)));

    // A new hire has no days of their own: the team's member-days are the band.
    for e in day_of("new", 11, 5, 0, "ENG") {
        engine.push_event(&e, &mut alerts);
    }
    let new = engine.baseline("new").expect("seen");
    let pages = &new.bands[0];
    assert_eq!((pages.metric, pages.basis.as_str(), pages.days), ("pages", "team:ENG", 0));
    assert_eq!(pages.today, 5);
    assert!((30..=43).contains(&pages.usual), "{new:?}");
}
