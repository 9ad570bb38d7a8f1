use std::io;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A decoding or encoding error.
///
/// `Display` of the request-decoder variants is exactly Redis's text after `-ERR ` (for example
/// `Protocol error: invalid bulk length`); a server sends `-ERR {error}\r\n` and closes the
/// connection. The variants only the [`FrameCodec`](crate::FrameCodec) returns have no Redis
/// counterpart; their texts follow hiredis where it has one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error from the underlying stream.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// `Protocol error: invalid bulk length`
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    /// `Protocol error: invalid multibulk length`
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    /// `Protocol error: expected '$', got 'x'`
    #[error("Protocol error: expected '$', got '{}'", char::from(*.0))]
    ExpectedDollar(u8),
    /// `Protocol error: too big inline request`
    #[error("Protocol error: too big inline request")]
    TooBigInlineRequest,
    /// `Protocol error: too big mbulk count string`
    #[error("Protocol error: too big mbulk count string")]
    TooBigMbulkCount,
    /// `Protocol error: too big bulk count string`
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    /// `Protocol error: unbalanced quotes in request`
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
    /// `Protocol error: unauthenticated multibulk length`: more than 10 arguments before AUTH.
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    /// `Protocol error: unauthenticated bulk length`: a bulk over 16384 bytes before AUTH.
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthenticatedBulkLength,
    /// A malformed frame seen by the general frame decoder.
    #[error("Protocol error: {0}")]
    Invalid(&'static str),
    /// The frame decoder met a byte that starts no RESP2 or RESP3 type (hiredis's wording).
    #[error("Protocol error, got '{}' as reply type byte", char::from(*.0).escape_default())]
    UnknownType(u8),
    /// Aggregates nested deeper than the codec's limit.
    #[error("Protocol error: frames nested deeper than {max} levels")]
    TooDeep {
        /// The nesting limit in force.
        max: usize,
    },
    /// A line (simple string, error, number) longer than the limit, with no CRLF in sight.
    #[error("Protocol error: line longer than {max} bytes")]
    LineTooLong {
        /// The limit in force.
        max: usize,
    },
    /// A simple string or simple error to encode contains CR or LF.
    #[error("simple string or error contains CR or LF")]
    NewlineInSimpleString,
    /// The stream ended in the middle of a frame.
    #[error("Protocol error: unexpected end of stream")]
    UnexpectedEof,
}
