//! The general RESP2/RESP3 [`Frame`] codec.
//!
//! Decoding is incremental without recursion: complete scalars are taken out of the buffer as
//! soon as they are whole (`split_to(..).freeze()`, zero copy), open aggregates wait on an
//! explicit stack, and a blob whose header has been read remembers its length. Bytes are looked
//! at once however they are split: a call that finds no complete element notes how far it
//! scanned. The stack depth is bounded, so hostile nesting is an error, not a stack overflow.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::limits::MAX_FRAME_DEPTH;
use crate::{Error, Frame, Limits, Protocol, Result};

/// General RESP2/RESP3 [`Frame`] codec for clients and tools.
///
/// Decodes every RESP2 and RESP3 type: simple strings, errors (simple and blob `!`), integers,
/// bulk strings, `$-1` and `_` (as [`Frame::Null`]), `*-1` ([`Frame::NullArray`]), arrays, maps,
/// sets, pushes, attributes, doubles (`inf`, `-inf`, `nan` included), booleans, big numbers and
/// verbatim strings. RESP3 streamed strings and aggregates (`$?`, `*?`) are not supported.
///
/// Encodes any [`Frame`] (owned or by reference) as [`Frame::encode`] does, with the codec's
/// [`Protocol`] choosing how nulls are written.
///
/// Limits: bulk lengths up to [`Limits::proto_max_bulk_len`], aggregate lengths up to
/// [`Limits::max_multibulk_len`], length lines up to [`Limits::inline_max_size`], other lines up
/// to `proto_max_bulk_len`, nesting up to [`MAX_FRAME_DEPTH`] levels by default.
///
/// ```
/// use bytes::BytesMut;
/// use resp::{Frame, FrameCodec};
/// use tokio_util::codec::Decoder;
///
/// let mut codec = FrameCodec::new();
/// let mut buf = BytesMut::from(&b"%1\r\n+proto\r\n:3\r\n,-inf\r\n"[..]);
/// assert_eq!(
///     codec.decode(&mut buf)?,
///     Some(Frame::Map(vec![(Frame::Simple("proto".into()), Frame::Integer(3))]))
/// );
/// assert_eq!(codec.decode(&mut buf)?, Some(Frame::Double(f64::NEG_INFINITY)));
/// # Ok::<(), resp::Error>(())
/// ```
#[derive(Debug)]
pub struct FrameCodec {
    protocol: Protocol,
    limits: Limits,
    max_depth: usize,
    /// Aggregates whose elements are still arriving, outermost first.
    stack: Vec<Open>,
    pending: Pending,
}

impl Default for FrameCodec {
    fn default() -> Self {
        FrameCodec::new()
    }
}

#[derive(Debug, Clone, Copy, Default)]
enum Pending {
    /// At the start of an element.
    #[default]
    None,
    /// An element's line end is not in the buffer: `src[..scanned]` holds no `\r\n`.
    Line { scanned: usize },
    /// A blob header (`$`, `!`, `=`) was consumed; `len` bytes and CRLF are awaited.
    Blob { kind: u8, len: usize },
}

#[derive(Debug)]
enum Open {
    /// `*`, `~`, `>`
    List {
        kind: u8,
        want: usize,
        items: Vec<Frame>,
    },
    /// `%`, `|`: pairs, then for attributes the frame they describe.
    Pairs {
        kind: u8,
        want: usize,
        pairs: Vec<(Frame, Frame)>,
        key: Option<Frame>,
    },
}

impl Open {
    /// Adds an element; returns the aggregate when it is complete.
    fn push(&mut self, frame: Frame) -> Option<Frame> {
        match self {
            Open::List { kind, want, items } => {
                items.push(frame);
                if items.len() < *want {
                    return None;
                }
                let items = std::mem::take(items);
                Some(match kind {
                    b'~' => Frame::Set(items),
                    b'>' => Frame::Push(items),
                    _ => Frame::Array(items),
                })
            }
            Open::Pairs {
                kind,
                want,
                pairs,
                key,
            } => {
                if pairs.len() == *want {
                    // Only attributes get here: this is the frame they describe.
                    return Some(Frame::Attribute {
                        attrs: std::mem::take(pairs),
                        frame: Box::new(frame),
                    });
                }
                match key.take() {
                    None => *key = Some(frame),
                    Some(k) => pairs.push((k, frame)),
                }
                if *kind == b'%' && pairs.len() == *want {
                    return Some(Frame::Map(std::mem::take(pairs)));
                }
                None
            }
        }
    }
}

