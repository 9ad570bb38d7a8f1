//! One connection: read into one buffer, decode every complete request, execute them in order,
//! write all replies with one write per batch.
//!
//! Limits, as Redis applies them: `timeout` (idle clients), `client-query-buffer-limit`
//! (unparsed input), the protocol limits of the request decoder (`proto-max-bulk-len`, the
//! tighter limits before AUTH) and the hard and soft limits of `client-output-buffer-limit
//! normal` (over the soft limit for its seconds, continuously, closes the client).
//!
//! Output is bounded without that limit too: a batch stops executing requests once
//! [`BATCH_OUTPUT`] bytes of replies wait, writes them, and goes on with the requests already
//! read before reading more. A client that pipelines many big GETs and never reads therefore
//! holds about one batch of replies in our memory (the rest waits in the kernel's socket
//! buffers, then in the client's unread requests), never its whole pipeline's replies.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_util::codec::Decoder;
use tokio_util::sync::CancellationToken;

use resp::RequestDecoder;

use crate::client::{Client, ClientInfo};
use crate::config::Config;
use crate::dispatch;
use crate::shared::Shared;
use crate::stop::Stop;

const READ_CHUNK: usize = 16 * 1024;
/// A batch stops executing requests once this many reply bytes wait to be written.
const BATCH_OUTPUT: usize = 64 * 1024;
/// An output buffer that grew past this for one big reply is dropped after the write, so an
/// idle connection does not keep a big allocation.
const KEEP_OUTPUT_CAPACITY: usize = 1024 * 1024;
/// The part of a client's output Redis keeps outside the output-buffer accounting
/// (`PROTO_REPLY_CHUNK_BYTES`, the static reply buffer).
const REPLY_STATIC_BUFFER: usize = 16 * 1024;
/// How long a reply still being written may delay shutdown.
const SHUTDOWN_WRITE_GRACE: Duration = Duration::from_secs(1);

/// The limits of one connection, from the configuration.
#[derive(Debug, Clone, Copy)]
struct ConnLimits {
    decoder: resp::Limits,
    idle: Option<Duration>,
    query_buffer: usize,
    /// `client-output-buffer-limit normal <hard>`; 0 for none. Checked against the replies of
    /// one batch (replies already handed to the kernel are not counted).
    output_hard: usize,
    /// `client-output-buffer-limit normal <hard> <soft> <secs>`: the soft limit (0: none) and
    /// how long replies may stay over it.
    output_soft: usize,
    output_soft_secs: u64,
}

impl ConnLimits {
    fn load(cfg: &Config) -> ConnLimits {
        let decoder = resp::Limits {
            proto_max_bulk_len: cfg.int("proto-max-bulk-len").max(0) as usize,
            ..resp::Limits::default()
        };
        let timeout = cfg.int("timeout");
        let (output_hard, output_soft, output_soft_secs) =
            normal_limits(cfg.str("client-output-buffer-limit"));
        ConnLimits {
            decoder,
            idle: (timeout > 0).then(|| Duration::from_secs(timeout as u64)),
            query_buffer: cfg.int("client-query-buffer-limit").max(0) as usize,
            output_hard,
            output_soft,
            output_soft_secs,
        }
    }
}

/// The `normal` class of a canonical `client-output-buffer-limit` value (`normal <hard> <soft>
/// <secs> slave ...`): (hard bytes, soft bytes, soft seconds), 0 for none.
fn normal_limits(value: &str) -> (usize, usize, u64) {
    let words: Vec<&str> = value.split_whitespace().collect();
    let Some(g) = words
        .chunks(4)
        .find(|g| g.len() == 4 && g[0].eq_ignore_ascii_case("normal"))
    else {
        return (0, 0, 0);
    };
    let num = |w: &str| w.parse::<u64>().unwrap_or(0);
    (num(g[1]) as usize, num(g[2]) as usize, num(g[3]))
}

