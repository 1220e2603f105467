//! The C ABI Fluent Bit's filter_wasm calls, and the one filter that lives behind it.
//!
//! Fluent Bit (4.1+) instantiates the module once and calls the function for every record:
//! it `malloc`s the tag and the NUL-terminated record in our memory, calls us, copies the
//! NUL-terminated string we return (`strdup`) and `free`s its two buffers. The result stays
//! in a buffer the filter owns and reuses; the input pointers are never kept.

use crate::config_file;
use crate::filter::Filter;
use crate::state_file::{self, Saver};
use std::cell::{Cell, RefCell};

thread_local! {
    // Wasm is single-threaded; the filter is taken out for the call and put back after, so a
    // trap in the middle of a call (out of memory) leaves `None` behind rather than a stuck
    // borrow, and the next call starts a fresh filter instead of failing every record.
    static FILTER: Cell<Option<Box<Filter>>> = const { Cell::new(None) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static SAVER: RefCell<Option<Saver>> = const { RefCell::new(None) };
}

/// Filters one record for Fluent Bit. Returns a NUL-terminated JSON object in module memory,
/// valid until the next call.
///
/// # Safety
/// `tag` and `record` must point to `tag_len` and `record_len` readable bytes (or be null),
/// as Fluent Bit's filter_wasm guarantees.
#[no_mangle]
pub unsafe extern "C" fn wikiwatch_filter(
    tag: *const u8,
    tag_len: u32,
    time_sec: u32,
    time_nsec: u32,
    record: *const u8,
    record_len: u32,
) -> *const u8 {
    // The tag is not needed: `auto` decoding tells sources apart by their content.
    let _ = (tag, tag_len);
    // SAFETY: the host copied `record_len` bytes to this address (caller contract).
    let record = unsafe { bytes(record, record_len) };
    let mut log = |line: &str| eprintln!("{line}");
    let mut filter = FILTER.with(Cell::take).unwrap_or_else(|| start(&mut log));
    let out = filter.filter(time_sec, time_nsec, record, &mut log).as_ptr();
    SAVER.with_borrow_mut(|saver| {
        if let Some(saver) = saver {
            saver.record(&filter, state_file::write_atomic, &mut log);
        }
    });
    // The output buffer is a Vec inside the boxed filter: moving the box does not move it.
    FILTER.with(|f| f.set(Some(filter)));
    out
}

/// The WASI reactor entry point: runs the module's static constructors once, at
/// instantiation (WAMR calls `_initialize` itself when a WASI module exports it). Without it
/// the linker makes the module a command, whose every export (the filter, `malloc`, `free`:
/// five calls a record) runs the constructors before and the libc's exit hooks after.
/// Referencing `__wasm_call_ctors` here is what tells the linker the module calls them itself.
#[no_mangle]
pub extern "C" fn _initialize() {
    extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: the linker-made constructor list, called once by the host before any export.
    unsafe { __wasm_call_ctors() }
}

/// A slice over host-provided bytes; empty for a null pointer (WAMR passes 0 when it could
/// not allocate the copy).
unsafe fn bytes<'a>(ptr: *const u8, len: u32) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: non-null and `len` bytes long per the caller's contract.
    unsafe { std::slice::from_raw_parts(ptr, len as usize) }
}

fn start(log: &mut dyn FnMut(&str)) -> Box<Filter> {
    if STARTED.with(|s| s.replace(true)) {
        log("wikiwatch: error: a previous call did not complete (trap); detection state was reset");
    }
    let dir = preopen::first_dir();
    let ((config, settings), line) =
        config_file::load(dir.as_deref(), |path| std::fs::read_to_string(path));
    log(&line);
    let mut filter = Box::new(Filter::with_settings(config, settings, log));
    let saver = Saver::start(dir.as_deref(), &mut filter, |path| std::fs::read(path), log);
    SAVER.with_borrow_mut(|s| *s = Some(saver));
    filter
}

/// The preopened directories (Fluent Bit's `accessible_paths`), read from WASI directly since
/// std has no API for them. Preopens are numbered from fd 3 in the order given.
mod preopen {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn fd_prestat_get(fd: i32, prestat: *mut u32) -> i32;
        fn fd_prestat_dir_name(fd: i32, path: *mut u8, len: i32) -> i32;
    }

    /// The name of the first preopened directory, as the guest sees it.
    pub fn first_dir() -> Option<String> {
        // Gaps are possible in theory; look a little past fd 3 before giving up.
        (3..35).find_map(dir_name)
    }

    fn dir_name(fd: i32) -> Option<String> {
        // `prestat`: a u8 tag (0 = directory), padding, then the u32 name length.
        let mut prestat = [0u32; 2];
        // SAFETY: `prestat` is 8 writable, 4-aligned bytes: the size of a WASI prestat.
        if unsafe { fd_prestat_get(fd, prestat.as_mut_ptr()) } != 0 || prestat[0] & 0xff != 0 {
            return None;
        }
        let mut name = vec![0u8; prestat[1] as usize];
        let len = i32::try_from(name.len()).ok()?;
        // SAFETY: `name` is exactly the length WASI reported.
        if unsafe { fd_prestat_dir_name(fd, name.as_mut_ptr(), len) } != 0 {
            return None;
        }
        // Some runtimes count a trailing NUL in the length.
        while name.last() == Some(&0) {
            name.pop();
        }
        String::from_utf8(name).ok()
    }
}
