//! Persistence: our binary with `appendonly yes`, killed (SIGKILL) and restarted; rewrites under
//! load; truncated and corrupt files; interop both ways with the real redis-server 7; the
//! `--check-aof` mode; AOF write errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::conn::{sigterm, Conn};
use crate::harness::resp::escape;
use crate::harness::servers::{self, ServerProc};

impl Conn {
    /// A bulk reply's text (`None` for a null).
    fn get(&mut self, key: &str) -> Option<String> {
        let r = self.cmd(&["GET", key]);
        bulk(&r)
    }

    fn info_field(&mut self, field: &str) -> String {
        let r = self.cmd(&["INFO", "persistence"]);
        r.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_owned))
            .unwrap_or_default()
    }

    /// Waits until the server has loaded its dataset (Redis answers -LOADING meanwhile).
    fn wait_loaded(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.info_field("loading") != "0" {
            assert!(Instant::now() < deadline, "still loading");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn wait_rewrite_done(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.info_field("aof_rewrite_in_progress") != "0" {
            assert!(Instant::now() < deadline, "rewrite did not finish");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn bulk(reply: &str) -> Option<String> {
    let rest = reply.strip_prefix('$')?;
    if rest.starts_with('-') {
        return None;
    }
    let (_, body) = rest.split_once("\r\n")?;
    Some(body.strip_suffix("\r\n").unwrap_or(body).to_owned())
}

fn ours_bin() -> PathBuf {
    servers::ours().expect("our redis-server builds")
}

/// Starts our binary with the AOF in `dir`.
fn start_ours(dir: &Path, extra: &[&str]) -> Result<ServerProc, String> {
    let d = dir.display().to_string();
    let mut args = vec![
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
        "--dir",
        d.as_str(),
    ];
    args.extend_from_slice(extra);
    servers::start(&ours_bin(), "ours", &args)
}

/// Closes `c`, stops `srv` with SIGTERM (it must exit cleanly), and starts our binary again
/// on `dir`, with a new connection.
fn restart(dir: &Path, srv: ServerProc, c: Conn) -> (ServerProc, Conn) {
    drop(c);
    sigterm(srv);
    let srv = start_ours(dir, &[]).unwrap();
    let c = Conn::new(&srv);
    (srv, c)
}

fn aof_dir(dir: &Path) -> PathBuf {
    dir.join("appendonlydir")
}

fn incr_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(aof_dir(dir))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.to_string_lossy().ends_with(".incr.aof"));
    v.sort();
    v
}

/// Writes strings, a string with a TTL, hashes, counters, a MULTI/EXEC block, two dbs.
fn write_sample(c: &mut Conn) {
    assert_eq!(c.cmd(&["SET", "s", "hello world"]), "+OK\r\n");
    assert_eq!(c.cmd(&["SET", "ttl", "v", "EX", "1000"]), "+OK\r\n");
    c.cmd(&["HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"]);
    c.cmd(&["HDEL", "h", "f2"]);
    c.cmd(&["HINCRBY", "h", "n", "5"]);
    for _ in 0..7 {
        c.cmd(&["INCR", "counter"]);
    }
    c.cmd(&["APPEND", "s", "!"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["INCRBY", "counter", "10"]);
    c.cmd(&["SET", "in-tx", "1"]);
    c.cmd(&["PEXPIRE", "h", "5000000"]);
    assert!(c.cmd(&["EXEC"]).starts_with("*3"));
    c.cmd(&["SET", "gone", "x"]);
    c.cmd(&["DEL", "gone"]);
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "db3", "three"]);
    c.cmd(&["INCRBYFLOAT", "f", "1.5"]);
    c.cmd(&["SELECT", "0"]);
}

/// What `write_sample` leaves, read back key by key (comparable across implementations).
fn read_sample(c: &mut Conn) -> Vec<String> {
    let mut out = vec![
        c.get("s").unwrap_or_default(),
        c.get("counter").unwrap_or_default(),
        c.get("in-tx").unwrap_or_default(),
        format!("{:?}", c.get("gone")),
    ];
    let mut h = c
        .cmd(&["HGETALL", "h"])
        .lines()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    h.sort();
    out.push(h.join(","));
    let ttl = c.cmd(&["TTL", "ttl"]);
    out.push(format!(
        "ttl>900:{}",
        ttl.trim_start_matches(':')
            .trim()
            .parse::<i64>()
            .unwrap_or(-9)
            > 900
    ));
    let pttl = c.cmd(&["PTTL", "h"]);
    out.push(format!(
        "hpttl>0:{}",
        pttl.trim_start_matches(':')
            .trim()
            .parse::<i64>()
            .unwrap_or(-9)
            > 0
    ));
    c.cmd(&["SELECT", "3"]);
    out.push(c.get("db3").unwrap_or_default());
    out.push(c.get("f").unwrap_or_default());
    c.cmd(&["SELECT", "0"]);
    out
}

/// Write, SIGTERM, restart: same DEBUG DIGEST, same keys; then BGREWRITEAOF, SIGKILL, restart.
#[test]
fn round_trip_with_restart_and_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    write_sample(&mut c);
    let digest = c.cmd(&["DEBUG", "DIGEST"]);
    let keys = read_sample(&mut c);
    assert_eq!(keys[0], "hello world!");
    assert_eq!(keys[1], "17");
    assert!(dir
        .path()
        .join("appendonlydir/appendonly.aof.manifest")
        .is_file());
    let (srv, mut c) = restart(dir.path(), srv, c);
    assert_eq!(c.cmd(&["DEBUG", "DIGEST"]), digest, "digest after restart");
    assert_eq!(read_sample(&mut c), keys);
    assert!(
        srv.log().contains("DB loaded from append only file"),
        "{}",
        srv.log()
    );
    // A rewrite, more writes, DEBUG LOADAOF, then a hard kill.
    assert_eq!(
        c.cmd(&["BGREWRITEAOF"]),
        "+Background append only file rewriting started\r\n"
    );
    c.wait_rewrite_done();
    assert_eq!(c.info_field("aof_rewrites"), "1");
    assert_eq!(c.info_field("aof_last_bgrewrite_status"), "ok");
    c.cmd(&["INCR", "counter"]);
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), "+OK\r\n");
    assert_eq!(c.get("counter").as_deref(), Some("18"));
    c.cmd(&["DECR", "counter"]);
    let digest = c.cmd(&["DEBUG", "DIGEST"]);
    drop(c);
    drop(srv); // SIGKILL

    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(
        c.cmd(&["DEBUG", "DIGEST"]),
        digest,
        "digest after rewrite + kill"
    );
    assert_eq!(read_sample(&mut c), keys);
}

