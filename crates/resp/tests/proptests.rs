use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use resp::{Frame, FrameCodec, Protocol, RequestDecoder};
use tokio_util::codec::Encoder;

use crate::util::feed;

/// Cuts `bytes` at the given points (taken modulo its length).
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for c in cuts {
        out.push(&bytes[last..c]);
        last = c;
    }
    out.push(&bytes[last..]);
    out
}

fn line_bytes() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(
        any::<u8>().prop_filter("no CR/LF", |b| *b != b'\r' && *b != b'\n'),
        0..20,
    )
    .prop_map(Bytes::from)
}

fn any_bytes() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..40).prop_map(Bytes::from)
}

fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("NaN never equals itself", |d| !d.is_nan()),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        (-1000i32..1000).prop_map(|n| n as f64 / 8.0),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    let leaf = prop_oneof![
        line_bytes().prop_map(Frame::Simple),
        line_bytes().prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        any_bytes().prop_map(Frame::Bulk),
        Just(Frame::Null),
        Just(Frame::NullArray),
        double().prop_map(Frame::Double),
        any::<bool>().prop_map(Frame::Boolean),
        "-?[1-9][0-9]{0,40}".prop_map(|s| Frame::BigNumber(s.into())),
        (any::<[u8; 3]>(), any_bytes()).prop_map(|(format, data)| Frame::Verbatim { format, data }),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let pairs = proptest::collection::vec((inner.clone(), inner.clone()), 0..4);
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Frame::Array),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Frame::Set),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Frame::Push),
            pairs.clone().prop_map(Frame::Map),
            (pairs, inner).prop_map(|(attrs, f)| Frame::Attribute {
                attrs,
                frame: Box::new(f)
            }),
        ]
    })
}

/// RESP3 has one null: a `NullArray` comes back as `Null`.
fn resp3_normal(f: Frame) -> Frame {
    let all = |v: Vec<Frame>| v.into_iter().map(resp3_normal).collect();
    let pairs = |v: Vec<(Frame, Frame)>| {
        v.into_iter()
            .map(|(k, v)| (resp3_normal(k), resp3_normal(v)))
            .collect()
    };
    match f {
        Frame::NullArray => Frame::Null,
        Frame::Array(v) => Frame::Array(all(v)),
        Frame::Set(v) => Frame::Set(all(v)),
        Frame::Push(v) => Frame::Push(all(v)),
        Frame::Map(v) => Frame::Map(pairs(v)),
        Frame::Attribute { attrs, frame } => Frame::Attribute {
            attrs: pairs(attrs),
            frame: Box::new(resp3_normal(*frame)),
        },
        other => other,
    }
}

fn encode_all(frames: &[Frame], proto: Protocol) -> Vec<u8> {
    let mut codec = FrameCodec::with_protocol(proto);
    let mut out = BytesMut::new();
    for f in frames {
        codec.encode(f, &mut out).unwrap();
    }
    out.to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn frames_round_trip_resp2(frames in proptest::collection::vec(frame(), 1..5), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let wire = encode_all(&frames, Protocol::Resp2);
        let (got, err) = feed(FrameCodec::new(), &split(&wire, &cuts));
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, frames);
    }

    #[test]
    fn frames_round_trip_resp3(frames in proptest::collection::vec(frame(), 1..5), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let wire = encode_all(&frames, Protocol::Resp3);
        let (got, err) = feed(FrameCodec::with_protocol(Protocol::Resp3), &split(&wire, &cuts));
        prop_assert_eq!(err, None);
        let want: Vec<Frame> = frames.into_iter().map(resp3_normal).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn frames_byte_by_byte(frame in frame()) {
        let wire = encode_all(std::slice::from_ref(&frame), Protocol::Resp2);
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        let (got, err) = feed(FrameCodec::new(), &bytes);
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, vec![frame]);
    }

    #[test]
    fn requests_round_trip(
        reqs in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 1..8), 1..6),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut wire = BytesMut::new();
        for r in &reqs {
            resp::write::command(&mut wire, r);
        }
        let (got, err) = feed(RequestDecoder::new(), &split(&wire, &cuts));
        prop_assert_eq!(err, None);
        let got: Vec<Vec<Vec<u8>>> = got.into_iter().map(|r| r.into_iter().map(|a| a.to_vec()).collect()).collect();
        prop_assert_eq!(got, reqs);
    }

    #[test]
    fn inline_plain_round_trip(
        args in proptest::collection::vec("[a-zA-Z0-9:_.-]{1,12}", 1..8),
        sep in "[ \t]{1,3}",
        crlf in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..4),
    ) {
        let mut line = args.join(&sep).into_bytes();
        line.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        let (got, err) = feed(RequestDecoder::new(), &split(&line, &cuts));
        prop_assert_eq!(err, None);
        let want: Vec<Vec<Bytes>> = vec![args.iter().map(|a| Bytes::copy_from_slice(a.as_bytes())).collect()];
        prop_assert_eq!(got, want);
    }

    #[test]
    fn inline_quoted_round_trip(arg in proptest::collection::vec(any::<u8>(), 0..40), single in any::<bool>()) {
        // Quote an arbitrary byte string the way redis-cli's sdscatrepr does, or with single
        // quotes where only `'` needs escaping.
        let mut line = b"ECHO ".to_vec();
        if single && !arg.iter().any(|&b| b == b'\n' || b == 0 || b == b'\\') {
            line.push(b'\'');
            for &b in &arg {
                if b == b'\'' { line.extend_from_slice(b"\\'") } else { line.push(b) }
            }
            line.push(b'\'');
        } else {
            line.push(b'"');
            for &b in &arg {
                match b {
                    b'"' | b'\\' => { line.push(b'\\'); line.push(b) }
                    b' '..=b'~' => line.push(b),
                    _ => line.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
                }
            }
            line.push(b'"');
        }
        line.extend_from_slice(b"\r\n");
        let (got, err) = feed(RequestDecoder::new(), &[&line]);
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, vec![vec![Bytes::from_static(b"ECHO"), Bytes::from(arg)]]);
    }
}
