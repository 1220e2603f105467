//! Tests of the quiet scenario's traps (new hire, release day, cluster), its truth and config,
//! and of the population's habits over two weeks.

use crate::model::{day_start, is_weekday, Actor, Event, DAY};
use crate::quiet::{is_read, quiet_days};
use crate::quiet_tests::{events_on, quiet};
use crate::scenario::Scenario;
use crate::{preset, write, Options, OutFormat, QUIET};
use std::collections::{BTreeMap, BTreeSet};

/// The (local) day of an event.
fn day_of(e: &Event) -> u32 {
    (e.time_ms - day_start(0)).div_euclid(DAY) as u32
}

fn reads_by_user_and_day(events: &[Event]) -> BTreeMap<(&str, u32), usize> {
    let mut out = BTreeMap::new();
    for e in events.iter().filter(|e| is_read(e)) {
        if let Some(u) = e.user.as_deref() {
            *out.entry((u, day_of(e))).or_default() += 1;
        }
    }
    out
}

#[test]
fn new_hire_has_no_history_then_reads_a_hundred_pages_every_working_day() {
    let s = quiet(1);
    let (i, first, trap) = s.extras.new_hire.expect("new hire");
    let who = &s.people[i];
    assert_eq!(first, quiet_days(14)[0]);
    assert!((7..14).contains(&first) && is_weekday(first), "first day in the second week");
    assert_eq!(&*s.traps[trap].user, &*who.name);
    let events = events_on(&s, 0..14);
    let reads = reads_by_user_and_day(&events);
    for d in 0..14 {
        let n = reads.get(&(&*who.name, d)).copied().unwrap_or(0);
        if d < first || !is_weekday(d) {
            assert_eq!(n, 0, "day {d}");
        } else {
            assert!(n >= 100, "day {d}: {n}");
        }
    }
    let mine = events.iter().filter(|e| e.user.as_deref() == Some(&*who.name));
    assert!(mine.clone().all(|e| e.actor == Actor::Trap(trap)));
    // Release day: the whole team reads two to three times its usual volume.
    let r = s.extras.release.as_ref().expect("release day");
    assert!(quiet_days(14).contains(&r.day) && r.members.len() >= 3);
    let team: BTreeSet<&str> = r.members.iter().map(|&m| &*s.people[m].name).collect();
    let team_reads =
        |d: u32| -> usize { team.iter().map(|u| reads.get(&(*u, d)).copied().unwrap_or(0)).sum() };
    let usual: Vec<usize> =
        (0..14).filter(|&d| is_weekday(d) && d != r.day).map(team_reads).collect();
    let mean = usual.iter().sum::<usize>() as f64 / usual.len() as f64;
    let ratio = team_reads(r.day) as f64 / mean;
    assert!((2.0..=3.0).contains(&ratio), "release day: {ratio}");
    assert!(events
        .iter()
        .filter(|e| e.user.as_deref().is_some_and(|u| team.contains(u)))
        .all(|e| (e.actor == Actor::Trap(r.trap)) == (day_of(e) == r.day)));
}

#[test]
fn everyone_in_the_logs_has_a_team_and_a_role_and_the_truth_names_every_entity() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = preset("quiet").unwrap();
    let o = Options {
        seed: 2,
        days: 14,
        users: 40,
        format: OutFormat::ConfluenceAccess,
        attacks: quiet.attacks.to_vec(),
        traps: quiet.traps.to_vec(),
        nodes: 1,
    };
    let report = write(dir.path(), &o).unwrap();
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("config.json")).unwrap())
            .unwrap();
    let users = config["identity"]["users"].as_object().unwrap();
    let log = std::fs::read_to_string(dir.path().join("confluence-access.log")).unwrap();
    for line in log.lines() {
        let user = line.split(' ').nth(2).unwrap();
        if user != "-" {
            let u = &users[user];
            assert!(u["team"].is_string() && u["role"].is_string(), "{user}");
        }
    }
    wikiwatch_core::Config::from_json(&config.to_string()).unwrap();
    let truth = &report.truth;
    assert_eq!(truth.attacks.iter().map(|a| a.id).collect::<Vec<_>>(), QUIET);
    for a in &truth.attacks {
        assert!(!a.entities.is_empty() && a.events > 0, "{}", a.name);
        for e in &a.entities {
            assert!(e.kind == "user" && users.contains_key(&e.id) || e.kind == "ip", "{e:?}");
        }
    }
    let traps: Vec<&str> = truth.benign_traps.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(traps[4..], ["new-hire", "release-day"]);
    assert!(truth.benign_traps.iter().all(|t| t.events > 0));
    let text = std::fs::read_to_string(dir.path().join("truth.json")).unwrap();
    assert!(text.contains("\"entities\"") && text.contains("\"users\""));
}

