//! Who is privileged: configured identity, plus what audit logs teach as they stream.

use crate::config::Identity;
use crate::event::TimeMs;
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
    /// Per-role mean daily volume over completed user-days.
    pub roles: BTreeMap<String, (f32, u32)>,
}

/// Weight of one more user-day in a role's mean.
const ROLE_ALPHA: f32 = 0.1;

impl Learned {
    pub fn grant(&mut self, user: &str, at: TimeMs, source: String, cap: usize) {
        bound(&mut self.grants, cap, |g| g.at);
        self.grants.insert(user.to_string(), Grant { at, source });
    }

    pub fn created(&mut self, user: &str, at: TimeMs, cap: usize) {
        bound(&mut self.created, cap, |t| *t);
        self.created.insert(user.to_string(), at);
    }

    pub fn role_day(&mut self, role: &str, volume: f32) {
        let e = self.roles.entry(role.to_string()).or_insert((volume, 0));
        e.0 = if e.1 == 0 { volume } else { e.0 + ROLE_ALPHA * (volume - e.0) };
        e.1 = e.1.saturating_add(1);
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

/// Configured identity plus learned facts, answering the questions rules ask.
#[derive(Debug, Clone)]
pub(crate) struct Directory {
    config: Identity,
}

impl Directory {
    pub fn new(config: &Identity) -> Directory {
        Directory { config: config.clone() }
    }

    pub fn role(&self, user: &str) -> Option<&str> {
        self.config.users.get(user).and_then(|u| u.role.as_deref())
    }

    /// Privileged by config (the user or their role), or by a learned grant.
    pub fn privileged(&self, user: &str, learned: &Learned) -> bool {
        self.config.users.get(user).is_some_and(|u| {
            u.privileged
                || u.role.as_ref().is_some_and(|r| self.config.privileged_roles.contains(r))
        }) || learned.grants.contains_key(user)
    }

    pub fn is_privileged_group(&self, group: &str) -> bool {
        self.config.privileged_groups.iter().any(|g| g.eq_ignore_ascii_case(group))
    }

    pub fn is_privileged_permission(&self, permission: &str) -> bool {
        self.config.privileged_permissions.iter().any(|p| p.eq_ignore_ascii_case(permission))
    }
}
