//! `redis-check-aof`: check an AOF (a manifest or a single file), `--fix` a truncated tail,
//! `--truncate-to-timestamp`.
//!
//! Output, exit codes and phrases follow redis-check-aof 7.0 (scripts match them): everything
//! goes to the given writer (stdout for the binary), 0 when the files are valid or were fixed,
//! 1 otherwise. Line numbers (`ok_up_to_line`) count CRLF-terminated lines from 1 across all
//! the files checked, as Redis counts them.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use crate::manifest::Manifest;

/// What to do with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report only.
    Check,
    /// Truncate a truncated or damaged last file at its last valid command (asks `y`).
    Fix,
    /// Truncate at the first `#TS:<t>` annotation later than the given unix time.
    TruncateToTimestamp(i64),
}

/// Runs redis-check-aof's command line: `[--fix|--truncate-to-timestamp <ts>] <file>`.
/// `prog` names the program in the usage line. Returns the exit code.
pub fn main(prog: &str, args: &[String], stdin: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let usage = |out: &mut dyn Write| {
        let _ = writeln!(
            out,
            "Usage: {prog} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>"
        );
        1
    };
    let (mode, file) = match args {
        [f] => (Mode::Check, f),
        [opt, f] if opt == "--fix" => (Mode::Fix, f),
        [opt, ts, f] if opt == "--truncate-to-timestamp" => {
            (Mode::TruncateToTimestamp(strtol(ts.as_bytes()).0), f)
        }
        _ => return usage(out),
    };
    check(Path::new(file), mode, stdin, out)
}

/// Checks `path` (a manifest, or a single RESP file) and reports to `out`; returns the exit
/// code. `stdin` answers `--fix`'s confirmation.
pub fn check(path: &Path, mode: Mode, stdin: &mut dyn BufRead, out: &mut dyn Write) -> i32 {
    let mut c = Checker {
        line: 1,
        mode,
        stdin,
        out,
    };
    match c.run(path) {
        Ok(()) => 0,
        Err(Exit) => 1,
    }
}

/// Stop with exit code 1 (the message is already printed).
struct Exit;

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Empty,
    Truncated,
    TimestampTruncated,
}

struct Checker<'a> {
    line: u64,
    mode: Mode,
    stdin: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

macro_rules! say {
    ($c:expr, $($t:tt)*) => {{ let _ = writeln!($c.out, $($t)*); }};
}

fn is_manifest(data: &[u8]) -> bool {
    for line in data.split(|&b| b == b'\n') {
        if line.first() == Some(&b'#') {
            continue;
        }
        return line.starts_with(b"file");
    }
    false
}