#[test]
fn a_cluster_is_two_sticky_node_files_with_node_two_behind() {
    let dir1 = tempfile::tempdir().unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let o = Options { seed: 4, days: 2, users: 20, format: OutFormat::Both, ..Options::default() };
    let one = write(dir1.path(), &o).unwrap();
    let two = write(dir2.path(), &Options { nodes: 2, ..o.clone() }).unwrap();
    let names: Vec<String> =
        two.files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names[..4],
        [
            "confluence-access-node-1.log",
            "combined-node-1.log",
            "confluence-access-node-2.log",
            "combined-node-2.log"
        ]
    );
    let cluster = two.truth.benign_traps.last().unwrap();
    assert_eq!(cluster.name, "cluster");
    // Same traffic; node 2's clock 90 s behind; each user on one node; each file in order.
    let parse = |line: &str| {
        let stamp = &line[1..line.find(']').unwrap()];
        let t = chrono::DateTime::parse_from_str(stamp, "%d/%b/%Y:%H:%M:%S %z").unwrap();
        let f: Vec<&str> = line[line.find(']').unwrap() + 2..].split(' ').collect();
        (t.timestamp(), f[0].to_string(), f[2].to_string(), f[4].to_string())
    };
    let read = |dir: &std::path::Path, name: &str| -> Vec<(i64, String, String, String)> {
        std::fs::read_to_string(dir.join(name)).unwrap().lines().map(parse).collect()
    };
    let all = read(dir1.path(), "confluence-access.log");
    let n1 = read(dir2.path(), "confluence-access-node-1.log");
    let n2 = read(dir2.path(), "confluence-access-node-2.log");
    assert!(!n1.is_empty() && !n2.is_empty());
    assert_eq!(cluster.events as usize, n2.len());
    for node in [&n1, &n2] {
        assert!(node.windows(2).all(|w| w[0].0 <= w[1].0), "in order of its own clock");
    }
    let users1: BTreeSet<&str> = n1.iter().map(|l| l.1.as_str()).filter(|u| *u != "-").collect();
    assert!(n2.iter().all(|l| l.1 == "-" || !users1.contains(l.1.as_str())), "sticky");
    let mut merged: Vec<_> = n1
        .iter()
        .cloned()
        .chain(n2.iter().map(|l| (l.0 + 90, l.1.clone(), l.2.clone(), l.3.clone())))
        .collect();
    let mut expected = all.clone();
    merged.sort();
    expected.sort();
    assert!(merged == expected, "the same traffic, node 2 90 s behind");
    assert_eq!(one.truth.lines, two.truth.lines);
    let combined2 = std::fs::read_to_string(dir2.path().join("combined-node-2.log")).unwrap();
    assert_eq!(combined2.lines().count(), n2.len());
}

#[test]
fn population_habits_are_stable_over_two_weeks() {
    let s = Scenario::new(1, 60, 14, &[], &[]);
    let mut events = events_on(&s, 0..14);
    events.retain(|e| e.actor == Actor::Population);
    let reads = reads_by_user_and_day(&events);
    for p in &s.people {
        let days: Vec<usize> = (0..14)
            .filter(|&d| is_weekday(d))
            .filter_map(|d| reads.get(&(&*p.name, d)).copied())
            .collect();
        let mut sorted = days.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2].max(1);
        assert!(days.len() >= 7 && sorted[sorted.len() - 1] <= 4 * median, "{}: {days:?}", p.name);
        let ips: BTreeSet<&str> =
            events.iter().filter(|e| e.user.as_deref() == Some(&*p.name)).map(|e| &*e.ip).collect();
        assert!(ips.iter().all(|ip| *ip == &*p.office_ip || *ip == &*p.home_ip), "{}", p.name);
    }
}
