//! Embeds the detector component in the `wikiwatch` binary.
//!
//! With `WIKIWATCH_COMPONENT=path/to/component.wasm` (what `scripts/build-wasm.sh` builds, so
//! the full test run builds the component once), that file is embedded. Otherwise this script
//! builds the guest itself (`wikiwatch-component` for `wasm32-unknown-unknown`, installing the
//! target when it is missing) and wraps it into a component with `wit-component`. A fresh clone
//! then needs no extra step.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use wikiwatch_build::{build, rustflags_file, workspace_root, Guest};

/// rustc arguments of the guest, one per line, `#` comments (shared with
/// `scripts/build-wasm.d/10-component.sh`).
const GUEST_FLAGS: &str = "filter/component/guest-rustflags";

fn main() {
    let root = workspace_root();
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("wikiwatch_component.wasm");

    println!("cargo:rerun-if-env-changed=WIKIWATCH_COMPONENT");
    if let Some(given) = env::var_os("WIKIWATCH_COMPONENT").filter(|v| !v.is_empty()) {
        let given = PathBuf::from(given);
        println!("cargo:rerun-if-changed={}", given.display());
        let bytes = fs::read(&given)
            .unwrap_or_else(|e| panic!("WIKIWATCH_COMPONENT={}: {e}", given.display()));
        write_component(&bytes, &given, &out);
        return;
    }

    for dir in [
        "wit",
        "filter/core/src",
        "filter/core/Cargo.toml",
        "filter/component/src",
        "filter/component/Cargo.toml",
        GUEST_FLAGS,
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let module = build(&Guest {
        package: "wikiwatch-component",
        target: "wasm32-unknown-unknown",
        rustflags: rustflags_file(&root, GUEST_FLAGS),
    });
    let bytes = fs::read(&module).unwrap_or_else(|e| panic!("{}: {e}", module.display()));
    write_component(&bytes, &module, &out);
}

/// Writes `bytes` to `out`, first wrapping a core module into a component.
fn write_component(bytes: &[u8], from: &Path, out: &Path) {
    // A core module has binary version 1; a component has its own layer/version bytes.
    let is_core_module = bytes.get(4..8) == Some(&[1, 0, 0, 0]);
    let component = if is_core_module {
        wit_component::ComponentEncoder::default()
            .module(bytes)
            .and_then(|enc| enc.validate(true).encode())
            .unwrap_or_else(|e| panic!("{}: cannot make a component: {e:#}", from.display()))
    } else {
        bytes.to_vec()
    };
    fs::write(out, component).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
