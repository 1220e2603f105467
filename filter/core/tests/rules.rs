//! One specification per rule: it fires when it should, and stays quiet on its benign twin.

use crate::common;

use common::*;
use std::borrow::Cow;
use wikiwatch_core::{AuditAction, RuleId, Severity};

#[test]
fn burst_rate_fires_on_a_burst_not_on_steady_reading() {
    let burst = (0..400).map(|i| {
        ev(i / 20, Some("mallory"), "10.1.0.17", &format!("/display/ENG/P{i}"), 200, CHROME)
    });
    let (alerts, _) = run("{}", burst);
    let a = of(&alerts, RuleId::BurstRate, "mallory");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert!(a[0].count >= 240 && a[0].severity >= Severity::Medium);

    let steady = (0..600).flat_map(|i| browse(i * 6, "alice", "10.2.0.5", "ENG", (i % 40) as u32));
    let (alerts, _) = run("{}", steady);
    assert!(of(&alerts, RuleId::BurstRate, "alice").is_empty(), "{alerts:#?}");
}

#[test]
fn programmatic_agent_low_for_steady_integration_raised_for_crawl_and_switch() {
    // One REST poll a minute for eight hours: an integration, at most low.
    let poll = (0..480).map(|i| {
        ev(
            i * 60,
            Some("svc-jira"),
            "10.3.0.9",
            "/rest/api/content/1234?expand=version",
            200,
            "Apache-HttpClient/4.5.13 (Java/11)",
        )
    });
    let (alerts, _) = run("{}", poll);
    assert!(worst(&alerts, "svc-jira") <= Some(Severity::Low), "{alerts:#?}");

    // A user who browsed, then crawls with python-requests.
    let mut evs: Vec<_> =
        (0..10).flat_map(|i| browse(i * 30, "bob", "10.4.0.2", "HR", i as u32)).collect();
    evs.extend((0..120).map(|i| {
        ev(
            400 + i * 2,
            Some("bob"),
            "10.4.0.2",
            &format!("/rest/api/content/{}?expand=body.storage", 5000 + i),
            200,
            PY,
        )
    }));
    let (alerts, _) = run("{}", evs);
    let a = of(&alerts, RuleId::ProgrammaticAgent, "bob");
    assert!(a.iter().any(|a| a.severity >= Severity::Medium), "{alerts:#?}");
    assert!(a[0].summary.contains("after using a browser"), "{}", a[0].summary);
    assert_eq!(a[0].evidence.user_agents.first().map(String::as_str), Some(CHROME));
}

#[test]
fn mass_enumeration_catches_slow_crawl_across_spaces_but_not_a_writer() {
    // One page every 10 s across 12 spaces: never a burst.
    let crawl = (0..200).map(|i| {
        ev(
            i * 10,
            Some("eve"),
            "10.5.0.3",
            &format!("/display/S{}/Page+{}", i % 12, i),
            200,
            CHROME,
        )
    });
    let (alerts, _) = run("{}", crawl);
    let a = of(&alerts, RuleId::MassEnumeration, "eve");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert!(a[0].time_ms - T0 <= 15 * 60_000, "found after {} s", (a[0].time_ms - T0) / 1000);

    // A technical writer: 250 pages of one space over four hours, with edits.
    let writer = (0..250).flat_map(|i| {
        let mut v = browse(i * 55, "tina", "10.6.0.8", "DOCS", i as u32);
        if i % 3 == 0 {
            v.push(ev(
                i * 55 + 20,
                Some("tina"),
                "10.6.0.8",
                &format!("/pages/editpage.action?pageId={}", 100 + i),
                200,
                CHROME,
            ));
        }
        v
    });
    let (alerts, _) = run("{}", writer);
    assert!(worst(&alerts, "tina") <= Some(Severity::Low), "{alerts:#?}");
}

#[test]
fn mass_enumeration_counts_pagination_walks() {
    let walk = (0..40).map(|i| {
        ev(
            i * 3,
            Some("api-user"),
            "10.7.0.1",
            &format!("/rest/api/content?spaceKey=ENG&start={}&limit=25", i * 25),
            200,
            PY,
        )
    });
    let (alerts, _) = run("{}", walk);
    let a = of(&alerts, RuleId::MassEnumeration, "api-user");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert!(a[0].summary.contains("pagination"), "{}", a[0].summary);
}

