//! HTTP callouts (`proxy_dispatch_http_call`): the one place the module calls out, for the
//! collector's alert POSTs and the warm start's state GET. The upstream is what the host takes
//! as the call's first argument: an Envoy cluster name, or `host:port` for ngx_wasm_module
//! (which resolves a name with the `resolver` of its `wasm {}` block).

use proxy_wasm::hostcalls;
use std::time::Duration;

/// Where a callout goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Envoy cluster, or `host:port`.
    pub upstream: String,
    /// Request path (with its query, if any).
    pub path: String,
    /// `:authority` of the request.
    pub authority: String,
    /// How long the host waits for the answer, ms.
    pub timeout_ms: u32,
}

impl Target {
    /// `upstream/path` (`127.0.0.1:8080/wikiwatch.state`, `state-server/wikiwatch.state`): the
    /// upstream up to the first `/`, the path from it (at least `/`); the authority is the
    /// upstream. `None` when the upstream is empty or holds a scheme (`http://`).
    pub fn from_url(url: &str, timeout_ms: u32) -> Option<Target> {
        let url = url.trim();
        if url.contains("://") {
            return None;
        }
        let (upstream, path) = match url.find('/') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, "/"),
        };
        (!upstream.is_empty()).then(|| Target {
            upstream: upstream.to_string(),
            path: path.to_string(),
            authority: upstream.to_string(),
            timeout_ms,
        })
    }
}

/// Sends `method` with `body` (of `content_type`) to `target`; the call's token, or `None` when
/// the host refused the call (unknown cluster, bad upstream). The answer comes to the context
/// that made the call (`on_http_call_response`), with that token.
pub fn dispatch(
    target: &Target,
    method: &str,
    content_type: Option<&str>,
    body: Option<&[u8]>,
) -> Option<u32> {
    let mut headers = vec![
        (":method", method),
        (":path", target.path.as_str()),
        (":authority", target.authority.as_str()),
    ];
    if let Some(t) = content_type {
        headers.push(("content-type", t));
    }
    let timeout = Duration::from_millis(u64::from(target.timeout_ms));
    hostcalls::dispatch_http_call(&target.upstream, headers, body, vec![], timeout).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_upstream_and_path() {
        let t = Target::from_url("127.0.0.1:8080/state/wikiwatch.state?v=2", 500).unwrap();
        assert_eq!(t.upstream, "127.0.0.1:8080");
        assert_eq!(t.path, "/state/wikiwatch.state?v=2");
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(t.timeout_ms, 500);
        let t = Target::from_url("state-server", 500).unwrap();
        assert_eq!((t.upstream.as_str(), t.path.as_str()), ("state-server", "/"));
        for bad in ["", "/wikiwatch.state", "http://127.0.0.1:8080/wikiwatch.state"] {
            assert_eq!(Target::from_url(bad, 500), None, "{bad:?}");
        }
    }
}
