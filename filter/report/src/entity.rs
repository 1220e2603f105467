//! Which entity a scope or report is about, and whether an event is theirs.

use wikiwatch_core::{session_id, AccessEvent};

/// Which entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    /// An account, by login (an alias matches too).
    User(String),
    /// A client address as logged.
    Ip(String),
    /// A session, by hash (`s-...`) or raw id.
    Session(String),
}

impl Entity {
    /// Parses `user:NAME`, `ip:ADDR` or `session:ID`.
    pub fn parse(s: &str) -> Result<Entity, String> {
        match s.split_once(':') {
            Some(("user", id)) if !id.is_empty() => Ok(Entity::User(id.into())),
            Some(("ip", id)) if !id.is_empty() => Ok(Entity::Ip(id.into())),
            Some(("session", id)) if !id.is_empty() => Ok(Entity::Session(id.into())),
            _ => Err(format!("`{s}` is not user:NAME, ip:ADDR or session:ID")),
        }
    }

    /// The `kind:id` form it was parsed from.
    pub fn label(&self) -> String {
        match self {
            Entity::User(u) => format!("user:{u}"),
            Entity::Ip(a) => format!("ip:{a}"),
            Entity::Session(s) => format!("session:{s}"),
        }
    }

    /// Whether the event is the entity's.
    pub fn matches(&self, e: &AccessEvent<'_>) -> bool {
        match self {
            // An audit record names the account by login and gives its other names as aliases.
            Entity::User(u) => {
                e.user.as_deref() == Some(u.as_str()) || e.aliases.iter().any(|a| a == u)
            }
            Entity::Ip(a) => e.client.as_deref() == Some(a.as_str()),
            // Alerts name a session by its hash; a responder may also hold the raw id.
            Entity::Session(s) => {
                e.session.as_deref().is_some_and(|raw| raw == s || session_id(raw) == *s)
            }
        }
    }
}
