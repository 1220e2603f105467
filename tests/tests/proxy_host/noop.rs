//! A proxy-wasm module whose callbacks return at once: the baseline the filter's added time
//! per request is measured against (same harness, same host calls from the host side).

use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, MemorySection,
    MemoryType, Module, TypeSection, ValType,
};

/// The module's bytes.
pub fn module() -> Vec<u8> {
    use ValType::I32;
    // (name, params, results, returned constant)
    let funcs: &[(&str, &[ValType], &[ValType], i32)] = &[
        ("proxy_abi_version_0_2_1", &[], &[], 0),
        ("_initialize", &[], &[], 0),
        ("proxy_on_memory_allocate", &[I32], &[I32], 1024),
        ("proxy_on_context_create", &[I32, I32], &[], 0),
        ("proxy_on_vm_start", &[I32, I32], &[I32], 1),
        ("proxy_on_configure", &[I32, I32], &[I32], 1),
        ("proxy_on_request_headers", &[I32, I32, I32], &[I32], 0),
        ("proxy_on_response_headers", &[I32, I32, I32], &[I32], 0),
        ("proxy_on_log", &[I32], &[], 0),
        ("proxy_on_done", &[I32], &[I32], 1),
        ("proxy_on_delete", &[I32], &[], 0),
        ("proxy_on_tick", &[I32], &[], 0),
        ("proxy_on_queue_ready", &[I32, I32], &[], 0),
    ];
    let mut types = TypeSection::new();
    let mut functions = FunctionSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    for (i, (name, params, results, value)) in funcs.iter().enumerate() {
        types.ty().function(params.iter().copied(), results.iter().copied());
        functions.function(i as u32);
        exports.export(name, ExportKind::Func, i as u32);
        let mut f = Function::new([]);
        if !results.is_empty() {
            f.instruction(&Instruction::I32Const(*value));
        }
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    exports.export("memory", ExportKind::Memory, 0);
    let mut m = Module::new();
    m.section(&types).section(&functions).section(&memory).section(&exports).section(&code);
    m.finish()
}
