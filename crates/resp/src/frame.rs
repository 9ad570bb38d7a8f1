use bytes::{Bytes, BytesMut};

use crate::{Error, Result};

/// The protocol version a connection speaks (`HELLO 2` / `HELLO 3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default.
    #[default]
    Resp2,
    /// RESP3, after `HELLO 3`.
    Resp3,
}

/// One RESP2 or RESP3 frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `+OK`
    Simple(Bytes),
    /// `-ERR ...` (the text after the `-`).
    Error(Bytes),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Bytes),
    /// RESP2 `$-1`, RESP3 `_`.
    Null,
    /// RESP2 `*-1` (null array). Encoded as `_` in RESP3.
    NullArray,
    /// `*N`
    Array(Vec<Frame>),
    /// RESP3 `%N`, in wire order.
    Map(Vec<(Frame, Frame)>),
    /// RESP3 `~N`
    Set(Vec<Frame>),
    /// RESP3 `,1.5`
    Double(f64),
    /// RESP3 `#t` / `#f`
    Boolean(bool),
    /// RESP3 `(12345...`
    BigNumber(Bytes),
    /// RESP3 `=N\r\ntxt:...`
    Verbatim {
        /// The three-byte format, e.g. `txt`.
        format: [u8; 3],
        /// The text after `fmt:`.
        data: Bytes,
    },
    /// RESP3 `>N`
    Push(Vec<Frame>),
    /// RESP3 `|N` attributes followed by the frame they describe.
    Attribute {
        /// The attribute pairs.
        attrs: Vec<(Frame, Frame)>,
        /// The frame the attributes belong to.
        frame: Box<Frame>,
    },
}

impl Frame {
    /// Appends this frame's RESP encoding to `dst`.
    ///
    /// [`Frame::Null`] and [`Frame::NullArray`] are `$-1` / `*-1` under RESP2 and `_` under RESP3;
    /// every other variant is written with its own type byte whatever `proto` is (a RESP2 peer
    /// never sees RESP3 frames unless the caller builds them). Integers and lengths are formatted
    /// with `itoa`, doubles like Redis 7.0 (`%.17g`, `inf`, `-inf`), straight into `dst`.
    ///
    /// Fails, leaving `dst` as it was, when a simple string, error or big number contains CR or
    /// LF, or when aggregates nest deeper than [`MAX_FRAME_DEPTH`](crate::limits::MAX_FRAME_DEPTH).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use resp::{Frame, Protocol};
    ///
    /// let mut buf = BytesMut::new();
    /// Frame::Array(vec![Frame::Integer(1), Frame::Null]).encode(&mut buf, Protocol::Resp3)?;
    /// assert_eq!(&buf[..], b"*2\r\n:1\r\n_\r\n");
    /// # Ok::<(), resp::Error>(())
    /// ```
    pub fn encode(&self, dst: &mut BytesMut, proto: Protocol) -> Result<()> {
        self.encode_with_depth(dst, proto, crate::limits::MAX_FRAME_DEPTH)
    }

    pub(crate) fn encode_with_depth(
        &self,
        dst: &mut BytesMut,
        proto: Protocol,
        max_depth: usize,
    ) -> Result<()> {
        let start = dst.len();
        let result = encode(self, dst, proto, max_depth, max_depth);
        if result.is_err() {
            dst.truncate(start);
        }
        result
    }
}

fn line(s: &[u8]) -> Result<&[u8]> {
    match memchr::memchr2(b'\r', b'\n', s) {
        Some(_) => Err(Error::NewlineInSimpleString),
        None => Ok(s),
    }
}

fn encode(f: &Frame, dst: &mut BytesMut, proto: Protocol, depth: usize, max: usize) -> Result<()> {
    use crate::write;
    const P3: Protocol = Protocol::Resp3;
    let nested = |depth: usize| depth.checked_sub(1).ok_or(Error::TooDeep { max });
    match f {
        Frame::Simple(s) => write::simple(dst, line(s)?),
        Frame::Error(s) => write::error(dst, line(s)?),
        Frame::Integer(n) => write::integer(dst, *n),
        Frame::Bulk(b) => write::bulk(dst, b),
        Frame::Null => write::null(dst, proto),
        Frame::NullArray => write::null_array(dst, proto),
        Frame::Double(d) => write::double(dst, *d, P3),
        Frame::Boolean(b) => write::boolean(dst, *b, P3),
        Frame::BigNumber(n) => write::big_number(dst, line(n)?),
        Frame::Verbatim { format, data } => write::verbatim(dst, format, data, P3),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            let depth = nested(depth)?;
            match f {
                Frame::Array(_) => write::array_len(dst, items.len()),
                Frame::Set(_) => write::set_len(dst, items.len(), P3),
                _ => write::push_len(dst, items.len(), P3),
            }
            for item in items {
                encode(item, dst, proto, depth, max)?;
            }
        }
        Frame::Map(pairs) => {
            let depth = nested(depth)?;
            write::map_len(dst, pairs.len(), P3);
            for (k, v) in pairs {
                encode(k, dst, proto, depth, max)?;
                encode(v, dst, proto, depth, max)?;
            }
        }
        Frame::Attribute { attrs, frame } => {
            let depth = nested(depth)?;
            write::attribute_len(dst, attrs.len());
            for (k, v) in attrs {
                encode(k, dst, proto, depth, max)?;
                encode(v, dst, proto, depth, max)?;
            }
            encode(frame, dst, proto, depth, max)?;
        }
    }
    Ok(())
}