/// `appendfsync always`, four concurrent writers, SIGKILL at a random moment, 20 times: every
/// acknowledged write is there after the restart.
#[test]
fn sigkill_cycles_lose_no_acknowledged_write() {
    const CYCLES: usize = 20;
    const WRITERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Vec<Vec<u64>> = vec![Vec::new(); WRITERS]; // per writer: acked seq numbers
    let mut next = [0u64; WRITERS];
    let mut total = 0usize;
    for cycle in 0..CYCLES {
        let srv = start_ours(dir.path(), &["--appendfsync", "always"]).unwrap();
        // Check everything acknowledged so far.
        let mut c = Conn::new(&srv);
        let mut lost = 0;
        for (w, seqs) in acked.iter().enumerate() {
            for s in seqs {
                if c.get(&format!("w{w}:{s}")).as_deref() != Some(&s.to_string()[..]) {
                    lost += 1;
                }
            }
        }
        assert_eq!(
            lost,
            0,
            "cycle {cycle}: {lost} acknowledged writes lost\n{}",
            srv.log()
        );
        drop(c);
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let mut c = Conn::new(&srv);
                let stop = stop.clone();
                let mut seq = next[w];
                std::thread::spawn(move || {
                    let mut ok = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let k = format!("w{w}:{seq}");
                        let v = seq.to_string();
                        match c.try_cmd(&["SET", &k, &v]) {
                            Ok(r) if r == b"+OK\r\n" => ok.push(seq),
                            _ => break,
                        }
                        seq += 1;
                    }
                    (ok, seq)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50 + fastrand::u64(0..100)));
        drop(srv); // SIGKILL while the writers write
        stop.store(true, Ordering::Relaxed);
        for (w, h) in handles.into_iter().enumerate() {
            let (ok, seq) = h.join().unwrap();
            total += ok.len();
            acked[w].extend(ok);
            next[w] = seq + 1;
        }
    }
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    let mut lost = 0;
    for (w, seqs) in acked.iter().enumerate() {
        for s in seqs {
            if c.get(&format!("w{w}:{s}")).is_none() {
                lost += 1;
            }
        }
    }
    eprintln!("sigkill: {CYCLES} cycles, {total} acknowledged writes, {lost} lost");
    assert!(total > 0);
    assert_eq!(lost, 0);
}

