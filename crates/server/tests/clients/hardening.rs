//! Hardening at the connection level: AUTH and protected mode, connection limits (maxclients,
//! idle timeout, query and output buffer limits, protocol limits, keepalive, 10,000 idle
//! connections), and bad input from one client never hurting another (1,000 malformed inputs,
//! slow-loris clients). Where Redis's behaviour is the reference, the same bytes go to a real
//! redis-server when one is installed.

use crate::harness::conn::{call, cmd, ensure_fd_limit};
use crate::harness::resp::{escape, read_reply};
use crate::harness::servers::{self, ServerProc};
use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything the server sends until it closes the connection (or `limit` passes: `false`).
fn read_to_close(conn: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + limit;
    let mut out = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (out, false);
        }
        let _ = conn.set_read_timeout(Some(left));
        match conn.read(&mut buf) {
            Ok(0) => return (out, true),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (out, false)
            }
            // A reset (the server closed with our bytes unread) is a close too.
            Err(_) => return (out, true),
        }
    }
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.set_write_timeout(Some(Duration::from_secs(5))).ok();
    s.set_nodelay(true).ok();
    s
}

/// Our binary with `extra` flags (panics if it cannot be built or started).
fn start_binary(extra: &[&str]) -> ServerProc {
    let bin = servers::ours().unwrap_or_else(|e| panic!("{e}"));
    servers::start(&bin, "ours", extra).unwrap_or_else(|e| panic!("{e}"))
}

