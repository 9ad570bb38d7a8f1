use proptest::prelude::*;
use resp::fuzzing;

use crate::util::capture;

const CAPTURES: &[&str] = &[
    "redis-cli-set.request.bin",
    "redis-benchmark-set-get.request.bin",
    "debug-protocol-resp2.request.bin",
    "debug-protocol-resp3.request.bin",
    "debug-protocol-resp2.reply.bin",
    "debug-protocol-resp3.reply.bin",
    "redis-benchmark-set-get.reply.bin",
];

#[test]
fn captures() {
    for name in CAPTURES {
        let data = capture(name);
        fuzzing::request_decoder(&data);
        fuzzing::frame_codec(&data);
    }
}

#[test]
fn fuzz_corpus_seeds() {
    // Inputs that once broke or nearly broke something; kept as regression seeds.
    for data in [
        &b""[..],
        b"*",
        b"*\r",
        b"\r\n",
        b"*1\r\n$",
        b"*1\r\n$0\r",
        b"\"",
        b"'\\",
        b"\"\\x",
        b"*1\0\r\n",
        b"|0\r\n|0\r\n",
        b",nan\r\n",
        b",-0\r\n",
        b"+a\rb\r\n",
        b"$-1\r\n*-1\r\n_\r\n",
    ] {
        fuzzing::request_decoder(data);
        fuzzing::frame_codec(data);
    }
}

fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = base.len();
    proptest::collection::vec((0..len.max(1), any::<u8>(), 0u8..3), 0..8).prop_map(move |edits| {
        let mut data = base.clone();
        for (at, byte, op) in edits {
            let at = at.min(data.len());
            match op {
                0 if at < data.len() => data[at] = byte,
                1 => data.insert(at, byte),
                _ if at < data.len() => {
                    data.remove(at);
                }
                _ => {}
            }
        }
        data
    })
}

fn resp_alphabet() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b'\r'),
        Just(b'\n'),
        Just(b'*'),
        Just(b'$'),
        Just(b'%'),
        Just(b'|'),
        Just(b'>'),
        Just(b'~'),
        Just(b':'),
        Just(b'+'),
        Just(b'-'),
        Just(b'_'),
        Just(b','),
        Just(b'#'),
        Just(b'='),
        Just(b'!'),
        Just(b'('),
        Just(b'"'),
        Just(b'\''),
        Just(b'\\'),
        Just(b' '),
        Just(b'0'),
        Just(b'1'),
        Just(b'2'),
        Just(b'x'),
        Just(b't'),
        Just(0u8),
        any::<u8>(),
    ];
    proptest::collection::vec(byte, 0..200)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn random_protocol_bytes(data in resp_alphabet()) {
        fuzzing::request_decoder(&data);
        fuzzing::frame_codec(&data);
    }

    #[test]
    fn mutated_requests(data in mutated(capture("redis-benchmark-set-get.request.bin"))) {
        fuzzing::request_decoder(&data);
    }

    #[test]
    fn mutated_replies(data in mutated(capture("debug-protocol-resp3.reply.bin"))) {
        fuzzing::frame_codec(&data);
    }
}
