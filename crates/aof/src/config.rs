//! Where the AOF lives and how it is written: the `append*` / `aof-*` directives.

use std::path::{Path, PathBuf};
use std::str::FromStr;

/// `appendfsync`: when written data is forced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// `always`: fsync before replying (group commit covers concurrent clients).
    Always,
    /// `everysec`: a background thread fsyncs once a second (Redis's default).
    #[default]
    EverySec,
    /// `no`: leave it to the OS.
    No,
}

impl FsyncPolicy {
    /// The directive value: `always`, `everysec` or `no`.
    pub fn as_str(self) -> &'static str {
        match self {
            FsyncPolicy::Always => "always",
            FsyncPolicy::EverySec => "everysec",
            FsyncPolicy::No => "no",
        }
    }

    pub(crate) fn to_u8(self) -> u8 {
        self as u8
    }

    pub(crate) fn from_u8(v: u8) -> FsyncPolicy {
        match v {
            0 => FsyncPolicy::Always,
            1 => FsyncPolicy::EverySec,
            _ => FsyncPolicy::No,
        }
    }
}

impl FromStr for FsyncPolicy {
    type Err = ();

    /// Parses `always | everysec | no`, case-insensitively as Redis does.
    fn from_str(s: &str) -> Result<Self, ()> {
        if s.eq_ignore_ascii_case("always") {
            Ok(FsyncPolicy::Always)
        } else if s.eq_ignore_ascii_case("everysec") {
            Ok(FsyncPolicy::EverySec)
        } else if s.eq_ignore_ascii_case("no") {
            Ok(FsyncPolicy::No)
        } else {
            Err(())
        }
    }
}

/// The AOF's location and options. `Default` holds Redis's defaults, with `dir` = `.`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `dir`: the working directory holding the AOF directory.
    pub dir: PathBuf,
    /// `appenddirname` (default `appendonlydir`).
    pub dirname: String,
    /// `appendfilename` (default `appendonly.aof`): the prefix of every file name, and the name
    /// of an old-style single-file AOF in `dir`.
    pub filename: String,
    /// `appendfsync`.
    pub fsync: FsyncPolicy,
    /// `aof-load-truncated` (default yes): load a truncated last file up to its last complete
    /// command and cut it there.
    pub load_truncated: bool,
    /// `aof-timestamp-enabled` (default no): a `#TS:<unix-seconds>` annotation line before
    /// the first command of each second, and at the start of every base and incremental file
    /// (what `--truncate-to-timestamp` cuts at). Loading skips annotations either way.
    pub timestamps: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dir: PathBuf::from("."),
            dirname: "appendonlydir".into(),
            filename: "appendonly.aof".into(),
            fsync: FsyncPolicy::EverySec,
            load_truncated: true,
            timestamps: false,
        }
    }
}

impl Config {
    /// A default configuration with `dir` set.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Config {
        Config {
            dir: dir.into(),
            ..Config::default()
        }
    }

    /// `<dir>/<appenddirname>`.
    pub fn aof_dir(&self) -> PathBuf {
        self.dir.join(&self.dirname)
    }

    /// `<appendfilename>.manifest`.
    pub fn manifest_name(&self) -> String {
        format!("{}.manifest", self.filename)
    }

    /// `<dir>/<appendfilename>`: where an old-style single-file AOF would be.
    pub fn old_style_path(&self) -> PathBuf {
        self.dir.join(&self.filename)
    }

    /// A file of the AOF directory.
    pub fn file_path(&self, name: &str) -> PathBuf {
        self.aof_dir().join(name)
    }

    pub(crate) fn temp_incr_name(&self) -> String {
        format!("temp-{}.incr", self.filename)
    }

    pub(crate) fn temp_base_path(&self) -> PathBuf {
        self.aof_dir()
            .join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()))
    }
}

pub(crate) fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
