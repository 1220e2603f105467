//! Shared helpers of the cross-host tests: where the built artifacts and fixtures are.

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// A wasm artifact built by `scripts/build-wasm.sh` (into `target/wasm/`, or `$WIKIWATCH_WASM_DIR`).
/// Panics with the command to run when it is missing: a test must not pass without its artifact.
pub fn artifact(name: &str) -> PathBuf {
    let dir = std::env::var_os("WIKIWATCH_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/wasm"));
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-wasm.sh first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A file under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}
