//! Command and connection errors.
//!
//! Redis's error texts live here and nowhere else: the `Display` of each [`CmdError`] variant is
//! the exact line Redis sends after the `-` (code included). Handlers return a variant; the
//! dispatcher writes it. [`ConnError`] closes the connection.

use std::borrow::Cow;
use std::io;

/// The result of a command handler: the reply is already in the output buffer on `Ok`.
pub type CmdResult = Result<(), CmdError>;

/// An error reply. The connection goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmdError {
    // ---- generic -------------------------------------------------------------------------
    /// `ERR wrong number of arguments for 'get' command` (the name is lowercase, `a|b` for a
    /// subcommand).
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(Cow<'static, str>),
    /// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `; `args` is the already
    /// quoted list (each `'arg' `), built by [`CmdError::unknown_command`].
    #[error("ERR unknown command '{name}', with args beginning with: {args}")]
    UnknownCommand {
        /// The command name as sent (cut to 128 chars).
        name: String,
        /// `'a' 'b' ` (trailing space included).
        args: String,
    },
    /// `ERR unknown subcommand 'foo'. Try CLIENT HELP.`
    #[error("ERR unknown subcommand '{sub}'. Try {cmd} HELP.")]
    UnknownSubcommand {
        /// The subcommand as sent (cut to 128 chars).
        sub: String,
        /// The container command, uppercase (`CLIENT`).
        cmd: String,
    },
    /// `ERR syntax error`
    #[error("ERR syntax error")]
    Syntax,
    /// `ERR value is not an integer or out of range`
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    /// `ERR value is not a valid float`
    #[error("ERR value is not a valid float")]
    NotFloat,
    /// `ERR value is out of range, must be positive`
    #[error("ERR value is out of range, must be positive")]
    NotPositive,
    /// `ERR increment or decrement would overflow`
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    /// `ERR decrement would overflow`
    #[error("ERR decrement would overflow")]
    DecrementOverflow,
    /// `ERR increment would produce NaN or Infinity`
    #[error("ERR increment would produce NaN or Infinity")]
    IncrNanOrInfinity,
    /// `ERR value is NaN or Infinity` (HINCRBYFLOAT)
    #[error("ERR value is NaN or Infinity")]
    NanOrInfinity,
    /// `ERR hash value is not an integer`
    #[error("ERR hash value is not an integer")]
    HashNotInteger,
    /// `ERR hash value is not a float`
    #[error("ERR hash value is not a float")]
    HashNotFloat,
    /// `WRONGTYPE Operation against a key holding the wrong kind of value`
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    /// `ERR invalid expire time in 'set' command`
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpireTime(&'static str),
    /// `ERR no such key`
    #[error("ERR no such key")]
    NoSuchKey,
    /// `ERR offset is out of range`
    #[error("ERR offset is out of range")]
    OffsetOutOfRange,
    /// `ERR string exceeds maximum allowed size (proto-max-bulk-len)`
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    /// `ERR index out of range`
    #[error("ERR index out of range")]
    IndexOutOfRange,
    /// `ERR DB index is out of range`
    #[error("ERR DB index is out of range")]
    DbIndexOutOfRange,
    /// `ERR source and destination objects are the same`
    #[error("ERR source and destination objects are the same")]
    SameObject,
    /// `ERR invalid cursor`
    #[error("ERR invalid cursor")]
    InvalidCursor,
    /// `ERR timeout is out of range` / other `ERR <text>` replies whose text is fixed by Redis
    /// and shared by no other variant. Prefer a named variant.
    #[error("ERR {0}")]
    Err(&'static str),
    /// `ERR <text>` with text computed at run time (rare; e.g. CONFIG SET failures). Error path
    /// only.
    #[error("ERR {0}")]
    ErrOwned(String),
    /// An error line with its own code, already complete (`BUSYKEY Target key name already
    /// exists.`). Error path only.
    #[error("{0}")]
    Line(Cow<'static, str>),

    // ---- memory / loading ----------------------------------------------------------------
    /// `OOM command not allowed when used memory > 'maxmemory'.`
    #[error("OOM command not allowed when used memory > 'maxmemory'.")]
    Oom,
    /// `LOADING Redis is loading the dataset in memory`
    #[error("LOADING Redis is loading the dataset in memory")]
    Loading,

    // ---- auth / connection ----------------------------------------------------------------
    /// `NOAUTH Authentication required.`
    #[error("NOAUTH Authentication required.")]
    NoAuth,
    /// `WRONGPASS invalid username-password pair or user is disabled.`
    #[error("WRONGPASS invalid username-password pair or user is disabled.")]
    WrongPass,
    /// `ERR AUTH <password> called without any password configured for the default user. ...`
    #[error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")]
    AuthNotConfigured,
    /// `NOPROTO unsupported protocol version`
    #[error("NOPROTO unsupported protocol version")]
    NoProto,
    /// `ERR Protocol version is not an integer or out of range`
    #[error("ERR Protocol version is not an integer or out of range")]
    ProtoNotInteger,
    /// `ERR max number of clients reached`
    #[error("ERR max number of clients reached")]
    MaxClients,
    /// `ERR No such client`
    #[error("ERR No such client")]
    NoSuchClient,
    /// `ERR Client names cannot contain spaces, newlines or special characters.`
    #[error("ERR Client names cannot contain spaces, newlines or special characters.")]
    BadClientName,

    // ---- transactions ----------------------------------------------------------------------
    /// `ERR MULTI calls can not be nested`
    #[error("ERR MULTI calls can not be nested")]
    NestedMulti,
    /// `ERR EXEC without MULTI`
    #[error("ERR EXEC without MULTI")]
    ExecWithoutMulti,
    /// `ERR DISCARD without MULTI`
    #[error("ERR DISCARD without MULTI")]
    DiscardWithoutMulti,
    /// `ERR WATCH inside MULTI is not allowed`
    #[error("ERR WATCH inside MULTI is not allowed")]
    WatchInMulti,
    /// `EXECABORT Transaction discarded because of previous errors.`
    #[error("EXECABORT Transaction discarded because of previous errors.")]
    ExecAbort,
    /// `EXECABORT Transaction discarded because of: <error without its ERR prefix>`
    #[error("EXECABORT Transaction discarded because of: {0}")]
    ExecAbortBecause(String),
    /// `ERR Command not allowed inside a transaction` (`no_multi` commands).
    #[error("ERR Command not allowed inside a transaction")]
    NotInMulti,

    // ---- server ----------------------------------------------------------------------------
    /// `ERR DEBUG command not allowed. If the enable-debug-command option is set to ...`
    #[error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")]
    DebugDisabled,
    /// `ERR Unknown option or number of arguments for CONFIG SET - 'foo'`
    #[error("ERR Unknown option or number of arguments for CONFIG SET - '{0}'")]
    ConfigSetUnknown(String),
    /// `ERR CONFIG SET failed (possibly related to argument 'port') - <reason>`
    #[error("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")]
    ConfigSetFailed {
        /// The directive.
        name: String,
        /// Redis's reason text (`argument couldn't be parsed into an integer`).
        reason: String,
    },
    /// `ERR The server is running without a config file`
    #[error("ERR The server is running without a config file")]
    NoConfigFile,
    /// `ERR Errors trying to SHUTDOWN. Check logs.`
    #[error("ERR Errors trying to SHUTDOWN. Check logs.")]
    ShutdownFailed,
}

impl CmdError {
    /// The unknown-command error, formatted as Redis does: each argument quoted and followed by
    /// a space, arguments cut after 128 bytes in total, CR/LF replaced by spaces.
    pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> CmdError {
        let mut quoted = String::new();
        for a in args {
            if quoted.len() >= 128 {
                break;
            }
            let room = 128 - quoted.len();
            let a = c_str(a);
            quoted.push('\'');
            quoted.push_str(&sanitize(&a[..a.len().min(room)]));
            quoted.push_str("' ");
        }
        CmdError::UnknownCommand {
            name: sanitize(&c_str(name)[..c_str(name).len().min(128)]),
            args: quoted,
        }
    }

    /// The unknown-subcommand error: `ERR unknown subcommand 'foo'. Try CLIENT HELP.`
    pub fn unknown_subcommand(cmd: &str, sub: &[u8]) -> CmdError {
        CmdError::UnknownSubcommand {
            sub: sanitize(&sub[..sub.len().min(128)]),
            cmd: cmd.to_ascii_uppercase(),
        }
    }

    /// The wrong-arity error for a static command name.
    pub const fn arity(name: &'static str) -> CmdError {
        CmdError::WrongArity(Cow::Borrowed(name))
    }

    /// The text without its error code (`wrong number of arguments for 'exec' command`), as
    /// EXECABORT quotes it.
    pub fn without_code(&self) -> String {
        let s = self.to_string();
        match s.split_once(' ') {
            Some((code, rest)) if code.bytes().all(|b| b.is_ascii_uppercase()) => rest.to_owned(),
            _ => s,
        }
    }
}

/// The bytes before the first NUL: Redis formats these names and arguments with `%s`.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

/// Replace CR and LF by spaces (Redis does, to keep an error on one line) and decode lossily.
fn sanitize(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .chars()
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect()
}

impl From<store::Error> for CmdError {
    fn from(e: store::Error) -> CmdError {
        use store::Error as S;
        match e {
            S::WrongType => CmdError::WrongType,
            S::NotInteger => CmdError::NotInteger,
            S::HashNotInteger => CmdError::HashNotInteger,
            S::NotFloat => CmdError::NotFloat,
            S::HashNotFloat => CmdError::HashNotFloat,
            S::Overflow => CmdError::Overflow,
            S::DecrementOverflow => CmdError::DecrementOverflow,
            S::IncrNanOrInfinity => CmdError::IncrNanOrInfinity,
            S::NanOrInfinity => CmdError::NanOrInfinity,
            S::NoSuchKey => CmdError::NoSuchKey,
            S::SameObject => CmdError::SameObject,
            S::DbIndexOutOfRange => CmdError::DbIndexOutOfRange,
            S::InvalidExpireTime(cmd) => CmdError::InvalidExpireTime(cmd),
            S::StringTooLong => CmdError::StringTooLong,
            S::OffsetOutOfRange => CmdError::OffsetOutOfRange,
            S::OutOfMemory => CmdError::Oom,
            // Variants added later keep Redis's text: the store's Display is the error line.
            other => CmdError::Line(Cow::Owned(other.to_string())),
        }
    }
}

/// An error that ends a connection.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnError {
    /// The socket failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The client sent bytes that are not RESP; the error reply has been queued.
    #[error("{0}")]
    Protocol(#[from] resp::Error),
}

/// Errors of starting the server (binding, config).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration error, with Redis's text.
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    /// `Failed listening on port <port> (tcp), aborting.`
    #[error("Failed listening on port {port} (tcp), aborting.")]
    Listen {
        /// The port.
        port: u16,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Another I/O failure.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The AOF could not be loaded, opened or closed (Redis's one-line reason).
    #[error("{0}")]
    Aof(#[from] aof::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn unknown_command_text() {
        let e = CmdError::unknown_command(b"foo", &[Bytes::from("a"), Bytes::from("b\r\nc")]);
        assert_eq!(
            e.to_string(),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b  c' "
        );
        let e = CmdError::unknown_command(b"foo", &[]);
        assert_eq!(
            e.to_string(),
            "ERR unknown command 'foo', with args beginning with: "
        );
    }

    #[test]
    fn code_stripping() {
        assert_eq!(
            CmdError::arity("exec").without_code(),
            "wrong number of arguments for 'exec' command"
        );
    }
}
