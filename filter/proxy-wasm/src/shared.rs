//! What every context of a VM shares once configured.

use crate::identity;
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
    /// How long a learnt identity stays mapped to its user without being seen again: an hour,
    /// or the longest cooldown if longer, so a throttled user's identities outlive its
    /// throttle (throttled requests are not answered by the upstream, so they teach nothing).
    pub identity_ttl_ms: i64,
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
        let longest = cooldown_ms.iter().copied().max().unwrap_or(0);
        let identity_ttl_ms = longest.saturating_add(identity::REFRESH_MS).max(3_600_000);
        Shared { config, allow, settings, cooldown_ms, identity_ttl_ms, queue: Cell::new(queue) }
    }
}
