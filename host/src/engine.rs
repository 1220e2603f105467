//! Picks where detection runs (`--engine`).

use crate::backend::Backend;
use crate::cli::{EngineKind, SandboxArgs};
use crate::component::ComponentBackend;
use crate::config_file::LoadedConfig;
use crate::native::Native;
use anyhow::Result;

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