enum Next {
    Partial,
    Frame(Frame),
    Open(Open),
}

impl FrameCodec {
    /// A codec speaking RESP2 (for nulls it encodes) with Redis's default limits.
    pub fn new() -> Self {
        FrameCodec::with_protocol(Protocol::Resp2)
    }

    /// A codec encoding nulls as `protocol` does.
    pub fn with_protocol(protocol: Protocol) -> Self {
        FrameCodec {
            protocol,
            limits: Limits::default(),
            max_depth: MAX_FRAME_DEPTH,
            stack: Vec::new(),
            pending: Pending::None,
        }
    }

    /// Replaces the length limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the nesting limit.
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// The protocol used to encode nulls.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Switches the protocol (after `HELLO 3`).
    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
    }

    fn reset(&mut self) {
        self.stack.clear();
        self.pending = Pending::None;
    }

    fn decode_frame(&mut self, src: &mut BytesMut) -> Result<Option<Frame>> {
        loop {
            let mut frame = match self.next(src)? {
                Next::Partial => return Ok(None),
                Next::Frame(frame) => frame,
                Next::Open(open) => {
                    if self.stack.len() >= self.max_depth {
                        return Err(Error::TooDeep {
                            max: self.max_depth,
                        });
                    }
                    self.stack.push(open);
                    continue;
                }
            };
            loop {
                let Some(top) = self.stack.last_mut() else {
                    return Ok(Some(frame));
                };
                match top.push(frame) {
                    None => break,
                    Some(done) => {
                        self.stack.pop();
                        frame = done;
                    }
                }
            }
        }
    }

    /// Reads the next element: a whole scalar, or the header of an aggregate.
    fn next(&mut self, src: &mut BytesMut) -> Result<Next> {
        if let Pending::Blob { kind, len } = self.pending {
            return self.blob(src, kind, len);
        }
        let Some(&kind) = src.first() else {
            return Ok(Next::Partial);
        };
        if !is_type(kind) {
            return Err(Error::UnknownType(kind));
        }
        let scanned = match self.pending {
            Pending::Line { scanned } => scanned.min(src.len()),
            _ => 1,
        };
        let Some(cr) = find_crlf(src, scanned) else {
            // The `\n` ending the line can only be in bytes not seen yet.
            self.pending = Pending::Line { scanned: src.len() };
            let header = matches!(kind, b'$' | b'!' | b'=' | b'*' | b'%' | b'~' | b'>' | b'|');
            let max = if header {
                self.limits.inline_max_size
            } else {
                self.limits.proto_max_bulk_len
            };
            if src.len() > max.saturating_add(1) {
                return Err(match kind {
                    b'$' | b'!' | b'=' => Error::TooBigBulkCount,
                    b'*' | b'%' | b'~' | b'>' | b'|' => Error::TooBigMbulkCount,
                    _ => Error::LineTooLong { max },
                });
            }
            return Ok(Next::Partial);
        };
        self.pending = Pending::None;
        // Take the line out of the buffer: type byte, text, CRLF.
        src.advance(1);
        let text = src.split_to(cr - 1);
        src.advance(2);
        let frame = match kind {
            b'+' => Frame::Simple(text.freeze()),
            b'-' => Frame::Error(text.freeze()),
            b'(' => Frame::BigNumber(text.freeze()),
            b':' => Frame::Integer(parse_int(&text).ok_or(Error::Invalid("invalid integer"))?),
            b',' => Frame::Double(parse_double(&text).ok_or(Error::Invalid("invalid double"))?),
            b'#' => match &text[..] {
                b"t" => Frame::Boolean(true),
                b"f" => Frame::Boolean(false),
                _ => return Err(Error::Invalid("invalid boolean")),
            },
            b'_' if text.is_empty() => Frame::Null,
            b'_' => return Err(Error::Invalid("invalid null")),
            b'$' | b'!' | b'=' => {
                let len = parse_int(&text).ok_or(Error::InvalidBulkLength)?;
                if len == -1 && kind == b'$' {
                    return Ok(Next::Frame(Frame::Null));
                }
                if len < 0 || len as u64 > self.limits.proto_max_bulk_len as u64 {
                    return Err(Error::InvalidBulkLength);
                }
                let len = len as usize;
                let need = len.saturating_add(2);
                if need > src.len() {
                    src.reserve(need - src.len());
                }
                return self.blob(src, kind, len);
            }
            _ => {
                let n = parse_int(&text).ok_or(Error::InvalidMultibulkLength)?;
                if n == -1 && kind == b'*' {
                    return Ok(Next::Frame(Frame::NullArray));
                }
                if n < 0 || n as u64 > self.limits.max_multibulk_len as u64 {
                    return Err(Error::InvalidMultibulkLength);
                }
                let want = n as usize;
                let cap = want.min(1024);
                return Ok(match kind {
                    b'%' | b'|' => {
                        if want == 0 && kind == b'%' {
                            Next::Frame(Frame::Map(Vec::new()))
                        } else {
                            Next::Open(Open::Pairs {
                                kind,
                                want,
                                pairs: Vec::with_capacity(cap),
                                key: None,
                            })
                        }
                    }
                    _ if want == 0 => Next::Frame(match kind {
                        b'~' => Frame::Set(Vec::new()),
                        b'>' => Frame::Push(Vec::new()),
                        _ => Frame::Array(Vec::new()),
                    }),
                    _ => Next::Open(Open::List {
                        kind,
                        want,
                        items: Vec::with_capacity(cap),
                    }),
                });
            }
        };
        Ok(Next::Frame(frame))
    }

    fn blob(&mut self, src: &mut BytesMut, kind: u8, len: usize) -> Result<Next> {
        if src.len() < len.saturating_add(2) {
            self.pending = Pending::Blob { kind, len };
            return Ok(Next::Partial);
        }
        self.pending = Pending::None;
        let data = src.split_to(len).freeze();
        if &src[..2] != b"\r\n" {
            return Err(Error::Invalid("expected CRLF after bulk payload"));
        }
        src.advance(2);
        Ok(Next::Frame(match kind {
            b'!' => Frame::Error(data),
            b'=' => {
                if data.len() < 4 || data[3] != b':' {
                    return Err(Error::Invalid("invalid verbatim string"));
                }
                Frame::Verbatim {
                    format: [data[0], data[1], data[2]],
                    data: data.slice(4..),
                }
            }
            _ => Frame::Bulk(data),
        }))
    }
}

