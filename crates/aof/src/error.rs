//! Errors of the AOF layer. `Display` texts are Redis 7.0's log lines where Redis has one.

use std::io;
use std::path::PathBuf;

/// What can go wrong reading, writing, loading or checking an AOF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a file or directory.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done (`open`, `write`, `fsync`, ...).
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The manifest could not be parsed.
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    /// A file listed in the manifest does not exist.
    #[error("Unable to obtain the AOF file {file} length. stat: No such file or directory")]
    MissingFile {
        /// The file name, as in the manifest.
        file: String,
    },
    /// Corruption: bytes that are not a RESP command array.
    #[error(
        "Bad file format reading the append only file {file} (at byte offset {offset}): make a \
         backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
    )]
    BadFormat {
        /// The file name.
        file: String,
        /// Byte offset of the first bad byte.
        offset: u64,
    },
    /// A truncated last command and `aof-load-truncated no` (or the truncated file is not the
    /// last one).
    #[error(
        "Unexpected end of file reading the append only file {file} (last valid command ends at \
         byte offset {offset}). You can: 1) Make a backup of your AOF file, then use \
         ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the \
         'aof-load-truncated' configuration option to yes and restart the server."
    )]
    UnexpectedEof {
        /// The file name.
        file: String,
        /// Where the last complete command ends.
        offset: u64,
    },
    /// A truncated file that is not the last of the manifest.
    #[error("Fatal error: the truncated file is not the last file ({file})")]
    TruncatedNotLast {
        /// The file name.
        file: String,
    },
    /// The caller's executor does not know a command.
    #[error("Unknown command '{name}' reading the append only file {file}")]
    UnknownCommand {
        /// The command name as found in the file.
        name: String,
        /// The file name.
        file: String,
    },
    /// The caller's executor failed on a command for another reason.
    #[error("Error executing a command of the append only file {file} at byte offset {offset}: {message}")]
    Exec {
        /// The file name.
        file: String,
        /// Byte offset of the command.
        offset: u64,
        /// The executor's message.
        message: String,
    },
    /// The file starts with an RDB preamble, which this server does not read.
    #[error(
        "The append only file {file} starts with an RDB preamble (\"REDIS\" magic), which this \
         server cannot load. Rewrite it in RESP format first: with redis-server 7 run \
         CONFIG SET aof-use-rdb-preamble no, then BGREWRITEAOF, and copy the new directory"
    )]
    RdbPreamble {
        /// The file name.
        file: String,
    },
    /// An fsync failed; under `appendfsync always` nothing more can be acknowledged.
    #[error("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {0}")]
    FsyncFailed(String),
    /// A rewrite was requested while one is running.
    #[error("Background append only file rewriting already in progress")]
    RewriteInProgress,
    /// The log was closed.
    #[error("the append only file is closed")]
    Closed,
}

/// A manifest parse error, with Redis's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// A line that is not `key value` pairs with name, seq and type.
    #[error("Invalid AOF manifest file format")]
    InvalidFormat,
    /// Two `type b` lines.
    #[error("Found duplicate base file information")]
    DuplicateBase,
    /// A type other than `b`, `h`, `i`.
    #[error("Unknown AOF file type")]
    UnknownType,
    /// Incremental files not in increasing `seq` order.
    #[error("Found a non-monotonic sequence number")]
    NonMonotonic,
    /// No line at all.
    #[error("Found an empty AOF manifest")]
    Empty,
    /// A line longer than 1024 bytes.
    #[error("The AOF manifest file contains too long line")]
    TooLongLine,
    /// A file name with a directory part.
    #[error("File can't be a path, just a filename")]
    PathNotAllowed,
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Wraps an `io::Error` with what was being done and on which path.
pub(crate) fn io_err(
    op: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { op, path, source }
}
