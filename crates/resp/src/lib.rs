//! RESP2 and RESP3 for Rust (work in progress: see issue 3).
#![deny(missing_docs)]

mod codec;
mod error;
mod frame;
mod limits;
mod request;
pub mod write;

pub use codec::FrameCodec;
pub use error::{Error, Result};
pub use frame::{Frame, Protocol};
pub use limits::Limits;
pub use request::RequestDecoder;
