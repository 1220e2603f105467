//! Who is privileged: configured identity, plus what audit logs teach as they stream.

use crate::config::Identity;
use crate::event::TimeMs;
use crate::peers::Peers;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A privilege learned from an audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    pub at: TimeMs,
    pub source: String,
}

/// Learned identity facts; bounded by the user table's cap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Learned {
    pub grants: BTreeMap<String, Grant>,
    pub created: BTreeMap<String, TimeMs>,
    /// Other names of an account seen together with it in audit records: alias -> (login, when).
    pub aliases: BTreeMap<String, (String, TimeMs)>,
    /// Teams' and roles' figures (the peer baselines).
    pub peers: Peers,
}

impl Learned {
    pub fn grant(&mut self, user: &str, at: TimeMs, source: String, cap: usize) {
        bound(&mut self.grants, cap, |g| g.at);
        self.grants.insert(user.to_string(), Grant { at, source });
    }

    pub fn created(&mut self, user: &str, at: TimeMs, cap: usize) {
        bound(&mut self.created, cap, |t| *t);
        self.created.insert(user.to_string(), at);
    }

    /// Links `alias` to `login` (the newest record wins when two accounts share a name).
    pub fn alias(&mut self, alias: &str, login: &str, at: TimeMs, cap: usize) {
        if alias == login {
            return;
        }
        if let Some(e) = self.aliases.get_mut(alias) {
            if e.0 != login {
                e.0 = login.to_string();
            }
            e.1 = at;
            return;
        }
        bound(&mut self.aliases, cap, |e| e.1);
        self.aliases.insert(alias.to_string(), (login.to_string(), at));
    }
}

/// Drops the oldest entry (ties by name) when the map is at `cap`.
fn bound<V>(map: &mut BTreeMap<String, V>, cap: usize, at: impl Fn(&V) -> TimeMs) {
    if map.len() >= cap.max(1) {
        if let Some(k) =
            map.iter().min_by_key(|(k, v)| (at(v), (*k).clone())).map(|(k, _)| k.clone())
        {
            map.remove(&k);
        }
    }
}

impl Identity {
    /// Whether the config makes `login` privileged: marked `privileged`, or holding a role in
    /// `privileged_roles`. Audit grants can add more (the engine learns them).
    pub fn is_privileged(&self, login: &str) -> bool {
        self.users.get(login).is_some_and(|u| {
            u.privileged || u.role.as_ref().is_some_and(|r| self.privileged_roles.contains(r))
        })
    }
}

/// Most aliases an alert lists.
const MAX_ALIASES: usize = 8;

/// Configured identity plus learned facts, answering the questions rules ask.
#[derive(Debug, Clone)]
pub(crate) struct Directory {
    config: Identity,
    /// Configured alias -> login.
    aliases: BTreeMap<String, String>,
    /// Configured login -> its peer groups (`team:NAME`, then `role:NAME`).
    groups: BTreeMap<String, Vec<String>>,
}

impl Directory {
    pub fn new(config: &Identity) -> Directory {
        let aliases = config
            .users
            .iter()
            .flat_map(|(login, u)| u.aliases.iter().map(move |a| (a.clone(), login.clone())))
            .collect();
        let groups = config
            .users
            .iter()
            .map(|(login, u)| {
                let team = u.team.as_ref().map(|t| format!("team:{t}"));
                let role = u.role.as_ref().map(|r| format!("role:{r}"));
                (login.clone(), team.into_iter().chain(role).collect())
            })
            .collect();
        Directory { config: config.clone(), aliases, groups }
    }

    /// The login an event's user stands for. Configured aliases apply to every event; names
    /// learned from audit records only to audit records (`learned` given), so an account's
    /// own display name cannot redirect another account's access-log activity.
    pub fn login<'n>(&'n self, name: &'n str, learned: Option<&'n Learned>) -> &'n str {
        if self.config.users.contains_key(name) {
            return name;
        }
        if let Some(login) = self.aliases.get(name) {
            return login;
        }
        match learned.and_then(|l| l.aliases.get(name)) {
            Some((login, _)) => login,
            None => name,
        }
    }

    /// Whether `name` is configured (as a login or an alias): learned links never move it.
    pub fn is_configured(&self, name: &str) -> bool {
        self.config.users.contains_key(name) || self.aliases.contains_key(name)
    }

    /// The other names of `login`, configured and learned, sorted (at most a few).
    pub fn aliases_of(&self, login: &str, learned: &Learned) -> Vec<String> {
        let mut out: Vec<String> =
            self.config.users.get(login).map(|u| u.aliases.clone()).unwrap_or_default();
        out.extend(learned.aliases.iter().filter(|(_, (l, _))| l == login).map(|(a, _)| a.clone()));
        out.sort();
        out.dedup();
        out.truncate(MAX_ALIASES);
        out
    }

    pub fn role(&self, user: &str) -> Option<&str> {
        self.config.users.get(user).and_then(|u| u.role.as_deref())
    }

    /// The peer groups of a configured user: `team:NAME` first, then `role:NAME`.
    pub fn groups(&self, user: &str) -> &[String] {
        self.groups.get(user).map_or(&[], Vec::as_slice)
    }

    /// Privileged by config (the user or their role), or by a learned grant.
    pub fn privileged(&self, user: &str, learned: &Learned) -> bool {
        self.config.is_privileged(user) || learned.grants.contains_key(user)
    }

    pub fn is_privileged_group(&self, group: &str) -> bool {
        self.config.privileged_groups.iter().any(|g| g.eq_ignore_ascii_case(group))
    }

    pub fn is_privileged_permission(&self, permission: &str) -> bool {
        self.config.privileged_permissions.iter().any(|p| p.eq_ignore_ascii_case(permission))
    }
}
