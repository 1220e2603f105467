//! Where the config comes from: `wikiwatch.json` in the first accessible path, else the
//! built-in default. A bad file never stops records: one clear error line, then the default.

use crate::settings::{FluentBitSettings, SECTION};
use std::io;
use wikiwatch_core::Config;

/// What the config file sets: the shared config, and this module's own section.
pub type Loaded = (Config, FluentBitSettings);

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
/// Returns it and the one line to log about it.
pub fn load(dir: Option<&str>, read: impl FnOnce(&str) -> io::Result<String>) -> (Loaded, String) {
    let Some(dir) = dir else {
        return (
            Loaded::default(),
            "wikiwatch: no accessible path is preopened; using the built-in default config".into(),
        );
    };
    let path = path_in(dir);
    match read(&path) {
        Ok(text) => match Config::from_json_with(&text, SECTION) {
            Ok(loaded) => (loaded, format!("wikiwatch: config {path} loaded")),
            Err(e) => (
                Loaded::default(),
                format!("wikiwatch: error: {path}: {e}; running with the built-in default config"),
            ),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (
            Loaded::default(),
            format!("wikiwatch: no {path}; using the built-in default config"),
        ),
        Err(e) => (
            Loaded::default(),
            format!("wikiwatch: error: cannot read {path}: {e}; running with the built-in default config"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Annotate;

    #[test]
    fn paths() {
        assert_eq!(path_in("."), "wikiwatch.json");
        assert_eq!(path_in("/etc/fluent-bit"), "/etc/fluent-bit/wikiwatch.json");
        assert_eq!(path_in("/etc/fluent-bit/"), "/etc/fluent-bit/wikiwatch.json");
    }

    #[test]
    fn missing_file_is_the_default_quietly_named() {
        let (loaded, line) = load(Some("/cfg"), |_| Err(io::ErrorKind::NotFound.into()));
        assert_eq!(loaded, Loaded::default());
        assert!(line.contains("no /cfg/wikiwatch.json"), "{line}");
        assert!(!line.contains("error"), "{line}");
    }

    #[test]
    fn bad_file_is_one_error_and_the_default() {
        let (loaded, line) = load(Some("/cfg"), |_| Ok(r#"{"rulez":{}}"#.into()));
        assert_eq!(loaded, Loaded::default());
        assert!(line.starts_with("wikiwatch: error: /cfg/wikiwatch.json: config:"), "{line}");
        assert!(line.contains("rulez"), "the error names the key: {line}");
        assert_eq!(line.lines().count(), 1);
        let (_, line) = load(Some("/cfg"), |_| Err(io::ErrorKind::PermissionDenied.into()));
        assert!(line.starts_with("wikiwatch: error: cannot read /cfg/wikiwatch.json"), "{line}");
    }

    #[test]
    fn good_file_is_used() {
        let text = r#"{"limits":{"max_users":7}}"#;
        let ((config, settings), line) = load(Some("."), |p| {
            assert_eq!(p, "wikiwatch.json");
            Ok(text.into())
        });
        assert_eq!(config, Config::from_json(text).unwrap());
        assert_eq!(settings, FluentBitSettings::default());
        assert_eq!(line, "wikiwatch: config wikiwatch.json loaded");
    }

    #[test]
    fn the_fluent_bit_section_is_read_here_and_the_rest_is_the_shared_config() {
        let text = r#"{"fluent_bit":{"annotate":"alerts"},"limits":{"max_users":7}}"#;
        let ((config, settings), _) = load(Some("."), |_| Ok(text.into()));
        assert_eq!(settings.annotate, Annotate::Alerts);
        assert_eq!(config, Config::from_json(r#"{"limits":{"max_users":7}}"#).unwrap());
        let ((_, settings), _) = load(Some("."), |_| Ok(r#"{"fluent_bit":null}"#.into()));
        assert_eq!(settings.annotate, Annotate::All);
        // Mistakes name the key, and the module runs on the defaults.
        for (text, key) in [
            (
                r#"{"fluent_bit":{"annotate":"some"}}"#,
                "config: fluent_bit.annotate: unknown variant",
            ),
            (
                r#"{"fluent_bit":{"anotate":"alerts"}}"#,
                "config: fluent_bit.anotate: unknown field `anotate`",
            ),
            (r#"{"fluent_bit":[]}"#, "config: fluent_bit: must be a JSON object"),
        ] {
            let (loaded, line) = load(Some("."), |_| Ok(text.into()));
            assert_eq!(loaded, Loaded::default(), "{text}");
            assert!(line.contains(key), "{text}: {line}");
        }
    }
}
