//! The proxy module in a real proxy-wasm host: nginx with Kong's ngx_wasm_module (`$NGINX_WASM`,
//! e.g. what scripts/nginx-wasm.sh builds), two worker processes sharing `shm_kv wikiwatch` and
//! `shm_queue wikiwatch_events`, proxying to an upstream this test runs (tests/tests/proxy_nginx/).
//!
//! - detect: the scraper's requests reach the upstream tagged `x-wikiwatch`, a browsing user's
//!   never; alerts are in the error log and POSTed to a collector (HTTP callout by host:port);
//! - enforce: the scraper gets 429 from some request on, the browsing user and an allow-listed
//!   crawler never;
//! - a throttled user is recognised by a new session, by a credential whose login name differs
//!   from its user, and by a credential-less sender the upstream names, while other users doing
//!   the same are not throttled;
//! - `examples/envoy/kong.yml`, rendered as Kong renders it, loads and filters, and a queue
//!   written as a Kong property name (which Kong does not have) is refused;
//! - a bad plugin configuration and a missing zone are reported as they are;
//! - `state_url` starts the engine warm from a state the native engine learned (served over
//!   HTTP): a user's burst that only her history makes alertable raises what the native engine
//!   fed her history and the burst raises, which a cold engine does not.
//!
//! Without `$NGINX_WASM` (or without the module) every test says why on stderr and passes.
//! The real host is slow to show what the harness (proxy_wasm.rs) shows for Envoy-only behaviour
//! (lease hand-over between VMs, hostile header maps), so that stays there.
//!
//! `NGINX_WASM=$(scripts/nginx-wasm.sh) cargo nextest run --workspace --release -E 'test(/^proxy_nginx::/)'`

use crate::base64;
#[path = "proxy_nginx/confluence.rs"]
mod confluence;
use crate::history;
#[path = "proxy_nginx/http.rs"]
mod http;
#[path = "proxy_nginx/kong.rs"]
mod kong;
#[path = "proxy_nginx/nginx.rs"]
mod nginx;

use confluence::{page_body, page_view, Sender, BROWSER, SCRIPT};
use http::Server;
use nginx::{Nginx, Prefix};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// How long nginx may take to start its workers and elect the engine's VM.
const START: Duration = Duration::from_secs(30);
/// How long alerts may take to reach the log and the collector once raised.
const DELIVERY: Duration = Duration::from_secs(20);
/// The engine's VM logs this once it holds the lease.
const LEADER: &str = "wikiwatch: this VM now runs the proxy's engine";
/// Pause between the requests of a new identity, so that the leader's ticks (`tick_ms`) come
/// between them: what the test shows does not depend on it, only how soon.
const PACE: Duration = Duration::from_millis(20);

/// The plugin configuration of these tests: a crawler allowed, bursts of 60 requests a minute
/// alerted at high severity, only those throttled in enforce mode; the client is the address
/// the load balancer in front appends to `X-Forwarded-For`.
fn plugin(mode: &str, proxy: Value) -> String {
    let mut p = json!({
        "mode": mode,
        "trusted_hops": 1,
        "tick_ms": 50,
        "enforce": {"rules": ["burst-rate"], "min_severity": "high"},
    });
    p.as_object_mut().unwrap().extend(proxy.as_object().cloned().unwrap_or_default());
    json!({
        "allow": [{"name": "search-indexer", "users": ["svc-indexer"], "rules": ["*"]}],
        "rules": {"burst-rate": {"window": "1m", "threshold": 60, "severity": "high"}},
        "proxy": p,
    })
    .to_string()
}

/// One nginx with the module, its upstream and prefix (dropped in this order).
struct Proxy {
    nginx: Nginx,
    port: u16,
    upstream: Server,
    _prefix: Prefix,
}

impl Proxy {
    /// nginx with `wasm` as its `wasm {}` block and the filter configured with `config`.
    fn start(bin: &Path, name: &str, wasm: &str, config: &str, senders: &[(&str, &str)]) -> Proxy {
        let prefix = Prefix::new(name);
        let upstream = confluence::upstream(senders);
        let port = nginx::free_port();
        let http = nginx::proxy_server(port, config, upstream.port);
        let nginx = Nginx::start(bin, &prefix.0, &nginx::conf(&prefix.0, wasm, &http));
        Proxy { nginx, port, upstream, _prefix: prefix }
    }

