//! The set of followed files: patterns matched anew at every poll (a new dated log is picked
//! up when it appears), files known by identity (a file renamed within the patterns keeps its
//! position), renamed-away files read to their end before they are let go.

use super::tail::{FileId, Lines, Position, Tail};
use crate::summary::Summary;
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wikiwatch_core::Format;

/// Polls without growth after which a renamed-away file is let go (its writer may still
/// flush a last line into it just after the rename).
const RENAMED_GRACE: u32 = 3;

/// One `[FORMAT:]PATTERN` from the command line.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// A glob (`*`, `?`, `[...]`) or a plain path that may not exist yet.
    pub glob: String,
    /// The format of the files it matches.
    pub format: Format,
}

/// The followed files.
#[derive(Debug)]
pub struct Files {
    patterns: Vec<Pattern>,
    /// In path order, so dated logs are read oldest first.
    pub tails: Vec<Tail>,
    /// Compressed files matched and skipped, said once each.
    skipped: BTreeSet<PathBuf>,
}

impl Files {
    /// No files yet.
    pub fn new(patterns: Vec<Pattern>) -> Files {
        Files { patterns, tails: Vec::new(), skipped: BTreeSet::new() }
    }

    /// The paths the patterns match now, each with its format.
    fn matches(&mut self) -> Result<Vec<(PathBuf, Format)>> {
        let mut out: Vec<(PathBuf, Format)> = Vec::new();
        for p in &self.patterns {
            let paths = glob::glob(&p.glob)
                .map_err(|e| crate::fail::usage(format!("bad pattern {}: {e}", p.glob)))?;
            for path in paths.flatten() {
                if !path.is_file() || out.iter().any(|(q, _)| *q == path) {
                    continue;
                }
                if is_compressed(&path) {
                    if self.skipped.insert(path.clone()) {
                        eprintln!(
                            "wikiwatch: {}: compressed, not followed (replay it instead)",
                            path.display()
                        );
                    }
                    continue;
                }
                out.push((path, p.format));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Takes up the saved positions: each file found again (at its path, or renamed within
    /// the patterns) continues where it was; a file truncated or replaced meanwhile starts
    /// over; a file gone is said once.
    pub fn resume(&mut self, saved: &[Position], summary: &mut Summary) -> Result<()> {
        let found = self.matches()?;
        for pos in saved {
            let candidates = std::iter::once(pos.path.clone())
                .chain(found.iter().map(|(p, _)| p.clone()))
                .collect::<Vec<_>>();
            let format = found
                .iter()
                .find(|(p, _)| *p == pos.path)
                .map(|(_, f)| *f)
                .or_else(|| self.patterns.first().map(|p| p.format))
                .unwrap_or(Format::Auto);
            let mut resumed = None;
            for path in candidates {
                if self.tails.iter().any(|t| t.path == path) {
                    continue;
                }
                if let Ok(Some(mut t)) = Tail::resume(pos, &path, format, 0) {
                    t.input = summary.add_input(&path.display().to_string());
                    resumed = Some(t);
                    break;
                }
            }
            match resumed {
                Some(t) => self.tails.push(t),
                // A file renamed away and not matched by the patterns is not looked for.
                None if pos.renamed => {}
                None => eprintln!(
                    "wikiwatch: {}: no longer there as it was (gone, truncated or replaced); \
                     its unread lines are lost, matching files are read from their start",
                    pos.path.display()
                ),
            }
        }
        self.tails.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(())
    }

    /// Matches the patterns again: new files are added (read from their start, or from their
    /// end when `from_end`), moved files get their new path, files whose path now names
    /// another file are marked renamed, truncated files start over.
    pub fn scan(&mut self, from_end: bool, summary: &mut Summary) -> Result<()> {
        let found = self.matches()?;
        for t in &mut self.tails {
            let now = std::fs::metadata(&t.path).ok().map(|m| FileId::of(&m));
            if now != Some(t.id) && !t.renamed {
                t.renamed = true;
                t.idle = 0;
            }
        }
        for (path, format) in found {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let id = FileId::of(&meta);
            if let Some(t) = self.tails.iter_mut().find(|t| t.id == id) {
                if t.path != path {
                    t.path = path.clone();
                    summary.rename_input(t.input, &path.display().to_string());
                }
                t.renamed = false;
                continue;
            }
            let input = summary.add_input(&path.display().to_string());
            let offset = if from_end { meta.len() } else { 0 };
            let mut tail = Tail::open(&path, format, 0, 0, input)
                .with_context(|| format!("cannot open {}", path.display()))?;
            if offset > 0 {
                // Starting at the end: skip to the last complete line, counting lines so
                // messages still name the right line.
                while tail.offset < offset {
                    let before = tail.offset;
                    tail.read(&mut Lines::default())?;
                    if tail.offset == before {
                        break;
                    }
                }
            }
            self.tails.push(tail);
        }
        for t in &mut self.tails {
            if !t.renamed && t.truncated().unwrap_or(false) {
                eprintln!("wikiwatch: {}: truncated, reading it from the start", t.path.display());
                t.restart()?;
            }
        }
        self.tails.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(())
    }

    /// Lets go of renamed-away files read to their end and idle for a while.
    pub fn retire(&mut self) {
        self.tails.retain(|t| !(t.renamed && t.idle >= RENAMED_GRACE && t.behind() == 0));
    }

    /// The positions to save.
    pub fn positions(&self) -> Vec<Position> {
        self.tails.iter().map(Tail::position).collect()
    }

    /// Bytes written and not read yet, over all files.
    pub fn behind(&self) -> u64 {
        self.tails.iter().map(Tail::behind).sum()
    }
}

fn is_compressed(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("gz" | "bz2" | "xz" | "zst" | "zip"))
}