/// Resident set size of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Our server in this process on `bind` (port 0), optionally from a config file: the harness's
/// in-process servers listen on 127.0.0.1 only.
struct Bound {
    port: u16,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Bound {
    fn start(file: Option<&Path>, bind: &str, extra: &[&str]) -> Bound {
        let dir = tempfile::tempdir().expect("tempdir");
        let listener = std::net::TcpListener::bind((bind, 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let mut flags: Vec<String> = ["--port", &port.to_string(), "--bind", bind, "--save", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        flags.extend(extra.iter().map(|s| s.to_string()));
        flags.extend(["--dir".to_string(), dir.path().display().to_string()]);
        let config = server::Config::load(file, &flags).expect("config");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = server::run(listener, config, async {
                    let _ = rx.await;
                })
                .await;
            })
        });
        Bound {
            port,
            shutdown: Some(tx),
            _dir: dir,
        }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Bound {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// An address of this machine that is not loopback, if it has one.
fn non_loopback_ip() -> Option<IpAddr> {
    let out = std::process::Command::new("hostname")
        .arg("-I")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let from_hostname = text
        .split_whitespace()
        .filter_map(|w| w.parse::<IpAddr>().ok())
        .find(|ip| ip.is_ipv4() && !ip.is_loopback());
    from_hostname.or_else(|| {
        // The source address of the default route.
        let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
        s.connect("192.0.2.1:9").ok()?;
        Some(s.local_addr().ok()?.ip()).filter(|ip| !ip.is_loopback())
    })
}

fn info_field(conn: &mut TcpStream, section: &[u8], field: &str) -> String {
    let reply = call(conn, &[b"INFO", section]);
    let text = String::from_utf8_lossy(&reply).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_owned))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- auth and protected mode

/// Replies before and after AUTH, byte for byte as redis-server 7.0.15 sends them (checked
/// against the real server too when it is installed).
#[test]
fn auth_replies_match_redis() {
    const HELLO_NOAUTH: &[u8] = b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n";
    const NOAUTH: &[u8] = b"-NOAUTH Authentication required.\r\n";
    const WRONGPASS: &[u8] = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    let steps: &[(&[&[u8]], &[u8])] = &[
        (&[b"PING"], NOAUTH),
        (&[b"GET", b"k"], NOAUTH),
        (&[b"SET", b"k", b"v"], NOAUTH),
        (&[b"CONFIG", b"GET", b"requirepass"], NOAUTH),
        (&[b"SELECT", b"1"], NOAUTH),
        (&[b"MULTI"], NOAUTH),
        (&[b"AUTH", b"bad"], WRONGPASS),
        (&[b"AUTH", b"default", b"bad"], WRONGPASS),
        (&[b"AUTH", b"nobody", b"secret"], WRONGPASS),
        (&[b"HELLO", b"3"], HELLO_NOAUTH),
        (&[b"HELLO", b"2", b"AUTH", b"default", b"bad"], WRONGPASS),
        (&[b"RESET"], b"+RESET\r\n"),
        (&[b"PING"], NOAUTH),
        (&[b"AUTH", b"secret"], b"+OK\r\n"),
        (&[b"PING"], b"+PONG\r\n"),
        // A failed AUTH does not log an authenticated client out (Redis 6+).
        (&[b"AUTH", b"bad"], WRONGPASS),
        (&[b"PING"], b"+PONG\r\n"),
        (&[b"SET", b"k", b"v"], b"+OK\r\n"),
        // RESET logs the client out when a password is set.
        (&[b"RESET"], b"+RESET\r\n"),
        (&[b"GET", b"k"], NOAUTH),
        (&[b"AUTH", b"default", b"secret"], b"+OK\r\n"),
        (&[b"GET", b"k"], b"$1\r\nv\r\n"),
        (&[b"QUIT"], b"+OK\r\n"),
    ];
    let servers = servers::ours_and_real(&["--requirepass", "secret"]);
    for srv in &servers {
        let mut c = srv.connect().expect("connect");
        for (args, want) in steps {
            let got = call(&mut c, args);
            assert_eq!(
                escape(&got),
                escape(want),
                "{}: {:?}",
                srv.label,
                args.iter()
                    .map(|a| String::from_utf8_lossy(a))
                    .collect::<Vec<_>>()
            );
        }
        // QUIT is allowed before AUTH and closes the connection.
        let mut q = srv.connect().expect("connect");
        assert_eq!(call(&mut q, &[b"QUIT"]), b"+OK\r\n");
        assert!(read_to_close(&mut q, Duration::from_secs(2)).1);
        // HELLO with AUTH authenticates and switches protocol in one go.
        let mut h = srv.connect().expect("connect");
        let hello = call(&mut h, &[b"HELLO", b"3", b"AUTH", b"default", b"secret"]);
        assert!(hello.starts_with(b"%7\r\n"), "{}", escape(&hello));
        assert_eq!(call(&mut h, &[b"PING"]), b"+PONG\r\n");
    }
    if servers.len() == 1 {
        eprintln!("auth_replies_match_redis: no real redis-server; checked ours against the recorded replies only");
    }
}

/// `requirepass` from a config file, then changed with CONFIG SET: new connections follow the
/// new password, connections already authenticated stay so (as in Redis).
#[test]
fn requirepass_from_file_and_config_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "requirepass \"s3cret\"\n").expect("write conf");
    let srv = Bound::start(Some(&conf), "127.0.0.1", &[]);
    let mut a = connect(&srv.addr());
    assert_eq!(
        call(&mut a, &[b"PING"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(call(&mut a, &[b"AUTH", b"s3cret"]), b"+OK\r\n");
    assert_eq!(
        call(&mut a, &[b"CONFIG", b"GET", b"requirepass"]),
        b"*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n"
    );
    assert_eq!(
        call(&mut a, &[b"CONFIG", b"SET", b"requirepass", b""]),
        b"+OK\r\n"
    );
    let mut b = connect(&srv.addr());
    assert_eq!(call(&mut b, &[b"PING"]), b"+PONG\r\n");
    assert_eq!(
        call(&mut b, &[b"AUTH", b"x"]),
        b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n".to_vec()
    );
    assert_eq!(
        call(&mut b, &[b"CONFIG", b"SET", b"requirepass", b"new pw"]),
        b"+OK\r\n"
    );
    let mut c = connect(&srv.addr());
    assert_eq!(
        call(&mut c, &[b"PING"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        call(&mut c, &[b"AUTH", b"s3cret"]),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n".to_vec()
    );
    assert_eq!(call(&mut c, &[b"AUTH", b"new pw"]), b"+OK\r\n");
    // Connections authenticated before the change keep working.
    assert_eq!(call(&mut a, &[b"PING"]), b"+PONG\r\n");
    assert_eq!(call(&mut b, &[b"PING"]), b"+PONG\r\n");
}

/// Before AUTH the decoder allows 10 arguments and 16 KB bulks (Redis's errors, then a close);
/// after AUTH the normal limits apply.
#[test]
fn unauthenticated_protocol_limits() {
    for srv in &servers::ours_and_real(&["--requirepass", "secret"]) {
        let mut c = srv.connect().expect("connect");
        c.write_all(b"*11\r\n").expect("write");
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(3));
        assert_eq!(
            escape(&out),
            escape(b"-ERR Protocol error: unauthenticated multibulk length\r\n"),
            "{}",
            srv.label
        );
        assert!(closed, "{}: not closed", srv.label);

        let mut c = srv.connect().expect("connect");
        c.write_all(b"*2\r\n$4\r\nAUTH\r\n$16385\r\n")
            .expect("write");
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(3));
        assert_eq!(
            escape(&out),
            escape(b"-ERR Protocol error: unauthenticated bulk length\r\n"),
            "{}",
            srv.label
        );
        assert!(closed, "{}: not closed", srv.label);

        // At the limits, and past them once authenticated.
        let mut c = srv.connect().expect("connect");
        let ten: Vec<&[u8]> = [b"MSET" as &[u8]]
            .into_iter()
            .chain([b"a" as &[u8], b"1"].into_iter().cycle().take(8))
            .chain([b"x" as &[u8]])
            .collect();
        assert_eq!(
            call(&mut c, &ten),
            b"-NOAUTH Authentication required.\r\n",
            "{}",
            srv.label
        );
        let big = vec![b'v'; 16384];
        assert_eq!(
            call(&mut c, &[b"ECHO", &big]),
            b"-NOAUTH Authentication required.\r\n"
        );
        assert_eq!(call(&mut c, &[b"AUTH", b"secret"]), b"+OK\r\n");
        let mut eleven: Vec<&[u8]> = vec![b"MSET"];
        for _ in 0..5 {
            eleven.extend([b"k" as &[u8], b"v"]);
        }
        assert_eq!(call(&mut c, &eleven), b"+OK\r\n", "{}", srv.label);
        let bigger = vec![b'v'; 100_000];
        assert_eq!(call(&mut c, &[b"SET", b"big", &bigger]), b"+OK\r\n");
    }
}

/// Failed AUTHs get their WRONGPASS at once, and the log gets at most about a line a second,
/// with the count, however many fail.
#[test]
fn failed_auth_is_logged_rate_limited_and_not_slowed() {
    let srv = start_binary(&["--requirepass", "secret"]);
    let mut c = srv.connect().expect("connect");
    let mut batch = Vec::new();
    for _ in 0..500 {
        batch.extend(cmd(&[b"AUTH", b"wrong"]));
    }
    let t0 = Instant::now();
    c.write_all(&batch).expect("write");
    let mut r = BufReader::new(c.try_clone().expect("clone"));
    for _ in 0..500 {
        let reply = read_reply(&mut r).expect("reply");
        assert_eq!(
            reply,
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        );
    }
    let took = t0.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "500 failed AUTHs took {took:?}"
    );
    // A second later, one more failure reports the count of the suppressed ones.
    std::thread::sleep(Duration::from_millis(1100));
    assert!(call(&mut c, &[b"AUTH", b"default", b"wrong"]).starts_with(b"-WRONGPASS"));
    std::thread::sleep(Duration::from_millis(200));
    let log = srv.log();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("failed authentication attempt"))
        .collect();
    assert!(
        (2..=4).contains(&lines.len()),
        "expected 2-4 log lines for 501 failures:\n{log}"
    );
    let total: u64 = lines
        .iter()
        .filter_map(|l| {
            let (before, _) = l.split_once(" failed authentication attempt")?;
            before.split_whitespace().last()?.parse::<u64>().ok()
        })
        .sum();
    assert_eq!(total, 501, "counts in the log lines:\n{}", lines.join("\n"));
}

/// Protected mode (Redis 7.0): with no password, a client from a non-loopback address gets
/// Redis's DENIED text and is disconnected, whatever the bind address; loopback clients, a
/// password, or `protected-mode no` (also by CONFIG SET) let clients in.
#[test]
fn protected_mode_refuses_remote_clients_without_password() {
    let srv = Bound::start(None, "0.0.0.0", &[]);
    let mut local = connect(&srv.addr());
    assert_eq!(call(&mut local, &[b"PING"]), b"+PONG\r\n");
    let Some(ip) = non_loopback_ip() else {
        eprintln!("!!!!! protected_mode: this machine has no non-loopback address; only the loopback side is tested here (the address check is unit-tested in listener.rs) !!!!!");
        return;
    };
    let remote = format!("{ip}:{}", srv.port);
    let denied = |addr: &str| -> (Vec<u8>, bool) {
        let mut c = connect(addr);
        let _ = c.write_all(b"PING\r\n");
        read_to_close(&mut c, Duration::from_secs(3))
    };
    let (out, closed) = denied(&remote);
    assert!(
        out.starts_with(b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface."),
        "{}",
        escape(&out)
    );
    assert!(out.ends_with(b"from the outside.\r\n") && out.len() == 1067);
    assert!(closed, "the refused connection stays open");
    assert_eq!(
        info_field(&mut local, b"stats", "rejected_connections"),
        "1"
    );

    // The same bytes as the real server.
    if let Some(real) = servers::start_real(&["--bind", "0.0.0.0"]) {
        let (theirs, closed) = denied(&format!("{ip}:{}", real.port));
        assert!(closed);
        assert_eq!(escape(&out), escape(&theirs));
    }

    // A password opens the door (AUTH decides)...
    assert_eq!(
        call(&mut local, &[b"CONFIG", b"SET", b"requirepass", b"pw"]),
        b"+OK\r\n"
    );
    let mut r = connect(&remote);
    assert_eq!(
        call(&mut r, &[b"PING"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(call(&mut r, &[b"AUTH", b"pw"]), b"+OK\r\n");
    assert_eq!(call(&mut r, &[b"PING"]), b"+PONG\r\n");
    // ...and so does protected-mode no.
    assert_eq!(
        call(
            &mut local,
            &[
                b"CONFIG",
                b"SET",
                b"requirepass",
                b"",
                b"protected-mode",
                b"no"
            ]
        ),
        b"+OK\r\n"
    );
    let mut r = connect(&remote);
    assert_eq!(call(&mut r, &[b"PING"]), b"+PONG\r\n");
    assert_eq!(
        call(&mut local, &[b"CONFIG", b"SET", b"protected-mode", b"yes"]),
        b"+OK\r\n"
    );
    assert!(denied(&remote).0.starts_with(b"-DENIED"));
    // A client from before the switch is not disconnected by it.
    assert_eq!(call(&mut r, &[b"PING"]), b"+PONG\r\n");
    assert_eq!(call(&mut local, &[b"PING"]), b"+PONG\r\n");
}

// ---------------------------------------------------------------- limits

/// maxclients: the client over the limit gets Redis's error and is closed; room frees up when
/// a client leaves.
#[test]
fn maxclients_refuses_the_extra_client() {
    let srv = servers::start_ours(&["--maxclients", "3"]);
    std::thread::sleep(Duration::from_millis(100));
    let mut held: Vec<TcpStream> = (0..3).map(|_| srv.connect().expect("connect")).collect();
    for c in &mut held {
        assert_eq!(call(c, &[b"PING"]), b"+PONG\r\n");
    }
    let mut extra = srv.connect().expect("connect");
    let (out, closed) = read_to_close(&mut extra, Duration::from_secs(3));
    assert_eq!(
        escape(&out),
        escape(b"-ERR max number of clients reached\r\n")
    );
    assert!(closed);
    assert_eq!(
        info_field(&mut held[0], b"stats", "rejected_connections"),
        "1"
    );
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let mut c = srv.connect().expect("connect");
        c.write_all(b"PING\r\n").expect("write");
        let mut buf = [0u8; 64];
        let n = c.read(&mut buf).unwrap_or(0);
        if &buf[..n] == b"+PONG\r\n" {
            break;
        }
        assert!(Instant::now() < deadline, "no room after a client left");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `timeout 1`: an idle client is closed after about a second; an active one is not.
#[test]
fn idle_timeout_closes_idle_clients_only() {
    let srv = servers::start_ours(&["--timeout", "1"]);
    let mut idle = srv.connect().expect("connect");
    let mut busy = srv.connect().expect("connect");
    assert_eq!(call(&mut idle, &[b"PING"]), b"+PONG\r\n");
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(2000) {
        assert_eq!(call(&mut busy, &[b"PING"]), b"+PONG\r\n");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (out, closed) = read_to_close(&mut idle, Duration::from_secs(3));
    assert!(out.is_empty() && closed, "idle client not closed");
    assert_eq!(call(&mut busy, &[b"PING"]), b"+PONG\r\n");
}

/// `client-query-buffer-limit`: a client whose unparsed input passes it is closed (and logged,
/// in Redis's words); others are not affected and the half-sent SET never happens.
#[test]
fn query_buffer_limit_closes_the_client() {
    let srv = start_binary(&[]);
    let mut other = srv.connect().expect("connect");
    assert_eq!(
        call(
            &mut other,
            &[b"CONFIG", b"SET", b"client-query-buffer-limit", b"1mb"]
        ),
        b"+OK\r\n"
    );
    let mut c = srv.connect().expect("connect");
    let mut req = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n".to_vec();
    req.resize(req.len() + 1_500_000, b'x');
    let mut w = c.try_clone().expect("clone");
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(&req);
    });
    let (out, closed) = read_to_close(&mut c, Duration::from_secs(5));
    let _ = writer.join();
    assert!(out.is_empty() && closed, "got {}", escape(&out));
    assert_eq!(call(&mut other, &[b"EXISTS", b"k"]), b":0\r\n");
    assert_eq!(call(&mut other, &[b"PING"]), b"+PONG\r\n");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        srv.log()
            .contains("Closing client that reached max query buffer length: id="),
        "{}",
        srv.log()
    );
}

/// `proto-max-bulk-len` by CONFIG SET applies to new and to connected clients.
#[test]
fn proto_max_bulk_len_by_config_set() {
    for srv in &servers::ours_and_real(&[]) {
        let mut before = srv.connect().expect("connect");
        assert_eq!(call(&mut before, &[b"PING"]), b"+PONG\r\n");
        let mut admin = srv.connect().expect("connect");
        assert_eq!(
            call(
                &mut admin,
                &[b"CONFIG", b"SET", b"proto-max-bulk-len", b"1mb"]
            ),
            b"+OK\r\n"
        );
        let at_limit = vec![b'v'; 1024 * 1024];
        assert_eq!(
            call(&mut admin, &[b"SET", b"k", &at_limit]),
            b"+OK\r\n",
            "{}",
            srv.label
        );
        let mut c = srv.connect().expect("connect");
        c.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
            .expect("write");
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(3));
        assert_eq!(
            escape(&out),
            escape(b"-ERR Protocol error: invalid bulk length\r\n"),
            "{}",
            srv.label
        );
        assert!(closed);
        // Connected clients pick the change up at once.
        before.write_all(b"*1\r\n$1048577\r\n").expect("write");
        let (out, closed) = read_to_close(&mut before, Duration::from_secs(3));
        assert_eq!(
            escape(&out),
            escape(b"-ERR Protocol error: invalid bulk length\r\n"),
            "{} (client connected before CONFIG SET)",
            srv.label
        );
        assert!(closed);
        assert_eq!(call(&mut admin, &[b"STRLEN", b"k"]), b":1048576\r\n");
    }
}

/// A client that pipelines thousands of GETs of a 1 MB value and never reads: the server's
/// memory stays bounded (about one batch of replies), and others are served meanwhile.
#[test]
fn slow_reader_memory_stays_bounded() {
    let srv = start_binary(&[]);
    let Some(pid) = srv.pid() else {
        return;
    };
    let mut other = srv.connect().expect("connect");
    let big = vec![b'v'; 1024 * 1024];
    assert_eq!(call(&mut other, &[b"SET", b"big", &big]), b"+OK\r\n");
    assert_eq!(call(&mut other, &[b"GET", b"nothing"]), b"$-1\r\n");
    std::thread::sleep(Duration::from_millis(200));
    let base = rss(pid);
    let mut batch = Vec::new();
    for _ in 0..4000 {
        batch.extend(cmd(&[b"GET", b"big"]));
    }
    // 4 GB of replies if they were all buffered; the client never reads.
    let mut slow = srv.connect().expect("connect");
    slow.set_write_timeout(Some(Duration::from_secs(3))).ok();
    let writer = std::thread::spawn(move || {
        let _ = slow.write_all(&batch);
        std::thread::sleep(Duration::from_millis(1500));
        drop(slow);
    });
    let mut peak = base;
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(1200) {
        assert_eq!(call(&mut other, &[b"PING"]), b"+PONG\r\n");
        peak = peak.max(rss(pid));
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = writer.join();
    let grew = peak.saturating_sub(base);
    assert!(
        grew < 48 * 1024 * 1024,
        "server RSS grew by {} MB (from {} MB) for a client that does not read",
        grew >> 20,
        base >> 20
    );
    assert_eq!(call(&mut other, &[b"STRLEN", b"big"]), b":1048576\r\n");
}

/// `client-output-buffer-limit normal <hard>`: a reply bigger than the hard limit closes the
/// client without sending it (as Redis does).
#[test]
fn output_buffer_hard_limit_closes_the_client() {
    for srv in &servers::ours_and_real(&[]) {
        let mut admin = srv.connect().expect("connect");
        assert_eq!(
            call(
                &mut admin,
                &[
                    b"CONFIG",
                    b"SET",
                    b"client-output-buffer-limit",
                    b"normal 1mb 0 0"
                ]
            ),
            b"+OK\r\n"
        );
        let big = vec![b'v'; 2 * 1024 * 1024];
        assert_eq!(call(&mut admin, &[b"SET", b"big", &big]), b"+OK\r\n");
        assert_eq!(call(&mut admin, &[b"SET", b"small", b"s"]), b"+OK\r\n");
        let mut c = srv.connect().expect("connect");
        assert_eq!(call(&mut c, &[b"GET", b"small"]), b"$1\r\ns\r\n");
        c.write_all(&cmd(&[b"GET", b"big"])).expect("write");
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(3));
        assert!(
            out.is_empty() && closed,
            "{}: got {} bytes, closed={closed}",
            srv.label,
            out.len()
        );
        assert_eq!(call(&mut admin, &[b"PING"]), b"+PONG\r\n");
    }
}

/// `client-output-buffer-limit normal 0 <soft> <secs>`: a client that leaves more than the
/// soft limit of replies unread for longer than its seconds is closed (Redis and ours); one
/// that reads is not.
#[test]
fn output_buffer_soft_limit_closes_a_client_that_does_not_read() {
    for srv in &servers::ours_and_real(&[]) {
        let mut admin = srv.connect().expect("connect");
        let limit: &[&[u8]] = &[
            b"CONFIG",
            b"SET",
            b"client-output-buffer-limit",
            b"normal 0 1mb 1",
        ];
        assert_eq!(call(&mut admin, limit), b"+OK\r\n");
        let big = vec![b'v'; 2 * 1024 * 1024];
        assert_eq!(call(&mut admin, &[b"SET", b"big", &big]), b"+OK\r\n");
        // A reader: 2 MB replies go through.
        let mut reader = srv.connect().expect("connect");
        for _ in 0..3 {
            assert_eq!(call(&mut reader, &[b"STRLEN", b"big"]), b":2097152\r\n");
            assert_eq!(call(&mut reader, &[b"GET", b"big"]).len(), big.len() + 12);
        }
        // A client that pipelines GETs and does not read.
        let mut c = srv.connect().expect("connect");
        for _ in 0..20 {
            c.write_all(&cmd(&[b"GET", b"big"])).expect("write");
        }
        std::thread::sleep(Duration::from_millis(3500));
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(5));
        assert!(
            closed && out.len() < 20 * big.len(),
            "{}: got {} bytes, closed={closed}",
            srv.label,
            out.len()
        );
        assert_eq!(call(&mut admin, &[b"PING"]), b"+PONG\r\n");
    }
}

/// Accepted sockets get SO_KEEPALIVE with `tcp-keepalive` seconds of idle time.
#[test]
fn tcp_keepalive_is_set() {
    let srv = servers::start_ours(&["--tcp-keepalive", "120"]);
    if srv.pid().is_some() {
        eprintln!(
            "tcp_keepalive_is_set: needs the in-process server (its sockets are ours): not run"
        );
        return;
    }
    let mut c = srv.connect().expect("connect");
    let info = call(&mut c, &[b"CLIENT", b"INFO"]);
    let text = String::from_utf8_lossy(&info).into_owned();
    let fd: i32 = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("fd="))
        .and_then(|v| v.parse().ok())
        .expect("fd= in CLIENT INFO");
    // The in-process server's client socket is a descriptor of this process.
    let get = |level: i32, name: i32| -> i32 {
        let mut v: libc::c_int = -1;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `v`; fd is only read.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                level,
                name,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(rc, 0, "getsockopt on fd {fd}");
        v
    };
    assert_eq!(get(libc::SOL_SOCKET, libc::SO_KEEPALIVE), 1);
    assert_eq!(get(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), 120);
    assert_eq!(get(libc::IPPROTO_TCP, libc::TCP_NODELAY), 1);
}

/// 10,000 idle connections held at once against our binary; a new client still gets PONG.
#[test]
fn ten_thousand_idle_connections() {
    const N: usize = 10_000;
    // Other tests of this binary hold sockets at the same time: ask for room to spare.
    if !ensure_fd_limit(16_384) && !ensure_fd_limit(N as u64 + 512) {
        eprintln!(
            "!!!!! SKIPPED ten_thousand_idle_connections: cannot raise RLIMIT_NOFILE to {} !!!!!",
            N + 512
        );
        return;
    }
    let srv = start_binary(&["--maxclients", "10100"]);
    let addr = srv.addr();
    let t0 = Instant::now();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || -> Result<Vec<TcpStream>, String> {
                (0..N / 4)
                    .map(|_| TcpStream::connect(&addr).map_err(|e| format!("connect: {e}")))
                    .collect()
            })
        })
        .collect();
    let mut held = Vec::with_capacity(N);
    for t in threads {
        held.extend(t.join().expect("thread").unwrap_or_else(|e| panic!("{e}")));
    }
    let mut c = srv.connect().expect("connect");
    assert_eq!(call(&mut c, &[b"PING"]), b"+PONG\r\n");
    // Every connection has been accepted and registered.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n: usize = info_field(&mut c, b"clients", "connected_clients")
            .trim()
            .parse()
            .unwrap_or(0);
        if n > N {
            break;
        }
        assert!(Instant::now() < deadline, "only {n} clients connected");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Some of the held ones still answer.
    for i in [0, N / 2, N - 1] {
        held[i].set_read_timeout(Some(Duration::from_secs(5))).ok();
        assert_eq!(call(&mut held[i], &[b"PING"]), b"+PONG\r\n");
    }
    eprintln!(
        "ten_thousand_idle_connections: {N} connections held, {:?}, server RSS {} MB",
        t0.elapsed(),
        srv.pid().map(rss).unwrap_or(0) >> 20
    );
    drop(held);
    assert_eq!(call(&mut c, &[b"PING"]), b"+PONG\r\n");
}

