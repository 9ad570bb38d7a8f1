//! `cargo +nightly fuzz run aof_loader`: arbitrary bytes as an AOF directory (old-style file,
//! or manifest + base + incr), loaded strictly and leniently and checked; see
//! `aof::fuzzing::loader` for the invariants.
#![no_main]

use std::sync::OnceLock;

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("aof-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| aof::fuzzing::loader(dir(), data));
