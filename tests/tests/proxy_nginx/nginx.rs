//! Running the real nginx with ngx_wasm_module: finding it, writing its configuration, starting
//! it in a prefix directory of its own, waiting (always bounded) for what it logs, and stopping
//! it on every path, panics included.

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(50);

/// Where nginx and the module are, or `None` (and a note on stderr) when this machine has no
/// nginx with ngx_wasm_module: the test then passes without running.
pub fn setup() -> Option<(PathBuf, PathBuf)> {
    let Some(bin) = std::env::var_os("NGINX_WASM").filter(|v| !v.is_empty()).map(PathBuf::from)
    else {
        eprintln!("skipped: set NGINX_WASM=/path/to/nginx (scripts/nginx-wasm.sh builds one)");
        return None;
    };
    if !std::fs::metadata(&bin).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0) {
        eprintln!(
            "skipped: NGINX_WASM={} is not an executable file; set NGINX_WASM=/path/to/nginx \
             (scripts/nginx-wasm.sh builds one)",
            bin.display()
        );
        return None;
    }
    let module = std::env::var_os("WIKIWATCH_WASM_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| option_env!("WIKIWATCH_BUILT_WASM_DIR").map(PathBuf::from))
        .unwrap_or_else(|| wikiwatch_tests::root().join("target/wasm"))
        .join("wikiwatch_proxy_wasm.wasm");
    if !module.is_file() {
        eprintln!("skipped: {} is missing (scripts/build-wasm.sh builds it)", module.display());
        return None;
    }
    Some((bin, module))
}

/// A TCP port nobody listens on right now (nginx may lose it to another process in the few
/// milliseconds before it binds; that fails loudly, as a bind error in its log).
pub fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// A prefix directory of its own for one nginx; kept after a failure so its logs can be read.
#[derive(Debug)]
pub struct Prefix(pub PathBuf);

impl Prefix {
    pub fn new(name: &str) -> Prefix {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("proxy-nginx")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("logs")).expect("prefix dir");
        Prefix(dir)
    }
}

impl Drop for Prefix {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The `wasm {}` block: the module, and the shared memory zones it is given.
pub fn wasm_block(module: &Path, zones: &str) -> String {
    format!("wasm {{\n    module wikiwatch {};\n{zones}}}\n", module.display())
}

/// The zones the module needs: shared data `wikiwatch/...` and the event queue.
pub const ZONES: &str = "    shm_kv wikiwatch 4m;\n    shm_queue wikiwatch_events 16m;\n";

/// A plugin configuration as an nginx single-quoted string.
pub fn quoted(config: &str) -> String {
    format!("'{}'", config.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A whole nginx.conf: two worker processes in the foreground (the child is the master), logs
/// and temporary files under the prefix, `wasm` and `http` blocks as given.
pub fn conf(prefix: &Path, wasm: &str, http: &str) -> String {
    // As root, nginx's workers would switch to `nobody`, who cannot read the test's files.
    let user = if is_root() { "user root;\n" } else { "" };
    format!(
        "daemon off;\nmaster_process on;\nworker_processes 2;\n{user}\
         error_log {p}/logs/error.log info;\npid {p}/logs/nginx.pid;\n\
         events {{ worker_connections 512; }}\n{wasm}\
         http {{\n    access_log off;\n{http}}}\n",
        p = prefix.display()
    )
}

/// One `server {}` proxying every path through the filter to `upstream`.
pub fn proxy_server(port: u16, plugin: &str, upstream: u16) -> String {
    format!(
        "    server {{\n        listen 127.0.0.1:{port};\n        location / {{\n            \
         proxy_wasm wikiwatch {};\n            proxy_pass http://127.0.0.1:{upstream};\n        \
         }}\n    }}\n",
        quoted(plugin)
    )
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// A running nginx master (and its workers, in a process group of their own).
pub struct Nginx {
    bin: PathBuf,
    pub prefix: PathBuf,
    conf: PathBuf,
    child: Option<Child>,
}

impl Nginx {
    /// Writes `text` as `nginx.conf` in `prefix` and starts `nginx -p prefix -c nginx.conf`.
    pub fn start(bin: &Path, prefix: &Path, text: &str) -> Nginx {
        let conf = prefix.join("nginx.conf");
        std::fs::write(&conf, text).expect("write nginx.conf");
        let stderr = std::fs::File::create(prefix.join("logs/stderr.log")).expect("stderr log");
        let child = Command::new(bin)
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            // Its own group, so that drop can end the workers too if the master is gone.
            .process_group(0)
            .spawn()
            .expect("spawn nginx");
        Nginx { bin: bin.to_path_buf(), prefix: prefix.to_path_buf(), conf, child: Some(child) }
    }

    /// The error log and nginx's own stderr so far.
    pub fn log(&self) -> String {
        let read = |n: &str| std::fs::read_to_string(self.prefix.join("logs").join(n));
        format!(
            "{}{}",
            read("stderr.log").unwrap_or_default(),
            read("error.log").unwrap_or_default()
        )
    }

    /// Waits until `done(log)` holds; false after `timeout` or when the master has exited.
    pub fn wait_log(&mut self, timeout: Duration, done: impl Fn(&str) -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if done(&self.log()) {
                return true;
            }
            if Instant::now() > end || !self.running() {
                return done(&self.log());
            }
            std::thread::sleep(POLL);
        }
    }

    /// Whether the master is still running.
    pub fn running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// Stops it as an operator would (`nginx -s stop`: workers finish, the leader drains and
    /// logs its stats), then waits for the master; bounded, and killed if it hangs.
    pub fn stop(&mut self) {
        let _ = Command::new(&self.bin)
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while self.running() && Instant::now() < end {
            std::thread::sleep(POLL);
        }
        self.kill();
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            // The whole group: the workers of a master that died first are not left behind.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{}", c.id())])
                .stderr(Stdio::null())
                .status();
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.kill();
    }
}
