//! Append-only file persistence in Redis 7's multi-part format.
//!
//! The AOF lives in `<dir>/<appenddirname>/`: a manifest
//! (`<appendfilename>.manifest`, see [`Manifest`]) lists a base file and incremental files,
//! each a sequence of RESP command arrays, so data moves both ways between this crate and
//! `redis-server` 7 (with `aof-use-rdb-preamble no`).
//!
//! - [`load`] replays a directory: every command goes to the caller's closure as `&[Bytes]`
//!   (this crate knows nothing of what commands do), MULTI/EXEC blocks only once complete; a
//!   truncated tail is cut (`aof-load-truncated yes`), corruption is refused with the file and
//!   byte offset, in Redis's words.
//! - [`Aof`] appends [`Batch`]es from many threads or tasks: each write reaches the OS before
//!   [`Aof::write`] returns; [`Aof::wait_durable`] implements `appendfsync always` with group
//!   commit (one fsync for every batch written meanwhile); a background thread does `everysec`.
//! - [`Aof::start_rewrite`] / [`BaseWriter`] / [`Aof::finish_rewrite`] replace the files by a
//!   snapshot while writes continue into a new incremental file, with an atomic manifest
//!   switch.
//! - [`check`] is `redis-check-aof`: check, `--fix`, `--truncate-to-timestamp`.
//!
//! # Example
//!
//! ```
//! use aof::{Aof, Batch, Config, FsyncPolicy};
//!
//! let tmp = tempfile::tempdir()?;
//! let cfg = Config { fsync: FsyncPolicy::Always, ..Config::in_dir(tmp.path()) };
//!
//! // Append: SELECT 0 is added before the first command of the file.
//! let log = Aof::open(cfg.clone())?;
//! let mut batch = Batch::new();
//! batch.push(0, &["SET", "k", "v"]);
//! batch.push(0, &["PEXPIREAT", "k", "4102444800000"]);
//! let ticket = log.write(&mut batch)?;
//! log.wait_durable_blocking(ticket)?; // fsync'd: now the reply may go out
//! log.close()?;
//!
//! // Replay.
//! let mut seen = Vec::new();
//! let stats = aof::load(&cfg, |cmd| {
//!     seen.push(cmd.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>());
//!     Ok(())
//! })?;
//! assert_eq!(stats.commands, 3);
//! assert_eq!(seen[0], ["SELECT", "0"]);
//! assert_eq!(seen[1], ["SET", "k", "v"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod check;
mod config;
mod error;
pub mod fuzzing;
mod manifest;
mod parse;
mod replay;
mod rewrite;
mod writer;

pub use config::{Config, FsyncPolicy};
pub use error::{Error, ManifestError, Result};
pub use manifest::{FileInfo, FileType, Manifest};
pub use replay::{load, upgrade_old_style, ExecError, LoadStats};
pub use rewrite::{BaseWriter, Rewrite};
pub use writer::{Aof, Batch, Status, Ticket};
