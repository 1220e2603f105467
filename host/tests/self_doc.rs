//! The CLI explains itself from its own definitions: closed choices listed in --help, shell
//! completions that a real bash loads, a manual page naming every subcommand, and the config's
//! JSON Schema, shipped in the repository, equal to what the binary prints, accepting every
//! example config and rejecting the bad configs the config tests use.

use crate::common;

use common::{wikiwatch, workspace};
use serde_json::Value;
use std::process::Command;

/// Runs the binary; its stdout, after asserting it succeeded.
fn stdout(args: &[&str]) -> String {
    let out = wikiwatch().args(args).output().expect("run wikiwatch");
    assert!(out.status.success(), "wikiwatch {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn help_lists_the_values_of_closed_choices() {
    for sub in ["replay", "follow", "scope", "bench"] {
        let help = stdout(&[sub, "--help"]);
        assert!(
            help.contains("[possible values: auto, confluence-access, combined, audit, json]"),
            "{sub} --format:\n{help}"
        );
    }
    let help = stdout(&["replay", "--help"]);
    assert!(
        help.contains("Possible values:")
            && help.contains("- component:")
            && help.contains("- native:"),
        "--engine:\n{help}"
    );
    // The alias still parses; a value outside the list is a usage error naming the values.
    let out = wikiwatch().args(["replay", "--format", "syslog", "x.log"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("confluence-access") && err.contains("syslog"), "{err}");
    let log = workspace().join("examples/logs/confluence-access.log");
    let out = wikiwatch()
        .args(["scope", "--entity", "user:nobody", "--format", "cloud-audit"])
        .arg(&log)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("invalid value"), "the alias is refused: {err}");
}

#[test]
fn bash_loads_the_generated_completion() {
    let script = stdout(&["completions", "bash"]);
    assert!(script.contains("wikiwatch"), "{script}");
    let dir = tempfile::TempDir::new().expect("temp dir");
    let file = dir.path().join("wikiwatch.bash");
    std::fs::write(&file, &script).expect("write the script");
    let Ok(out) = Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p wikiwatch", file.display()))
        .output()
    else {
        panic!("bash is needed to load the completion");
    };
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.starts_with("complete ") && said.trim_end().ends_with(" wikiwatch"), "{said}");
    // And it completes what the CLI has: subcommands, then --format's values.
    let complete = |words: &str| {
        let cmd = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); \
             COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; \
             $(complete -p wikiwatch | sed -E 's/.*-F ([^ ]+).*/\\1/') wikiwatch \
             \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let out = Command::new("bash").arg("-c").arg(cmd).output().expect("run bash");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let subs = complete("wikiwatch ''");
    for sub in ["replay", "follow", "completions", "man", "config"] {
        assert!(subs.lines().any(|l| l == sub), "{sub} not offered:\n{subs}");
    }
    let formats = complete("wikiwatch replay --format ''");
    assert!(formats.lines().any(|l| l == "confluence-access"), "{formats}");
    for shell in ["zsh", "fish"] {
        assert!(stdout(&["completions", shell]).contains("confluence-access"), "{shell}");
    }
}

#[test]
fn the_man_page_documents_every_subcommand_and_its_options() {
    let page = stdout(&["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH wikiwatch"), "{}", &page[..200]);
    let help = stdout(&["--help"]);
    let subs: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|s| *s != "help")
        .collect();
    assert!(subs.len() >= 8, "{help}");
    for sub in subs {
        let heading = format!(".SH \"COMMAND: WIKIWATCH {}\"", sub.to_uppercase());
        assert!(page.contains(&heading), "no section for {sub}");
    }
    assert!(page.contains("max\\-skipped"), "replay's options are on the page");
}

/// The shipped schema, after checking it is what the binary generates.
fn shipped_schema() -> Value {
    let shipped = std::fs::read_to_string(workspace().join("docs/config.schema.json"))
        .expect("docs/config.schema.json");
    assert_eq!(
        stdout(&["config", "schema"]),
        shipped,
        "docs/config.schema.json is stale: wikiwatch config schema > docs/config.schema.json"
    );
    serde_json::from_str(&shipped).expect("schema JSON")
}

