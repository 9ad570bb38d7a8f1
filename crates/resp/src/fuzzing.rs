//! The bodies of the fuzz targets in `crates/resp/fuzz` (cargo fuzz, nightly), kept here as plain
//! functions so stable Rust can run them too (the `fuzz_smoke` integration tests do).
//!
//! Each one feeds arbitrary bytes to a decoder whole, in pseudo-random chunks and byte by byte,
//! and panics when an invariant breaks: a panic inside the decoder, results that depend on how
//! the input was split, or a decoded value that does not survive encode → decode.

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::{write, Frame, FrameCodec, Limits, Protocol, RequestDecoder};

/// What a decoder made of an input: its items, then the error or end-of-stream outcome.
type Outcome<T> = (Vec<T>, Option<String>);

fn chunk_sizes(data: &[u8]) -> impl Iterator<Item = usize> {
    // A cheap PRNG seeded by the input, so a crash reproduces from the input alone.
    let mut state = data.iter().fold(0x9e37_79b9_7f4a_7c15_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    std::iter::repeat_with(move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 17) as usize + 1
    })
}

fn run<D, T>(decoder: &mut D, data: &[u8], mut sizes: impl Iterator<Item = usize>) -> Outcome<T>
where
    D: Decoder<Item = T, Error = crate::Error>,
{
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        buf.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => return (items, Some(e.to_string())),
            }
        }
    }
    match decoder.decode_eof(&mut buf) {
        Ok(Some(item)) => {
            items.push(item);
            (items, Some("item at eof".into()))
        }
        Ok(None) => (items, None),
        Err(e) => (items, Some(e.to_string())),
    }
}

fn whole(len: usize) -> impl Iterator<Item = usize> {
    std::iter::once(len)
}

/// Fuzz body for [`RequestDecoder`].
///
/// # Panics
/// When an invariant breaks (that is the point).
pub fn request_decoder(data: &[u8]) {
    let at_once = run(&mut RequestDecoder::new(), data, whole(data.len()));
    // Redis's "too big" errors depend on how much is buffered, so splitting may change the
    // outcome past the inline limit; below it the outcome must not depend on the split.
    if data.len() <= crate::limits::PROTO_INLINE_MAX_SIZE {
        let chunked = run(&mut RequestDecoder::new(), data, chunk_sizes(data));
        assert_eq!(at_once, chunked, "chunked decoding differs");
        if data.len() <= 4096 {
            let bytewise = run(&mut RequestDecoder::new(), data, std::iter::repeat(1));
            assert_eq!(at_once, bytewise, "byte-by-byte decoding differs");
        }
    }
    for args in &at_once.0 {
        assert!(!args.is_empty(), "empty request yielded");
        let mut wire = BytesMut::new();
        write::command(&mut wire, args);
        let again = RequestDecoder::new().decode(&mut wire);
        assert_eq!(
            again.ok().flatten().as_ref(),
            Some(args),
            "re-encoded request differs"
        );
        assert!(wire.is_empty());
    }
    // Tight limits and the unauthenticated mode must not panic either.
    let mut tight = RequestDecoder::with_limits(Limits {
        proto_max_bulk_len: 16,
        max_multibulk_len: 4,
        inline_max_size: 32,
    });
    tight.set_authenticated(false);
    let _ = run(&mut tight, data, chunk_sizes(data));
}

/// Fuzz body for [`FrameCodec`].
///
/// # Panics
/// When an invariant breaks (that is the point).
pub fn frame_codec(data: &[u8]) {
    let codec = || FrameCodec::new().with_max_depth(32);
    let at_once = run(&mut codec(), data, whole(data.len()));
    let encoded = |frames: &[Frame]| -> Vec<Option<Vec<u8>>> {
        frames
            .iter()
            .map(|f| {
                let mut buf = BytesMut::new();
                f.encode(&mut buf, Protocol::Resp2)
                    .ok()
                    .map(|()| buf.to_vec())
            })
            .collect()
    };
    // Compare by encoding: NaN makes `Frame`'s PartialEq useless for doubles.
    let at_once_bytes = encoded(&at_once.0);
    if data.len() <= crate::limits::PROTO_INLINE_MAX_SIZE {
        let chunked = run(&mut codec(), data, chunk_sizes(data));
        assert_eq!(
            (&at_once_bytes, &at_once.1),
            (&encoded(&chunked.0), &chunked.1),
            "chunked decoding differs"
        );
    }
    for (frame, bytes) in at_once.0.iter().zip(&at_once_bytes) {
        // Simple strings may hold a lone CR or LF, which cannot be encoded back: skip those.
        let Some(bytes) = bytes else { continue };
        let mut buf = BytesMut::from(&bytes[..]);
        let mut c = codec();
        let again = c.decode(&mut buf).ok().flatten();
        let again = again.as_ref().map(|f| encoded(std::slice::from_ref(f)));
        assert_eq!(
            again,
            Some(vec![Some(bytes.clone())]),
            "round trip of {frame:?}"
        );
        assert!(buf.is_empty());
        let mut out = BytesMut::new();
        let _ = c.encode(frame, &mut out);
    }
}
