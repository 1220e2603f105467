//! `examples/envoy/kong.yml` as Kong renders it into nginx directives:
//!
//! - kong.conf keys are claimed by the first of Kong's `nginx_wasm_*` namespaces whose prefix
//!   they carry, in Kong's order (`kong/conf_loader/constants.lua`, `DYNAMIC_KEY_NAMESPACES`):
//!   `nginx_wasm_wasmtime_`, `nginx_wasm_v8_`, `nginx_wasm_wasmer_` become `flag <name> <value>;`
//!   in that runtime's block, `nginx_wasm_shm_kv_<name> = <size>` becomes `shm_kv <name> <size>;`,
//!   and any other `nginx_wasm_<directive> = <value>` is copied as `<directive> <value>;` into
//!   `wasm {}` unchanged (so `nginx_wasm_shm_queue_x = 16m` renders `shm_queue_x 16m;`, which
//!   nginx refuses);
//! - `kong/templates/nginx.lua` writes the `wasm {}` block as shm_kv zones, one
//!   `module <name> <path>/<name>.wasm;` per filter of `wasm_filters_path`, the other directives,
//!   then the runtime blocks;
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

/// Kong's wasm namespaces in the order it claims keys: the runtime blocks, shm_kv, the rest.
const RUNTIMES: [&str; 3] = ["wasmtime", "v8", "wasmer"];

/// Renders `yml` (the example's text) with `filters_path` as `wasm_filters_path`.
pub fn render(yml: &str, filters_path: &Path) -> Rendered {
    let (mut kv, mut other) = (String::new(), String::new());
    let mut runtimes: [String; 3] = Default::default();
    for (key, value) in kong_conf(yml) {
        // Kong matches `<prefix>(.+)`: a key claimed by an earlier namespace is not seen again.
        let claimed = RUNTIMES.iter().enumerate().find_map(|(i, rt)| {
            key.strip_prefix(&format!("nginx_wasm_{rt}_")).filter(|n| !n.is_empty()).map(|n| (i, n))
        });
        if let Some((i, flag)) = claimed {
            runtimes[i].push_str(&format!("        flag {flag} {value};\n"));
        } else if let Some(name) = key.strip_prefix("nginx_wasm_shm_kv_").filter(|n| !n.is_empty())
        {
            kv.push_str(&format!("    shm_kv {name} {value};\n"));
        } else if let Some(directive) = key.strip_prefix("nginx_wasm_").filter(|n| !n.is_empty()) {
            other.push_str(&format!("    {directive} {value};\n"));
        }
    }
    let filter = filter_name(yml);
    let mut wasm = format!("wasm {{\n{kv}");
    wasm.push_str(&format!("    module {filter} {}/{filter}.wasm;\n", filters_path.display()));
    wasm.push_str(&other);
    for (rt, flags) in RUNTIMES.iter().zip(&runtimes).filter(|(_, f)| !f.is_empty()) {
        wasm.push_str(&format!("    {rt} {{\n{flags}    }}\n"));
    }
    wasm.push_str("}\n");
    Rendered { wasm, filter, config: filter_config(yml) }
}

/// The kong.conf settings the example's header comment gives as `#   key = value`, in order.
/// kong.conf ends a value at an unescaped `#`, so a trailing comment is not part of it.
pub fn kong_conf(yml: &str) -> Vec<(String, String)> {
    yml.lines()
        .map_while(|l| l.strip_prefix('#'))
        .filter_map(|setting| {
            let setting = setting.split('#').next().unwrap_or("").trim();
            let (key, value) = setting.split_once('=')?;
            let key = key.trim();
            let plain = !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            plain.then(|| (key.to_string(), value.trim().to_string()))
        })
        .collect()
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
