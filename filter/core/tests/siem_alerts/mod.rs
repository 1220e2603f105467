//! Alerts of every entity kind (a user, an address, a host name, a session) that the SIEM
//! form tests render.

use wikiwatch_core::{Alert, EntityKind, EntityRef, Evidence, RuleId, Severity};

/// One alert per entity kind, the user's with evidence.
pub fn alerts() -> Vec<Alert> {
    let base = Alert {
        time_ms: 1_791_381_791_000,
        rule: RuleId::MassEnumeration,
        severity: Severity::High,
        entity: EntityRef { kind: EntityKind::User, id: "mallory".into() },
        incident: "i-0123456789abcdef".into(),
        window: wikiwatch_core::alert::Window {
            start_ms: 1_791_381_191_000,
            end_ms: 1_791_381_791_000,
        },
        count: 412,
        threshold: 150,
        privileged: false,
        summary: "mallory read 412 distinct pages in 8 spaces within 1h (threshold 150)".into(),
        evidence: Evidence {
            ips: vec!["10.1.0.17".into(), "not-an-address".into()],
            user_agents: vec!["python-requests/2.31.0".into()],
            spaces: vec![("ENG".into(), 300)],
            sample: vec!["/rest/api/content/1".into()],
            ..Evidence::default()
        },
        techniques: RuleId::MassEnumeration.techniques(),
    };
    let mut out = vec![base.clone()];
    for (kind, id, rule, severity) in [
        (EntityKind::Ip, "2001:db8::7", RuleId::SensitiveSearch, Severity::Low),
        (EntityKind::Ip, "proxy.example", RuleId::BurstRate, Severity::Medium),
        (EntityKind::Session, "s-0011223344556677", RuleId::SessionAnomaly, Severity::Critical),
    ] {
        let mut a = base.clone();
        a.entity = EntityRef { kind, id: id.into() };
        a.rule = rule;
        a.severity = severity;
        a.techniques = rule.techniques();
        a.evidence = Evidence::default();
        out.push(a);
    }
    out
}
