//! The cheapest filter Fluent Bit's filter_wasm can run: it hands every record back as it came.
//! `scripts/bench-fluent-bit.sh` runs it beside wikiwatch, so the host's own cost per filtered
//! record (msgpack to JSON, the copy in, the call, JSON back to msgpack) is measured apart from
//! the detector's. Built with `cargo build -p wikiwatch-fluent-bit --example echo_filter
//! --target wasm32-wasip1 --profile wasm`; on other targets it is empty.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

thread_local! {
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A WASI reactor, as the real module is: its constructors run once, not around every call.
#[no_mangle]
pub extern "C" fn _initialize() {
    extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker-made constructor list, called once by the host before any export.
    unsafe { __wasm_call_ctors() }
}

/// Returns `record`, NUL-terminated, from a buffer valid until the next call.
///
/// # Safety
/// `record` must point to `record_len` readable bytes (or be null), as filter_wasm guarantees.
#[no_mangle]
pub unsafe extern "C" fn echo_filter(
    _tag: *const u8,
    _tag_len: u32,
    _time_sec: u32,
    _time_nsec: u32,
    record: *const u8,
    record_len: u32,
) -> *const u8 {
    let record: &[u8] = if record.is_null() {
        &[]
    } else {
        // SAFETY: the host copied `record_len` bytes to this address (caller contract).
        unsafe { std::slice::from_raw_parts(record, record_len as usize) }
    };
    OUT.with_borrow_mut(|out| {
        out.clear();
        out.extend_from_slice(record);
        out.push(0);
        out.as_ptr()
    })
}
