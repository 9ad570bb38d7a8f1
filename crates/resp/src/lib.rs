//! RESP2 and RESP3 for Rust: the [`Frame`] type, a zero-copy server [`RequestDecoder`], a general
//! [`FrameCodec`] for clients and tools, and allocation-free reply writers in [`write`](mod@write).
//!
//! The crate knows nothing of commands; it turns bytes into arguments and frames into bytes, the
//! way Redis 7.0 does.
//!
//! - [`RequestDecoder`] is what a server reads requests with: a RESP array of bulk strings or an
//!   inline line (`SET a "b c"\r\n`, quoted as redis-cli and `sdssplitargs` do) becomes one
//!   `Vec<Bytes>` of arguments, each a slice of the read buffer. It keeps resume state, so a value
//!   arriving in many reads is not re-parsed, and applies Redis's limits ([`Limits`], tighter ones
//!   before AUTH) before reserving memory. Its errors are Redis's texts: reply `-ERR {error}` and
//!   close.
//! - [`FrameCodec`] decodes and encodes every RESP2 and RESP3 type, incrementally, with a nesting
//!   limit. [`Frame::encode`] writes a frame straight into a `BytesMut`.
//! - [`write`](mod@write) appends single reply elements (`+OK`, `:1`, `$3\r\nfoo`, map headers...) to the
//!   connection's output buffer, choosing the RESP2 or RESP3 form from a [`Protocol`].
//! - [`Error`] / [`Result`]: one error type for both directions.
//!
//! # Example: a server reading a request and writing a reply
//!
//! ```
//! use bytes::BytesMut;
//! use resp::{write, Protocol, RequestDecoder};
//! use tokio_util::codec::Decoder;
//!
//! let mut decoder = RequestDecoder::new();
//! // What `redis-cli hset h f v` sends, then half of the next request.
//! let mut input = BytesMut::from(&b"*4\r\n$4\r\nhset\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n*1\r\n$4\r\nPI"[..]);
//! let args = decoder.decode(&mut input)?.expect("a whole request");
//! assert_eq!(args, ["hset", "h", "f", "v"]);
//! assert_eq!(decoder.decode(&mut input)?, None); // waits for the rest
//!
//! let mut out = BytesMut::new();
//! write::integer(&mut out, 1);
//! write::map_len(&mut out, 1, Protocol::Resp3);
//! write::bulk(&mut out, &args[2]);
//! write::bulk(&mut out, &args[3]);
//! assert_eq!(&out[..], b":1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
//!
//! // A protocol error is Redis's text.
//! let mut bad = BytesMut::from(&b"*1\r\n$x\r\n"[..]);
//! let err = RequestDecoder::new().decode(&mut bad).unwrap_err();
//! assert_eq!(format!("-ERR {err}"), "-ERR Protocol error: invalid bulk length");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Example: a tiny client
//!
//! [`FrameCodec`] plugs into tokio-util's `Framed` (see also `examples/resp_client.rs`):
//!
//! ```no_run
//! use futures::{SinkExt, StreamExt};
//! use resp::{Frame, FrameCodec};
//! use tokio::net::TcpStream;
//! use tokio_util::codec::Framed;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let stream = TcpStream::connect("127.0.0.1:6379").await?;
//! let mut conn = Framed::new(stream, FrameCodec::new());
//! let command = ["SET", "greeting", "hello"];
//! conn.send(Frame::Array(command.iter().map(|a| Frame::Bulk(a.as_bytes().to_vec().into())).collect()))
//!     .await?;
//! match conn.next().await {
//!     Some(Ok(Frame::Simple(s))) => println!("{}", String::from_utf8_lossy(&s)),
//!     other => println!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Redis compatibility
//!
//! The request decoder follows redis-server 7.0.15 byte for byte, quirks included (checked with
//! raw bytes against the real server): `*0` and negative counts are skipped, the two bytes after a
//! bulk payload are not checked, a NUL in a length line or inline line stops the line search as
//! `strchr` does, and the limits and their error texts are Redis's. See [`RequestDecoder`].
#![deny(missing_docs)]

mod codec;
mod error;
mod frame;
#[doc(hidden)]
pub mod fuzzing;
pub mod limits;
mod peek;
mod request;
pub mod write;

pub use codec::{decode_frames, encode_frame, FrameCodec};
pub use error::{Error, Result};
pub use frame::{Frame, Protocol};
pub use limits::Limits;
pub use peek::{peek_requests, Peeked};
pub use request::RequestDecoder;
