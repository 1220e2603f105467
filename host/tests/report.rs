//! `wikiwatch report` on small fixtures written here: sensitive spaces lead, bytes are summed,
//! a privilege change followed by exports is told in order, an entity with nothing to report
//! says so, allow-listed entities stay out of "busiest" unless asked for.

use crate::common;

use common::wikiwatch;
use serde_json::Value;
use std::path::Path;

/// One Confluence access-log line at minute `m` (and second `s`) past 09:00 on 2026-10-07.
fn access(m: u32, s: u32, user: &str, ip: &str, target: &str, bytes: u64, agent: &str) -> String {
    format!(
        "[07/Oct/2026:{:02}:{:02}:{s:02} +0000] {user} http-nio-8090-exec-1 {ip} GET {target} HTTP/1.1 200 20ms {bytes} - {agent}\n",
        9 + m / 60,
        m % 60
    )
}

/// A Data Center audit record: `actor` adds `user` to `group` at epoch second `at`.
fn added_to_group(at: i64, actor: &str, user: &str, group: &str) -> String {
    serde_json::json!({
        "affectedObjects": [
            {"id": "u1", "name": user, "type": "User"},
            {"id": group, "name": group, "type": "Group"}
        ],
        "auditType": {"action": "User added to group", "actionI18nKey": "audit.logging.summary.group.membership.added", "area": "USER_MANAGEMENT", "category": "Users and groups", "level": "BASE"},
        "author": {"id": "a1", "name": actor, "type": "user"},
        "changedValues": [], "extraAttributes": [], "method": "Browser", "source": "198.51.100.23",
        "timestamp": {"epochSecond": at, "nano": 0}, "version": "1.0"
    })
    .to_string()
        + "\n"
}

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64)";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = String::new();
        // alice reads ENG more often than HR, downloads from HR and exports an HR space.
        for i in 0..6 {
            log += &access(
                i,
                0,
                "alice",
                "10.0.0.5",
                &format!("/display/ENG/Design{i}"),
                1000,
                BROWSER,
            );
        }
        log += &access(7, 0, "alice", "10.0.0.5", "/display/HR/Salaries", 2500, BROWSER);
        log += &access(8, 0, "alice", "10.0.0.5", "/display/HR/Reviews", 1500, BROWSER);
        log += &access(
            9,
            0,
            "alice",
            "10.0.0.6",
            "/download/attachments/777/pay.xlsx",
            40_000,
            "curl/8.5.0",
        );
        log += &access(
            10,
            0,
            "alice",
            "10.0.0.6",
            "/download/attachments/778/bonus.xlsx",
            2_000,
            "curl/8.5.0",
        );
        log += &access(
            11,
            0,
            "alice",
            "10.0.0.5",
            "/spaces/exportspacexml.action?key=HR",
            90_000,
            BROWSER,
        );
        log += &access(
            12,
            0,
            "alice",
            "10.0.0.5",
            "/dosearchsite.action?queryString=salary%20bands",
            300,
            BROWSER,
        );
        // eve exports two pages after being made an administrator at 09:30.
        log += &access(20, 0, "eve", "10.0.0.9", "/display/ENG/Design1", 1000, BROWSER);
        log += &access(
            31,
            0,
            "eve",
            "10.0.0.9",
            "/spaces/flyingpdf/pdfpageexport.action?pageId=501",
            7_000,
            BROWSER,
        );
        log += &access(
            32,
            0,
            "eve",
            "10.0.0.9",
            "/spaces/flyingpdf/pdfpageexport.action?pageId=502",
            8_000,
            BROWSER,
        );
        // The indexer is allow-listed and the busiest of all.
        for i in 0..40 {
            log += &access(
                40 + i / 20,
                i % 20,
                "indexer",
                "10.9.9.9",
                &format!("/rest/api/content/{}", 900 + i),
                100,
                "Indexer/1.0",
            );
        }
        std::fs::write(dir.path().join("access.log"), log).expect("write log");
        // 2026-10-07T09:30:00Z
        let grant = added_to_group(1_791_365_400, "admin", "eve", "confluence-administrators");
        std::fs::write(dir.path().join("audit.jsonl"), grant).expect("write audit");
        let config = serde_json::json!({
            "spaces": {"HR": "restricted"},
            "allow": [{"name": "indexer", "users": ["indexer"], "rules": ["*"]}]
        });
        std::fs::write(dir.path().join("config.json"), config.to_string()).expect("write config");
        Fixture { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn report(&self, extra: &[&str]) -> Value {
        let out = wikiwatch()
            .arg("report")
            .args(["--config", &self.path("config.json")])
            .args(extra)
            .arg(self.path("access.log"))
            .arg(format!("audit:{}", self.path("audit.jsonl")))
            .output()
            .expect("run wikiwatch report");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "wikiwatch report failed: {stderr}");
        serde_json::from_slice(&out.stdout).expect("report JSON")
    }
}

