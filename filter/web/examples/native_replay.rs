//! Native reference for the browser tests: runs `wikiwatch_core::Engine` over files exactly as
//! the `Detector` adapter does (same line splitting) and prints the alerts as JSON Lines.
//!
//! `cargo run -q --release -p wikiwatch-web --example native-replay -- [--config FILE] FILE...`
//! (`.gz` is not read here: give the plain text.)

use std::io::Write;
use std::process::ExitCode;
use wikiwatch_core::{Alert, Config, Engine, Format};
use wikiwatch_web::lines::LineBuffer;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut config = Config::default();
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        if a == "--config" {
            let Some(path) = args.next() else {
                return usage("--config needs a file");
            };
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => return usage(&format!("{path}: {e}")),
            };
            config = match Config::from_json(&text) {
                Ok(c) => c,
                Err(e) => return usage(&e.to_string()),
            };
        } else {
            files.push(a);
        }
    }
    let mut engine = match Engine::new(config) {
        Ok(e) => e,
        Err(e) => return usage(&e.to_string()),
    };
    let mut alerts: Vec<Alert> = Vec::new();
    for path in &files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(1);
            }
        };
        let mut buf = LineBuffer::default();
        let mut each = |line: &[u8]| {
            let _ = engine.push_line(line, Format::Auto, &mut alerts);
        };
        buf.push(&bytes, &mut each);
        buf.flush(&mut each);
    }
    engine.finish(&mut alerts);
    let mut out = std::io::stdout().lock();
    for a in &alerts {
        if writeln!(out, "{}", a.to_json()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("native-replay: {msg}");
    ExitCode::from(2)
}
