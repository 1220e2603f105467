//! Builds the wasm modules the cross-host tests load (the Fluent Bit and proxy-wasm modules),
//! so a plain `cargo test` needs no earlier step. With `WIKIWATCH_WASM_DIR` set (the full test
//! run builds every artifact once with `scripts/build-wasm.sh`), nothing is built here.

use std::env;
use std::fs;
use std::path::PathBuf;
use wikiwatch_build::{build, workspace_root, Guest};

const MODULES: [&str; 2] = ["wikiwatch-fluent-bit", "wikiwatch-proxy-wasm"];

fn main() {
    println!("cargo:rerun-if-env-changed=WIKIWATCH_WASM_DIR");
    if env::var_os("WIKIWATCH_WASM_DIR").is_some_and(|v| !v.is_empty()) {
        return;
    }
    let root = workspace_root();
    for dir in ["filter/core/src", "filter/fluent-bit", "filter/proxy-wasm", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("wasm");
    fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    for package in MODULES {
        let module = build(&Guest { package, target: "wasm32-wasip1", rustflags: Vec::new() });
        let name = module.file_name().expect("a module file name");
        fs::copy(&module, out.join(name))
            .unwrap_or_else(|e| panic!("{} -> {}: {e}", module.display(), out.display()));
    }
    println!("cargo:rustc-env=WIKIWATCH_BUILT_WASM_DIR={}", out.display());
}
