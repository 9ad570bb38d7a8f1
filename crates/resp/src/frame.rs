use bytes::Bytes;

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
