//! The manifest: which files make up the AOF, in Redis 7's text format.
//!
//! One line per file, `file <name> seq <n> type <b|h|i>`, base first, then history, then the
//! incremental files in sequence order. Names that need it are quoted as Redis's `sdscatrepr`
//! does; lines are split as `sdssplitargs` splits them; unknown keys are ignored (Redis reserves
//! them for forward compatibility) and `#` lines are comments.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use crate::error::{io_err, ManifestError, Result};

/// Longest manifest line Redis reads (`MANIFEST_MAX_LINE`).
const MANIFEST_MAX_LINE: usize = 1024;

/// The kind of an AOF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `b`: the base, a snapshot written by a rewrite (or an adopted old-style file).
    Base,
    /// `h`: a file superseded by a rewrite, about to be deleted.
    History,
    /// `i`: commands appended after the base.
    Incr,
}

impl FileType {
    fn as_char(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }
}

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// File name inside the AOF directory (never a path).
    pub name: String,
    /// Sequence number (base and incremental files have separate sequences).
    pub seq: u64,
    /// Kind of file.
    pub kind: FileType,
}

/// The parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file, if any.
    pub base: Option<FileInfo>,
    /// Files to delete (superseded by a rewrite).
    pub history: Vec<FileInfo>,
    /// Incremental files, in load order.
    pub incr: Vec<FileInfo>,
    /// Highest base sequence number used so far.
    pub base_seq: u64,
    /// Highest incremental sequence number used so far.
    pub incr_seq: u64,
}

impl Manifest {
    /// Parses a manifest as Redis 7.0's `aofLoadManifestFromFile` does, with its error texts.
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut lines = 0usize;
        let mut rest = text;
        while !rest.is_empty() {
            // Redis reads with fgets(MANIFEST_MAX_LINE + 1): a longer line comes in pieces.
            let (line, newline) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) if i < MANIFEST_MAX_LINE => (&rest[..i], true),
                _ => (&rest[..rest.len().min(MANIFEST_MAX_LINE)], false),
            };
            rest = &rest[line.len() + newline as usize..];
            lines += 1;
            if line.first() == Some(&b'#') {
                if !newline {
                    // The rest of an over-long comment line is read as the next line.
                }
                continue;
            }
            if !newline {
                return Err(ManifestError::TooLongLine);
            }
            let trimmed = trim(line);
            if trimmed.is_empty() {
                return Err(ManifestError::InvalidFormat);
            }
            let argv = split_args(trimmed).ok_or(ManifestError::InvalidFormat)?;
            if argv.len() < 6 || argv.len() % 2 != 0 {
                return Err(ManifestError::InvalidFormat);
            }
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in argv.chunks(2) {
                let key = &pair[0];
                if key.eq_ignore_ascii_case(b"file") {
                    let n = String::from_utf8_lossy(&pair[1]).into_owned();
                    if n.contains('/') {
                        return Err(ManifestError::PathNotAllowed);
                    }
                    name = Some(n);
                } else if key.eq_ignore_ascii_case(b"seq") {
                    seq = atoll(&pair[1]);
                } else if key.eq_ignore_ascii_case(b"type") {
                    kind = pair[1].first().copied();
                }
            }
            let (Some(name), Some(kind)) = (name, kind) else {
                return Err(ManifestError::InvalidFormat);
            };
            if seq == 0 || name.is_empty() || kind == 0 {
                return Err(ManifestError::InvalidFormat);
            }
            match kind {
                b'b' => {
                    if m.base.is_some() {
                        return Err(ManifestError::DuplicateBase);
                    }
                    m.base_seq = seq;
                    m.base = Some(FileInfo {
                        name,
                        seq,
                        kind: FileType::Base,
                    });
                }
                b'h' => m.history.push(FileInfo {
                    name,
                    seq,
                    kind: FileType::History,
                }),
                b'i' => {
                    if seq <= m.incr_seq {
                        return Err(ManifestError::NonMonotonic);
                    }
                    m.incr_seq = seq;
                    m.incr.push(FileInfo {
                        name,
                        seq,
                        kind: FileType::Incr,
                    });
                }
                _ => return Err(ManifestError::UnknownType),
            }
        }
        if lines == 0 {
            return Err(ManifestError::Empty);
        }
        Ok(m)
    }

    /// The manifest as Redis writes it: base, history, then incremental files.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in self.base.iter().chain(&self.history).chain(&self.incr) {
            out.push_str("file ");
            out.push_str(&repr(&f.name));
            out.push_str(" seq ");
            out.push_str(itoa::Buffer::new().format(f.seq));
            out.push_str(" type ");
            out.push(f.kind.as_char());
            out.push('\n');
        }
        out
    }

    /// The files to load, in order: base, then incremental files.
    pub fn load_order(&self) -> impl Iterator<Item = &FileInfo> {
        self.base.iter().chain(&self.incr)
    }

    /// Whether no base and no incremental file is listed.
    pub fn is_empty(&self) -> bool {
        self.base.is_none() && self.incr.is_empty()
    }

    /// Adds a new incremental file named after `prefix` and returns its name.
    pub fn new_incr(&mut self, prefix: &str) -> String {
        self.incr_seq += 1;
        let name = format!("{prefix}.{}.incr.aof", self.incr_seq);
        self.incr.push(FileInfo {
            name: name.clone(),
            seq: self.incr_seq,
            kind: FileType::Incr,
        });
        name
    }

    /// Sets a new base named after `prefix`, turning the old base and every incremental file
    /// but the last `keep_incr` into history; returns the new base name.
    pub fn new_base(&mut self, prefix: &str, keep_incr: usize) -> String {
        self.base_seq += 1;
        let name = format!("{prefix}.{}.base.aof", self.base_seq);
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.push(old);
        }
        let cut = self.incr.len().saturating_sub(keep_incr);
        for mut f in self.incr.drain(..cut) {
            f.kind = FileType::History;
            self.history.push(f);
        }
        self.base = Some(FileInfo {
            name: name.clone(),
            seq: self.base_seq,
            kind: FileType::Base,
        });
        name
    }

    /// Reads `<dir>/<name>`; `Ok(None)` when it does not exist.
    pub fn load(dir: &Path, name: &str) -> Result<Option<Manifest>> {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(text) => Ok(Some(Manifest::parse(&text)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("read", path)(e)),
        }
    }

    /// Writes the manifest atomically: a temp file, fsync, rename over `<dir>/<name>`, fsync of
    /// the directory. A crash leaves either the old or the new manifest, never a mix.
    pub fn persist(&self, dir: &Path, name: &str) -> Result<()> {
        let tmp = dir.join(format!("temp-{name}"));
        let path = dir.join(name);
        let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
        f.write_all(self.to_text().as_bytes())
            .map_err(io_err("write", &tmp))?;
        f.sync_all().map_err(io_err("fsync", &tmp))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(io_err("rename", &tmp))?;
        sync_dir(dir)
    }
}

