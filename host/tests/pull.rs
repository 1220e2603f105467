//! `wikiwatch pull` against a local server that speaks both audit APIs in their documented
//! shapes (organization events with cursor pages, the site audit log with offset pages,
//! newest first, windows by epoch milliseconds): the alerts equal a replay of the same events,
//! the checkpoint holds across restarts without feeding an event twice, 429 and 5xx are
//! retried, refused credentials and broken pages end the pull with a clear message.

use crate::common;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const KEY: &str = "org-api-key-7f3a";
const EMAIL: &str = "mia@example.com";
const TOKEN: &str = "site-token-91c2";
/// 2026-10-07T14:00:00Z.
const T14: i64 = 1_791_381_600_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;

fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

// ---------------------------------------------------------------- the records

fn org_event(id: &str, t: i64, action: &str, actor: &str, ip: &str, context: Value) -> Value {
    json!({
        "id": id,
        "type": "events",
        "attributes": {
            "time": iso(t),
            "action": action,
            "actor": {"id": format!("acc-{actor}"), "name": actor, "email": format!("{}@example.com", actor.to_lowercase().replace(' ', "."))},
            "context": context,
            "container": [{"id": "site-1", "type": "sites", "attributes": {"siteHostName": "acme.atlassian.net", "siteName": "acme"}}],
            "location": {"ip": ip, "geo": "Sydney, Australia"}
        },
        "links": {"self": format!("https://api.atlassian.com/admin/v1/orgs/o1/events/{id}")}
    })
}

fn space(key: &str) -> Value {
    json!([{"id": format!("sp-{key}"), "type": "spaces", "attributes": {"key": key, "name": key}}])
}

/// An administrator makes a new account a site admin; the account then views pages and
/// exports four spaces within minutes, from a new address; other people read a little.
fn org_events() -> Vec<Value> {
    let mut v = vec![
        org_event("e-bob-1", T14 - 18 * HOUR, "page_viewed", "Bob", "203.0.113.5", space("OPS")),
        org_event("e-bob-2", T14 - 17 * HOUR, "page_viewed", "Bob", "203.0.113.5", space("OPS")),
        org_event(
            "e-create",
            T14 + 5_000,
            "user_created",
            "Mia Admin",
            "203.0.113.77",
            json!([{"id": "acc-eve", "type": "users", "attributes": {"name": "Eve Rogue", "email": "eve@example.com"}}]),
        ),
        org_event(
            "e-group",
            T14 + 40_000,
            "user_added_to_group",
            "Mia Admin",
            "203.0.113.77",
            json!([
                {"id": "acc-eve", "type": "users", "attributes": {"name": "Eve Rogue", "email": "eve@example.com"}},
                {"id": "g-1", "type": "groups", "attributes": {"name": "site-admins"}}
            ]),
        ),
    ];
    for i in 0..12 {
        let key = ["ENG", "HR", "FIN", "LEG"][i % 4];
        v.push(org_event(
            &format!("e-view-{i}"),
            T14 + 5 * MIN + i as i64 * 7_000,
            "page_viewed",
            "Eve Rogue",
            "198.51.100.23",
            space(key),
        ));
    }
    for (i, key) in ["ENG", "HR", "FIN", "LEG"].iter().enumerate() {
        v.push(org_event(
            &format!("e-export-{i}"),
            T14 + 10 * MIN + i as i64 * 30_000,
            "space_exported",
            "Eve Rogue",
            "198.51.100.23",
            space(key),
        ));
    }
    v.push(org_event("e-bob-3", T14 + 50 * MIN, "page_viewed", "Bob", "203.0.113.5", space("OPS")));
    v
}

#[allow(clippy::too_many_arguments)] // one argument per field of the record
fn site_record(
    t: i64,
    author: &str,
    ip: &str,
    summary: &str,
    category: &str,
    affected: Value,
    changed: Value,
    associated: Value,
) -> Value {
    json!({
        "author": {"type": "user", "displayName": author, "operations": null, "username": "", "userKey": "",
                   "accountId": format!("acc-{}", author.to_lowercase().replace(' ', "-")), "accountType": "atlassian",
                   "externalCollaborator": false, "isExternalCollaborator": false, "publicName": author},
        "remoteAddress": ip,
        "creationDate": t,
        "summary": summary,
        "description": "",
        "category": category,
        "sysAdmin": false,
        "superAdmin": false,
        "affectedObject": affected,
        "changedValues": changed,
        "associatedObjects": associated
    })
}