/// BGREWRITEAOF again and again while clients INCR counters and SET keys; then SIGKILL: each
/// counter equals its last acknowledged value (or one more: the INCR in flight at the kill),
/// never more — a command in both the new base and the new incremental file would count twice.
#[test]
fn bgrewriteaof_under_concurrent_writes_then_kill() {
    const WRITERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &["--appendfsync", "everysec"]).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let mut c = Conn::new(&srv);
            let stop = stop.clone();
            std::thread::spawn(move || {
                let (mut last_incr, mut last_set) = (0i64, 0u64);
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let r = c.try_cmd(&["INCR", &format!("c{w}")]);
                    match r.ok().and_then(|r| String::from_utf8(r).ok()) {
                        Some(s) if s.starts_with(':') => {
                            last_incr = s[1..].trim().parse().unwrap_or(-1)
                        }
                        _ => break,
                    }
                    i += 1;
                    match c.try_cmd(&["SET", &format!("s{w}"), &i.to_string()]) {
                        Ok(r) if r == b"+OK\r\n" => last_set = i,
                        _ => break,
                    }
                    if i % 50 == 0 {
                        let _ = c.try_cmd(&["HINCRBY", &format!("h{w}"), "f", "1"]);
                    }
                }
                (last_incr, last_set)
            })
        })
        .collect();
    let mut c = Conn::new(&srv);
    let t0 = Instant::now();
    let mut started = 0;
    while t0.elapsed() < Duration::from_millis(1500) {
        let r = c.cmd(&["BGREWRITEAOF"]);
        if r.starts_with('+') {
            started += 1;
        } else {
            assert!(r.contains("already in progress"), "{r}");
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    c.wait_rewrite_done();
    let rewrites: u64 = c.info_field("aof_rewrites").parse().unwrap_or(0);
    std::thread::sleep(Duration::from_millis(100));
    drop(c);
    drop(srv); // SIGKILL
    stop.store(true, Ordering::Relaxed);
    let seen: Vec<(i64, u64)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    eprintln!("bgrewriteaof: {started} started, {rewrites} done; acknowledged {seen:?}");
    assert!(rewrites >= 2, "rewrites: {rewrites}");
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    for (w, (incr, set)) in seen.iter().enumerate() {
        let got: i64 = c
            .get(&format!("c{w}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(
            got == *incr || got == incr + 1,
            "counter c{w}: {got} after restart, {incr} acknowledged"
        );
        let s: u64 = c
            .get(&format!("s{w}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(s == *set || s == set + 1, "s{w}: {s}, acknowledged {set}");
    }
}

/// A directory holding `a=1`, `b=2` written by our server (stopped with SIGTERM), and the path
/// of its incremental file, for the damage tests.
fn two_keys_then_stop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["SET", "b", "2"]);
    drop(c);
    sigterm(srv);
    let incr = incr_files(dir.path()).pop().unwrap();
    (dir, incr)
}

/// A crash in the middle of writing a command: the tail is cut, with Redis's warning.
#[test]
fn truncated_tail_loads_with_warning() {
    let (dir, incr) = two_keys_then_stop();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&incr)
        .unwrap();
    f.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nhel")
        .unwrap();
    drop(f);
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(c.get("b").as_deref(), Some("2"));
    assert_eq!(c.get("c"), None);
    let log = srv.log();
    assert!(
        log.contains("!!! Warning: short read while loading the AOF file"),
        "{log}"
    );
    assert!(
        log.contains("loaded anyway because aof-load-truncated is enabled"),
        "{log}"
    );
    // With aof-load-truncated no, the same damage refuses to start.
    c.cmd(&["SET", "d", "4"]);
    drop(c);
    sigterm(srv);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&incr)
        .unwrap();
    f.write_all(b"*2\r\n$3\r\nDEL").unwrap();
    drop(f);
    let e = start_ours(dir.path(), &["--aof-load-truncated", "no"])
        .err()
        .unwrap();
    assert!(
        e.contains("Unexpected end of file reading the append only file"),
        "{e}"
    );
}

