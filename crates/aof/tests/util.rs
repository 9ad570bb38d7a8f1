use std::path::Path;

use aof::{Config, LoadStats};

pub type Cmd = Vec<Vec<u8>>;

/// Loads `cfg`, collecting every command.
pub fn load_all(cfg: &Config) -> aof::Result<(Vec<Cmd>, LoadStats)> {
    let mut out = Vec::new();
    let stats = aof::load(cfg, |c| {
        out.push(c.iter().map(|a| a.to_vec()).collect());
        Ok(())
    })?;
    Ok((out, stats))
}

pub fn cmd(parts: &[&str]) -> Cmd {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}

/// RESP encoding of one command.
pub fn resp(parts: &[&str]) -> Vec<u8> {
    let mut b = bytes::BytesMut::new();
    resp::write::command(&mut b, parts);
    b.to_vec()
}

/// Copies a directory tree (flat is enough for AOF dirs with one level).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Writes a manifest with one base and the given incr files, each with its content.
pub fn make_dir(root: &Path, base: &[u8], incrs: &[&[u8]]) -> Config {
    let cfg = Config::in_dir(root);
    let dir = cfg.aof_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut manifest = String::from("file appendonly.aof.1.base.aof seq 1 type b\n");
    std::fs::write(dir.join("appendonly.aof.1.base.aof"), base).unwrap();
    for (i, c) in incrs.iter().enumerate() {
        let name = format!("appendonly.aof.{}.incr.aof", i + 1);
        manifest.push_str(&format!("file {name} seq {} type i\n", i + 1));
        std::fs::write(dir.join(&name), c).unwrap();
    }
    std::fs::write(dir.join("appendonly.aof.manifest"), manifest).unwrap();
    cfg
}

pub fn redis_bin(name: &str) -> Option<std::path::PathBuf> {
    let p = Path::new("/usr/bin").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("!!! {name} not found: skipping this differential test !!!");
        None
    }
}
