//! Picks where detection runs (`--engine`).

use crate::backend::Backend;
use crate::cli::{EngineKind, SandboxArgs};
use crate::component::ComponentBackend;
use crate::config_file::LoadedConfig;
use crate::fail::{usage, Usage};
use crate::native::Native;
use anyhow::Result;
use std::path::Path;

/// As [`open`], for a state read from `--state PATH`: a state the detector refuses is a usage
/// error that names the path.
pub fn open_state(
    kind: EngineKind,
    config: &LoadedConfig,
    state: Option<&[u8]>,
    path: Option<&Path>,
    sandbox: &SandboxArgs,
) -> Result<Box<dyn Backend>> {
    open(kind, config, state, sandbox).map_err(|e| match path {
        Some(p) if e.chain().any(|c| c.is::<Usage>()) => {
            usage(format!("--state {}: {e:#}", p.display()))
        }
        _ => e,
    })
}

/// Creates the detector of `kind`, restoring `state` when given.
pub fn open(
    kind: EngineKind,
    config: &LoadedConfig,
    state: Option<&[u8]>,
    sandbox: &SandboxArgs,
) -> Result<Box<dyn Backend>> {
    Ok(match kind {
        EngineKind::Native => Box::new(Native::new(config, state)?),
        EngineKind::Component => Box::new(ComponentBackend::new(config, state, sandbox)?),
    })
}
