//! The component and the native core must agree byte for byte: the same alert file and the
//! same stats for every log of the corpus, streamed (feed-lines) and merged (feed-events).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("host/ has a parent").to_path_buf()
}

/// The corpus: this crate's fixtures, plus the bundled example logs when present.
fn corpus() -> Vec<Vec<String>> {
    let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let s = |p: PathBuf| p.to_string_lossy().into_owned();
    let mut runs = vec![
        vec![s(host.join("access.log"))],
        vec![format!("audit:{}", s(host.join("audit.jsonl")))],
        vec![s(host.join("access.log")), format!("audit:{}", s(host.join("audit.jsonl")))],
    ];
    for dir in [root().join("examples/logs"), root().join("tests/fixtures/audit")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> =
            entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        runs.extend(files.into_iter().map(|f| vec![s(f)]));
    }
    runs
}

/// (alerts file, stats file) of one replay.
fn replay(engine: &str, inputs: &[String], dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let alerts = dir.join(format!("{engine}.alerts.jsonl"));
    let stats = dir.join(format!("{engine}.stats.json"));
    let out = Command::cargo_bin("wikiwatch")
        .expect("binary")
        .env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"))
        // Every file of the folders counts, readable or not: agreement is what is checked here.
        .args(["replay", "--engine", engine, "--max-skipped", "100", "--alerts"])
        .arg(&alerts)
        .arg("--stats")
        .arg(&stats)
        .args(inputs)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{engine} {inputs:?}: {}", String::from_utf8_lossy(&out.stderr));
    (std::fs::read(&alerts).expect("alerts"), std::fs::read(&stats).expect("stats"))
}

#[test]
fn component_and_native_agree_on_every_log_of_the_corpus() {
    let dir = TempDir::new().expect("temp dir");
    let mut total_alerts = 0;
    for inputs in corpus() {
        let (na, ns) = replay("native", &inputs, dir.path());
        let (ca, cs) = replay("component", &inputs, dir.path());
        if na != ca {
            let (n, c) = (String::from_utf8_lossy(&na), String::from_utf8_lossy(&ca));
            let first = n.lines().zip(c.lines()).position(|(a, b)| a != b);
            panic!(
                "{inputs:?}: alerts differ ({} native vs {} component lines; first difference at line {:?})\nnative:    {}\ncomponent: {}",
                n.lines().count(),
                c.lines().count(),
                first.map(|i| i + 1),
                first.and_then(|i| n.lines().nth(i)).unwrap_or(""),
                first.and_then(|i| c.lines().nth(i)).unwrap_or("")
            );
        }
        assert_eq!(
            String::from_utf8_lossy(&ns),
            String::from_utf8_lossy(&cs),
            "{inputs:?}: stats differ"
        );
        total_alerts += na.iter().filter(|&&b| b == b'\n').count();
    }
    assert!(total_alerts > 0, "the corpus must raise alerts, or parity proves little");
}
