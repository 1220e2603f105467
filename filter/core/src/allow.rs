//! Allow entries compiled for matching: sanctioned automation, named and counted.

use crate::config::{AllowEntry, Cidr};
use crate::rules::RuleId;
use std::net::IpAddr;

/// A set of rules as bits of [`RuleId::index`].
pub(crate) type RuleMask = u16;

/// Every rule.
pub(crate) const ALL_RULES: RuleMask = (1 << RuleId::ALL.len()) - 1;

#[derive(Debug, Clone)]
struct Compiled {
    users: Vec<String>,
    ips: Vec<Cidr>,
    agents: Vec<String>,
    paths: Vec<String>,
    mask: RuleMask,
}

/// The allow list, in config order (the first matching entry names the match).
#[derive(Debug, Clone, Default)]
pub(crate) struct AllowList {
    entries: Vec<Compiled>,
}

impl AllowList {
    /// Compiles validated entries (invalid CIDRs were rejected by `Config::validate`).
    pub fn new(entries: &[AllowEntry]) -> AllowList {
        let entries = entries
            .iter()
            .map(|a| Compiled {
                users: a.users.clone(),
                ips: a.ips.iter().filter_map(|s| Cidr::parse(s).ok()).collect(),
                agents: a.user_agents.clone(),
                paths: a.paths.clone(),
                mask: a.rules.iter().fold(0, |m, r| {
                    m | match r.parse::<RuleId>() {
                        Ok(id) => 1 << id.index(),
                        Err(_) => ALL_RULES,
                    }
                }),
            })
            .collect();
        AllowList { entries }
    }

    /// The first entry matching the event: its index and the rules it suppresses.
    pub fn check(
        &self,
        user: Option<&str>,
        client: Option<&str>,
        agent: &str,
        path: &str,
    ) -> Option<(usize, RuleMask)> {
        if self.entries.is_empty() {
            return None;
        }
        let mut ip: Option<Option<IpAddr>> = None;
        for (i, e) in self.entries.iter().enumerate() {
            if !e.users.is_empty() && !user.is_some_and(|u| e.users.iter().any(|x| x == u)) {
                continue;
            }
            if !e.agents.is_empty() && !e.agents.iter().any(|a| agent.contains(a.as_str())) {
                continue;
            }
            if !e.paths.is_empty() && !e.paths.iter().any(|p| path.starts_with(p.as_str())) {
                continue;
            }
            if !e.ips.is_empty() {
                let addr = *ip.get_or_insert_with(|| client.and_then(|c| c.trim().parse().ok()));
                if !addr.is_some_and(|a| e.ips.iter().any(|c| c.contains(&a))) {
                    continue;
                }
            }
            return Some((i, e.mask));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn every_given_field_must_match() {
        let c = Config::from_json(
            r#"{"allow":[{"name":"idx","ips":["10.9.0.0/24"],"user_agents":["python-requests"],"rules":["programmatic-agent","burst-rate"]},
                         {"name":"backup","users":["svc-backup"],"rules":["*"]}]}"#,
        )
        .unwrap();
        let a = AllowList::new(&c.allow);
        let (i, m) =
            a.check(None, Some("10.9.0.7"), "python-requests/2.31", "/rest/api/content").unwrap();
        assert_eq!(i, 0);
        assert_eq!(m, 1 << RuleId::ProgrammaticAgent.index() | 1 << RuleId::BurstRate.index());
        assert!(a.check(None, Some("10.8.0.7"), "python-requests/2.31", "/").is_none());
        assert!(a.check(None, Some("10.9.0.7"), "curl/8", "/").is_none());
        assert_eq!(a.check(Some("svc-backup"), None, "", "/x").unwrap(), (1, ALL_RULES));
    }
}