fn is_type(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b':'
            | b'$'
            | b'*'
            | b'_'
            | b','
            | b'#'
            | b'('
            | b'!'
            | b'='
            | b'%'
            | b'~'
            | b'>'
            | b'|'
    )
}

/// Index of the `\r` of the first `\r\n` at or after index 1, resuming the search at `from`.
fn find_crlf(src: &[u8], from: usize) -> Option<usize> {
    let mut at = from.max(2);
    while at < src.len() {
        let nl = at + memchr::memchr(b'\n', &src[at..])?;
        if src[nl - 1] == b'\r' {
            return Some(nl - 1);
        }
        at = nl + 1;
    }
    None
}

/// A decimal `i64` with an optional sign.
fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = i64::from(c - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// A RESP3 double: anything Rust's `f64` parser takes (`1.5`, `1e10`, `inf`, `-inf`, `nan`).
fn parse_double(s: &[u8]) -> Option<f64> {
    std::str::from_utf8(s).ok()?.parse().ok()
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>> {
        let result = self.decode_frame(src);
        if result.is_err() {
            self.reset();
        }
        result
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty()
                && self.stack.is_empty()
                && matches!(self.pending, Pending::None) =>
            {
                Ok(None)
            }
            None => {
                self.reset();
                Err(Error::UnexpectedEof)
            }
        }
    }
}

impl Encoder<Frame> for FrameCodec {
    type Error = Error;

    fn encode(&mut self, item: Frame, dst: &mut BytesMut) -> Result<()> {
        item.encode_with_depth(dst, self.protocol, self.max_depth)
    }
}

impl Encoder<&Frame> for FrameCodec {
    type Error = Error;

