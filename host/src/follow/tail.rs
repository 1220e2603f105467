//! One followed file: where it is, which file it is (device, inode and a fingerprint of its
//! first bytes, so a reused inode is not taken for the old file), how far it was read, and
//! what happened to it since (grown, truncated in place, renamed away).

use serde::{Deserialize, Serialize};
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use wikiwatch_core::Format;
use xxhash_rust::xxh3::xxh3_64;

/// Bytes at the start of a file that identify it beside its inode.
const FINGERPRINT: usize = 1024;
/// Most bytes read from one file in one poll, so one huge backlog cannot starve the others.
pub const CHUNK: usize = 1 << 20;

/// A file's identity on its filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileId {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

impl FileId {
    /// The identity in `meta`.
    pub fn of(meta: &Metadata) -> FileId {
        FileId { dev: meta.dev(), ino: meta.ino() }
    }
}

/// What the state file keeps of a followed file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Position {
    /// Where it was last seen.
    pub path: PathBuf,
    /// Its identity.
    pub id: FileId,
    /// Length and hash of the first bytes it had when last read.
    pub fp_len: u32,
    /// See `fp_len`.
    pub fp_hash: u64,
    /// Bytes consumed (always at a line boundary).
    pub offset: u64,
    /// Lines consumed, blank ones included (for `FILE:LINE` in messages).
    pub line_no: u64,
    /// Its path named another file already: it is looked for by identity only.
    #[serde(default)]
    pub renamed: bool,
}

/// A file being followed.
#[derive(Debug)]
pub struct Tail {
    /// Where it is now.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
    file: File,
    /// Its identity.
    pub id: FileId,
    fp_len: u32,
    fp_hash: u64,
    /// Bytes consumed.
    pub offset: u64,
    /// Lines consumed.
    pub line_no: u64,
    /// Its path names another file now (or none): read it to the end, then let it go.
    pub renamed: bool,
    /// Polls in a row that found nothing new since it was renamed.
    pub idle: u32,
    /// Its index in the summary's inputs.
    pub input: usize,
}

/// Complete lines read from a file in one poll.
#[derive(Debug, Default)]
pub struct Lines {
    /// Lines, each ending in `\n` (blank lines and `\r` dropped).
    pub buf: Vec<u8>,
    /// The 1-based line number of each.
    pub line_nos: Vec<u64>,
}

impl Tail {
    /// Opens `path` to read from `offset` (line `line_no`).
    pub fn open(
        path: &Path,
        format: Format,
        offset: u64,
        line_no: u64,
        input: usize,
    ) -> io::Result<Tail> {
        let file = File::open(path)?;
        let id = FileId::of(&file.metadata()?);
        let (fp_len, fp_hash) = fingerprint(&file)?;
        Ok(Tail {
            path: path.to_path_buf(),
            format,
            file,
            id,
            fp_len,
            fp_hash,
            offset,
            line_no,
            renamed: false,
            idle: 0,
            input,
        })
    }

    /// Opens the file a saved position describes, when `path` is still that file (same
    /// identity, same first bytes, not shorter than what was read).
    pub fn resume(
        pos: &Position,
        path: &Path,
        format: Format,
        input: usize,
    ) -> io::Result<Option<Tail>> {
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if FileId::of(&meta) != pos.id || meta.len() < pos.offset {
            return Ok(None);
        }
        let mut head = vec![0u8; pos.fp_len as usize];
        file.read_exact_at(&mut head, 0)?;
        if xxh3_64(&head) != pos.fp_hash {
            return Ok(None);
        }
        let mut t = Tail::open(path, format, pos.offset, pos.line_no, input)?;
        t.id = pos.id;
        Ok(Some(t))
    }

    /// What to keep in the state file.
    pub fn position(&self) -> Position {
        Position {
            path: self.path.clone(),
            id: self.id,
            fp_len: self.fp_len,
            fp_hash: self.fp_hash,
            offset: self.offset,
            line_no: self.line_no,
            renamed: self.renamed,
        }
    }

    /// Whether the file was truncated or rewritten in place since it was read (copy-truncate
    /// rotation): shorter than what was read, or other first bytes.
    pub fn truncated(&self) -> io::Result<bool> {
        let len = self.file.metadata()?.len();
        if len < self.offset {
            return Ok(true);
        }
        let mut head = vec![0u8; self.fp_len as usize];
        if len < u64::from(self.fp_len) {
            return Ok(true);
        }
        self.file.read_exact_at(&mut head, 0)?;
        Ok(xxh3_64(&head) != self.fp_hash)
    }

    /// Starts the file over from its first byte.
    pub fn restart(&mut self) -> io::Result<()> {
        self.offset = 0;
        self.line_no = 0;
        (self.fp_len, self.fp_hash) = fingerprint(&self.file)?;
        Ok(())
    }

    /// Bytes written but not read yet.
    pub fn behind(&self) -> u64 {
        self.file.metadata().map(|m| m.len().saturating_sub(self.offset)).unwrap_or(0)
    }

    /// Reads the complete lines written since the last call (at most about [`CHUNK`] bytes),
    /// appending them to `out`. A line still being written stays for the next poll.
    pub fn read(&mut self, out: &mut Lines) -> io::Result<usize> {
        let len = self.file.metadata()?.len();
        if len <= self.offset {
            return Ok(0);
        }
        let want = (len - self.offset).min(CHUNK as u64) as usize;
        let mut raw = vec![0u8; want];
        let mut got = 0;
        while got < want {
            match self.file.read_at(&mut raw[got..], self.offset + got as u64)? {
                0 => break,
                n => got += n,
            }
        }
        raw.truncate(got);
        let Some(last_nl) = raw.iter().rposition(|&b| b == b'\n') else {
            // One line longer than a chunk is taken whole rather than never.
            if got == CHUNK {
                raw.push(b'\n');
                return Ok(self.take(&raw, got, out));
            }
            return Ok(0);
        };
        Ok(self.take(&raw[..=last_nl], last_nl + 1, out))
    }

    /// Consumes `consumed` bytes whose complete lines are `raw`.
    fn take(&mut self, raw: &[u8], consumed: usize, out: &mut Lines) -> usize {
        let mut n = 0;
        for line in raw.split_inclusive(|&b| b == b'\n') {
            self.line_no += 1;
            let mut end = line.len();
            while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            let line = &line[..end];
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.buf.extend_from_slice(line);
            out.buf.push(b'\n');
            out.line_nos.push(self.line_no);
            n += 1;
        }
        self.offset += consumed as u64;
        if (self.fp_len as usize) < FINGERPRINT {
            if let Ok(fp) = fingerprint(&self.file) {
                (self.fp_len, self.fp_hash) = fp;
            }
        }
        n
    }
}

/// Length and hash of the first bytes of `file`.
fn fingerprint(file: &File) -> io::Result<(u32, u64)> {
    let mut head = vec![0u8; FINGERPRINT];
    let mut got = 0;
    while got < FINGERPRINT {
        match file.read_at(&mut head[got..], got as u64)? {
            0 => break,
            n => got += n,
        }
    }
    head.truncate(got);
    Ok((got as u32, xxh3_64(&head)))
}
