//! Loading: read the manifest's files in order and hand every command to the caller.
//!
//! The loader knows nothing of commands beyond MULTI and EXEC: a transaction is handed over
//! only once its EXEC has been read, so a crash in the middle of writing one never applies half
//! of it. Everything else goes to the caller's closure as `&[Bytes]`, in file order.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use crate::config::Config;
use crate::error::{io_err, Error, Result};
use crate::manifest::{FileInfo, FileType, Manifest};
use crate::parse::{parse, Step};

/// Why the caller's executor refused a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecError {
    /// The command name is not known: loading stops with Redis's "Unknown command" error.
    UnknownCommand,
    /// Any other failure, with a message.
    Failed(String),
}

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Commands handed to the executor (MULTI and EXEC included).
    pub commands: u64,
    /// Bytes read from all files.
    pub bytes: u64,
    /// Files read.
    pub files: usize,
    /// If the last file was truncated: its name and the offset it was cut at.
    pub truncated: Option<(String, u64)>,
    /// Whether an old-style single file was adopted into a new manifest.
    pub upgraded: bool,
    /// Wall time spent.
    pub elapsed: Duration,
}

/// What loading one file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileEnd {
    /// Every byte was a complete command.
    Clean,
    /// The file ends inside a command (or an open MULTI); the last complete one ends here.
    Truncated { valid_up_to: u64 },
}

/// Options for [`load_file`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileLoad<'a> {
    pub name: &'a str,
    pub path: &'a Path,
}

const CHUNK: usize = 1 << 20;

