//! Accepting connections (TCP and Unix socket), maxclients, active expiry, shutdown.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::client::ClientInfo;
use crate::config::Config;
use crate::connection;
use crate::error::Error;
use crate::shared::Shared;
use crate::stop::Stop;

/// What Redis 7.0 sends a client that protected mode refuses, before closing the connection
/// (`clientAcceptHandler` in networking.c; the text of redis-server 7.0.15, typos included).
pub(crate) const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Whether protected mode refuses a client connecting from `peer` (`None`: a Unix socket).
///
/// As Redis 7.0: only when `protected-mode yes` and the default user has no password
/// (`requirepass` empty), whatever the bind addresses; and the only local peers are exactly
/// `127.0.0.1` and `::1` (Redis compares the peer's address text with those two, so a client
/// from `127.0.0.2` is refused too, as redis-server 7.0.15 does) and Unix sockets.
pub(crate) fn protected_mode_denies(
    protected: bool,
    has_password: bool,
    peer: Option<IpAddr>,
) -> bool {
    if !protected || has_password {
        return false;
    }
    match peer {
        None => false,
        Some(IpAddr::V4(ip)) => ip != Ipv4Addr::LOCALHOST,
        Some(IpAddr::V6(ip)) => ip != Ipv6Addr::LOCALHOST,
    }
}

/// Runs a server on `listener` with `config` until `shutdown` resolves (or SHUTDOWN is sent):
/// a fresh [`Shared`] state and persistence as configured; see [`serve_persistent`].
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future + Send + 'static,
) -> Result<(), Error> {
    serve_persistent(vec![listener], Shared::new(config), shutdown).await
}

/// Serves `listeners` with persistence as `shared`'s configuration asks: clients are served at
/// once, getting `-LOADING` while the AOF loads (on a blocking thread); then the server logs
/// `Ready to accept connections`. When serving ends, the AOF is flushed and fsynced. A load
/// that fails (corrupt AOF...) stops the server with that error.
pub async fn serve_persistent(
    listeners: Vec<TcpListener>,
    shared: Arc<Shared>,
    shutdown: impl Future + Send + 'static,
) -> Result<(), Error> {
    if shared.config.read().bool("appendonly") {
        // Before the first client: nothing may be answered as if the data were loaded.
        shared.loading.store(true, Ordering::Release);
    }
    let server = tokio::spawn(serve(listeners, shared.clone(), shutdown));
    let loader = shared.clone();
    let started = tokio::task::spawn_blocking(move || crate::Persistence::open(&loader)).await;
    let persistence = match started {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            shared.shutdown.cancel();
            let _ = server.await;
            return Err(e.into());
        }
        Err(e) => {
            shared.shutdown.cancel();
            let _ = server.await;
            return Err(Error::Io(std::io::Error::other(e.to_string())));
        }
    };
    tracing::info!("Ready to accept connections");
    shared.loading.store(false, Ordering::Release);
    let served = match server.await {
        Ok(r) => r,
        Err(e) => Err(Error::Io(std::io::Error::other(e.to_string()))),
    };
    if let Err(e) = persistence.shutdown() {
        tracing::warn!("Error trying to flush and fsync the AOF before exit: {e}");
    }
    served
}

/// Binds the TCP listeners the configuration asks for (`bind` × `port`). Addresses prefixed
/// with `-` are skipped if unavailable. Fails with [`Error::Listen`] if none can be bound.
pub async fn bind(config: &Config) -> Result<Vec<TcpListener>, Error> {
    let port = config.port();
    let mut out = Vec::new();
    let mut last_err = None;
    for addr in config.bind() {
        let (optional, host) = match addr.strip_prefix('-') {
            Some(h) => (true, h.to_owned()),
            None => (false, addr.clone()),
        };
        let host = match host.as_str() {
            "*" => "0.0.0.0".to_owned(),
            "::*" => "::".to_owned(),
            h => h.to_owned(),
        };
        let sa: SocketAddr = match host.parse::<std::net::IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, port),
            Err(e) => {
                if optional {
                    continue;
                }
                return Err(Error::Listen {
                    port,
                    source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
                });
            }
        };
        match bind_one(sa, config.int("tcp-backlog")) {
            Ok(l) => out.push(l),
            Err(e) if optional => last_err = Some(e),
            Err(source) => return Err(Error::Listen { port, source }),
        }
    }
    if out.is_empty() {
        return Err(Error::Listen {
            port,
            source: last_err.unwrap_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no bind address")
            }),
        });
    }
    Ok(out)
}

