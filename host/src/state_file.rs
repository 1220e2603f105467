//! `--state FILE`: checked before any work, read at the start, written atomically at the end.
//! Every message names the `--state` path the user gave.

use crate::fail::usage;
use anyhow::{Context, Result};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

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

/// Writes next to `path` and renames over it, so a crash never leaves half a file.
pub fn save(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("--state {}: cannot save the state", path.display()))
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".tmp");
    tmp
}
