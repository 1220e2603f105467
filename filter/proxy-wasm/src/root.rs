//! The root context of each worker VM: configuration, the leader lease, and (in the one VM that
//! holds the lease) the proxy's single engine, fed from the shared queue.

use crate::http::Filter;
use crate::settings::{self, ProxySettings};
use crate::shared::Shared;
use crate::slots::{self, Active, EntityKey, Published};
use crate::wire::WireEvent;
use crate::{host, identity, lease};
use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{ContextType, LogLevel};
use std::rc::Rc;
use std::time::Duration;
use wikiwatch_core::{Alert, Engine, EntityKind, RuleId};

/// Name of the proxy-wide event queue.
pub const QUEUE: &str = "wikiwatch_events";
/// Logged at configure time, just before the module first touches shared data and the queue.
pub const ZONES_LINE: &str = "wikiwatch: using shared data `wikiwatch/...` and the shared queue \
    `wikiwatch_events` (nginx and Kong: `shm_kv wikiwatch 4m;` and `shm_queue wikiwatch_events \
    16m;` in the `wasm {}` block); a host trap right after this line means one is missing";
/// Most events one drain handles, so one tick never stalls its worker for long.
const MAX_DRAIN: usize = 20_000;
/// Identities the leader remembers having written (a cache; the map itself is in shared data).
const LEARNER_CAP: usize = 16_384;

/// Counters of the module itself, logged with the engine's stats at shutdown.
#[derive(Debug, Default)]
struct Counters {
    drained: u64,
    damaged: u64,
    published: u64,
    evicted: u64,
    contended: u64,
    collector_failed: u64,
}

/// One per VM.
#[derive(Debug)]
pub struct Root {
    vm: u64,
    shared: Option<Rc<Shared>>,
    engine: Option<Engine>,
    leader: bool,
    counters: Counters,
    /// Which identities this VM, as leader, last wrote to the shared map.
    learner: identity::Learner,
}

impl Root {
    /// A root context before configuration.
    pub fn new() -> Root {
        Root {
            vm: host::vm_id(),
            shared: None,
            engine: None,
            leader: false,
            counters: Counters::default(),
            learner: identity::Learner::new(LEARNER_CAP),
        }
    }

    fn lease_ms(s: &ProxySettings) -> i64 {
        (i64::from(s.tick_ms) * 5).max(1000)
    }

    /// Takes what the workers queued and runs it through the engine.
    fn drain(&mut self, finish: bool) {
        let (Some(shared), Some(engine)) = (self.shared.clone(), self.engine.as_mut()) else {
            return;
        };
        let Some(queue) = shared.queue.get() else {
            return;
        };
        let form = shared.config.output;
        let mut lines = Vec::new();
        let mut alerts = Vec::new();
        for _ in 0..MAX_DRAIN {
            let Ok(Some(bytes)) = hostcalls::dequeue_shared_queue(queue) else {
                break;
            };
            let Some(ev) = WireEvent::decode(&bytes) else {
                self.counters.damaged += 1;
                continue;
            };
            self.counters.drained += 1;
            if let Some(user) = ev.user.as_deref() {
                let ids = identity::of(
                    ev.session.as_deref(),
                    ev.credential.as_deref(),
                    ev.client.as_deref(),
                    &ev.agent,
                );
                for id in &ids {
                    self.learner.learn(
                        &host::SharedData,
                        shared.settings.identities,
                        id,
                        user,
                        ev.time_ms,
                        shared.identity_ttl_ms,
                    );
                }
            }
            let outcome = engine.push_event(&ev.event(), &mut alerts);
            for a in alerts.drain(..) {
                publish(&shared, &mut self.counters, &a, &ev, outcome.session.as_deref());
                lines.push(a.render(form));
            }
        }
        if finish {
            engine.finish(&mut alerts);
            for a in alerts.drain(..) {
                publish(&shared, &mut self.counters, &a, &WireEvent::default(), None);
                lines.push(a.render(form));
            }
        }
        for l in &lines {
            host::log(LogLevel::Warn, l);
        }
        if let (Some(c), false) = (&shared.settings.collector, lines.is_empty()) {
            let body = lines.join("\n") + "\n";
            let headers = vec![
                (":method", "POST"),
                (":path", c.path.as_str()),
                (":authority", c.authority.as_str()),
                ("content-type", "application/x-ndjson"),
            ];
            let timeout = Duration::from_millis(u64::from(c.timeout_ms));
            if hostcalls::dispatch_http_call(
                &c.cluster,
                headers,
                Some(body.as_bytes()),
                vec![],
                timeout,
            )
            .is_err()
            {
                self.counters.collector_failed += 1;
            }
        }
    }
}