/// The same story in the site audit log: a global grant, then space exports.
fn site_records() -> Vec<Value> {
    let mut v = vec![
        site_record(
            T14 - 3 * HOUR,
            "Bob",
            "203.0.113.5",
            "Space permission added",
            "Permissions",
            json!({"name": "OPS", "objectType": "Space"}),
            json!([]),
            json!([]),
        ),
        site_record(
            T14 + 30_000,
            "Mia Admin",
            "203.0.113.77",
            "User added to group",
            "Users and groups",
            json!({"name": "Eve Rogue", "objectType": "User"}),
            json!([]),
            json!([{"name": "site-admins", "objectType": "Group"}]),
        ),
        site_record(
            T14 + 70_000,
            "Mia Admin",
            "203.0.113.77",
            "Global permission added",
            "Permissions",
            json!({"name": "Eve Rogue", "objectType": "User"}),
            json!([{"name": "Permission", "oldValue": "", "newValue": "System Administrator"}]),
            json!([]),
        ),
    ];
    for (i, key) in ["ENG", "HR", "FIN"].iter().enumerate() {
        v.push(site_record(
            T14 + 12 * MIN + i as i64 * 45_000,
            "Eve Rogue",
            "198.51.100.23",
            "Space exported",
            "Import/Export",
            json!({"name": key, "objectType": "Space"}),
            json!([]),
            json!([{"name": key, "objectType": "Space"}]),
        ));
    }
    v
}

fn time_of(r: &Value) -> i64 {
    if let Some(t) = r["creationDate"].as_i64() {
        return t;
    }
    parse_iso(r["attributes"]["time"].as_str().unwrap())
}

fn parse_iso(s: &str) -> i64 {
    // Every test time is written by `iso`, whose text sorts as its time does (years 1970 to
    // 2099): a binary search over `iso` finds it without a date library.
    let (mut lo, mut hi) = (0, 4_102_444_800_000);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if iso(mid).as_str() < s {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    assert_eq!(iso(lo), s);
    lo
}

/// Records as the APIs hold them: newest first (stable for equal times).
fn newest_first(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by_key(|r| std::cmp::Reverse(time_of(r)));
    v
}

// ---------------------------------------------------------------- the server

#[derive(Debug, Clone)]
enum Fault {
    Status(u16, Option<u64>),
    Body(&'static str),
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: BTreeMap<String, String>,
    auth: String,
    at: Instant,
}

#[derive(Default)]
struct Shared {
    records: Vec<Value>,
    faults: BTreeMap<usize, Fault>,
    seen: Vec<Seen>,
    auth: String,
}

struct Server {
    base: String,
    shared: Arc<Mutex<Shared>>,
}

impl Server {
    /// Serves `records` (any order) as the org API (`site == false`) or the site API, `per_page`
    /// records a page; `faults` answer the request of that number (1-based) instead.
    fn start(
        site: bool,
        records: Vec<Value>,
        per_page: usize,
        faults: &[(usize, Fault)],
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let auth = if site {
            format!("Basic {}", b64(format!("{EMAIL}:{TOKEN}").as_bytes()))
        } else {
            format!("Bearer {KEY}")
        };
        let shared = Arc::new(Mutex::new(Shared {
            records,
            faults: faults.iter().cloned().collect(),
            auth,
            ..Shared::default()
        }));
        let s = Arc::clone(&shared);
        let b = base.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = serve(conn, &s, site, per_page, &b);
            }
        });
        Server { base, shared }
    }

    fn seen(&self) -> Vec<Seen> {
        self.shared.lock().unwrap().seen.clone()
    }

    fn push(&self, r: Value) {
        self.shared.lock().unwrap().records.push(r);
    }
}

