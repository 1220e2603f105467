//! `cargo bench -p wikiwatch-core`: lines/s for decode alone and decode+detect over a realistic
//! mixed Confluence access log of 1M lines, and bytes of state per entity (printed before the
//! criterion groups): per address under a flood of 1M distinct client addresses, and per user
//! after two weeks of ordinary work.
//!
//! Before the criterion groups, a `ratio:` line gives each path's time per line as a multiple
//! of a baseline pass over the same lines (UTF-8 check and a count of their spaces: touching
//! the bytes once), measured in the same run in alternating rounds, the quietest of each kept:
//! on a shared machine the lines/s move with the load, the ratios much less.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;
use wikiwatch_core::decode::{DecodeConfig, Decoder};
use wikiwatch_core::{Alert, Config, Engine, Format};

/// Counts live heap bytes, so the state-size figure is measured rather than estimated.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: delegates every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const LINES: usize = 1_000_000;
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36";

/// A day of office traffic: people browsing (pages, static batches, background XHR, searches,
/// exports), an integration polling REST, and a python-requests crawler. Deterministic.
fn mixed_log(n: usize) -> Vec<String> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let secs = 8 * 3600 + (i as u64 * 36_000 / n as u64);
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let t = format!("[07/{}/2026:{h:02}:{m:02}:{s:02} +0000]", MONTHS[9]);
            let r = rnd();
            let user = r % 2000;
            let ip = format!("10.{}.{}.{}", user % 7, user / 7 % 250, 10 + user % 200);
            let page = r >> 20 & 0xffff;
            let space =
                ["ENG", "HR", "OPS", "SALES", "LEGAL", "IT", "DOCS"][(r >> 40) as usize % 7];
            let (user, ip, req, agent) = match r >> 50 & 31 {
                0..=7 => {
                    (format!("user{user}"), ip, format!("GET /display/{space}/Page+{page}"), CHROME)
                }
                8..=15 => (
                    format!("user{user}"),
                    ip,
                    "GET /s/en_GB/8703/batch.js?locale=en-GB".into(),
                    CHROME,
                ),
                16..=20 => (
                    format!("user{user}"),
                    ip,
                    "GET /rest/mywork/latest/status/notification/count".into(),
                    CHROME,
                ),
                21..=23 => (
                    format!("user{user}"),
                    ip,
                    format!("GET /pages/viewpage.action?pageId={page}"),
                    CHROME,
                ),
                24 => (
                    format!("user{user}"),
                    ip,
                    format!("GET /dosearchsite.action?queryString=roadmap+{page}"),
                    CHROME,
                ),
                25 => (
                    format!("user{user}"),
                    ip,
                    format!("GET /spaces/flyingpdf/pdfpageexport.action?pageId={page}"),
                    CHROME,
                ),
                26..=28 => (
                    "svc-jira".into(),
                    "10.9.0.4".into(),
                    format!("GET /rest/api/content/{page}?expand=version"),
                    "Apache-HttpClient/4.5.13 (Java/11.0.20)",
                ),
                _ => (
                    "mallory".into(),
                    "10.66.0.17".into(),
                    format!(
                        "GET /rest/api/content?spaceKey={space}&start={}&limit=25",
                        page % 400 * 25
                    ),
                    "python-requests/2.31.0",
                ),
            };
            format!(
                "{t} {user} http-nio-8090-exec-{} {ip} {req} HTTP/1.1 200 {}ms {} - {agent}",
                r % 50,
                r % 900,
                r % 90_000
            )
        })
        .collect()
}

fn state_per_entity() {
    let config = Config::from_json(r#"{"limits":{"max_ips":1000000}}"#).expect("config");
    let before = LIVE.load(Ordering::Relaxed);
    let mut engine = Engine::new(config).expect("engine");
    let mut sink = |_: Alert| {};
    for i in 0u32..1_000_000 {
        let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i);
        let line = format!("[07/Oct/2026:09:{:02}:{:02} +0000] - http-nio-8090-exec-1 {ip} GET /display/PUB/Home HTTP/1.1 200 5ms 100 - {CHROME}", i / 60_000 % 60, i / 1000 % 60);
        let _ = engine.push_line(line.as_bytes(), Format::ConfluenceAccess, &mut sink);
    }
    let after = LIVE.load(Ordering::Relaxed);
    let stats = engine.stats();
    let tracked = stats.tracked["ip"];
    println!(
        "state: {} distinct addresses tracked, {:.0} bytes per entity (heap incl. table overhead)",
        tracked,
        (after - before) as f64 / tracked as f64
    );
    drop(engine);
}

