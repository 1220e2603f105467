//! The ECS and OCSF forms of an alert against the published definitions vendored in
//! `tests/schemas/` (see the SOURCE.md files there): every ECS field we emit exists with a
//! value of its type, and the OCSF document is a Detection Finding with every attribute its
//! class requires and none it does not declare.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use wikiwatch_core::{AlertFormat, EntityKind};

use crate::siem_alerts;
use siem_alerts::alerts;

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/schemas")
}

/// `Field` → (`Type`, `Normalization`) from ECS's generated fields.csv.
fn ecs_fields() -> (String, BTreeMap<String, (String, String)>) {
    let text = std::fs::read_to_string(schemas().join("ecs/fields.csv")).expect("fields.csv");
    let mut lines = text.lines();
    let header = csv_row(lines.next().expect("header"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (version, field, ty, norm) =
        (col("ECS_Version"), col("Field"), col("Type"), col("Normalization"));
    let mut fields = BTreeMap::new();
    let mut ecs_version = String::new();
    for line in lines {
        let row = csv_row(line);
        ecs_version.clone_from(&row[version]);
        fields.insert(row[field].clone(), (row[ty].clone(), row[norm].clone()));
    }
    (ecs_version, fields)
}

/// One CSV row: commas, double quotes around a field, `""` for a quote inside one.
fn csv_row(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => out.last_mut().unwrap().push(c),
        }
    }
    out
}

