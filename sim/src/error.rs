//! What can go wrong when writing a corpus.

use std::fmt;
use std::io;

/// A failure of [`write()`](crate::write()).
#[derive(Debug)]
#[non_exhaustive]
pub enum SimError {
    /// An option is out of range; nothing was written.
    InvalidOption {
        /// The option ([`Options`](crate::Options) field name, e.g. `users`).
        option: &'static str,
        /// What is wrong, as a phrase that follows the option's name.
        problem: String,
    },
    /// Creating or writing an output file failed.
    Io {
        /// What was being done (`creating out/truth.json`, `writing logs`).
        action: String,
        /// The error.
        source: io::Error,
    },
}

impl SimError {
    pub(crate) fn invalid(option: &'static str, problem: impl Into<String>) -> SimError {
        SimError::InvalidOption { option, problem: problem.into() }
    }

    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> SimError {
        let action = action.into();
        move |source| SimError::Io { action, source }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::InvalidOption { option, problem } => write!(f, "{option} {problem}"),
            SimError::Io { action, .. } => f.write_str(action),
        }
    }
}

impl std::error::Error for SimError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SimError::InvalidOption { .. } => None,
            SimError::Io { source, .. } => Some(source),
        }
    }
}
