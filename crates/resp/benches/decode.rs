//! Decoding and encoding benchmarks, ours next to the `redis-protocol` crate (v5) on the same
//! bytes.
//!
//! - `decode_pipeline`: a pipeline of 1,000 SET/GET commands in one buffer, decoded until
//!   exhausted: our `RequestDecoder` vs redis-protocol's RESP2 `decode_bytes_mut` (zero copy,
//!   consumes a `BytesMut` as ours does) and `decode` (owned frames).
//! - `big_value_4k_chunks`: one SET of a 1 MB value arriving in 4 KB reads, with a decode call
//!   after every read, as a connection loop does.
//! - `encode`: the same 1,000 commands (as frames) encoded into one buffer.

use bytes::{Bytes, BytesMut};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use redis_protocol::resp2::{decode as rp_decode, encode as rp_encode, types::BytesFrame};
use resp::{Frame, FrameCodec, Protocol, RequestDecoder};
use tokio_util::codec::{Decoder, Encoder};

fn pipeline() -> Vec<Vec<Bytes>> {
    (0..1000)
        .map(|i| {
            let key = Bytes::from(format!("key:{i:06}"));
            if i % 2 == 0 {
                vec![Bytes::from_static(b"SET"), key, Bytes::from(vec![b'x'; 32])]
            } else {
                vec![Bytes::from_static(b"GET"), key]
            }
        })
        .collect()
}

fn wire(commands: &[Vec<Bytes>]) -> BytesMut {
    let mut buf = BytesMut::new();
    for c in commands {
        resp::write::command(&mut buf, c);
    }
    buf
}

fn decode_pipeline(c: &mut Criterion) {
    let wire = wire(&pipeline());
    let mut group = c.benchmark_group("decode_pipeline");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("resp::RequestDecoder", |b| {
        let mut decoder = RequestDecoder::new();
        b.iter_batched(
            || wire.clone(),
            |mut buf| {
                let mut n = 0;
                while let Some(args) = decoder.decode(&mut buf).unwrap() {
                    n += args.len();
                    black_box(args);
                }
                assert_eq!(n, 2500);
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("redis_protocol::decode_bytes_mut", |b| {
        b.iter_batched(
            || wire.clone(),
            |mut buf| {
                let mut n = 0;
                while let Some((frame, _, _)) = rp_decode::decode_bytes_mut(&mut buf).unwrap() {
                    if let BytesFrame::Array(args) = &frame {
                        n += args.len();
                    }
                    black_box(frame);
                }
                assert_eq!(n, 2500);
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("redis_protocol::decode (owned)", |b| {
        b.iter(|| {
            let mut at = 0;
            let mut n = 0;
            while let Some((frame, used)) = rp_decode::decode(&wire[at..]).unwrap() {
                at += used;
                n += 1;
                black_box(frame);
            }
            assert_eq!(n, 1000);
        })
    });
    group.finish();
}

fn big_value(c: &mut Criterion) {
    let mut wire = BytesMut::new();
    resp::write::command(&mut wire, &[&b"SET"[..], b"big", &vec![b'v'; 1 << 20]]);
    let mut group = c.benchmark_group("big_value_4k_chunks");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("resp::RequestDecoder", |b| {
        let mut decoder = RequestDecoder::new();
        b.iter(|| {
            let mut buf = BytesMut::new();
            let mut got = None;
            for chunk in wire.chunks(4096) {
                buf.extend_from_slice(chunk);
                if let Some(args) = decoder.decode(&mut buf).unwrap() {
                    got = Some(args);
                }
            }
            assert_eq!(got.map(|a| a[2].len()), Some(1 << 20));
        })
    });
    group.bench_function("redis_protocol::decode_bytes_mut", |b| {
        b.iter(|| {
            let mut buf = BytesMut::new();
            let mut got = None;
            for chunk in wire.chunks(4096) {
                buf.extend_from_slice(chunk);
                if let Some((frame, _, _)) = rp_decode::decode_bytes_mut(&mut buf).unwrap() {
                    got = Some(frame);
                }
            }
            assert!(got.is_some());
        })
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let commands = pipeline();
    let ours: Vec<Frame> = commands
        .iter()
        .map(|c| Frame::Array(c.iter().cloned().map(Frame::Bulk).collect()))
        .collect();
    let theirs: Vec<BytesFrame> = commands
        .iter()
        .map(|c| BytesFrame::Array(c.iter().cloned().map(BytesFrame::BulkString).collect()))
        .collect();
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("resp::FrameCodec", |b| {
        let mut codec = FrameCodec::with_protocol(Protocol::Resp2);
        let mut buf = BytesMut::with_capacity(64 * 1024);
        b.iter(|| {
            buf.clear();
            for f in &ours {
                codec.encode(f, &mut buf).unwrap();
            }
            black_box(&buf);
        })
    });
    group.bench_function("resp::write::command", |b| {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        b.iter(|| {
            buf.clear();
            for c in &commands {
                resp::write::command(&mut buf, c);
            }
            black_box(&buf);
        })
    });
    group.bench_function("redis_protocol::extend_encode", |b| {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        b.iter(|| {
            buf.clear();
            for f in &theirs {
                rp_encode::extend_encode(&mut buf, f).unwrap();
            }
            black_box(&buf);
        })
    });
    group.finish();
}

criterion_group!(benches, decode_pipeline, big_value, encode);
criterion_main!(benches);
