//! Accepting connections (TCP and Unix socket), maxclients, active expiry, shutdown.

use std::future::Future;
use std::net::SocketAddr;
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

/// Runs a server on `listener` with `config` until `shutdown` resolves (or SHUTDOWN is sent).
/// Builds a fresh [`Shared`] state; see [`serve`] to supply your own (e.g. after AOF load).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future,
) -> Result<(), Error> {
    let shared = Shared::new(config);
    serve(vec![listener], shared, shutdown).await
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
    if shared.clients.len() >= max {
        shared.clients.rejected.fetch_add(1, Ordering::Relaxed);
        tracker.spawn(async move {
            let _ = stream
                .write_all(b"-ERR max number of clients reached\r\n")
                .await;
            let _ = stream.shutdown().await;
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
