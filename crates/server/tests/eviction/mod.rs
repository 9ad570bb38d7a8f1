//! maxmemory through the server: eviction after CONFIG SET maxmemory, the INFO fields, the
//! directives on the command line, and evictions reaching the AOF (as DELs) so a restart does
//! not bring evicted keys back. The noeviction refusals (denyoom commands, MULTI/EXEC) are a
//! differential script: `diff/server/maxmemory.txt`.

use std::io::Write;
use std::time::Duration;

use crate::harness::conn::{sigterm, Conn};
use crate::harness::resp::{encode_command, escape, read_reply};
use crate::harness::servers;

impl Conn {
    /// `n` pipelined `SET prefix:i <100 bytes>`; every reply must be +OK.
    fn fill(&mut self, prefix: &str, n: usize) {
        let value = "v".repeat(100);
        let mut out = Vec::new();
        for i in 0..n {
            let args = [
                b"SET".to_vec(),
                format!("{prefix}:{i}").into_bytes(),
                value.clone().into_bytes(),
            ];
            encode_command(&args, &mut out);
        }
        self.w.write_all(&out).expect("write");
        for i in 0..n {
            let r = read_reply(&mut self.r).expect("reply");
            assert_eq!(r, b"+OK\r\n", "SET {prefix}:{i}: {}", escape(&r));
        }
    }

    fn info(&mut self, section: &str, field: &str) -> String {
        let r = self.cmd(&["INFO", section]);
        r.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {field} in INFO {section}: {r}"))
    }

    fn info_int(&mut self, section: &str, field: &str) -> u64 {
        let v = self.info(section, field);
        v.parse().unwrap_or_else(|_| panic!("{field}:{v}"))
    }

    fn dbsize(&mut self) -> u64 {
        let r = self.cmd(&["DBSIZE"]);
        r.trim().trim_start_matches(':').parse().expect("DBSIZE")
    }
}

#[test]
fn allkeys_lru_evicts_after_config_set_maxmemory() {
    let srv = servers::start_ours(&[]);
    let mut c = Conn::new(&srv);
    assert_eq!(c.info_int("memory", "maxmemory"), 0);
    assert_eq!(c.info("memory", "maxmemory_policy"), "noeviction");
    c.fill("old", 5000);
    let used = c.info_int("memory", "used_memory");
    assert!(used > 5000 * 200, "used_memory {used} for 5000 keys");
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]),
        "+OK\r\n"
    );
    let max = used / 2;
    let max_s = max.to_string();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", &max_s]), "+OK\r\n");
    // Lowering the limit evicts at once, as Redis does.
    let after = c.info_int("memory", "used_memory");
    assert!(
        after <= max,
        "used_memory {after} > maxmemory {max} after CONFIG SET"
    );
    let evicted = c.info_int("stats", "evicted_keys");
    assert!(evicted > 0);
    // A write flood stays under the bound (one write's worth of slack).
    c.fill("new", 5000);
    let used = c.info_int("memory", "used_memory");
    assert!(used <= max + 512, "used_memory {used} > maxmemory {max}");
    let evicted = c.info_int("stats", "evicted_keys");
    assert!(evicted > 5000, "evicted_keys {evicted}");
    assert_eq!(c.dbsize() + evicted, 10_000);
    assert_eq!(c.info_int("memory", "maxmemory"), max);
    assert_eq!(c.info("memory", "maxmemory_policy"), "allkeys-lru");
    // The newest keys survive an LRU eviction.
    assert!(c.cmd(&["GET", "new:4999"]).starts_with("$100"));
}

#[test]
fn directives_on_the_command_line() {
    let srv = servers::start_ours(&[
        "--maxmemory",
        "100mb",
        "--maxmemory-policy",
        "allkeys-lfu",
        "--maxmemory-samples",
        "10",
        "--lfu-log-factor",
        "0",
    ]);
    let mut c = Conn::new(&srv);
    assert_eq!(c.info_int("memory", "maxmemory"), 100 << 20);
    assert_eq!(c.info("memory", "maxmemory_human"), "100.00M");
    assert_eq!(c.info("memory", "maxmemory_policy"), "allkeys-lfu");
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "maxmemory-samples"]),
        "*2\r\n$17\r\nmaxmemory-samples\r\n$2\r\n10\r\n"
    );
    // lfu-log-factor 0 reached the store: every access counts.
    c.cmd(&["SET", "k", "v"]);
    for _ in 0..10 {
        c.cmd(&["GET", "k"]);
    }
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "k"]), ":15\r\n");
    assert_eq!(c.info_int("stats", "evicted_keys"), 0);
}

#[test]
fn volatile_policy_without_volatile_keys_refuses_writes() {
    let srv = servers::start_ours(&["--maxmemory-policy", "volatile-lru"]);
    let mut c = Conn::new(&srv);
    c.fill("k", 100);
    c.cmd(&["SET", "t", "v", "EX", "1000"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", "1"]), "+OK\r\n");
    assert_eq!(
        c.cmd(&["SET", "x", "y"]),
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    // Only the key with a TTL went.
    assert_eq!(c.cmd(&["EXISTS", "t"]), ":0\r\n");
    assert_eq!(c.dbsize(), 100);
    assert_eq!(c.info_int("stats", "evicted_keys"), 1);
}

#[test]
fn evictions_reach_the_aof() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().display().to_string();
    let bin = servers::ours().expect("our redis-server builds");
    let args = [
        "--appendonly",
        "yes",
        "--dir",
        d.as_str(),
        "--maxmemory-policy",
        "allkeys-random",
    ];
    let srv = servers::start(&bin, "ours", &args).expect("start");
    let mut c = Conn::new(&srv);
    c.fill("k", 3000);
    let used = c.info_int("memory", "used_memory");
    let max = (used * 2 / 3).to_string();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", &max]), "+OK\r\n");
    c.fill("m", 1000);
    let keys = c.dbsize();
    assert!(keys < 4000);
    sigterm(srv);
    // Restart without a bound: exactly the keys that were left come back.
    let srv = servers::start(&bin, "ours", &args[..4]).expect("restart");
    let mut c = Conn::new(&srv);
    for _ in 0..100 {
        if c.info("persistence", "loading") == "0" {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(c.dbsize(), keys);
}
