//! Warm start of the proxy's engine from a state file (what `wikiwatch learn`, `replay
//! --state`, Fluent Bit and the browser harness write): inline in the plugin configuration
//! (`proxy.state`, restored by `Judge::new`) or fetched by the VM that takes the engine
//! (`proxy.state_url`). While the fetch is out, queued requests wait in the shared queue; the
//! answer, a refusal or [`STATE_TIMEOUT_MS`](crate::settings::STATE_TIMEOUT_MS) without one
//! ends the wait, so the engine starts warm or, with one line saying why, cold.

use crate::callout::{self, Target};
use crate::host;
use crate::judge::Judge;
use crate::shared::Shared;
use proxy_wasm::hostcalls;
use proxy_wasm::types::{BufferType, LogLevel, MapType};

/// A state fetch in flight.
#[derive(Debug)]
pub struct Fetch {
    /// The call's token (its answer carries it).
    pub token: u32,
    deadline_ms: i64,
    url: String,
}

impl Fetch {
    /// Asks `target` for the state; `Err` is the line to log when the host refuses the call.
    pub fn start(target: &Target, url: &str, now_ms: i64) -> Result<Fetch, String> {
        match callout::dispatch(target, "GET", None, None) {
            Some(token) => Ok(Fetch {
                token,
                deadline_ms: now_ms.saturating_add(i64::from(target.timeout_ms)),
                url: url.to_string(),
            }),
            None => Err(cold(url, "the proxy refused the call (unknown upstream or cluster)")),
        }
    }

    /// The line to log when no answer came in time (the host's own timeout should have
    /// answered first; this bounds the wait on hosts that never call back).
    pub fn expired(&self, now_ms: i64) -> Option<String> {
        (now_ms > self.deadline_ms.saturating_add(1000))
            .then(|| cold(&self.url, "no answer in time"))
    }

    /// Handles the answer (`on_http_call_response` with this fetch's token): restores `judge`
    /// from the body. Returns the line to log, either way.
    pub fn finish(self, shared: &Shared, judge: Option<&mut Judge>, body_size: usize) -> String {
        let status =
            hostcalls::get_map_value(MapType::HttpCallResponseHeaders, ":status").ok().flatten();
        let body = hostcalls::get_buffer(BufferType::HttpCallResponseBody, 0, body_size)
            .ok()
            .flatten()
            .unwrap_or_default();
        match (status.as_deref(), judge) {
            (None, _) => cold(&self.url, "no answer (connection failed or timed out)"),
            (Some("200"), Some(judge)) => match judge.restore(shared, &body) {
                Ok(()) => restored(&self.url, body.len()),
                Err(e) => cold(&self.url, &e.to_string()),
            },
            (Some("200"), None) => cold(&self.url, "no engine to restore"),
            (Some(s), _) => cold(&self.url, &format!("answered {s}")),
        }
    }
}

/// The line of a restored state.
pub fn restored(source: &str, bytes: usize) -> String {
    format!("wikiwatch: state {source} restored ({bytes} bytes)")
}

/// The line of a state that was not restored.
pub fn cold(source: &str, why: &str) -> String {
    format!("wikiwatch: error: state {source}: {why}; starting cold")
}

/// Logs a line of this module: errors at error level, the rest at info.
pub fn log(line: &str) {
    let level =
        if line.starts_with("wikiwatch: error: ") { LogLevel::Error } else { LogLevel::Info };
    host::log(level, line);
}
