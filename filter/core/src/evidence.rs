//! Per-entity evidence: the few addresses, agents, spaces and sample requests an alert shows.
//!
//! Kept only for entities worth it (allocated lazily), bounded in every dimension, with
//! secret-like query values masked before anything is stored.

use crate::alert::Evidence;
use crate::sketch::SmallSet;
use serde::{Deserialize, Serialize};

const MAX_IPS: usize = 4;
const MAX_AGENTS: usize = 3;
const MAX_SPACES: usize = 8;
const MAX_SAMPLE: usize = 3;
const MAX_QUERIES: usize = 5;
const MAX_STR: usize = 200;

/// Bounded evidence of one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceBuf {
    ips: Vec<String>,
    agents: Vec<String>,
    /// Hashes of `ips` and `agents`: each event is checked against these, not the strings.
    ip_hashes: SmallSet<MAX_IPS>,
    agent_hashes: SmallSet<MAX_AGENTS>,
    /// Space-saving top-k: when full, the smallest entry is replaced and inherits its count.
    /// (name, count, hash of the name): each event is matched by hash, not by string.
    spaces: Vec<(String, u64, u32)>,
    sample: Vec<String>,
    queries: Vec<String>,
}

impl EvidenceBuf {
    /// Records the address and agent of an event, given with their hashes.
    pub fn see(&mut self, ip: Option<(&str, u32)>, agent: (&str, u32)) {
        if let Some((ip, h)) = ip {
            if self.ip_hashes.insert(h) {
                self.ips.push(clip(ip));
            }
        }
        if !agent.0.is_empty() && self.agent_hashes.insert(agent.1) {
            self.agents.push(clip(agent.0));
        }
    }

    /// Counts a space, given with its hash.
    pub fn space(&mut self, space: &str, hash: u32) {
        if let Some(e) = self.spaces.iter_mut().find(|e| e.2 == hash) {
            e.1 += 1;
        } else if self.spaces.len() < MAX_SPACES {
            self.spaces.push((clip(space), 1, hash));
        } else if let Some(min) =
            self.spaces.iter_mut().min_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        {
            *min = (clip(space), min.1 + 1, hash);
        }
    }

    /// Keeps a sample request target (masked), first few only.
    pub fn sample(&mut self, target: &str) {
        if self.sample.len() < MAX_SAMPLE {
            let t = mask_query(target);
            if !self.sample.contains(&t) {
                self.sample.push(t);
            }
        }
    }

    /// Keeps a search query, first few only.
    pub fn query(&mut self, q: &str) {
        push_distinct(&mut self.queries, q, MAX_QUERIES);
    }

    /// The evidence as it goes into an alert (spaces most first, ties by name).
    pub fn to_alert(&self) -> Evidence {
        let mut spaces: Vec<(String, u64)> =
            self.spaces.iter().map(|(name, n, _)| (name.clone(), *n)).collect();
        spaces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Evidence {
            ips: self.ips.clone(),
            user_agents: self.agents.clone(),
            spaces,
            sample: self.sample.clone(),
            queries: self.queries.clone(),
            privilege_source: None,
            aliases: Vec::new(),
        }
    }
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_STR {
        return s.to_string();
    }
    let mut end = MAX_STR;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn push_distinct(v: &mut Vec<String>, s: &str, max: usize) {
    if v.len() < max && !v.iter().any(|x| x == s) {
        v.push(clip(s));
    }
}

/// Query parameter names whose values are secrets.
const SECRET_KEYS: [&str; 12] = [
    "token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "key",
    "auth",
    "session",
    "jsessionid",
    "os_password",
    "access_token",
    "signature",
];

/// Masks the values of secret-like query parameters (`?os_password=hunter2` -> `?os_password=***`),
/// and clips long targets.
pub fn mask_query(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return clip(target);
    };
    let mut out = String::with_capacity(target.len());
    out.push_str(path);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((k, _)) if is_secret_key(k) => {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(pair),
        }
    }
    clip(&out)
}

fn is_secret_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    // `key` alone is the space key in Confluence URLs; only mask it when it reads like a credential.
    SECRET_KEYS.iter().any(|s| {
        if *s == "key" {
            k.ends_with("apikey") || k.ends_with("api_key")
        } else {
            k.contains(s)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_values_keeps_keys() {
        assert_eq!(
            mask_query("/login.action?os_username=bob&os_password=hunter2&key=ENG"),
            "/login.action?os_username=bob&os_password=***&key=ENG"
        );
        assert_eq!(mask_query("/x?access_token=abc&apiKey=1"), "/x?access_token=***&apiKey=***");
        assert_eq!(mask_query("/display/ENG/Home"), "/display/ENG/Home");
    }

    #[test]
    fn bounded() {
        let mut e = EvidenceBuf::default();
        for i in 0..100 {
            let (ip, agent) = (format!("10.0.0.{i}"), format!("agent{i}"));
            e.see(Some((&ip, crate::sketch::hash32(&ip))), (&agent, crate::sketch::hash32(&agent)));
            let s = format!("S{}", i % 20);
            e.space(&s, crate::sketch::hash32(&s));
            e.sample(&format!("/p/{i}"));
            e.query(&"q".repeat(1000));
        }
        let a = e.to_alert();
        assert_eq!(
            (a.ips.len(), a.user_agents.len(), a.spaces.len(), a.sample.len()),
            (4, 3, 8, 3)
        );
        assert!(a.queries[0].len() < 300);
    }
}
