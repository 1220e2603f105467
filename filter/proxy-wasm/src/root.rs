//! The root context of each worker VM: configuration, the leader lease, and (in the one VM that
//! holds the lease) the proxy's single engine, fed from the shared queue.

use crate::host::HostMetrics;
use crate::http::Filter;
use crate::judge::{self, Judge};
use crate::metrics::Metrics;
use crate::settings::{self, EngineMode, ProxySettings};
use crate::shared::Shared;
use crate::warm::{self, Fetch};
use crate::wire::WireEvent;
use crate::{host, lease, slots};
use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{ContextType, LogLevel};
use std::rc::Rc;
use std::time::Duration;
use wikiwatch_core::{Engine, RuleId};

/// Name of the proxy-wide event queue.
pub const QUEUE: &str = "wikiwatch_events";
/// Logged at configure time, just before the module first touches shared data and the queue.
pub const ZONES_LINE: &str = "wikiwatch: using shared data `wikiwatch/...` and the shared queue \
    `wikiwatch_events` (nginx and Kong: `shm_kv wikiwatch 4m;` and `shm_queue wikiwatch_events \
    16m;` in the `wasm {}` block); a host trap right after this line means one is missing";
/// Most events one drain handles, so one tick never stalls its worker for long.
const MAX_DRAIN: usize = 20_000;

/// One per VM.
#[derive(Debug)]
pub struct Root {
    vm: u64,
    shared: Option<Rc<Shared>>,
    /// The proxy's engine, in the VM holding the lease (`engine: proxy`).
    judge: Option<Judge>,
    leader: bool,
    /// The state of `proxy.state_url` while it is being fetched: nothing is drained meanwhile.
    fetch: Option<Fetch>,
}

impl Root {
    /// A root context before configuration.
    pub fn new() -> Root {
        Root { vm: host::vm_id(), shared: None, judge: None, leader: false, fetch: None }
    }

    fn lease_ms(s: &ProxySettings) -> i64 {
        (i64::from(s.tick_ms) * 5).max(1000)
    }

    /// Takes what the workers queued and runs it through the engine (not while its state is
    /// being fetched, unless the VM is going away).
    fn drain(&mut self, finish: bool) {
        if self.fetch.is_some() && !finish {
            return;
        }
        let (Some(shared), Some(judge)) = (self.shared.clone(), self.judge.as_mut()) else {
            return;
        };
        let Some(queue) = shared.queue.get() else {
            return;
        };
        let store = shared.store();
        let mut lines = Vec::new();
        let mut any = false;
        for _ in 0..MAX_DRAIN {
            let Ok(Some(bytes)) = hostcalls::dequeue_shared_queue(queue) else {
                break;
            };
            any = true;
            let Some(ev) = WireEvent::decode(&bytes) else {
                judge.counters.damaged += 1;
                continue;
            };
            judge.counters.drained += 1;
            judge.event(&shared, store, &ev, &mut lines);
        }
        if finish {
            judge.finish(&shared, store, &mut lines);
        }
        if any || finish {
            judge.sync_metrics(&mut HostMetrics);
        }
        judge::emit(&shared, &mut judge.counters, &lines);
    }
}

impl Default for Root {
    fn default() -> Self {
        Root::new()
    }
}

impl Context for Root {
    fn on_http_call_response(
        &mut self,
        token_id: u32,
        _num_headers: usize,
        body_size: usize,
        _num_trailers: usize,
    ) {
        // Collector posts are answered here too: only the state's answer matters.
        if self.fetch.as_ref().is_none_or(|f| f.token != token_id) {
            return;
        }
        let (Some(fetch), Some(shared)) = (self.fetch.take(), self.shared.clone()) else {
            return;
        };
        warm::log(&fetch.finish(&shared, self.judge.as_mut(), body_size));
        self.drain(false);
    }

    fn on_done(&mut self) -> bool {
        let shared = self.shared.clone();
        if let Some((shared, w)) = shared.as_deref().and_then(|s| Some((s, s.worker.as_ref()?))) {
            if let Some(j) = w.judge.borrow_mut().as_mut() {
                let mut lines = Vec::new();
                j.finish(shared, &w.store, &mut lines);
                j.sync_metrics(&mut HostMetrics);
                judge::emit(shared, &mut j.counters, &lines);
                host::log(LogLevel::Info, &j.stats_line());
            }
        }
        if self.leader {
            self.drain(true);
            if let Some(j) = &self.judge {
                host::log(LogLevel::Info, &j.stats_line());
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
        match Engine::new(config.clone()) {
            Ok(_) => {}
            Err(e) => {
                host::log(LogLevel::Error, &format!("wikiwatch: bad plugin configuration: {e}"));
                return false;
            }
        };
        let mut cooldown_ms = [0; RuleId::ALL.len()];
        for r in RuleId::ALL {
            cooldown_ms[r.index()] = config.params(r).cooldown.as_ms();
        }
        let metrics = Metrics::define(&mut HostMetrics);
        if settings.engine == EngineMode::Worker {
            // Nothing shared, no tick, no queue: every VM judges its own requests.
            self.shared = Some(Rc::new(Shared::new(config, settings, cooldown_ms, None, metrics)));
            self.judge = None;
            self.leader = false;
            return true;
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
        // The engine is made when this VM takes the lease.
        self.shared = Some(Rc::new(Shared::new(config, settings, cooldown_ms, queue, metrics)));
        self.judge = None;
        self.leader = false;
        true
    }

    fn on_tick(&mut self) {
        let Some(shared) = self.shared.clone().filter(|s| s.worker.is_none()) else {
            return;
        };
        let now = host::now_ms();
        let role = lease::tick(&host::SharedData, self.vm, now, Root::lease_ms(&shared.settings));
        let was = self.leader;
        self.leader = role == lease::Role::Leader;
        if self.leader {
            if !was {
                host::log(LogLevel::Info, "wikiwatch: this VM now runs the proxy's engine");
                // A taken-over lease starts from fresh state (the old holder's is gone), or from
                // the configured state again.
                self.judge = Judge::new(&shared);
                self.fetch = None;
                if let (Some(target), Some(url)) =
                    (shared.settings.state_target(), shared.settings.state_url.as_deref())
                {
                    match Fetch::start(&target, url, now) {
                        Ok(f) => self.fetch = Some(f),
                        Err(line) => warm::log(&line),
                    }
                }
            }
            if let Some(line) = self.fetch.as_ref().and_then(|f| f.expired(now)) {
                warm::log(&line);
                self.fetch = None;
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
