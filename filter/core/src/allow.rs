//! Allow entries compiled for matching: sanctioned automation, named and counted.

use crate::config::{AllowEntry, Cidr};
use crate::rule_id::RuleId;
use std::net::IpAddr;

/// A set of rules as bits of [`RuleId::index`].
type RuleMask = u16;

/// Every rule.
const ALL_RULES: RuleMask = (1 << RuleId::ALL.len()) - 1;

/// The allow entry an event matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowMatch {
    /// Position of the entry in the config's `allow` list.
    pub index: usize,
    rules: RuleMask,
}

impl AllowMatch {
    /// Whether the entry suppresses `rule`.
    pub fn suppresses(self, rule: RuleId) -> bool {
        self.rules & (1 << rule.index()) != 0
    }
}

#[derive(Debug, Clone)]
struct Compiled {
    users: Vec<String>,
    ips: Vec<Cidr>,
    agents: Vec<String>,
    paths: Vec<String>,
    mask: RuleMask,
}

/// The allow list compiled for matching, in config order (the first matching entry names the
/// match). Every host matches with this one type, so the semantics cannot drift: every field an
/// entry gives must match (users exactly, addresses by CIDR after canonicalisation, agents by
/// substring, paths by prefix).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
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

    /// The first entry matching the event.
    pub fn check(
        &self,
        user: Option<&str>,
        client: Option<&str>,
        agent: &str,
        path: &str,
    ) -> Option<AllowMatch> {
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
                let addr = *ip.get_or_insert_with(|| client.and_then(crate::address::parse));
                if !addr.is_some_and(|a| e.ips.iter().any(|c| c.contains(&a))) {
                    continue;
                }
            }
            return Some(AllowMatch { index: i, rules: e.mask });
        }
        None
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
        let m =
            a.check(None, Some("10.9.0.7"), "python-requests/2.31", "/rest/api/content").unwrap();
        assert_eq!(m.index, 0);
        assert_eq!(
            m.rules,
            1 << RuleId::ProgrammaticAgent.index() | 1 << RuleId::BurstRate.index()
        );
        assert!(m.suppresses(RuleId::BurstRate) && !m.suppresses(RuleId::BulkExport));
        assert!(a.check(None, Some("10.8.0.7"), "python-requests/2.31", "/").is_none());
        assert!(a.check(None, Some("10.9.0.7"), "curl/8", "/").is_none());
        let backup = a.check(Some("svc-backup"), None, "", "/x").unwrap();
        assert_eq!((backup.index, backup.rules), (1, ALL_RULES));
    }

    #[test]
    fn mapped_and_padded_addresses_match_their_ipv4_block() {
        let c =
            Config::from_json(r#"{"allow":[{"name":"n","ips":["10.1.0.0/16"],"rules":["*"]}]}"#)
                .unwrap();
        let a = AllowList::new(&c.allow);
        assert!(a.check(None, Some("::ffff:10.1.2.3"), "", "/").is_some());
        assert!(a.check(None, Some(" 10.1.2.3 "), "", "/").is_some());
        assert!(a.check(None, Some("::ffff:10.2.2.3"), "", "/").is_none());
    }
}