/// Garbage in the middle of the file: start fails, the last line names the file and offset.
#[test]
fn corrupt_middle_refuses_to_start() {
    let (dir, incr) = two_keys_then_stop();
    let mut bytes = std::fs::read(&incr).unwrap();
    let at = bytes.len() - 20;
    bytes[at] = b'!';
    std::fs::write(&incr, &bytes).unwrap();
    let t = Instant::now();
    let e = start_ours(dir.path(), &[]).err().expect("refuses to start");
    assert!(t.elapsed() < Duration::from_secs(10));
    let last = e.lines().last().unwrap_or_default();
    let name = incr.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        last.contains("Bad file format reading the append only file") && last.contains(&name),
        "last line: {last}\n{e}"
    );
    assert!(last.contains("byte offset"), "{last}");
    assert!(e.contains("exited at start (exit status: 1)"), "{e}");
}

/// An AOF whose base has an RDB preamble is refused with a clear message.
#[test]
fn rdb_preamble_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = aof_dir(dir.path());
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("appendonly.aof.1.base.rdb"),
        b"REDIS0010\xfa\x09redis-ver",
    )
    .unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.base.rdb seq 1 type b\n",
    )
    .unwrap();
    let e = start_ours(dir.path(), &[]).err().expect("refuses to start");
    assert!(
        e.lines()
            .last()
            .unwrap_or_default()
            .contains("RDB preamble"),
        "{e}"
    );
}