fn serve(
    conn: TcpStream,
    shared: &Mutex<Shared>,
    site: bool,
    per_page: usize,
    base: &str,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut auth = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                auth = v.trim().to_string();
            }
        }
    }
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    let query: BTreeMap<String, String> = q
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (unescape(k), unescape(v))
        })
        .collect();
    let mut s = shared.lock().unwrap();
    s.seen.push(Seen {
        path: path.to_string(),
        query: query.clone(),
        auth: auth.clone(),
        at: Instant::now(),
    });
    let n = s.seen.len();
    let (status, retry, body) = if let Some(f) = s.faults.get(&n).cloned() {
        match f {
            Fault::Status(code, retry) => {
                (code, retry, json!({"code": code, "message": "injected"}).to_string())
            }
            Fault::Body(b) => (200, None, b.to_string()),
        }
    } else if auth != s.auth {
        (401, None, json!({"code": 401, "message": "Unauthorized"}).to_string())
    } else {
        (200, None, page(&s.records, site, per_page, path, &query, base).to_string())
    };
    drop(s);
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut out = reader.into_inner();
    let mut head = format!("HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    if let Some(r) = retry {
        head += &format!("Retry-After: {r}\r\n");
    }
    out.write_all(format!("{head}\r\n{body}").as_bytes())?;
    out.flush()
}

