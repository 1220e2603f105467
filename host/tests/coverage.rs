//! `wikiwatch coverage` on logs written here: a site whose logs show everything, then the same
//! site with one facet taken away at a time, each verdict and the setting it recommends checked;
//! and the bundled example log.

use crate::common;

use common::{wikiwatch, workspace};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// 2026-06-01T00:00:00Z.
const START: i64 = 1_780_272_000_000;

const USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// What the written logs hold; `Site::full()` has everything.
#[derive(Clone)]
struct Site {
    days: i64,
    users: bool,
    proxy_only: bool,
    agents: bool,
    exports: bool,
    /// A day with no event at all.
    gap_day: Option<i64>,
    /// Events of one node dated this far ahead, every tenth line.
    fast_clock: Option<i64>,
}

impl Site {
    fn full() -> Site {
        Site {
            days: 95,
            users: true,
            proxy_only: false,
            agents: true,
            exports: true,
            gap_day: None,
            fast_clock: None,
        }
    }

    /// JSON access records (sessions need the JSON form) and DC audit records.
    fn write(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let (mut access, mut audit) = (String::new(), String::new());
        let mut n = 0u64;
        for day in 0..self.days {
            if self.gap_day == Some(day) {
                continue;
            }
            // Quiet: four events at four hours of the day, so the event clock (the median of
            // recent times) lags and ordinary events are ahead of it too.
            for hour in [9, 11, 14, 16] {
                for (u, user) in USERS.iter().enumerate() {
                    let mut t = START + day * DAY + hour * HOUR + u as i64 * 60_000;
                    n += 1;
                    if let (Some(ahead), true) = (self.fast_clock, n.is_multiple_of(10)) {
                        t += ahead;
                    }
                    let target = match (hour, u) {
                        (9, _) => format!("/display/ENG/Page+{day}"),
                        (11, _) => format!("/rest/api/content/{}?expand=body.storage", 1000 + day),
                        (14, 0) => "/dosearchsite.action?queryString=roadmap".to_string(),
                        (14, 1) => format!("/download/attachments/{}/plan.pdf", 1000 + day),
                        (14, 2) if self.exports => {
                            format!("/spaces/flyingpdf/pdfpageexport.action?pageId={}", 1000 + day)
                        }
                        _ => format!("/pages/viewpage.action?pageId={}", 1000 + day),
                    };
                    let address = if self.proxy_only {
                        format!("10.0.0.{}", 1 + u % 2)
                    } else {
                        format!("192.0.2.{}", 10 + u)
                    };
                    let status = if hour == 16 && u == 3 { 403 } else { 200 };
                    let mut rec = json!({
                        "@timestamp": t,
                        "source.ip": address,
                        "session.id": format!("{user}-{day}"),
                        "http.request.method": "GET",
                        "url.original": target,
                        "http.response.status_code": status,
                        "http.response.body.bytes": 4096,
                    });
                    if self.users {
                        rec["user.name"] = json!(user);
                    }
                    if self.agents {
                        rec["user_agent.original"] = json!(BROWSER);
                    }
                    access.push_str(&format!("{rec}\n"));
                }
            }
            let at = |h: i64| (START + day * DAY + h * HOUR) / 1000 + 30;
            audit.push_str(&audit_record("Page viewed", "alice", at(10), &[page_object(day)]));
            if day % 7 == 0 {
                let group = json!({"id": "developers", "name": "developers", "type": "Group"});
                let who = json!({"id": "k-bob", "name": "Bob", "type": "User",
                    "uri": "http://confluence.example.com/admin/users/viewuser.action?username=bob"});
                audit.push_str(&audit_record(
                    "User added to group",
                    "admin",
                    at(12),
                    &[who, group],
                ));
            }
            if self.exports && day % 10 == 0 {
                let space = json!({"id": "98305", "name": "Engineering", "type": "Space",
                    "uri": "http://confluence.example.com/display/ENG"});
                audit.push_str(&audit_record("Space exported", "carol", at(15), &[space]));
            }
        }
        let (a, b) = (dir.join("access.jsonl"), dir.join("audit.jsonl"));
        std::fs::write(&a, access).unwrap();
        std::fs::write(&b, audit).unwrap();
        (a, b)
    }
}

