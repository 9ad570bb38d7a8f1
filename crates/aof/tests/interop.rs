use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aof::{Aof, Batch, Config};

use crate::util::{load_all, redis_bin};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(bin: &Path, dir: &Path) -> Redis {
        let port = free_port();
        let child = Command::new(bin)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args([
                "--appendonly",
                "yes",
                "--aof-use-rdb-preamble",
                "no",
                "--daemonize",
                "no",
            ])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let r = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while r.cli(&["PING"]) != "PONG" {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("/usr/bin/redis-cli")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    fn shutdown(mut self) {
        self.cli(&["SHUTDOWN"]);
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn redis_loads_what_we_wrote() {
    let Some(bin) = redis_bin("redis-server") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let log = Aof::open(Config::in_dir(tmp.path())).unwrap();
    let mut b = Batch::new();
    b.push(0, &["SET", "s", "hello world"]);
    b.push(0, &["SET", "exp", "v"]);
    b.push(0, &["PEXPIREAT", "exp", "4102444800000"]);
    b.push(0, &["HSET", "h", "f1", "v1", "f2", "v2"]);
    b.push(0, &["MULTI"]);
    b.push(0, &["SET", "n", "10"]);
    b.push(0, &["INCRBY", "n", "5"]);
    b.push(0, &["EXEC"]);
    b.push(5, &["SET", "in5", "x"]);
    log.write(&mut b).unwrap();
    // A rewrite in between: the base then the incr file both count.
    let rw = log.start_rewrite().unwrap();
    let mut w = rw.base_writer().unwrap();
    for c in [
        &["SET", "s", "hello world"][..],
        &["SET", "exp", "v"],
        &["PEXPIREAT", "exp", "4102444800000"],
        &["HSET", "h", "f1", "v1", "f2", "v2"],
        &["SET", "n", "15"],
    ] {
        w.command(0, c).unwrap();
    }
    w.command(5, &["SET", "in5", "x"]).unwrap();
    w.finish().unwrap();
    log.finish_rewrite(rw).unwrap();
    b.push(0, &["SET", "after", "rewrite"]);
    log.write(&mut b).unwrap();
    log.close().unwrap();

    let r = Redis::start(&bin, tmp.path());
    assert_eq!(r.cli(&["GET", "s"]), "hello world");
    assert_eq!(r.cli(&["PEXPIRETIME", "exp"]), "4102444800000");
    assert_eq!(r.cli(&["HGET", "h", "f2"]), "v2");
    assert_eq!(r.cli(&["GET", "n"]), "15");
    assert_eq!(r.cli(&["GET", "after"]), "rewrite");
    assert_eq!(r.cli(&["-n", "5", "GET", "in5"]), "x");
    assert_eq!(r.cli(&["DBSIZE"]), "5");
    r.shutdown();
}

#[test]
fn we_load_what_redis_wrote() {
    let Some(bin) = redis_bin("redis-server") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let r = Redis::start(&bin, tmp.path());
    r.cli(&["SET", "a", "1"]);
    r.cli(&["SET", "t", "v", "EX", "1000"]);
    r.cli(&["HSET", "h", "f", "v"]);
    r.cli(&["INCRBYFLOAT", "fl", "1.5"]);
    r.cli(&["BGREWRITEAOF"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !r
        .cli(&["INFO", "persistence"])
        .contains("aof_rewrite_in_progress:0")
        || Instant::now() < deadline
            && r.cli(&["INFO", "persistence"])
                .contains("aof_rewrite_scheduled:1")
    {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    r.cli(&["-n", "3", "SET", "b", "2"]);
    r.cli(&["DEL", "a"]);
    r.shutdown();

    let cfg = Config::in_dir(tmp.path());
    let (cmds, stats) = load_all(&cfg).unwrap();
    assert!(stats.files >= 2, "{stats:?}");
    let text: Vec<String> = cmds
        .iter()
        .map(|c| {
            c.iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let joined = text.join("\n");
    for want in [
        "SET a 1",
        "SET t v",
        "PEXPIREAT t",
        "HMSET h f v",
        "SET fl 1.5",
        "SELECT 3",
        "SET b 2",
        "DEL a",
    ] {
        assert!(joined.contains(want), "missing {want} in\n{joined}");
    }
    // And we can keep appending to redis's directory.
    let log = Aof::open(cfg.clone()).unwrap();
    let mut b = Batch::new();
    b.push(0, &["SET", "ours", "1"]);
    log.write(&mut b).unwrap();
    log.close().unwrap();
    let r = Redis::start(&bin, tmp.path());
    assert_eq!(r.cli(&["GET", "ours"]), "1");
    assert_eq!(r.cli(&["-n", "3", "GET", "b"]), "2");
    assert_eq!(r.cli(&["GET", "fl"]), "1.5");
    r.shutdown();
}

#[test]
fn redis_rdb_preamble_is_refused() {
    let Some(bin) = redis_bin("redis-server") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(&bin)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
        ])
        .arg("--dir")
        .arg(tmp.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let cfg = Config::in_dir(tmp.path());
    while !cfg.aof_dir().join("appendonly.aof.manifest").exists() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let e = load_all(&cfg).unwrap_err().to_string();
    assert!(e.contains("RDB preamble"), "{e}");
}
