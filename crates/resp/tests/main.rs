//! Integration tests of the `resp` crate, one module per area.

/// Shared helpers: feeding decoders whole, split, and through `FramedRead`.
mod util;

/// `RequestDecoder`: real client captures, every split, Redis's errors and limits.
mod requests;

/// `FrameCodec`: real server replies (RESP2 and RESP3), every split, re-encoding.
mod frames;

/// Property tests: encode → decode round trips over arbitrary splits of the stream.
mod proptests;

/// The fuzz targets' bodies, run on stable over captures and random inputs.
mod fuzz_smoke;
