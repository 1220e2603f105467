//! Exports wasi-libc's `malloc` and `free` from the wasm module.
//!
//! Fluent Bit copies the tag and the record into the module with WAMR's
//! `wasm_runtime_module_malloc`. WAMR uses the module's own `malloc`/`free` exports when
//! both exist (and then inserts no host-managed heap); otherwise it carves a small heap of
//! `wasm_heap_size` bytes out of linear memory (~63 KiB by default), and any record larger
//! than that arrives as a null pointer. Exporting the allocator Rust's std already uses on
//! wasip1 lets records of any size in, whatever `wasm_heap_size` says.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=--export=malloc");
        println!("cargo:rustc-link-arg-cdylib=--export=free");
    }
}
