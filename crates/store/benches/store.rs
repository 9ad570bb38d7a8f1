//! Store throughput: GET, SET and HSET from one thread and from two threads at once.
//!
//! The two-thread variants time `iters` operations on *each* thread (wall clock), so their
//! time per iteration is what one operation costs when two threads run side by side; equal to
//! the one-thread number means perfect scaling.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use store::{SetOptions, Store};

const KEYS: usize = 10_000;

fn keys() -> Vec<Vec<u8>> {
    (0..KEYS)
        .map(|i| format!("key:{i:06}").into_bytes())
        .collect()
}

fn filled() -> Arc<Store> {
    let st = Arc::new(Store::new());
    for k in keys() {
        st.db(0)
            .set(&k, b"some value of medium size", SetOptions::default())
            .ok();
        let mut h = k.clone();
        h.extend_from_slice(b":h");
        st.db(0).hset(&h, &[(b"field", b"value")]).ok();
    }
    st
}

#[derive(Clone, Copy)]
enum Op {
    Get,
    Set,
    Hset,
}

fn run_op(st: &Store, op: Op, key: &[u8]) {
    let db = st.db(0);
    match op {
        Op::Get => {
            black_box(db.get_with(key, |v| v.map(<[u8]>::len)).ok());
        }
        Op::Set => {
            black_box(db.set(key, b"another value", SetOptions::default()).ok());
        }
        Op::Hset => {
            black_box(db.hset(key, &[(b"field", b"value2")]).ok());
        }
    }
}

/// Runs `iters` operations on each of `threads` threads; the wall time of the slowest.
fn parallel(
    st: &Arc<Store>,
    keys: &Arc<Vec<Vec<u8>>>,
    op: Op,
    threads: usize,
    iters: u64,
) -> Duration {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (st, keys, barrier) = (st.clone(), keys.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                let start = Instant::now();
                for i in 0..iters as usize {
                    run_op(&st, op, &keys[(i + t * 7919) % KEYS]);
                }
                start.elapsed()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_default())
        .max()
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let st = filled();
    let plain = Arc::new(keys());
    let hashes: Arc<Vec<Vec<u8>>> = Arc::new(
        keys()
            .into_iter()
            .map(|mut k| {
                k.extend_from_slice(b":h");
                k
            })
            .collect(),
    );
    let mut g = c.benchmark_group("store");
    for (name, op, ks) in [
        ("get", Op::Get, &plain),
        ("set", Op::Set, &plain),
        ("hset", Op::Hset, &hashes),
    ] {
        g.bench_function(format!("{name}/1 thread"), |b| {
            let mut i = 0usize;
            b.iter(|| {
                run_op(&st, op, &ks[i % KEYS]);
                i += 1;
            })
        });
        g.bench_function(format!("{name}/2 threads"), |b| {
            b.iter_custom(|iters| parallel(&st, ks, op, 2, iters))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
