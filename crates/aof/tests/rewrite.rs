use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aof::{Aof, Batch, Config, FsyncPolicy};

use crate::util::{copy_dir, load_all};

/// Applies SET/INCR/SELECT to a model keyspace (db, key) -> value.
fn replay(cfg: &Config) -> BTreeMap<(String, String), i64> {
    let mut m = BTreeMap::new();
    let mut db = String::from("0");
    let (cmds, _) = load_all(cfg).unwrap();
    for c in cmds {
        let s: Vec<String> = c
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        match s[0].as_str() {
            "SELECT" => db = s[1].clone(),
            "SET" => {
                m.insert((db.clone(), s[1].clone()), s[2].parse().unwrap());
            }
            "INCR" => *m.entry((db.clone(), s[1].clone())).or_insert(0) += 1,
            other => panic!("unexpected {other}"),
        }
    }
    m
}

fn files(cfg: &Config) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(cfg.aof_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn rewrite_under_concurrent_writes_and_crash_points() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::EverySec,
        ..Config::in_dir(tmp.path())
    };
    let log = Aof::open(cfg.clone()).unwrap();
    // The live model, updated under the same lock as the log so snapshot and switch agree.
    let live = Arc::new(parking_lot::Mutex::new(
        BTreeMap::<(String, String), i64>::new(),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for t in 0..4usize {
        let (log, live, stop) = (log.clone(), live.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            let mut b = Batch::new();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("k{}", i % 50);
                let mut m = live.lock();
                *m.entry((t.to_string(), key.clone())).or_insert(0) += 1;
                b.push(t, &["INCR", &key]);
                log.write(&mut b).unwrap();
                drop(m);
                i += 1;
            }
        }));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    // Switch and snapshot atomically with respect to writers.
    let (rw, snapshot) = {
        let m = live.lock();
        (log.start_rewrite().unwrap(), m.clone())
    };
    // Crash point 1: new incr file listed, no base yet.
    let crash1 = tempfile::tempdir().unwrap();
    copy_dir(tmp.path(), crash1.path());
    let mut w = rw.base_writer().unwrap();
    for ((db, k), v) in &snapshot {
        w.command(db.parse().unwrap(), &["SET", k, &v.to_string()])
            .unwrap();
    }
    w.finish().unwrap();
    // Crash point 2: temp base written, manifest not switched.
    let crash2 = tempfile::tempdir().unwrap();
    copy_dir(tmp.path(), crash2.path());
    std::thread::sleep(std::time::Duration::from_millis(50));
    log.finish_rewrite(rw).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    log.close().unwrap();

    let want = live.lock().clone();
    assert_eq!(replay(&cfg), want);
    assert_eq!(
        files(&cfg),
        [
            "appendonly.aof.2.base.aof",
            "appendonly.aof.2.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
    let st = log.status();
    assert_eq!(st.rewrites, 1);
    assert!(st.last_bgrewrite_ok);
    // The crash copies load what was acknowledged before their copy point, consistently.
    for c in [&crash1, &crash2] {
        let ccfg = Config::in_dir(c.path());
        let got = replay(&ccfg);
        for (k, v) in &snapshot {
            assert!(got.get(k).copied().unwrap_or(0) >= *v);
        }
    }
}

#[test]
fn enable_at_runtime_supersedes_old_files() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::in_dir(tmp.path());
    // A stale AOF from an earlier life.
    let old = Aof::open(cfg.clone()).unwrap();
    let mut b = Batch::new();
    b.push(0, &["SET", "stale", "1"]);
    old.write(&mut b).unwrap();
    old.close().unwrap();

    let (log, rw) = Aof::enable(cfg.clone()).unwrap();
    b.push(0, &["SET", "during", "2"]);
    log.write(&mut b).unwrap();
    // Before the rewrite completes, the directory still loads the old data only.
    assert_eq!(replay(&cfg).len(), 1);
    let mut w = rw.base_writer().unwrap();
    w.command(0, &["SET", "snap", "3"]).unwrap();
    w.finish().unwrap();
    log.finish_rewrite(rw).unwrap();
    b.push(0, &["SET", "after", "4"]);
    log.write(&mut b).unwrap();
    log.close().unwrap();
    let got = replay(&cfg);
    let keys: Vec<&str> = got.keys().map(|(_, k)| k.as_str()).collect();
    assert_eq!(keys, ["after", "during", "snap"]);
    assert_eq!(
        files(&cfg),
        [
            "appendonly.aof.2.base.aof",
            "appendonly.aof.2.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
}

#[test]
fn second_rewrite_while_running_is_refused_and_abort_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Aof::open(Config::in_dir(tmp.path())).unwrap();
    let rw = log.start_rewrite().unwrap();
    assert!(log.status().rewrite_in_progress);
    assert!(matches!(
        log.start_rewrite(),
        Err(aof::Error::RewriteInProgress)
    ));
    log.abort_rewrite(rw);
    assert!(!log.status().last_bgrewrite_ok);
    let rw = log.start_rewrite().unwrap();
    rw.base_writer().unwrap().finish().unwrap();
    log.finish_rewrite(rw).unwrap();
    assert!(log.status().last_bgrewrite_ok);
}

#[test]
fn auto_rewrite_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let log = Aof::open(Config::in_dir(tmp.path())).unwrap();
    let mut b = Batch::new();
    for i in 0..100 {
        b.push(0, &["SET", "key", &i.to_string()]);
    }
    log.write(&mut b).unwrap();
    assert!(!log.auto_rewrite_due(100, 64 << 20));
    assert!(log.auto_rewrite_due(100, 100));
    assert!(!log.auto_rewrite_due(0, 0));
    let rw = log.start_rewrite().unwrap();
    let mut w = rw.base_writer().unwrap();
    w.command(0, &["SET", "key", "99"]).unwrap();
    w.finish().unwrap();
    log.finish_rewrite(rw).unwrap();
    assert!(!log.auto_rewrite_due(100, 10));
}