    /// As [`Proxy::start`] with the zones the module needs, once its engine runs.
    fn ready(bin: &Path, module: &Path, name: &str, config: &str) -> Proxy {
        Proxy::ready_with(bin, module, name, config, &[])
    }

    fn ready_with(
        bin: &Path,
        module: &Path,
        name: &str,
        config: &str,
        senders: &[(&str, &str)],
    ) -> Proxy {
        let wasm = nginx::wasm_block(module, nginx::ZONES);
        let mut p = Proxy::start(bin, name, &wasm, config, senders);
        let up = p.nginx.wait_log(START, |l| l.contains(LEADER));
        assert!(up, "no VM took the engine's lease:\n{}", p.nginx.log());
        p
    }

    /// The error log's lines that are alerts (one JSON object each).
    fn alert_lines(&self) -> Vec<String> {
        self.nginx.log().lines().filter_map(alert_json).map(str::to_string).collect()
    }
}

/// The alert JSON in an error-log line, if it holds one.
fn alert_json(line: &str) -> Option<&str> {
    let start = line.find("{\"")?;
    let end = line.rfind('}')?;
    let json = &line[start..=end];
    serde_json::from_str::<Value>(json).ok()?.get("rule")?;
    Some(json)
}

/// The `x-wikiwatch` values the upstream received from senders whose agent is `agent`.
fn tags(up: &Server, agent: &str) -> (usize, Vec<String>) {
    let seen: Vec<_> =
        up.seen().into_iter().filter(|r| r.header("user-agent") == Some(agent)).collect();
    let tagged = seen.iter().filter_map(|r| r.header("x-wikiwatch").map(str::to_string)).collect();
    (seen.len(), tagged)
}

#[test]
fn detect_tags_the_scraper_never_the_browsing_user_and_alerts_reach_log_and_collector() {
    let Some((bin, module)) = nginx::setup() else { return };
    let collector = Server::start(|_| (200, vec![], Vec::new()));
    let config = plugin(
        "detect",
        json!({"collector": {"cluster": format!("127.0.0.1:{}", collector.port)}}),
    );
    let mut p = Proxy::ready(&bin, &module, "detect", &config);
    let mallory = Sender::new(p.port, "10.1.0.17", SCRIPT).basic("mallory");
    let alice = Sender::new(p.port, "10.2.0.5", BROWSER).session("alice", 1);
    for i in 0..300 {
        assert_eq!(mallory.get(&page_body(i)).status(), 200, "detect never answers itself");
        if i % 10 == 0 {
            assert_eq!(alice.view(i / 10).status(), 200);
        }
    }
    let (sent, tagged) = tags(&p.upstream, SCRIPT);
    assert_eq!(sent, 300);
    assert!(!tagged.is_empty(), "none of the scraper's requests was tagged:\n{}", p.nginx.log());
    for t in &tagged {
        assert!(t.split(',').all(|r| r.parse::<wikiwatch_core::RuleId>().is_ok()), "{t}");
    }
    let (browsed, browser_tags) = tags(&p.upstream, BROWSER);
    assert_eq!(browsed, 60);
    assert!(browser_tags.is_empty(), "the browsing user was tagged: {browser_tags:?}");

    // Alerts: in the error log at warn, and the same lines POSTed as NDJSON to the collector.
    let posted = || -> Vec<String> {
        collector
            .seen()
            .iter()
            .flat_map(|r| {
                String::from_utf8_lossy(&r.body).lines().map(String::from).collect::<Vec<_>>()
            })
            .collect()
    };
    let end = std::time::Instant::now() + DELIVERY;
    while !posted().iter().any(|l| l.contains("\"mallory\"")) && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let lines = posted();
    assert!(lines.iter().any(|l| l.contains("\"mallory\"")), "nothing posted:\n{}", p.nginx.log());
    let logged = p.alert_lines();
    for l in &lines {
        assert!(logged.contains(l), "posted but not logged: {l}");
        let a: Value = serde_json::from_str(l).expect("posted lines are JSON alerts");
        assert_ne!(a["entity"]["id"], "alice", "{l}");
    }
    let calls = collector.seen();
    assert!(calls.iter().all(|c| c.line.starts_with("POST /alerts ")), "{:?}", calls[0].line);
    assert!(calls.iter().all(|c| c.header("content-type") == Some("application/x-ndjson")));
    assert!(p.nginx.log().contains("[warn]"), "alerts are logged at warn");
    p.nginx.stop();
    eprintln!(
        "{} of 300 scraper requests tagged; {} alert lines posted",
        tagged.len(),
        lines.len()
    );
}

