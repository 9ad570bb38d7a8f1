//! `cargo +nightly fuzz run request_decoder`: arbitrary bytes into `resp::RequestDecoder`,
//! whole, in chunks and byte by byte; see `resp::fuzzing::request_decoder` for the invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| resp::fuzzing::request_decoder(data));