/// Users as they really look after two weeks: fourteen days of a dozen pages a day each in a
/// few spaces, with a browser, from one of fifty office addresses, every user in a team and a
/// role (so profiles, peer groups and evidence are all there). The shared addresses cost next
/// to nothing per user, so the figure is the user's own.
fn state_per_user() {
    let users = 20_000u32;
    let mut config = String::from(r#"{"limits":{"max_users":1000000},"identity":{"users":{"#);
    for i in 0..users {
        config.push_str(&format!(
            r#"{}"user{i}":{{"team":"T{}","role":"r{}"}}"#,
            if i > 0 { "," } else { "" },
            i % 40,
            i % 6
        ));
    }
    config.push_str("}}}");
    let mut engine = Engine::new(Config::from_json(&config).expect("config")).expect("engine");
    let before = LIVE.load(Ordering::Relaxed);
    let mut sink = |_: Alert| {};
    for day in 5..19 {
        for k in 0..12u32 {
            for i in 0..users {
                // In time order: a user every 0.12 s, a round of everyone every 40 minutes.
                let secs = 8 * 3600 + k * 2400 + i * 2400 / users;
                let line = format!(
                    "[{day:02}/Oct/2026:{:02}:{:02}:{:02} +0000] user{i} http-nio-8090-exec-1 10.8.0.{} GET /display/S{}/Page+{} HTTP/1.1 200 5ms 100 - {CHROME}",
                    secs / 3600, secs / 60 % 60, secs % 60, i % 50, (i + k % 3) % 40, (i * 7 + k) % 500
                );
                let _ = engine.push_line(line.as_bytes(), Format::ConfluenceAccess, &mut sink);
            }
        }
    }
    let after = LIVE.load(Ordering::Relaxed);
    let stats = engine.stats();
    let (n, ips) = (stats.tracked["user"], stats.tracked["ip"]);
    println!(
        "state: {n} users with fourteen days of history, from {ips} shared addresses: {:.0} bytes per user (heap incl. tables, profiles, evidence, peer groups)",
        (after - before) as f64 / n as f64
    );
    drop(engine);
}

/// The baseline: every line's bytes read once.
fn baseline_pass(lines: &[String]) -> usize {
    lines
        .iter()
        .filter_map(|l| std::str::from_utf8(l.as_bytes()).ok())
        .map(|l| l.bytes().filter(|&b| b == b' ').count())
        .sum()
}

fn decode_pass(lines: &[String]) -> usize {
    let mut d = Decoder::new(Format::ConfluenceAccess, DecodeConfig::default());
    let mut n = 0usize;
    for l in lines {
        let _ = d.decode(l.as_bytes(), &mut |_| n += 1);
    }
    n
}

fn detect_pass(lines: &[String]) -> usize {
    let mut e = Engine::new(Config::default()).expect("engine");
    let mut alerts = 0usize;
    let mut sink = |_: Alert| alerts += 1;
    for l in lines {
        let _ = e.push_line(l.as_bytes(), Format::ConfluenceAccess, &mut sink);
    }
    alerts
}

/// Rounds of the ratio measurement.
const ROUNDS: usize = 5;

fn ratios(lines: &[String]) {
    let time = |f: fn(&[String]) -> usize| {
        let t = Instant::now();
        std::hint::black_box(f(std::hint::black_box(lines)));
        t.elapsed().as_secs_f64()
    };
    let mut best = [f64::MAX; 3];
    for _ in 0..ROUNDS {
        for (b, f) in best
            .iter_mut()
            .zip([baseline_pass, decode_pass, detect_pass] as [fn(&[String]) -> usize; 3])
        {
            *b = b.min(time(f));
        }
    }
    let per_s = |t: f64| lines.len() as f64 / t;
    println!(
        "ratio: baseline {:.0} lines/s; decode {:.0} lines/s ({:.2}x the baseline's time); decode+detect {:.0} lines/s ({:.2}x the baseline's time); quietest of {ROUNDS} alternating rounds",
        per_s(best[0]),
        per_s(best[1]),
        best[1] / best[0],
        per_s(best[2]),
        best[2] / best[0],
    );
}

fn bench(c: &mut Criterion) {
    state_per_entity();
    state_per_user();
    let lines = mixed_log(LINES);
    ratios(&lines);
    let mut g = c.benchmark_group("access-log");
    g.sample_size(10);
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("decode", |b| b.iter(|| decode_pass(&lines)));
    g.bench_function("decode+detect", |b| b.iter(|| detect_pass(&lines)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