fn page(
    records: &[Value],
    site: bool,
    per_page: usize,
    path: &str,
    q: &BTreeMap<String, String>,
    base: &str,
) -> Value {
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let (from, to) =
        if site { (num("startDate"), num("endDate")) } else { (num("from"), num("to")) };
    let window: Vec<Value> = newest_first(records.to_vec())
        .into_iter()
        .filter(|r| from.is_none_or(|f| time_of(r) >= f) && to.is_none_or(|t| time_of(r) <= t))
        .collect();
    if site {
        assert_eq!(path, "/wiki/rest/api/audit");
        let start = num("start").unwrap_or(0) as usize;
        let limit = (num("limit").unwrap_or(1000) as usize).min(per_page);
        let results: Vec<Value> = window.iter().skip(start).take(limit).cloned().collect();
        let mut links = json!({"base": base, "context": "/wiki", "self": format!("{base}/wiki/rest/api/audit")});
        if start + results.len() < window.len() {
            links["next"] =
                json!(format!("/rest/api/audit?start={}&limit={limit}", start + results.len()));
        }
        json!({"results": results, "start": start, "limit": limit, "size": results.len(), "_links": links})
    } else {
        assert_eq!(path, "/admin/v1/orgs/o1/events");
        let at: usize = q.get("cursor").map_or(0, |c| c.trim_start_matches("c+").parse().unwrap());
        let data: Vec<Value> = window.iter().skip(at).take(per_page).cloned().collect();
        let mut out = json!({"data": data, "links": {"self": format!("{base}{path}")}, "meta": {"page_size": per_page}});
        if at + per_page < window.len() {
            // A cursor that needs escaping, in the documented link; meta.next on odd pages only.
            let cursor = format!("c+{}", at + per_page);
            out["links"]["next"] =
                json!(format!("{base}{path}?cursor={}", cursor.replace('+', "%2B")));
            if at / per_page % 2 == 1 {
                out["meta"]["next"] = json!(cursor);
            }
        }
        out
    }
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if b[i] == b'+' { b' ' } else { b[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn b64(input: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in input.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() { A[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

// ---------------------------------------------------------------- running wikiwatch

fn wikiwatch() -> Command {
    let mut cmd = common::wikiwatch();
    cmd.env_remove("WIKIWATCH_ATLASSIAN_API_KEY")
        .env_remove("WIKIWATCH_ATLASSIAN_EMAIL")
        .env_remove("WIKIWATCH_ATLASSIAN_API_TOKEN");
    cmd
}

struct Pull {
    cmd: Command,
    args: Vec<String>,
}

fn pull(kind: &str, server: &Server, since: i64, until: Option<i64>) -> Pull {
    let mut cmd = wikiwatch();
    let mut args: Vec<String> = vec!["pull".into(), kind.into()];
    if kind == "org" {
        cmd.env("WIKIWATCH_ATLASSIAN_API_KEY", KEY);
        args.extend(["--org-id".into(), "o1".into()]);
    } else {
        cmd.env("WIKIWATCH_ATLASSIAN_EMAIL", EMAIL).env("WIKIWATCH_ATLASSIAN_API_TOKEN", TOKEN);
        args.extend(["--site".into(), "acme.atlassian.net".into()]);
    }
    args.extend([
        "--base-url".into(),
        server.base.clone(),
        "--since".into(),
        iso(since),
        "--retry-base-ms".into(),
        "20".into(),
    ]);
    if let Some(u) = until {
        args.extend(["--until".into(), iso(u)]);
    }
    Pull { cmd, args }
}

impl Pull {
    fn arg(mut self, a: impl Into<String>) -> Pull {
        self.args.push(a.into());
        self
    }
    fn path(self, flag: &str, p: &Path) -> Pull {
        self.arg(flag).arg(p.to_str().unwrap())
    }
    fn native(self) -> Pull {
        self.arg("--engine").arg("native")
    }
    fn run(mut self) -> Output {
        for a in &self.args {
            assert!(!a.contains(KEY) && !a.contains(TOKEN), "a credential in argv: {a}");
        }
        self.cmd.args(&self.args).output().expect("wikiwatch runs")
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
}

/// The alerts of `wikiwatch replay --format audit` over `records` written oldest first.
fn replay(dir: &Path, records: &[Value], engine: &str) -> String {
    let mut sorted = newest_first(records.to_vec());
    sorted.sort_by_key(time_of);
    let file = dir.join("events.jsonl");
    let text: String = sorted.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let o = wikiwatch()
        .args(["replay", "--format", "audit", "--engine", engine])
        .arg(&file)
        .output()
        .unwrap();
    ok(&o);
    String::from_utf8(o.stdout).unwrap()
}

fn rules(alerts: &str) -> Vec<String> {
    alerts
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The `pull` section of a live state file.
fn checkpoints(state: &Path) -> Value {
    let b = std::fs::read(state).unwrap();
    assert_eq!(&b[..4], b"WKWL");
    let len = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
    let sections: Value = serde_json::from_slice(&b[12..12 + len]).unwrap();
    assert!(b.len() > 12 + len, "the detector is saved too");
    sections["pull"].clone()
}

fn tmp() -> (TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("pull.state");
    let alerts = dir.path().join("alerts.jsonl");
    (dir, state, alerts)
}

// ---------------------------------------------------------------- the tests

#[test]
fn org_pull_over_pages_steps_429_and_500_equals_a_replay() {
    let events = org_events();
    // Request 2 is throttled once, request 4 fails once: both are retried.
    let server = Server::start(
        false,
        events.clone(),
        4,
        &[(2, Fault::Status(429, Some(1))), (4, Fault::Status(503, None))],
    );
    let (dir, state, alerts) = tmp();
    let since = T14 - 30 * HOUR;
    let until = T14 + HOUR;
    let o = pull("org", &server, since, Some(until))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    let got = std::fs::read_to_string(&alerts).unwrap();
    let want = replay(dir.path(), &events, "native");
    assert_eq!(got, want, "pull and replay of the same events differ; stderr: {}", stderr(&o));
    let r = rules(&got);
    assert!(r.iter().any(|x| x == "space-export"), "{r:?}");
    assert!(r.iter().any(|x| x == "privilege-change"), "{r:?}");

    let seen = server.seen();
    assert!(seen.iter().all(|s| s.auth == format!("Bearer {KEY}")), "bearer key on every request");
    let throttled = seen[1].at;
    assert!(
        seen[2].at.duration_since(throttled) >= Duration::from_millis(900),
        "Retry-After: 1 honoured"
    );
    // Two steps (the window spans two days); every request carries the step's window.
    assert!(seen.iter().all(|s| s.query.contains_key("from") && s.query.contains_key("to")));
    let froms: Vec<&String> = seen.iter().map(|s| &s.query["from"]).collect();
    assert!(
        froms.contains(&&since.to_string()) && froms.iter().any(|f| **f != since.to_string()),
        "{froms:?}"
    );
    assert!(
        seen.iter().any(|s| s.query.get("cursor").is_some_and(|c| c.starts_with("c+"))),
        "cursor unescaped and sent back"
    );

    let last = events.iter().map(time_of).max().unwrap();
    assert_eq!(checkpoints(&state), json!({"org:o1": {"time_ms": last, "ids": ["e-bob-3"]}}));
    assert!(stderr(&o).contains("429"), "{}", stderr(&o));
}

#[test]
fn site_pull_with_basic_auth_and_offset_pages_equals_a_replay_in_the_component() {
    let records = site_records();
    let server = Server::start(true, records.clone(), 2, &[]);
    let (dir, state, alerts) = tmp();
    let o = pull("site", &server, T14 - 4 * HOUR, Some(T14 + HOUR))
        .arg("--page-size")
        .arg("2")
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    let got = std::fs::read_to_string(&alerts).unwrap();
    assert_eq!(got, replay(dir.path(), &records, "component"));
    let r = rules(&got);
    assert!(
        r.iter().any(|x| x == "space-export") && r.iter().any(|x| x == "privilege-change"),
        "{r:?}"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "six records, two a page");
    assert!(seen.iter().all(|s| s.path == "/wiki/rest/api/audit"));
    let starts: Vec<&str> = seen.iter().map(|s| s.query["start"].as_str()).collect();
    assert_eq!(starts, ["0", "2", "4"]);
    assert!(seen
        .iter()
        .all(|s| s.auth == format!("Basic {}", b64(b"mia@example.com:site-token-91c2"))));
    assert_eq!(seen[0].query["startDate"], (T14 - 4 * HOUR).to_string());
    assert_eq!(seen[0].query["endDate"], (T14 + HOUR).to_string());
    let last = records.iter().map(time_of).max().unwrap();
    assert_eq!(checkpoints(&state)["site:acme.atlassian.net"]["time_ms"], json!(last));
}

#[test]
fn restart_over_overlapping_windows_gives_each_alert_once() {
    let events = org_events();
    let (dir, state, alerts) = tmp();
    // The first run ends in the middle of the exports, exactly at one of them.
    let cut = T14 + 11 * MIN;
    let first: Vec<Value> = events.iter().filter(|r| time_of(r) <= cut).cloned().collect();
    let server = Server::start(false, first, 5, &[]);
    ok(&pull("org", &server, T14 - 20 * HOUR, Some(cut))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run());
    assert_eq!(checkpoints(&state)["org:o1"]["time_ms"], json!(cut));
    // Since then an event of that same millisecond reached the log, and the rest.
    let late =
        org_event("e-late", cut, "space_exported", "Eve Rogue", "198.51.100.23", space("OPS"));
    let mut all = events.clone();
    all.push(late.clone());
    let server = Server::start(false, all.clone(), 5, &[]);
    // The second window starts well before the first one ended.
    let o = pull("org", &server, T14 - HOUR, Some(T14 + HOUR))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    assert!(stderr(&o).contains("1 seen before"), "{}", stderr(&o));
    let got = std::fs::read_to_string(&alerts).unwrap();
    assert_eq!(got, replay(dir.path(), &all, "native"), "stderr: {}", stderr(&o));
    let lines: Vec<&str> = got.lines().collect();
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "an alert written twice");
    // A third run over the same window feeds nothing.
    let o = pull("org", &server, T14 - HOUR, Some(T14 + HOUR))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    assert!(stderr(&o).contains(" 0 new event(s)"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&alerts).unwrap(), got);
}

#[test]
fn continuous_mode_polls_until_sigterm_and_saves() {
    let events = org_events();
    let early: Vec<Value> = events.iter().filter(|r| time_of(r) < T14 + 9 * MIN).cloned().collect();
    let server = Server::start(false, early, 50, &[]);
    let (_dir, state, alerts) = tmp();
    let mut p = pull("org", &server, T14 - 20 * HOUR, None)
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts);
    p.args.extend(["--interval".into(), "1s".into()]);
    let mut child =
        p.cmd.args(&p.args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let wait_for = |what: &str, cond: &dyn Fn() -> bool| {
        let end = Instant::now() + Duration::from_secs(30);
        while !cond() {
            assert!(Instant::now() < end, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("the first poll", &|| !server.seen().is_empty());
    // The exports reach the log between two polls.
    for r in events.iter().filter(|r| time_of(r) >= T14 + 9 * MIN) {
        server.push(r.clone());
    }
    let alerts_now = || std::fs::read_to_string(&alerts).unwrap_or_default();
    wait_for("the export alert", &|| alerts_now().contains("space-export"));
    let polls = server.seen().len();
    assert!(polls >= 2);
    let kill = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(kill.success());
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < end, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("stopped; checkpoint"), "{err}");
    let last = events.iter().map(time_of).max().unwrap();
    assert_eq!(checkpoints(&state)["org:o1"]["time_ms"], json!(last));
    // The polls after the first start at the checkpoint, not at --since.
    let later = &server.seen()[1..];
    assert!(later.iter().all(|s| s.query["from"].parse::<i64>().unwrap() > T14 - 20 * HOUR));
}

#[test]
fn refused_credentials_exit_2_naming_what_to_check() {
    let server = Server::start(false, org_events(), 5, &[]);
    let (_dir, state, _) = tmp();
    let mut p = pull("org", &server, T14 - HOUR, Some(T14 + HOUR)).native().path("--state", &state);
    p.cmd.env("WIKIWATCH_ATLASSIAN_API_KEY", "wrong-key");
    let o = p.run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("401") && stderr(&o).contains("WIKIWATCH_ATLASSIAN_API_KEY"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.seen().len(), 1, "a 401 is not retried");
    assert_eq!(stderr(&o).matches("401").count(), 1, "reported once: {}", stderr(&o));

    let server = Server::start(true, site_records(), 5, &[(1, Fault::Status(403, None))]);
    let o = pull("site", &server, T14 - HOUR, Some(T14 + HOUR)).native().run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("403") && stderr(&o).contains("Confluence Administrator"),
        "{}",
        stderr(&o)
    );

    // No key in the environment: nothing is sent; there is no flag to give it in argv.
    let server = Server::start(false, vec![], 5, &[]);
    let mut p = pull("org", &server, T14 - HOUR, None).native();
    p.cmd.env_remove("WIKIWATCH_ATLASSIAN_API_KEY");
    let o = p.run();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("WIKIWATCH_ATLASSIAN_API_KEY is not set"), "{}", stderr(&o));
    let o = pull("org", &server, T14 - HOUR, None).arg("--api-key").arg("x").run();
    assert_eq!(o.status.code(), Some(2));
    assert!(server.seen().is_empty());
    let mut p = pull("site", &server, T14 - HOUR, None).native();
    p.cmd.env_remove("WIKIWATCH_ATLASSIAN_API_TOKEN");
    let o = p.run();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("WIKIWATCH_ATLASSIAN_API_TOKEN is not set"), "{}", stderr(&o));
}

#[test]
fn broken_pages_and_exhausted_retries_exit_1_and_keep_the_checkpoint() {
    let (_dir, state, alerts) = tmp();
    // A good first step (yesterday), then a second step whose second page is not JSON.
    let events = org_events();
    let server =
        Server::start(false, events.clone(), 3, &[(3, Fault::Body("<html>maintenance</html>"))]);
    let o = pull("org", &server, T14 - 30 * HOUR, Some(T14 + HOUR))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("not JSON"), "{}", stderr(&o));
    // The first step was fed and saved; the broken one was not.
    assert_eq!(checkpoints(&state)["org:o1"]["time_ms"], json!(T14 - 17 * HOUR));

    let server =
        Server::start(true, site_records(), 3, &[(1, Fault::Body(r#"{"message":"hello"}"#))]);
    let o = pull("site", &server, T14 - HOUR, Some(T14 + HOUR)).native().run();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not an audit page: no `results` list"), "{}", stderr(&o));

    let server = Server::start(
        true,
        site_records(),
        3,
        &[(1, Fault::Status(500, None)), (2, Fault::Status(502, None))],
    );
    let o = pull("site", &server, T14 - HOUR, Some(T14 + HOUR))
        .native()
        .arg("--retries")
        .arg("1")
        .run();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("gave up after 2 attempts"), "{}", stderr(&o));
    assert_eq!(server.seen().len(), 2, "bounded retries");
}

/// A page view or export naming its page, as Guard's user-created activity records it.
fn page_event(
    id: String,
    t: i64,
    action: &str,
    actor: &str,
    ip: &str,
    space: &str,
    page: u32,
) -> Value {
    let mut ctx = self::space(space);
    ctx.as_array_mut().unwrap().push(json!({"id": page.to_string(), "type": "page", "attributes": {"title": format!("Page {page}")}}));
    org_event(&id, t, action, actor, ip, ctx)
}

/// Seen only through the organization audit log: an account that reads a few pages a day for a
/// week, then reads 400 pages in 20 seconds and exports 20 of them; nine accounts new to one
/// address sign in from it within the hour.
fn cloud_scrape() -> Vec<Value> {
    const DAY: i64 = 24 * HOUR;
    let mut v = Vec::new();
    for d in 1..=7 {
        for i in 0..4 {
            let t = T14 - d * DAY + i * 20 * MIN;
            v.push(page_event(
                format!("h-{d}-{i}"),
                t,
                "page_viewed",
                "Mallory",
                "203.0.113.9",
                "OPS",
                i as u32,
            ));
        }
    }
    for i in 0..400u32 {
        let space =
            ["ENG", "HR", "FIN", "LEG", "SEC", "IT", "OPS", "PUB", "MKT", "SAL"][i as usize % 10];
        let t = T14 + 10 * MIN + i64::from(i) * 50;
        v.push(page_event(
            format!("v-{i}"),
            t,
            "page_viewed",
            "Mallory",
            "198.51.100.40",
            space,
            1000 + i,
        ));
    }
    for i in 0..20u32 {
        let t = T14 + 12 * MIN + i64::from(i) * 5_000;
        v.push(page_event(
            format!("x-{i}"),
            t,
            "page_exported",
            "Mallory",
            "198.51.100.40",
            "HR",
            1000 + i,
        ));
    }
    for n in 0..9 {
        let t = T14 + 20 * MIN + n * 3 * MIN;
        v.push(page_event(
            format!("s-{n}"),
            t,
            "page_viewed",
            &format!("Temp {n}"),
            "192.0.2.50",
            "PUB",
            7,
        ));
    }
    v
}

#[test]
fn a_scrape_seen_only_in_cloud_audit_events_raises_the_access_rules() {
    let events = cloud_scrape();
    let server = Server::start(false, events.clone(), 100, &[]);
    let (dir, state, alerts) = tmp();
    let o = pull("org", &server, T14 - 8 * 24 * HOUR, Some(T14 + 2 * HOUR))
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    let got = std::fs::read_to_string(&alerts).unwrap();
    // The component pulled; the native engine replays: the same alerts.
    assert_eq!(got, replay(dir.path(), &events, "native"), "stderr: {}", stderr(&o));
    let alerts: Vec<Value> = got.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let fired = |rule: &str, entity: &str| {
        alerts.iter().any(|a| a["rule"] == rule && a["entity"]["id"] == entity)
    };
    for rule in ["mass-enumeration", "burst-rate", "bulk-export", "baseline-deviation"] {
        assert!(fired(rule, "Mallory"), "{rule} for Mallory: {got}");
    }
    // Distinct pages are counted: the spaces criterion needs pages, and the summary names them.
    let enumeration = alerts.iter().find(|a| a["rule"] == "mass-enumeration").unwrap();
    assert!(enumeration["count"].as_u64() >= enumeration["threshold"].as_u64(), "{enumeration}");
    assert!(enumeration["summary"].as_str().unwrap().contains("distinct pages"), "{enumeration}");
    // Nobody else did anything unusual.
    let others: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            a["entity"]["id"] != "Mallory"
                && a["entity"]["id"] != "192.0.2.50"
                && a["entity"]["id"] != "198.51.100.40"
        })
        .collect();
    assert!(others.is_empty(), "{others:?}");
}

#[test]
fn events_newer_than_the_settle_span_wait_for_the_next_poll() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let t = now.as_millis() as i64 - 10_000;
    let export = org_event("e-x", t, "space_exported", "Eve Rogue", "198.51.100.23", space("HR"));
    let server = Server::start(false, vec![export], 10, &[]);
    let (_dir, state, alerts) = tmp();
    let run = |settle: &str| {
        let mut p = pull("org", &server, 0, None);
        // `pull` sets `--since` to the epoch; this run looks back an hour instead.
        let at = p.args.iter().position(|a| a == "--since").unwrap();
        p.args[at + 1] = "1h".into();
        p.native()
            .arg("--settle")
            .arg(settle)
            .path("--state", &state)
            .path("--alerts", &alerts)
            .run()
    };
    ok(&run("1m"));
    assert_eq!(std::fs::read_to_string(&alerts).unwrap(), "", "not settled yet");
    assert_eq!(checkpoints(&state), json!({}));
    ok(&run("0s"));
    assert_eq!(rules(&std::fs::read_to_string(&alerts).unwrap()), ["space-export"]);
    assert_eq!(checkpoints(&state)["org:o1"]["ids"], json!(["e-x"]));
}

#[test]
fn an_empty_window_is_a_quiet_success() {
    let server = Server::start(true, site_records(), 3, &[]);
    let (_dir, state, alerts) = tmp();
    let o = pull("site", &server, T14 + 2 * HOUR, Some(T14 + 3 * HOUR))
        .native()
        .path("--state", &state)
        .path("--alerts", &alerts)
        .run();
    ok(&o);
    assert!(stderr(&o).contains(" 0 new event(s), 0 alert(s); checkpoint none"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&alerts).unwrap(), "");
    assert_eq!(checkpoints(&state), json!({}));
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn iso_and_parse_agree() {
    assert_eq!(iso(T14), "2026-10-07T14:00:00.000Z");
    assert_eq!(parse_iso(&iso(T14 - 17 * HOUR + 5)), T14 - 17 * HOUR + 5);
}
