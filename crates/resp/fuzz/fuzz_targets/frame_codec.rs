//! `cargo +nightly fuzz run frame_codec`: arbitrary bytes into `resp::FrameCodec`, whole and in
//! chunks, and every decoded frame through encode → decode; see `resp::fuzzing::frame_codec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| resp::fuzzing::frame_codec(data));