#[test]
fn bulk_export_fires_on_many_exports_not_a_few() {
    let many = (0..25).map(|i| {
        ev(
            i * 20,
            Some("carol"),
            "10.8.0.4",
            &format!("/spaces/flyingpdf/pdfpageexport.action?pageId={}", 300 + i),
            200,
            CHROME,
        )
    });
    let (alerts, _) = run("{}", many);
    assert!(!of(&alerts, RuleId::BulkExport, "carol").is_empty(), "{alerts:#?}");

    let few = (0..3).map(|i| {
        ev(
            i * 600,
            Some("dave"),
            "10.8.0.5",
            &format!("/download/attachments/{}/spec.pdf", 400 + i),
            200,
            CHROME,
        )
    });
    let (alerts, _) = run("{}", few);
    assert!(alerts.is_empty(), "{alerts:#?}");
}

#[test]
fn space_export_is_high_and_allowed_backup_is_suppressed_but_counted() {
    let export = |user: &str, key: &str, s| {
        ev(
            s,
            Some(user),
            "10.9.0.10",
            &format!("/spaces/exportspacexml.action?key={key}"),
            200,
            CHROME,
        )
    };
    let (alerts, _) = run("{}", [export("frank", "HR", 0)]);
    let a = of(&alerts, RuleId::SpaceExport, "frank");
    assert_eq!(a.len(), 1, "{alerts:#?}");
    assert!(a[0].severity >= Severity::High);

    let cfg = r#"{"allow":[{"name":"nightly-backup","users":["svc-backup"],"rules":["*"],"reason":"backups"}]}"#;
    let (alerts, engine) =
        run(cfg, (0..30).map(|i| export("svc-backup", &format!("S{i}"), i * 60)));
    assert!(alerts.is_empty(), "{alerts:#?}");
    let stats = engine.stats();
    assert_eq!(stats.allowed_events.get("nightly-backup"), Some(&30));
    assert!(stats.suppressed.get("nightly-backup").copied().unwrap_or(0) >= 1, "{stats:?}");
}

#[test]
fn sensitive_search_low_for_one_vpn_search_medium_for_a_hunt() {
    let search = |user: &str, q: &str, s| {
        ev(
            s,
            Some(user),
            "10.10.0.1",
            &format!("/dosearchsite.action?queryString={q}"),
            200,
            CHROME,
        )
    };
    let (alerts, _) = run("{}", [search("gina", "vpn", 0)]);
    assert!(worst(&alerts, "gina") <= Some(Severity::Low), "{alerts:#?}");

    let hunt = ["password", "vpn+config", "aws_secret_access_key", "ssh+key", "api+token"];
    let (alerts, _) =
        run("{}", hunt.iter().enumerate().map(|(i, q)| search("harry", q, i as i64 * 40)));
    let a = of(&alerts, RuleId::SensitiveSearch, "harry");
    assert!(a.iter().any(|a| a.severity >= Severity::Medium), "{alerts:#?}");
    assert!(!a.last().map(|a| a.evidence.queries.is_empty()).unwrap_or(true));
}

#[test]
fn baseline_deviation_after_warmup() {
    let day = 86_400;
    let mut evs = Vec::new();
    for d in 0..7 {
        for i in 0..20 {
            evs.push(ev(
                d * day + i * 300,
                Some("ivan"),
                "10.11.0.1",
                &format!("/display/ENG/P{i}"),
                200,
                CHROME,
            ));
        }
    }
    // Day 8: 140 reads of 14 pages again and again (no enumeration breadth).
    for i in 0..140 {
        evs.push(ev(
            7 * day + i * 120,
            Some("ivan"),
            "10.11.0.1",
            &format!("/display/ENG/P{}", i % 14),
            200,
            CHROME,
        ));
    }
    let (alerts, _) = run("{}", evs);
    let a = of(&alerts, RuleId::BaselineDeviation, "ivan");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert!(a[0].time_ms >= T0 + 7 * day * 1000);
}

