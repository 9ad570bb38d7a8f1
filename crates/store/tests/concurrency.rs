use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use store::{SetOptions, Store};

const THREADS: usize = 4;

#[test]
fn incr_from_many_threads_sums_exactly() {
    let st = Arc::new(Store::new());
    let per = 5_000;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let st = st.clone();
            thread::spawn(move || {
                for i in 0..per {
                    st.db(0).incr_by(b"n", 1).unwrap();
                    st.db(0).hincrby(b"h", b"f", 2).unwrap();
                    st.db(0)
                        .incr_by(format!("k{}", i % 10).as_bytes(), 1)
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let n = (THREADS * per) as i64;
    assert_eq!(st.db(0).incr_by(b"n", 0), Ok(n));
    assert_eq!(st.db(0).hincrby(b"h", b"f", 0), Ok(2 * n));
    let sum: i64 = (0..10)
        .map(|i| st.db(0).incr_by(format!("k{i}").as_bytes(), 0).unwrap())
        .sum();
    assert_eq!(sum, n);
}

#[test]
fn mset_is_never_seen_half_done() {
    let st = Arc::new(Store::new());
    let keys: Vec<String> = (0..8).map(|i| format!("group:{i}")).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (st, keys, stop) = (st.clone(), keys.clone(), stop.clone());
            thread::spawn(move || {
                let mut v = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let val = format!("{w}-{v}");
                    let pairs: Vec<(&str, &str)> =
                        keys.iter().map(|k| (k.as_str(), val.as_str())).collect();
                    st.db(0).mset(&pairs).unwrap();
                    v += 1;
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (st, keys) = (st.clone(), keys.clone());
            thread::spawn(move || {
                let mut checked = 0;
                for _ in 0..20_000 {
                    let vals = st.db(0).mget(&keys);
                    if vals[0].is_some() {
                        checked += 1;
                    }
                    assert!(vals.iter().all(|v| *v == vals[0]), "torn MSET: {vals:?}");
                    let mut first = None;
                    let mut torn = false;
                    st.db(0).mget_with(&keys, |v| {
                        let v = v.map(<[u8]>::to_vec);
                        match &first {
                            None => first = Some(v),
                            Some(f) => torn |= *f != v,
                        }
                    });
                    assert!(!torn, "torn MSET seen by mget_with");
                }
                checked
            })
        })
        .collect();
    let checked: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert!(checked > 0);
}

#[test]
fn rename_is_atomic() {
    // One key bounces between `a` and `b`: a reader must always see exactly one of them.
    let st = Arc::new(Store::new());
    st.set("a", "v").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let renamer = {
        let (st, stop) = (st.clone(), stop.clone());
        thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (from, to) = if n % 2 == 0 {
                    (b"a", b"b")
                } else {
                    (b"b", b"a")
                };
                st.db(0).rename(from, to).unwrap();
                n += 1;
            }
            n
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let st = st.clone();
            thread::spawn(move || {
                for _ in 0..20_000 {
                    assert_eq!(st.db(0).exists(&["a", "b"]), 1);
                    let v = st.db(0).mget(&["a", "b"]);
                    assert_eq!(v.iter().filter(|x| x.is_some()).count(), 1, "{v:?}");
                }
            })
        })
        .collect();
    for r in readers {
        r.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(renamer.join().unwrap() > 0);
}

#[test]
fn mixed_load_keeps_counters_consistent() {
    // Single-key writes, multi-key writes, scans, expiry cycles and flushes of another db at
    // once: nothing deadlocks, and the counters each thread owns come out exact.
    let st = Arc::new(Store::new());
    let per = 2_000;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let st = st.clone();
            thread::spawn(move || {
                let db = st.db(0);
                let mine = format!("counter:{t}");
                for i in 0..per {
                    db.incr_by(mine.as_bytes(), 1).unwrap();
                    let k = format!("t{t}:{}", i % 50);
                    db.set(k.as_bytes(), b"v", SetOptions::default()).unwrap();
                    match i % 7 {
                        0 => {
                            db.mset(&[(k.as_str(), "1"), ("shared", "x")]).unwrap();
                        }
                        1 => {
                            db.del(&[k.as_str(), "nope"]);
                        }
                        2 => {
                            db.scan(0, store::ScanOptions::default());
                        }
                        3 => {
                            st.expire_cycle();
                        }
                        4 => {
                            st.db(5).flushdb();
                        }
                        5 => {
                            db.copy(k.as_bytes(), b"copy", Some(1), true).unwrap();
                        }
                        _ => {
                            st.exclusive(|tx| tx.db(0).incr_by(b"tx", 1)).unwrap();
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for t in 0..THREADS {
        assert_eq!(
            st.db(0).incr_by(format!("counter:{t}").as_bytes(), 0),
            Ok(per as i64)
        );
    }
    let tx_runs = (0..per).filter(|i| i % 7 == 6).count() * THREADS;
    assert_eq!(st.db(0).incr_by(b"tx", 0), Ok(tx_runs as i64));
}