fn page_object(day: i64) -> Value {
    json!({"id": format!("{}", 1000 + day), "name": format!("Page {day}"), "type": "Page",
        "uri": format!("http://confluence.example.com/pages/viewpage.action?pageId={}", 1000 + day)})
}

/// One Data Center audit file record.
fn audit_record(action: &str, author: &str, epoch_second: i64, objects: &[Value]) -> String {
    let rec = json!({
        "affectedObjects": objects,
        "auditType": {"action": action},
        "author": {"name": author, "type": "user",
            "uri": format!("http://confluence.example.com/admin/users/viewuser.action?username={author}")},
        "timestamp": {"epochSecond": epoch_second, "nano": 0},
    });
    format!("{rec}\n")
}

/// Every user placed, one administrator.
fn config(dir: &Path) -> PathBuf {
    let mut users = serde_json::Map::new();
    for u in USERS {
        users.insert(u.into(), json!({"team": "eng", "role": "staff"}));
    }
    users.insert("admin".into(), json!({"team": "it", "role": "admin"}));
    let path = dir.join("config.json");
    std::fs::write(&path, json!({"identity": {"users": users}}).to_string()).unwrap();
    path
}

struct Run {
    out: Output,
    report: Value,
}

impl Run {
    fn check(&self, facet: &str, check: &str) -> &Value {
        let f = self.report["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["facet"] == facet)
            .unwrap_or_else(|| panic!("no facet {facet}"));
        f["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .unwrap_or_else(|| panic!("no check {facet}/{check}"))
    }

    fn verdict(&self, facet: &str, check: &str) -> &str {
        self.check(facet, check)["verdict"].as_str().unwrap()
    }

    fn fix(&self, facet: &str, check: &str) -> &str {
        self.check(facet, check)["fix"].as_str().unwrap_or("")
    }

    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }

    fn uncovered(&self) -> Vec<&str> {
        self.report["uncovered"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect()
    }
}

fn coverage(site: &Site, name: &str) -> Run {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("coverage").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let (access, audit) = site.write(&dir);
    let config = config(&dir);
    let out = wikiwatch()
        .arg("coverage")
        .arg("--json")
        .arg("--config")
        .arg(&config)
        .arg(format!("json:{}", access.display()))
        .arg(format!("audit:{}", audit.display()))
        .output()
        .expect("run wikiwatch coverage");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("coverage --json: {e}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    Run { out, report }
}

#[test]
fn a_site_whose_logs_show_everything_is_covered_and_exits_0() {
    let run = coverage(&Site::full(), "full");
    for f in run.report["facets"].as_array().unwrap() {
        for c in f["checks"].as_array().unwrap() {
            assert_eq!(c["verdict"], "covered", "{}/{}: {}", f["facet"], c["check"], c["evidence"]);
            assert!(c["fix"].is_null(), "a covered check has no fix: {c}");
        }
    }
    assert_eq!(run.code(), 0, "{}", String::from_utf8_lossy(&run.out.stderr));
    assert_eq!(run.report["ok"], true);
    let ev = run.check("identity", "privileged-accounts")["evidence"].as_str().unwrap();
    assert!(ev.contains("admin"), "{ev}");
}

#[test]
fn no_user_field_is_missing_and_names_the_x_ausername_pattern_code() {
    let run = coverage(&Site { users: false, ..Site::full() }, "no-user");
    assert_eq!(run.verdict("who", "user"), "missing");
    assert!(run.fix("who", "user").contains("%{X-AUSERNAME}o"), "{}", run.fix("who", "user"));
    assert!(run.fix("who", "user").contains("$upstream_http_x_ausername"));
    assert!(run.uncovered().contains(&"who/user"), "{:?}", run.uncovered());
    assert_eq!(run.code(), 5);
}

#[test]
fn proxy_addresses_only_are_missing_and_name_x_forwarded_for() {
    let run = coverage(&Site { proxy_only: true, ..Site::full() }, "proxy");
    assert_eq!(run.verdict("where-from", "client-address"), "missing");
    let fix = run.fix("where-from", "client-address");
    assert!(fix.contains("%{X-Forwarded-For}i %t %{X-AUSERNAME}o"), "{fix}");
    assert!(fix.contains("RemoteIpValve") && fix.contains("requestAttributesEnabled"), "{fix}");
    assert!(run.uncovered().contains(&"where-from/client-address"));
    assert_eq!(run.verdict("who", "user"), "covered");
    assert_eq!(run.code(), 5);
}

#[test]
fn no_user_agent_is_missing_and_names_the_user_agent_pattern_code() {
    let run = coverage(&Site { agents: false, ..Site::full() }, "no-agent");
    assert_eq!(run.verdict("with-what", "user-agent"), "missing");
    assert!(run.fix("with-what", "user-agent").contains("%{User-Agent}i"));
    assert_eq!(run.check("with-what", "user-agent")["needed_by"], json!(["programmatic-agent"]));
    assert_eq!(run.verdict("with-what", "session"), "covered");
    assert_eq!(run.code(), 5);
}

#[test]
fn no_exports_are_missing_and_point_at_the_audit_log() {
    let run = coverage(&Site { exports: false, ..Site::full() }, "no-exports");
    assert_eq!(run.verdict("what", "exports"), "missing");
    let fix = run.fix("what", "exports");
    assert!(fix.contains("pdfpageexport.action") && fix.contains("audit:FILE"), "{fix}");
    assert!(run.uncovered().contains(&"what/exports"));
    assert_eq!(run.verdict("what", "page-views"), "covered");
    assert_eq!(run.code(), 5);
}

#[test]
fn three_days_of_data_miss_both_retention_windows() {
    let run = coverage(&Site { days: 3, ..Site::full() }, "three-days");
    assert_eq!(run.verdict("when", "retention-baselines"), "missing");
    assert_eq!(run.verdict("when", "retention-investigations"), "missing");
    assert!(run.fix("when", "retention-baselines").contains("maxDays"));
    assert!(run.uncovered().contains(&"when/retention-baselines"));
    // Investigations are no rule's need: reported, not an exit reason of their own.
    assert!(!run.uncovered().contains(&"when/retention-investigations"));
    assert_eq!(run.code(), 5);
    // Between 30 and 90 days: enough for baselines, not for investigations.
    let run = coverage(&Site { days: 40, ..Site::full() }, "forty-days");
    assert_eq!(run.verdict("when", "retention-baselines"), "covered");
    assert_eq!(run.verdict("when", "retention-investigations"), "partial");
    assert_eq!(run.code(), 0);
}

#[test]
fn a_day_without_events_is_a_gap_with_its_dates() {
    let run = coverage(&Site { gap_day: Some(20), ..Site::full() }, "gap");
    assert_eq!(run.verdict("when", "gaps"), "partial");
    let evidence = run.check("when", "gaps")["evidence"].as_str().unwrap();
    // Day 20 is 2026-06-21: the access log is silent from the evening before to the morning after.
    assert!(evidence.contains("2026-06-20T17:00:00Z to 2026-06-22T09:00:00Z"), "{evidence}");
    assert!(run.fix("when", "gaps").contains("shipper"));
    let access = &run.report["inputs"][0]["gaps"];
    assert_eq!(access.as_array().unwrap().len(), 1, "{access}");
    assert!(access[0]["hours"].as_i64().unwrap() >= 24, "{access}");
    assert_eq!(run.verdict("when", "clock"), "covered");
    assert_eq!(run.code(), 0, "a gap alone is reported, not needed by a rule");
}

#[test]
fn a_node_with_a_fast_clock_is_a_clock_problem_of_its_source() {
    let run = coverage(&Site { fast_clock: Some(3 * HOUR), ..Site::full() }, "fast-clock");
    assert_eq!(run.verdict("when", "clock"), "partial");
    assert!(run.fix("when", "clock").contains("NTP"));
    let access = &run.report["inputs"][0];
    let audit = &run.report["inputs"][1];
    // Every tenth access record (of sixteen a day) runs 3 hours ahead. It is counted when a
    // later event comes back below it by more than the 15-minute tolerance: not when it is the
    // last of its day (the next is the next morning, as after a quiet night), nor the last at
    // 11:00 (3 hours ahead is 14:03, minutes past the 14:00 events that follow).
    let events = access["events"].as_u64().unwrap();
    let future = access["future"].as_u64().unwrap();
    let expected = (1..=events).filter(|n| n % 10 == 0 && n % 16 != 0 && n % 16 != 8).count();
    assert_eq!(future, expected as u64, "{future} of {events}");
    assert_eq!(audit["future"], 0);
    assert_eq!(audit["out_of_order"], 0);
    let evidence = run.check("when", "clock")["evidence"].as_str().unwrap();
    assert!(evidence.contains("access.jsonl") && !evidence.contains("audit.jsonl"), "{evidence}");
    // The same log without the fast clock has no clock problem.
    assert_eq!(coverage(&Site::full(), "full-clock").verdict("when", "clock"), "covered");
}

#[test]
fn the_bundled_example_log_gives_a_sensible_report() {
    let root = workspace();
    let out = wikiwatch()
        .arg("coverage")
        .arg("--json")
        .arg("--config")
        .arg(root.join("examples/config.json"))
        .arg(root.join("examples/logs/confluence-access.log"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = Run { out, report };
    // A day of Confluence's default pattern behind no proxy: users, addresses, agents and
    // every kind of read are there; sessions, audit records and history are not.
    for (facet, check) in [
        ("who", "user"),
        ("where-from", "client-address"),
        ("with-what", "user-agent"),
        ("what", "page-views"),
        ("what", "api-reads"),
        ("what", "searches"),
        ("what", "attachment-downloads"),
        ("what", "exports"),
        ("what", "status"),
        ("when", "gaps"),
        ("identity", "privileged-accounts"),
    ] {
        assert_eq!(
            run.verdict(facet, check),
            "covered",
            "{facet}/{check}: {}",
            run.check(facet, check)
        );
    }
    assert_eq!(run.verdict("with-what", "session"), "missing");
    assert!(run.fix("with-what", "session").contains("%{JSESSIONID}c"));
    assert_eq!(run.verdict("what", "audit"), "missing");
    assert_eq!(run.verdict("when", "retention-baselines"), "missing");
    let uncovered = run.uncovered();
    for needed in ["with-what/session", "what/audit", "when/retention-baselines"] {
        assert!(uncovered.contains(&needed), "{uncovered:?}");
    }
    assert_eq!(run.code(), 5);
    assert_eq!(run.report["inputs"][0]["rejected"], 0);
    let lines = std::fs::read_to_string(root.join("examples/logs/confluence-access.log")).unwrap();
    assert_eq!(run.report["events"], lines.lines().count() as u64);

    // The terminal report says the same, with the fix under what is missing.
    let out = wikiwatch()
        .arg("coverage")
        .arg("--config")
        .arg(root.join("examples/config.json"))
        .arg(root.join("examples/logs/confluence-access.log"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("MISS session  (needed by session-anomaly)"), "{text}");
    assert!(text.contains("%{JSESSIONID}c"), "{text}");
    assert!(text.contains("needed and not covered: "), "{text}");
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("coverage: not covered"));
}