fn bind_one(addr: SocketAddr, backlog: i64) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    if addr.is_ipv6() {
        // Separate v4 and v6 sockets, as Redis does (IPV6_V6ONLY).
        let sock = socket2::SockRef::from(&socket);
        sock.set_only_v6(true)?;
    }
    socket.bind(addr)?;
    socket.listen(backlog.clamp(1, i32::MAX as i64) as u32)
}

/// Serves `listeners` (and the configured `unixsocket`) with `shared` until `shutdown`
/// resolves or a client sends SHUTDOWN; then stops accepting, lets connections finish the
/// batch they are executing, and returns.
pub async fn serve(
    listeners: Vec<TcpListener>,
    shared: Arc<Shared>,
    shutdown: impl Future,
) -> Result<(), Error> {
    let token = shared.shutdown.clone();
    let tracker = TaskTracker::new();

    for l in listeners {
        tracker.spawn(accept_tcp(
            l,
            shared.clone(),
            token.clone(),
            tracker.clone(),
        ));
    }
    let unix = shared.config.read().unixsocket().map(str::to_owned);
    if let Some(path) = unix {
        let _ = std::fs::remove_file(&path);
        let l = tokio::net::UnixListener::bind(&path)?;
        let perm = i64::from_str_radix(shared.config.read().str("unixsocketperm"), 8).unwrap_or(0);
        if perm != 0 {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm as u32));
        }
        tracker.spawn(accept_unix(
            l,
            path,
            shared.clone(),
            token.clone(),
            tracker.clone(),
        ));
    }
    tracker.spawn(active_expire(shared.clone(), token.clone()));

    tokio::select! {
        _ = shutdown => token.cancel(),
        _ = token.cancelled() => {}
    }
    // Connections watch their own switch, not the token. One registered after this sweep
    // sees the token cancelled when it starts (see `connection::serve`).
    for c in shared.clients.snapshot() {
        c.stop.fire(Stop::Shutdown);
    }
    tracker.close();
    tracker.wait().await;
    if let Some(path) = shared.config.read().unixsocket() {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

async fn accept_tcp(
    listener: TcpListener,
    shared: Arc<Shared>,
    token: CancellationToken,
    tracker: TaskTracker,
) {
    let mut backoff = Duration::from_millis(1);
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = token.cancelled() => return,
        };
        let (stream, addr) = match accepted {
            Ok(x) => {
                backoff = Duration::from_millis(1);
                x
            }
            Err(e) => {
                tracing::warn!("Accept error: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        set_keepalive(&stream, shared.config.read().int("tcp-keepalive"));
        let laddr = stream.local_addr().ok();
        let fd = {
            use std::os::fd::AsRawFd;
            i64::from(stream.as_raw_fd())
        };
        let info = ClientInfo::new(shared.clients.next_id(), Some(addr), laddr, None, fd);
        start_client(stream, info, &shared, &token, &tracker);
    }
}

fn set_keepalive(stream: &TcpStream, secs: i64) {
    if secs > 0 {
        let ka = socket2::TcpKeepalive::new().with_time(Duration::from_secs(secs as u64));
        let _ = socket2::SockRef::from(stream).set_tcp_keepalive(&ka);
    }
}

async fn accept_unix(
    listener: tokio::net::UnixListener,
    path: String,
    shared: Arc<Shared>,
    token: CancellationToken,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = token.cancelled() => return,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let fd = {
            use std::os::fd::AsRawFd;
            i64::from(stream.as_raw_fd())
        };
        let info = ClientInfo::new(shared.clients.next_id(), None, None, Some(path.clone()), fd);
        start_client(stream, info, &shared, &token, &tracker);
    }
}

fn start_client<S>(
    mut stream: S,
    info: ClientInfo,
    shared: &Arc<Shared>,
    token: &CancellationToken,
    tracker: &TaskTracker,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    shared
        .clients
        .total_received
        .fetch_add(1, Ordering::Relaxed);
    let max = shared.config.read().maxclients();
    // Checked in Redis's order: maxclients (acceptCommonHandler), then protected mode
    // (clientAcceptHandler). Both count as rejected connections in INFO stats.
    let refusal: Option<&'static [u8]> = if shared.clients.len() >= max {
        Some(b"-ERR max number of clients reached\r\n")
    } else {
        let cfg = shared.config.read();
        protected_mode_denies(
            cfg.bool("protected-mode"),
            cfg.requirepass().is_some(),
            info.addr.map(|a| a.ip()),
        )
        .then_some(PROTECTED_MODE_DENIED)
    };
    if let Some(text) = refusal {
        shared.clients.rejected.fetch_add(1, Ordering::Relaxed);
        tracker.spawn(async move {
            // A client that never reads cannot keep this task (or shutdown) waiting.
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                let _ = stream.write_all(text).await;
                let _ = stream.shutdown().await;
            })
            .await;
        });
        return;
    }
    let info = Arc::new(info);
    shared.clients.add(info.clone());
    tracker.spawn(connection::serve(
        shared.clone(),
        stream,
        info,
        token.clone(),
    ));
}

