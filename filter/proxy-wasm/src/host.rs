//! The few proxy host calls the filter makes, behind names that say what they are for.
//! Every failure is absorbed here: the filter fails open.

use crate::slots::Store;
use proxy_wasm::hostcalls;
use proxy_wasm::types::{LogLevel, MapType};

/// Proxy-wide shared data (one map per `vm_id`, shared by every worker VM).
#[derive(Debug, Clone, Copy)]
pub struct SharedData;

impl Store for SharedData {
    fn get(&self, key: &str) -> Option<(Vec<u8>, u32)> {
        match hostcalls::get_shared_data(key) {
            Ok((Some(v), cas)) => Some((v, cas.unwrap_or(0))),
            Ok((None, Some(cas))) => Some((Vec::new(), cas)),
            _ => None,
        }
    }

    fn set(&self, key: &str, value: &[u8], cas: u32) -> bool {
        hostcalls::set_shared_data(key, Some(value), (cas != 0).then_some(cas)).is_ok()
    }
}

/// The host clock in ms since the epoch: the only clock the module reads.
pub fn now_ms() -> i64 {
    hostcalls::get_current_time()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// One log line at `level`.
pub fn log(level: LogLevel, line: &str) {
    let _ = hostcalls::log(level, line);
}

/// The downstream peer address (`ip:port`).
pub fn peer_address() -> Option<Vec<u8>> {
    hostcalls::get_property(vec!["source", "address"]).ok().flatten()
}

/// A unique id for this VM: std's random hasher seeds from the host's WASI `random_get`.
pub fn vm_id() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
}

#[link(wasm_import_module = "env")]
extern "C" {
    // The SDK's wrapper panics on any status but Ok/NotFound; a host with bounded queues may
    // answer "full", so call the import directly. (ngx_wasm_module traps the VM on a full
    // shm_queue instead of answering: there the queue must be sized, see docs/hosts.md.)
    #[link_name = "proxy_enqueue_shared_queue"]
    fn raw_enqueue_shared_queue(queue_id: u32, value_data: *const u8, value_size: usize) -> u32;
}

/// Queues `value`; false when the host refused it (unknown queue, full): the caller drops
/// the event and the request goes on.
pub fn enqueue(queue: u32, value: &[u8]) -> bool {
    // SAFETY: the pointer and length describe `value`, which outlives the call; the host only
    // reads from it.
    unsafe { raw_enqueue_shared_queue(queue, value.as_ptr(), value.len()) == 0 }
}

#[link(wasm_import_module = "env")]
extern "C" {
    // The SDK's map getters turn keys into `String` with `unwrap`: a header name that is not
    // UTF-8 would trap. One raw call fetches the whole map (cheaper than a call per header).
    #[link_name = "proxy_get_header_map_pairs"]
    fn raw_get_header_map_pairs(map_type: u32, data: *mut *mut u8, size: *mut usize) -> u32;
}

/// A whole header map, serialised (parse with `request::Pairs`); empty on any failure.
pub fn header_map(map: MapType) -> Vec<u8> {
    let mut data: *mut u8 = std::ptr::null_mut();
    let mut size: usize = 0;
    // SAFETY: the host writes a buffer it allocated with `proxy_on_memory_allocate` (a boxed
    // slice of exactly `size` bytes, as the SDK's allocator makes it) and its size; we own it.
    unsafe {
        if raw_get_header_map_pairs(map as u32, &mut data, &mut size) != 0 || data.is_null() {
            return Vec::new();
        }
        Vec::from_raw_parts(data, size, size)
    }
}

#[link(wasm_import_module = "env")]
extern "C" {
    // The SDK's wrappers panic on any status but Ok: a host without metrics, or with its
    // metric store full, would trap the VM. Called directly, a refusal is only a status.
    #[link_name = "proxy_define_metric"]
    fn raw_define_metric(metric_type: u32, name: *const u8, name_size: usize, id: *mut u32) -> u32;
    #[link_name = "proxy_increment_metric"]
    fn raw_increment_metric(metric_id: u32, offset: i64) -> u32;
}

/// The host's metric store (counters only).
#[derive(Debug, Clone, Copy)]
pub struct HostMetrics;

impl crate::metrics::MetricHost for HostMetrics {
    fn define(&mut self, name: &str) -> Option<u32> {
        let mut id = 0u32;
        // SAFETY: pointer and length describe `name`, which outlives the call; the host writes
        // one u32 at `id`, a live local.
        let status = unsafe { raw_define_metric(0, name.as_ptr(), name.len(), &mut id) };
        (status == 0).then_some(id)
    }

    fn increment(&mut self, id: u32, by: u64) {
        // SAFETY: plain values only.
        let _ = unsafe { raw_increment_metric(id, i64::try_from(by).unwrap_or(i64::MAX)) };
    }
}
