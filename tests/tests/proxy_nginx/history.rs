//! Warm-start material for the nginx tests: a user's past week as the native engine learns it
//! (ending before the proxy's clock, which stamps requests with the host's time), the events a
//! proxy makes of requests, and alerts compared without what the host's clock decides.

use serde_json::Value;
use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};
use wikiwatch_core::{AccessEvent, Alert, Engine};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The host's clock, ms since the epoch (what the proxy stamps a request with).
pub fn now_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970");
    i64::try_from(since.as_millis()).expect("ms fit")
}

/// One request as the proxy module makes it an event: GET answered 200 with the test
/// upstream's 17-byte page, the user named by the upstream, no session (Basic credentials).
pub fn event(
    time_ms: i64,
    user: &str,
    client: &str,
    agent: &str,
    path: &str,
) -> AccessEvent<'static> {
    AccessEvent {
        time_ms,
        user: Some(Cow::Owned(user.to_string())),
        client: Some(Cow::Owned(client.to_string())),
        session: None,
        method: Cow::Borrowed("GET"),
        target: Cow::Owned(path.to_string()),
        status: 200,
        bytes: 17,
        agent: Cow::Owned(agent.to_string()),
        referer: None,
        audit: None,
        aliases: Vec::new(),
    }
}

/// `user`'s seven past days before `now_ms`: each day, twenty page views (and what the browser
/// fetches for each) from `client`, in a 20-minute stretch twelve hours away from `now_ms`'s
/// hour of the day, so a request at `now_ms` comes at an hour the user never worked.
pub fn past_week(
    now_ms: i64,
    user: &str,
    client: &str,
    agent: &str,
    page: impl Fn(usize) -> String,
    asset: &str,
) -> Vec<AccessEvent<'static>> {
    let mut events = Vec::new();
    for day in (0..7).rev() {
        let start = now_ms - 12 * HOUR_MS - day * DAY_MS - 30 * 60_000;
        for i in 0..20 {
            let t = start + i as i64 * 60_000;
            events.push(event(t, user, client, agent, &page(i)));
            events.push(event(t + 400, user, client, agent, asset));
        }
    }
    events
}

/// A native engine for `config` fed `events`, and its state.
pub fn learn(config: &str, events: &[AccessEvent<'_>]) -> (Engine, Vec<u8>) {
    let mut engine = Engine::from_json(config).expect("config");
    for e in events {
        engine.push_event(e, &mut Vec::new());
    }
    let state = engine.snapshot();
    (engine, state)
}

/// What `engine` raises on `events`, to the end of input.
pub fn alerts(mut engine: Engine, events: &[AccessEvent<'_>]) -> Vec<Value> {
    let mut out: Vec<Alert> = Vec::new();
    for e in events {
        engine.push_event(e, &mut out);
    }
    engine.finish(&mut out);
    out.iter().map(Alert::to_value).collect()
}

/// An alert without the keys the host's clock decides to the millisecond (`time`, `window`,
/// and `id`, which hashes the window's start): the test stamps its copy of each request a few
/// ms apart from the proxy.
pub fn without_clock(mut alert: Value) -> Value {
    if let Some(o) = alert.as_object_mut() {
        for key in ["time", "window", "id"] {
            o.remove(key);
        }
    }
    alert
}