/// Active expiry: `hz` times a second, let the store reclaim expired keys; once a second,
/// sample the instantaneous rates of INFO stats.
async fn active_expire(shared: Arc<Shared>, token: CancellationToken) {
    let mut prev = [0u64; 3];
    let mut last_sample = std::time::Instant::now();
    loop {
        let elapsed = last_sample.elapsed();
        if elapsed >= Duration::from_secs(1) {
            shared.stats.sample(&mut prev, elapsed.as_secs_f64());
            last_sample = std::time::Instant::now();
        }
        let hz = shared.config.read().hz();
        let period = Duration::from_millis(1000 / hz.max(1));
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = token.cancelled() => return,
        }
        if shared.active_expire.load(Ordering::Relaxed) {
            shared.store.expire_cycle();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_mode_refuses_only_remote_peers_without_password() {
        let remote: IpAddr = "192.0.2.7".parse().unwrap();
        let remote6: IpAddr = "fd00::7".parse().unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let lo6: IpAddr = "::1".parse().unwrap();
        // Redis 7.0 compares the address text with "127.0.0.1" and "::1" only.
        let lo2: IpAddr = "127.0.0.2".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(protected_mode_denies(true, false, Some(remote)));
        assert!(protected_mode_denies(true, false, Some(remote6)));
        assert!(protected_mode_denies(true, false, Some(lo2)));
        assert!(protected_mode_denies(true, false, Some(mapped)));
        assert!(!protected_mode_denies(true, false, Some(lo)));
        assert!(!protected_mode_denies(true, false, Some(lo6)));
        assert!(!protected_mode_denies(true, false, None));
        // A password, or protected-mode no, lets everyone connect (and AUTH decides).
        assert!(!protected_mode_denies(true, true, Some(remote)));
        assert!(!protected_mode_denies(false, false, Some(remote)));
        assert!(!protected_mode_denies(false, true, Some(remote6)));
    }

    #[test]
    fn denied_text_is_one_resp_error_line() {
        assert!(PROTECTED_MODE_DENIED.starts_with(b"-DENIED Redis is running in protected mode"));
        assert!(PROTECTED_MODE_DENIED.ends_with(b"outside.\r\n"));
        let body = &PROTECTED_MODE_DENIED[..PROTECTED_MODE_DENIED.len() - 2];
        assert!(!body.contains(&b'\r') && !body.contains(&b'\n'));
        assert_eq!(PROTECTED_MODE_DENIED.len(), 1067);
    }
}