impl Checker<'_> {
    fn run(&mut self, path: &Path) -> Result<(), Exit> {
        let data = match fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                say!(self, "Cannot open file {}: {}", path.display(), os_msg(&e));
                return Err(Exit);
            }
        };
        if is_manifest(&data) {
            return self.multi_part(path, &data);
        }
        if data.starts_with(b"REDIS") {
            say!(self, "Start checking Old-Style AOF");
            say!(self, "RDB preamble of AOF file is not sane, aborting.");
            return Err(Exit);
        }
        say!(self, "Start checking Old-Style AOF");
        let name = path.display().to_string();
        match self.single(&name, path, true)? {
            Outcome::Ok => say!(self, "AOF {name} is valid"),
            Outcome::Empty => say!(self, "AOF {name} is empty"),
            Outcome::Truncated => say!(self, "Successfully truncated AOF {name}"),
            Outcome::TimestampTruncated => {
                if let Mode::TruncateToTimestamp(ts) = self.mode {
                    say!(self, "Successfully truncated AOF {name} to timestamp {ts}");
                }
            }
        }
        Ok(())
    }

    fn multi_part(&mut self, path: &Path, data: &[u8]) -> Result<(), Exit> {
        say!(self, "Start checking Multi Part AOF");
        let m = match Manifest::parse(data) {
            Ok(m) => m,
            Err(e) => {
                say!(self, "\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
                say!(self, "{e}");
                return Err(Exit);
            }
        };
        let dir: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let total = usize::from(m.base.is_some()) + m.incr.len();
        let mut n = 0;
        if let Some(b) = &m.base {
            n += 1;
            let p = dir.join(&b.name);
            let rdb = fs::read(&p)
                .map(|d| d.starts_with(b"REDIS"))
                .unwrap_or(false);
            say!(
                self,
                "Start to check BASE AOF ({} format).",
                if rdb { "RDB" } else { "RESP" }
            );
            if rdb {
                say!(self, "RDB preamble of AOF file is not sane, aborting.");
                return Err(Exit);
            }
            let r = self.single(&b.name, &p, n == total)?;
            self.style(&r, &b.name, "BASE AOF");
        }
        if !m.incr.is_empty() {
            say!(self, "Start to check INCR files.");
            for f in &m.incr {
                n += 1;
                let r = self.single(&f.name, &dir.join(&f.name), n == total)?;
                self.style(&r, &f.name, "INCR AOF");
            }
        }
        say!(self, "All AOF files and manifest are valid");
        Ok(())
    }

    fn style(&mut self, r: &Outcome, name: &str, kind: &str) {
        match r {
            Outcome::Ok => say!(self, "{kind} {name} is valid"),
            Outcome::Empty => say!(self, "{kind} {name} is empty"),
            Outcome::Truncated => say!(self, "Successfully truncated AOF {name}"),
            Outcome::TimestampTruncated => {
                if let Mode::TruncateToTimestamp(ts) = self.mode {
                    say!(self, "Successfully truncated AOF {name} to timestamp {ts}");
                }
            }
        }
    }

    fn single(&mut self, name: &str, path: &Path, last: bool) -> Result<Outcome, Exit> {
        let data = match fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                say!(
                    self,
                    "Cannot open file {}: {}, aborting...",
                    path.display(),
                    os_msg(&e)
                );
                return Err(Exit);
            }
        };
        let size = data.len() as u64;
        if size == 0 {
            return Ok(Outcome::Empty);
        }
        let scan = self.process(name, &data);
        if let Some(msg) = &scan.error {
            say!(self, "{msg}");
        }
        let to_ts = match self.mode {
            Mode::TruncateToTimestamp(ts) => Some(ts),
            _ => None,
        };
        match scan.stop {
            Stop::NothingBeforeTimestamp => {
                say!(
                    self,
                    "AOF {name} has nothing before timestamp {}, aborting...",
                    to_ts.unwrap_or(0)
                );
                return Err(Exit);
            }
            Stop::Timestamp(at) => {
                if !last {
                    say!(
                        self,
                        "Failed to truncate AOF {name} because it is not the last file"
                    );
                    return Err(Exit);
                }
                if truncate(path, at).is_err() {
                    say!(
                        self,
                        "Failed to truncate AOF {name} to timestamp {}",
                        to_ts.unwrap_or(0)
                    );
                    return Err(Exit);
                }
                return Ok(Outcome::TimestampTruncated);
            }
            Stop::Other => {}
        }
        let pos = scan.pos;
        let diff = size - pos;
        if diff == 0 {
            if let Some(ts) = to_ts {
                say!(self, "Truncate nothing in AOF {name} to timestamp {ts}");
                return Ok(Outcome::Ok);
            }
        }
        say!(
            self,
            "AOF analyzed: filename={name}, size={size}, ok_up_to={pos}, ok_up_to_line={}, diff={diff}",
            self.line
        );
        if diff == 0 {
            return Ok(Outcome::Ok);
        }
        if self.mode == Mode::Fix || to_ts.is_some() {
            if !last {
                say!(
                    self,
                    "Failed to truncate AOF {name} because it is not the last file"
                );
                return Err(Exit);
            }
            if to_ts.is_none() {
                say!(self, "This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {pos} bytes");
                let _ = write!(self.out, "Continue? [y/N]: ");
                let _ = self.out.flush();
                let mut answer = String::new();
                let yes = self.stdin.read_line(&mut answer).is_ok()
                    && answer
                        .as_bytes()
                        .first()
                        .is_some_and(|b| b.eq_ignore_ascii_case(&b'y'));
                if !yes {
                    say!(self, "Aborting...");
                    return Err(Exit);
                }
            }
            if truncate(path, pos).is_err() {
                say!(self, "Failed to truncate AOF {name}");
                return Err(Exit);
            }
            return Ok(if to_ts.is_some() {
                Outcome::TimestampTruncated
            } else {
                Outcome::Truncated
            });
        }
        say!(
            self,
            "AOF {name} is not valid. Use the --fix option to try fixing it."
        );
        Err(Exit)
    }

    /// redis-check-aof's `process`: scans commands, returns the offset where the last valid
    /// one (or complete MULTI/EXEC block) ends.
    fn process(&mut self, name: &str, data: &[u8]) -> Scan {
        let mut r = Reader {
            data,
            cur: 0,
            epos: 0,
            eof: false,
            line: &mut self.line,
            error: None,
        };
        let mut pos = 0u64;
        let mut multi: i64 = 0;
        let mut stop = Stop::Other;
        'outer: loop {
            if multi == 0 {
                pos = r.cur as u64;
            }
            // Annotations.
            loop {
                let at = r.cur;
                if at >= data.len() {
                    r.eof = true;
                    break 'outer;
                }
                if data[at] == b'#' {
                    let end = data[at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(data.len(), |i| at + i + 1);
                    if let Mode::TruncateToTimestamp(to) = self.mode {
                        if data[at..].starts_with(b"#TS:") {
                            let ts = strtol(&data[at + 4..end]).0;
                            if ts > to {
                                stop = if at == 0 {
                                    Stop::NothingBeforeTimestamp
                                } else {
                                    Stop::Timestamp(at as u64)
                                };
                                break 'outer;
                            }
                        }
                    }
                    r.cur = end;
                    if multi == 0 {
                        pos = r.cur as u64;
                    }
                    continue;
                }
                if data[at] != b'*' {
                    let _ = writeln!(self.out, "AOF {name} format error");
                    break 'outer;
                }
                break;
            }
            let Some(argc) = r.read_long(b'*') else { break };
            let mut i = 0;
            while i < argc {
                let Some(s) = r.read_string() else {
                    break 'outer;
                };
                if i == 0 {
                    if s.eq_ignore_ascii_case(b"multi") {
                        multi += 1;
                        if multi > 1 {
                            r.error =
                                Some(format!("0x{:16x}: Unexpected MULTI in AOF {name}", r.epos));
                            break 'outer;
                        }
                    } else if s.eq_ignore_ascii_case(b"exec") {
                        multi -= 1;
                        if multi != 0 {
                            r.error =
                                Some(format!("0x{:16x}: Unexpected EXEC in AOF {name}", r.epos));
                            break 'outer;
                        }
                    }
                }
                i += 1;
            }
        }
        if r.eof && multi != 0 && r.error.is_none() {
            r.error = Some(format!(
                "0x{:16x}: Reached EOF before reading EXEC for MULTI",
                r.epos
            ));
        }
        Scan {
            pos,
            error: r.error,
            stop,
        }
    }
}

