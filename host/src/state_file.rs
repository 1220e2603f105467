//! `--state FILE`: checked before any work, read at the start, written atomically at the end.
//! Every message names the `--state` path the user gave.

use crate::fail::usage;
use crate::replace_file::{replace, tmp_path};
use anyhow::{Context, Result};
use std::fs::OpenOptions;
use std::path::Path;

/// Checks that `path` can hold a state file, so a long replay never ends in a lost state:
/// not a directory, in a directory that exists and can be written.
pub fn check(path: &Path) -> Result<()> {
    let shown = path.display();
    if path.is_dir() {
        return Err(usage(format!("--state {shown}: is a directory; give a file path")));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(usage(format!(
            "--state {shown}: the directory {} does not exist",
            dir.display()
        )));
    }
    let tmp = tmp_path(path);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&tmp)
        .with_context(|| format!("--state {shown}: cannot write in {}", dir.display()))?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

/// The saved state, when the file exists.
pub fn load(path: &Path) -> Result<Option<Vec<u8>>> {
    if !path.exists() {
        return Ok(None);
    }
    std::fs::read(path)
        .map(Some)
        .with_context(|| format!("--state {}: cannot read", path.display()))
}

/// Replaces the state file whole, so a crash never leaves half a state.
pub fn save(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes)
        .with_context(|| format!("--state {}: cannot save the state", path.display()))
}