// ---------------------------------------------------------------- bad input

/// Redis's protocol error texts (`-ERR Protocol error: ...`).
const PROTOCOL_ERRORS: &[&str] = &[
    "invalid bulk length",
    "invalid multibulk length",
    "too big inline request",
    "too big mbulk count string",
    "too big bulk count string",
    "unbalanced quotes in request",
    "unauthenticated multibulk length",
    "unauthenticated bulk length",
];

/// Input number `i` of the malformed-input test: ten kinds, from a seeded generator.
fn malformed_input(i: usize, rng: &mut fastrand::Rng) -> Vec<u8> {
    let digits = |rng: &mut fastrand::Rng, n: usize| -> Vec<u8> {
        (0..n).map(|_| rng.u8(b'0'..=b'9')).collect()
    };
    match i % 10 {
        // Random bytes.
        0 => {
            let n = rng.usize(1..600);
            (0..n).map(|_| rng.u8(..)).collect()
        }
        // A multibulk header with random junk after it.
        1 => {
            let mut v = b"*".to_vec();
            let n = rng.usize(1..20);
            v.extend((0..n).map(|_| {
                rng.choice(b"0123456789-+ \r\n$*x".iter())
                    .copied()
                    .unwrap_or(b'0')
            }));
            v.extend((0..rng.usize(0..100)).map(|_| rng.u8(..)));
            v
        }
        // Huge declared lengths.
        2 => {
            let fixed: &[&[u8]] = &[
                b"*1\r\n$1073741824\r\n",
                b"*1\r\n$536870913\r\n",
                b"*3000000000\r\n",
                b"*2147483648\r\n",
                b"*9223372036854775807\r\n",
                b"*99999999999999999999\r\n",
                b"*1\r\n$99999999999999999999\r\n",
                b"*1\r\n$9223372036854775807\r\n",
                b"*2\r\n$3\r\nGET\r\n$4294967296\r\n",
            ];
            let mut v = fixed[rng.usize(..fixed.len())].to_vec();
            if i % 100 == 2 {
                // A legal header for a 64 MB bulk that never comes.
                v = b"*1\r\n$67108864\r\nabc".to_vec();
            }
            v
        }
        // Negative lengths.
        3 => {
            let mut v = format!("*{}\r\n", rng.i32(1..5)).into_bytes();
            v.extend(format!("${}\r\n", rng.i64(-1_000_000..0)).as_bytes());
            v.extend(b"abc\r\n");
            v
        }
        // Deep nesting.
        4 => b"*1\r\n".repeat(rng.usize(2..20_000)),
        // Half a frame, then the client goes away.
        5 => {
            let mut full = cmd(&[b"SET", b"victim", &vec![b'x'; rng.usize(1..5000)]]);
            full.truncate(rng.usize(1..full.len()));
            full
        }
        // Invalid multibulk lengths.
        6 => {
            let bad: &[&[u8]] = &[
                b"*abc", b"*1x", b"* 1", b"*+1", b"*01", b"*1 ", b"*0x10", b"*--1", b"*",
            ];
            let mut v = bad[rng.usize(..bad.len())].to_vec();
            v.extend(b"\r\n$4\r\nPING\r\n");
            v
        }
        // Invalid bulk lengths and non-bulk elements.
        7 => {
            let bad: &[&[u8]] = &[
                b"*1\r\n$abc\r\nx\r\n",
                b"*1\r\n$+3\r\nabc\r\n",
                b"*1\r\n$03\r\nabc\r\n",
                b"*1\r\n%3\r\nabc\r\n",
                b"*2\r\n$3\r\nGET\r\n:1\r\n",
                b"*1\r\n$\r\n",
                b"*1\r\n$1 \r\nx\r\n",
                b"*1\r\n*1\r\n$4\r\nPING\r\n",
            ];
            bad[rng.usize(..bad.len())].to_vec()
        }
        // Too big inline request / count strings.
        8 => match rng.usize(..3) {
            0 => vec![b'a'; 64 * 1024 + rng.usize(1..20_000)],
            1 => {
                let mut v = b"*".to_vec();
                v.extend(digits(rng, 64 * 1024 + 10));
                v
            }
            _ => {
                let mut v = b"*1\r\n$".to_vec();
                v.extend(digits(rng, 64 * 1024 + 10));
                v
            }
        },
        // Unbalanced quotes and odd inline lines.
        _ => {
            let bad: &[&[u8]] = &[
                b"SET \"abc\r\n",
                b"\"foo\r\n",
                b"GET 'k\r\n",
                b"ECHO \"a\"b\r\n",
                b"ECHO \"\\x4\r\n",
                b"\x00\x00\r\n",
                b"\r\n\r\n\r\n",
            ];
            bad[rng.usize(..bad.len())].to_vec()
        }
    }
}