impl Default for Root {
    fn default() -> Self {
        Root::new()
    }
}

/// Makes an alert visible to the workers: the alerted entity (as workers key it) gets the rule
/// active until the cooldown ends; a user's alert also marks the session that raised it, so a
/// throttled account is stopped at request headers before the upstream names the user.
fn publish(
    shared: &Shared,
    counters: &mut Counters,
    a: &Alert,
    ev: &WireEvent,
    engine_session: Option<&str>,
) {
    let s = &shared.settings;
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
        match slots::publish(&host::SharedData, s.slots, &k, add, a.time_ms) {
            Published::Stored => counters.published += 1,
            Published::Evicted => counters.evicted += 1,
            Published::Contended => counters.contended += 1,
        }
    }
}

impl Context for Root {
    fn on_done(&mut self) -> bool {
        if self.leader {
            self.drain(true);
            if let Some(e) = &self.engine {
                let c = &self.counters;
                let stats = serde_json::to_string(&e.stats()).unwrap_or_default();
                host::log(
                    LogLevel::Info,
                    &format!(
                        "wikiwatch: stats {stats} drained={} damaged={} published={} evicted={} contended={} collector_failed={}",
                        c.drained, c.damaged, c.published, c.evicted, c.contended, c.collector_failed
                    ),
                );
            }
            lease::release(&host::SharedData, self.vm);
            self.leader = false;
        }
        true
    }
}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let bytes = hostcalls::get_buffer(
            proxy_wasm::types::BufferType::PluginConfiguration,
            0,
            usize::MAX,
        )
        .ok()
        .flatten()
        .unwrap_or_default();
        let (config, settings) = match settings::parse(&bytes) {
            Ok(v) => v,
            Err(e) => {
                host::log(LogLevel::Error, &e.to_string());
                return false;
            }
        };
        let engine = match Engine::new(config.clone()) {
            Ok(e) => e,
            Err(e) => {
                host::log(LogLevel::Error, &format!("wikiwatch: bad plugin configuration: {e}"));
                return false;
            }
        };
        let mut cooldown_ms = [0; RuleId::ALL.len()];
        for r in RuleId::ALL {
            cooldown_ms[r.index()] = config.params(r).cooldown.as_ms();
        }
        // Shared data and the queue are touched now, at configure time. A host where they
        // must be declared (ngx_wasm_module, so Kong) traps on either when it is missing: the
        // worker then stops here, once, right after this line, instead of trapping on every
        // tick and request later (and never throttling).
        host::log(LogLevel::Info, ZONES_LINE);
        let _ = <host::SharedData as slots::Store>::get(&host::SharedData, lease::KEY);
        // Every VM registers so it holds the token; the leader re-registers on each tick so
        // queue-ready notifications come back to it.
        let queue = hostcalls::register_shared_queue(QUEUE).ok();
        let _ = hostcalls::set_tick_period(Duration::from_millis(u64::from(settings.tick_ms)));
        self.engine = Some(engine);
        self.shared = Some(Rc::new(Shared::new(config, settings, cooldown_ms, queue)));
        self.leader = false;
        true
    }

    fn on_tick(&mut self) {
        let Some(shared) = self.shared.clone() else {
            return;
        };
        let now = host::now_ms();
        let role = lease::tick(&host::SharedData, self.vm, now, Root::lease_ms(&shared.settings));
        let was = self.leader;
        self.leader = role == lease::Role::Leader;
        if self.leader {
            if !was {
                host::log(LogLevel::Info, "wikiwatch: this VM now runs the proxy's engine");
                // A taken-over lease starts from fresh state (the old holder's is gone).
                self.engine = Engine::new(shared.config.clone()).ok();
            }
            if let Ok(q) = hostcalls::register_shared_queue(QUEUE) {
                shared.queue.set(Some(q));
            }
            self.drain(false);
        }
    }

    fn on_queue_ready(&mut self, _queue_id: u32) {
        if self.leader {
            self.drain(false);
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        // Unconfigured VMs (configure failed) still get a pass-through filter: fail open.
        Some(Box::new(Filter::new(self.shared.clone())))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}
