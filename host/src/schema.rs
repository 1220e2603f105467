//! The config's JSON Schema, generated from the types the detector parses the config into
//! (`wikiwatch-core`'s `Config`, the proxy module's `proxy` section and the Fluent Bit module's
//! `fluent_bit` section), so it cannot drift from what the hosts accept. Shipped as `docs/config.schema.json` and, wrapped for Kong, as
//! `examples/envoy/wikiwatch_proxy_wasm.meta.json`; tests keep both equal to this output.
//!
//! It is written in JSON Schema draft 4, the draft Kong validates filter configurations with,
//! which every other validator reads too.

use schemars::generate::SchemaSettings;
use serde_json::{json, Value};
use wikiwatch_core::{Config, RuleId};
use wikiwatch_fluent_bit::settings::FluentBitSettings;
use wikiwatch_proxy_wasm::settings::ProxySettings;

/// Where a draft-4 schema says which draft it is.
const DRAFT4: &str = "http://json-schema.org/draft-04/schema#";

/// The schema of a config file: what every host takes, plus the sections that only one host
/// acts on, `proxy` and `fluent_bit` (the other hosts refuse them, as they refuse any key they
/// do not know, except that the CLI checks and leaves `fluent_bit`).
pub fn config_schema() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let proxy = generator.subschema_for::<ProxySettings>();
    let fluent_bit = generator.subschema_for::<FluentBitSettings>();
    let mut schema = generator.into_root_schema_for::<Config>().to_value();
    // A host's section: its type's schema, said to be that host's alone.
    let section =
        |description: &str, schema| json!({ "description": description, "allOf": [schema] });
    let proxy = section(
        "Read only by the proxy-wasm module (Envoy, Kong): how it finds the client, session and \
         user, and what it does with alerts. The CLI, Fluent Bit and the browser module refuse a \
         config that has it.",
        proxy,
    );
    let fluent_bit = section(
        "Read only by the Fluent Bit module: which records it annotates. The CLI checks it and \
         leaves it; the proxy and the browser module refuse a config that has it.",
        fluent_bit,
    );
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert("proxy".into(), proxy);
        props.insert("fluent_bit".into(), fluent_bit);
        // Draft 4 has no `propertyNames`: the rule names are listed, and no other key is.
        if let Some(rules) = props.get_mut("rules").and_then(Value::as_object_mut) {
            let per_rule = rules.remove("additionalProperties").unwrap_or(Value::Bool(true));
            let named = RuleId::ALL.iter().map(|r| (r.as_str().to_string(), per_rule.clone()));
            rules.insert("properties".into(), Value::Object(named.collect()));
            rules.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    let object = schema.as_object_mut().expect("a root schema is an object");
    object.insert("$schema".into(), DRAFT4.into());
    object.insert("title".into(), "wikiwatch configuration".into());
    object.insert(
        "description".into(),
        "The config JSON every wikiwatch host takes (docs/config.md).".into(),
    );
    to_draft4(&mut schema);
    schema
}

/// Kong's filter metadata (`<filter>.meta.json` beside the module in `wasm_filters_path`):
/// Kong validates a filter chain's configuration against its `config_schema`.
pub fn kong_meta() -> Value {
    json!({ "config_schema": config_schema() })
}

/// Pretty JSON with a final newline, as the shipped files hold it.
pub fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Rewrites the few draft-7 forms schemars writes into their draft-4 equivalents.
fn to_draft4(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(c) = o.remove("const") {
                o.insert("enum".into(), Value::Array(vec![c]));
            }
            // Integer formats (`uint32`, `uint64`, `double`) are not draft-4 formats: Kong's
            // validator ignores them at best, so the bounds are said by `minimum` alone.
            if o.get("format").and_then(Value::as_str).is_some_and(|f| !is_draft4_format(f)) {
                o.remove("format");
            }
            for (_, child) in o.iter_mut() {
                to_draft4(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(to_draft4),
        _ => {}
    }
}

fn is_draft4_format(f: &str) -> bool {
    ["date-time", "email", "hostname", "ipv4", "ipv6", "uri"].contains(&f)
}
