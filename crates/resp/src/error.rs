use std::io;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// A decoding error. `Display` of the protocol variants is exactly Redis's text after `-ERR `
/// (for example `Protocol error: invalid bulk length`); the server sends `-ERR {error}\r\n`
/// and closes the connection.
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
    /// A malformed frame seen by the general frame decoder.
    #[error("Protocol error: {0}")]
    Invalid(&'static str),
    /// The stream ended in the middle of a frame.
    #[error("Protocol error: unexpected end of stream")]
    UnexpectedEof,
}
