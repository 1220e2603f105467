//! Request classification table for Data Center and Cloud paths.

use super::{AgentKind, ClassifyConfig, Request, RequestKind};

/// Path table for requests (built-in entries extended by config).
#[derive(Debug, Clone)]
pub struct RequestTable {}

impl RequestTable {
    /// Built-in table extended by `config`.
    pub fn new(config: &ClassifyConfig) -> Self {
        let _ = config;
        RequestTable {}
    }

    /// Classifies one request target.
    pub fn classify<'a>(&self, method: &str, target: &'a str, agent: AgentKind) -> Request<'a> {
        let _ = (method, target, agent);
        Request::of_kind(RequestKind::Other)
    }
}
