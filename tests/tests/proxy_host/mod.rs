//! A proxy-wasm 0.2.1 host in wasmtime, enough of Envoy to run the wikiwatch filter: several
//! worker VMs (one wasmtime instance each) share one proxy's shared data and queues, and the
//! ABI callbacks are driven in Envoy's order (context create, vm start, configure; request
//! headers, response headers, log, done, delete; ticks; queue-ready on the registrant).

mod abi;
pub mod noop;
mod wasi;

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use wasmtime::{bail, Result};
use wasmtime::{Engine, Instance, Linker, Module, Store, TypedFunc};

/// A header list as bytes (values may be invalid UTF-8 on purpose).
pub type Headers = Vec<(Vec<u8>, Vec<u8>)>;

/// Builds a header list from text pairs.
pub fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect()
}

/// One proxy log line.
#[derive(Debug, Clone)]
pub struct Log {
    /// Which worker VM logged it.
    pub vm: usize,
    /// proxy-wasm log level (3 = warn, 4 = error).
    pub level: i32,
    /// The text.
    pub message: String,
}

/// A `dispatch_http_call` the module made.
#[derive(Debug, Clone)]
pub struct HttpCall {
    pub vm: usize,
    pub cluster: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A response the module sent itself.
#[derive(Debug, Clone)]
pub struct LocalResponse {
    pub status: u32,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl LocalResponse {
    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        find(&self.headers, name)
    }
}

fn find(h: &Headers, name: &str) -> Option<String> {
    h.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
}

pub(crate) struct Queue {
    items: VecDeque<Vec<u8>>,
    owner: usize,
}

/// A metric the module defined (by name, proxy-wide).
#[derive(Debug, Clone)]
pub struct Metric {
    /// Name as defined.
    pub name: String,
    /// proxy-wasm `MetricType`: 0 counter, 1 gauge, 2 histogram.
    pub kind: i32,
    /// Current value (counters and gauges).
    pub value: u64,
}

/// What the worker VMs of one proxy share (Envoy's process-wide shared data and queues).
#[derive(Default)]
pub struct Host {
    data: HashMap<Vec<u8>, (Vec<u8>, u32)>,
    next_cas: u32,
    queue_tokens: HashMap<Vec<u8>, u32>,
    queues: HashMap<u32, Queue>,
    ready: Vec<(usize, u32)>,
    /// Host clock, ns since the epoch.
    pub clock_ns: u64,
    /// Every log line, in order.
    pub logs: Vec<Log>,
    /// Every collector call.
    pub http_calls: Vec<HttpCall>,
    /// Shared-data writes so far.
    pub shared_sets: u64,
    /// Reads of the WASI clock (hash seeding only; it answers the epoch).
    pub wasi_clock_reads: u64,
    /// Metrics defined so far.
    pub metrics: Vec<Metric>,
    /// Answer every `proxy_define_metric` with "unimplemented" (a host without metrics).
    pub refuse_metrics: bool,
    random: u64,
}

impl Host {
    /// Shared-data keys and their value sizes.
    pub fn shared_sizes(&self) -> Vec<(String, usize)> {
        let mut v: Vec<_> = self
            .data
            .iter()
            .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), v.0.len()))
            .collect();
        v.sort();
        v
    }
}

/// Per-VM host state (Envoy's per-context maps for the stream being processed).
pub struct VmState {
    host: Rc<RefCell<Host>>,
    index: usize,
    plugin_config: Vec<u8>,
    request_headers: Headers,
    response_headers: Headers,
    empty_map: Headers,
    local_response: Option<LocalResponse>,
    source_address: Vec<u8>,
    tick_ms: u32,
    memory: Option<wasmtime::Memory>,
    alloc: Option<TypedFunc<i32, i32>>,
    /// This VM's metric ids: index into `Host::metrics`.
    metric_ids: Vec<u32>,
}

struct Exports {
    context_create: TypedFunc<(i32, i32), ()>,
    vm_start: TypedFunc<(i32, i32), i32>,
    configure: TypedFunc<(i32, i32), i32>,
    request_headers: TypedFunc<(i32, i32, i32), i32>,
    response_headers: TypedFunc<(i32, i32, i32), i32>,
    log: TypedFunc<i32, ()>,
    done: TypedFunc<i32, i32>,
    delete: TypedFunc<i32, ()>,
    tick: TypedFunc<i32, ()>,
    queue_ready: TypedFunc<(i32, i32), ()>,
}

/// One worker VM.
pub struct Vm {
    store: Store<VmState>,
    x: Exports,
    next_context: i32,
    /// `proxy_on_configure` accepted the configuration.
    pub configured: bool,
}

