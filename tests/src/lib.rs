//! Shared helpers of the cross-host tests: where the built artifacts and fixtures are.

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// Where the wasm artifacts are: `$WIKIWATCH_WASM_DIR` (the full test run builds every artifact
/// there once with `scripts/build-wasm.sh`), else what this crate's build script built.
fn artifact_dir() -> Option<PathBuf> {
    std::env::var_os("WIKIWATCH_WASM_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| option_env!("WIKIWATCH_BUILT_WASM_DIR").map(PathBuf::from))
}

/// A wasm artifact. Panics when it is missing: a test must not pass without its artifact.
pub fn artifact(name: &str) -> PathBuf {
    let path = artifact_dir().unwrap_or_else(|| root().join("target/wasm")).join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-wasm.sh first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// An artifact that only the full build makes (the wasm-bindgen packages need
/// `wasm-bindgen-cli`): `None`, with a note on stderr, when a plain `cargo test` runs without
/// `$WIKIWATCH_WASM_DIR`. Under `scripts/test.sh` it must exist.
pub fn full_build_artifact(name: &str) -> Option<PathBuf> {
    if std::env::var_os("WIKIWATCH_WASM_DIR").is_some_and(|v| !v.is_empty()) {
        return Some(artifact(name));
    }
    let path = root().join("target/wasm").join(name);
    if path.exists() {
        return Some(path);
    }
    eprintln!("skipped: {name} is built by scripts/build-wasm.sh (scripts/test.sh runs this test)");
    None
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}
