//! The two ends of the tests' traffic: an upstream playing Confluence, which names the user of
//! each request in `X-AUSERNAME` as Confluence does, and the people and scripts that send it.

use super::base64::base64;
use super::http::{self, Message, Server};

/// The upstream. Basic credentials name their user (`name@domain` logs in as `name`); a session cookie `JSESSIONID=<user>.<n>`
/// names the user who logged in with it; a request with neither is named by `senders`
/// (user agent -> user: an upstream that knows who sends credential-less requests, as behind
/// single sign-on); anyone else is `-`.
pub fn upstream(senders: &[(&str, &str)]) -> Server {
    let senders: Vec<(String, String)> =
        senders.iter().map(|(a, u)| (a.to_string(), u.to_string())).collect();
    Server::start(move |req| {
        let user = user_of(req, &senders).unwrap_or_else(|| "-".into());
        (200, vec![("X-AUSERNAME".into(), user)], b"<html>page</html>".to_vec())
    })
}

fn user_of(req: &Message, senders: &[(String, String)]) -> Option<String> {
    if let Some(b64) = req.header("authorization").and_then(|a| a.strip_prefix("Basic ")) {
        let raw = String::from_utf8(base64_decode(b64)?).ok()?;
        let login = raw.split_once(':')?.0;
        // Logging in by e-mail address names the account, as Confluence does.
        return Some(login.split_once('@').map_or(login, |(u, _)| u).to_string());
    }
    let cookie = req.header("cookie").unwrap_or("");
    if let Some(v) = cookie.split(';').find_map(|c| c.trim().strip_prefix("JSESSIONID=")) {
        return v.split_once('.').map(|(u, _)| u.to_string());
    }
    let agent = req.header("user-agent")?;
    senders.iter().find(|(a, _)| a == agent).map(|(_, u)| u.clone())
}

/// Someone sending requests through the proxy on `port`: from `address` (the load balancer in
/// front appends it to `X-Forwarded-For`), with `agent` and, optionally, credentials.
#[derive(Debug, Clone)]
pub struct Sender {
    pub port: u16,
    pub address: String,
    pub agent: String,
    /// `Authorization` value.
    pub auth: Option<String>,
    /// `Cookie` value.
    pub cookie: Option<String>,
}

impl Sender {
    pub fn new(port: u16, address: &str, agent: &str) -> Sender {
        Sender { port, address: address.into(), agent: agent.into(), auth: None, cookie: None }
    }

    /// With HTTP Basic credentials for `user`.
    pub fn basic(mut self, user: &str) -> Sender {
        self.auth = Some(format!("Basic {}", base64(format!("{user}:secret").as_bytes())));
        self
    }

    /// With a session cookie the upstream knows as `user`'s `n`-th login.
    pub fn session(mut self, user: &str, n: usize) -> Sender {
        self.cookie = Some(format!("JSESSIONID={user}.{n}"));
        self
    }

    /// One request; panics if the proxy does not answer (every read is bounded).
    pub fn get(&self, path: &str) -> Message {
        let mut h = vec![("User-Agent", self.agent.as_str()), ("X-Forwarded-For", &self.address)];
        if let Some(a) = &self.auth {
            h.push(("Authorization", a));
        }
        if let Some(c) = &self.cookie {
            h.push(("Cookie", c));
        }
        http::get(self.port, path, &h)
            .unwrap_or_else(|e| panic!("{} GET {path}: the proxy did not answer: {e}", self.agent))
    }
}

impl Sender {
    /// A person's page view: the page, then what the browser fetches to render it (a browser
    /// that fetches nothing but pages is a scraper in disguise, and is detected as one).
    pub fn view(&self, i: usize) -> Message {
        let page = self.get(&page_view(i));
        self.get("/s/en_GB/9012/_/download/batch/page.js");
        page
    }
}

/// The paths a scraper reads: page bodies, one after the other.
pub fn page_body(i: usize) -> String {
    format!("/rest/api/content/{}?expand=body.storage", 100_000 + i)
}

/// The pages a person browses.
pub fn page_view(i: usize) -> String {
    format!("/display/ENG/Design+note+{}", i % 12)
}

pub const SCRIPT: &str = "python-requests/2.31.0";
pub const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.trim().bytes().filter(|&c| c != b'=') {
        bits = bits << 6 | A.iter().position(|&a| a == c)? as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}