#[test]
fn report_leads_with_sensitive_spaces_and_sums_bytes() {
    let f = Fixture::new();
    let html = f.path("alice.html");
    let r = f.report(&["--entity", "user:alice", "--html", &html]);
    let x = &r["exposure"];
    assert_eq!(x["entity"], "user:alice");
    // HR is read less than ENG, but it is labelled, so it comes first.
    assert_eq!(x["spaces"][0]["space"], "HR", "{x}");
    assert_eq!(x["spaces"][0]["label"], "restricted");
    assert_eq!(x["sensitive"].as_array().map(Vec::len), Some(1), "{x}");
    let eng = x["spaces"].as_array().unwrap().iter().find(|s| s["space"] == "ENG").expect("ENG");
    assert_eq!(eng["requests"], 6);
    assert_eq!(eng["bytes"], 6_000);
    // Bytes summed per table and in the totals.
    let t = &x["totals"];
    assert_eq!(t["downloads"], 2, "{t}");
    assert_eq!(t["download_bytes"], 42_000, "{t}");
    assert_eq!(t["read_bytes"], 6 * 1000 + 2500 + 1500, "{t}");
    assert_eq!(t["exports"], 1);
    assert_eq!(t["export_bytes"], 90_000);
    assert_eq!(x["searches"][0]["name"], "salary bands", "{x}");
    assert_eq!(x["first"], "2026-10-07T09:00:00Z");
    assert_eq!(x["last"], "2026-10-07T09:12:00Z");
    let addrs: Vec<&str> =
        x["addresses"].as_array().unwrap().iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(addrs, ["10.0.0.5", "10.0.0.6"]);
    assert!(x["after_privilege"].is_null(), "{x}");
    // The HTML file stands alone and leads with the sensitive space too.
    let page = std::fs::read_to_string(Path::new(&html)).expect("HTML written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<svg"), "plots are inline SVG");
    assert!(!page.contains("<script") && !page.contains("src=\"http"), "nothing from elsewhere");
    let sensitive = page.find("Sensitive spaces").expect("a sensitive section");
    assert!(sensitive < page.find("Activity per hour").expect("activity"), "sensitive first");
}

#[test]
fn report_tells_what_followed_a_privilege_change_in_order() {
    let f = Fixture::new();
    let r = f.report(&["--entity", "user:eve"]);
    let p = &r["exposure"]["after_privilege"];
    assert_eq!(p["granted"], "2026-10-07T09:30:00Z", "{p}");
    assert!(p["grants"][0].as_str().unwrap_or("").contains("confluence-administrators"), "{p}");
    assert_eq!(p["exports"], 2, "{p}");
    assert_eq!(p["bytes"], 15_000, "{p}");
    // The read before the grant is not counted after it.
    assert_eq!(p["pages_read"], 0, "{p}");
    let steps: Vec<(&str, &str)> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["what"].as_str().unwrap(), s["time"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("privilege", "2026-10-07T09:30:00Z"),
            ("export", "2026-10-07T09:31:00Z"),
            ("export", "2026-10-07T09:32:00Z")
        ]
    );
}