/// Scrapes as mallory (Basic) with an allow-listed crawler doing the same and a browsing user
/// alongside, until mallory has been answered 429 for `after` requests; returns mallory's
/// statuses.
fn scrape_until_throttled(p: &Proxy, after: usize) -> Vec<u16> {
    let mallory = Sender::new(p.port, "10.1.0.17", SCRIPT).basic("mallory");
    let crawler = Sender::new(p.port, "10.9.0.10", "Apache-HttpClient/4.5.14").basic("svc-indexer");
    let alice = Sender::new(p.port, "10.2.0.5", BROWSER).session("alice", 1);
    let mut statuses = Vec::new();
    for i in 0..2000 {
        let m = mallory.get(&page_body(i));
        if m.status() == 429 {
            let retry = m.header("retry-after").and_then(|v| v.parse::<u64>().ok());
            assert!(retry.is_some_and(|s| s >= 1), "429 without Retry-After: {m:?}");
            assert!(m.header("x-wikiwatch").is_some_and(|v| v.contains("burst-rate")), "{m:?}");
        }
        statuses.push(m.status());
        assert_eq!(crawler.get(&page_body(i)).status(), 200, "allow-listed crawler throttled");
        if i % 10 == 0 {
            assert_eq!(alice.view(i / 10).status(), 200, "browsing user throttled");
        }
        if statuses.iter().filter(|&&s| s == 429).count() >= after {
            break;
        }
    }
    statuses
}

#[test]
fn enforce_throttles_the_scraper_never_the_browsing_user_nor_the_allow_listed_crawler() {
    let Some((bin, module)) = nginx::setup() else { return };
    let mut p = Proxy::ready(&bin, &module, "enforce", &plugin("enforce", json!({})));
    let statuses = scrape_until_throttled(&p, 100);
    let first = statuses.iter().position(|&s| s == 429);
    let first =
        first.unwrap_or_else(|| panic!("the scraper was never throttled:\n{}", p.nginx.log()));
    assert!(first >= 60, "throttled before the threshold was reached: request {first}");
    // The throttle lasts the rule's cooldown (30 minutes): every later request is refused.
    assert!(statuses[first..].iter().all(|&s| s == 429), "{:?}", &statuses[first..]);
    // Throttled requests never reached Confluence.
    let (reached, _) = tags(&p.upstream, SCRIPT);
    assert_eq!(reached, first);
    p.nginx.stop();
    eprintln!("scraper throttled from its request {} on", first + 1);
}

/// Sends up to 25 requests as `s`, paced; returns how many were answered before the first 429
/// (`None`: none was).
fn until_throttled(s: &Sender) -> Option<usize> {
    for i in 0..25 {
        if s.get(&page_body(5000 + i)).status() == 429 {
            return Some(i);
        }
        std::thread::sleep(PACE);
    }
    None
}

/// Sends `n` requests as `s`, paced, and asserts none was throttled.
fn never_throttled(s: &Sender, n: usize, who: &str) {
    for i in 0..n {
        assert_eq!(s.get(&page_body(5000 + i)).status(), 200, "{who} throttled");
        std::thread::sleep(PACE);
    }
}

