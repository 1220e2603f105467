//! What the build scripts of the CLI (`host/build.rs`) and of the cross-host tests
//! (`tests/build.rs`) share: building a wasm guest of this workspace with a nested cargo.
//!
//! A fresh clone must build with nothing but a stock toolchain, and many machines run rustup
//! with `RUSTUP_AUTO_INSTALL=0`, which leaves the targets `rust-toolchain.toml` lists
//! uninstalled. So a missing target is installed here with `rustup target add` (announced as a
//! cargo warning), and a machine without rustup gets a message saying what to install.
#![forbid(unsafe_code)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment of the outer build that belongs to the host, never to a guest.
const HOST_ONLY_ENV: [&str; 9] = [
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
];

/// One guest crate to build.
#[derive(Debug, Clone)]
pub struct Guest<'a> {
    /// Cargo package name.
    pub package: &'a str,
    /// Rust target triple (`wasm32-unknown-unknown`, `wasm32-wasip1`).
    pub target: &'a str,
    /// Extra rustc arguments (e.g. target features).
    pub rustflags: Vec<String>,
}

/// The workspace root, from a member's `CARGO_MANIFEST_DIR`.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Builds `guest` (library, profile `wasm`) in `target/guest/` and returns the `.wasm` path.
///
/// The separate target dir keeps the nested cargo from waiting on the outer build's lock.
/// Panics with a message that says what to do when the build cannot succeed.
pub fn build(guest: &Guest<'_>) -> PathBuf {
    let root = workspace_root();
    ensure_target(guest.target, &root);
    let target_dir = root.join("target").join("guest");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "-p", guest.package, "--lib", "--target", guest.target])
        .args(["--profile", "wasm", "--target-dir"])
        .arg(&target_dir);
    for var in HOST_ONLY_ENV {
        cmd.env_remove(var);
    }
    if !guest.rustflags.is_empty() {
        cmd.env("CARGO_ENCODED_RUSTFLAGS", guest.rustflags.join("\x1f"));
    }
    let status =
        cmd.status().unwrap_or_else(|e| panic!("cannot run cargo to build {}: {e}", guest.package));
    assert!(
        status.success(),
        "building {} for {} failed (cargo's output is above)",
        guest.package,
        guest.target
    );
    target_dir
        .join(guest.target)
        .join("wasm")
        .join(format!("{}.wasm", guest.package.replace('-', "_")))
}

/// rustc arguments kept one per line, with `#` comments, in a file of the workspace.
pub fn rustflags_file(root: &Path, relative: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Makes sure the toolchain building us has the standard library for `target`.
fn ensure_target(target: &str, root: &Path) {
    if has_target(target) {
        return;
    }
    println!(
        "cargo:warning=installing the Rust target {target} (`rustup target add {target}`): \
         the wasm modules are built for it"
    );
    let mut cmd = Command::new("rustup");
    cmd.current_dir(root).args(["target", "add", target]);
    // rustup tells its proxies which toolchain they run; install into that one.
    if let Some(toolchain) = env::var_os("RUSTUP_TOOLCHAIN") {
        cmd.arg("--toolchain").arg(toolchain);
    }
    match cmd.status() {
        Ok(s) if s.success() && has_target(target) => {}
        Ok(s) => panic!(
            "`rustup target add {target}` failed ({s}); install the target by hand, or set \
             WIKIWATCH_COMPONENT / WIKIWATCH_WASM_DIR to prebuilt modules"
        ),
        Err(e) => panic!(
            "the Rust target {target} is not installed and rustup cannot be run ({e}): install \
             the standard library for {target} with your toolchain's installer (with rustup: \
             `rustup target add {target}`), or set WIKIWATCH_COMPONENT / WIKIWATCH_WASM_DIR to \
             prebuilt modules"
        ),
    }
}

/// Whether the sysroot of the rustc cargo hands build scripts has `target`'s libraries.
fn has_target(target: &str) -> bool {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot).join("lib/rustlib").join(target).join("lib").is_dir()
}
