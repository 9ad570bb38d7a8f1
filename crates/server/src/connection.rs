//! One connection: read into one buffer, decode every complete request, execute them in order,
//! write all replies with one write per batch.

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::Decoder;
use tokio_util::sync::CancellationToken;

use resp::RequestDecoder;

use crate::client::{Client, ClientInfo};
use crate::dispatch;
use crate::shared::Shared;

const READ_CHUNK: usize = 16 * 1024;

/// Serves one client until it disconnects, QUIT, CLIENT KILL, a protocol error, idle timeout
/// or server shutdown (checked between batches, never inside one).
pub(crate) async fn serve<S>(
    shared: Arc<Shared>,
    mut stream: S,
    info: Arc<ClientInfo>,
    shutdown: CancellationToken,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (requirepass, limits, timeout) = {
        let cfg = shared.config.read();
        let mut limits = resp::Limits::default();
        limits.proto_max_bulk_len = cfg.int("proto-max-bulk-len").max(0) as usize;
        (cfg.requirepass().is_some(), limits, cfg.int("timeout"))
    };
    let mut client = Client::new(info.clone(), !requirepass);
    let mut decoder = RequestDecoder::with_limits(limits);
    decoder.set_authenticated(client.authenticated);
    let mut authed = client.authenticated;
    let mut rbuf = BytesMut::with_capacity(READ_CHUNK);
    let mut wbuf = BytesMut::with_capacity(READ_CHUNK);
    let kill = info.kill.clone();
    let idle = (timeout > 0).then(|| Duration::from_secs(timeout as u64));

    'conn: loop {
        // Execute every complete request in the buffer.
        let mut close = false;
        loop {
            match decoder.decode(&mut rbuf) {
                Ok(Some(argv)) => {
                    if argv.is_empty() {
                        continue;
                    }
                    dispatch::execute(&shared, &mut client, &argv, &mut wbuf);
                    if client.authenticated != authed {
                        authed = client.authenticated;
                        decoder.set_authenticated(authed);
                    }
                    if client.close_after_reply || kill.is_cancelled() {
                        close = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    resp::write::error(&mut wbuf, format!("ERR {e}").as_bytes());
                    close = true;
                    break;
                }
            }
        }
        if !wbuf.is_empty() {
            if client.propagated {
                client.propagated = false;
                let sink = shared.propagate.read().clone();
                if let Some(sink) = sink {
                    sink.barrier().await;
                }
            }
            shared
                .stats
                .net_output
                .fetch_add(wbuf.len() as u64, std::sync::atomic::Ordering::Relaxed);
            if stream.write_all(&wbuf).await.is_err() {
                break 'conn;
            }
            wbuf.clear();
        }
        if close || shutdown.is_cancelled() {
            break;
        }
        if rbuf.capacity() - rbuf.len() < 1024 {
            rbuf.reserve(READ_CHUNK);
        }
        let read = async {
            match idle {
                Some(d) => tokio::time::timeout(d, stream.read_buf(&mut rbuf))
                    .await
                    .unwrap_or(Ok(0)),
                None => stream.read_buf(&mut rbuf).await,
            }
        };
        tokio::select! {
            r = read => match r {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    shared.stats.net_input.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                }
            },
            _ = shutdown.cancelled() => break,
            _ = kill.cancelled() => break,
        }
    }
    let _ = stream.shutdown().await;
    // WATCH tokens and the registry entry go away with the client.
    drop(client);
    shared.clients.remove(info.id);
}
