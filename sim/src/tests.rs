//! Tests of the generator: determinism, order, sizes, truth and config.

use crate::*;

fn options(seed: u64, days: u32, users: usize) -> Options {
    Options { seed, days, users, ..Options::default() }
}

#[test]
fn generate_is_deterministic_and_exact() {
    let a = generate(3, 20_000);
    assert_eq!(a.len(), 20_000);
    assert_eq!(a, generate(3, 20_000));
    assert_ne!(a, generate(4, 20_000));
    assert!(generate(1, 0).is_empty());
}

#[test]
fn simulate_writes_ordered_logs_truth_and_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    let report = write(dir.path(), &options(5, 2, 20)).unwrap();
    assert_eq!(report.files.len(), 4);
    let access = std::fs::read_to_string(dir.path().join("confluence-access.log")).unwrap();
    let combined = std::fs::read_to_string(dir.path().join("combined.log")).unwrap();
    assert_eq!(access.lines().count(), combined.lines().count());
    // Time order: the bracketed local time parses and never goes backwards.
    let mut last = i64::MIN;
    for line in access.lines() {
        let stamp = &line[1..line.find(']').unwrap()];
        let t =
            chrono::DateTime::parse_from_str(stamp, "%d/%b/%Y:%H:%M:%S %z").unwrap().timestamp();
        assert!(t >= last, "out of order: {line}");
        last = t;
    }
    let truth: Truth =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    assert_eq!(truth.lines as usize, access.lines().count());
    assert_eq!(
        truth.attacks.iter().map(|a| a.id).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<u8>>()
    );
    assert_eq!(report.truth.lines, truth.lines);
    for (a, style) in truth.attacks.iter().zip(&ATTACKS) {
        assert_eq!((a.id, a.name.as_str()), (style.id, style.name));
    }
    for a in &truth.attacks {
        assert!(a.events > 0 && a.start_ms <= a.end_ms, "{a:?}");
        assert!(a.user.is_some() || !a.ips.is_empty());
    }
    assert_eq!(truth.benign_traps.len(), 4);
    let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    wikiwatch_core::Config::from_json(&config).unwrap();
    // Same seed, same bytes.
    let dir2 = tempfile::tempdir().unwrap();
    write(dir2.path(), &options(5, 2, 20)).unwrap();
    assert_eq!(access, std::fs::read_to_string(dir2.path().join("confluence-access.log")).unwrap());
}

#[test]
fn bad_arguments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = |o: &Options| match write(dir.path(), o) {
        Err(SimError::InvalidOption { option, .. }) => option,
        other => panic!("{other:?}"),
    };
    assert_eq!(invalid(&options(1, 1, 3)), "users");
    assert_eq!(invalid(&options(1, 0, 20)), "days");
    assert_eq!(invalid(&Options { attacks: vec![99], ..options(1, 1, 20) }), "attacks");
    assert_eq!(invalid(&Options { nodes: 3, ..options(1, 1, 20) }), "nodes");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn bundled_example_config_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/config.json");
    let text = std::fs::read_to_string(path).unwrap();
    let config = wikiwatch_core::Config::from_json(&text).unwrap();
    assert!(config.identity.users.values().any(|u| u.privileged));
    assert!(config.allow.iter().any(|a| a.name == "nightly-backup"));
    assert!(config.allow.iter().any(|a| a.name == "search-indexer"));
}

/// The bundled example is exactly what the generator writes (regenerate it with the command in
/// examples/README.md after changing the generator).
#[test]
fn bundled_example_matches_the_generator() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &Options { attacks: vec![1, 2, 4, 5, 8, 9], ..options(7, 1, 12) }).unwrap();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    for (generated, bundled) in [
        ("confluence-access.log", "logs/confluence-access.log"),
        ("combined.log", "logs/combined.log"),
        ("truth.json", "logs/truth.json"),
        ("config.json", "config.json"),
    ] {
        let g = std::fs::read(dir.path().join(generated)).unwrap();
        let b = std::fs::read(examples.join(bundled)).unwrap();
        assert!(g == b, "examples/{bundled} differs from the generator's output: regenerate it");
    }
}