/// We write, redis-server 7 reads; redis-server writes, we read.
#[test]
fn interop_with_real_redis_both_ways() {
    if servers::skip_without_real_redis("AOF interop") {
        return;
    }
    let real = servers::real_redis().unwrap();
    let real_args = |dir: &Path| {
        vec![
            "--appendonly".to_string(),
            "yes".into(),
            "--aof-use-rdb-preamble".into(),
            "no".into(),
            "--dir".into(),
            dir.display().to_string(),
        ]
    };
    // Ours -> Redis (after a rewrite, so a base and an incr file are both non-empty).
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    write_sample(&mut c);
    c.cmd(&["BGREWRITEAOF"]);
    c.wait_rewrite_done();
    c.cmd(&["SET", "after-rewrite", "yes"]);
    let ours_view = read_sample(&mut c);
    drop(c);
    sigterm(srv);
    let args = real_args(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let srv = servers::start(&real, "redis", &args).unwrap();
    let mut c = Conn::new(&srv);
    c.wait_loaded();
    assert_eq!(read_sample(&mut c), ours_view, "redis reading our AOF");
    assert_eq!(c.get("after-rewrite").as_deref(), Some("yes"));
    drop(c);
    drop(srv);

    // Redis -> ours.
    let dir = tempfile::tempdir().unwrap();
    let args = real_args(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let srv = servers::start(&real, "redis", &args).unwrap();
    let mut c = Conn::new(&srv);
    write_sample(&mut c);
    c.cmd(&["BGREWRITEAOF"]);
    c.wait_rewrite_done();
    c.cmd(&["SET", "after-rewrite", "yes"]);
    let redis_view = read_sample(&mut c);
    let _ = c.try_cmd(&["SHUTDOWN"]);
    drop(c);
    let mut srv = srv;
    srv.wait_exit(Duration::from_secs(10));
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(read_sample(&mut c), redis_view, "ours reading redis's AOF");
    assert_eq!(c.get("after-rewrite").as_deref(), Some("yes"));
}

/// `redis-server --check-aof [--fix]` reports like redis-check-aof.
#[test]
fn check_aof_matches_redis_check_aof() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["HSET", "h", "f", "v"]);
    drop(c);
    sigterm(srv);
    let incr = incr_files(dir.path()).pop().unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&incr)
        .unwrap();
    f.write_all(b"*2\r\n$3\r\nDEL\r\n$1").unwrap();
    drop(f);
    let manifest = aof_dir(dir.path()).join("appendonly.aof.manifest");
    let run = |bin: &Path, pre: &[&str], args: &[&str], stdin: &[u8]| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(pre).args(args).arg(&manifest);
        crate::harness::process::run(&mut cmd, stdin, Duration::from_secs(10))
    };
    let ours = run(&ours_bin(), &["--check-aof"], &[], b"");
    assert!(!ours.success());
    let text = ours.stdout.clone();
    assert!(text.contains("AOF analyzed"), "{text}");
    if let Some(real) = servers::tool("redis-check-aof") {
        let theirs = run(&real, &[], &[], b"");
        assert_eq!(
            escape(ours.stdout.as_bytes()),
            escape(theirs.stdout.as_bytes()),
            "--check-aof vs redis-check-aof"
        );
        assert_eq!(ours.success(), theirs.success());
    }
    let fixed = run(&ours_bin(), &["--check-aof"], &["--fix"], b"y\n");
    assert!(fixed.success(), "{}", fixed.describe());
    let again = run(&ours_bin(), &["--check-aof"], &[], b"");
    assert!(again.success(), "{}", again.describe());
}

/// A write error (the new incremental file is /dev/full): INFO says err, reads keep working,
/// writes (and PING) get -MISCONF; turning the AOF off
/// and on again recovers.
#[test]
fn write_errors_are_reported_and_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    c.cmd(&["SET", "k", "v"]);
    // The next rewrite switches to appendonly.aof.2.incr.aof: make it /dev/full.
    std::os::unix::fs::symlink(
        "/dev/full",
        aof_dir(dir.path()).join("appendonly.aof.2.incr.aof"),
    )
    .unwrap();
    c.cmd(&["BGREWRITEAOF"]);
    c.wait_rewrite_done();
    c.cmd(&["SET", "k2", "v2"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.info_field("aof_last_write_status") != "err" {
        assert!(Instant::now() < deadline, "write status stays ok");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(c.get("k").as_deref(), Some("v"), "reads work");
    assert_eq!(
        c.cmd(&["SET", "k3", "v3"]),
        "-MISCONF Errors writing to the AOF file: No space left on device\r\n"
    );
    assert_eq!(
        c.cmd(&["PING"]),
        "-MISCONF Errors writing to the AOF file: No space left on device\r\n",
        "Redis refuses PING too"
    );
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "no"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), "+OK\r\n");
    c.wait_rewrite_done();
    std::thread::sleep(Duration::from_millis(50));
    c.wait_rewrite_done();
    assert_eq!(c.info_field("aof_last_write_status"), "ok");
    assert_eq!(c.cmd(&["SET", "k4", "v4"]), "+OK\r\n");
    let (_srv, mut c) = restart(dir.path(), srv, c);
    assert_eq!(c.get("k2").as_deref(), Some("v2"));
    assert_eq!(c.get("k4").as_deref(), Some("v4"));
}

