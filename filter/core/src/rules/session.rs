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
        let (count, threshold, stage) = match Signal::of(cx) {
            Some(Signal::SessionIps(n)) => (n, SESSION_IPS, 0),
            Some(Signal::SessionAgents(n)) => (n, SESSION_AGENTS, 0),
            Some(Signal::AccountIps(n)) => (n, cx.threshold, 0),
            Some(Signal::AccountSessions(n)) => (n, p.session_threshold, 1),
            None => return None,
        };
        Some(Finding {
            count,
            threshold,
            severity: tiered(count, threshold, p.severity),
            window_start: s.window.start,
            stage,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, _: &Finding) -> String {
        let what = match Signal::of(cx) {
            Some(Signal::SessionIps(n)) => format!("moved between {n} client addresses"),
            Some(Signal::SessionAgents(n)) => format!("changed user agent {} times", n - 1),
            Some(Signal::AccountIps(n)) => format!("used {n} client addresses"),
            Some(Signal::AccountSessions(n)) => format!("used {n} sessions"),
            None => String::new(),
        };
        format!("{what} within {}", cx.params.window)
    }
}

/// Which spread crossed its threshold.
enum Signal {
    SessionIps(u64),
    SessionAgents(u64),
    AccountIps(u64),
    AccountSessions(u64),
}

impl Signal {
    fn of(cx: &Ctx<'_, '_>) -> Option<Signal> {
        let s = &cx.state.spread;
        let (ips, sessions, agents) = (s.ips.estimate(), s.sessions.estimate(), s.agents.len());
        if cx.kind == EntityKind::Session {
            if ips >= SESSION_IPS {
                Some(Signal::SessionIps(ips))
            } else if agents >= SESSION_AGENTS {
                Some(Signal::SessionAgents(agents))
            } else {
                None
            }
        } else if ips >= cx.threshold {
            Some(Signal::AccountIps(ips))
        } else if sessions >= cx.params.session_threshold {
            Some(Signal::AccountSessions(sessions))
        } else {
            None
        }
    }
}
