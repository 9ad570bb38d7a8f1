use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::{Error, Frame};

/// General RESP2/RESP3 [`Frame`] codec for clients and tools. (Being written: issue 3.)
#[derive(Debug, Default)]
pub struct FrameCodec {}

impl FrameCodec {
    /// A new codec.
    pub fn new() -> Self {
        FrameCodec {}
    }
}

impl Decoder for FrameCodec {
    type Item = Frame;
    type Error = Error;

    fn decode(&mut self, _src: &mut BytesMut) -> Result<Option<Frame>, Error> {
        Err(Error::Invalid("frame decoder not written yet"))
    }
}

impl Encoder<Frame> for FrameCodec {
    type Error = Error;

    fn encode(&mut self, _item: Frame, _dst: &mut BytesMut) -> Result<(), Error> {
        Err(Error::Invalid("frame encoder not written yet"))
    }
}