enum Stop {
    Other,
    Timestamp(u64),
    NothingBeforeTimestamp,
}

struct Scan {
    pos: u64,
    error: Option<String>,
    stop: Stop,
}

struct Reader<'a> {
    data: &'a [u8],
    cur: usize,
    epos: u64,
    eof: bool,
    line: &'a mut u64,
    error: Option<String>,
}

impl Reader<'_> {
    fn err(&mut self, msg: String) {
        self.error = Some(format!("0x{:16x}: {msg}", self.epos));
    }

    /// fgets(buf, 128) + prefix + strtol + "\r\n".
    fn read_long(&mut self, prefix: u8) -> Option<i64> {
        self.epos = self.cur as u64;
        let rest = &self.data[self.cur..];
        if rest.is_empty() {
            self.eof = true;
            return None;
        }
        let max = rest.len().min(127);
        let len = rest[..max]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(max, |i| i + 1);
        if len == rest.len() && rest.last() != Some(&b'\n') {
            self.eof = true;
        }
        let line = &rest[..len];
        self.cur += len;
        if line[0] != prefix {
            self.err(format!(
                "Expected prefix '{}', got: '{}'",
                prefix as char, line[0] as char
            ));
            return None;
        }
        let (n, used) = strtol(&line[1..]);
        self.consume_newline(&line[1 + used..])?;
        Some(n)
    }

    fn consume_newline(&mut self, b: &[u8]) -> Option<()> {
        if b.starts_with(b"\r\n") {
            *self.line += 1;
            return Some(());
        }
        let x = b.first().copied().unwrap_or(0);
        let y = b.get(1).copied().unwrap_or(0);
        self.err(format!("Expected \\r\\n, got: {x:02x}{y:02x}"));
        None
    }

    fn read_string(&mut self) -> Option<&[u8]> {
        let len = self.read_long(b'$')?;
        if !(0..=i64::MAX - 2).contains(&len) {
            self.err(format!(
                "Expected to read string of {len} bytes, which is not in the suitable range"
            ));
            return None;
        }
        let want = len as u64 + 2;
        self.epos = self.cur as u64;
        let rest = &self.data[self.cur..];
        if (rest.len() as u64) < want {
            self.eof = true;
            self.cur = self.data.len();
            self.err(format!(
                "Expected to read {want} bytes, got {} bytes",
                rest.len()
            ));
            return None;
        }
        let want = want as usize;
        let start = self.cur;
        self.cur += want;
        let data = self.data;
        self.consume_newline(&data[start + want - 2..start + want])?;
        Some(&data[start..start + want - 2])
    }
}

/// C `strtol(s, &end, 10)`: the value (saturating) and how many bytes it used (0 if none).
fn strtol(s: &[u8]) -> (i64, usize) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
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
    let digits_start = i;
    let mut n: i64 = 0;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        let d = i64::from(d - b'0');
        n = if neg {
            n.saturating_mul(10).saturating_sub(d)
        } else {
            n.saturating_mul(10).saturating_add(d)
        };
        i += 1;
    }
    if i == digits_start {
        return (0, 0);
    }
    (n, i)
}

fn truncate(path: &Path, len: u64) -> std::io::Result<()> {
    let f = OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_all()
}

fn os_msg(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}
