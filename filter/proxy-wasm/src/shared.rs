//! What every context of a VM shares once configured.

use crate::callout::Target;
use crate::identity;
use crate::judge::Judge;
use crate::local::LocalStore;
use crate::metrics::Metrics;
use crate::settings::{Collector, EngineMode, ProxySettings};
use crate::slots::Store;
use std::cell::{Cell, RefCell};
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
    /// The host's counters (ids defined at configure time).
    pub metrics: Metrics,
    /// `engine: worker`: this VM's own engine and store.
    pub worker: Option<Worker>,
    /// The inline `proxy.state`, decoded: every engine made here starts from it.
    pub state: Option<Vec<u8>>,
    /// Where alert lines are posted (`proxy.collector`).
    pub collector: Option<Target>,
}

/// What a VM judging its own requests keeps.
#[derive(Debug, Default)]
pub struct Worker {
    /// Throttle table and identity map of this VM.
    pub store: LocalStore,
    /// The engine (set right after configuration).
    pub judge: RefCell<Option<Judge>>,
}

impl Shared {
    /// The shared state of a configured VM.
    pub fn new(
        config: Config,
        settings: ProxySettings,
        cooldown_ms: [i64; RuleId::ALL.len()],
        queue: Option<u32>,
        metrics: Metrics,
    ) -> Shared {
        let allow = AllowList::new(&config.allow);
        let longest = cooldown_ms.iter().copied().max().unwrap_or(0);
        let identity_ttl_ms = longest.saturating_add(identity::REFRESH_MS).max(3_600_000);
        let worker = (settings.engine == EngineMode::Worker).then(Worker::default);
        // Validated with the rest of the settings; a state that is not base64 never gets here.
        let state = settings.inline_state().ok().flatten();
        let collector = settings.collector.as_ref().map(Collector::target);
        let shared = Shared {
            config,
            allow,
            settings,
            cooldown_ms,
            identity_ttl_ms,
            queue: Cell::new(queue),
            metrics,
            worker,
            state,
            collector,
        };
        if let Some(w) = &shared.worker {
            *w.judge.borrow_mut() = Judge::new(&shared);
        }
        shared
    }

    /// Where throttle decisions and identities live: proxy-wide shared data, or this VM's own
    /// store in `engine: worker` mode.
    pub fn store(&self) -> &dyn Store {
        match &self.worker {
            Some(w) => &w.store,
            None => &crate::host::SharedData,
        }
    }
}
