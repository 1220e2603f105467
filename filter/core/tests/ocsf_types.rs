//! The OCSF form of an alert against OCSF's compiled schema (`tests/schemas/ocsf/export/`, the
//! schema server's export of the version the form claims): every attribute, at every depth,
//! is declared by its class or object, has a value of its declared type (arrays where the
//! schema says `is_array`, objects checked recursively), and every object carries the
//! attributes it requires and satisfies its `at_least_one` / `just_one` constraints.

use serde_json::{Map, Value};
use std::net::IpAddr;
use std::path::PathBuf;
use wikiwatch_core::siem::OCSF_VERSION;

use crate::siem_alerts;

fn export() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../tests/schemas/ocsf/export/{OCSF_VERSION}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (vendor the export of OCSF {OCSF_VERSION})", path.display())
    });
    serde_json::from_str(&text).expect("export json")
}

/// What is wrong with `doc` against the schema, one line per finding.
struct Check<'a> {
    schema: &'a Value,
    /// The profiles the document applies (`metadata.profiles`).
    profiles: Vec<String>,
    problems: Vec<String>,
    /// Attributes checked, at every depth.
    checked: usize,
}

impl<'a> Check<'a> {
    fn new(schema: &'a Value, doc: &Value) -> Check<'a> {
        let profiles = doc["metadata"]["profiles"].as_array().map_or_else(Vec::new, |p| {
            p.iter().filter_map(Value::as_str).map(String::from).collect()
        });
        Check { schema, profiles, problems: Vec::new(), checked: 0 }
    }

    /// `value` as an instance of a class or object whose definition is `def`.
    fn object(&mut self, path: &str, def: &Value, value: &Value) {
        let Some(obj) = value.as_object() else {
            self.problems.push(format!("{path}: {value} is not an object"));
            return;
        };
        let attrs = def["attributes"].as_object().expect("attributes");
        // A profile's attributes belong to the object only where the document applies it.
        let profiles = self.profiles.clone();
        let applies =
            |a: &Value| a["profile"].as_str().is_none_or(|p| profiles.iter().any(|q| q == p));
        for (name, a) in attrs {
            if a["requirement"] == "required" && applies(a) && !obj.contains_key(name) {
                self.problems.push(format!("{path}: required attribute {name} missing"));
            }
        }
        self.constraints(path, def, obj);
        for (name, v) in obj {
            let p = format!("{path}.{name}");
            match attrs.get(name).filter(|a| applies(a)) {
                Some(a) => {
                    self.checked += 1;
                    self.attribute(&p, a, v, obj, name)
                }
                None => self.problems.push(format!(
                    "{p} is not an attribute of {}",
                    def["name"].as_str().unwrap_or("?")
                )),
            }
        }
    }

    fn constraints(&mut self, path: &str, def: &Value, obj: &Map<String, Value>) {
        let count = |names: &Value| {
            names.as_array().map_or(0, |n| {
                n.iter().filter(|n| n.as_str().is_some_and(|n| obj.contains_key(n))).count()
            })
        };
        let c = &def["constraints"];
        if !c["at_least_one"].is_null() && count(&c["at_least_one"]) == 0 {
            self.problems.push(format!("{path}: none of {}", c["at_least_one"]));
        }
        if !c["just_one"].is_null() && count(&c["just_one"]) != 1 {
            self.problems.push(format!("{path}: not exactly one of {}", c["just_one"]));
        }
    }

    /// One attribute: array or not as declared, each item of the declared type; an enum
    /// attribute (`*_id`) holds a declared value and its sibling caption attribute names it.
    fn attribute(
        &mut self,
        path: &str,
        a: &Value,
        v: &Value,
        obj: &Map<String, Value>,
        name: &str,
    ) {
        let items: Vec<&Value> = match (a["is_array"] == true, v) {
            (true, Value::Array(items)) => items.iter().collect(),
            (true, _) => return self.problems.push(format!("{path}: {v} should be an array")),
            (false, Value::Array(_)) => {
                return self.problems.push(format!("{path}: {v} should not be an array"))
            }
            (false, v) => vec![v],
        };
        let ty = a["type"].as_str().expect("attribute type");
        for (i, item) in items.iter().enumerate() {
            let p = if a["is_array"] == true { format!("{path}[{i}]") } else { path.to_string() };
            if ty == "object_t" {
                let object = a["object_type"].as_str().expect("object_type");
                let def = &self.schema["objects"][object];
                if def.is_null() {
                    self.problems
                        .push(format!("{p}: object {object} is not in the vendored export"));
                    continue;
                }
                self.object(&p, def, item);
            } else if !self.has_type(ty, item) {
                self.problems.push(format!("{p}: {item} is not of type {ty}"));
            }
        }
        if let (Some(values), Some(id)) = (a["enum"].as_object(), v.as_i64()) {
            match values.get(&id.to_string()) {
                None => self.problems.push(format!("{path}: {id} is not one of its enum values")),
                Some(e) => {
                    let sibling = name.strip_suffix("_id").unwrap_or(name);
                    // 99 (Other) carries the source's own word instead of the caption.
                    if let (Some(caption), true) = (obj.get(sibling), id != 99 && sibling != name) {
                        if *caption != e["caption"] {
                            self.problems.push(format!(
                                "{path}: {id} is {} but {sibling} is {caption}",
                                e["caption"]
                            ));
                        }
                    }
                }
            }
        }
    }

    /// Whether `v` is a value of OCSF type `ty` (a derived type is checked as its base type,
    /// and the derived types the form uses by their own syntax too).
    fn has_type(&self, ty: &str, v: &Value) -> bool {
        let base = self.schema["types"][ty]["type"].as_str().unwrap_or(ty);
        let own = match (ty, v) {
            ("ip_t", Value::String(s)) => s.parse::<IpAddr>().is_ok(),
            ("timestamp_t", Value::Number(n)) => n.as_i64().is_some_and(|t| t >= 0),
            ("datetime_t", Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            _ => true,
        };
        let max_len = self.schema["types"][ty]["max_len"].as_u64();
        let fits = match (max_len, v) {
            (Some(max), Value::String(s)) => s.len() as u64 <= max,
            _ => true,
        };
        own && fits
            && match (base, v) {
                ("string_t", Value::String(_)) => true,
                ("integer_t", Value::Number(n)) => {
                    n.as_i64().is_some_and(|i| i32::try_from(i).is_ok())
                }
                ("long_t", Value::Number(n)) => n.is_i64() || n.is_u64(),
                ("float_t", Value::Number(_)) => true,
                ("boolean_t", Value::Bool(_)) => true,
                ("json_t", _) => true,
                _ => false,
            }
    }
}

#[test]
fn ocsf_attributes_have_their_declared_types_at_every_depth() {
    let schema = export();
    assert_eq!(schema["version"], OCSF_VERSION, "the vendored export is of another version");
    let class = &schema["classes"]["detection_finding"];
    for a in siem_alerts::alerts() {
        let doc = a.to_ocsf();
        let mut check = Check::new(&schema, &doc);
        check.object("detection_finding", class, &doc);
        assert!(check.problems.is_empty(), "{}:\n{}", a.entity.id, check.problems.join("\n"));
        assert!(check.checked >= 40, "only {} attributes checked", check.checked);
    }
}

#[test]
fn the_type_check_finds_a_wrong_type_a_missing_requirement_and_an_undeclared_attribute() {
    let schema = export();
    let class = &schema["classes"]["detection_finding"];
    let mut doc = siem_alerts::alerts()[0].to_ocsf();
    doc["time"] = Value::from("2026-10-07T09:00:00Z");
    doc["finding_info"]["attacks"][0]["technique"] = Value::from("T1213");
    doc["metadata"]["product"].as_object_mut().unwrap().clear();
    doc["metadata"].as_object_mut().unwrap().remove("version");
    doc["severity"] = Value::from("Fatal");
    doc["evidences"][0]["actor"]["user"]["nickname"] = Value::from("m");
    let mut check = Check::new(&schema, &doc);
    check.object("detection_finding", class, &doc);
    let all = check.problems.join("\n");
    for expected in [
        "detection_finding.time: \"2026-10-07T09:00:00Z\" is not of type timestamp_t",
        "detection_finding.finding_info.attacks[0].technique: \"T1213\" is not an object",
        "detection_finding.metadata.product: none of",
        "detection_finding.metadata: required attribute version missing",
        "detection_finding.severity_id: ",
        "detection_finding.evidences[0].actor.user.nickname is not an attribute of user",
    ] {
        assert!(all.contains(expected), "{expected:?} not found in:\n{all}");
    }
}