/// Starts loading the keys of the pipelined requests waiting in `rbuf` into the cache, so
/// their lookups overlap instead of each waiting for its own cache misses; when the whole
/// batch is on one key, its fields instead (HSET h f1 v1, HSET h f2 v2, ...).
fn prefetch_keys(shared: &Shared, client: &Client, rbuf: &[u8]) {
    use store::{PREFETCH_MAX, PREFETCH_MIN};
    let mut reqs = [resp::Peeked::default(); PREFETCH_MAX];
    let n = resp::peek_requests(rbuf, &mut reqs);
    if n < PREFETCH_MIN {
        return;
    }
    let Ok(db) = shared.store.try_db(client.db as i64) else {
        return;
    };
    // A key repeated by the next request is in the cache after its first lookup: hinting it
    // again would only cost.
    let mut keys: [&[u8]; PREFETCH_MAX] = [&[]; PREFETCH_MAX];
    keys[0] = reqs[0].second;
    let mut kept = 1;
    for r in &reqs[1..n] {
        if r.second != keys[kept - 1] {
            keys[kept] = r.second;
            kept += 1;
        }
    }
    if kept >= PREFETCH_MIN {
        db.prefetch(&keys[..kept]);
    } else if kept == 1 {
        let mut fields: [&[u8]; PREFETCH_MAX] = [&[]; PREFETCH_MAX];
        for (f, r) in fields.iter_mut().zip(&reqs[..n]) {
            *f = r.third;
        }
        db.prefetch_fields(keys[0], &fields[..n]);
    }
}