/// Parses `path`, calling `exec` for each command; returns how it ended and the counts.
pub(crate) fn load_file<F>(fl: FileLoad<'_>, exec: &mut F, stats: &mut LoadStats) -> Result<FileEnd>
where
    F: FnMut(&[Bytes]) -> Result<(), ExecError>,
{
    let mut file = File::open(fl.path).map_err(io_err("open", fl.path))?;
    // The unparsed bytes are `data[start..]`. Arguments are zero-copy slices of `data` (the
    // executor copies what it keeps); a chunk is freed once its last command has run.
    let mut data = Bytes::new();
    let mut start = 0usize;
    let mut base: u64 = 0; // file offset of data[0]
    let mut first = true;
    let mut eof = false;
    let mut ranges = Vec::with_capacity(8);
    let mut args: Vec<Bytes> = Vec::with_capacity(8);
    // An open MULTI: its offset and the commands read since.
    let mut multi: Option<(u64, Vec<Vec<Bytes>>)> = None;
    let mut valid_up_to: u64 = 0;

    loop {
        let step = parse(&data[start..], &mut ranges);
        match step {
            Step::Command { len } => {
                let at = base + start as u64;
                args.clear();
                args.extend(
                    ranges
                        .iter()
                        .map(|&(s, e)| data.slice(start + s..start + e)),
                );
                start += len;
                first = false;
                let name = &args[0];
                if name.eq_ignore_ascii_case(b"multi") && multi.is_none() {
                    multi = Some((at, vec![std::mem::take(&mut args)]));
                } else if let Some((_, queued)) = multi.as_mut() {
                    let is_exec = name.eq_ignore_ascii_case(b"exec");
                    queued.push(std::mem::take(&mut args));
                    if is_exec {
                        if let Some((mat, queued)) = multi.take() {
                            for cmd in &queued {
                                run(exec, cmd, fl.name, mat)?;
                                stats.commands += 1;
                            }
                        }
                        valid_up_to = base + start as u64;
                    }
                } else {
                    run(exec, &args, fl.name, at)?;
                    stats.commands += 1;
                    valid_up_to = base + start as u64;
                }
            }
            Step::Annotation { len } => {
                start += len;
                first = false;
            }
            Step::Bad { at } => {
                if first && data[start..].starts_with(b"REDIS") {
                    return Err(Error::RdbPreamble {
                        file: fl.name.into(),
                    });
                }
                return Err(Error::BadFormat {
                    file: fl.name.into(),
                    offset: base + (start + at) as u64,
                });
            }
            Step::Incomplete | Step::IncompleteAnnotation => {
                let rest = data.len() - start;
                if eof {
                    let total = base + data.len() as u64;
                    stats.bytes += total;
                    if step == Step::IncompleteAnnotation && multi.is_none() {
                        return Ok(FileEnd::Clean);
                    }
                    if rest == 0 && multi.is_none() {
                        return Ok(FileEnd::Clean);
                    }
                    if let Some((at, _)) = &multi {
                        tracing::warn!(
                            "Revert incomplete MULTI/EXEC transaction in AOF file {}",
                            fl.name
                        );
                        valid_up_to = *at;
                    }
                    return Ok(FileEnd::Truncated { valid_up_to });
                }
                // A new chunk: the partial command, then as much as fits (at least twice the
                // partial command, so one bigger than a chunk is read in a few steps).
                let size = CHUNK.max(rest * 2);
                let mut next = BytesMut::with_capacity(size);
                next.extend_from_slice(&data[start..]);
                next.resize(size, 0);
                let n = read_some(&mut file, &mut next[rest..]).map_err(io_err("read", fl.path))?;
                if n == 0 {
                    eof = true;
                }
                next.truncate(rest + n);
                base += start as u64;
                start = 0;
                data = next.freeze();
            }
        }
    }
}

fn read_some(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

fn run<F>(exec: &mut F, cmd: &[Bytes], file: &str, at: u64) -> Result<()>
where
    F: FnMut(&[Bytes]) -> Result<(), ExecError>,
{
    exec(cmd).map_err(|e| match e {
        ExecError::UnknownCommand => Error::UnknownCommand {
            name: String::from_utf8_lossy(&cmd[0]).into_owned(),
            file: file.into(),
        },
        ExecError::Failed(message) => Error::Exec {
            file: file.into(),
            offset: at,
            message,
        },
    })
}

/// Moves an old-style `<dir>/<appendfilename>` into the AOF directory as the base of a new
/// manifest, as Redis 7 does when it finds one. Returns whether it did.
///
/// The manifest is written first, then the file is moved: a crash in between leaves a manifest
/// naming a base that is still at the old place, which the next call completes.
pub fn upgrade_old_style(cfg: &Config) -> Result<bool> {
    let old = cfg.old_style_path();
    if !old.is_file() {
        return Ok(false);
    }
    let dir = cfg.aof_dir();
    let mname = cfg.manifest_name();
    let manifest = if dir.is_dir() {
        Manifest::load(&dir, &mname)?
    } else {
        None
    };
    let pending = match &manifest {
        None => true,
        Some(m) if m.is_empty() => true,
        Some(m) => {
            // A previous upgrade stopped between the manifest and the move.
            m.base.as_ref().is_some_and(|b| b.name == cfg.filename)
                && m.incr.is_empty()
                && !dir.join(&cfg.filename).exists()
        }
    };
    if !pending {
        return Ok(false);
    }
    fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
    let m = Manifest {
        base: Some(FileInfo {
            name: cfg.filename.clone(),
            seq: 1,
            kind: FileType::Base,
        }),
        base_seq: 1,
        ..Manifest::default()
    };
    m.persist(&dir, &mname)?;
    let dest = dir.join(&cfg.filename);
    fs::rename(&old, &dest).map_err(io_err("rename", &old))?;
    crate::manifest::sync_dir(&dir)?;
    crate::manifest::sync_dir(&cfg.dir)?;
    tracing::info!(
        "Successfully migrated an old-style AOF into the AOF directory: {} is now the base of {}",
        cfg.filename,
        mname
    );
    Ok(true)
}

/// Loads the AOF described by `cfg`: adopts an old-style file if there is one, reads the
/// manifest, checks every listed file exists, then hands every command of the base and the
/// incremental files, in order, to `exec`.
///
/// A truncated last file is cut at its last complete command when `cfg.load_truncated` (with
/// Redis's warnings), refused otherwise; a truncated file that is not the last, bad bytes, an
/// RDB preamble or an unknown command stop the load with an error naming file and offset.
/// With no manifest (or an empty one) nothing is loaded and the stats say 0 files.
pub fn load<F>(cfg: &Config, mut exec: F) -> Result<LoadStats>
where
    F: FnMut(&[Bytes]) -> Result<(), ExecError>,
{
    let t0 = Instant::now();
    let mut stats = LoadStats {
        upgraded: upgrade_old_style(cfg)?,
        ..LoadStats::default()
    };
    let dir = cfg.aof_dir();
    let Some(manifest) = Manifest::load(&dir, &cfg.manifest_name())? else {
        return Ok(stats);
    };
    for f in manifest.load_order() {
        if !dir.join(&f.name).exists() {
            return Err(Error::MissingFile {
                file: f.name.clone(),
            });
        }
    }
    let files: Vec<&FileInfo> = manifest.load_order().collect();
    for (i, f) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let path = dir.join(&f.name);
        let t = Instant::now();
        let end = load_file(
            FileLoad {
                name: &f.name,
                path: &path,
            },
            &mut exec,
            &mut stats,
        )?;
        stats.files += 1;
        if let FileEnd::Truncated { valid_up_to } = end {
            if !last {
                return Err(Error::TruncatedNotLast {
                    file: f.name.clone(),
                });
            }
            if !cfg.load_truncated {
                return Err(Error::UnexpectedEof {
                    file: f.name.clone(),
                    offset: valid_up_to,
                });
            }
            tracing::warn!(
                "!!! Warning: short read while loading the AOF file {}!!!",
                f.name
            );
            tracing::warn!(
                "!!! Truncating the AOF {} at offset {} !!!",
                f.name,
                valid_up_to
            );
            let file = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(io_err("open", &path))?;
            file.set_len(valid_up_to)
                .map_err(io_err("truncate", &path))?;
            file.sync_all().map_err(io_err("fsync", &path))?;
            tracing::warn!(
                "AOF {} loaded anyway because aof-load-truncated is enabled",
                f.name
            );
            stats.truncated = Some((f.name.clone(), valid_up_to));
        }
        let kind = if f.kind == FileType::Base {
            "base"
        } else {
            "incr"
        };
        tracing::info!(
            "DB loaded from {kind} file {}: {:.3} seconds",
            f.name,
            t.elapsed().as_secs_f64()
        );
    }
    stats.elapsed = t0.elapsed();
    Ok(stats)
}