const ROOT: i32 = 1;

/// A request as the downstream sends it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Request headers, pseudo-headers (`:method`, `:path`) included.
    pub headers: Headers,
    /// Peer address (`ip:port`).
    pub source: String,
}

/// What happened to one request.
#[derive(Debug)]
pub struct Exchange {
    /// The module answered itself (429 in enforce mode).
    pub local: Option<LocalResponse>,
    /// Request headers as forwarded to the upstream (after the module).
    pub upstream_headers: Headers,
}

impl Exchange {
    /// A forwarded request header.
    pub fn upstream_header(&self, name: &str) -> Option<String> {
        find(&self.upstream_headers, name)
    }
}

/// One proxy: a module, its configuration, and `workers` VMs.
pub struct Proxy {
    /// Shared data, queues, clock, logs.
    pub host: Rc<RefCell<Host>>,
    /// The worker VMs.
    pub vms: Vec<Vm>,
    /// Deliver queue-ready notifications right after each request (the leader's thread is
    /// idle); off, they wait for [`Proxy::deliver_ready`] (to time the worker path alone).
    pub auto_ready: bool,
    /// Call `proxy_on_log` after each request (APISIX never does).
    pub log_phase: bool,
    /// Fire ticks in [`Proxy::tick`] (APISIX never does).
    pub ticks: bool,
}

