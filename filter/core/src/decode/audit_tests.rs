//! Audit decoding against the fixtures in `tests/fixtures/audit/`, one file per shape.

use crate::decode::{reason, DecodeConfig, Decoder, Format};
use crate::event::{AccessEvent, AuditAction};
use std::borrow::Cow;

const DC_FILE: &str = include_str!("../../../../tests/fixtures/audit/dc-file.jsonl");
const DC_REST: &str = include_str!("../../../../tests/fixtures/audit/dc-rest.jsonl");
const CLOUD: &str = include_str!("../../../../tests/fixtures/audit/cloud.jsonl");
const ORG: &str = include_str!("../../../../tests/fixtures/audit/org.jsonl");
const PAGES: &str = include_str!("../../../../tests/fixtures/audit/pages.jsonl");
const MALFORMED: &str = include_str!("../../../../tests/fixtures/audit/malformed.jsonl");

/// Decodes every line of `text` in `format`; one entry per line.
fn lines(format: Format, text: &str) -> Vec<Result<Vec<AccessEvent<'static>>, String>> {
    let mut d = Decoder::new(format, DecodeConfig::default());
    text.lines()
        .map(|l| {
            let mut evs = Vec::new();
            d.decode(l.as_bytes(), &mut |e| evs.push(e.into_owned()))
                .map(|n| {
                    assert_eq!(n, evs.len());
                    evs
                })
                .map_err(|e| e.reason)
        })
        .collect()
}

/// Every event of a fixture that must decode fully, checked identical under `auto`.
fn events(text: &str) -> Vec<AccessEvent<'static>> {
    let audit: Vec<_> = lines(Format::Audit, text).into_iter().flat_map(|r| r.unwrap()).collect();
    let auto: Vec<_> = lines(Format::Auto, text).into_iter().flat_map(|r| r.unwrap()).collect();
    assert_eq!(audit, auto, "auto must find the audit format");
    for e in &audit {
        assert_eq!((&*e.method, &*e.target, e.status, e.bytes), ("", "", 0, 0));
    }
    audit
}

fn c(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_owned())
}

