//! Tests of the quiet attack styles: each does what its description claims and stays under the
//! detector's fixed per-window thresholds (`limits.rs`).

use crate::limits::{check, content, most_in, Limits};
use crate::model::{Actor, Event, Ms, DAY, EPOCH_LOCAL_MIDNIGHT, MINUTE, SECOND};
use crate::plan::*;
use crate::quiet::{active_days, is_read, quiet_days, usual_reads, ExtraTrap, HISTORY_DAYS};
use crate::scenario::Scenario;
use std::collections::BTreeSet;

pub(crate) fn quiet(seed: u64) -> Scenario {
    Scenario::new(seed, 150, 14, &QUIET, &ExtraTrap::ALL)
}

fn plan(s: &Scenario, id: u8) -> &Plan {
    s.plans.iter().find(|p| p.id == id).expect("planned")
}

/// Every event of `days`, in time order.
pub(crate) fn events_on(s: &Scenario, days: impl IntoIterator<Item = u32>) -> Vec<Event> {
    let mut out: Vec<Event> = days.into_iter().flat_map(|d| s.day_events(d)).collect();
    out.sort_by_key(|e| e.time_ms);
    out
}

fn days_of(p: &Plan) -> Vec<u32> {
    [p.day].into_iter().chain(p.also.iter().copied()).collect()
}

fn of_attack(events: &[Event], id: u8) -> Vec<&Event> {
    events.iter().filter(|e| e.actor == Actor::Attack(id)).collect()
}

/// Minutes after local midnight.
fn local_min(t: Ms) -> i64 {
    (t - EPOCH_LOCAL_MIDNIGHT).rem_euclid(DAY) / MINUTE
}

fn is_page(e: &Event) -> bool {
    e.target.starts_with("/display/") || e.target.starts_with("/pages/viewpage.action")
}

#[test]
fn quiet_attacks_fall_in_the_last_week_and_stay_under_every_window_threshold() {
    for seed in [1, 2] {
        let s = quiet(seed);
        assert_eq!(s.plans.iter().map(|p| p.id).collect::<Vec<_>>(), QUIET);
        for p in &s.plans {
            assert!(days_of(p).iter().all(|d| (7..12).contains(d)), "{p:?}");
            // Every account has a working week of history before.
            for i in p.person.iter().chain(&p.accounts) {
                let days = active_days(seed, *i, &s.people[*i], &s.wiki, 7);
                assert!(days >= HISTORY_DAYS, "{}: {days}", p.style().name);
            }
            let events = events_on(&s, days_of(p));
            assert!(!of_attack(&events, p.id).is_empty(), "{}", p.style().name);
            for (kind, id) in &p.entities {
                let mine: Vec<&Event> = events
                    .iter()
                    .filter(|e| match *kind {
                        "user" => e.user.as_deref() == Some(&**id),
                        _ => e.ip == *id,
                    })
                    .collect();
                let privileged =
                    *kind == "user" && s.people.iter().any(|q| q.name == *id && q.privileged);
                // The one address of twenty accounts reads more than one person would.
                let breadth = !(p.id == STOLEN_ACCOUNTS && *kind == "ip");
                let over = check(&mine, Limits::defaults(privileged), &s.wiki, breadth);
                let name = p.style().name;
                assert!(over.is_empty(), "seed {seed} {name} {kind}:{id}: {over:?}");
            }
        }
    }
}