#[test]
fn a_throttled_user_is_known_by_new_sessions_credentials_and_credential_less_senders() {
    let Some((bin, module)) = nginx::setup() else { return };
    // The upstream knows who sends credential-less requests by their agent (as single sign-on
    // in front of it would); the proxy learns it only from its answers.
    let senders = [(SCRIPT, "mallory"), ("curl/8.5.0", "trent")];
    let mut p =
        Proxy::ready_with(&bin, &module, "identities", &plugin("enforce", json!({})), &senders);
    let statuses = scrape_until_throttled(&p, 1);
    assert_eq!(statuses.last(), Some(&429), "mallory never throttled:\n{}", p.nginx.log());

    // Each case from an address of its own with fewer requests than the rule's threshold, so
    // only who the requests are from can throttle them; another user does the same alongside.
    // mallory logs in anew for each batch: a new session cookie, no other credential.
    for batch in 1..=2 {
        let s = Sender::new(p.port, &format!("10.1.1.{batch}"), SCRIPT).session("mallory", batch);
        let n = until_throttled(&s);
        let n = n.unwrap_or_else(|| {
            panic!("mallory's session {batch} never throttled:\n{}", p.nginx.log())
        });
        let eve = Sender::new(p.port, &format!("10.3.1.{batch}"), SCRIPT).session("eve", batch);
        never_throttled(&eve, n + 1, "eve (a new session, another user)");
    }
    // Her first session with the allow-listed crawler's name claimed in Basic credentials: a
    // request is allowed only as every user it is known as.
    let mut claim = Sender::new(p.port, "10.1.1.9", SCRIPT).session("mallory", 1);
    claim.auth = Sender::new(p.port, "", "").basic("svc-indexer").auth;
    assert_eq!(claim.get(&page_body(9000)).status(), 429, "a claimed name lifted the throttle");
    // mallory logs in by e-mail address: Confluence names the account `mallory`.
    let s = Sender::new(p.port, "10.1.2.1", SCRIPT).basic("mallory@example.com");
    let n = until_throttled(&s).expect("mallory's e-mail login never throttled");
    let oscar = Sender::new(p.port, "10.3.2.1", SCRIPT).basic("oscar@example.com");
    never_throttled(&oscar, n + 1, "oscar (an e-mail login, another user)");
    // mallory sends no credentials at all: only the upstream's answers name her.
    let s = Sender::new(p.port, "10.1.3.1", SCRIPT);
    let n = until_throttled(&s).expect("mallory's credential-less requests never throttled");
    let trent = Sender::new(p.port, "10.3.3.1", "curl/8.5.0");
    never_throttled(&trent, n + 1, "trent (credential-less, another user)");
    // The same address and agent as mallory's credential-less requests, but with a session of
    // its own: matched by that session, never by the sender.
    let alice = Sender::new(p.port, "10.1.3.1", SCRIPT).session("alice", 7);
    never_throttled(&alice, 5, "alice (her own session, mallory's address and agent)");
    p.nginx.stop();
}

#[test]
fn the_kong_example_loads_as_kong_renders_it() {
    let Some((bin, module)) = nginx::setup() else { return };
    let yml = std::fs::read_to_string(wikiwatch_tests::root().join("examples/envoy/kong.yml"))
        .expect("examples/envoy/kong.yml");
    // The module under the name Kong gives it (its file name) in a filters path of its own.
    let filters = Prefix::new("kong-filters");
    let r = kong::render(&yml, &filters.0);
    std::fs::copy(&module, filters.0.join(format!("{}.wasm", r.filter))).expect("copy module");
    let prefix = Prefix::new("kong");
    let upstream = confluence::upstream(&[]);
    let port = nginx::free_port();
    let http = format!(
        "    server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            \
         proxy_wasm_request_headers_in_access on;\n            proxy_wasm {} {};\n            \
         proxy_pass http://127.0.0.1:{};\n        }}\n    }}\n",
        r.filter,
        nginx::quoted(&r.config),
        upstream.port
    );
    let mut n = Nginx::start(&bin, &prefix.0, &nginx::conf(&prefix.0, &r.wasm, &http));
    let up = n.wait_log(START, |l| l.contains(LEADER));
    assert!(up, "the example did not load:\n{}\n{}", r.wasm, n.log());
    // The filter runs: a forged x-wikiwatch from a client never reaches the upstream.
    let forged = http::get(
        port,
        "/display/ENG/Home",
        &[("X-Forwarded-For", "10.2.0.5"), ("User-Agent", BROWSER), ("x-wikiwatch", "forged")],
    )
    .expect("the proxy answers");
    assert_eq!(forged.status(), 200);
    let seen = upstream.seen();
    assert_eq!(seen.len(), 1);
    let passed = seen[0].header("x-wikiwatch").unwrap_or("");
    assert_eq!(passed, "", "a client-sent x-wikiwatch was passed on");
    n.stop();
    let log = n.log();
    assert!(!log.contains("[emerg]") && !log.contains("[error]"), "{log}");
}

