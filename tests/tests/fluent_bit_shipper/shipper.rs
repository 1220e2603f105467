//! Running the real Fluent Bit binary: finding it, writing its classic config, starting it in a
//! directory of its own, waiting (always bounded) for what it writes, and stopping it on every
//! path, panics included.

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one pipeline may take to deliver every record before the test fails.
pub const DELIVERY: Duration = Duration::from_secs(60);

/// How long to keep watching after the last expected record: a record that comes twice, or a
/// line split in two, shows up as an extra one within a couple of flushes (`Flush 1`).
const SETTLE: Duration = Duration::from_millis(2500);

const POLL: Duration = Duration::from_millis(100);

/// Where the binary and the module are, or `None` (and a note on stderr) when this machine has
/// no Fluent Bit: the test then passes without running.
pub fn setup() -> Option<(PathBuf, PathBuf)> {
    let Some(bin) = std::env::var_os("FLUENT_BIT").filter(|v| !v.is_empty()).map(PathBuf::from)
    else {
        eprintln!("skipped: set FLUENT_BIT=/path/to/fluent-bit (scripts/fluent-bit.sh builds one)");
        return None;
    };
    if !is_executable(&bin) {
        eprintln!(
            "skipped: FLUENT_BIT={} is not an executable file; set FLUENT_BIT=/path/to/fluent-bit \
             (scripts/fluent-bit.sh builds one)",
            bin.display()
        );
        return None;
    }
    let module = module_path("wikiwatch_fluent_bit.wasm");
    if !module.is_file() {
        eprintln!("skipped: {} is missing (scripts/build-wasm.sh builds it)", module.display());
        return None;
    }
    Some((bin, module))
}

pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The same place `wikiwatch_tests::artifact` looks, without its panic: a missing module is a
/// skip here, like a missing Fluent Bit.
fn module_path(name: &str) -> PathBuf {
    std::env::var_os("WIKIWATCH_WASM_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| option_env!("WIKIWATCH_BUILT_WASM_DIR").map(PathBuf::from))
        .unwrap_or_else(|| wikiwatch_tests::root().join("target/wasm"))
        .join(name)
}

/// A directory of its own for one test; kept after a failure so its logs can be read.
#[derive(Debug)]
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("fluent-bit-shipper")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    /// A subdirectory, created.
    pub fn dir(&self, name: &str) -> PathBuf {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).expect("scratch subdir");
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A TCP port nobody listens on right now. Another process may take it before Fluent Bit
/// binds it; the window is a few milliseconds, and a lost race fails loudly (bind error).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// The pieces of a classic config file.
pub mod conf {
    use std::path::Path;

    /// `Grace 1`: stopping takes a second, not five. No `storage.path`: chunks stay in
    /// memory, nothing is written outside the test's directory.
    pub fn service() -> String {
        "[SERVICE]\n    Flush        1\n    Grace        1\n    Log_Level    info\n    \
         HTTP_Server  Off\n\n"
            .to_string()
    }

    /// Reads `path` from its first byte, no offset database. The buffer may grow to 64 MB so
    /// that no line of the hostile corpus (10 MB at most) is skipped or cut: a line longer than
    /// `Buffer_Max_Size` would stop the file (or, with `Skip_Long_Lines`, vanish).
    pub fn tail(path: &Path, tag: &str) -> String {
        format!(
            "[INPUT]\n    Name              tail\n    Tag               {tag}\n    \
             Path              {}\n    Read_from_Head    true\n    \
             Buffer_Chunk_Size 1M\n    Buffer_Max_Size   64M\n    Skip_Long_Lines   Off\n\n",
            path.display()
        )
    }

    /// The example's filter settings, with `dir` the first (only) accessible path.
    pub fn wasm(module: &Path, dir: &Path, tag_match: &str) -> String {
        format!(
            "[FILTER]\n    Name              wasm\n    Match             {tag_match}\n    \
             WASM_Path         {}\n    Function_Name     wikiwatch_filter\n    \
             Accessible_Paths  {}\n    Event_Format      json\n    \
             Wasm_Heap_Size    4M\n    Wasm_Stack_Size   256K\n\n",
            module.display(),
            dir.display()
        )
    }

    /// One JSON object per line: the record's fields, without tag or time.
    pub fn file(dir: &Path, name: &str) -> String {
        format!(
            "[OUTPUT]\n    Name    file\n    Match   *\n    Path    {}\n    File    {name}\n    \
             Format  plain\n\n",
            dir.display()
        )
    }

    /// `threaded on` is required, not a tuning: Fluent Bit 5.1.1 runs a non-threaded forward
    /// input's connection callbacks, filters included, on a libco coroutine stack
    /// (src/flb_downstream.c). WAMR measures the native stack against the thread's own stack,
    /// so every call fails with "native stack overflow" and filter_wasm drops the record. A
    /// threaded input hands its records to the engine thread, which runs the filters on its
    /// own stack.
    pub fn forward_in(port: u16) -> String {
        format!(
            "[INPUT]\n    Name    forward\n    Listen  127.0.0.1\n    Port    {port}\n    \
             threaded on\n\n"
        )
    }

    pub fn forward_out(port: u16) -> String {
        format!(
            "[OUTPUT]\n    Name    forward\n    Match   *\n    Host    127.0.0.1\n    \
             Port    {port}\n\n"
        )
    }
}

/// One running Fluent Bit; killed when dropped.
#[derive(Debug)]
pub struct Shipper {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Shipper {
    /// Starts `bin -c <dir>/<name>.conf` in `dir`, its stdout and stderr (Fluent Bit's log and
    /// the module's lines) both in `<dir>/<name>.log`.
    pub fn start(bin: &Path, dir: &Path, name: &str, config: &str) -> Shipper {
        let conf = dir.join(format!("{name}.conf"));
        std::fs::write(&conf, config).expect("write config");
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
        Shipper { name: name.to_string(), child, log }
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// The end of its log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let from = lines.len().saturating_sub(40);
        format!("--- {} ({}) ---\n{}", self.name, self.log.display(), lines[from..].join("\n"))
    }

    /// Panics, with its log, when it is no longer running.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("fluent-bit {} exited early ({status})\n{}", self.name, self.log_tail());
        }
    }
}

impl Drop for Shipper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until something accepts connections on `port` (bounded), failing with the log.
pub fn wait_listening(shipper: &mut Shipper, port: u16) {
    let start = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        shipper.assert_running();
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nothing listens on 127.0.0.1:{port} after 30 s\n{}",
            shipper.log_tail()
        );
        std::thread::sleep(POLL);
    }
}

/// The complete lines of `path` (a line still being written is left out).
fn complete_lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes[..end].split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
}

/// Waits until `path` holds `n` records (at most `timeout`), then a little longer to see that
/// no more come, and returns them. Fails with what was seen and the logs of `shippers`.
pub fn wait_records(
    shippers: &mut [&mut Shipper],
    path: &Path,
    n: usize,
    timeout: Duration,
) -> Vec<Vec<u8>> {
    let start = Instant::now();
    let logs = |shippers: &[&mut Shipper]| {
        shippers.iter().map(|s| s.log_tail()).collect::<Vec<_>>().join("\n")
    };
    loop {
        for s in shippers.iter_mut() {
            s.assert_running();
        }
        let seen = complete_lines(path).len();
        if seen >= n {
            break;
        }
        assert!(
            start.elapsed() < timeout,
            "{}: {seen} of {n} records after {timeout:?}\n{}",
            path.display(),
            logs(shippers)
        );
        std::thread::sleep(POLL);
    }
    std::thread::sleep(SETTLE);
    let records = complete_lines(path);
    assert_eq!(
        records.len(),
        n,
        "{}: more records than lines in (a record twice, or a line split)\n{}",
        path.display(),
        logs(shippers)
    );
    records
}
