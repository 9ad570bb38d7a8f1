//! Connection-level behaviour of our server: 1,000 clients at once, clients dying
//! mid-pipeline or never reading their replies, CLIENT SETINFO (a 7.2 command we implement).

use crate::harness::conn::{call, cmd, ensure_fd_limit};
use crate::harness::resp::{escape, read_reply};
use crate::harness::servers::{self, ServerProc};
use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn start() -> ServerProc {
    servers::start_ours(&[])
}

/// 1,000 connections open at once (4 threads x 250), each doing SET / INCR / GET pipelined.
#[test]
fn thousand_concurrent_connections() {
    const THREADS: usize = 4;
    const PER: usize = 250;
    // This process holds 1,000 sockets and the server (a child, inheriting the limit) as many.
    if !ensure_fd_limit(4096) {
        eprintln!("!!!!! SKIPPED thousand_concurrent_connections: cannot raise RLIMIT_NOFILE to 4096 !!!!!");
        return;
    }
    let srv = start();
    let addr = srv.addr();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let addr = addr.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || -> Result<(), String> {
                let mut conns = Vec::with_capacity(PER);
                for _ in 0..PER {
                    let s = TcpStream::connect(&addr).map_err(|e| format!("connect: {e}"))?;
                    s.set_read_timeout(Some(Duration::from_secs(20)))
                        .map_err(|e| e.to_string())?;
                    conns.push(s);
                }
                // Every thread holds its 250 connections before anyone sends a command.
                barrier.wait();
                for (i, c) in conns.iter_mut().enumerate() {
                    let id = format!("{t}:{i}");
                    let mut batch = cmd(&[
                        b"SET",
                        format!("k{id}").as_bytes(),
                        format!("v{id}").as_bytes(),
                    ]);
                    batch.extend(cmd(&[b"INCR", b"counter"]));
                    batch.extend(cmd(&[b"GET", format!("k{id}").as_bytes()]));
                    c.write_all(&batch).map_err(|e| format!("write: {e}"))?;
                }
                for (i, c) in conns.iter_mut().enumerate() {
                    let id = format!("{t}:{i}");
                    let mut r = BufReader::new(c.try_clone().map_err(|e| e.to_string())?);
                    let set = read_reply(&mut r).map_err(|e| format!("conn {id}: {e}"))?;
                    let incr = read_reply(&mut r).map_err(|e| format!("conn {id}: {e}"))?;
                    let get = read_reply(&mut r).map_err(|e| format!("conn {id}: {e}"))?;
                    let want_get = format!("${}\r\nv{id}\r\n", id.len() + 1).into_bytes();
                    if set != b"+OK\r\n" || !incr.starts_with(b":") || get != want_get {
                        return Err(format!(
                            "conn {id}: {} {} {}",
                            escape(&set),
                            escape(&incr),
                            escape(&get)
                        ));
                    }
                }
                barrier.wait();
                Ok(())
            })
        })
        .collect();
    let mut errors = Vec::new();
    for h in handles {
        match h.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(_) => errors.push("thread panicked".into()),
        }
    }
    assert!(
        errors.is_empty(),
        "{errors:?}\n--- server log ---\n{}",
        srv.log()
    );
    let mut c = srv.connect().expect("connect");
    assert_eq!(call(&mut c, &[b"GET", b"counter"]), b"$4\r\n1000\r\n");
    assert_eq!(call(&mut c, &[b"DBSIZE"]), b":1001\r\n");
}

/// A client that writes a big pipeline ending in half a command and disconnects without
/// reading disturbs neither a client working at the same time nor later clients.
#[test]
fn disconnect_mid_pipeline() {
    let srv = start();
    let mut b = srv.connect().expect("connect b");
    assert_eq!(call(&mut b, &[b"SET", b"b", b"1"]), b"+OK\r\n");
    for round in 0..5 {
        let mut a = srv.connect().expect("connect a");
        let mut batch = Vec::new();
        for i in 0..5000 {
            batch.extend(cmd(&[b"SET", format!("a{round}:{i}").as_bytes(), b"x"]));
        }
        // Half of a command: the server must wait for the rest, then see the close.
        batch.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$7\r\npartial\r\n$100\r\nonly-part");
        let _ = a.write_all(&batch);
        // Work on b while a's pipeline is being executed.
        assert_eq!(
            call(&mut b, &[b"INCR", b"b"]),
            format!(":{}\r\n", round + 2).into_bytes()
        );
        drop(a);
        assert_eq!(call(&mut b, &[b"PING"]), b"+PONG\r\n");
    }
    let mut c = srv.connect().expect("connect c");
    assert_eq!(call(&mut c, &[b"EXISTS", b"partial"]), b":0\r\n");
    assert_eq!(call(&mut c, &[b"GET", b"b"]), b"$1\r\n6\r\n");
    assert_eq!(call(&mut b, &[b"PING"]), b"+PONG\r\n");
}

