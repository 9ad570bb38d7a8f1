//! A Redis-compatible server: listener, connections, command table, transactions, auth,
//! configuration.
//!
//! [`run`] serves a [`Config`] on a `TcpListener` until a shutdown future resolves (the caller
//! owns signals). Inside, one tokio task per connection reads into one buffer, decodes every
//! complete request, executes them in order through the command table and writes all replies
//! in one write per batch.
//!
//! Commands are plain functions `fn(&mut Ctx, Args) -> CmdResult` registered in per-family
//! tables ([`Spec`]); see `commands/strings.rs` for GET and SET.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! server::run(listener, server::Config::default(), tokio::signal::ctrl_c()).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Without a network, [`LocalClient`] runs commands through the same dispatch:
//!
//! ```
//! use bytes::Bytes;
//! let shared = server::Shared::new(server::Config::default());
//! let mut c = server::LocalClient::new(&shared);
//! let reply = c.execute(&shared, &[Bytes::from("PING")]);
//! assert_eq!(&reply[..], b"+PONG\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod args;
pub mod client;
mod clock;
mod commands;
pub mod config;
mod connection;
mod counter;
pub mod ctx;
mod digest;
mod dispatch;
pub mod error;
pub mod glob;
mod info;
mod listener;
pub mod log;
pub mod os;
mod persist;
mod replay;
pub mod shared;
pub mod slowlog;
pub mod stop;
pub mod table;

pub use args::Args;
pub use config::Config;
pub use ctx::{Ctx, Out};
pub use dispatch::LocalClient;
pub use error::{CmdError, CmdResult, ConnError, Error};
pub use listener::{bind, run, serve, serve_persistent};
pub use persist::Persistence;
pub use shared::{Propagate, Shared};
pub use table::{Flags, Group, Spec};

/// The Redis version whose behaviour this server matches (INFO `redis_version`).
pub const REDIS_VERSION: &str = "7.0.15";
/// This server's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
