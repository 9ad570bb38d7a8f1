//! Starting servers for the tests: OUR `redis-server` binary (built once per test run) and the
//! real `redis-server` from PATH, each on a free loopback port in its own temporary directory.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

enum Running {
    /// A child process (killed on drop).
    Process(Child),
    /// `server::run` on a tokio runtime in a thread of this process (shut down on drop).
    InProcess {
        shutdown: Option<tokio::sync::oneshot::Sender<()>>,
        thread: std::thread::JoinHandle<Result<(), String>>,
    },
}

/// A running server (a process, or our server in-process), stopped on drop.
pub struct ServerProc {
    running: Running,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// Which server ("redis" or "ours").
    pub label: &'static str,
    dir: tempfile::TempDir,
}

impl ServerProc {
    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A new connection with 5 s read/write timeouts and TCP_NODELAY.
    pub fn connect(&self) -> std::io::Result<TcpStream> {
        let s = TcpStream::connect(self.addr())?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        s.set_write_timeout(Some(Duration::from_secs(5)))?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    /// The process id (`None` in-process).
    pub fn pid(&self) -> Option<u32> {
        match &self.running {
            Running::Process(child) => Some(child.id()),
            Running::InProcess { .. } => None,
        }
    }

    /// Waits up to `limit` for the process to exit; its status (as text), if it did.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Running::Process(child) = &mut self.running {
                if let Ok(Some(st)) = child.try_wait() {
                    return Some(st);
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The server's log so far (stdout and stderr of a process).
    pub fn log(&self) -> String {
        if matches!(self.running, Running::InProcess { .. }) {
            return "(in-process server: its log goes nowhere)".into();
        }
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.dir.path().join("server.log")) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    /// Has the server stopped? (How, if so.)
    pub fn exited(&mut self) -> Option<String> {
        match &mut self.running {
            Running::Process(child) => child.try_wait().ok().flatten().map(|s| s.to_string()),
            Running::InProcess { thread, .. } => thread
                .is_finished()
                .then(|| "in-process server stopped".to_string()),
        }
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        match &mut self.running {
            Running::Process(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Running::InProcess { shutdown, .. } => {
                // The thread ends when server::run returns; we do not wait for it.
                if let Some(tx) = shutdown.take() {
                    let _ = tx.send(());
                }
            }
        }
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The real redis-server (`REAL_REDIS_SERVER` or PATH), if installed.
pub fn real_redis() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REAL_REDIS_SERVER") {
        return Some(PathBuf::from(p));
    }
    find_in_path("redis-server")
}

/// Prints the loud skip message and returns true when real Redis is missing.
pub fn skip_without_real_redis(what: &str) -> bool {
    if real_redis().is_none() {
        eprintln!(
            "!!!!! SKIPPED {what}: redis-server not installed (apt-get install redis-server) !!!!!"
        );
        return true;
    }
    false
}

/// A tool from PATH (redis-cli, redis-benchmark, python3), if installed.
pub fn tool(name: &str) -> Option<PathBuf> {
    find_in_path(name)
}

/// Our binary: `DIFF_OURS` if it is a path, else `<target>/<profile>/redis-server` built once per run
/// with `cargo build -p redis-server --bin redis-server` into the test binary's target dir.
pub fn ours() -> Result<PathBuf, String> {
    static OURS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    OURS.get_or_init(|| {
        if let Some(p) = std::env::var_os("DIFF_OURS").filter(|p| p != "binary") {
            return Ok(PathBuf::from(p));
        }
        // current_exe = <target>/<profile>/deps/main-<hash>
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .ok_or("cannot find the target dir")?
            .to_path_buf();
        let target_dir = profile_dir.parent().ok_or("cannot find the target dir")?;
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug")
            .to_string();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "redis-server", "--bin", "redis-server"])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile != "debug" {
            cmd.args([
                "--profile",
                if profile == "release" {
                    "release"
                } else {
                    &profile
                },
            ]);
        }
        let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo build -p redis-server failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let bin = profile_dir.join("redis-server");
        if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("{} not found after build", bin.display()))
        }
    })
    .clone()
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// Starts `bin --port P --bind 127.0.0.1 --save '' <extra>` and waits until it accepts
/// connections (10 s at most). Retries on another port if the first was taken meanwhile.
pub fn start(bin: &Path, label: &'static str, extra: &[&str]) -> Result<ServerProc, String> {
    let mut last_err = String::new();
    for _ in 0..3 {
        match start_once(bin, label, extra) {
            Ok(s) => return Ok(s),
            Err(e) => last_err = e,
        }
    }
    Err(last_err)
}