#[test]
fn a_queue_written_as_a_kong_property_name_is_refused_by_nginx() {
    let Some((bin, module)) = nginx::setup() else { return };
    // Kong has no `nginx_wasm_shm_queue_<name>` property: the key falls to the catch-all
    // `nginx_wasm_` namespace and is copied as is, so nginx sees an unknown directive. The
    // renderer must show that, or the example test above could not catch such a line.
    let yml = std::fs::read_to_string(wikiwatch_tests::root().join("examples/envoy/kong.yml"))
        .expect("examples/envoy/kong.yml");
    let line = yml.lines().find(|l| l.contains("nginx_wasm_shm_queue")).expect("the queue line");
    let wrong = yml.replace(line, "#   nginx_wasm_shm_queue_wikiwatch_events = 16m");
    let filters = Prefix::new("kong-wrong-filters");
    let r = kong::render(&wrong, &filters.0);
    assert!(r.wasm.contains("    shm_queue_wikiwatch_events 16m;\n"), "{}", r.wasm);
    std::fs::copy(&module, filters.0.join(format!("{}.wasm", r.filter))).expect("copy module");
    let prefix = Prefix::new("kong-wrong");
    let mut n = Nginx::start(&bin, &prefix.0, &nginx::conf(&prefix.0, &r.wasm, ""));
    let refused = |l: &str| l.contains("unknown directive \"shm_queue_wikiwatch_events\"");
    assert!(n.wait_log(START, refused), "{}\n{}", r.wasm, n.log());
    assert!(!n.running(), "nginx started with an unknown directive:\n{}", n.log());
    n.stop();
}