/// fsyncs a directory so a rename or a new file in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    let d = File::open(dir).map_err(io_err("open", dir))?;
    d.sync_all().map_err(io_err("fsync", dir))
}

fn trim(mut s: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while s.first().is_some_and(ws) {
        s = &s[1..];
    }
    while s.last().is_some_and(ws) {
        s = &s[..s.len() - 1];
    }
    s
}

/// C `atoll`: optional sign and leading digits, 0 when none; negative values become 0 here.
fn atoll(s: &[u8]) -> u64 {
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut n: u64 = 0;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        i += 1;
    }
    if neg {
        0
    } else {
        n
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Redis's `sdssplitargs`: whitespace-separated words, `"..."` with `\n \r \t \b \a \xHH`
/// escapes, `'...'` with `\'`. `None` for unbalanced quotes or a closing quote not followed by
/// a space.
pub(crate) fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    // A C string ends at its first NUL (found by the loader fuzz smoke test: an unquoted NUL
    // used to stop a word without advancing, an endless loop of empty words).
    let line = &line[..line.iter().position(|&b| b == 0).unwrap_or(line.len())];
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= line.len() {
            return Some(out);
        }
        let (mut inq, mut insq) = (false, false);
        let mut cur = Vec::new();
        loop {
            let c = line.get(i).copied();
            if inq {
                match c {
                    None => return None,
                    Some(b'\\')
                        if line.get(i + 1) == Some(&b'x')
                            && line.get(i + 2).and_then(|&b| hex(b)).is_some()
                            && line.get(i + 3).and_then(|&b| hex(b)).is_some() =>
                    {
                        let hi = hex(line[i + 2]).unwrap_or(0);
                        let lo = hex(line[i + 3]).unwrap_or(0);
                        cur.push(hi * 16 + lo);
                        i += 3;
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        i += 1;
                        cur.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'a' => 7,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        if line.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => cur.push(b),
                }
            } else if insq {
                match c {
                    None => return None,
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        i += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => {
                        if line.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => cur.push(b),
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t' | 0) => break,
                    Some(b'"') => inq = true,
                    Some(b'\'') => insq = true,
                    Some(b) => cur.push(b),
                }
            }
            i += 1;
        }
        out.push(cur);
    }
}

/// Redis's `sdsneedsrepr` + `sdscatrepr`: the name as-is, or double-quoted with escapes.
fn repr(name: &str) -> String {
    let needs = name.bytes().any(|b| {
        matches!(b, b'\\' | b'"' | b'\n' | b'\r' | b'\t' | 7 | 8 | b' ')
            || !(0x20..0x7f).contains(&b)
    });
    if !needs {
        return name.to_owned();
    }
    let mut s = String::from("\"");
    for b in name.bytes() {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            7 => s.push_str("\\a"),
            8 => s.push_str("\\b"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_redis_manifest() {
        let m = Manifest::parse(
            b"file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
        )
        .unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.1.base.aof");
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.incr_seq, 1);
        assert_eq!(m.base_seq, 1);
    }

    /// Regression (found by the `fuzz_smoke` test): an unquoted NUL looped forever, growing
    /// the word list without bound. A C string ends there, as in Redis.
    #[test]
    fn nul_ends_the_line_as_in_c() {
        assert_eq!(
            split_args(b"file a\0b seq 1"),
            Some(vec![b"file".to_vec(), b"a".to_vec()])
        );
        assert_eq!(split_args(b"\0*2"), Some(vec![]));
        assert!(Manifest::parse(b"\0*2\r\n$6\r\n").is_err());
    }

    #[test]
    fn round_trips_quoted_names() {
        let mut m = Manifest::default();
        m.new_base("my file \"x\"", 0);
        m.new_incr("my file \"x\"");
        let text = m.to_text();
        assert_eq!(
            text,
            "file \"my file \\\"x\\\".1.base.aof\" seq 1 type b\nfile \"my file \\\"x\\\".1.incr.aof\" seq 1 type i\n"
        );
        assert_eq!(Manifest::parse(text.as_bytes()).unwrap(), m);
    }

    #[test]
    fn unknown_keys_and_comments() {
        let m = Manifest::parse(b"# hi\nfile a seq 3 type i newkey v\n").unwrap();
        assert_eq!(m.incr[0].seq, 3);
    }

    #[test]
    fn errors_in_redis_words() {
        let e = |t: &[u8]| Manifest::parse(t).unwrap_err().to_string();
        assert_eq!(e(b""), "Found an empty AOF manifest");
        assert_eq!(e(b"file a seq 1\n"), "Invalid AOF manifest file format");
        assert_eq!(e(b"\n"), "Invalid AOF manifest file format");
        assert_eq!(
            e(b"file a seq 1 type b"),
            "The AOF manifest file contains too long line"
        );
        assert_eq!(
            e(b"file a seq 1 type b\nfile b seq 2 type b\n"),
            "Found duplicate base file information"
        );
        assert_eq!(e(b"file a seq 1 type x\n"), "Unknown AOF file type");
        assert_eq!(
            e(b"file a seq 2 type i\nfile b seq 2 type i\n"),
            "Found a non-monotonic sequence number"
        );
        assert_eq!(
            e(b"file a/b seq 2 type i\n"),
            "File can't be a path, just a filename"
        );
        assert_eq!(
            e(b"file \"a seq 2 type i\n"),
            "Invalid AOF manifest file format"
        );
        assert_eq!(
            e(b"file a seq 0 type i\n"),
            "Invalid AOF manifest file format"
        );
        let long = format!("file {} seq 1 type b\n", "a".repeat(1100));
        assert_eq!(
            e(long.as_bytes()),
            "The AOF manifest file contains too long line"
        );
    }

    #[test]
    fn new_base_moves_old_files_to_history() {
        let mut m = Manifest::default();
        m.new_base("ap", 0);
        m.new_incr("ap");
        m.new_incr("ap");
        let b = m.new_base("ap", 1);
        assert_eq!(b, "ap.2.base.aof");
        assert_eq!(m.history.len(), 2);
        assert_eq!(m.incr.len(), 1);
        assert_eq!(m.incr[0].name, "ap.2.incr.aof");
        assert_eq!(
            m.to_text(),
            "file ap.2.base.aof seq 2 type b\nfile ap.1.base.aof seq 1 type h\nfile ap.1.incr.aof seq 1 type h\nfile ap.2.incr.aof seq 2 type i\n"
        );
    }
}
