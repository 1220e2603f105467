//! The detector component in wasmtime: no WASI, no imports at all; a memory limit, an epoch
//! deadline per call (cheap), and optional fuel (deterministic, slower).

use crate::backend::{Backend, Rejected};
use crate::bindings::{wit, DetectorWorld};
use crate::cli::SandboxArgs;
use crate::config_file::LoadedConfig;
use crate::fail::{guest, usage};
use crate::wit_convert;
use anyhow::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wasmtime::component::{Linker, ResourceAny};
use wasmtime::{ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap};
use wikiwatch_core::{AccessEvent, Alert, Format, Stats};

/// The component built from this workspace (see build.rs).
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/wikiwatch_component.wasm"));

/// Size of the embedded component in bytes (reported by `bench`).
pub fn embedded_size() -> usize {
    EMBEDDED.len()
}

/// How often the epoch ticks; call deadlines are counted in ticks.
const TICK: Duration = Duration::from_millis(50);

struct HostState {
    limits: Limits,
}

/// The store's limits, and the largest linear memory the guest has had (for the summary).
struct Limits {
    inner: StoreLimits,
    peak_memory: usize,
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, max)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, max)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }
}

/// Advances the engine's epoch until dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: wasmtime::Engine) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(TICK);
                engine.increment_epoch();
            }
        });
        Ticker { stop }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The component, instantiated, with one `engine` resource.
pub struct ComponentBackend {
    store: Store<HostState>,
    bindings: DetectorWorld,
    handle: ResourceAny,
    fuel: Option<u64>,
    deadline_ticks: u64,
    max_memory_mib: usize,
    _ticker: Ticker,
}

impl std::fmt::Debug for ComponentBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentBackend").field("fuel", &self.fuel).finish()
    }
}

/// Describes a failed call: which limit was hit, or the trap.
fn describe(e: &wasmtime::Error, fuel: Option<u64>, timeout: Duration, max_mib: usize) -> String {
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => format!(
            "the detector ran out of fuel ({} units per call; raise --fuel)",
            fuel.unwrap_or(0)
        ),
        Some(Trap::Interrupt) => format!(
            "the detector exceeded its time limit ({} s per call; raise --call-timeout)",
            timeout.as_secs()
        ),
        Some(trap) => format!("the detector trapped: {trap}"),
        None if e.root_cause().to_string().contains("growing memory") => format!(
            "the detector exceeded its memory limit ({max_mib} MiB; raise --max-memory): {}",
            e.root_cause()
        ),
        None => format!("the detector failed: {}", e.root_cause()),
    }
}

