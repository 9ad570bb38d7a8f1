use bytes::{Bytes, BytesMut};
use futures::{SinkExt, StreamExt};
use resp::{Frame, FrameCodec, Protocol};
use tokio_util::codec::{Encoder, Framed};

use crate::util::{capture, every_split, feed};

fn bulk(s: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(s.as_bytes()))
}

fn encode_all(frames: &[Frame], proto: Protocol) -> Vec<u8> {
    let mut codec = FrameCodec::with_protocol(proto);
    let mut out = BytesMut::new();
    for f in frames {
        codec.encode(f, &mut out).unwrap();
    }
    out.to_vec()
}

/// Replies of redis-server 7.0.15 to HELLO 3, every DEBUG PROTOCOL type and a few commands.
#[test]
// 3.141 is the double DEBUG PROTOCOL sends, not an approximation of π.
#[allow(clippy::approx_constant)]
fn resp3_capture() {
    let input = capture("debug-protocol-resp3.reply.bin");
    let (frames, err) = feed(FrameCodec::new(), &[&input]);
    assert_eq!(err, None);
    assert_eq!(frames.len(), 27);
    let Frame::Map(hello) = &frames[0] else {
        panic!("{:?}", frames[0])
    };
    assert_eq!(hello[2], (bulk("proto"), Frame::Integer(3)));
    assert_eq!(frames[1], bulk("Hello World"));
    assert_eq!(frames[2], Frame::Integer(12345));
    assert_eq!(frames[3], Frame::Double(3.141));
    assert_eq!(
        frames[4],
        Frame::BigNumber("1234567999999999999999999999999999999".into())
    );
    assert_eq!(frames[5], Frame::Null);
    let ints = || (0..3).map(Frame::Integer).collect::<Vec<_>>();
    assert_eq!(frames[6], Frame::Array(ints()));
    assert_eq!(frames[7], Frame::Set(ints()));
    assert_eq!(
        frames[8],
        Frame::Map(vec![
            (Frame::Integer(0), Frame::Boolean(false)),
            (Frame::Integer(1), Frame::Boolean(true)),
            (Frame::Integer(2), Frame::Boolean(false)),
        ])
    );
    assert_eq!(
        frames[9],
        Frame::Attribute {
            attrs: vec![(
                bulk("key-popularity"),
                Frame::Array(vec![bulk("key:123"), Frame::Integer(90)])
            )],
            frame: Box::new(bulk("Some real reply following the attribute")),
        }
    );
    assert_eq!(
        frames[10],
        Frame::Push(vec![bulk("server-cpu-usage"), Frame::Integer(42)])
    );
    assert_eq!(frames[11], bulk("Some real reply following the push reply"));
    assert_eq!(
        frames[12],
        Frame::Verbatim {
            format: *b"txt",
            data: "This is a verbatim\nstring".into()
        }
    );
    assert_eq!(
        frames[13..15],
        [Frame::Boolean(true), Frame::Boolean(false)]
    );
    assert_eq!(frames[18], Frame::Set(vec![bulk("m")]));
    assert_eq!(frames[19], Frame::Null);
    assert!(
        matches!(&frames[20], Frame::Verbatim { format, data } if format == b"txt" && data.starts_with(b"id="))
    );
    assert_eq!(frames[21], Frame::Map(vec![(bulk("port"), bulk("7394"))]));
    assert_eq!(frames[22], bulk("3"));
    assert_eq!(
        frames[23],
        Frame::Error("ERR unknown command 'NOSUCH', with args beginning with: ".into())
    );
    assert_eq!(frames[24], Frame::Simple("OK".into()));
    assert_eq!(frames[25], Frame::Array(vec![]));
    assert_eq!(
        frames[26],
        Frame::Push(vec![bulk("subscribe"), bulk("ch"), Frame::Integer(1)])
    );
    // Re-encoding gives Redis's bytes back exactly.
    assert_eq!(encode_all(&frames, Protocol::Resp3), input);
}

#[test]
fn resp2_capture() {
    let input = capture("debug-protocol-resp2.reply.bin");
    let (frames, err) = feed(FrameCodec::new(), &[&input]);
    assert_eq!(err, None);
    assert_eq!(frames.len(), 26);
    assert_eq!(frames[3], bulk("3.141"));
    assert_eq!(frames[5], Frame::Null);
    assert_eq!(
        frames[10],
        Frame::Error("ERR RESP2 is not supported by this command".into())
    );
    assert_eq!(encode_all(&frames, Protocol::Resp2), input);
}

#[test]
fn captures_in_every_chunking() {
    for name in [
        "debug-protocol-resp3.reply.bin",
        "redis-benchmark-set-get.reply.bin",
    ] {
        let input = capture(name);
        let whole = feed(FrameCodec::new(), &[&input]);
        for size in 1..=64 {
            let chunks: Vec<&[u8]> = input.chunks(size).collect();
            assert_eq!(
                whole,
                feed(FrameCodec::new(), &chunks),
                "{name} in chunks of {size}"
            );
        }
    }
}

#[test]
fn every_split_of_small_inputs() {
    let cases: &[(&[u8], usize, Option<&str>)] = &[
        (b"+OK\r\n-ERR x\r\n:1\r\n", 3, None),
        (b"$3\r\nfoo\r\n$-1\r\n*-1\r\n_\r\n", 4, None),
        (b"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", 1, None),
        (b"%1\r\n+k\r\n~2\r\n#t\r\n,-inf\r\n", 1, None),
        (b"|1\r\n+a\r\n:1\r\n>1\r\n(12\r\n", 1, None),
        (b"=6\r\ntxt:hi\r\n!3\r\nERR\r\n", 2, None),
        (b"*0\r\n%0\r\n~0\r\n>0\r\n|0\r\n$0\r\n\r\n", 5, None),
        (
            b"+OK\r\n$2\r\nabc\r\n",
            1,
            Some("Protocol error: expected CRLF after bulk payload"),
        ),
        (
            b"*1\r\n?\r\n",
            0,
            Some("Protocol error, got '?' as reply type byte"),
        ),
        (
            b"*2\r\n:1\r\n",
            0,
            Some("Protocol error: unexpected end of stream"),
        ),
    ];
    for (input, n, want_err) in cases {
        let (frames, err) = every_split(FrameCodec::new, input);
        assert_eq!(frames.len(), *n, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(
            err.as_deref(),
            *want_err,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[tokio::test]
async fn framed_client_against_a_fake_server() {
    let (client, mut server) = tokio::io::duplex(64);
    let mut conn = Framed::new(client, FrameCodec::new());
    let server_task = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut got = vec![0u8; 27];
        server.read_exact(&mut got).await.unwrap();
        server.write_all(b"+OK\r\n").await.unwrap();
        got
    });
    let set = Frame::Array(vec![bulk("set"), bulk("a"), bulk("b")]);
    conn.send(set).await.unwrap();
    assert_eq!(
        conn.next().await.unwrap().unwrap(),
        Frame::Simple("OK".into())
    );
    assert_eq!(
        server_task.await.unwrap(),
        capture("redis-cli-set.request.bin")
    );
}
