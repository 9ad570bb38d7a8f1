//! Rewrite: replace the base and the incremental files by a new base made from a snapshot of
//! the dataset, while clients keep writing.
//!
//! 1. [`Aof::start_rewrite`] fsyncs the current incremental file and opens a new one, listed
//!    in the manifest at once: every write from then on goes to it.
//! 2. The caller writes the snapshot with a [`BaseWriter`] (any thread, no lock held) into a
//!    temporary file. The snapshot must hold exactly the writes appended before step 1: take it
//!    while no write can run between the switch and the snapshot.
//! 3. [`Aof::finish_rewrite`] renames the temporary file to the next base name, then writes a
//!    new manifest (temp file, fsync, rename, fsync of the directory) where the old base and the
//!    old incremental files are history, then deletes them and drops them from the manifest.
//!
//! A crash at any point leaves a manifest naming files that exist: before the manifest switch
//! the old base and all incremental files (old and new) load as before; after it, the new base
//! and the new incremental file.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

use bytes::BytesMut;

use crate::config::{file_len, Config};
use crate::error::{io_err, Error, Result};
use crate::manifest::{sync_dir, Manifest};
use crate::writer::{open_append, Aof};

/// A rewrite in progress: where the new base is being written.
#[derive(Debug)]
pub struct Rewrite {
    temp: PathBuf,
    started: Instant,
    timestamps: bool,
}

impl Rewrite {
    pub(crate) fn new(cfg: &Config, timestamps: bool) -> Rewrite {
        Rewrite {
            temp: cfg.temp_base_path(),
            started: Instant::now(),
            timestamps,
        }
    }

    /// Creates the temporary base file and a writer for it.
    pub fn base_writer(&self) -> Result<BaseWriter> {
        let f = File::create(&self.temp).map_err(io_err("create", &self.temp))?;
        let mut w = BaseWriter {
            out: BufWriter::with_capacity(1 << 20, f),
            buf: BytesMut::with_capacity(4096),
            selected: None,
            bytes: 0,
            path: self.temp.clone(),
        };
        if self.timestamps {
            let ts = crate::writer::ts_annotation(crate::writer::now_ms() / 1000);
            w.out
                .write_all(ts.as_bytes())
                .map_err(io_err("write", &self.temp))?;
            w.bytes += ts.len() as u64;
        }
        Ok(w)
    }
}

/// Writes the commands of a new base file (buffered; `SELECT` added when the db changes).
#[derive(Debug)]
pub struct BaseWriter {
    out: BufWriter<File>,
    buf: BytesMut,
    selected: Option<usize>,
    bytes: u64,
    path: PathBuf,
}

impl BaseWriter {
    /// Appends one command that recreates (part of) a key in `db`.
    pub fn command<A: AsRef<[u8]>>(&mut self, db: usize, args: &[A]) -> Result<()> {
        self.buf.clear();
        if self.selected != Some(db) {
            let mut n = itoa::Buffer::new();
            resp::write::command(&mut self.buf, &[b"SELECT", n.format(db).as_bytes()]);
            self.selected = Some(db);
        }
        resp::write::command(&mut self.buf, args);
        self.bytes += self.buf.len() as u64;
        self.out
            .write_all(&self.buf)
            .map_err(io_err("write", &self.path))
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes and fsyncs the file.
    pub fn finish(self) -> Result<u64> {
        let f = self
            .out
            .into_inner()
            .map_err(|e| io_err("write", &self.path)(e.into_error()))?;
        f.sync_all().map_err(io_err("fsync", &self.path))?;
        Ok(self.bytes)
    }
}

/// Deletes the history files of `m` and writes it again without them.
pub(crate) fn delete_history(cfg: &Config, m: &mut Manifest) -> Result<()> {
    if m.history.is_empty() {
        return Ok(());
    }
    let dir = cfg.aof_dir();
    for h in m.history.drain(..) {
        match fs::remove_file(dir.join(&h.name)) {
            Ok(()) => tracing::info!("Removing the history file {} in the background", h.name),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("Can't remove the history file {}: {e}", h.name),
        }
    }
    m.persist(&dir, &cfg.manifest_name())
}

impl Aof {
    /// Starts a rewrite: fsyncs the current incremental file and switches to a new one, listed
    /// in the manifest. See the [module docs](crate::Rewrite) for the protocol.
    pub fn start_rewrite(&self) -> Result<Rewrite> {
        let sh = self.shared();
        let cfg = &sh.cfg;
        let mut st = sh.state.lock();
        if st.closed {
            return Err(Error::Closed);
        }
        if st.rewrite_started.is_some() {
            return Err(Error::RewriteInProgress);
        }
        if !st.temp_incr {
            st.file
                .sync_data()
                .map_err(io_err("fsync", st.path.clone()))?;
            let synced = st.written;
            let before = st.manifest.clone();
            let name = st.manifest.new_incr(&cfg.filename);
            let path = cfg.file_path(&name);
            let opened = open_append(&path).and_then(|f| {
                st.manifest.persist(&cfg.aof_dir(), &cfg.manifest_name())?;
                Ok(f)
            });
            let file = match opened {
                Ok(f) => f,
                Err(e) => {
                    st.manifest = before;
                    let _ = fs::remove_file(&path);
                    return Err(e);
                }
            };
            st.older_size += st.incr_size;
            st.incr_size = 0;
            st.file = std::sync::Arc::new(file);
            st.name = name;
            st.path = path;
            st.selected_db = None;
            st.last_ts = 0;
            drop(st);
            sh.mark_synced(synced);
            st = sh.state.lock();
        }
        st.rewrite_started = Some(Instant::now());
        tracing::info!("Background append only file rewriting started");
        Ok(Rewrite::new(cfg, sh.timestamps_on()))
    }