fn actions(evs: &[AccessEvent<'static>]) -> Vec<AuditAction<'static>> {
    evs.iter().map(|e| e.audit.clone().unwrap()).collect()
}

#[test]
fn data_center_audit_file() {
    let evs = events(DC_FILE);
    assert_eq!(evs[0].time_ms, 1_791_381_605_842);
    assert_eq!(evs[0].user.as_deref(), Some("admin"));
    assert_eq!(evs[0].client.as_deref(), Some("198.51.100.23"));
    assert_eq!(
        actions(&evs),
        vec![
            AuditAction::UserCreated { user: c("eve.rogue") },
            AuditAction::GroupMembershipAdded {
                user: c("eve.rogue"),
                group: c("confluence-administrators")
            },
            AuditAction::GlobalPermissionGranted {
                grantee: c("eve.rogue"),
                permission: c("SYSTEMADMINISTRATOR")
            },
            AuditAction::SpacePermissionChanged { space: Some(c("ENG")) },
            AuditAction::SpaceExport { space: Some(c("ENG")) },
            AuditAction::PageExport { space: Some(c("HR")), page: Some(c("1179650")) },
            AuditAction::SpaceImport { space: Some(c("LEG")) },
            AuditAction::AuditSearch,
            AuditAction::ApiToken,
            AuditAction::Other { action: c("audit.logging.summary.login.success") },
        ]
    );
    assert_eq!(evs[4].user.as_deref(), Some("eve.rogue"));
    // `source` listing several hops: the first is the client.
    assert_eq!(evs[9].client.as_deref(), Some("198.51.100.23"));
}

#[test]
fn data_center_audit_rest() {
    let evs = events(DC_REST);
    assert_eq!(evs[0].time_ms, 1_791_381_605_250);
    assert_eq!(
        actions(&evs),
        vec![
            AuditAction::UserCreated { user: c("eve.rogue") },
            AuditAction::GroupMembershipAdded {
                user: c("eve.rogue"),
                group: c("confluence-administrators")
            },
            AuditAction::GlobalPermissionGranted {
                grantee: c("site-admins"),
                permission: c("ADMINISTRATECONFLUENCE")
            },
            AuditAction::SpaceExport { space: Some(c("HR")) },
            AuditAction::AuditSearch,
            AuditAction::Other { action: c("audit.logging.summary.space.config.updated") },
        ]
    );
}

#[test]
fn confluence_cloud_audit() {
    let evs = events(CLOUD);
    assert_eq!(evs[0].time_ms, 1_791_381_640_123);
    // Cloud authors have no username: the display name is the one affected objects use too.
    assert_eq!(evs[0].user.as_deref(), Some("Mia Admin"));
    assert_eq!(evs[0].client.as_deref(), Some("203.0.113.77"));
    assert_eq!(evs[5].user.as_deref(), Some("bob"));
    assert_eq!(
        actions(&evs),
        vec![
            AuditAction::GroupMembershipAdded { user: c("Eve Rogue"), group: c("site-admins") },
            AuditAction::GlobalPermissionGranted {
                grantee: c("Eve Rogue"),
                permission: c("SYSTEMADMINISTRATOR")
            },
            AuditAction::SpaceExport { space: Some(c("ENG")) },
            AuditAction::PageExport {
                space: Some(c("Human Resources")),
                page: Some(c("Human Resources/VPN setup"))
            },
            AuditAction::AuditSearch,
            AuditAction::SpacePermissionChanged { space: Some(c("Human Resources")) },
        ]
    );
}

#[test]
fn organization_events() {
    let evs = events(ORG);
    assert_eq!(evs[0].time_ms, 1_791_381_605_120);
    assert_eq!(evs[0].user.as_deref(), Some("Mia Admin"));
    assert_eq!(evs[2].client.as_deref(), Some("198.51.100.23"));
    assert_eq!(
        actions(&evs),
        vec![
            AuditAction::UserCreated { user: c("Eve Rogue") },
            AuditAction::GroupMembershipAdded { user: c("Eve Rogue"), group: c("site-admins") },
            AuditAction::ApiToken,
            AuditAction::AuditSearch,
            AuditAction::Other { action: c("user_removed_from_group") },
        ]
    );
}

#[test]
fn pages_yield_one_event_per_record() {
    let per_line: Vec<usize> =
        lines(Format::Auto, PAGES).into_iter().map(|r| r.unwrap().len()).collect();
    assert_eq!(per_line, vec![3, 2, 2, 0]);
    let all = events(PAGES);
    assert_eq!(all[3].audit, Some(AuditAction::SpaceExport { space: Some(c("Engineering")) }));
    // A bare JSON array of records is a page too.
    let arr = format!("[{},{}]", DC_FILE.lines().next().unwrap(), DC_FILE.lines().nth(1).unwrap());
    assert_eq!(lines(Format::Auto, &arr)[0].as_ref().map(Vec::len), Ok(2));
}

#[test]
fn malformed_records_are_rejected_with_reasons() {
    let got: Vec<_> = lines(Format::Audit, MALFORMED).into_iter().map(|r| r.err()).collect();
    let want = [
        reason::MISSING_TIME,
        reason::BAD_TIMESTAMP,
        reason::MISSING_ACTION,
        reason::BAD_TIMESTAMP,
        reason::BAD_TIMESTAMP,
        reason::NOT_AUDIT,
        reason::TRUNCATED,
        reason::MISSING_TIME,
    ];
    assert_eq!(got, want.map(|w| Some(w.to_string())));
}

#[test]
fn page_with_some_bad_records_keeps_the_good_ones() {
    let good = DC_FILE.lines().next().unwrap();
    let line = format!(r#"{{"entities":[{good},{{"summary":"x"}},7]}}"#);
    let mut d = Decoder::new(Format::Audit, DecodeConfig::default());
    let n = d.decode(line.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!((n, d.skipped_records()), (1, 2));
}

#[test]
fn hostile_audit_json_never_panics() {
    let deep = format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000));
    for line in [
        deep.as_str(),
        r#"{"auditType":{"action":"x"},"timestamp":{"epochSecond":99999999999999999,"nano":0}}"#,
        r#"{"auditType":{"action":"x"},"timestamp":{"epochSecond":1,"nano":-1}}"#,
        r#"{"auditType":{"action":7},"author":"admin","timestamp":1e999}"#,
        r#"{"attributes":{"action":"user_added_to_group","time":"2026-10-07T14:00:40Z","context":"nope","actor":[]}}"#,
        r#"{"creationDate":1791381640123,"summary":"User added to group","affectedObject":"x","associatedObjects":{}}"#,
        r#"{"results":"not a list"}"#,
    ] {
        let _ = lines(Format::Audit, line);
        let _ = lines(Format::Auto, line);
    }
    // Missing subject: a membership change that names nobody is kept as Other.
    let r = lines(
        Format::Audit,
        r#"{"attributes":{"action":"user_added_to_group","time":"2026-10-07T14:00:40Z"}}"#,
    );
    assert_eq!(
        r[0].as_ref().unwrap()[0].audit,
        Some(AuditAction::Other { action: c("user_added_to_group") })
    );
}

#[test]
fn page_views_and_exports_name_their_page() {
    let org = |ctx: &str| {
        format!(
            r#"{{"id":"e1","type":"events","attributes":{{"time":"2026-10-07T14:00:40Z","action":"page_viewed","actor":{{"id":"a1","name":"Bob"}},"context":[{ctx}],"container":[{{"id":"s1","type":"space","attributes":{{"key":"OPS","name":"OPS"}}}}]}}}}"#
        )
    };
    let with_id = org(r#"{"id":"216065","type":"page","attributes":{"title":"Runbook"}}"#);
    let titled = org(r#"{"type":"blogpost","attributes":{"name":"Release notes"}}"#);
    let nameless = org(r#"{"type":"page","attributes":{}}"#);
    let dc_uri = r#"{"affectedObjects":[{"name":"VPN","type":"Page","uri":"/pages/viewpage.action?pageId=77"}],"auditType":{"action":"Page viewed"},"author":{"name":"eve"},"timestamp":{"epochSecond":1791381960,"nano":0}}"#;
    let got: Vec<_> = [with_id.as_str(), titled.as_str(), nameless.as_str(), dc_uri]
        .iter()
        .map(|l| actions(&events(l)).remove(0))
        .collect();
    let view = |space: Option<&str>, page: Option<&str>| AuditAction::PageView {
        space: space.map(c),
        page: page.map(c),
    };
    assert_eq!(
        got,
        vec![
            view(Some("OPS"), Some("216065")),
            view(Some("OPS"), Some("OPS/Release notes")),
            view(Some("OPS"), None),
            view(None, Some("77")),
        ]
    );
}
