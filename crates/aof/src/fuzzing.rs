//! The body of the AOF loader fuzz target in `crates/aof/fuzz` (cargo fuzz, nightly), kept here
//! as a plain function so stable Rust can run it too (the `fuzz_smoke` integration tests do).
//!
//! [`loader`] writes arbitrary bytes as an AOF directory (an old-style single file, or a
//! manifest and the files it names) and loads it, with `aof-load-truncated` on and off, then
//! checks it as `redis-check-aof` would. Invariants: no panic; every command handed to the
//! caller is non-empty; a load that succeeds with truncation off also succeeds with it on and
//! yields the same commands; a load with truncation on never yields more than the file holds.

use std::path::Path;

use crate::{Config, Manifest};

/// Feeds `data` to the manifest parser, the loader and the checker inside `dir` (an existing,
/// otherwise empty directory reused between calls). Panics when an invariant breaks.
pub fn loader(dir: &Path, data: &[u8]) {
    let _ = Manifest::parse(data);
    let cfg = Config::in_dir(dir);
    let aof_dir = cfg.aof_dir();
    let _ = std::fs::remove_dir_all(&aof_dir);
    let _ = std::fs::remove_file(cfg.old_style_path());
    let (mode, body) = data.split_first().unwrap_or((&0, &[]));
    let written = if mode % 2 == 0 {
        std::fs::write(cfg.old_style_path(), body)
    } else {
        // "<manifest>\0<base>\0<incr>": the manifest names these two files.
        let mut parts = body.splitn(3, |&b| b == 0);
        let manifest = parts.next().unwrap_or_default();
        let base = parts.next().unwrap_or_default();
        let incr = parts.next().unwrap_or_default();
        std::fs::create_dir_all(&aof_dir)
            .and_then(|()| std::fs::write(aof_dir.join(cfg.manifest_name()), manifest))
            .and_then(|()| std::fs::write(aof_dir.join("appendonly.aof.1.base.aof"), base))
            .and_then(|()| std::fs::write(aof_dir.join("appendonly.aof.1.incr.aof"), incr))
    };
    if written.is_err() {
        return;
    }
    let strict = run(&Config {
        load_truncated: false,
        ..cfg.clone()
    });
    // The lenient load may truncate files: run it after the strict one.
    let lenient = run(&Config {
        load_truncated: true,
        ..cfg.clone()
    });
    if let (Some(s), Some(l)) = (&strict, &lenient) {
        assert_eq!(
            s, l,
            "a strict load that succeeds must equal the lenient one"
        );
    }
    let target = if mode % 2 == 0 {
        cfg.old_style_path()
    } else {
        aof_dir.join(cfg.manifest_name())
    };
    let mut no_input = std::io::empty();
    let mut sink = std::io::sink();
    let _ = crate::check::check(&target, crate::check::Mode::Check, &mut no_input, &mut sink);
}

/// The commands a load yielded, or `None` if it failed.
fn run(cfg: &Config) -> Option<Vec<Vec<Vec<u8>>>> {
    let mut seen = Vec::new();
    let loaded = crate::load(cfg, |cmd| {
        assert!(!cmd.is_empty(), "the loader handed out an empty command");
        seen.push(cmd.iter().map(|a| a.to_vec()).collect());
        Ok(())
    });
    loaded.ok().map(|_| seen)
}