#[test]
fn session_anomaly_many_addresses_not_two() {
    let spread = (0..12).map(|i| {
        ev(
            i * 90,
            Some("judy"),
            &format!("198.51.100.{}", 10 + i),
            "/display/ENG/Home",
            200,
            CHROME,
        )
    });
    let (alerts, _) = run("{}", spread);
    assert!(!of(&alerts, RuleId::SessionAnomaly, "judy").is_empty(), "{alerts:#?}");

    let two = (0..12).map(|i| {
        ev(
            i * 90,
            Some("kim"),
            if i % 2 == 0 { "10.12.0.1" } else { "10.12.0.2" },
            "/display/ENG/Home",
            200,
            CHROME,
        )
    });
    let (alerts, _) = run("{}", two);
    assert!(alerts.is_empty(), "{alerts:#?}");
}

#[test]
fn access_denied_probing_on_anonymous_crawler() {
    let probe = (0..60).map(|i| {
        ev(
            i * 5,
            None,
            "203.0.113.66",
            &format!("/display/SECRET{}/Home", i),
            if i % 4 == 0 { 200 } else { 403 },
            "curl/8.5.0",
        )
    });
    let (alerts, _) = run("{}", probe);
    let a = of(&alerts, RuleId::AccessDeniedProbing, "203.0.113.66");
    assert!(!a.is_empty(), "{alerts:#?}");
    assert_eq!(a[0].entity.kind, wikiwatch_core::EntityKind::Ip);
}

#[test]
fn privilege_change_rogue_admin_is_critical_and_names_both() {
    let o = |s: &str| Cow::Owned(s.to_string());
    let evs = vec![
        audit(0, "attacker-setup", AuditAction::UserCreated { user: o("rogue") }),
        audit(
            120,
            "attacker-setup",
            AuditAction::GroupMembershipAdded {
                user: o("rogue"),
                group: o("confluence-administrators"),
            },
        ),
        ev(600, Some("rogue"), "203.0.113.5", "/spaces/exportspacexml.action?key=HR", 200, CHROME),
    ];
    let (alerts, _) = run("{}", evs);
    let a = of(&alerts, RuleId::PrivilegeChange, "rogue");
    assert!(a.iter().all(|a| a.severity == Severity::Critical), "{alerts:#?}");
    assert!(a.iter().any(|a| a.summary.contains("after the account was created")), "{a:#?}");
    assert!(
        a.iter().any(|a| a.summary.contains("exported") && a.evidence.privilege_source.is_some()),
        "{a:#?}"
    );
    let export = of(&alerts, RuleId::SpaceExport, "rogue");
    assert!(export[0].privileged && export[0].severity == Severity::Critical, "{export:#?}");
}

#[test]
fn privileged_users_get_own_thresholds_and_raised_severity() {
    let cfg = r#"{"identity":{"users":{"admin.sara":{"role":"admin","privileged":true}}}}"#;
    let exports = (0..10).map(|i| {
        ev(
            i * 30,
            Some("admin.sara"),
            "10.0.0.2",
            &format!("/exportword?pageId={}", 700 + i),
            200,
            CHROME,
        )
    });
    let (alerts, _) = run(cfg, exports);
    let a = of(&alerts, RuleId::BulkExport, "admin.sara");
    assert!(!a.is_empty(), "privileged threshold is 8: {alerts:#?}");
    assert!(a[0].privileged && a[0].severity >= Severity::High);
}

#[test]
fn cooldown_holds_and_escalation_breaks_through() {
    let crawl = (0..3000).map(|i| {
        ev(i / 10, Some("zed"), "10.13.0.1", &format!("/rest/api/content/{}", 10_000 + i), 200, PY)
    });
    let (alerts, _) = run("{}", crawl);
    let a = of(&alerts, RuleId::ProgrammaticAgent, "zed");
    assert!(a.len() >= 2 && a.len() <= 8, "{} alerts", a.len());
    assert!(a.windows(2).all(|w| w[1].count >= w[0].count * 4 || w[1].severity > w[0].severity));
}