#[test]
fn insider_creep_reads_ten_times_their_usual_at_a_human_pace() {
    for seed in [1, 2] {
        let s = quiet(seed);
        let p = plan(&s, INSIDER_CREEP);
        let i = p.person.unwrap();
        let who = &s.people[i];
        let days = days_of(p);
        assert_eq!(days.len(), 3);
        let usual = usual_reads(seed, i, who, &s.wiki);
        for d in days {
            let events = events_on(&s, [d]);
            let mine: Vec<&Event> =
                events.iter().filter(|e| e.user.as_deref() == Some(&*who.name)).collect();
            assert!(mine.iter().all(|e| e.actor == Actor::Attack(INSIDER_CREEP)), "whole day");
            assert!(mine
                .iter()
                .all(|e| e.ip == who.office_ip && e.agent.as_deref() == Some(&*who.agent)));
            let (first, last) = (mine[0].time_ms, mine[mine.len() - 1].time_ms);
            assert!(local_min(first) >= who.start_min - 15, "office hours");
            assert!(local_min(last) <= who.end_min + 15, "office hours");
            let reads = mine.iter().filter(|e| is_read(e)).count() as f64;
            let factor = reads / usual;
            assert!((7.6..=12.6).contains(&factor), "seed {seed} day {d}: {reads} vs {usual}");
            let pages: Vec<Ms> = mine.iter().filter(|e| is_page(e)).map(|e| e.time_ms).collect();
            assert!(most_in(&pages, 60 * MINUTE) < 40, "{}", most_in(&pages, 60 * MINUTE));
            let gaps: Vec<Ms> = pages.windows(2).map(|w| w[1] - w[0]).collect();
            let mean = gaps.iter().sum::<Ms>() / gaps.len() as Ms;
            assert!((90 * SECOND..=150 * SECOND).contains(&mean), "a page every ~2 min: {mean}");
            // Every page as a browser shows it: resources and background calls, with Referer.
            for pv in mine.iter().filter(|e| is_page(e) && e.status == 200) {
                let page_url = crate::model::url(&pv.target);
                let follows = |prefix: &str| {
                    mine.iter().any(|e| {
                        e.target.starts_with(prefix)
                            && e.referer.as_deref() == Some(page_url.as_str())
                            && (0..5 * SECOND).contains(&(e.time_ms - pv.time_ms))
                    })
                };
                assert!(follows("/rest/mywork/") && follows("/rest/analytics/"), "{}", pv.target);
            }
            assert!(mine.iter().any(|e| e.target.starts_with("/s/")), "static resources");
            let counted: Vec<Ms> = mine
                .iter()
                .filter(|e| !e.target.starts_with("/s/") && !e.target.starts_with("/rest/"))
                .map(|e| e.time_ms)
                .collect();
            assert!(most_in(&counted, MINUTE) <= 12, "no burst");
        }
    }
}

#[test]
fn fake_chrome_script_sends_pages_only_at_night() {
    for seed in [1, 2] {
        let s = quiet(seed);
        let p = plan(&s, FAKE_CHROME_SCRIPT);
        let i = p.person.unwrap();
        assert!(usual_reads(seed, i, &s.people[i], &s.wiki) > 0.0, "an existing account");
        let events = events_on(&s, [p.day]);
        let mine = of_attack(&events, FAKE_CHROME_SCRIPT);
        assert!((200..=400).contains(&mine.len()), "{}", mine.len());
        for e in &mine {
            let agent = e.agent.as_deref().unwrap_or("");
            assert!(agent.starts_with("Mozilla/5.0") && agent.contains("Chrome/"), "{agent}");
            assert!(is_page(e) && e.referer.is_none(), "pages only: {}", e.target);
            assert!((60..240).contains(&local_min(e.time_ms)), "at night");
            assert_eq!(e.user, p.user);
        }
        let gaps: Vec<Ms> = mine.windows(2).map(|w| w[1].time_ms - w[0].time_ms).collect();
        let few_seconds = gaps.iter().filter(|&&g| (2 * SECOND..8 * SECOND).contains(&g)).count();
        assert!(few_seconds * 10 >= gaps.len() * 9, "seconds apart");
    }
}

#[test]
fn stolen_accounts_share_one_outside_address_none_of_them_used() {
    for seed in [1, 2] {
        let s = quiet(seed);
        let p = plan(&s, STOLEN_ACCOUNTS);
        let events = events_on(&s, [p.day]);
        let mine = of_attack(&events, STOLEN_ACCOUNTS);
        let ip = &p.ips[0];
        assert!(mine.iter().all(|e| e.ip == *ip) && !ip.starts_with("10."));
        let users: BTreeSet<&str> = mine.iter().filter_map(|e| e.user.as_deref()).collect();
        assert_eq!(users.len(), 20);
        assert_eq!(p.entities.len(), 21);
        let span = mine[mine.len() - 1].time_ms - mine[0].time_ms;
        assert!(span <= 120 * MINUTE, "within two hours: {span}");
        for &a in &p.accounts {
            let who = &s.people[a];
            assert!(who.remote <= 0.2 && !who.privileged, "an office worker");
            let reads: Vec<&&Event> = mine
                .iter()
                .filter(|e| e.user.as_deref() == Some(&*who.name) && is_page(e))
                .collect();
            assert!((24..=36).contains(&reads.len()), "a few dozen: {}", reads.len());
            for e in reads {
                let key = e.target.trim_start_matches("/display/").split('/').next().unwrap();
                let by_id = e.target.contains("pageId=");
                assert!(by_id || !who.favourites.contains(&s.wiki.space(key).unwrap()), "outside");
            }
        }
        // Nobody used the address before.
        let before = events_on(&s, 0..p.day);
        assert!(before.iter().all(|e| e.ip != *ip));
    }
}