impl ComponentBackend {
    /// Loads the embedded component (or `--module`), instantiates it with no imports, and
    /// creates (or restores) an engine.
    pub fn new(config: &LoadedConfig, state: Option<&[u8]>, sandbox: &SandboxArgs) -> Result<Self> {
        let mut wcfg = wasmtime::Config::new();
        wcfg.epoch_interruption(true);
        wcfg.consume_fuel(sandbox.fuel.is_some());
        // The guest multiplies 64x64->128 bits for hashing (XXH3, foldhash).
        wcfg.wasm_wide_arithmetic(true);
        // Errors name the input position; guest frames without symbols would only add noise.
        wcfg.wasm_backtrace_max_frames(None);
        if std::env::var_os("WIKIWATCH_PERFMAP").is_some_and(|v| v == "1") {
            // For `perf record`: guest functions get names in /tmp/perf-PID.map.
            wcfg.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = wasmtime::Engine::new(&wcfg).map_err(|e| guest(format!("wasmtime: {e}")))?;
        let component = match &sandbox.module {
            Some(path) => {
                let bytes = crate::input::read_file(path)?;
                crate::cache::component(&engine, &bytes).map_err(|e| {
                    guest(format!("{}: not a loadable component: {e}", path.display()))
                })?
            }
            None => crate::cache::component(&engine, EMBEDDED)
                .map_err(|e| guest(format!("embedded component: {e}")))?,
        };
        let module_name = sandbox
            .module
            .as_ref()
            .map_or_else(|| "embedded component".to_string(), |p| p.display().to_string());
        // No WASI and no host functions: the guest can compute and nothing else.
        let linker: Linker<HostState> = Linker::new(&engine);
        let limits = StoreLimitsBuilder::new()
            .memory_size(sandbox.max_memory.saturating_mul(1 << 20))
            .trap_on_grow_failure(true)
            .build();
        let mut store =
            Store::new(&engine, HostState { limits: Limits { inner: limits, peak_memory: 0 } });
        store.limiter(|s| &mut s.limits);
        let timeout = Duration::from_secs(sandbox.call_timeout.max(1));
        let deadline_ticks = (timeout.as_millis() / TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(deadline_ticks);
        if sandbox.fuel.is_some() {
            // --fuel meters the batches; creating the engine is bounded by the deadline only.
            store.set_fuel(u64::MAX).map_err(|e| guest(format!("wasmtime: {e}")))?;
        }
        let ticker = Ticker::start(engine.clone());
        let explain = |e: &wasmtime::Error| describe(e, sandbox.fuel, timeout, sandbox.max_memory);
        let describe_err = |e: wasmtime::Error| guest(format!("{module_name}: {}", explain(&e)));
        // The guest's start-up code runs here, under the same deadline and memory limit.
        let bindings = DetectorWorld::instantiate(&mut store, &component, &linker)
            .map_err(|e| guest(format!("{module_name}: cannot instantiate: {}", explain(&e))))?;
        let api = bindings.wikiwatch_filter_detect().engine();
        let handle = match state {
            None => api
                .call_create(&mut store, &config.text)
                .map_err(describe_err)?
                .map_err(|e| usage(wit_convert::config_error(&e)))?,
            Some(bytes) => api
                .call_restore(&mut store, &config.text, bytes)
                .map_err(describe_err)?
                .map_err(|e| usage(wit_convert::restore_error(&e)))?,
        };
        Ok(ComponentBackend {
            store,
            bindings,
            handle,
            fuel: sandbox.fuel,
            deadline_ticks,
            max_memory_mib: sandbox.max_memory,
            _ticker: ticker,
        })
    }

    /// Renews the per-call budget before each call.
    fn arm(&mut self) -> Result<()> {
        self.store.set_epoch_deadline(self.deadline_ticks);
        if let Some(f) = self.fuel {
            self.store.set_fuel(f).map_err(|e| guest(format!("wasmtime: {e}")))?;
        }
        Ok(())
    }

    fn fail(&self, e: wasmtime::Error) -> anyhow::Error {
        let timeout = TICK * u32::try_from(self.deadline_ticks).unwrap_or(u32::MAX);
        guest(describe(&e, self.fuel, timeout, self.max_memory_mib))
    }

    fn take(
        result: wit::BatchResult,
        alerts: &mut Vec<Alert>,
        rejected: &mut Vec<Rejected>,
    ) -> Result<()> {
        take_alerts(&result.alerts, alerts)?;
        rejected.extend(result.rejected.into_iter().map(|r| (r.index, r.reason)));
        Ok(())
    }
}

/// Converts the component's alerts; one the host cannot represent is a guest failure.
fn take_alerts(from: &[wit::Alert], into: &mut Vec<Alert>) -> Result<()> {
    for a in from {
        into.push(wit_convert::alert(a).map_err(guest)?);
    }
    Ok(())
}

impl Backend for ComponentBackend {
    fn feed_lines(
        &mut self,
        lines: &[u8],
        format: Format,
        alerts: &mut Vec<Alert>,
        rejected: &mut Vec<Rejected>,
    ) -> Result<()> {
        self.arm()?;
        let api = self.bindings.wikiwatch_filter_detect().engine();
        let result = api
            .call_feed_lines(&mut self.store, self.handle, lines, wit_convert::format(format))
            .map_err(|e| self.fail(e))?;
        Self::take(result, alerts, rejected)
    }

    fn feed_events(
        &mut self,
        events: &[AccessEvent<'static>],
        alerts: &mut Vec<Alert>,
    ) -> Result<()> {
        self.arm()?;
        let events: Vec<wit::Event> = events.iter().map(wit_convert::event).collect();
        let api = self.bindings.wikiwatch_filter_detect().engine();
        let result = api
            .call_feed_events(&mut self.store, self.handle, &events)
            .map_err(|e| self.fail(e))?;
        Self::take(result, alerts, &mut Vec::new())
    }

    fn finish(&mut self, alerts: &mut Vec<Alert>) -> Result<()> {
        self.arm()?;
        let api = self.bindings.wikiwatch_filter_detect().engine();
        let out = api.call_finish(&mut self.store, self.handle).map_err(|e| self.fail(e))?;
        take_alerts(&out, alerts)
    }

    fn stats(&mut self) -> Result<Stats> {
        self.arm()?;
        let api = self.bindings.wikiwatch_filter_detect().engine();
        let json = api.call_stats(&mut self.store, self.handle).map_err(|e| self.fail(e))?;
        serde_json::from_str(&json)
            .map_err(|e| guest(format!("the detector's stats are not valid: {e}")))
    }

    fn guest_memory(&self) -> Option<(u64, u64)> {
        let peak = self.store.data().limits.peak_memory as u64;
        Some((peak, (self.max_memory_mib as u64).saturating_mul(1 << 20)))
    }

    fn snapshot(&mut self) -> Result<Vec<u8>> {
        self.arm()?;
        let api = self.bindings.wikiwatch_filter_detect().engine();
        api.call_snapshot(&mut self.store, self.handle).map_err(|e| self.fail(e))
    }
}
