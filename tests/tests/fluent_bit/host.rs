//! A stand-in for Fluent Bit's filter_wasm that calls the module exactly as Fluent Bit 4.2
//! does through WAMR (src/wasm/flb_wasm.c, `flb_wasm_call_function_format_json`):
//!
//! 1. instantiate once with WASI preview 1, `accessible_paths` preopened under their own
//!    names (WAMR gives the guest the path as written), and call `_initialize` if exported;
//! 2. per record: `wasm_runtime_module_dup_data` the tag and the record *with* their NUL
//!    (`len + 1` bytes) — for a module exporting `malloc`/`free`, WAMR allocates through them;
//! 3. call `fn(tag, tag_len, time_sec, time_nsec, record, record_len)` (lengths without NUL);
//! 4. validate the returned address as a NUL-terminated string in linear memory and copy it
//!    (`flb_strdup`); a trap or an invalid address drops the record;
//! 5. free the two input buffers through the module.
//!
//! Fluent Bit then drops an empty result and packs the rest as JSON; callers check that.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use wasmtime::error::Context;
use wasmtime::{
    bail, format_err, Engine, Instance, Linker, Memory, Module, Result, Store, TypedFunc,
};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

/// The function name set by `function_name` in the example config.
pub const FUNCTION: &str = "wikiwatch_filter";

type FilterFn = TypedFunc<(i32, i32, i32, i32, i32, i32), i32>;

/// One directory of `accessible_paths`: the host directory and the name the guest sees.
#[derive(Debug, Clone)]
pub struct Preopen {
    /// Directory on the host.
    pub host: PathBuf,
    /// The `accessible_paths` entry as written (e.g. `.` or `/etc/fluent-bit`).
    pub guest: String,
}

/// The compiled module, shared by every test (compiling is the slow part).
fn module() -> &'static (Engine, Module) {
    static MODULE: OnceLock<(Engine, Module)> = OnceLock::new();
    MODULE.get_or_init(|| {
        let engine = Engine::default();
        let path = wikiwatch_tests::artifact("wikiwatch_fluent_bit.wasm");
        let module = Module::from_file(&engine, &path).expect("the Fluent Bit module compiles");
        (engine, module)
    })
}

/// One filter_wasm instance, alive as long as a Fluent Bit run.
pub struct FluentBit {
    store: Store<WasiP1Ctx>,
    memory: Memory,
    malloc: TypedFunc<i32, i32>,
    free: TypedFunc<i32, ()>,
    filter: FilterFn,
    stderr: MemoryOutputPipe,
}

/// What came back for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// The NUL-terminated string the function returned (without the NUL).
    Record(Vec<u8>),
    /// Fluent Bit would drop the record: trap, or an address that is not a C string.
    Dropped(String),
}

impl FluentBit {
    /// Instantiates the module with `accessible_paths` preopened (Fluent Bit's default is `.`).
    pub fn new(accessible: &[Preopen]) -> Result<FluentBit> {
        let (engine, module) = module();
        let stderr = MemoryOutputPipe::new(1 << 20);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stderr(stderr.clone());
        for p in accessible {
            wasi.preopened_dir(&p.host, &p.guest, FsPerms::ReadWrite)
                .with_context(|| format!("preopen {}", p.host.display()))?;
        }
        let mut store = Store::new(engine, wasi.build_p1());
        let mut linker: Linker<WasiP1Ctx> = Linker::new(engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |cx| cx)?;
        let instance: Instance = linker.instantiate(&mut store, module)?;
        // WAMR runs a WASI reactor's `_initialize` when instantiating it.
        if let Ok(init) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            init.call(&mut store, ())?;
        }
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| format_err!("no memory export"))?;
        // WAMR only uses a module's allocator when it exports both, with these exact types.
        let malloc =
            instance.get_typed_func::<i32, i32>(&mut store, "malloc").context("malloc export")?;
        let free = instance.get_typed_func::<i32, ()>(&mut store, "free").context("free export")?;
        let filter = instance.get_typed_func(&mut store, FUNCTION).context("filter export")?;
        Ok(FluentBit { store, memory, malloc, free, filter, stderr })
    }

    /// Fluent Bit's default `accessible_paths` (`.`), mapped to `dir`.
    pub fn with_cwd(dir: &Path) -> Result<FluentBit> {
        FluentBit::new(&[Preopen { host: dir.to_path_buf(), guest: ".".into() }])
    }

    /// Filters one record (JSON text without NUL) tagged `tag` at Fluent Bit time `time`.
    pub fn call(&mut self, tag: &str, time: (u32, u32), record: &[u8]) -> Result<Returned> {
        let tag_buf = self.dup_data(tag.as_bytes())?;
        let record_buf = self.dup_data(record)?;
        let args = (
            tag_buf,
            len(tag.len())?,
            time.0 as i32,
            time.1 as i32,
            record_buf,
            len(record.len())?,
        );
        let result = match self.filter.call(&mut self.store, args) {
            Ok(addr) => Ok(self.read_c_string(addr)),
            Err(trap) => Ok(Returned::Dropped(format!("trap: {trap:#}"))),
        };
        for buf in [tag_buf, record_buf] {
            if buf != 0 {
                self.free.call(&mut self.store, buf)?;
            }
        }
        result
    }

    /// Everything the module wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }

    /// Current linear memory size in bytes.
    pub fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// `wasm_runtime_module_dup_data(inst, data, len + 1)`: the bytes and their NUL. Returns 0,
    /// as WAMR does, when the module's malloc fails (Fluent Bit passes that 0 on unchecked).
    fn dup_data(&mut self, bytes: &[u8]) -> Result<i32> {
        let addr = self.malloc.call(&mut self.store, len(bytes.len() + 1)?)?;
        if addr == 0 {
            return Ok(0);
        }
        let at = addr as u32 as usize;
        let mem = self.memory.data_mut(&mut self.store);
        let Some(dst) = mem.get_mut(at..at + bytes.len() + 1) else {
            bail!("malloc returned {addr:#x}, outside memory");
        };
        dst[..bytes.len()].copy_from_slice(bytes);
        dst[bytes.len()] = 0;
        Ok(addr)
    }

    /// `wasm_runtime_validate_app_str_addr` + `flb_strdup`. A null result is treated as the
    /// drop it is meant to be.
    fn read_c_string(&self, addr: i32) -> Returned {
        if addr == 0 {
            return Returned::Dropped("NULL returned".into());
        }
        let mem = self.memory.data(&self.store);
        let Some(tail) = mem.get(addr as u32 as usize..) else {
            return Returned::Dropped(format!("address {addr:#x} outside memory"));
        };
        match tail.iter().position(|&b| b == 0) {
            Some(n) => Returned::Record(tail[..n].to_vec()),
            None => Returned::Dropped("no NUL before the end of memory".into()),
        }
    }
}

fn len(n: usize) -> Result<i32> {
    // WAMR passes u32 lengths in i32 slots.
    u32::try_from(n).map(|n| n as i32).map_err(|_| format_err!("{n} bytes do not fit the ABI"))
}
