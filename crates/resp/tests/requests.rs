use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use resp::{Limits, RequestDecoder};
use tokio_util::codec::{Decoder, FramedRead};

use crate::util::{capture, every_split, feed};

fn args(v: &[&str]) -> Vec<Bytes> {
    v.iter()
        .map(|s| Bytes::copy_from_slice(s.as_bytes()))
        .collect()
}

#[test]
fn redis_cli_capture() {
    // `redis-cli -p PORT set a b`, bytes recorded by a proxy in front of redis-server 7.0.15.
    let (reqs, err) = every_split(RequestDecoder::new, &capture("redis-cli-set.request.bin"));
    assert_eq!(err, None);
    assert_eq!(reqs, [args(&["set", "a", "b"])]);
}

#[test]
fn redis_benchmark_capture() {
    // `redis-benchmark -p PORT -n 3 -c 1 -t set,get -P 3`: its CONFIG GETs, then pipelines.
    let (reqs, err) = feed(
        RequestDecoder::new(),
        &[&capture("redis-benchmark-set-get.request.bin")],
    );
    assert_eq!(err, None);
    assert_eq!(reqs.len(), 8);
    assert_eq!(reqs[0], args(&["CONFIG", "GET", "save"]));
    assert_eq!(reqs[1], args(&["CONFIG", "GET", "appendonly"]));
    for r in &reqs[2..5] {
        assert_eq!(*r, args(&["SET", "key:__rand_int__", "VXK"]));
    }
    for r in &reqs[5..] {
        assert_eq!(*r, args(&["GET", "key:__rand_int__"]));
    }
}

#[test]
fn capture_in_every_chunking() {
    let input = capture("redis-benchmark-set-get.request.bin");
    let whole = feed(RequestDecoder::new(), &[&input]);
    for size in 1..=input.len() {
        let chunks: Vec<&[u8]> = input.chunks(size).collect();
        assert_eq!(
            whole,
            feed(RequestDecoder::new(), &chunks),
            "chunks of {size}"
        );
    }
}

#[test]
fn debug_protocol_client_captures() {
    for proto in [2, 3] {
        let input = capture(&format!("debug-protocol-resp{proto}.request.bin"));
        let (reqs, err) = feed(RequestDecoder::new(), &[&input]);
        assert_eq!(err, None);
        assert_eq!(reqs.len(), 26);
        assert_eq!(reqs[0], args(&["HELLO", &proto.to_string()]));
    }
}

#[tokio::test]
async fn framed_read() {
    let input = b"*1\r\n$4\r\nPING\r\n\r\nECHO \"a b\"\r\n*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
    let mut framed = FramedRead::new(&input[..], RequestDecoder::new());
    let mut got = Vec::new();
    while let Some(req) = framed.next().await {
        got.push(req.unwrap());
    }
    assert_eq!(
        got,
        [args(&["PING"]), args(&["ECHO", "a b"]), args(&["GET", "k"])]
    );
}

#[tokio::test]
async fn framed_read_eof_mid_request() {
    let input = b"PING\r\n*2\r\n$3\r\nGET\r\n";
    let mut framed = FramedRead::new(&input[..], RequestDecoder::new());
    assert_eq!(framed.next().await.unwrap().unwrap(), args(&["PING"]));
    let err = framed.next().await.unwrap().unwrap_err();
    assert_eq!(err.to_string(), "Protocol error: unexpected end of stream");
}

/// Input, the requests it holds, the error that ends it.
type Case<'a> = (&'a [u8], &'a [&'a [&'a str]], Option<&'a str>);

