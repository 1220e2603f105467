//! `--output ecs` and `--output ocsf`: the same alerts as the native lines, one per line, with
//! the same ids, byte-identical between the component and the native engine, and the config's
//! `output` as the default.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn replay(args: &[&str]) -> String {
    let mut cmd = Command::cargo_bin("wikiwatch").expect("the wikiwatch binary is built");
    cmd.env("WIKIWATCH_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache"));
    let out = cmd.arg("replay").args(args).output().expect("wikiwatch runs");
    assert!(out.status.success(), "replay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 alerts")
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).expect("each line is one JSON object")).collect()
}

#[test]
fn ecs_and_ocsf_carry_the_native_alerts_with_their_ids() {
    let log = fixture("access.log");
    let log = log.to_str().expect("UTF-8 path");
    let native = lines(&replay(&["--engine", "native", log]));
    assert!(!native.is_empty(), "the fixture holds a scraper: expected alerts");
    for form in ["ecs", "ocsf"] {
        let text = replay(&["--engine", "native", "--output", form, log]);
        assert_eq!(
            text,
            replay(&["--output", form, log]),
            "{form}: component and native engine differ"
        );
        let docs = lines(&text);
        assert_eq!(docs.len(), native.len(), "{form}: one document per alert");
        for (n, d) in native.iter().zip(&docs) {
            let id = n["id"].as_str().expect("native id");
            assert!(id.starts_with("a-") && id.len() == 18, "{id}");
            match form {
                "ecs" => {
                    assert_eq!(d["event"]["id"], id);
                    assert_eq!(d["event"]["kind"], "alert");
                    assert_eq!(d["event"]["severity"], n["severity_id"]);
                    assert_eq!(d["rule"]["name"], n["rule"]);
                    assert_eq!(d["@timestamp"], n["time"]);
                }
                _ => {
                    assert_eq!(d["finding_info"]["uid"], id);
                    assert_eq!(d["class_uid"], 2004);
                    assert_eq!(d["severity_id"], n["severity_id"]);
                    assert_eq!(d["metadata"]["correlation_uid"], n["incident"]);
                }
            }
        }
    }
}

#[test]
fn the_config_output_is_the_default_and_the_flag_wins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("ocsf.json");
    std::fs::write(&config, r#"{"output":"ocsf"}"#).expect("config written");
    let (log, config) = (fixture("access.log"), config);
    let (log, config) = (log.to_str().unwrap(), config.to_str().unwrap());
    let by_config = replay(&["--engine", "native", "--config", config, log]);
    assert_eq!(by_config, replay(&["--engine", "native", "--output", "ocsf", log]));
    let by_flag = replay(&["--engine", "native", "--config", config, "--output", "native", log]);
    assert_eq!(by_flag, replay(&["--engine", "native", log]));
    assert!(lines(&by_flag).iter().all(|v| v["schema_version"] == 2));
}