#[test]
fn the_shipped_schema_and_kong_metadata_are_what_the_binary_generates() {
    let schema = shipped_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let meta_path = workspace().join("examples/envoy/wikiwatch_proxy_wasm.meta.json");
    let meta = std::fs::read_to_string(&meta_path).expect("the Kong filter metadata");
    assert_eq!(
        stdout(&["config", "schema", "--kong-meta"]),
        meta,
        "{} is stale",
        meta_path.display()
    );
    let meta: Value = serde_json::from_str(&meta).expect("meta JSON");
    assert_eq!(meta, serde_json::json!({"config_schema": schema}));
}

/// The example configs: the JSON files, and the plugin configurations in the proxy examples.
fn example_configs() -> Vec<(String, Value)> {
    let root = workspace().join("examples");
    let mut found = Vec::new();
    for file in ["config.json", "fluent-bit/wikiwatch.json"] {
        let text = std::fs::read_to_string(root.join(file)).expect(file);
        found.push((file.to_string(), serde_json::from_str(&text).expect(file)));
    }
    // Kong: the filter's folded `config: >-` scalar; Envoy: `value: |` literal blocks.
    for file in ["envoy/kong.yml", "envoy/envoy.yaml", "envoy/envoy-enforce.yaml"] {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else { continue };
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            let t = line.trim();
            if !(t == "config: >-" || t == "value: |") {
                continue;
            }
            let indent = |l: &str| l.len() - l.trim_start().len();
            let body: Vec<&str> = lines[at + 1..]
                .iter()
                .take_while(|l| l.trim().is_empty() || indent(l) > indent(line))
                .map(|l| l.trim())
                .collect();
            let body = body.join(if t == "value: |" { "\n" } else { " " });
            if let Ok(v) = serde_json::from_str::<Value>(&body) {
                found.push((format!("{file}:{}", at + 1), v));
            }
        }
    }
    assert!(found.iter().any(|(f, _)| f.starts_with("envoy/kong.yml")), "the Kong config");
    found
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&shipped_schema()).expect("the schema compiles")
}

#[test]
fn the_schema_accepts_every_example_config() {
    let v = validator();
    for (name, config) in example_configs() {
        let errors: Vec<String> = v.iter_errors(&config).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    assert!(v.is_valid(&serde_json::json!({})), "the empty config is the default");
}

/// The bad configs of the config tests (core `config.rs`, the proxy's `settings.rs`, the CLI's
/// `cli.rs`) that the schema can express.
const BAD: &[&str] = &[
    r#"[]"#,
    r#"{"identity": []}"#,
    r#"{"rules":{"burst-rate":[]}}"#,
    r#"{"identity":{"users":{"a":[]}}}"#,
    r#"{"allow":[[]]}"#,
    r#"{"rules":{"burst-rate":{"window":5}}}"#,
    r#"{"rules":{"burst-rate":{"thresold":5}}}"#,
    r#"{"rules":{"burst-rate":{"treshold":5}}}"#,
    r#"{"limits":{"max_ips":0}}"#,
    r#"{"limits":{"max_users":0}}"#,
    r#"{"limits":{"max_user":3}}"#,
    r#"{"allow":[{"name":"x","users":["a"],"rules":["nope"]}]}"#,
    r#"{"proxy":{"mdoe":"enforce"}}"#,
    r#"{"proxy":{"mode":"block"}}"#,
    r#"{"proxy":{"enforce":{"rules":["nope"]}}}"#,
    r#"{"proxy":{"slots":0}}"#,
    r#"{"proxy":{"identities":0}}"#,
    r#"{"proxy":{"collector":{"path":"/x"}}}"#,
];

/// Bad configs of those tests that only the loader refuses (docs/config.md says why).
const LOADER_ONLY: &[&str] = &[r#"{"allow":[{"name":"x","ips":["10.0.0.0/33"],"rules":["*"]}]}"#];

#[test]
fn the_schema_rejects_the_bad_configs_of_the_config_tests() {
    let v = validator();
    for bad in BAD {
        let config: Value = serde_json::from_str(bad).expect("test JSON");
        assert!(!v.is_valid(&config), "the schema accepts {bad}");
    }
    // What the schema cannot say, check-config still refuses.
    let dir = tempfile::TempDir::new().expect("temp dir");
    for bad in LOADER_ONLY {
        let file = dir.path().join("bad.json");
        std::fs::write(&file, bad).expect("write");
        let out = wikiwatch().arg("check-config").arg(&file).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "check-config accepts {bad}");
    }
}
