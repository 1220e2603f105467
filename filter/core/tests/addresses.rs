//! One client, one address: an IPv4 client logged as `::ffff:a.b.c.d` (dual-stack servers,
//! forwarding headers) is the same entity as `a.b.c.d`, is matched by IPv4 allow entries, and
//! is named in alerts in its IPv4 form, whichever way each line wrote it.

use crate::common;

use common::{ev, run, T0};
use wikiwatch_core::{Alert, Config, Engine, EntityKind, Format, RuleId};

/// An anonymous crawler probing spaces it may not read, from `ip(i)` at request `i`.
fn probing(ip: impl Fn(i64) -> &'static str) -> Vec<wikiwatch_core::AccessEvent<'static>> {
    (0..60)
        .map(|i| {
            let status = if i % 4 == 0 { 200 } else { 403 };
            ev(i * 5, None, ip(i), &format!("/display/SECRET{i}/Home"), status, "curl/8.5.0")
        })
        .collect()
}

fn json(alerts: &[Alert]) -> Vec<String> {
    alerts.iter().map(|a| serde_json::to_string(a).expect("alert JSON")).collect()
}

#[test]
fn a_mapped_address_is_the_same_entity_as_its_ipv4_form() {
    let (plain, _) = run("{}", probing(|_| "203.0.113.66"));
    let probes: Vec<_> = plain.iter().filter(|a| a.rule == RuleId::AccessDeniedProbing).collect();
    assert!(!probes.is_empty(), "the probe alone alerts: {plain:#?}");
    assert_eq!(probes[0].entity.kind, EntityKind::Ip);
    // Half the lines mapped, half plain: counted as one client, alerted exactly as above.
    let mixed = probing(|i| if i % 2 == 0 { "::ffff:203.0.113.66" } else { "203.0.113.66" });
    let (alerts, _) = run("{}", mixed);
    assert_eq!(json(&alerts), json(&plain));
    let (mapped, _) = run("{}", probing(|_| "::FFFF:203.0.113.66"));
    assert_eq!(json(&mapped), json(&plain), "every line mapped");
}

#[test]
fn a_mapped_address_is_allowed_by_its_ipv4_block() {
    let config = r#"{"allow":[{"name":"scanner","ips":["203.0.113.0/24"],"rules":["*"]}]}"#;
    let (alerts, engine) = run(config, probing(|_| "::ffff:203.0.113.66"));
    assert!(alerts.is_empty(), "{alerts:#?}");
    let outside = probing(|_| "::ffff:198.51.100.66");
    let (alerts, _) = run(config, outside);
    assert!(!alerts.is_empty(), "only the block is allowed");
    let stats = serde_json::to_value(engine.stats()).expect("stats JSON");
    assert!(stats.to_string().contains("scanner"), "{stats}");
}

#[test]
fn a_mapped_first_forwarded_for_hop_is_the_ipv4_client() {
    let mut engine = Engine::new(Config::default()).expect("engine");
    let mut alerts = Vec::new();
    for i in 0..60 {
        let time = log_time(i * 5);
        let status = if i % 4 == 0 { 200 } else { 403 };
        let line = format!(
            "::ffff:203.0.113.66, 10.0.0.1 [{time}] - http-nio-8090-exec-2 10.0.0.1 GET \
             /display/SECRET{i}/Home HTTP/1.1 {status} 3ms 512 - curl/8.5.0"
        );
        engine.push_line(line.as_bytes(), Format::ConfluenceAccess, &mut alerts).expect("decodes");
    }
    engine.finish(&mut alerts);
    let probe = alerts.iter().find(|a| a.rule == RuleId::AccessDeniedProbing).expect("alerted");
    assert_eq!(probe.entity.id, "203.0.113.66");
    assert!(alerts.iter().all(|a| !a.entity.id.contains("ffff")), "{alerts:#?}");
}

/// `secs` after T0 (2026-10-07T09:00:00Z) as the access log writes it, in UTC.
fn log_time(secs: i64) -> String {
    let t = (T0 / 1000 + secs) % 86_400;
    format!("07/Oct/2026:{:02}:{:02}:{:02} +0000", t / 3600, t / 60 % 60, t % 60)
}
