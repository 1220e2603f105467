//! Tests of the generator: determinism, order, sizes, truth and config.

use super::truth::Truth;
use super::*;

fn args(dir: &std::path::Path, seed: u64, days: u32, users: usize) -> SimulateArgs {
    SimulateArgs {
        seed,
        days,
        users,
        out: dir.to_path_buf(),
        format: OutFormat::Both,
        attacks: (1..=9).collect(),
    }
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
    run(&args(dir.path(), 5, 2, 20)).unwrap();
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
    for a in &truth.attacks {
        assert!(a.events > 0 && a.start_ms <= a.end_ms, "{a:?}");
        assert!(a.user.is_some() || !a.ips.is_empty());
    }
    assert_eq!(truth.benign_traps.len(), 4);
    let config = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    wikiwatch_core::Config::from_json(&config).unwrap();
    // Same seed, same bytes.
    let dir2 = tempfile::tempdir().unwrap();
    run(&args(dir2.path(), 5, 2, 20)).unwrap();
    assert_eq!(access, std::fs::read_to_string(dir2.path().join("confluence-access.log")).unwrap());
}

#[test]
fn bad_arguments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&args(dir.path(), 1, 1, 3)).is_err());
    assert!(run(&args(dir.path(), 1, 0, 20)).is_err());
    let mut a = args(dir.path(), 1, 1, 20);
    a.attacks = vec![10];
    assert!(run(&a).is_err());
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
    let mut a = args(dir.path(), 7, 1, 12);
    a.attacks = vec![1, 2, 4, 5, 8, 9];
    run(&a).unwrap();
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
