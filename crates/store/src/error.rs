//! The store's error type. `Display` is Redis's error line after the `-`.

/// Errors returned by store operations.
///
/// The `Display` text of each variant is exactly the error line Redis sends (without the leading
/// `-`), so a server can reply with `-{error}` directly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key holds a value of another type.
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    /// A string value (or an argument) is not a 64-bit signed integer.
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    /// A hash field value is not an integer (HINCRBY).
    #[error("ERR hash value is not an integer")]
    HashNotInteger,
    /// A string value (or an argument) is not a valid float.
    #[error("ERR value is not a valid float")]
    NotFloat,
    /// A hash field value is not a valid float (HINCRBYFLOAT).
    #[error("ERR hash value is not a float")]
    HashNotFloat,
    /// INCRBY/DECRBY/HINCRBY would overflow a 64-bit signed integer.
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    /// `DECRBY key -9223372036854775808`: the decrement cannot be negated.
    #[error("ERR decrement would overflow")]
    DecrementOverflow,
    /// INCRBYFLOAT would produce NaN or an infinity.
    #[error("ERR increment would produce NaN or Infinity")]
    IncrNanOrInfinity,
    /// HINCRBYFLOAT would produce (or was given) NaN or an infinity.
    #[error("ERR value is NaN or Infinity")]
    NanOrInfinity,
    /// RENAME/RENAMENX of a missing key.
    #[error("ERR no such key")]
    NoSuchKey,
    /// MOVE to the same database (or COPY to the same key in the same database).
    #[error("ERR source and destination objects are the same")]
    SameObject,
    /// A database index outside `0..databases`.
    #[error("ERR DB index is out of range")]
    DbIndexOutOfRange,
    /// An expire time that is not positive (SET EX 0) or overflows when converted to an absolute
    /// millisecond deadline. Carries the command name Redis puts in the message.
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpireTime(&'static str),
    /// APPEND/SETRANGE would make a string longer than 512 MB.
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    /// SETRANGE/GETRANGE-style offset that is negative or too large.
    #[error("ERR offset is out of range")]
    OffsetOutOfRange,
    /// A count argument out of range (HRANDFIELD with a huge negative count and WITHVALUES).
    #[error("ERR value is out of range")]
    ValueOutOfRange,
    /// Out of memory under `maxmemory` with the `noeviction` policy (reserved for eviction).
    #[error("OOM command not allowed when used memory > 'maxmemory'.")]
    OutOfMemory,
}

impl Error {
    /// Rewrites the command name of [`Error::InvalidExpireTime`] (e.g. `"setex"` when the
    /// server implemented SETEX through [`crate::Db::set`]); other errors are returned unchanged.
    pub fn for_command(self, name: &'static str) -> Error {
        match self {
            Error::InvalidExpireTime(_) => Error::InvalidExpireTime(name),
            other => other,
        }
    }
}

/// Result alias for store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;