#[test]
fn report_on_an_entity_with_nothing_to_report_says_so() {
    let f = Fixture::new();
    let html = f.path("nobody.html");
    let r = f.report(&["--entity", "user:nobody", "--html", &html]);
    let x = &r["exposure"];
    assert_eq!(x["events"], 0, "{x}");
    assert!(x["first"].is_null() && x["spaces"].as_array().unwrap().is_empty(), "{x}");
    assert!(r["incidents"].as_array().unwrap().is_empty(), "{r}");
    let page = std::fs::read_to_string(&html).expect("HTML written");
    assert!(page.contains("Nothing to report"), "{page}");
    // A span that leaves alice's requests out has nothing either.
    let r = f.report(&["--entity", "user:alice", "--from", "2026-10-07T10:00:00Z"]);
    assert_eq!(r["exposure"]["events"], 0);
}

#[test]
fn report_keeps_allow_listed_entities_out_of_busiest_unless_asked() {
    let f = Fixture::new();
    let names = |r: &Value| -> Vec<String> {
        r["busiest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["entity"].as_str().unwrap().to_string())
            .collect()
    };
    let r = f.report(&[]);
    assert!(r["exposure"].is_null());
    let busy = names(&r);
    assert!(!busy.iter().any(|e| e == "user:indexer"), "{busy:?}");
    assert_eq!(busy[0], "user:alice", "{busy:?}");
    let r = f.report(&["--include-allowed"]);
    // The indexer and its allow-listed address are the busiest, equally.
    assert!(names(&r)[..2].contains(&"user:indexer".to_string()), "{:?}", names(&r));
    assert_eq!(r["busiest"][0]["allowed"], true);
    // Every incident is one entity and one incident id, with its alerts.
    for i in r["incidents"].as_array().unwrap() {
        let lines = i["lines"].as_array().unwrap();
        assert!(!lines.is_empty() && lines.len() as u64 <= i["alerts"].as_u64().unwrap());
        for l in lines {
            assert_eq!(l["incident"], i["incident"]);
            assert_eq!(l["entity"]["id"], i["id"]);
        }
    }
}

#[test]
fn report_refuses_bad_arguments_and_labels() {
    let f = Fixture::new();
    let out = wikiwatch()
        .args(["report", "--entity", "mallory", &f.path("access.log")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(f.path("bad.json"), r#"{"spaces": {"HR": ""}}"#).unwrap();
    let out = wikiwatch()
        .args(["report", "--config", &f.path("bad.json"), &f.path("access.log")])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("spaces.HR"));
}

/// dave views a page by its title, his browser asks for its likes by id (Referer: the title
/// page), and he opens it again by id. The Confluence access log has no session: the Referer
/// alone makes the two spellings one page; without it they stay two, and the report says so.
#[test]
fn report_joins_a_page_read_by_title_and_by_id_through_the_referer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = |s: u32, target: &str, referer: &str| {
        format!("[07/Oct/2026:09:00:{s:02} +0000] dave http-nio-8090-exec-1 10.0.0.8 GET {target} HTTP/1.1 200 20ms 1000 {referer} {BROWSER}\n")
    };
    let title = "/display/QA/Page+216065";
    let run = |referer: &str| {
        let log = line(0, title, "-")
            + &line(1, "/rest/likes/1.0/content/216065/likes", referer)
            + &line(9, "/pages/viewpage.action?pageId=216065", "-");
        let path = dir.path().join("access.log");
        std::fs::write(&path, log).expect("write log");
        let out = wikiwatch()
            .args(["report", "--entity", "user:dave"])
            .arg(&path)
            .output()
            .expect("run wikiwatch report");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r: Value = serde_json::from_slice(&out.stdout).expect("report JSON");
        r["exposure"].clone()
    };
    let x = run(&format!("https://wiki.example.com{title}"));
    let pages = x["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 1, "{x}");
    assert_eq!(pages[0]["page"], "216065");
    assert_eq!(pages[0]["count"], 2);
    assert_eq!(pages[0]["spellings"], serde_json::json!(["216065", "QA/Page+216065"]));
    assert!(x["pages_note"].is_null(), "{x}");
    let x = run("-");
    assert_eq!(x["pages"].as_array().map(Vec::len), Some(2), "{x}");
    assert!(x["pages_note"].as_str().is_some_and(|n| n.contains("both spellings")), "{x}");
}