    /// Completes a rewrite whose base was written (and [`BaseWriter::finish`]ed): publishes the
    /// new base in the manifest and deletes the superseded files.
    pub fn finish_rewrite(&self, rw: Rewrite) -> Result<()> {
        let r = self.finish_inner(&rw);
        let sh = self.shared();
        sh.last_rewrite_ok.store(r.is_ok(), Ordering::Relaxed);
        sh.last_rewrite_secs
            .store(rw.started.elapsed().as_secs() as i64, Ordering::Relaxed);
        if r.is_err() {
            let _ = fs::remove_file(&rw.temp);
            sh.state.lock().rewrite_started = None;
        }
        r
    }

    fn finish_inner(&self, rw: &Rewrite) -> Result<()> {
        let sh = self.shared();
        let cfg = &sh.cfg;
        let dir = cfg.aof_dir();
        let mut st = sh.state.lock();
        let before = st.manifest.clone();
        let keep = if st.temp_incr { 0 } else { 1 };
        let base = st.manifest.new_base(&cfg.filename, keep);
        let mut renamed_incr = None;
        if st.temp_incr {
            let name = st.manifest.new_incr(&cfg.filename);
            let path = cfg.file_path(&name);
            st.file
                .sync_data()
                .map_err(io_err("fsync", st.path.clone()))?;
            if let Err(e) = fs::rename(&st.path, &path) {
                st.manifest = before;
                return Err(io_err("rename", st.path.clone())(e));
            }
            renamed_incr = Some((name, path));
        }
        let base_path = cfg.file_path(&base);
        let res = fs::rename(&rw.temp, &base_path)
            .map_err(io_err("rename", &rw.temp))
            .and_then(|_| sync_dir(&dir))
            .and_then(|_| st.manifest.persist(&dir, &cfg.manifest_name()));
        if let Err(e) = res {
            st.manifest = before;
            if let Some((_, path)) = &renamed_incr {
                let _ = fs::rename(path, &st.path);
            }
            return Err(e);
        }
        if let Some((name, path)) = renamed_incr {
            st.name = name;
            st.path = path;
            st.temp_incr = false;
        }
        let base_len = file_len(&base_path);
        st.older_size = base_len;
        sh.base_size
            .store(base_len + st.incr_size, Ordering::Relaxed);
        st.rewrite_started = None;
        let mut m = std::mem::take(&mut st.manifest);
        let del = delete_history(cfg, &mut m);
        st.manifest = m;
        drop(st);
        sh.rewrites.fetch_add(1, Ordering::Relaxed);
        tracing::info!("Background AOF rewrite terminated with success");
        tracing::info!("Background AOF rewrite finished successfully");
        if let Err(e) = del {
            tracing::warn!("Removing AOF history files failed: {e}");
        }
        Ok(())
    }

    /// Gives up a rewrite (the snapshot could not be written): the temporary base is deleted;
    /// the new incremental file stays in use.
    pub fn abort_rewrite(&self, rw: Rewrite) {
        let sh = self.shared();
        let _ = fs::remove_file(&rw.temp);
        sh.last_rewrite_ok.store(false, Ordering::Relaxed);
        sh.state.lock().rewrite_started = None;
        tracing::warn!("Background AOF rewrite failed");
    }
}
