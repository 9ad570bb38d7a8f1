//! A tiny Redis client on `resp::FrameCodec` and tokio-util's `Framed`: sends the command given
//! on the command line (default `PING`) to a server and prints the reply, RESP2 or RESP3.
//!
//! ```sh
//! cargo run -p resp --example resp_client -- SET greeting hello
//! cargo run -p resp --example resp_client -- GET greeting
//! REDIS_ADDR=127.0.0.1:6380 cargo run -p resp --example resp_client -- HELLO 3
//! ```

use futures::{SinkExt, StreamExt};
use resp::{Frame, FrameCodec};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("REDIS_ADDR").unwrap_or_else(|_| "127.0.0.1:6379".into());
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        args.push("PING".into());
    }
    let stream = TcpStream::connect(&addr).await?;
    let mut conn = Framed::new(stream, FrameCodec::new());
    // A command is an array of bulk strings; `send` encodes it and flushes.
    let command = args
        .iter()
        .map(|a| Frame::Bulk(a.clone().into_bytes().into()))
        .collect();
    conn.send(Frame::Array(command)).await?;
    match conn.next().await {
        Some(Ok(reply)) => print(&reply, 0),
        Some(Err(e)) => return Err(e.into()),
        None => return Err("connection closed before the reply".into()),
    }
    Ok(())
}

/// Prints a reply roughly as redis-cli does.
fn print(frame: &Frame, depth: usize) {
    let pad = "   ".repeat(depth);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match frame {
        Frame::Simple(s) => println!("{pad}{}", text(s)),
        Frame::Error(e) => println!("{pad}(error) {}", text(e)),
        Frame::Integer(n) => println!("{pad}(integer) {n}"),
        Frame::Bulk(b) => println!("{pad}\"{}\"", text(b)),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            if items.is_empty() {
                println!("{pad}(empty array)");
            }
            for (i, item) in items.iter().enumerate() {
                println!("{pad}{})", i + 1);
                print(item, depth + 1);
            }
        }
        Frame::Map(pairs) => {
            for (k, v) in pairs {
                print(k, depth);
                print(v, depth + 1);
            }
        }
        other => println!("{pad}{other:?}"),
    }
}
