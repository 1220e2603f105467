//! Typed failures that pick the exit code. Anything else is an I/O failure (exit 1).

use std::fmt;
use std::process::ExitCode;

/// Bad usage or config: exit 2.
#[derive(Debug)]
pub struct Usage(pub String);

/// The detector component failed (trap, fuel, deadline, memory limit, bad module): exit 3.
#[derive(Debug)]
pub struct GuestFailure(pub String);

/// The run finished, but much of its input could not be used (rejected lines, events skipped
/// as late or out of range): exit 4, after every output was written.
#[derive(Debug)]
pub struct Unusable(pub String);

/// `coverage` finished, but a check an enabled rule needs is not covered: exit 5, after the
/// report was written.
#[derive(Debug)]
pub struct Uncovered(pub String);

impl fmt::Display for Uncovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Uncovered {}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for GuestFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}
impl std::error::Error for GuestFailure {}

/// An `anyhow` error of kind [`Usage`].
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// An `anyhow` error of kind [`GuestFailure`].
pub fn guest(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(GuestFailure(msg.into()))
}

/// Writes `text` to stdout. Unlike `print!`, a closed pipe is an error to return (and then a
/// quiet exit 0), not a panic.
pub fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Reports `err` on stderr and picks the exit code. A broken pipe (e.g. `| head`) is a
/// normal end, not an error.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("wikiwatch: {err:#}");
    if err.chain().any(|e| e.is::<Usage>()) {
        ExitCode::from(2)
    } else if err.chain().any(|e| e.is::<GuestFailure>()) {
        ExitCode::from(3)
    } else if err.chain().any(|e| e.is::<Unusable>()) {
        ExitCode::from(4)
    } else if err.chain().any(|e| e.is::<Uncovered>()) {
        ExitCode::from(5)
    } else {
        ExitCode::from(1)
    }
}
