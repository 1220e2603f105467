//! Files replaced whole: written beside their path, then renamed over it, so neither a crash
//! nor a reader (a textfile collector, another host loading the state) ever sees half a file.

use std::io;
use std::path::{Path, PathBuf};

/// Replaces `path` with `bytes`.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = tmp_path(path);
    std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path))
}

/// Where `path`'s next content is written first: `path` with `.tmp` added, in the same
/// directory (a rename does not cross file systems), under a name a `*.prom` collector skips.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut tmp = PathBuf::from(path);
    tmp.as_mut_os_string().push(".tmp");
    tmp
}
