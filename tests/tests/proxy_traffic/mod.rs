//! Traffic for the proxy-wasm harness: logged accesses as the requests and responses a proxy
//! would see, the module compiled once, and the fixture configuration. Shared by the tests and
//! the per-request benchmark.

use crate::base64::base64;
use crate::proxy_host::{headers, Headers, Proxy, Request};
use serde_json::Value;
use std::sync::OnceLock;
use wikiwatch_core::decode::{Decoder, Format};
use wikiwatch_core::{AccessEvent, Engine};

pub fn module() -> Vec<u8> {
    std::fs::read(wikiwatch_tests::artifact("wikiwatch_proxy_wasm.wasm")).expect("read module")
}

/// The module compiled once for all tests of this binary (compiling is the slow part).
pub fn compiled() -> &'static (wasmtime::Engine, wasmtime::Module) {
    static C: OnceLock<(wasmtime::Engine, wasmtime::Module)> = OnceLock::new();
    C.get_or_init(|| {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, module()).expect("compile module");
        (engine, module)
    })
}

/// A proxy of `workers` VMs running the filter with `plugin` as its configuration.
pub fn start(plugin: &[u8], workers: usize) -> Proxy {
    let (engine, module) = compiled();
    Proxy::start_module(engine, module, plugin, workers).expect("start proxy")
}

/// Access-log files as events, in time order (one proxy sees requests in time order).
pub fn events_of(files: &[std::path::PathBuf]) -> Vec<AccessEvent<'static>> {
    let mut events = Vec::new();
    for f in files {
        let text = std::fs::read(f).expect("read fixture");
        let mut d = Decoder::new(Format::Auto, Default::default());
        for line in text.split(|&b| b == b'\n') {
            let _ = d.decode(line, &mut |e| {
                if e.audit.is_none() {
                    events.push(e.into_owned())
                }
            });
        }
    }
    events.sort_by_key(|e| e.time_ms);
    assert!(events.len() > 100, "{files:?} decoded to {} events", events.len());
    events
}

/// Our fixture: browsing users, one scraper (mallory), one allow-listed crawler (svc-indexer).
pub fn corpus() -> Vec<AccessEvent<'static>> {
    events_of(&[wikiwatch_tests::fixture("proxy/access.log")])
}

/// The shared sample logs (examples/logs/*.log), when they exist.
pub fn example_corpus() -> Option<Vec<AccessEvent<'static>>> {
    let mut files: Vec<_> = std::fs::read_dir(wikiwatch_tests::root().join("examples/logs"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    (!files.is_empty()).then(|| events_of(&files))
}

pub fn fixture_config() -> Value {
    serde_json::from_slice(&std::fs::read(wikiwatch_tests::fixture("proxy/config.json")).unwrap())
        .unwrap()
}

pub fn with_proxy(mut config: Value, proxy: Value) -> Vec<u8> {
    config["proxy"] = proxy;
    serde_json::to_vec(&config).unwrap()
}

/// The request a downstream would have sent for a logged access. Scripts authenticate with
/// Basic auth (so the user is known before Confluence answers); browsers carry no credentials
/// here (their session cookies would add session entities the log lines do not have).
pub fn request_of(e: &AccessEvent<'_>) -> Request {
    let mut h = headers(&[
        (":method", &e.method),
        (":path", &e.target),
        (":authority", "wiki.example.com"),
    ]);
    if !e.agent.is_empty() {
        h.push((b"user-agent".to_vec(), e.agent.as_bytes().to_vec()));
    }
    if let (Some(u), false) = (&e.user, e.agent.starts_with("Mozilla/")) {
        let cred = format!("Basic {}", base64(format!("{u}:not-a-real-password").as_bytes()));
        h.push((b"authorization".to_vec(), cred.into_bytes()));
    }
    let source = match e.client.as_deref().unwrap_or("192.0.2.1") {
        c if c.contains(':') => format!("[{c}]:40000"),
        c => format!("{c}:40000"),
    };
    Request { headers: h, source }
}

/// Confluence's answer for a logged access: status, size, and the user in X-AUSERNAME.
pub fn response_of(e: &AccessEvent<'_>) -> Headers {
    let mut h =
        headers(&[(":status", &e.status.to_string()), ("content-length", &e.bytes.to_string())]);
    if let Some(u) = &e.user {
        h.push((b"x-ausername".to_vec(), u.as_bytes().to_vec()));
    }
    h
}

pub fn native_alerts(config: &Value, events: &[AccessEvent<'_>]) -> Vec<Value> {
    let mut engine = Engine::from_json(&config.to_string()).expect("config");
    let mut alerts = Vec::new();
    for e in events {
        engine.push_event(e, &mut alerts);
    }
    engine.finish(&mut alerts);
    alerts.iter().map(|a| a.to_value()).collect()
}