    fn encode(&mut self, item: &Frame, dst: &mut BytesMut) -> Result<()> {
        item.encode_with_depth(dst, self.protocol, self.max_depth)
    }
}

/// Convenience for tests and tools: decode every complete frame in `bytes`.
///
/// Fails on malformed input and on a trailing partial frame.
///
/// ```
/// let frames = resp::decode_frames(b"+OK\r\n:1\r\n")?;
/// assert_eq!(frames, [resp::Frame::Simple("OK".into()), resp::Frame::Integer(1)]);
/// # Ok::<(), resp::Error>(())
/// ```
pub fn decode_frames(bytes: &[u8]) -> Result<Vec<Frame>> {
    let mut codec = FrameCodec::new();
    let mut buf = BytesMut::from(bytes);
    let mut frames = Vec::new();
    while let Some(frame) = codec.decode_eof(&mut buf)? {
        frames.push(frame);
    }
    Ok(frames)
}

/// Convenience: a frame's bytes under `proto`.
///
/// ```
/// use resp::{Frame, Protocol};
/// assert_eq!(resp::encode_frame(&Frame::Null, Protocol::Resp2)?, &b"$-1\r\n"[..]);
/// # Ok::<(), resp::Error>(())
/// ```
pub fn encode_frame(frame: &Frame, proto: Protocol) -> Result<Bytes> {
    let mut buf = BytesMut::new();
    frame.encode(&mut buf, proto)?;
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Result<Vec<Frame>> {
        decode_frames(input)
    }

    fn one(input: &[u8]) -> Frame {
        let mut v = all(input).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        v.pop().unwrap()
    }

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn scalars() {
        assert_eq!(one(b"+OK\r\n"), Frame::Simple(b("OK")));
        assert_eq!(one(b"+\r\n"), Frame::Simple(b("")));
        assert_eq!(one(b"+a\rb\nc\r\n"), Frame::Simple(b("a\rb\nc")));
        assert_eq!(one(b"-ERR x\r\n"), Frame::Error(b("ERR x")));
        assert_eq!(one(b":-42\r\n"), Frame::Integer(-42));
        assert_eq!(one(b":+7\r\n"), Frame::Integer(7));
        assert_eq!(one(b":-9223372036854775808\r\n"), Frame::Integer(i64::MIN));
        assert_eq!(one(b"$3\r\nfoo\r\n"), Frame::Bulk(b("foo")));
        assert_eq!(one(b"$0\r\n\r\n"), Frame::Bulk(b("")));
        assert_eq!(one(b"$4\r\na\r\nb\r\n"), Frame::Bulk(b("a\r\nb")));
        assert_eq!(one(b"$-1\r\n"), Frame::Null);
        assert_eq!(one(b"_\r\n"), Frame::Null);
        assert_eq!(one(b"*-1\r\n"), Frame::NullArray);
        assert_eq!(one(b",1.5\r\n"), Frame::Double(1.5));
        assert_eq!(one(b",inf\r\n"), Frame::Double(f64::INFINITY));
        assert_eq!(one(b",-inf\r\n"), Frame::Double(f64::NEG_INFINITY));
        assert!(matches!(one(b",nan\r\n"), Frame::Double(d) if d.is_nan()));
        assert_eq!(one(b",1e+17\r\n"), Frame::Double(1e17));
        assert_eq!(one(b"#t\r\n"), Frame::Boolean(true));
        assert_eq!(one(b"#f\r\n"), Frame::Boolean(false));
        assert_eq!(
            one(b"(-123456789012345678901234567890\r\n"),
            Frame::BigNumber(b("-123456789012345678901234567890"))
        );
        assert_eq!(one(b"!5\r\nERR x\r\n"), Frame::Error(b("ERR x")));
        assert_eq!(
            one(b"=8\r\ntxt:a\r\nb\r\n"),
            Frame::Verbatim {
                format: *b"txt",
                data: b("a\r\nb")
            }
        );
    }

    #[test]
    fn aggregates() {
        assert_eq!(one(b"*0\r\n"), Frame::Array(vec![]));
        assert_eq!(one(b"%0\r\n"), Frame::Map(vec![]));
        assert_eq!(one(b"~0\r\n"), Frame::Set(vec![]));
        assert_eq!(one(b">0\r\n"), Frame::Push(vec![]));
        assert_eq!(
            one(b"*2\r\n*1\r\n:1\r\n*0\r\n"),
            Frame::Array(vec![
                Frame::Array(vec![Frame::Integer(1)]),
                Frame::Array(vec![])
            ])
        );
        assert_eq!(
            one(b"%2\r\n+a\r\n:1\r\n+b\r\n~1\r\n#t\r\n"),
            Frame::Map(vec![
                (Frame::Simple(b("a")), Frame::Integer(1)),
                (
                    Frame::Simple(b("b")),
                    Frame::Set(vec![Frame::Boolean(true)])
                ),
            ])
        );
        assert_eq!(
            one(b">2\r\n+message\r\n$2\r\nhi\r\n"),
            Frame::Push(vec![Frame::Simple(b("message")), Frame::Bulk(b("hi"))])
        );
    }

    #[test]
    fn attributes() {
        let attr = Frame::Attribute {
            attrs: vec![(Frame::Simple(b("ttl")), Frame::Integer(3))],
            frame: Box::new(Frame::Integer(1)),
        };
        assert_eq!(one(b"|1\r\n+ttl\r\n:3\r\n:1\r\n"), attr);
        assert_eq!(
            one(b"|0\r\n*1\r\n|0\r\n:1\r\n"),
            Frame::Attribute {
                attrs: vec![],
                frame: Box::new(Frame::Array(vec![Frame::Attribute {
                    attrs: vec![],
                    frame: Box::new(Frame::Integer(1)),
                }])),
            }
        );
    }

    #[test]
    fn errors() {
        let e = |input: &[u8]| all(input).unwrap_err().to_string();
        assert_eq!(e(b"?x\r\n"), "Protocol error, got '?' as reply type byte");
        assert_eq!(
            e(b"\x01\r\n"),
            "Protocol error, got '\\u{1}' as reply type byte"
        );
        assert_eq!(e(b":x\r\n"), "Protocol error: invalid integer");
        assert_eq!(e(b":\r\n"), "Protocol error: invalid integer");
        assert_eq!(
            e(b":9223372036854775808\r\n"),
            "Protocol error: invalid integer"
        );
        assert_eq!(e(b",\r\n"), "Protocol error: invalid double");
        assert_eq!(e(b",1.5x\r\n"), "Protocol error: invalid double");
        assert_eq!(e(b"#x\r\n"), "Protocol error: invalid boolean");
        assert_eq!(e(b"_x\r\n"), "Protocol error: invalid null");
        assert_eq!(e(b"$-2\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(e(b"$?\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(e(b"!-1\r\n"), "Protocol error: invalid bulk length");
        assert_eq!(
            e(b"$1\r\nabc\r\n"),
            "Protocol error: expected CRLF after bulk payload"
        );
        assert_eq!(
            e(b"=3\r\ntxt\r\n"),
            "Protocol error: invalid verbatim string"
        );
        assert_eq!(
            e(b"=4\r\ntxt-\r\n"),
            "Protocol error: invalid verbatim string"
        );
        assert_eq!(e(b"*-2\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(e(b"%-1\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(e(b"*x\r\n"), "Protocol error: invalid multibulk length");
        assert_eq!(e(b"*1\r\n"), "Protocol error: unexpected end of stream");
        assert_eq!(e(b"$3\r\nab"), "Protocol error: unexpected end of stream");
        assert_eq!(e(b"+OK"), "Protocol error: unexpected end of stream");
    }

    #[test]
    fn length_limits() {
        let limits = Limits {
            proto_max_bulk_len: 10,
            max_multibulk_len: 3,
            inline_max_size: 8,
        };
        let mut codec = FrameCodec::new().with_limits(limits);
        let mut buf = BytesMut::from(&b"$11\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::InvalidBulkLength)
        ));
        let mut buf = BytesMut::from(&b"*4\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::InvalidMultibulkLength)
        ));
        let mut buf = BytesMut::from(&b"$1234567890"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::TooBigBulkCount)
        ));
        let mut buf = BytesMut::from(&b"*1234567890"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::TooBigMbulkCount)
        ));
        let mut buf = BytesMut::from(&b"+0123456789ab"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::LineTooLong { max: 10 })
        ));
        let mut buf = BytesMut::from(&b"?0123456789ab"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(Error::UnknownType(b'?'))
        ));
    }

    #[test]
    fn depth_limit() {
        let mut deep = b"*1\r\n".repeat(1_000_000);
        deep.extend_from_slice(b":1\r\n");
        let mut buf = BytesMut::from(&deep[..]);
        assert!(matches!(
            FrameCodec::new().decode(&mut buf),
            Err(Error::TooDeep {
                max: MAX_FRAME_DEPTH
            })
        ));
        let mut ok = b"*1\r\n".repeat(MAX_FRAME_DEPTH);
        ok.extend_from_slice(b":1\r\n");
        let frame = one(&ok);
        // Encoding the deepest frame decoding allows works; one level more does not.
        assert!(frame.encode(&mut BytesMut::new(), Protocol::Resp2).is_ok());
        let deeper = Frame::Array(vec![frame]);
        let mut out = BytesMut::from(&b"keep"[..]);
        assert!(matches!(
            deeper.encode(&mut out, Protocol::Resp2),
            Err(Error::TooDeep { .. })
        ));
        assert_eq!(&out[..], b"keep");
    }

    #[test]
    fn encoding() {
        let enc = |f: Frame, p| encode_frame(&f, p).unwrap();
        use Protocol::*;
        assert_eq!(enc(Frame::Null, Resp2), &b"$-1\r\n"[..]);
        assert_eq!(enc(Frame::Null, Resp3), &b"_\r\n"[..]);
        assert_eq!(enc(Frame::NullArray, Resp2), &b"*-1\r\n"[..]);
        assert_eq!(enc(Frame::NullArray, Resp3), &b"_\r\n"[..]);
        assert_eq!(
            enc(Frame::Double(0.1), Resp2),
            &b",0.10000000000000001\r\n"[..]
        );
        assert_eq!(enc(Frame::Double(f64::NAN), Resp3), &b",nan\r\n"[..]);
        assert_eq!(enc(Frame::Boolean(true), Resp2), &b"#t\r\n"[..]);
        assert_eq!(enc(Frame::BigNumber(b("12")), Resp2), &b"(12\r\n"[..]);
        assert_eq!(
            enc(
                Frame::Map(vec![(Frame::Simple(b("a")), Frame::Set(vec![]))]),
                Resp3
            ),
            &b"%1\r\n+a\r\n~0\r\n"[..]
        );
        assert_eq!(
            enc(
                Frame::Attribute {
                    attrs: vec![(Frame::Bulk(b("k")), Frame::Integer(1))],
                    frame: Box::new(Frame::Push(vec![]))
                },
                Resp3
            ),
            &b"|1\r\n$1\r\nk\r\n:1\r\n>0\r\n"[..]
        );
        assert_eq!(
            enc(
                Frame::Verbatim {
                    format: *b"mkd",
                    data: b("# x")
                },
                Resp3
            ),
            &b"=7\r\nmkd:# x\r\n"[..]
        );
        for bad in [
            Frame::Simple(b("a\r\nb")),
            Frame::Error(b("a\n")),
            Frame::BigNumber(b("1\r")),
        ] {
            assert!(matches!(
                bad.encode(&mut BytesMut::new(), Resp2),
                Err(Error::NewlineInSimpleString)
            ));
        }
    }

    #[test]
    fn codec_traits() {
        let mut codec = FrameCodec::with_protocol(Protocol::Resp3);
        let mut buf = BytesMut::new();
        let frame = Frame::Array(vec![Frame::Null]);
        Encoder::<&Frame>::encode(&mut codec, &frame, &mut buf).unwrap();
        Encoder::<Frame>::encode(&mut codec, Frame::Integer(1), &mut buf).unwrap();
        assert_eq!(&buf[..], b"*1\r\n_\r\n:1\r\n");
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(frame));
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::Integer(1)));
        assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
    }

    #[test]
    fn resumes_line_scan() {
        let mut codec = FrameCodec::new();
        let mut buf = BytesMut::new();
        for &byte in b"+hello\r" {
            buf.extend_from_slice(&[byte]);
            assert_eq!(codec.decode(&mut buf).unwrap(), None);
        }
        buf.extend_from_slice(b"\n");
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(Frame::Simple(b("hello")))
        );
    }
}