/// Checks one malformed input's outcome: RESP replies only, a protocol error only as the last
/// reply and only with one of Redis's texts, and the connection closed.
fn check_outcome(i: usize, input: &[u8], out: &[u8], closed: bool) -> Result<(), String> {
    if !closed {
        return Err(format!("input {i}: connection not closed"));
    }
    let mut r = std::io::Cursor::new(out);
    let mut replies = Vec::new();
    while (r.position() as usize) < out.len() {
        match read_reply(&mut r) {
            Ok(reply) => replies.push(reply),
            Err(e) => {
                return Err(format!(
                    "input {i} ({}): unparsable output {}: {e}",
                    escape(&input[..input.len().min(80)]),
                    escape(out)
                ))
            }
        }
    }
    for (n, reply) in replies.iter().enumerate() {
        if let Some(text) = reply.strip_prefix(b"-ERR Protocol error: ") {
            let text = String::from_utf8_lossy(text);
            let text = text.trim_end();
            let known = PROTOCOL_ERRORS.contains(&text)
                || (text.starts_with("expected '$', got '") && text.ends_with('\''));
            if !known || n + 1 != replies.len() {
                return Err(format!(
                    "input {i}: protocol error {text:?} (reply {n} of {})",
                    replies.len()
                ));
            }
        }
    }
    Ok(())
}