/// Off by default; CONFIG SET appendonly yes creates the AOF from the dataset; appendfsync
/// changes live.
#[test]
fn config_set_appendonly_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let srv = servers::start(&ours_bin(), "ours", &["--dir", &d]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(c.info_field("aof_enabled"), "0");
    c.cmd(&["SET", "before", "1"]);
    c.cmd(&["HSET", "h", "a", "b"]);
    assert!(!aof_dir(dir.path()).exists());
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), "+OK\r\n");
    std::thread::sleep(Duration::from_millis(50));
    c.wait_rewrite_done();
    assert_eq!(c.info_field("aof_enabled"), "1");
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "appendfsync", "always"]),
        "+OK\r\n"
    );
    c.cmd(&["SET", "after", "2"]);
    let manifest =
        std::fs::read_to_string(aof_dir(dir.path()).join("appendonly.aof.manifest")).unwrap();
    assert!(
        manifest.contains("type b") && manifest.contains("type i"),
        "{manifest}"
    );
    drop(c);
    drop(srv); // SIGKILL
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(c.get("before").as_deref(), Some("1"));
    assert_eq!(c.get("after").as_deref(), Some("2"));
    assert_eq!(c.cmd(&["HGET", "h", "a"]), "$1\r\nb\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "no"]), "+OK\r\n");
    c.cmd(&["SET", "unlogged", "3"]);
    assert_eq!(c.info_field("aof_enabled"), "0");
}

/// While the AOF loads, clients are served and get Redis's -LOADING; "Ready to accept
/// connections" is logged once the data is in (BINARY-COMPAT: tools wait for that line).
#[test]
fn clients_get_loading_while_the_aof_loads() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut aof = Vec::new();
    for i in 0..300_000 {
        let key = format!("key:{i}");
        aof.extend_from_slice(
            format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$1\r\nv\r\n", key.len()).as_bytes(),
        );
    }
    std::fs::write(dir.path().join("appendonly.aof"), &aof).unwrap();
    let port = servers::free_port();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let d = dir.path().display().to_string();
    let child = std::process::Command::new(ours_bin())
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--appendonly", "yes", "--dir", &d])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _child = Kill(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(Instant::now() < deadline, "no listener");
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut r = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    let mut loading_seen = 0;
    loop {
        w.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        if line == "+PONG\r\n" {
            break;
        }
        assert_eq!(line, "-LOADING Redis is loading the dataset in memory\r\n");
        loading_seen += 1;
        assert!(Instant::now() < deadline, "still loading");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(loading_seen > 0, "the load finished before the first PING");
    w.write_all(b"*2\r\n$3\r\nGET\r\n$10\r\nkey:299999\r\n")
        .unwrap();
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "$1\r\n", "the last key is loaded");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let loaded = log
        .find("DB loaded from append only file")
        .expect("load logged");
    let ready = log
        .find("Ready to accept connections")
        .expect("Ready logged");
    assert!(loaded < ready, "Ready comes after the load:\n{log}");
}

/// The loader spreads commands over threads by key shard (crates/server/src/replay.rs): a
/// mixed log over four databases, with multi-key commands, MOVE, COPY ... DB, SWAPDB, FLUSHDB
/// and transactions, must load into exactly the dataset the live server had.
#[test]
fn parallel_replay_rebuilds_the_live_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    for i in 0..12_000u64 {
        let k = format!("k{}", next(400));
        let k2 = format!("k{}", next(400));
        let k3 = format!("k{}", next(400));
        let db = next(4).to_string();
        let v = format!("v{i}");
        let args: Vec<&str> = match next(40) {
            0..=7 => vec!["SET", &k, &v],
            8..=11 => vec!["INCR", &k3],
            12..=13 => vec!["APPEND", &k, &v],
            14..=17 => vec!["HSET", &k2, &v, &k],
            18..=19 => vec!["HINCRBY", &k2, "n", "3"],
            20 => vec!["HDEL", &k2, &v],
            21..=22 => vec!["DEL", &k, &k2],
            23 => vec!["RENAME", &k, &k2],
            24..=25 => vec!["MSET", &k, &v, &k2, &v, &k3, &v],
            26 => vec!["EXPIRE", &k, "100000"],
            27 => vec!["PERSIST", &k],
            28 => vec!["MOVE", &k, &db],
            29 => vec!["COPY", &k, &k2, "DB", &db, "REPLACE"],
            30..=33 => vec!["SELECT", &db],
            34 if next(20) == 0 => vec!["SWAPDB", "0", &db],
            35 if next(60) == 0 => vec!["FLUSHDB"],
            36 => vec!["GETDEL", &k3],
            37 => vec!["SETRANGE", &k, "3", &v],
            38 => vec!["INCRBYFLOAT", &k3, "0.5"],
            _ => {
                c.cmd(&["MULTI"]);
                c.cmd(&["SET", &k, &v]);
                c.cmd(&["INCR", &k3]);
                c.cmd(&["HSET", &k2, "f", &v]);
                vec!["EXEC"]
            }
        };
        c.cmd(&args);
    }
    let state = |c: &mut Conn| {
        let mut s = vec![c.cmd(&["DEBUG", "DIGEST"])];
        for db in 0..4 {
            c.cmd(&["SELECT", &db.to_string()]);
            s.push(c.cmd(&["DBSIZE"]));
        }
        s
    };
    let before = state(&mut c);
    assert!(
        before[1..].iter().all(|n| n != ":0\r\n"),
        "every db holds keys: {before:?}"
    );
    let (_srv, mut c) = restart(dir.path(), srv, c);
    assert_eq!(state(&mut c), before, "dataset after the replay");
}

