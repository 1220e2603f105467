//! The detector's state across Fluent Bit restarts: `wikiwatch.state` in the first accessible
//! path (the file `wikiwatch learn`, `replay --state` and every other host write), restored at
//! start and saved back every [`SAVE_EVERY`] records when the directory is writable. filter_wasm
//! gives a module no configuration keys (only `accessible_paths`), so the file is named by
//! convention, beside `wikiwatch.json`. Fluent Bit never tells a module it stops: the records
//! since the last save are not in the saved state.

use crate::config_file;
use crate::filter::Filter;
use std::io;

/// The state file's name inside the first accessible path.
pub const FILE_NAME: &str = "wikiwatch.state";
/// Records between two saves.
pub const SAVE_EVERY: u32 = 10_000;

/// Where the state lives and when it is next saved.
#[derive(Debug)]
pub struct Saver {
    path: Option<String>,
    since: u32,
}

impl Saver {
    /// Restores `filter` from the state file in `dir`, if there is one. A state that cannot
    /// be restored (damaged, another version, a config with other allow entries) is one error
    /// line; the filter then starts cold and never overwrites the file.
    pub fn start(
        dir: Option<&str>,
        filter: &mut Filter,
        read: impl FnOnce(&str) -> io::Result<Vec<u8>>,
        log: &mut dyn FnMut(&str),
    ) -> Saver {
        let Some(dir) = dir else {
            return Saver { path: None, since: 0 };
        };
        let path = config_file::join(dir, FILE_NAME);
        let keep = match read(&path) {
            Ok(bytes) => match filter.restore(&bytes) {
                Ok(()) => {
                    log(&format!("wikiwatch: state {path} restored ({} bytes)", bytes.len()));
                    true
                }
                Err(e) => {
                    log(&format!("wikiwatch: error: {path}: {e}; starting cold, not saving"));
                    false
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => true,
            Err(e) => {
                log(&format!("wikiwatch: error: cannot read {path}: {e}; starting cold"));
                false
            }
        };
        Saver { path: keep.then_some(path), since: 0 }
    }

    /// Counts one record; every [`SAVE_EVERY`] records, writes the state with `write`. The
    /// first failed write is logged and ends saving (a read-only path means "restore only").
    pub fn record(
        &mut self,
        filter: &Filter,
        write: impl FnOnce(&str, &[u8]) -> io::Result<()>,
        log: &mut dyn FnMut(&str),
    ) {
        self.since += 1;
        if self.since < SAVE_EVERY {
            return;
        }
        self.since = 0;
        let (Some(path), Some(bytes)) = (self.path.as_deref(), filter.snapshot()) else {
            return;
        };
        if let Err(e) = write(path, &bytes) {
            log(&format!("wikiwatch: cannot save {path} ({e}); the state is not saved"));
            self.path = None;
        }
    }
}

/// Writes beside `path` and renames over it, so a crash never leaves half a state.
pub fn write_atomic(path: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = format!("{path}.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use wikiwatch_core::Config;

    const RECORD: &[u8] = br#"{"log":"[18/Dec/2020:12:57:26 +1100] alice http-nio-8090-exec-6 10.0.0.5 GET /display/ENG/Home HTTP/1.1 200 12ms 7881 - Mozilla/5.0"}"#;

    fn filter(config: Config) -> Filter {
        Filter::new(config, &mut |l| panic!("unexpected log: {l}"))
    }

    fn feed(f: &mut Filter, n: usize) {
        for _ in 0..n {
            f.filter(0, 0, RECORD, &mut |_| {});
        }
    }

    #[test]
    fn a_saved_state_restores_to_the_same_bytes_and_is_saved_every_interval() {
        let mut warm = filter(Config::default());
        feed(&mut warm, 3);
        let state = warm.snapshot().expect("running");

        let mut f = filter(Config::default());
        let mut logs = Vec::new();
        let mut saver = Saver::start(
            Some("/cfg"),
            &mut f,
            |p| {
                assert_eq!(p, "/cfg/wikiwatch.state");
                Ok(state.clone())
            },
            &mut |l| logs.push(l.to_string()),
        );
        assert_eq!(
            logs,
            [format!("wikiwatch: state /cfg/wikiwatch.state restored ({} bytes)", state.len())]
        );
        assert!(f.snapshot() == Some(state.clone()), "restore then snapshot: the same bytes");

        let writes = RefCell::new(Vec::new());
        for _ in 0..2 * SAVE_EVERY {
            saver.record(
                &f,
                |p, b| {
                    writes.borrow_mut().push((p.to_string(), b.to_vec()));
                    Ok(())
                },
                &mut |l| panic!("{l}"),
            );
        }
        let writes = writes.into_inner();
        assert_eq!(writes.len(), 2, "one save per interval");
        assert_eq!(writes[0], ("/cfg/wikiwatch.state".to_string(), state));
    }

    #[test]
    fn a_missing_file_starts_cold_and_a_refused_or_unwritable_one_is_never_written() {
        let mut f = filter(Config::default());
        let mut logs = Vec::new();
        let mut saver =
            Saver::start(Some("."), &mut f, |_| Err(io::ErrorKind::NotFound.into()), &mut |l| {
                logs.push(l.to_string())
            });
        assert!(logs.is_empty(), "a missing state is quiet: {logs:?}");
        let mut failures = 0;
        for _ in 0..3 * SAVE_EVERY {
            saver.record(
                &f,
                |p, _| {
                    assert_eq!(p, "wikiwatch.state");
                    failures += 1;
                    Err(io::ErrorKind::PermissionDenied.into())
                },
                &mut |l| logs.push(l.to_string()),
            );
        }
        assert_eq!(failures, 1, "the first failed write ends saving");
        assert_eq!(logs.len(), 1, "{logs:?}");

        // A state written under a config with an allow entry: refused, cold, never saved.
        let allow = r#"{"allow":[{"name":"ci","users":["ci-bot"],"rules":["*"]}]}"#;
        let mut other = filter(Config::from_json(allow).expect("config"));
        feed(&mut other, 1);
        let state = other.snapshot().expect("running");
        let mut logs = Vec::new();
        let mut saver =
            Saver::start(Some("/cfg"), &mut f, |_| Ok(state), &mut |l| logs.push(l.to_string()));
        assert_eq!(logs.len(), 1);
        assert!(logs[0].starts_with("wikiwatch: error: /cfg/wikiwatch.state: "), "{}", logs[0]);
        assert!(
            logs[0].contains("allow entries") && logs[0].ends_with("starting cold, not saving")
        );
        for _ in 0..SAVE_EVERY {
            saver.record(&f, |_, _| panic!("a refused state is never overwritten"), &mut |_| {});
        }
    }
}
