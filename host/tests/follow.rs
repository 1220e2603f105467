//! `wikiwatch follow` on files written while it runs: a partial line at the end of a write,
//! rotation by rename (with a last line into the renamed file), copy-truncate, a new dated
//! file, a stop and restart in the middle. The alerts equal `replay` of the same lines; a
//! crash between writing alerts and saving the state repeats none; alerts reach a collector
//! once, through a failure and a restart.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tempfile::TempDir;

use crate::common;

use common::{wikiwatch, workspace};

/// The bundled one-day log (six attacks) as lines, and its config.
fn day() -> (Vec<String>, PathBuf) {
    let root = workspace();
    let text = std::fs::read_to_string(root.join("examples/logs/confluence-access.log")).unwrap();
    (text.lines().map(str::to_string).collect(), root.join("examples/config.json"))
}

fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new().create(true).append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn joined(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The follow section of a state file: (path, offset) of each file.
fn positions(state: &Path) -> Vec<(String, u64)> {
    let Ok(bytes) = std::fs::read(state) else { return Vec::new() };
    if bytes.len() < 12 || &bytes[..4] != b"WKWL" {
        return Vec::new();
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let v: serde_json::Value = serde_json::from_slice(&bytes[12..12 + len]).unwrap();
    v["follow"]["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["path"].as_str().unwrap().to_string(), f["offset"].as_u64().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the saved state says `path` was read up to `bytes`.
fn wait_read(state: &Path, path: &Path, bytes: u64) {
    let end = Instant::now() + Duration::from_secs(60);
    let want = path.display().to_string();
    while Instant::now() < end {
        if positions(state).iter().any(|(p, o)| *p == want && *o == bytes) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("follow never read {want} to {bytes}: {:?}", positions(state));
}

fn start(dir: &Path, config: &Path, patterns: &[&str]) -> Child {
    let mut cmd = wikiwatch();
    cmd.args(["follow", "--engine", "native", "--poll-ms", "20", "--save-every", "0"])
        .arg("--config")
        .arg(config)
        .arg("--state")
        .arg(dir.join("f.state"))
        .arg("--alerts")
        .arg(dir.join("alerts.jsonl"));
    for p in patterns {
        cmd.arg(dir.join(p));
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("follow starts")
}

/// SIGTERM, then the exit code and stderr.
fn stop(mut child: Child) -> (Option<i32>, String) {
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let end = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < end, "follow did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (code, err)
}

fn replay(config: &Path, lines: &[String], dir: &Path) -> String {
    let all = dir.join("all.log");
    std::fs::write(&all, joined(lines)).unwrap();
    let out = wikiwatch()
        .args(["replay", "--engine", "native", "--config"])
        .arg(config)
        .arg(&all)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn files_written_rotated_and_truncated_while_followed_give_the_alerts_of_replay() {
    let (lines, config) = day();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let state = d.join("f.state");
    let n = lines.len();
    let cut: Vec<usize> = (0..=7).map(|i| n * i / 7).collect();
    let piece = |i: usize| &lines[cut[i]..cut[i + 1]];
    let live = d.join("access.log");
    let dated = |day: u32| d.join(format!("conf_access_log.2026-10-{day:02}.log"));

    let follow = start(d, &config, &["access.log", "conf_access_log.*.log"]);
    // A write that ends inside a line: the half line waits for the rest.
    let first = joined(piece(0));
    let next = &piece(1)[0];
    let (head, rest) = next.split_at(next.len() / 2);
    append(&live, &first);
    append(&live, head);
    wait_read(&state, &live, first.len() as u64);
    std::thread::sleep(Duration::from_millis(100));
    append(&live, &format!("{rest}\n"));
    append(&live, &joined(&piece(1)[1..]));
    let size = std::fs::metadata(&live).unwrap().len();
    wait_read(&state, &live, size);

    // Rotation by rename: the writer's last line lands in the renamed file, then a new file.
    let rotated = d.join("access.log.1");
    std::fs::rename(&live, &rotated).unwrap();
    let last = &piece(2)[..1];
    append(&rotated, &joined(last));
    // Until it is let go, the renamed file is saved under the path it was read from.
    wait_read(&state, &live, size + joined(last).len() as u64);
    append(&live, &joined(&piece(2)[1..]));
    let size = std::fs::metadata(&live).unwrap().len();
    wait_read(&state, &live, size);

    // Copy-truncate: the content is copied away, the file emptied in place and written again
    // (more than was read before, so only its first bytes tell it was truncated).
    std::fs::copy(&live, d.join("access.log.2")).unwrap();
    OpenOptions::new().write(true).truncate(true).open(&live).unwrap();
    let again = joined(piece(3));
    assert!(again.len() as u64 > size);
    append(&live, &again);
    wait_read(&state, &live, again.len() as u64);

    // A new dated file, then a stop, lines written while stopped, a restart.
    append(&dated(7), &joined(piece(4)));
    wait_read(&state, &dated(7), joined(piece(4)).len() as u64);
    let (code, err1) = stop(follow);
    assert_eq!(code, Some(0), "{err1}");
    append(&dated(7), &joined(piece(5)));
    let follow = start(d, &config, &["access.log", "conf_access_log.*.log"]);
    append(&dated(8), &joined(piece(6)));
    wait_read(&state, &dated(8), joined(piece(6)).len() as u64);
    let size7 = std::fs::metadata(dated(7)).unwrap().len();
    wait_read(&state, &dated(7), size7);
    let (code, err2) = stop(follow);
    assert_eq!(code, Some(0), "{err2}");

    for err in [&err1, &err2] {
        assert!(err.contains("wikiwatch follow (native engine)"), "{err}");
        assert!(err.contains("rejected lines  0"), "no half line was fed: {err}");
    }
    assert!(err1.contains("truncated, reading it from the start"), "{err1}");
    let read = |err: &str| -> usize {
        let line = err.lines().find(|l| l.trim_start().starts_with("lines read")).unwrap();
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    assert_eq!(read(&err1) + read(&err2), lines.len(), "every line read once:\n{err1}\n{err2}");
    let followed = std::fs::read_to_string(d.join("alerts.jsonl")).unwrap();
    let expected = replay(&config, &lines, d);
    assert!(expected.lines().count() >= 6, "the day's attacks alert: {expected}");
    assert_eq!(followed, expected);
}

/// `follow --once` over `log` with the default (component) engine; its stderr.
fn once(d: &Path, config: &Path, log: &Path, post: Option<&str>) -> String {
    let mut cmd = wikiwatch();
    cmd.args(["follow", "--once", "--config"])
        .arg(config)
        .arg("--state")
        .arg(d.join("o.state"))
        .arg("--alerts")
        .arg(d.join("once.jsonl"));
    if let Some(url) = post {
        cmd.args(["--post", url]);
    }
    let out = cmd.arg(log).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

#[test]
fn a_crash_between_alerts_and_the_state_save_repeats_no_alert() {
    let (lines, config) = day();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let log = d.join("access.log");
    let half = lines.len() / 2;
    std::fs::write(&log, joined(&lines[..half])).unwrap();
    once(d, &config, &log, None);
    let before = std::fs::read(d.join("o.state")).unwrap();
    append(&log, &joined(&lines[half..]));
    once(d, &config, &log, None);
    // As if the second run had crashed just before its save: its alerts are in the file, the
    // state is the first run's.
    std::fs::write(d.join("o.state"), &before).unwrap();
    let err = once(d, &config, &log, None);
    let written = std::fs::read_to_string(d.join("once.jsonl")).unwrap();
    let repeats = written.lines().count()
        - written
            .lines()
            .take(written.lines().count())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
    assert_eq!(repeats, 0, "an alert was written twice:\n{written}");
    assert!(err.contains("already written before the restart"), "{err}");
    assert_eq!(written, replay(&config, &lines, d));
}

/// A collector on 127.0.0.1 that answers 503 to its first `fail` posts, then 200; the bodies
/// it accepted.
fn collector(fail: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&got);
    std::thread::spawn(move || {
        let mut served = 0;
        for conn in listener.incoming().take(50) {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut len = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                line.clear();
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            served += 1;
            let status = if served <= fail {
                "503 Service Unavailable"
            } else {
                keep.lock().unwrap().push(String::from_utf8(body).unwrap());
                "200 OK"
            };
            let _ =
                write!(conn, "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, got)
}

#[test]
fn alerts_reach_a_collector_once_through_a_failure_and_a_restart() {
    let (lines, config) = day();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let log = d.join("access.log");
    std::fs::write(&log, joined(&lines)).unwrap();
    let (url, got) = collector(1);
    let err = once(d, &config, &log, Some(&url));
    assert!(err.contains("503"), "the failure is said: {err}");
    assert!(err.contains("0 posted"), "{err}");
    assert!(got.lock().unwrap().is_empty());
    // The queue was kept in the state: the next run (no new lines) delivers it.
    let err = once(d, &config, &log, Some(&url));
    assert!(err.contains("0 waiting"), "{err}");
    let posted = got.lock().unwrap().concat();
    let written = std::fs::read_to_string(d.join("once.jsonl")).unwrap();
    assert!(!written.is_empty());
    assert_eq!(posted, written);
}

#[test]
fn stdin_and_a_foreign_state_file_are_refused_with_exit_2() {
    let dir = TempDir::new().unwrap();
    let out = wikiwatch().args(["follow", "-"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let bad = dir.path().join("bad.state");
    std::fs::write(&bad, b"not a state").unwrap();
    let out = wikiwatch()
        .args(["follow", "--once", "--engine", "native", "--state"])
        .arg(&bad)
        .arg(dir.path().join("x.log"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.state") && err.contains("not a wikiwatch state file"), "{err}");
}

#[test]
fn the_example_systemd_unit_verifies_and_its_command_line_parses() {
    let unit =
        std::fs::read_to_string(workspace().join("examples/systemd/wikiwatch-follow.service"))
            .unwrap();
    let bin = env!("CARGO_BIN_EXE_wikiwatch");
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("wikiwatch-follow.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/wikiwatch", bin)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (systemd) is installed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.trim().is_empty(), "{err}");
    // The flags of ExecStart are the command's own.
    let exec: String = unit
        .split("ExecStart=")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('\\'))
        .collect::<Vec<_>>()
        .join(" ");
    let args: Vec<&str> = exec.split_whitespace().skip(1).collect();
    let help = wikiwatch().args(["follow", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in args.iter().filter(|a| a.starts_with("--")) {
        assert!(help.contains(flag), "{flag} is not a follow flag");
    }
    assert_eq!(args.first(), Some(&"follow"));
}