/// With the AOF off, writes run unlogged and without the write-order lock; turning it on with
/// CONFIG SET must wait for those in flight, so that each write is in the new base or in the
/// log, never in neither (lost) nor in both (an INCR applied twice). Four clients INCR while
/// it turns on (and off, and on again); after a SIGKILL under `always` the counter is exactly
/// the number of acknowledged INCRs.
#[test]
fn turning_the_aof_on_under_writes_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let srv = servers::start(
        &ours_bin(),
        "ours",
        &["--dir", &d, "--appendfsync", "always"],
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            let mut c = Conn::new(&srv);
            std::thread::spawn(move || {
                let mut acked = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if c.cmd(&["INCR", "counter"]).starts_with(':') {
                        acked += 1;
                    }
                }
                acked
            })
        })
        .collect();
    let mut c = Conn::new(&srv);
    for (i, on) in ["yes", "no", "yes"].iter().enumerate() {
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(
            c.cmd(&["CONFIG", "SET", "appendonly", on]),
            "+OK\r\n",
            "step {i}"
        );
        c.wait_rewrite_done();
    }
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(c.info_field("aof_enabled"), "1");
    stop.store(true, Ordering::Relaxed);
    let acked: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(acked > 100, "only {acked} INCRs");
    assert_eq!(c.get("counter"), Some(acked.to_string()));
    drop(c);
    drop(srv); // SIGKILL

    let srv = start_ours(dir.path(), &[]).unwrap();
    let mut c = Conn::new(&srv);
    assert_eq!(c.get("counter"), Some(acked.to_string()), "after restart");
}

/// `aof-timestamp-enabled yes`: the incremental file gets `#TS:` annotations (as Redis 7
/// writes them), a restart loads past them, and CONFIG SET turns them off.
#[test]
fn aof_timestamp_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_ours(dir.path(), &["--aof-timestamp-enabled", "yes"]).unwrap();
    let mut c = Conn::new(&srv);
    c.cmd(&["SET", "a", "1"]);
    c.cmd(&["INCR", "n"]);
    let incr = incr_files(dir.path()).pop().unwrap();
    let text = String::from_utf8_lossy(&std::fs::read(&incr).unwrap()).into_owned();
    assert!(text.starts_with("#TS:"), "{text:?}");
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "aof-timestamp-enabled", "no"]),
        "+OK\r\n"
    );
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "aof-timestamp-enabled"]),
        "*2\r\n$21\r\naof-timestamp-enabled\r\n$2\r\nno\r\n"
    );
    let (_srv, mut c) = restart(dir.path(), srv, c);
    assert_eq!(c.get("a").as_deref(), Some("1"));
    assert_eq!(c.get("n").as_deref(), Some("1"));
}
