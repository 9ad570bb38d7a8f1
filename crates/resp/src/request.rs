use bytes::{Bytes, BytesMut};
use tokio_util::codec::Decoder;

use crate::{Error, Limits};

/// Server-side request decoder: yields one command as its argument list, from a RESP array of
/// bulk strings or from an inline command line. (Being written: issue 3.)
#[derive(Debug, Default)]
pub struct RequestDecoder {
    limits: Limits,
    authenticated: bool,
}

impl RequestDecoder {
    /// A decoder with Redis's default limits, for an authenticated client.
    pub fn new() -> Self {
        RequestDecoder {
            limits: Limits::default(),
            authenticated: true,
        }
    }

    /// A decoder with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        RequestDecoder {
            limits,
            authenticated: true,
        }
    }

    /// Before AUTH, Redis applies tighter limits (10 arguments, 16 KB bulks).
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.authenticated = authenticated;
    }

    /// Replace the limits (CONFIG SET proto-max-bulk-len).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }
}

impl Decoder for RequestDecoder {
    type Item = Vec<Bytes>;
    type Error = Error;

    fn decode(&mut self, _src: &mut BytesMut) -> Result<Option<Vec<Bytes>>, Error> {
        let _ = (&self.limits, self.authenticated);
        Err(Error::Invalid("request decoder not written yet"))
    }
}
