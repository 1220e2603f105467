//! The rogue-administrator scenario: an account is created and granted administration in the
//! audit log, then exports spaces in the access log. Only when the two streams meet in one
//! engine is the grant-then-export pattern visible.

use std::process::Command;

const AUDIT: &str = concat!(
    r#"{"auditType":{"action":"User created","actionI18nKey":"audit.logging.summary.user.created","area":"USER_MANAGEMENT","category":"Users and groups","level":"BASE"},"author":{"id":"1","name":"admin","type":"user"},"affectedObjects":[{"id":"9","name":"eve.rogue","type":"User"}],"changedValues":[],"method":"Browser","source":"198.51.100.7","system":"http://wiki.example.com","timestamp":{"epochSecond":1791381600,"nano":0}}"#,
    "\n",
    r#"{"auditType":{"action":"User added to group","actionI18nKey":"audit.logging.summary.group.membership.added","area":"USER_MANAGEMENT","category":"Users and groups","level":"BASE"},"author":{"id":"1","name":"admin","type":"user"},"affectedObjects":[{"id":"9","name":"eve.rogue","type":"User"},{"id":"g1","name":"confluence-administrators","type":"Group"}],"changedValues":[],"method":"Browser","source":"198.51.100.7","system":"http://wiki.example.com","timestamp":{"epochSecond":1791381660,"nano":0}}"#,
    "\n",
);

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36";

fn access_log() -> String {
    let mut s = String::new();
    // Ordinary reading before the grant, then the new admin exports three spaces.
    s.push_str(&format!("[07/Oct/2026:13:55:00 +0000] bob http-nio-8090-exec-1 10.0.0.8 GET /display/ENG/Home HTTP/1.1 200 12ms 900 - {CHROME}\n"));
    for (i, key) in ["HR", "FIN", "LEGAL"].iter().enumerate() {
        s.push_str(&format!(
            "[07/Oct/2026:14:0{}:00 +0000] eve.rogue http-nio-8090-exec-2 203.0.113.50 GET /spaces/exportspacexml.action?key={key} HTTP/1.1 200 900ms 5000 - {CHROME}\n",
            4 + i
        ));
    }
    s
}

#[test]
fn grant_in_audit_log_then_export_in_access_log_is_critical_naming_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let audit = dir.path().join("audit.jsonl");
    let access = dir.path().join("conf_access_log.log");
    std::fs::write(&audit, AUDIT).expect("write");
    std::fs::write(&access, access_log()).expect("write");
    let mut outputs = Vec::new();
    for engine in ["native", "component"] {
        let out = Command::new(env!("CARGO_BIN_EXE_wikiwatch"))
            .args(["replay", "--engine", engine])
            .arg(format!("audit:{}", audit.display()))
            .arg(&access)
            .output()
            .expect("run wikiwatch");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let alerts = String::from_utf8(out.stdout).expect("utf-8");
        let follow_up = alerts
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("alert JSON"))
            .find(|a| {
                a["rule"] == "privilege-change"
                    && a["summary"].as_str().unwrap_or("").contains("exported")
            })
            .unwrap_or_else(|| panic!("no privilege-change follow-up in:\n{alerts}"));
        assert_eq!(follow_up["severity"], "critical");
        assert_eq!(follow_up["entity"]["id"], "eve.rogue");
        let source = follow_up["evidence"]["privilege_source"].as_str().unwrap_or("");
        assert!(
            source.contains("confluence-administrators") && source.contains("admin"),
            "{follow_up}"
        );
        assert!(alerts.contains("\"rule\":\"space-export\""), "{alerts}");
        outputs.push(alerts);
    }
    assert_eq!(outputs[0], outputs[1], "native and component differ");
}
