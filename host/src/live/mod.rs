//! What the long-running commands (`follow`, `pull`) share: one state file holding the
//! detector and each command's own position, and the alert sink that never repeats an alert
//! across a restart.

pub mod signal;
pub mod sink;
pub mod state;
