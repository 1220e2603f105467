//! The one HTTP client of the CLI (ureq with rustls), shared by the alert poster and the
//! Cloud audit puller. Status codes are answers to act on, never errors of the transport.

use std::time::Duration;

/// An agent whose calls end within `timeout`, that returns 4xx/5xx responses as responses.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("wikiwatch/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A `Retry-After` header in seconds (the HTTP-date form is treated as absent).
pub fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let v = resp.headers().get("retry-after")?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}