fn start_once(bin: &Path, label: &'static str, extra: &[&str]) -> Result<ServerProc, String> {
    let dir = tempfile::Builder::new()
        .prefix("diff-srv")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let port_s = port.to_string();
    let child = Command::new(bin)
        .args(["--port", &port_s, "--bind", "127.0.0.1", "--save", ""])
        .args(extra)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let mut srv = ServerProc {
        running: Running::Process(child),
        port,
        label,
        dir,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = srv.exited() {
            return Err(format!(
                "{label} server {} exited at start ({status}); log:\n{}",
                bin.display(),
                tail(&srv.log())
            ));
        }
        if answers(srv.addr()) {
            // The port may have been taken by another test's server between `free_port` and
            // our bind: then that one answers while ours is still exiting.
            return match (server_pid(srv.addr()), srv.pid()) {
                (Some(theirs), Some(ours)) if theirs != ours => Err(format!(
                    "port {port} is answered by another server (pid {theirs})"
                )),
                _ => Ok(srv),
            };
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{label} server {} did not accept connections on port {port} within 10 s; log:\n{}",
                bin.display(),
                tail(&srv.log())
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether a server at `addr` answers a PING with anything but -LOADING: a bound port alone
/// accepts connections (the kernel's backlog) while the dataset still loads, or before the
/// server refuses to start.
fn answers(addr: String) -> bool {
    use std::io::Write;
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(n) if n > 0 => !buf[..n].starts_with(b"-LOADING"),
        _ => false,
    }
}

/// The `process_id` INFO reports at `addr` (None if it cannot be read, e.g. before AUTH).
fn server_pid(addr: String) -> Option<u32> {
    use std::io::Write;
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n").ok()?;
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    while !text.windows(11).any(|w| w == b"process_id:") || !text.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut buf).ok()?;
        if n == 0 || text.starts_with(b"-") {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&text);
    text.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .and_then(|v| v.trim().parse().ok())
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Starts our server (panics with the reason if it cannot): in-process with `server::run` by
/// default; `DIFF_OURS=binary` runs our built `redis-server` binary instead, and
/// `DIFF_OURS=<path>` that binary (e.g. `/usr/bin/redis-server` to check the tests themselves).
pub fn start_ours(extra: &[&str]) -> ServerProc {
    let result = match std::env::var("DIFF_OURS").ok().as_deref() {
        None | Some("") | Some("inprocess") => start_in_process(extra),
        Some(_) => match ours() {
            Ok(bin) => start(&bin, "ours", extra),
            Err(e) => Err(format!("cannot build our redis-server: {e}")),
        },
    };
    match result {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Our server inside this process: `server::run` on its own 2-thread tokio runtime.
pub fn start_in_process(extra: &[&str]) -> Result<ServerProc, String> {
    let dir = tempfile::Builder::new()
        .prefix("diff-srv")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let mut flags: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    flags.extend(extra.iter().map(|s| s.to_string()));
    flags.extend(["--dir".to_string(), dir.path().display().to_string()]);
    let config =
        server::Config::load(None, &flags).map_err(|e| format!("config {flags:?}: {e}"))?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("ours-{port}"))
        .spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
                server::run(listener, config, async {
                    let _ = rx.await;
                })
                .await
                .map_err(|e| e.to_string())
            })
        })
        .map_err(|e| e.to_string())?;
    Ok(ServerProc {
        running: Running::InProcess {
            shutdown: Some(tx),
            thread,
        },
        port,
        label: "ours",
        dir,
    })
}

/// Our server and, when it is installed, the real one, started with the same flags: for
/// tests that run the same steps against each.
pub fn ours_and_real(extra: &[&str]) -> Vec<ServerProc> {
    std::iter::once(start_ours(extra))
        .chain(start_real(extra))
        .collect()
}

/// Starts the real redis-server, `None` if not installed (panics if it cannot start).
pub fn start_real(extra: &[&str]) -> Option<ServerProc> {
    let bin = real_redis()?;
    match start(&bin, "redis", extra) {
        Ok(s) => Some(s),
        Err(e) => panic!("{e}"),
    }
}

/// True when `DIFF_OURS` points "ours" at another binary (to check the tests against Redis).
pub fn ours_is_other_binary() -> bool {
    std::env::var("DIFF_OURS").is_ok_and(|v| !matches!(v.as_str(), "" | "binary" | "inprocess"))
}