/// The first `max` bytes of `bytes` as Redis's `sdscatrepr` shows them in logs.
fn repr(bytes: &[u8], max: usize) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(max) {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

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
    let mut limits = ConnLimits::load(&shared.config.read());
    // CONFIG SET applies to connected clients too, as in Redis: the limits are re-read when
    // the configuration's epoch moves (one atomic load per read, no config lock).
    let mut limits_epoch = shared.config_epoch.load(Ordering::Acquire);
    let requirepass = shared.config.read().requirepass().is_some();
    let mut client = Client::new(info.clone(), !requirepass);
    let mut decoder = RequestDecoder::with_limits(limits.decoder);
    decoder.set_authenticated(client.authenticated);
    let mut authed = client.authenticated;
    let mut rbuf = BytesMut::with_capacity(READ_CHUNK);
    let mut wbuf = BytesMut::with_capacity(READ_CHUNK);
    // Registered before this task started: a shutdown that swept the registry before then
    // would miss this connection (see `listener::serve`).
    if shutdown.is_cancelled() {
        info.stop.fire(Stop::Shutdown);
    }

    'conn: loop {
        // Execute the complete requests in the buffer, until a batch of output waits.
        let mut close = false;
        let mut more = false;
        // A new batch: its first command's timing starts when it runs, not at the last
        // command before the wait for input.
        client.timing_mark = None;
        prefetch_keys(&shared, &client, &rbuf);
        loop {
            if wbuf.len() >= BATCH_OUTPUT {
                more = true;
                break;
            }
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
                    if client.close_after_reply || info.is_killed() {
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
        // Redis counts only what overflows a client's 16 KB static reply buffer.
        if limits.output_hard > 0
            && wbuf.len().saturating_sub(REPLY_STATIC_BUFFER) > limits.output_hard
        {
            tracing::warn!(
                "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                info.line()
            );
            break 'conn;
        }
        if !wbuf.is_empty() {
            if client.propagated {
                client.propagated = false;
                let sink = shared.propagate.read().clone();
                if let Some(sink) = sink {
                    sink.barrier().await;
                }
            }
            // Let the other connections that are ready run their batches first, as Redis
            // reads every ready client before it writes any reply: the replies then leave in
            // a burst, and the first one wakes a client machine that is asleep instead of
            // each one. Measured: +11-26% throughput at -P 16 (the wake-ups were 23% of our
            // CPU). Alone, yielding would cost an extra poll of the driver for nothing.
            if shared.clients.len() > 1 {
                tokio::task::yield_now().await;
            }
            shared.stats.net_output.add(wbuf.len() as u64);
            // Over the soft limit: the client must take these replies within its seconds
            // (at least one), or it is closed as Redis closes it.
            let over_soft = limits.output_soft > 0
                && wbuf.len().saturating_sub(REPLY_STATIC_BUFFER) > limits.output_soft;
            let soft_secs = limits.output_soft_secs.max(1);
            let soft_expired = async move {
                if over_soft {
                    tokio::time::sleep(Duration::from_secs(soft_secs)).await;
                } else {
                    std::future::pending::<()>().await;
                }
            };
            // A client that does not read blocks only itself; CLIENT KILL and shutdown
            // (after a grace period) still end it.
            let write = stream.write_all(&wbuf);
            tokio::pin!(write);
            tokio::select! {
                r = &mut write => if r.is_err() {
                    break 'conn;
                },
                why = info.stop.wait() => {
                    // Shutdown lets a reply being written finish, for a moment.
                    if why == Stop::Kill
                        || !matches!(tokio::time::timeout(SHUTDOWN_WRITE_GRACE, write).await, Ok(Ok(())))
                    {
                        break 'conn;
                    }
                }
                _ = soft_expired => {
                    tracing::warn!(
                        "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                        info.line()
                    );
                    break 'conn;
                }
            }
            if wbuf.capacity() > KEEP_OUTPUT_CAPACITY {
                wbuf = BytesMut::with_capacity(READ_CHUNK);
            } else {
                wbuf.clear();
            }
        }
        if close || info.stop.fired().is_some() {
            break;
        }
        if more {
            continue;
        }
        if rbuf.capacity() - rbuf.len() < 1024 {
            rbuf.reserve(READ_CHUNK);
        }
        let idle = limits.idle;
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
                    shared.stats.net_input.add(n as u64);
                }
            },
            _ = info.stop.wait() => break,
        }
        // New bytes are decoded under the limits in force when they arrived.
        let epoch = shared.config_epoch.load(Ordering::Acquire);
        if epoch != limits_epoch {
            limits_epoch = epoch;
            limits = ConnLimits::load(&shared.config.read());
            if *decoder.limits() != limits.decoder {
                decoder.set_limits(limits.decoder);
            }
        }
        if rbuf.len() > limits.query_buffer {
            tracing::warn!(
                "Closing client that reached max query buffer length: {} (qbuf initial bytes: {})",
                info.line(),
                repr(&rbuf, 64)
            );
            break;
        }
    }
    let _ = stream.shutdown().await;
    // WATCH tokens and the registry entry go away with the client.
    drop(client);
    shared.clients.remove(info.id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_limits_from_canonical_value() {
        let d = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
        assert_eq!(normal_limits(d), (0, 0, 0));
        assert_eq!(
            normal_limits("normal 1048576 524288 10 slave 1 2 3"),
            (1_048_576, 524_288, 10)
        );
        assert_eq!(normal_limits("slave 1 2 3 normal 5 0 0"), (5, 0, 0));
        assert_eq!(normal_limits(""), (0, 0, 0));
        assert_eq!(normal_limits("normal x 7 0"), (0, 7, 0));
    }

    #[test]
    fn repr_escapes_like_sdscatrepr() {
        assert_eq!(
            repr(b"*1\r\n$3\r\nab\"\\\x00\xff", 64),
            r#""*1\r\n$3\r\nab\"\\\x00\xff""#
        );
        assert_eq!(repr(b"abcdef", 3), "\"abc\"");
    }

    #[test]
    fn limits_from_config() {
        let mut cfg = Config::default();
        let l = ConnLimits::load(&cfg);
        assert_eq!(l.decoder, resp::Limits::default());
        assert_eq!(l.query_buffer, 1 << 30);
        assert_eq!(l.idle, None);
        assert_eq!(l.output_hard, 0);
        cfg.set_many(&[
            (b"timeout", b"7"),
            (b"proto-max-bulk-len", b"2mb"),
            (b"client-query-buffer-limit", b"3mb"),
            (b"client-output-buffer-limit", b"normal 4mb 0 0"),
        ])
        .unwrap();
        let l = ConnLimits::load(&cfg);
        assert_eq!(l.idle, Some(Duration::from_secs(7)));
        assert_eq!(l.decoder.proto_max_bulk_len, 2 << 20);
        assert_eq!(l.query_buffer, 3 << 20);
        assert_eq!(l.output_hard, 4 << 20);
        assert_eq!((l.output_soft, l.output_soft_secs), (0, 0));
    }
}
