//! Where the config comes from: `wikiwatch.json` in the first accessible path, else the
//! built-in default. A bad file never stops records: one clear error line, then the default.

use std::io;
use wikiwatch_core::Config;

/// The config file's name inside the first accessible path.
pub const FILE_NAME: &str = "wikiwatch.json";

/// The config file's path inside a preopened directory as the guest sees it (WAMR names each
/// preopen after the `accessible_paths` entry as written, e.g. `.` or `/etc/fluent-bit`).
pub fn path_in(dir: &str) -> String {
    join(dir, FILE_NAME)
}

/// `name` inside the preopened directory `dir`, as the guest sees it.
pub fn join(dir: &str, name: &str) -> String {
    match dir {
        "" | "." | "./" => name.to_string(),
        d if d.ends_with('/') => format!("{d}{name}"),
        d => format!("{d}/{name}"),
    }
}

/// Chooses the config given the first preopened directory (if any) and a way to read a file.
/// Returns the config and the one line to log about it.
pub fn load(dir: Option<&str>, read: impl FnOnce(&str) -> io::Result<String>) -> (Config, String) {
    let Some(dir) = dir else {
        return (
            Config::default(),
            "wikiwatch: no accessible path is preopened; using the built-in default config".into(),
        );
    };
    let path = path_in(dir);
    match read(&path) {
        Ok(text) => match Config::from_json(&text) {
            Ok(config) => (config, format!("wikiwatch: config {path} loaded")),
            Err(e) => (
                Config::default(),
                format!("wikiwatch: error: {path}: {e}; running with the built-in default config"),
            ),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (
            Config::default(),
            format!("wikiwatch: no {path}; using the built-in default config"),
        ),
        Err(e) => (
            Config::default(),
            format!("wikiwatch: error: cannot read {path}: {e}; running with the built-in default config"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(path_in("."), "wikiwatch.json");
        assert_eq!(path_in("/etc/fluent-bit"), "/etc/fluent-bit/wikiwatch.json");
        assert_eq!(path_in("/etc/fluent-bit/"), "/etc/fluent-bit/wikiwatch.json");
    }

    #[test]
    fn missing_file_is_the_default_quietly_named() {
        let (config, line) = load(Some("/cfg"), |_| Err(io::ErrorKind::NotFound.into()));
        assert_eq!(config, Config::default());
        assert!(line.contains("no /cfg/wikiwatch.json"), "{line}");
        assert!(!line.contains("error"), "{line}");
    }

    #[test]
    fn bad_file_is_one_error_and_the_default() {
        let (config, line) = load(Some("/cfg"), |_| Ok(r#"{"rulez":{}}"#.into()));
        assert_eq!(config, Config::default());
        assert!(line.starts_with("wikiwatch: error: /cfg/wikiwatch.json: config:"), "{line}");
        assert!(line.contains("rulez"), "the error names the key: {line}");
        assert_eq!(line.lines().count(), 1);
        let (_, line) = load(Some("/cfg"), |_| Err(io::ErrorKind::PermissionDenied.into()));
        assert!(line.starts_with("wikiwatch: error: cannot read /cfg/wikiwatch.json"), "{line}");
    }

    #[test]
    fn good_file_is_used() {
        let text = r#"{"limits":{"max_users":7}}"#;
        let (config, line) = load(Some("."), |p| {
            assert_eq!(p, "wikiwatch.json");
            Ok(text.into())
        });
        assert_eq!(config, Config::from_json(text).unwrap());
        assert_eq!(line, "wikiwatch: config wikiwatch.json loaded");
    }
}