#[test]
fn a_bad_plugin_configuration_stops_the_workers_with_its_reason_in_the_log() {
    let Some((bin, module)) = nginx::setup() else { return };
    let wasm = nginx::wasm_block(&module, nginx::ZONES);
    let mut p = Proxy::start(&bin, "bad-config", &wasm, r#"{"proxy":{"mode":"block"}}"#, &[]);
    // ngx_wasm_module fails a worker whose filter refuses its configuration: the worker exits
    // and nginx does not respawn it, so nothing is ever proxied unfiltered.
    let reason = "wikiwatch: bad plugin configuration: config: proxy.mode: unknown variant `block`";
    let stopped = |l: &str| l.matches("cannot be respawned").count() == 2;
    assert!(p.nginx.wait_log(START, stopped), "{}", p.nginx.log());
    let log = p.nginx.log();
    assert_eq!(log.matches(reason).count(), 2, "one line per worker:\n{log}");
    assert_eq!(log.matches("failed initializing \"wikiwatch\" filter").count(), 2, "{log}");
    p.nginx.stop();
}

#[test]
fn a_missing_zone_stops_the_workers_at_configure_time_with_the_zones_named() {
    let Some((bin, module)) = nginx::setup() else { return };
    // The host traps on any use of an undeclared zone; the module uses both at configure time,
    // right after naming them, so the worker stops there instead of failing every request.
    let cases = [
        ("no-kv", "    shm_queue wikiwatch_events 16m;\n", "could not resolve namespace"),
        ("no-queue", "    shm_kv wikiwatch 4m;\n", "could not find queue"),
    ];
    for (name, zones, trap) in cases {
        let wasm = nginx::wasm_block(&module, zones);
        let mut p = Proxy::start(&bin, name, &wasm, &plugin("enforce", json!({})), &[]);
        let stopped = |l: &str| l.matches("cannot be respawned").count() == 2;
        assert!(p.nginx.wait_log(START, stopped), "{name}:\n{}", p.nginx.log());
        let log = p.nginx.log();
        let named = "`shm_kv wikiwatch 4m;` and `shm_queue wikiwatch_events 16m;`";
        assert_eq!(log.matches(named).count(), 2, "{name}: once per worker:\n{log}");
        let (said, trapped) = (log.find(named).unwrap(), log.find(trap));
        assert!(trapped.is_some_and(|t| t > said), "{name}: no `{trap}` after the line:\n{log}");
        assert!(!log.contains(LEADER), "{name}: a worker ran without its zone:\n{log}");
        p.nginx.stop();
    }
}

#[test]
fn a_state_fetched_at_start_makes_the_engine_warm() {
    let Some((bin, module)) = nginx::setup() else { return };
    // carol's past week, learned by the native engine, served as a state file.
    const ASSET: &str = "/s/en_GB/9012/_/download/batch/page.js";
    let config = plugin("detect", json!({}));
    let mut core: Value = serde_json::from_str(&config).unwrap();
    core.as_object_mut().unwrap().remove("proxy");
    let core = core.to_string();
    let past =
        history::past_week(history::now_ms(), "carol", "10.2.0.5", BROWSER, page_view, ASSET);
    let (learned, state) = history::learn(&core, &past);
    let served = state.clone();
    let states = Server::start(move |req| match req.line.split_whitespace().nth(1) {
        Some("/wikiwatch.state") => (200, vec![], served.clone()),
        _ => (404, vec![], Vec::new()),
    });
    let url = format!("127.0.0.1:{}/wikiwatch.state", states.port);
    let config = plugin("detect", json!({ "state_url": url }));
    let mut p = Proxy::ready(&bin, &module, "warm", &config);
    let restored = format!("wikiwatch: state {url} restored ({} bytes)", state.len());
    assert!(p.nginx.wait_log(START, |l| l.contains(&restored)), "{restored}:\n{}", p.nginx.log());

    // Now, at an hour she never worked and from an address she never used, carol reads more
    // pages in an hour than her history allows out of her usual context (a sixth of the
    // rule's threshold); a user with no history (and no team) is not judged on it.
    let carol = Sender::new(p.port, "10.2.9.9", BROWSER).basic("carol");
    let mut seen = Vec::new();
    for i in 0..15 {
        let t = history::now_ms();
        assert_eq!(carol.get(&page_view(100 + i)).status(), 200);
        seen.push(history::event(t, "carol", "10.2.9.9", BROWSER, &page_view(100 + i)));
        let t = history::now_ms();
        assert_eq!(carol.get(ASSET).status(), 200);
        seen.push(history::event(t, "carol", "10.2.9.9", BROWSER, ASSET));
    }
    let deviation = |l: &str| l.contains("baseline-deviation") && l.contains("\"carol\"");
    let raised = p.nginx.wait_log(DELIVERY, |log| log.lines().any(deviation));
    assert!(raised, "no baseline-deviation for carol:\n{}", p.nginx.log());
    // Stopping drains what is still queued and ends the input, as the native run below does.
    p.nginx.stop();
    let got: Vec<Value> = p
        .alert_lines()
        .iter()
        .map(|l| history::without_clock(serde_json::from_str(l).expect("alert JSON")))
        .collect();
    let clockless =
        |v: Vec<Value>| -> Vec<Value> { v.into_iter().map(history::without_clock).collect() };
    let warm = clockless(history::alerts(learned, &seen));
    let cold = clockless(history::alerts(wikiwatch_core::Engine::from_json(&core).unwrap(), &seen));
    assert_eq!(
        got, warm,
        "the warm proxy raises what the native engine fed carol's history raises"
    );
    assert_ne!(warm, cold, "a cold engine must differ for the test to mean something");
    assert_eq!(states.seen().len(), 1, "one fetch, by the VM that runs the engine");
    eprintln!("warm: {} alerts from a {}-byte state; cold: {}", got.len(), state.len(), cold.len());
}

#[test]
fn a_state_that_cannot_be_fetched_is_one_line_and_the_engine_starts_cold() {
    let Some((bin, module)) = nginx::setup() else { return };
    let states = Server::start(|_| (404, vec![], Vec::new()));
    let url = format!("127.0.0.1:{}/wikiwatch.state", states.port);
    let config = plugin("enforce", json!({ "state_url": url }));
    let mut p = Proxy::ready(&bin, &module, "cold", &config);
    let line = format!("wikiwatch: error: state {url}: answered 404; starting cold");
    assert!(p.nginx.wait_log(START, |l| l.contains(&line)), "{line}:\n{}", p.nginx.log());
    // The requests queued meanwhile are judged: the scraper is throttled as in a plain start.
    let statuses = scrape_until_throttled(&p, 1);
    assert_eq!(statuses.last(), Some(&429), "never throttled:\n{}", p.nginx.log());
    p.nginx.stop();
    assert_eq!(p.nginx.log().matches("wikiwatch: error: state ").count(), 1, "{}", p.nginx.log());
}
