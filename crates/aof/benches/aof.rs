//! Criterion benchmarks: appending batches, and replaying a file of SETs.

use std::hint::black_box;

use aof::{Aof, Batch, Config, FsyncPolicy};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn append(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = Aof::open(Config {
        fsync: FsyncPolicy::No,
        ..Config::in_dir(tmp.path())
    })
    .expect("open");
    let mut g = c.benchmark_group("append");
    let mut b = Batch::new();
    g.throughput(Throughput::Elements(1));
    g.bench_function("one SET per write", |bench| {
        bench.iter(|| {
            b.push(0, &[&b"SET"[..], b"key:000000000001", b"xxx"]);
            black_box(log.write(&mut b).expect("write"));
        })
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function("100 SETs per write", |bench| {
        bench.iter(|| {
            for _ in 0..100 {
                b.push(0, &[&b"SET"[..], b"key:000000000001", b"xxx"]);
            }
            black_box(log.write(&mut b).expect("write"));
        })
    });
    g.finish();
}

fn replay(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = Config::in_dir(tmp.path());
    let n = 100_000u64;
    {
        let log = Aof::open(cfg.clone()).expect("open");
        let mut b = Batch::new();
        for i in 0..n {
            b.push(
                0,
                &[
                    b"SET".to_vec(),
                    format!("key:{i:012}").into_bytes(),
                    b"xxx".to_vec(),
                ],
            );
        }
        log.write(&mut b).expect("write");
        log.close().expect("close");
    }
    let mut g = c.benchmark_group("replay");
    g.throughput(Throughput::Elements(n));
    g.bench_function("100k SETs", |bench| {
        bench.iter(|| {
            let mut bytes = 0usize;
            let stats = aof::load(&cfg, |cmd| {
                bytes += cmd[1].len();
                Ok(())
            })
            .expect("load");
            black_box((bytes, stats.commands))
        })
    });
    g.finish();
}

criterion_group!(benches, append, replay);
criterion_main!(benches);
