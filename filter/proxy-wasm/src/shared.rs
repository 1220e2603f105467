//! What every context of a VM shares once configured.

use crate::settings::ProxySettings;
use std::cell::Cell;
use wikiwatch_core::{AllowList, Config, RuleId};

/// The configuration as the request and root contexts read it.
#[derive(Debug)]
pub struct Shared {
    /// Core config.
    pub config: Config,
    /// The allow list, compiled once (allow-listed traffic is never throttled).
    pub allow: AllowList,
    /// The `proxy` section.
    pub settings: ProxySettings,
    /// Effective cooldown of each rule, ms, by `RuleId::index`.
    pub cooldown_ms: [i64; RuleId::ALL.len()],
    /// Queue token, once registered.
    pub queue: Cell<Option<u32>>,
}

impl Shared {
    /// The shared state of a configured VM.
    pub fn new(
        config: Config,
        settings: ProxySettings,
        cooldown_ms: [i64; RuleId::ALL.len()],
        queue: Option<u32>,
    ) -> Shared {
        let allow = AllowList::new(&config.allow);
        Shared { config, allow, settings, cooldown_ms, queue: Cell::new(queue) }
    }
}
