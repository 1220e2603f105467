//! The detector component in wasmtime: no WASI, no imports at all; a memory limit, a
//! wall-clock deadline per call, and optional fuel (deterministic, slower).
//!
//! The guest runs on a thread of its own ([`GuestThread`]) and each call is waited for with the
//! deadline, instead of wasmtime's epoch interruption, whose checks at every loop head and
//! function entry of the guest cost the detector about a sixth of its speed. A call past its
//! deadline is a guest failure like a trap (exit 3).

use crate::backend::{Backend, Rejected};
use crate::bindings::{wit, DetectorWorld};
use crate::cli::SandboxArgs;
use crate::config_file::LoadedConfig;
use crate::fail::{guest, usage};
use crate::guest_thread::{CallError, GuestThread};
use crate::wit_convert;
use anyhow::Result;
use std::sync::atomic::{AtomicUsize, Ordering};
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

struct HostState {
    limits: Limits,
}

/// The store's limits, and the largest linear memory the guest has had (for the summary).
struct Limits {
    inner: StoreLimits,
    peak_memory: Arc<AtomicUsize>,
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
            self.peak_memory.fetch_max(desired, Ordering::Relaxed);
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

/// The instantiated component, owned by the guest's thread.
struct Instance {
    store: Store<HostState>,
    bindings: DetectorWorld,
}

/// The component, instantiated on its own thread, with one `engine` resource.
pub struct ComponentBackend {
    thread: GuestThread<Instance>,
    handle: ResourceAny,
    fuel: Option<u64>,
    max_memory_mib: usize,
    peak_memory: Arc<AtomicUsize>,
    /// The last batch's bytes, kept to copy the next one into.
    spare: Vec<u8>,
}

impl std::fmt::Debug for ComponentBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentBackend").field("fuel", &self.fuel).finish()
    }
}

/// Describes a failed call: which limit was hit, or the trap.
fn describe(e: &CallError, fuel: Option<u64>, timeout: Duration, max_mib: usize) -> String {
    let e = match e {
        CallError::Guest(e) => e,
        CallError::TimedOut => {
            return format!(
                "the detector exceeded its time limit ({} s per call; raise --call-timeout)",
                timeout.as_secs()
            )
        }
        CallError::Ended => return "the detector's thread ended unexpectedly".to_string(),
    };
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => format!(
            "the detector ran out of fuel ({} units per call; raise --fuel)",
            fuel.unwrap_or(0)
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
    /// Loads the embedded component (or `--module`), instantiates it with no imports on the
    /// guest's thread, and creates (or restores) an engine.
    pub fn new(config: &LoadedConfig, state: Option<&[u8]>, sandbox: &SandboxArgs) -> Result<Self> {
        let mut wcfg = wasmtime::Config::new();
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
        let timeout = Duration::from_secs(sandbox.call_timeout.max(1));
        let explain = |e: &CallError| describe(e, sandbox.fuel, timeout, sandbox.max_memory);
        let peak_memory = Arc::new(AtomicUsize::new(0));
        let limits = Limits {
            inner: StoreLimitsBuilder::new()
                .memory_size(sandbox.max_memory.saturating_mul(1 << 20))
                .trap_on_grow_failure(true)
                .build(),
            peak_memory: peak_memory.clone(),
        };
        // The guest's start-up code runs on its thread, under the same deadline and memory
        // limit as every call; with --fuel, only the batches are metered.
        let metered = sandbox.fuel.is_some();
        let thread = GuestThread::spawn(timeout, move || {
            let mut store = Store::new(&engine, HostState { limits });
            store.limiter(|s| &mut s.limits);
            if metered {
                store.set_fuel(u64::MAX)?;
            }
            // No WASI and no host functions: the guest can compute and nothing else.
            let linker: Linker<HostState> = Linker::new(&engine);
            let bindings = DetectorWorld::instantiate(&mut store, &component, &linker)?;
            Ok(Instance { store, bindings })
        });
        let mut thread = thread
            .map_err(|e| guest(format!("{module_name}: cannot instantiate: {}", explain(&e))))?;
        let text = config.text.clone();
        let state = state.map(<[u8]>::to_vec);
        let created = thread.run(move |i| {
            let api = i.bindings.wikiwatch_filter_detect().engine();
            Ok(match &state {
                None => api
                    .call_create(&mut i.store, &text)?
                    .map_err(|e| usage(wit_convert::config_error(&e))),
                Some(bytes) => api
                    .call_restore(&mut i.store, &text, bytes)?
                    .map_err(|e| usage(wit_convert::restore_error(&e))),
            })
        });
        let handle = created.map_err(|e| guest(format!("{module_name}: {}", explain(&e))))??;
        Ok(ComponentBackend {
            thread,
            handle,
            fuel: sandbox.fuel,
            max_memory_mib: sandbox.max_memory,
            peak_memory,
            spare: Vec::new(),
        })
    }

    /// Calls the guest under the per-call budget: the deadline, and the fuel when metered.
    fn call<R: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Instance, ResourceAny) -> wasmtime::Result<R> + Send + 'static,
    ) -> Result<R> {
        let (handle, fuel) = (self.handle, self.fuel);
        let called = self.thread.run(move |i| {
            if let Some(units) = fuel {
                i.store.set_fuel(units)?;
            }
            f(i, handle)
        });
        called.map_err(|e| guest(describe(&e, fuel, self.thread.timeout(), self.max_memory_mib)))
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
        let mut batch = std::mem::take(&mut self.spare);
        batch.clear();
        batch.extend_from_slice(lines);
        let format = wit_convert::format(format);
        let (batch, result) = self.call(move |i, handle| {
            let api = i.bindings.wikiwatch_filter_detect().engine();
            let result = api.call_feed_lines(&mut i.store, handle, &batch, format)?;
            Ok((batch, result))
        })?;
        self.spare = batch;
        Self::take(result, alerts, rejected)
    }

    fn feed_events(
        &mut self,
        events: &[AccessEvent<'static>],
        alerts: &mut Vec<Alert>,
    ) -> Result<()> {
        let events: Vec<wit::Event> = events.iter().map(wit_convert::event).collect();
        let result = self.call(move |i, handle| {
            let api = i.bindings.wikiwatch_filter_detect().engine();
            api.call_feed_events(&mut i.store, handle, &events)
        })?;
        Self::take(result, alerts, &mut Vec::new())
    }

    fn finish(&mut self, alerts: &mut Vec<Alert>) -> Result<()> {
        let out = self.call(|i, handle| {
            i.bindings.wikiwatch_filter_detect().engine().call_finish(&mut i.store, handle)
        })?;
        take_alerts(&out, alerts)
    }

    fn stats(&mut self) -> Result<Stats> {
        let json = self.call(|i, handle| {
            i.bindings.wikiwatch_filter_detect().engine().call_stats(&mut i.store, handle)
        })?;
        serde_json::from_str(&json)
            .map_err(|e| guest(format!("the detector's stats are not valid: {e}")))
    }

    fn guest_memory(&self) -> Option<(u64, u64)> {
        let peak = self.peak_memory.load(Ordering::Relaxed) as u64;
        Some((peak, (self.max_memory_mib as u64).saturating_mul(1 << 20)))
    }

    fn snapshot(&mut self) -> Result<Vec<u8>> {
        self.call(|i, handle| {
            i.bindings.wikiwatch_filter_detect().engine().call_snapshot(&mut i.store, handle)
        })
    }
}