impl Proxy {
    /// Compiles `wasm` and starts `workers` VMs with `config` as the plugin configuration.
    pub fn start(wasm: &[u8], config: &[u8], workers: usize) -> Result<Proxy> {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm)?;
        Proxy::start_module(&engine, &module, config, workers)
    }

    /// As [`Proxy::start`], on a host whose `proxy_define_metric` answers "unimplemented".
    pub fn start_without_metrics(wasm: &[u8], config: &[u8], workers: usize) -> Result<Proxy> {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm)?;
        Proxy::start_host(&engine, &module, config, workers, true)
    }

    /// Starts VMs of an already compiled module.
    pub fn start_module(
        engine: &Engine,
        module: &Module,
        config: &[u8],
        workers: usize,
    ) -> Result<Proxy> {
        Proxy::start_host(engine, module, config, workers, false)
    }

    /// Starts VMs of a compiled module; `refuse_metrics`: the host answers every
    /// `proxy_define_metric` with "unimplemented".
    pub fn start_host(
        engine: &Engine,
        module: &Module,
        config: &[u8],
        workers: usize,
        refuse_metrics: bool,
    ) -> Result<Proxy> {
        if module.get_export("proxy_abi_version_0_2_1").is_none() {
            bail!("module does not export proxy_abi_version_0_2_1");
        }
        let mut linker = Linker::new(engine);
        abi::link(&mut linker, module)?;
        let host = Rc::new(RefCell::new(Host {
            clock_ns: 1_700_000_000_000_000_000,
            random: 0x9e37_79b9_7f4a_7c15,
            refuse_metrics,
            ..Host::default()
        }));
        let mut vms = Vec::new();
        for index in 0..workers {
            let state = VmState {
                host: host.clone(),
                index,
                plugin_config: config.to_vec(),
                request_headers: Vec::new(),
                response_headers: Vec::new(),
                empty_map: Vec::new(),
                local_response: None,
                source_address: Vec::new(),
                tick_ms: 0,
                memory: None,
                alloc: None,
                metric_ids: Vec::new(),
            };
            let mut store = Store::new(engine, state);
            let instance: Instance = linker.instantiate(&mut store, module)?;
            for init in ["_initialize", "_start"] {
                if let Ok(f) = instance.get_typed_func::<(), ()>(&mut store, init) {
                    f.call(&mut store, ())?;
                    break;
                }
            }
            let x = Exports {
                context_create: instance.get_typed_func(&mut store, "proxy_on_context_create")?,
                vm_start: instance.get_typed_func(&mut store, "proxy_on_vm_start")?,
                configure: instance.get_typed_func(&mut store, "proxy_on_configure")?,
                request_headers: instance.get_typed_func(&mut store, "proxy_on_request_headers")?,
                response_headers: instance
                    .get_typed_func(&mut store, "proxy_on_response_headers")?,
                log: instance.get_typed_func(&mut store, "proxy_on_log")?,
                done: instance.get_typed_func(&mut store, "proxy_on_done")?,
                delete: instance.get_typed_func(&mut store, "proxy_on_delete")?,
                tick: instance.get_typed_func(&mut store, "proxy_on_tick")?,
                queue_ready: instance.get_typed_func(&mut store, "proxy_on_queue_ready")?,
            };
            x.context_create.call(&mut store, (ROOT, 0))?;
            if x.vm_start.call(&mut store, (ROOT, 0))? == 0 {
                bail!("proxy_on_vm_start returned false");
            }
            let configured = x.configure.call(&mut store, (ROOT, config.len() as i32))? != 0;
            vms.push(Vm { store, x, next_context: ROOT + 1, configured });
        }
        Ok(Proxy { host, vms, auto_ready: true, log_phase: true, ticks: true })
    }

    /// Sets the host clock (ms since the epoch).
    pub fn set_clock_ms(&self, ms: i64) {
        self.host.borrow_mut().clock_ns = (ms as u64).saturating_mul(1_000_000);
    }

    /// Runs one request through worker `vm`: request headers; then, unless the module answered
    /// itself, `upstream` produces the response headers from the forwarded request; log, done,
    /// delete. Queue-ready notifications are delivered afterwards (the leader's thread was idle).
    pub fn request(
        &mut self,
        vm: usize,
        req: &Request,
        upstream: impl FnOnce(&Headers) -> Headers,
    ) -> Result<Exchange> {
        let v = &mut self.vms[vm];
        let ctx = v.next_context;
        v.next_context += 1;
        let s = v.store.data_mut();
        s.request_headers = req.headers.clone();
        s.response_headers = Vec::new();
        s.local_response = None;
        s.source_address = req.source.as_bytes().to_vec();
        v.x.context_create.call(&mut v.store, (ctx, ROOT))?;
        let n = req.headers.len() as i32;
        v.x.request_headers.call(&mut v.store, (ctx, n, 1))?;
        let local = v.store.data_mut().local_response.take();
        let upstream_headers = v.store.data().request_headers.clone();
        let response = match &local {
            Some(l) => {
                let mut h = headers(&[(":status", &l.status.to_string())]);
                h.extend(l.headers.iter().cloned());
                h
            }
            None => upstream(&upstream_headers),
        };
        let n = response.len() as i32;
        v.store.data_mut().response_headers = response;
        v.x.response_headers.call(&mut v.store, (ctx, n, 0))?;
        if self.log_phase {
            v.x.log.call(&mut v.store, ctx)?;
        }
        v.x.done.call(&mut v.store, ctx)?;
        v.x.delete.call(&mut v.store, ctx)?;
        if self.auto_ready {
            self.deliver_ready()?;
        }
        Ok(Exchange { local, upstream_headers })
    }

    /// Delivers pending `proxy_on_queue_ready` to the VM that registered each queue.
    pub fn deliver_ready(&mut self) -> Result<()> {
        loop {
            let ready: Vec<_> = std::mem::take(&mut self.host.borrow_mut().ready);
            if ready.is_empty() {
                return Ok(());
            }
            let mut seen = Vec::new();
            for (vm, token) in ready {
                if !seen.contains(&(vm, token)) {
                    seen.push((vm, token));
                    let v = &mut self.vms[vm];
                    v.x.queue_ready.call(&mut v.store, (ROOT, token as i32))?;
                }
            }
        }
    }

    /// One tick on every VM, in order (each worker's timer fires).
    pub fn tick(&mut self) -> Result<()> {
        for v in &mut self.vms {
            if self.ticks && v.store.data().tick_ms > 0 {
                v.x.tick.call(&mut v.store, ROOT)?;
            }
        }
        self.deliver_ready()
    }

    /// VM shutdown: `proxy_on_done` then `proxy_on_delete` on every root context.
    pub fn shutdown(&mut self) -> Result<()> {
        for v in &mut self.vms {
            v.x.done.call(&mut v.store, ROOT)?;
            v.x.delete.call(&mut v.store, ROOT)?;
        }
        Ok(())
    }

    /// Log lines at `level` or above.
    pub fn logs(&self, min_level: i32) -> Vec<Log> {
        self.host.borrow().logs.iter().filter(|l| l.level >= min_level).cloned().collect()
    }

    /// Alert lines the module logged (warn lines that are JSON objects with a `rule`).
    pub fn alerts(&self) -> Vec<serde_json::Value> {
        self.logs(3)
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l.message).ok())
            .filter(|v| v.get("rule").is_some())
            .collect()
    }

    /// A metric's value by name, if the module defined it.
    pub fn metric(&self, name: &str) -> Option<u64> {
        self.host.borrow().metrics.iter().find(|m| m.name == name).map(|m| m.value)
    }

    /// Tick period a VM asked for, ms.
    pub fn tick_ms(&self, vm: usize) -> u32 {
        self.vms[vm].store.data().tick_ms
    }
}