/// Small inputs, each decoded whole and cut in every pair of places.
#[test]
fn every_split_of_small_inputs() {
    let cases: &[Case] = &[
        (b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", &[&["GET", "k"]], None),
        (b"*0\r\n*-1\r\nPING\r\n", &[&["PING"]], None),
        (b"PING\nPING\r\n", &[&["PING"], &["PING"]], None),
        (
            b"SET k \"a\\x41\\n\" 'x y'\r\n",
            &[&["SET", "k", "aA\n", "x y"]],
            None,
        ),
        (b"  \r\n\r\n*1\r\n$0\r\n\r\n", &[&[""]], None),
        (b"*1\rx$4\r\nPINGxy", &[&["PING"]], None),
        (
            b"*1\r\n$2\r\nab\r\n*01\r\n",
            &[&["ab"]],
            Some("Protocol error: invalid multibulk length"),
        ),
        (
            b"*1 \r\n",
            &[],
            Some("Protocol error: invalid multibulk length"),
        ),
        (
            b"*1\r\n$+1\r\n",
            &[],
            Some("Protocol error: invalid bulk length"),
        ),
        (
            b"*2\r\n$1\r\na\r\n:1\r\n",
            &[],
            Some("Protocol error: expected '$', got ':'"),
        ),
        (
            b"GET a\"b\"c\r\n",
            &[],
            Some("Protocol error: unbalanced quotes in request"),
        ),
        (
            b"GET k\r\nPI",
            &[&["GET", "k"]],
            Some("Protocol error: unexpected end of stream"),
        ),
        (
            b"PI\0NG\r\n",
            &[],
            Some("Protocol error: unexpected end of stream"),
        ),
    ];
    for (input, want, want_err) in cases {
        let (got, err) = every_split(RequestDecoder::new, input);
        let want: Vec<Vec<Bytes>> = want.iter().map(|a| args(a)).collect();
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(
            err.as_deref(),
            *want_err,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn unauthenticated_in_every_split() {
    let make = || {
        let mut d = RequestDecoder::new();
        d.set_authenticated(false);
        d
    };
    let (_, err) = every_split(make, b"*11\r\n");
    assert_eq!(
        err.as_deref(),
        Some("Protocol error: unauthenticated multibulk length")
    );
    let (_, err) = every_split(make, b"*1\r\n$16385\r\n");
    assert_eq!(
        err.as_deref(),
        Some("Protocol error: unauthenticated bulk length")
    );
    let (reqs, err) = every_split(make, b"*2\r\n$4\r\nAUTH\r\n$1\r\nx\r\n");
    assert_eq!((reqs, err), (vec![args(&["AUTH", "x"])], None));
}

#[test]
fn authenticating_mid_stream() {
    let mut d = RequestDecoder::new();
    d.set_authenticated(false);
    let mut buf = BytesMut::from(&b"*2\r\n$4\r\nAUTH\r\n$1\r\nx\r\n*11\r\n"[..]);
    assert_eq!(d.decode(&mut buf).unwrap().unwrap(), args(&["AUTH", "x"]));
    d.set_authenticated(true);
    assert_eq!(d.decode(&mut buf).unwrap(), None);
}

#[test]
fn configured_limits() {
    let limits = Limits {
        proto_max_bulk_len: 4,
        max_multibulk_len: 2,
        inline_max_size: 16,
    };
    let make = || RequestDecoder::with_limits(limits);
    assert_eq!(
        every_split(make, b"*3\r\n").1.as_deref(),
        Some("Protocol error: invalid multibulk length")
    );
    assert_eq!(
        every_split(make, b"*1\r\n$5\r\n").1.as_deref(),
        Some("Protocol error: invalid bulk length")
    );
    let mut d = make();
    let mut buf = BytesMut::from(&b"PING                 "[..]);
    assert_eq!(
        d.decode(&mut buf).unwrap_err().to_string(),
        "Protocol error: too big inline request"
    );
    let mut d = RequestDecoder::new();
    d.set_limits(limits);
    let mut buf = BytesMut::from(&b"*1\r\n$12345678901234567"[..]);
    assert_eq!(
        d.decode(&mut buf).unwrap_err().to_string(),
        "Protocol error: too big bulk count string"
    );
}

#[test]
fn huge_declared_bulk_reserves_within_limit_only() {
    // A client declaring a 512 MB bulk gets room for it (Redis does the same), but a bulk over
    // the limit is refused before anything is reserved.
    let mut d = RequestDecoder::with_limits(Limits {
        proto_max_bulk_len: 1 << 20,
        ..Limits::default()
    });
    let mut buf = BytesMut::from(&b"*1\r\n$1048577\r\n"[..]);
    assert!(d.decode(&mut buf).is_err());
    assert!(buf.capacity() < 4096);
    let mut buf = BytesMut::from(&b"*1\r\n$1048576\r\n"[..]);
    assert_eq!(d.decode(&mut buf).unwrap(), None);
    assert!(buf.capacity() >= (1 << 20) + 2);
}

#[test]
fn big_value_in_4k_chunks_is_one_slice() {
    let value = vec![7u8; 1 << 20];
    let mut wire = BytesMut::new();
    resp::write::command(&mut wire, &[&b"SET"[..], b"key", &value]);
    let chunks: Vec<&[u8]> = wire.chunks(4096).collect();
    let (reqs, err) = feed(RequestDecoder::new(), &chunks);
    assert_eq!(err, None);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0][2].len(), 1 << 20);
    assert!(reqs[0][2].iter().all(|&b| b == 7));
}
