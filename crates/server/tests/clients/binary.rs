//! Our `redis-server` binary as tools use it (see shared/BINARY-COMPAT.md): started with Redis's
//! flags, it logs `Ready to accept connections`, serves, and exits 0 on SIGTERM; a port in use is
//! a quick non-zero exit naming the port. The same checks run against the real binary first, so
//! a failure on ours is a real difference.

use crate::harness::{process, servers};
use std::io::{BufReader, Write};
use std::process::Command;
use std::time::Duration;

fn binaries() -> Vec<(&'static str, std::path::PathBuf)> {
    let mut out = Vec::new();
    if let Some(real) = servers::real_redis() {
        out.push(("redis", real));
    }
    match servers::ours() {
        Ok(bin) => out.push(("ours", bin)),
        Err(e) => panic!("cannot build our redis-server: {e}"),
    }
    out
}

/// Starts, logs readiness, answers PING, stops on SIGTERM with exit status 0.
#[test]
fn starts_serves_and_stops_on_sigterm() {
    for (label, bin) in binaries() {
        let mut srv = servers::start(&bin, label, &[]).unwrap_or_else(|e| panic!("{e}"));
        // The log line tools wait for (written before or right after the port opens).
        let mut ready = false;
        for _ in 0..100 {
            if srv.log().contains("Ready to accept connections") {
                ready = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            ready,
            "{label}: no 'Ready to accept connections' in the log:\n{}",
            srv.log()
        );
        let mut c = srv.connect().expect("connect");
        c.write_all(b"*1\r\n$4\r\nPING\r\n").expect("write");
        let reply = crate::harness::resp::read_reply(&mut BufReader::new(&c)).expect("reply");
        assert_eq!(reply, b"+PONG\r\n", "{label}");
        let pid = srv.pid().expect("a process") as libc::pid_t;
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let status = srv.wait_exit(Duration::from_secs(10));
        assert!(
            status.is_some_and(|s| s.success()),
            "{label}: after SIGTERM: {status:?}; log:\n{}",
            srv.log()
        );
    }
}

/// A port that is already taken: non-zero exit within seconds, the log names the port.
#[test]
fn port_in_use_fails_fast() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    for (label, bin) in binaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = process::run(
            Command::new(&bin)
                .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
                .current_dir(dir.path()),
            b"",
            Duration::from_secs(10),
        );
        assert!(
            out.status.is_some_and(|s| !s.success()),
            "{label}: should fail on a taken port\n{}",
            out.describe()
        );
        let text = format!("{}{}", out.stdout, out.stderr);
        assert!(
            text.contains(&format!("Failed listening on port {port}")),
            "{label}: no 'Failed listening on port {port}'\n{}",
            out.describe()
        );
    }
}

/// The health probe as the Docker image runs it: `redis-server <config-file> --ping` exits 0
/// when the configured server answers PONG (with the password from the file or
/// REDISCLI_AUTH), non-zero otherwise.
#[test]
fn ping_probe_after_a_config_file() {
    let bin = servers::ours().unwrap_or_else(|e| panic!("cannot build our redis-server: {e}"));
    let srv = servers::start(&bin, "ours", &["--requirepass", "s3cret"])
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("redis.conf");
    let probe = |conf_text: String, env_pass: Option<&str>| {
        std::fs::write(&conf, conf_text).expect("write config");
        let mut cmd = Command::new(&bin);
        cmd.arg(&conf).arg("--ping").env_remove("REDISCLI_AUTH");
        if let Some(p) = env_pass {
            cmd.env("REDISCLI_AUTH", p);
        }
        cmd.output().expect("run the probe")
    };
    let port = srv.port;
    let ok = probe(format!("port {port}\nrequirepass s3cret\n"), None);
    assert!(
        ok.status.success(),
        "probe with the file's password: {ok:?}"
    );
    let ok = probe(format!("port {port}\n"), Some("s3cret"));
    assert!(ok.status.success(), "probe with REDISCLI_AUTH: {ok:?}");
    let bad = probe(format!("port {port}\nrequirepass wrong\n"), None);
    assert!(
        !bad.status.success(),
        "probe with a wrong password must fail"
    );
    drop(srv);
    let gone = probe(format!("port {port}\n"), None);
    assert!(!gone.status.success(), "probe without a server must fail");
}