#[test]
fn admin_small_hours_reads_hr_legal_and_finance_at_two() {
    for seed in [1, 2] {
        let s = quiet(seed);
        let p = plan(&s, ADMIN_SMALL_HOURS);
        let who = &s.people[p.person.unwrap()];
        assert!(who.privileged);
        let events = events_on(&s, [p.day]);
        let mine = of_attack(&events, ADMIN_SMALL_HOURS);
        assert!((110..=135).contains(&local_min(mine[0].time_ms)), "about 2 a.m.");
        assert!(mine.iter().all(|e| e.agent.as_deref() == Some(&*who.agent)), "usual browser");
        assert!(mine.iter().any(|e| e.target.starts_with("/s/")));
        let wanted: Vec<u64> = ["HR", "LEGAL", "FIN"]
            .iter()
            .flat_map(|k| s.wiki.spaces[s.wiki.space(k).unwrap()].pages.iter())
            .map(|&pi| s.wiki.pages[pi].id)
            .collect();
        let pages: Vec<&&Event> = mine.iter().filter(|e| is_page(e)).collect();
        assert!((180..=240).contains(&pages.len()), "{}", pages.len());
        for e in pages {
            let ok = ["/display/HR/", "/display/LEGAL/", "/display/FIN/"]
                .iter()
                .any(|k| e.target.starts_with(k))
                || wanted.iter().any(|id| e.target.ends_with(&format!("pageId={id}")));
            assert!(ok, "{}", e.target);
        }
    }
}

#[test]
fn slow_variants_spread_over_a_working_day() {
    for seed in [1, 2] {
        let s = quiet(seed);
        for (id, what, least) in [
            (SLOW_EXPORT, "/spaces/flyingpdf/pdfpageexport.action", 80),
            (SLOW_ATTACHMENTS, "/download/attachments/", 80),
            (SLOW_API_READS, "/rest/api/content/", 300),
        ] {
            let p = plan(&s, id);
            let events = events_on(&s, [p.day]);
            let mine = of_attack(&events, id);
            let span = mine[mine.len() - 1].time_ms - mine[0].time_ms;
            assert!(span >= 7 * 60 * MINUTE, "{}: {span}", p.style().name);
            let n = mine.iter().filter(|e| e.target.starts_with(what) && content(e)).count();
            assert!(n >= least, "{}: {n}", p.style().name);
            if id != SLOW_EXPORT {
                assert!(mine.iter().all(|e| e.referer.is_none()));
            }
        }
        let agent = |id| plan(&s, id).agent.clone();
        assert_eq!(agent(SLOW_ATTACHMENTS), None);
        assert!(agent(SLOW_API_READS).is_some_and(|a| a.starts_with("python-requests/")));
    }
}

#[test]
fn quiet_selection_leaves_the_population_alone() {
    let plain = Scenario::new(3, 60, 14, &[], &[]);
    let quiet = Scenario::new(3, 60, 14, &QUIET, &ExtraTrap::ALL);
    let key = |e: &Event| (e.time_ms, e.user.clone(), e.ip.clone(), e.target.clone());
    for d in [0, 4, 8] {
        let a: Vec<_> =
            plain.day_events(d).iter().filter(|e| e.actor == Actor::Population).map(key).collect();
        let b: Vec<_> =
            quiet.day_events(d).iter().filter(|e| e.actor == Actor::Population).map(key).collect();
        if d < quiet_days(14)[0] {
            assert!(a == b, "day {d}: the first week is the same");
        } else {
            let a: BTreeSet<_> = a.into_iter().collect();
            assert!(b.iter().all(|k| a.contains(k)), "day {d}: only fewer ordinary events");
        }
    }
}
