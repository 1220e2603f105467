//! Embeds the detector component in the `wikiwatch` binary.
//!
//! With `WIKIWATCH_COMPONENT=path/to/component.wasm` (what `scripts/build-wasm.sh` builds, used
//! by CI so the component is built once), that file is embedded. Otherwise this script builds
//! the guest itself (`wikiwatch-component` for `wasm32-unknown-unknown`, profile `wasm`) in a
//! separate target dir, so the nested cargo never waits on the outer build's lock, and wraps it
//! into a component with `wit-component`. A fresh clone then needs no extra step.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const GUEST_TARGET: &str = "wasm32-unknown-unknown";
/// rustc arguments of the guest, one per line, `#` comments (shared with
/// `scripts/build-wasm.d/10-component.sh`).
const GUEST_FLAGS: &str = "filter/component/guest-rustflags";

fn main() {
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.parent().expect("host/ has a parent").to_path_buf();
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
    let target_dir = root.join("target").join("guest");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args([
            "build",
            "-p",
            "wikiwatch-component",
            "--lib",
            "--target",
            GUEST_TARGET,
            "--profile",
            "wasm",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's settings are for the host, not for the guest.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let flags =
        fs::read_to_string(root.join(GUEST_FLAGS)).unwrap_or_else(|e| panic!("{GUEST_FLAGS}: {e}"));
    let flags: Vec<&str> =
        flags.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    cmd.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
    let status = cmd.status().expect("run cargo to build the wikiwatch component");
    assert!(
        status.success(),
        "building the wikiwatch component for {GUEST_TARGET} failed (cargo's output is above; \
         a missing target is installed by `rustup target add {GUEST_TARGET}`)"
    );
    let module = target_dir.join(GUEST_TARGET).join("wasm").join("wikiwatch_component.wasm");
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