/// A client that pipelines many large replies and never reads them does not stall others.
#[test]
fn slow_reader_does_not_block_others() {
    let srv = start();
    let mut b = srv.connect().expect("connect b");
    let big = vec![b'v'; 10_000];
    assert_eq!(call(&mut b, &[b"SET", b"big", &big]), b"+OK\r\n");
    let mut a = srv.connect().expect("connect a");
    let mut batch = Vec::new();
    for _ in 0..2000 {
        batch.extend(cmd(&[b"GET", b"big"]));
    }
    // 20 MB of replies that a never reads; write from a thread (the socket buffers fill up).
    let writer = std::thread::spawn(move || {
        let _ = a.write_all(&batch);
        std::thread::sleep(Duration::from_millis(500));
        drop(a);
    });
    let t0 = Instant::now();
    for i in 0..200 {
        let text = i.to_string();
        let want = format!("${}\r\n{text}\r\n", text.len()).into_bytes();
        assert_eq!(call(&mut b, &[b"ECHO", text.as_bytes()]), want);
    }
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "200 round trips took {:?}",
        t0.elapsed()
    );
    let _ = writer.join();
    assert_eq!(call(&mut b, &[b"PING"]), b"+PONG\r\n");
}

/// CLIENT SETINFO (Redis 7.2; current clients send it on connect): we accept it.
#[test]
fn client_setinfo() {
    if servers::ours_is_other_binary() {
        eprintln!(
            "client_setinfo: DIFF_OURS is set (real Redis 7.0 lacks CLIENT SETINFO): not run"
        );
        return;
    }
    let srv = start();
    let mut c = srv.connect().expect("connect");
    assert_eq!(
        call(&mut c, &[b"CLIENT", b"SETINFO", b"lib-name", b"redis-py"]),
        b"+OK\r\n"
    );
    assert_eq!(
        call(&mut c, &[b"CLIENT", b"SETINFO", b"lib-ver", b"5.0.1"]),
        b"+OK\r\n"
    );
    assert_eq!(
        call(&mut c, &[b"CLIENT", b"SETINFO", b"lib-name"]),
        b"-ERR wrong number of arguments for 'client|setinfo' command\r\n".to_vec()
    );
    let bogus = call(&mut c, &[b"CLIENT", b"SETINFO", b"bogus", b"x"]);
    assert!(bogus.starts_with(b"-ERR"), "{}", escape(&bogus));
    let info = call(&mut c, &[b"CLIENT", b"INFO"]);
    assert!(
        info.windows(17).any(|w| w == b"lib-name=redis-py"),
        "CLIENT INFO lacks lib-name: {}",
        escape(&info)
    );
}

/// Reads until the server closes `conn` (true) or `limit` passes (false).
fn closed_within(conn: &mut TcpStream, limit: Duration) -> bool {
    use std::io::Read;
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 64 * 1024];
    while Instant::now() < deadline {
        conn.set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        match conn.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => {}
        }
    }
    false
}

/// Leaves `stuck`'s connection blocked writing replies: 64 GETs of a 1 MB value (set through
/// `admin`) that `stuck` never reads.
fn block_in_write(admin: &mut TcpStream, stuck: &mut TcpStream) {
    assert_eq!(
        call(admin, &[b"SET", b"big", &vec![b'x'; 1 << 20]]),
        b"+OK\r\n"
    );
    let mut batch = Vec::new();
    for _ in 0..64 {
        batch.extend(cmd(&[b"GET", b"big"]));
    }
    stuck.write_all(&batch).expect("write");
    std::thread::sleep(Duration::from_millis(200));
}

/// The id CLIENT ID gives on `conn`.
fn client_id(conn: &mut TcpStream) -> String {
    let r = call(conn, &[b"CLIENT", b"ID"]);
    String::from_utf8_lossy(&r[1..r.len() - 2]).into_owned()
}

/// CLIENT KILL closes another client whether it waits for input or is stuck writing replies
/// its peer does not read; the killer and everyone else go on.
#[test]
fn client_kill_closes_idle_and_blocked_clients() {
    let srv = start();
    let mut admin = srv.connect().expect("connect");
    let mut idle = srv.connect().expect("connect");
    let idle_id = client_id(&mut idle);
    let mut stuck = srv.connect().expect("connect");
    let stuck_id = client_id(&mut stuck);
    block_in_write(&mut admin, &mut stuck);
    for id in [&idle_id, &stuck_id] {
        assert_eq!(
            call(&mut admin, &[b"CLIENT", b"KILL", b"ID", id.as_bytes()]),
            b":1\r\n"
        );
    }
    for (conn, what) in [(&mut idle, "idle"), (&mut stuck, "stuck")] {
        assert!(
            closed_within(conn, Duration::from_secs(10)),
            "{what} closed"
        );
    }
    let list = call(&mut admin, &[b"CLIENT", b"LIST"]);
    let list = String::from_utf8_lossy(&list);
    assert!(!list.contains(&format!("id={idle_id} ")), "{list}");
    assert_eq!(call(&mut admin, &[b"PING"]), b"+PONG\r\n");
}

/// SHUTDOWN closes every connected client and the server exits, also with one client that
/// waits for input and one whose replies are not being read.
#[test]
fn shutdown_closes_connected_clients() {
    let mut srv = start();
    let mut idle = srv.connect().expect("connect");
    assert_eq!(call(&mut idle, &[b"PING"]), b"+PONG\r\n");
    let mut admin = srv.connect().expect("connect");
    let mut stuck = srv.connect().expect("connect");
    block_in_write(&mut admin, &mut stuck);
    admin
        .write_all(&cmd(&[b"SHUTDOWN", b"NOSAVE"]))
        .expect("write");
    for (conn, what) in [(&mut idle, "idle"), (&mut admin, "admin")] {
        assert!(
            closed_within(conn, Duration::from_secs(10)),
            "{what} closed"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while srv.exited().is_none() {
        assert!(
            Instant::now() < deadline,
            "server still up; log:\n{}",
            srv.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stuck);
}