/// Leaves of `v` by dotted path; a path ECS defines as `object` is one leaf.
fn flatten(
    prefix: &str,
    v: &Value,
    objects: &dyn Fn(&str) -> bool,
    out: &mut Vec<(String, Value)>,
) {
    match v {
        Value::Object(m) if !objects(prefix) => {
            for (k, v) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&p, v, objects, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

fn has_type(ty: &str, v: &Value) -> bool {
    match (ty, v) {
        ("keyword" | "match_only_text" | "wildcard" | "constant_keyword", Value::String(_)) => true,
        ("long", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("float" | "scaled_float", Value::Number(_)) => true,
        ("date", Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        ("ip", Value::String(s)) => s.parse::<IpAddr>().is_ok(),
        ("boolean", Value::Bool(_)) => true,
        // `labels` and the like: an object of keyword values.
        ("object", Value::Object(m)) => m.values().all(Value::is_string),
        _ => false,
    }
}

#[test]
fn ecs_fields_exist_with_their_types() {
    let (version, fields) = ecs_fields();
    assert!(
        version.starts_with(wikiwatch_core::siem::ECS_VERSION),
        "ecs.version {} but the definitions are {version}",
        wikiwatch_core::siem::ECS_VERSION
    );
    let objects = |p: &str| fields.get(p).is_some_and(|(t, _)| t == "object");
    for a in alerts() {
        let doc = a.to_ecs();
        assert_eq!(a.render(AlertFormat::Ecs), doc.to_string());
        let mut leaves = Vec::new();
        flatten("", &doc, &objects, &mut leaves);
        let mut seen = 0;
        for (path, v) in &leaves {
            let Some((ty, norm)) = fields.get(path) else {
                panic!("{path} is not an ECS {version} field");
            };
            let items = match v {
                Value::Array(items) => items.clone(),
                _ => {
                    assert_ne!(norm, "array", "{path} must be an array");
                    vec![v.clone()]
                }
            };
            for item in &items {
                assert!(has_type(ty, item), "{path}: {item} is not of ECS type {ty}");
            }
            seen += 1;
        }
        let get = |p: &str| leaves.iter().find(|(k, _)| k == p).map(|(_, v)| v.clone());
        assert_eq!(get("event.kind"), Some("alert".into()));
        assert_eq!(get("event.id"), Some(a.id().into()));
        assert_eq!(get("event.severity"), Some(a.severity.id().into()));
        assert_eq!(get("rule.name"), Some(a.rule.as_str().into()));
        assert_eq!(get("threat.tactic.id"), Some(serde_json::json!(["TA0009"])));
        assert_eq!(get("threat.technique.subtechnique.id"), Some(serde_json::json!(["T1213.001"])));
        match a.entity.kind {
            EntityKind::User => assert_eq!(get("user.name"), Some(a.entity.id.clone().into())),
            EntityKind::Ip if a.entity.id.parse::<IpAddr>().is_ok() => {
                assert_eq!(get("source.ip"), Some(a.entity.id.clone().into()))
            }
            EntityKind::Ip => {
                assert_eq!(get("source.ip"), None);
                assert_eq!(get("source.address"), Some(a.entity.id.clone().into()));
            }
            EntityKind::Session => {
                assert_eq!(doc["labels"]["session"], Value::from(a.entity.id.clone()))
            }
        }
        assert!(seen >= 20, "only {seen} fields");
    }
}

fn ocsf(path: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(schemas().join("ocsf").join(path)).expect(path);
    let v: Value = serde_json::from_str(&text).expect(path);
    v.as_object().cloned().expect(path)
}

/// The class's attributes, parents first and overridden by children, as OCSF's compiler
/// merges them (profiles' `$include` left out: the forms use none of their attributes).
fn detection_finding() -> (Map<String, Value>, Map<String, Value>, Map<String, Value>) {
    let chain = ["events/base_event.json", "events/findings/finding.json"];
    let class = ocsf("events/findings/detection_finding.json");
    let finding = ocsf(chain[1]);
    let mut attrs = Map::new();
    for doc in [ocsf(chain[0]), finding.clone(), class.clone()] {
        for (k, v) in doc["attributes"].as_object().expect("attributes") {
            if k == "$include" {
                continue;
            }
            let merged = attrs.entry(k.clone()).or_insert_with(|| Value::Object(Map::new()));
            for (kk, vv) in v.as_object().expect("attribute") {
                merged[kk] = vv.clone();
            }
        }
    }
    (attrs, class, finding)
}

#[test]
fn ocsf_is_a_detection_finding_with_its_required_attributes() {
    let (attrs, class, finding) = detection_finding();
    assert_eq!(class["extends"], "finding");
    assert_eq!(finding["extends"], "base_event");
    let required: Vec<&String> =
        attrs.iter().filter(|(_, v)| v["requirement"] == "required").map(|(k, _)| k).collect();
    for name in ["activity_id", "category_uid", "class_uid", "finding_info", "metadata", "time"] {
        assert!(required.iter().any(|r| *r == name), "{name} should be required by the schema");
    }
    for a in alerts() {
        let doc = a.to_ocsf();
        assert_eq!(a.render(AlertFormat::Ocsf), doc.to_string());
        let obj = doc.as_object().expect("object");
        for r in &required {
            assert!(obj.contains_key(*r), "required attribute {r} missing");
        }
        for k in obj.keys() {
            assert!(attrs.contains_key(k), "{k} is not an attribute of detection_finding");
        }
        let activity = doc["activity_id"].as_u64().expect("activity_id");
        let caption =
            &finding["attributes"]["activity_id"]["enum"][activity.to_string()]["caption"];
        assert_eq!(doc["activity_name"], *caption, "activity_name is the enum caption");
        let status = doc["status_id"].as_u64().expect("status_id");
        let caption = &finding["attributes"]["status_id"]["enum"][status.to_string()]["caption"];
        assert_eq!(doc["status"], *caption, "status is the enum caption");
        let class_uid =
            doc["category_uid"].as_u64().unwrap() * 1000 + class["uid"].as_u64().unwrap();
        assert_eq!(doc["class_uid"], class_uid, "class_uid is category_uid * 1000 + the class uid");
        assert_eq!(
            doc["type_uid"],
            class_uid * 100 + activity,
            "type_uid is class_uid * 100 + activity_id"
        );
        assert_eq!(doc["severity_id"], u64::from(a.severity.id()));
        assert_eq!(doc["time"], a.time_ms);
        assert_eq!(doc["finding_info"]["uid"], a.id());
        assert!(doc["finding_info"]["title"].is_string());
        assert!(doc["metadata"]["product"]["vendor_name"].is_string());
        assert!(doc["metadata"]["version"].is_string());
        let attacks = doc["finding_info"]["attacks"].as_array().expect("attacks");
        assert!(attacks.iter().any(|t| t["sub_technique"]["uid"] == "T1213.001"
            && t["technique"]["uid"] == "T1213"
            && t["tactic"]["uid"] == "TA0009"));
    }
}

#[test]
fn native_form_keeps_its_keys_in_order_and_adds_the_new_ones_last() {
    for a in alerts() {
        let line = a.render(AlertFormat::Native);
        assert_eq!(line, a.to_json());
        let v: Value = serde_json::from_str(&line).expect("json");
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        // serde_json sorts keys on parsing; the line itself keeps ours: check the order there.
        // The entity has an `id` too; the alert's own is the one that starts with `a-`.
        let order: Vec<usize> = [
            "{\"time\":",
            ",\"rule\":",
            ",\"severity\":",
            ",\"entity\":",
            ",\"incident\":",
            ",\"window\":",
            ",\"count\":",
            ",\"threshold\":",
            ",\"privileged\":",
            ",\"summary\":",
            ",\"evidence\":",
            ",\"attack\":",
            ",\"id\":\"a-",
            ",\"schema_version\":",
            ",\"severity_id\":",
        ]
        .iter()
        .map(|k| line.find(k).unwrap_or_else(|| panic!("{k} missing")))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "keys out of order in {line}");
        assert_eq!(v["severity_id"], u64::from(a.severity.id()));
        assert_eq!(v["attack"]["tactic"], "TA0009");
        assert_eq!(v["attack"]["detection_strategy"], "DET0358");
        assert_eq!(sorted.len(), 15);
    }
}
