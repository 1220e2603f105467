//! `examples/envoy/kong.yml` as Kong renders it into nginx directives:
//!
//! - each `nginx_wasm_shm_kv_<name> = <size>` line of its kong.conf becomes `shm_kv <name> <size>;`
//!   and any other `nginx_wasm_<directive> = <value>` becomes `<directive> <value>;` in the
//!   `wasm {}` block (Kong's conf_loader prefixes and templates/nginx.lua);
//! - each filter of `wasm_filters_path` becomes `module <name> <path>/<name>.wasm;`;
//! - the filter chain, which Kong attaches to the route from Lua in the access phase (its
//!   locations set `proxy_wasm_request_headers_in_access on`), is the `proxy_wasm <name>
//!   '<config>';` directive with the same configuration: this nginx has no Lua.

use std::path::Path;

/// The directives Kong writes for the example.
#[derive(Debug)]
pub struct Rendered {
    /// The `wasm {}` block.
    pub wasm: String,
    /// The filter's name (its file name without `.wasm`).
    pub filter: String,
    /// The filter's configuration, exactly as the filter chain gives it.
    pub config: String,
}

/// Renders `yml` (the example's text) with `filters_path` as `wasm_filters_path`.
pub fn render(yml: &str, filters_path: &Path) -> Rendered {
    let mut wasm = String::from("wasm {\n");
    let (mut kv, mut other) = (Vec::new(), Vec::new());
    for line in yml.lines() {
        // kong.conf settings, written in the example's header comment as `#   key = value`.
        let Some(setting) = line.strip_prefix('#') else { continue };
        let setting = setting.split(" #").next().unwrap_or("").trim();
        let Some((key, value)) = setting.split_once('=') else { continue };
        let (key, value) = (key.trim(), value.trim());
        if let Some(name) = key.strip_prefix("nginx_wasm_shm_kv_") {
            kv.push(format!("    shm_kv {name} {value};\n"));
        } else if let Some(directive) = key.strip_prefix("nginx_wasm_") {
            other.push(format!("    {directive} {value};\n"));
        }
    }
    let filter = filter_name(yml);
    // Kong's template order: shm_kv zones, modules, then the other injected directives.
    wasm.extend(kv);
    wasm.push_str(&format!("    module {filter} {}/{filter}.wasm;\n", filters_path.display()));
    wasm.extend(other);
    wasm.push_str("}\n");
    Rendered { wasm, filter, config: filter_config(yml) }
}

/// The `name:` of the first entry under `filters:`.
fn filter_name(yml: &str) -> String {
    let mut lines = yml.lines().skip_while(|l| l.trim() != "filters:");
    lines
        .find_map(|l| l.trim().strip_prefix("- name:").map(|n| n.trim().to_string()))
        .expect("kong.yml: a filter under filters:")
}

/// The folded (`>-`) `config:` scalar of that filter: its lines joined by single spaces.
fn filter_config(yml: &str) -> String {
    let lines: Vec<&str> = yml.lines().collect();
    let at = lines.iter().position(|l| l.trim() == "config: >-").expect("kong.yml: config: >-");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[at]);
    lines[at + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > own)
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