/// 1,000 malformed or oversized inputs, each on its own connection: each gets Redis's error or a
/// clean close; a second client keeps working with its data intact (checked every 25 inputs),
/// and the server never panics.
#[test]
fn malformed_inputs_do_not_hurt_others() {
    const INPUTS: usize = 1000;
    let srv = start_binary(&[]);
    let mut good = srv.connect().expect("connect");
    let guard = vec![b'g'; 3000];
    assert_eq!(call(&mut good, &[b"SET", b"guard", &guard]), b"+OK\r\n");
    let want_guard = [
        format!("${}\r\n", guard.len()).into_bytes(),
        guard.clone(),
        b"\r\n".to_vec(),
    ]
    .concat();
    let mut rng = fastrand::Rng::with_seed(0x5eed_0bad);
    let mut errors = Vec::new();
    let mut protocol_errors = 0;
    for i in 0..INPUTS {
        let input = malformed_input(i, &mut rng);
        let mut c = srv.connect().expect("connect");
        let mut w = c.try_clone().expect("clone");
        // Big inputs are written from a thread: the server may close before reading them all.
        let writer = std::thread::spawn(move || {
            let _ = w.write_all(&input);
            let _ = w.shutdown(Shutdown::Write);
            input
        });
        let (out, closed) = read_to_close(&mut c, Duration::from_secs(5));
        let input = writer.join().expect("writer");
        if out.windows(21).any(|w| w == b"-ERR Protocol error: ") {
            protocol_errors += 1;
        }
        if let Err(e) = check_outcome(i, &input, &out, closed) {
            errors.push(e);
        }
        if i % 25 == 24 {
            assert_eq!(
                call(&mut good, &[b"GET", b"guard"]),
                want_guard,
                "after input {i}"
            );
            assert_eq!(
                call(&mut good, &[b"INCR", b"rounds"]),
                format!(":{}\r\n", i / 25 + 1).into_bytes()
            );
        }
    }
    assert!(
        errors.is_empty(),
        "{} bad outcomes:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(call(&mut good, &[b"EXISTS", b"victim"]), b":0\r\n");
    assert_eq!(call(&mut good, &[b"GET", b"guard"]), want_guard);
    let log = srv.log();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    assert!(
        protocol_errors > INPUTS * 4 / 10,
        "only {protocol_errors} protocol errors"
    );
    eprintln!(
        "malformed_inputs_do_not_hurt_others: {INPUTS} inputs, {protocol_errors} protocol errors"
    );
}

/// The deterministic malformed inputs get the same bytes from us as from redis-server 7.0.15.
#[test]
fn protocol_errors_match_redis() {
    let Some(real) = servers::start_real(&[]) else {
        servers::skip_without_real_redis("protocol_errors_match_redis");
        return;
    };
    let ours = servers::start_ours(&[]);
    let inputs: &[&[u8]] = &[
        b"*1\r\n$1073741824\r\n",
        b"*1\r\n$536870913\r\n",
        b"*3000000000\r\n",
        b"*2147483648\r\n",
        b"*99999999999999999999\r\n",
        b"*1\r\n$99999999999999999999\r\n",
        b"*1\r\n$-1\r\nabc\r\n",
        b"*2\r\n$-5\r\n",
        b"*-5\r\nPING\r\n",
        b"*1\r\n*1\r\n*1\r\n",
        b"*abc\r\n",
        b"*1x\r\n",
        b"*+1\r\n$4\r\nPING\r\n",
        b"*01\r\n$4\r\nPING\r\n",
        b"*1\r\n$abc\r\nx\r\n",
        b"*1\r\n$+3\r\nabc\r\n",
        b"*1\r\n%3\r\nabc\r\n",
        b"*2\r\n$3\r\nGET\r\n:1\r\n",
        b"*1\r\n$\r\n",
        b"SET \"abc\r\n",
        b"ECHO \"a\"b\r\n",
        b"\r\n\r\nPING\r\n",
    ];
    let run = |srv: &ServerProc, input: &[u8]| -> Vec<u8> {
        let mut c = srv.connect().expect("connect");
        c.write_all(input).expect("write");
        let _ = c.shutdown(Shutdown::Write);
        read_to_close(&mut c, Duration::from_secs(3)).0
    };
    let mut diffs = Vec::new();
    for input in inputs {
        let (a, b) = (run(&ours, input), run(&real, input));
        if a != b {
            diffs.push(format!(
                "{}\n  ours:  {}\n  redis: {}",
                escape(input),
                escape(&a),
                escape(&b)
            ));
        }
    }
    let big = [
        vec![b'a'; 70_000],
        [b"*".to_vec(), vec![b'1'; 70_000]].concat(),
        [b"*1\r\n$".to_vec(), vec![b'1'; 70_000]].concat(),
    ];
    for input in &big {
        let (a, b) = (run(&ours, input), run(&real, input));
        if a != b {
            diffs.push(format!(
                "{} bytes of {:?}: ours {} / redis {}",
                input.len(),
                char::from(input[0]),
                escape(&a),
                escape(&b)
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// 50 slow-loris clients, each sending a byte every 100 ms, do not slow a normal client down.
#[test]
fn slow_loris_clients_do_not_stall_others() {
    let srv = servers::start_ours(&[]);
    let mut lorises: Vec<TcpStream> = (0..50).map(|_| srv.connect().expect("connect")).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let request = cmd(&[b"SET", b"loris", &[b'l'; 100]]);
    let stop2 = stop.clone();
    let trickle = std::thread::spawn(move || {
        let mut pos = 0;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            for l in &mut lorises {
                let _ = l.write_all(&request[pos % request.len()..pos % request.len() + 1]);
            }
            pos += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        pos
    });
    let mut c = srv.connect().expect("connect");
    let mut rtts = Vec::new();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(2) {
        let t = Instant::now();
        assert_eq!(call(&mut c, &[b"PING"]), b"+PONG\r\n");
        rtts.push(t.elapsed());
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let bytes = trickle.join().expect("trickle");
    rtts.sort();
    let median = rtts[rtts.len() / 2];
    let max = rtts[rtts.len() - 1];
    assert!(bytes >= 10, "the lorises sent only {bytes} bytes each");
    assert!(
        median < Duration::from_millis(50) && max < Duration::from_millis(500),
        "PING round trips with 50 slow-loris clients: median {median:?}, max {max:?}"
    );
    assert_eq!(call(&mut c, &[b"EXISTS", b"loris"]), b":0\r\n");
}
