//! `session-anomaly`: one account from many addresses or sessions in a short time, or one
//! session moving between addresses or agents.

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;

pub(crate) struct SessionAnomaly;

/// A session that changes address this many times, or agent once, has been taken elsewhere.
const SESSION_IPS: u64 = 3;
const SESSION_AGENTS: u64 = 2;

impl Rule for SessionAnomaly {
    fn id(&self) -> RuleId {
        RuleId::SessionAnomaly
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Ip
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        let s = &cx.state.spread;
        let p = cx.params;
        let (ips, sessions, agents) = (s.ips.estimate(), s.sessions.estimate(), s.agents.len());
        let (count, threshold, what) = if cx.kind == EntityKind::Session {
            if ips >= SESSION_IPS {
                (ips, SESSION_IPS, format!("moved between {ips} client addresses"))
            } else if agents >= SESSION_AGENTS {
                (agents, SESSION_AGENTS, format!("changed user agent {} times", agents - 1))
            } else {
                return None;
            }
        } else {
            if ips >= cx.threshold {
                (ips, cx.threshold, format!("used {ips} client addresses"))
            } else if sessions >= p.session_threshold {
                (sessions, p.session_threshold, format!("used {sessions} sessions"))
            } else {
                return None;
            }
        };
        Some(Finding {
            count,
            threshold,
            severity: tiered(count, threshold, p.severity),
            window_start: s.window.start,
            what: format!("{what} within {}", p.window),
            stage: 0,
        })
    }
}
