//! Inputs: files, stdin, gzip, per-input formats, and line reading with line numbers.

use crate::fail::usage;
use anyhow::{Context, Result};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use wikiwatch_core::Format;

/// One input named on the command line.
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// How messages name it (the path, or `<stdin>`).
    pub label: String,
    /// The file; `None` for stdin.
    pub path: Option<PathBuf>,
    /// Its format.
    pub format: Format,
}

/// Parses a `--format` value (exit 2 on an unknown name).
pub fn parse_format(s: &str) -> Result<Format> {
    s.parse::<Format>().map_err(|e| usage(format!("--format: {e}")))
}

/// Parses the input arguments: `-` is stdin, `FORMAT:PATH` gives one input its own format
/// (unless a file of that whole name exists).
pub fn parse_inputs(args: &[String], default: Format) -> Result<Vec<InputSpec>> {
    let mut specs = Vec::with_capacity(args.len());
    for arg in args {
        let (format, name) = match arg.split_once(':') {
            Some((prefix, rest)) if !Path::new(arg).exists() && !rest.is_empty() => {
                match prefix.parse::<Format>() {
                    Ok(f) => (f, rest),
                    Err(_) => (default, arg.as_str()),
                }
            }
            _ => (default, arg.as_str()),
        };
        let spec = if name == "-" {
            InputSpec { label: "<stdin>".into(), path: None, format }
        } else {
            InputSpec { label: name.to_string(), path: Some(PathBuf::from(name)), format }
        };
        specs.push(spec);
    }
    if specs.iter().filter(|s| s.path.is_none()).count() > 1 {
        return Err(usage("stdin (`-`) can be named only once"));
    }
    Ok(specs)
}

/// Total size of the named files (for a progress bar); `None` when stdin is among them.
pub fn total_bytes(specs: &[InputSpec]) -> Option<u64> {
    specs.iter().try_fold(0u64, |acc, s| {
        let len = std::fs::metadata(s.path.as_ref()?).ok()?.len();
        Some(acc + len)
    })
}

/// Counts raw bytes read (before gunzip) for the progress bar.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one input line by line; gzip is detected by its magic bytes, not the name. An input
/// that had to be put in time order first is read from memory (see `order.rs`).
pub struct LineReader {
    reader: Box<dyn BufRead>,
    buf: Vec<u8>,
    /// Lines already read and sorted, with their line numbers, handed out last first.
    sorted: Option<Vec<(u64, Vec<u8>)>>,
    /// 1-based number of the line last returned.
    pub line_no: u64,
    /// Lines returned so far (blank lines are skipped and not counted).
    pub lines: u64,
}

impl std::fmt::Debug for LineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LineReader").field("line_no", &self.line_no).finish()
    }
}

impl LineReader {
    /// Opens `spec`; `progress` counts raw bytes read.
    pub fn open(spec: &InputSpec, progress: Arc<AtomicU64>) -> Result<LineReader> {
        let raw: Box<dyn Read> = match &spec.path {
            Some(p) => {
                Box::new(File::open(p).with_context(|| format!("cannot open {}", p.display()))?)
            }
            None => Box::new(io::stdin()),
        };
        let mut raw = BufReader::with_capacity(1 << 16, Counting { inner: raw, count: progress });
        let head = raw.fill_buf().with_context(|| format!("cannot read {}", spec.label))?;
        let reader: Box<dyn BufRead> = if head.starts_with(&[0x1f, 0x8b]) {
            Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
        } else {
            Box::new(raw)
        };
        Ok(LineReader { reader, buf: Vec::with_capacity(4096), sorted: None, line_no: 0, lines: 0 })
    }

    /// A reader over lines already in memory, in the order given (with their original numbers).
    pub fn from_sorted(mut lines: Vec<(u64, Vec<u8>)>) -> LineReader {
        lines.reverse();
        LineReader {
            reader: Box::new(io::empty()),
            buf: Vec::new(),
            sorted: Some(lines),
            line_no: 0,
            lines: 0,
        }
    }

    /// The next non-blank line without its terminator (`\n` or `\r\n`) and its 1-based line
    /// number, or `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        if let Some(sorted) = &mut self.sorted {
            let Some((line_no, line)) = sorted.pop() else {
                return Ok(None);
            };
            self.line_no = line_no;
            self.lines += 1;
            self.buf = line;
            return Ok(Some((line_no, &self.buf)));
        }
        loop {
            self.buf.clear();
            if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            let mut end = self.buf.len();
            if self.buf[..end].ends_with(b"\n") {
                end -= 1;
            }
            if self.buf[..end].ends_with(b"\r") {
                end -= 1;
            }
            if self.buf[..end].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.lines += 1;
            return Ok(Some((self.line_no, &self.buf[..end])));
        }
    }
}

/// Reads a whole small file (config, state) with the path in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}
