//! One GET of an audit page, with the retries the APIs ask for: a 429 waits for its
//! `Retry-After`, a 5xx or a transport failure backs off exponentially, a bounded number of
//! times. 401 and 403 are not retried: the credentials will not get better by themselves.

use super::api::Api;
use crate::fail::usage;
use crate::http;
use crate::live::signal::Stop;
use anyhow::{anyhow, Result};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// Largest page body read: a page of 1,000 audit records is a few MiB.
const MAX_BODY: u64 = 64 << 20;
/// Longest single wait, whatever `Retry-After` asks.
const MAX_WAIT: Duration = Duration::from_secs(300);

/// The pull was asked to stop while it waited to retry.
#[derive(Debug)]
pub struct Stopped;

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("stopped")
    }
}

impl std::error::Error for Stopped {}

/// The HTTP side of a pull.
pub struct Client {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
    stop: Stop,
}

enum Attempt {
    Done(Value),
    Retry(Option<Duration>, String),
}

impl Client {
    /// `retries` further attempts after a failed one, the first after `backoff`.
    pub fn new(timeout: Duration, retries: u32, backoff: Duration, stop: Stop) -> Client {
        Client { agent: http::agent(timeout), retries, backoff, stop }
    }

    /// The JSON body of a page.
    pub fn get(&self, api: &dyn Api, url: &str, query: &[(&str, String)]) -> Result<Value> {
        let mut delay = self.backoff;
        let mut attempt = 0;
        loop {
            let (wait, why) = match self.once(api, url, query)? {
                Attempt::Done(v) => return Ok(v),
                Attempt::Retry(wait, why) => (wait, why),
            };
            if attempt >= self.retries {
                return Err(anyhow!("{url}: {why}; gave up after {} attempts", attempt + 1));
            }
            attempt += 1;
            let wait = wait.unwrap_or(delay).min(MAX_WAIT);
            eprintln!("wikiwatch: {}: {why}; retrying in {:.1}s", api.label(), wait.as_secs_f64());
            self.stop.sleep(wait);
            if self.stop.requested() {
                return Err(anyhow::Error::new(Stopped));
            }
            delay = (delay * 2).min(MAX_WAIT);
        }
    }

    fn once(&self, api: &dyn Api, url: &str, query: &[(&str, String)]) -> Result<Attempt> {
        let mut req = self
            .agent
            .get(url)
            .header("authorization", api.authorization())
            .header("accept", "application/json");
        for (k, v) in query {
            req = req.query(*k, v);
        }
        let mut resp = match req.call() {
            Ok(r) => r,
            Err(e) => return Ok(Attempt::Retry(None, e.to_string())),
        };
        let status = resp.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => return Err(usage(api.refused(status))),
            429 => {
                return Ok(Attempt::Retry(http::retry_after(&resp), "429 Too Many Requests".into()))
            }
            500..=599 => return Ok(Attempt::Retry(None, format!("answered {}", resp.status()))),
            _ => {
                let text = resp.body_mut().read_to_string().unwrap_or_default();
                let text: String = text.chars().take(200).collect();
                return Err(anyhow!("{url} answered {}: {}", resp.status(), text.trim()));
            }
        }
        let text = match resp.body_mut().with_config().limit(MAX_BODY).read_to_string() {
            Ok(t) => t,
            Err(e) => return Ok(Attempt::Retry(None, format!("cannot read the answer: {e}"))),
        };
        serde_json::from_str(&text)
            .map(Attempt::Done)
            .map_err(|e| anyhow!("{url} answered something that is not JSON ({e})"))
    }
}
