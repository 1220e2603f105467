//! Builders for rule tests: events at event times, engines with configs, alert queries.
#![allow(dead_code)]

use std::borrow::Cow;
use wikiwatch_core::{AccessEvent, Alert, AuditAction, Config, Engine, RuleId, Severity};

/// 2026-10-07T09:00:00Z, a Wednesday morning.
pub const T0: i64 = 1_791_363_600_000;
pub const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36";
pub const PY: &str = "python-requests/2.31.0";

/// An access event `secs` seconds after T0.
pub fn ev(
    secs: i64,
    user: Option<&str>,
    ip: &str,
    target: &str,
    status: u16,
    agent: &str,
) -> AccessEvent<'static> {
    AccessEvent {
        time_ms: T0 + secs * 1000,
        user: user.map(|u| Cow::Owned(u.to_string())),
        client: Some(Cow::Owned(ip.to_string())),
        session: None,
        method: Cow::Borrowed("GET"),
        target: Cow::Owned(target.to_string()),
        status,
        bytes: 1000,
        agent: Cow::Owned(agent.to_string()),
        referer: None,
        audit: None,
        aliases: Vec::new(),
    }
}

/// An audit event `secs` seconds after T0 by `actor`.
pub fn audit(secs: i64, actor: &str, action: AuditAction<'static>) -> AccessEvent<'static> {
    AccessEvent {
        time_ms: T0 + secs * 1000,
        user: Some(Cow::Owned(actor.to_string())),
        client: Some(Cow::Borrowed("10.0.0.1")),
        audit: Some(action),
        aliases: Vec::new(),
        ..AccessEvent::default()
    }
}

/// Runs events through a fresh engine with `config` JSON; returns the alerts and the engine.
pub fn run(
    config: &str,
    events: impl IntoIterator<Item = AccessEvent<'static>>,
) -> (Vec<Alert>, Engine) {
    let mut engine =
        Engine::new(Config::from_json(config).expect("valid test config")).expect("engine");
    let mut alerts = Vec::new();
    for e in events {
        engine.push_event(&e, &mut alerts);
    }
    engine.finish(&mut alerts);
    (alerts, engine)
}

/// Alerts of `rule` on entity `id`.
pub fn of<'a>(alerts: &'a [Alert], rule: RuleId, id: &str) -> Vec<&'a Alert> {
    alerts.iter().filter(|a| a.rule == rule && a.entity.id == id).collect()
}

/// Highest severity raised for entity `id`, by any rule.
pub fn worst(alerts: &[Alert], id: &str) -> Option<Severity> {
    alerts.iter().filter(|a| a.entity.id == id).map(|a| a.severity).max()
}

/// A browser user's ordinary session: a page view with its static and background calls.
pub fn browse(
    secs: i64,
    user: &str,
    ip: &str,
    space: &str,
    page: u32,
) -> Vec<AccessEvent<'static>> {
    vec![
        ev(secs, Some(user), ip, &format!("/display/{space}/Page+{page}"), 200, CHROME),
        ev(secs, Some(user), ip, "/s/en_GB/8703/batch.js", 200, CHROME),
        ev(secs + 1, Some(user), ip, "/rest/mywork/latest/status/notification/count", 200, CHROME),
        ev(secs + 2, Some(user), ip, "/rest/analytics/1.0/publish/bulk", 204, CHROME),
    ]
}
