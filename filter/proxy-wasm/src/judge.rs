//! Running events through an engine and making its alerts visible: the one path from a
//! completed request to alert lines, throttle decisions and learnt identities, used by the
//! leader VM (events from the shared queue) and, in `engine: worker` mode, by every VM for its
//! own requests at response headers.

use crate::metrics::{MetricHost, Metrics};
use crate::shared::Shared;
use crate::slots::{self, Active, EntityKey, Published, Store};
use crate::wire::WireEvent;
use crate::{callout, host, identity, warm};
use proxy_wasm::types::LogLevel;
use wikiwatch_core::{Alert, Engine, EntityKind, RestoreError};

/// Identities one engine remembers having written (a cache; the map itself is in the store).
const LEARNER_CAP: usize = 16_384;

/// Counters of the module itself, logged with the engine's stats at shutdown.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events taken from the queue.
    pub drained: u64,
    /// Queue messages that did not decode.
    pub damaged: u64,
    /// Throttle decisions stored.
    pub published: u64,
    /// Throttle decisions written over another entity's live slot.
    pub evicted: u64,
    /// Throttle decisions lost to CAS races.
    pub contended: u64,
    /// Collector calls the host refused.
    pub collector_failed: u64,
}

/// An engine with what it needs to act on its alerts.
#[derive(Debug)]
pub struct Judge {
    /// The engine.
    pub engine: Engine,
    /// Module counters.
    pub counters: Counters,
    learner: identity::Learner,
    metrics: Metrics,
    /// `counters.evicted` as last added to the host's counter.
    evicted_synced: u64,
}

impl Judge {
    /// A fresh engine for `shared`'s configuration, restored from the inline `proxy.state` if
    /// there is one (a state that does not restore is one line, and the engine starts cold);
    /// `None` if the engine refuses the configuration.
    pub fn new(shared: &Shared) -> Option<Judge> {
        let mut metrics = shared.metrics.clone();
        metrics.restart();
        let mut judge = Judge {
            engine: Engine::new(shared.config.clone()).ok()?,
            counters: Counters::default(),
            learner: identity::Learner::new(LEARNER_CAP),
            metrics,
            evicted_synced: 0,
        };
        if let Some(state) = &shared.state {
            let line = match judge.restore(shared, state) {
                Ok(()) => warm::restored("proxy.state", state.len()),
                Err(e) => warm::cold("proxy.state", &e.to_string()),
            };
            warm::log(&line);
        }
        Some(judge)
    }

    /// Continues from a state file (any host's) instead of the engine so far. The host's
    /// counters count from here: what the state had counted is not this proxy's.
    pub fn restore(&mut self, shared: &Shared, state: &[u8]) -> Result<(), RestoreError> {
        self.engine = Engine::restore(shared.config.clone(), state)?;
        self.metrics.rebase(&self.engine.stats());
        Ok(())
    }

    /// One completed request: learns its identities, runs it, publishes its alerts into
    /// `store` and appends their JSON lines to `lines`.
    pub fn event(
        &mut self,
        shared: &Shared,
        store: &dyn Store,
        ev: &WireEvent,
        lines: &mut Vec<String>,
    ) {
        if let Some(user) = ev.user.as_deref() {
            let ids = identity::of(
                ev.session.as_deref(),
                ev.credential.as_deref(),
                ev.client.as_deref(),
                &ev.agent,
            );
            for id in &ids {
                self.learner.learn(
                    store,
                    shared.settings.identities,
                    id,
                    user,
                    ev.time_ms,
                    shared.identity_ttl_ms,
                );
            }
        }
        let mut alerts = Vec::new();
        let outcome = self.engine.push_event(&ev.event(), &mut alerts);
        for a in alerts.drain(..) {
            publish(shared, store, &mut self.counters, &a, ev, outcome.session.as_deref());
            lines.push(a.to_json());
        }
    }

    /// End of input (the VM is going away).
    pub fn finish(&mut self, shared: &Shared, store: &dyn Store, lines: &mut Vec<String>) {
        let mut alerts = Vec::new();
        self.engine.finish(&mut alerts);
        for a in alerts.drain(..) {
            publish(shared, store, &mut self.counters, &a, &WireEvent::default(), None);
            lines.push(a.to_json());
        }
    }

    /// Brings the host's counters up to the engine's and the throttle table's.
    pub fn sync_metrics(&mut self, host: &mut dyn MetricHost) {
        self.metrics.sync(host, &self.engine.stats());
        self.metrics.throttle_evictions(host, self.counters.evicted - self.evicted_synced);
        self.evicted_synced = self.counters.evicted;
    }

    /// The shutdown line: engine stats and module counters.
    pub fn stats_line(&self) -> String {
        let c = &self.counters;
        let stats = serde_json::to_string(&self.engine.stats()).unwrap_or_default();
        format!(
            "wikiwatch: stats {stats} drained={} damaged={} published={} evicted={} contended={} collector_failed={}",
            c.drained, c.damaged, c.published, c.evicted, c.contended, c.collector_failed
        )
    }
}

/// Logs alert lines at warn and posts them to the collector, if one is configured.
pub fn emit(shared: &Shared, counters: &mut Counters, lines: &[String]) {
    for l in lines {
        host::log(LogLevel::Warn, l);
    }
    if let (Some(c), false) = (&shared.collector, lines.is_empty()) {
        let body = lines.join("\n") + "\n";
        let sent =
            callout::dispatch(c, "POST", Some("application/x-ndjson"), Some(body.as_bytes()));
        if sent.is_none() {
            counters.collector_failed += 1;
        }
    }
}

/// Makes an alert visible to the request path: the alerted entity (as requests key it) gets
/// the rule active until the cooldown ends; a user's alert also marks the session that raised
/// it, so a throttled account is stopped at request headers before the upstream names the user.
fn publish(
    shared: &Shared,
    store: &dyn Store,
    counters: &mut Counters,
    a: &Alert,
    ev: &WireEvent,
    engine_session: Option<&str>,
) {
    let add = Active {
        rule: a.rule,
        severity: a.severity,
        until_ms: a.time_ms.saturating_add(shared.cooldown_ms[a.rule.index()]),
    };
    let mut keys = Vec::with_capacity(2);
    match a.entity.kind {
        // The engine names sessions by its own hash of ours; map back when it is this event's.
        EntityKind::Session => match (&ev.session, engine_session) {
            (Some(ours), Some(theirs)) if theirs == a.entity.id => {
                keys.push(EntityKey::new(EntityKind::Session, ours))
            }
            _ => keys.push(EntityKey::new(EntityKind::Session, &a.entity.id)),
        },
        kind => keys.push(EntityKey::new(kind, &a.entity.id)),
    }
    if a.entity.kind == EntityKind::User && ev.user.as_deref() == Some(a.entity.id.as_str()) {
        if let Some(ours) = &ev.session {
            keys.push(EntityKey::new(EntityKind::Session, ours));
        }
    }
    for k in keys {
        match slots::publish(store, shared.settings.slots, &k, add, a.time_ms) {
            Published::Stored => counters.published += 1,
            Published::Evicted => counters.evicted += 1,
            Published::Contended => counters.contended += 1,
        }
    }
}
