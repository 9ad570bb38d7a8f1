//! The writer: appends command batches to the current incremental file and makes them durable
//! according to `appendfsync`.
//!
//! # Ordering and fsync
//!
//! [`Aof::write`] hands a [`Batch`] to the OS (`write(2)`, under a mutex, so batches of different
//! connections never interleave) before it returns: a reply sent after it never describes a
//! write the OS has not seen. It returns a [`Ticket`], the log's length after the batch.
//!
//! Durability is the job of one background thread, the *syncer*:
//! - `always`: [`Aof::wait_durable`] asks the syncer for an fsync and waits until the durable
//!   length reaches its ticket. The syncer fsyncs whatever has been written when it starts, so
//!   one fsync covers every batch written while the previous fsync ran: with many connections
//!   the number of fsyncs per second stays the disk's, not one per client (group commit).
//!   When the last fsync covered more than one request (clients write concurrently), the
//!   syncer first waits half as long as that fsync took (20 µs to 500 µs) so that the clients
//!   answered by it can write again and share the next one, as Redis fsyncs once per event-loop
//!   turn for every client it served: fewer, bigger fsyncs (a quarter as many with 50 clients,
//!   and a quarter less CPU per write).
//! - `everysec`: the syncer fsyncs once a second if anything was written; a batch written while
//!   an fsync has been running for more than two seconds logs Redis's "disk is busy" warning.
//! - `no`: the syncer only fsyncs when asked (rewrite, shutdown, [`Aof::sync_all`]).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use parking_lot::{Condvar, Mutex};
use tokio::sync::watch;

use crate::config::{file_len, Config, FsyncPolicy};
use crate::error::{io_err, Error, Result};
use crate::manifest::Manifest;

/// A position in the log: the total bytes written (since open) after some batch. Tickets
/// compare in log order; `Ticket::default()` is "nothing written".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ticket(pub u64);

/// Commands to append together, each with the db it runs in. Encoding happens here, outside
/// the writer's lock; [`Aof::write`] adds a `SELECT` wherever the db differs from the file's
/// current one.
#[derive(Debug, Default)]
pub struct Batch {
    buf: BytesMut,
    /// `(db, end offset in buf)` of each run of commands in one db.
    segs: Vec<(usize, usize)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Appends one command (an array of bulk strings) to run in `db`.
    pub fn push<A: AsRef<[u8]>>(&mut self, db: usize, args: &[A]) {
        resp::write::command(&mut self.buf, args);
        match self.segs.last_mut() {
            Some((d, end)) if *d == db => *end = self.buf.len(),
            _ => self.segs.push((db, self.buf.len())),
        }
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Bytes encoded so far (SELECTs not included).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Empties the batch, keeping its allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.segs.clear();
    }
}

/// Numbers for `INFO persistence`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// `aof_rewrite_in_progress`.
    pub rewrite_in_progress: bool,
    /// `aof_current_rewrite_time_sec` (-1 when none runs).
    pub current_rewrite_time_sec: i64,
    /// `aof_last_rewrite_time_sec` (-1 before the first).
    pub last_rewrite_time_sec: i64,
    /// `aof_last_bgrewrite_status` is `ok`.
    pub last_bgrewrite_ok: bool,
    /// `aof_rewrites`: rewrites completed.
    pub rewrites: u64,
    /// `aof_last_write_status` is `ok`.
    pub last_write_ok: bool,
    /// `aof_current_size`: base plus incremental files.
    pub current_size: u64,
    /// `aof_base_size`: the size right after the last rewrite (or open).
    pub base_size: u64,
    /// `aof_pending_bio_fsync`: 1 while an fsync runs.
    pub pending_bio_fsync: u64,
    /// `aof_delayed_fsync`: writes that found an fsync running for over 2 seconds.
    pub delayed_fsync: u64,
    /// Name of the file being appended to.
    pub current_file: String,
    /// fsyncs done by the background thread since open (not an INFO field: it shows group
    /// commit at work, fewer fsyncs than acknowledged `always` writes).
    pub fsyncs: u64,
}

pub(crate) struct State {
    pub(crate) file: Arc<File>,
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    pub(crate) selected_db: Option<usize>,
    pub(crate) manifest: Manifest,
    /// Total bytes written since open: the ticket counter.
    pub(crate) written: u64,
    /// Size of the current incremental file.
    pub(crate) incr_size: u64,
    /// Size of the base and the earlier incremental files.
    pub(crate) older_size: u64,
    pub(crate) scratch: BytesMut,
    pub(crate) closed: bool,
    /// Writing to a temporary incremental file not yet in the manifest (AOF turned on at run
    /// time: the first rewrite publishes it).
    pub(crate) temp_incr: bool,
    pub(crate) rewrite_started: Option<Instant>,
    /// Unix second of the last `#TS` annotation in the current incremental file (0: none).
    pub(crate) last_ts: u64,
}

#[derive(Default)]
struct SyncState {
    synced: u64,
    requested: u64,
    /// Requests for new data so far (each raised `requested`).
    requests: u64,
    shutdown: bool,
    error: Option<String>,
}

/// What async waiters watch: the durable length, or that fsync failed.
#[derive(Debug, Clone, Copy, Default)]
struct Mark {
    synced: u64,
    failed: bool,
}

pub(crate) struct Shared {
    pub(crate) cfg: Config,
    policy: AtomicU8,
    /// `aof-timestamp-enabled`, changeable at run time.
    pub(crate) timestamps: AtomicBool,
    pub(crate) state: Mutex<State>,
    sync: Mutex<SyncState>,
    sync_cv: Condvar,
    done_cv: Condvar,
    mark: watch::Sender<Mark>,
    fsync_started_ms: AtomicU64,
    last_slow_warn_ms: AtomicU64,
    delayed_fsync: AtomicU64,
    fsyncs: AtomicU64,
    last_write_ok: AtomicBool,
    pub(crate) base_size: AtomicU64,
    pub(crate) rewrites: AtomicU64,
    pub(crate) last_rewrite_ok: AtomicBool,
    pub(crate) last_rewrite_secs: std::sync::atomic::AtomicI64,
}

struct Inner {
    shared: Arc<Shared>,
    syncer: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.stop_syncer();
        if let Some(h) = self.syncer.lock().take() {
            let _ = h.join();
        }
    }
}

/// An open append-only log: cheap to clone, shared by every connection.
#[derive(Clone)]
pub struct Aof {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Aof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aof")
            .field("dir", &self.inner.shared.cfg.aof_dir())
            .finish()
    }
}

/// Bounds of the `always` gather wait before an fsync (see the module docs).
const GATHER_MIN: Duration = Duration::from_micros(20);
const GATHER_MAX: Duration = Duration::from_micros(500);

/// The `#TS:<unix-seconds>` annotation line.
pub(crate) fn ts_annotation(secs: u64) -> String {
    format!("#TS:{secs}\r\n")
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub(crate) fn open_append(path: &std::path::Path) -> Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io_err("open", path))
}

impl Aof {
    /// Opens the AOF for appending, as Redis does on start with `appendonly yes`: with no
    /// manifest (or an empty one) it creates an empty base file and a first incremental file;
    /// otherwise it appends to the last incremental file (creating one if there is none).
    /// History files left by an interrupted rewrite are deleted. Call [`crate::load`] first.
    pub fn open(cfg: Config) -> Result<Aof> {
        let dir = cfg.aof_dir();
        std::fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        let mname = cfg.manifest_name();
        let mut manifest = Manifest::load(&dir, &mname)?.unwrap_or_default();
        if manifest.is_empty() {
            let base = manifest.new_base(&cfg.filename, 0);
            let path = dir.join(&base);
            let f = File::create(&path).map_err(io_err("create", &path))?;
            f.sync_all().map_err(io_err("fsync", &path))?;
            tracing::info!("Creating AOF base file {base} on server start");
        }
        let name = match manifest.incr.last() {
            Some(f) => f.name.clone(),
            None => {
                let n = manifest.new_incr(&cfg.filename);
                tracing::info!("Creating AOF incr file {n} on server start");
                n
            }
        };
        let path = dir.join(&name);
        let file = open_append(&path)?;
        manifest.persist(&dir, &mname)?;
        crate::rewrite::delete_history(&cfg, &mut manifest)?;
        let incr_size = file_len(&path);
        let older_size: u64 = manifest
            .load_order()
            .filter(|f| f.name != name)
            .map(|f| file_len(&dir.join(&f.name)))
            .sum();
        Ok(Aof::start(
            cfg, file, name, path, manifest, incr_size, older_size, false,
        ))
    }

    /// Opens the AOF for turning it on at run time (`CONFIG SET appendonly yes`): writes go to
    /// a temporary incremental file, and the returned rewrite must write a base from the
    /// current dataset; [`Aof::finish_rewrite`] then publishes a manifest of that base and the
    /// temporary file, superseding whatever the directory held. Until then a crash leaves the
    /// directory as it was.
    pub fn enable(cfg: Config) -> Result<(Aof, crate::Rewrite)> {
        let dir = cfg.aof_dir();
        std::fs::create_dir_all(&dir).map_err(io_err("create directory", &dir))?;
        let manifest = Manifest::load(&dir, &cfg.manifest_name())?.unwrap_or_default();
        let name = cfg.temp_incr_name();
        let path = dir.join(&name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(io_err("create", &path))?;
        let aof = Aof::start(cfg, file, name, path, manifest, 0, 0, true);
        let rw = {
            let mut st = aof.inner.shared.state.lock();
            st.rewrite_started = Some(Instant::now());
            crate::Rewrite::new(&aof.inner.shared.cfg, aof.inner.shared.timestamps_on())
        };
        Ok((aof, rw))
    }

    #[allow(clippy::too_many_arguments)] // private constructor shared by open and enable
    fn start(
        cfg: Config,
        file: File,
        name: String,
        path: PathBuf,
        manifest: Manifest,
        incr_size: u64,
        older_size: u64,
        temp_incr: bool,
    ) -> Aof {
        let policy = cfg.fsync;
        let timestamps = cfg.timestamps;
        let (mark, _) = watch::channel(Mark::default());
        let shared = Arc::new(Shared {
            cfg,
            policy: AtomicU8::new(policy.to_u8()),
            timestamps: AtomicBool::new(timestamps),
            state: Mutex::new(State {
                file: Arc::new(file),
                name,
                path,
                selected_db: None,
                manifest,
                written: 0,
                incr_size,
                older_size,
                scratch: BytesMut::new(),
                last_ts: 0,
                closed: false,
                temp_incr,
                rewrite_started: None,
            }),
            sync: Mutex::new(SyncState::default()),
            sync_cv: Condvar::new(),
            done_cv: Condvar::new(),
            mark,
            fsync_started_ms: AtomicU64::new(0),
            last_slow_warn_ms: AtomicU64::new(0),
            delayed_fsync: AtomicU64::new(0),
            fsyncs: AtomicU64::new(0),
            last_write_ok: AtomicBool::new(true),
            base_size: AtomicU64::new(incr_size + older_size),
            rewrites: AtomicU64::new(0),
            last_rewrite_ok: AtomicBool::new(true),
            last_rewrite_secs: std::sync::atomic::AtomicI64::new(-1),
        });
        let s2 = Arc::clone(&shared);
        let syncer = std::thread::Builder::new()
            .name("aof-fsync".into())
            .spawn(move || s2.syncer_loop())
            .ok();
        Aof {
            inner: Arc::new(Inner {
                shared,
                syncer: Mutex::new(syncer),
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The configuration this log was opened with (`fsync` as currently set).
    pub fn config(&self) -> Config {
        let mut c = self.shared().cfg.clone();
        c.fsync = self.fsync();
        c.timestamps = self.shared().timestamps_on();
        c
    }

    /// The current `appendfsync` policy.
    pub fn fsync(&self) -> FsyncPolicy {
        FsyncPolicy::from_u8(self.shared().policy.load(Ordering::Relaxed))
    }

    /// Changes `aof-timestamp-enabled` at run time (CONFIG SET).
    pub fn set_timestamps(&self, on: bool) {
        self.shared().timestamps.store(on, Ordering::Relaxed);
    }

    /// Changes `appendfsync` at run time (CONFIG SET).
    pub fn set_fsync(&self, policy: FsyncPolicy) {
        self.shared()
            .policy
            .store(policy.to_u8(), Ordering::Relaxed);
        let _g = self.shared().sync.lock();
        self.shared().sync_cv.notify_all();
    }

    /// Appends a batch, handing it to the OS before returning, and empties it. Returns the
    /// ticket to pass to [`Aof::wait_durable`] (the default ticket for an empty batch).
    ///
    /// On a write error the file is cut back to where it was, `aof_last_write_status` becomes
    /// `err` and the error is returned: the caller must not acknowledge the batch.
    pub fn write(&self, batch: &mut Batch) -> Result<Ticket> {
        if batch.is_empty() {
            return Ok(Ticket::default());
        }
        let sh = self.shared();
        if self.fsync() == FsyncPolicy::EverySec {
            sh.warn_if_fsync_slow();
        }
        let mut st = sh.state.lock();
        if st.closed {
            return Err(Error::Closed);
        }
        let st = &mut *st;
        let needs_select = batch.segs.iter().any(|&(db, _)| Some(db) != st.selected_db);
        // As Redis's genAofTimestampAnnotationIfNeeded: when the second changed.
        let ts = if sh.timestamps_on() {
            let secs = now_ms() / 1000;
            (secs > st.last_ts).then_some(secs)
        } else {
            None
        };
        let res = if !needs_select && ts.is_none() {
            (&*st.file).write_all(&batch.buf).map(|_| batch.buf.len())
        } else {
            st.scratch.clear();
            if let Some(secs) = ts {
                st.scratch.extend_from_slice(ts_annotation(secs).as_bytes());
            }
            let mut from = 0;
            let mut sel = st.selected_db;
            for &(db, end) in &batch.segs {
                if Some(db) != sel {
                    let mut n = itoa::Buffer::new();
                    resp::write::command(&mut st.scratch, &[b"SELECT", n.format(db).as_bytes()]);
                    sel = Some(db);
                }
                st.scratch.extend_from_slice(&batch.buf[from..end]);
                from = end;
            }
            (&*st.file).write_all(&st.scratch).map(|_| {
                st.selected_db = sel;
                st.scratch.len()
            })
        };
        match res {
            Ok(n) => {
                if let Some(secs) = ts {
                    st.last_ts = secs;
                }
                st.written += n as u64;
                st.incr_size += n as u64;
                batch.clear();
                if !sh.last_write_ok.load(Ordering::Relaxed) {
                    sh.last_write_ok.store(true, Ordering::Relaxed);
                    tracing::warn!("AOF write error looks solved, Redis can write again.");
                }
                Ok(Ticket(st.written))
            }
            Err(e) => {
                // Remove a partial batch so the file stays a sequence of whole commands.
                let _ = st.file.set_len(st.incr_size);
                sh.last_write_ok.store(false, Ordering::Relaxed);
                tracing::warn!("Error writing to the AOF file: {e}");
                Err(io_err("write", st.path.clone())(e))
            }
        }
    }

    /// Waits until the batch of `ticket` is on disk when the policy is `always` (returns at
    /// once otherwise). Concurrent waiters share fsyncs: see the module docs.
    pub async fn wait_durable(&self, ticket: Ticket) -> Result<()> {
        if ticket.0 == 0 || self.fsync() != FsyncPolicy::Always {
            return Ok(());
        }
        let sh = self.shared();
        let mut rx = sh.mark.subscribe();
        if rx.borrow().synced >= ticket.0 {
            return Ok(());
        }
        sh.request(ticket.0);
        let mark = match rx.wait_for(|m| m.synced >= ticket.0 || m.failed).await {
            Ok(m) => *m,
            Err(_) => return Err(Error::Closed),
        };
        if mark.synced >= ticket.0 {
            Ok(())
        } else {
            Err(Error::FsyncFailed(
                sh.sync.lock().error.clone().unwrap_or_default(),
            ))
        }
    }

    /// [`Aof::wait_durable`] for threads outside an async runtime.
    pub fn wait_durable_blocking(&self, ticket: Ticket) -> Result<()> {
        if ticket.0 == 0 || self.fsync() != FsyncPolicy::Always {
            return Ok(());
        }
        self.shared().wait_synced(ticket.0)
    }

    /// Makes everything written so far durable, whatever the policy (shutdown, DEBUG LOADAOF,
    /// before a rewrite). Blocks the calling thread.
    pub fn sync_all(&self) -> Result<()> {
        let target = self.shared().state.lock().written;
        if target == 0 {
            return Ok(());
        }
        self.shared().wait_synced(target)
    }

    /// Flushes, fsyncs and closes the log: later writes fail with [`Error::Closed`].
    pub fn close(&self) -> Result<()> {
        let r = self.sync_all();
        let mut st = self.shared().state.lock();
        st.closed = true;
        drop(st);
        self.shared().stop_syncer();
        if let Some(h) = self.inner.syncer.lock().take() {
            let _ = h.join();
        }
        r
    }

    /// Numbers for `INFO persistence`.
    pub fn status(&self) -> Status {
        let sh = self.shared();
        let st = sh.state.lock();
        Status {
            rewrite_in_progress: st.rewrite_started.is_some(),
            current_rewrite_time_sec: st
                .rewrite_started
                .map_or(-1, |t| t.elapsed().as_secs() as i64),
            last_rewrite_time_sec: sh.last_rewrite_secs.load(Ordering::Relaxed),
            last_bgrewrite_ok: sh.last_rewrite_ok.load(Ordering::Relaxed),
            rewrites: sh.rewrites.load(Ordering::Relaxed),
            last_write_ok: sh.last_write_ok.load(Ordering::Relaxed),
            current_size: st.older_size + st.incr_size,
            base_size: sh.base_size.load(Ordering::Relaxed),
            pending_bio_fsync: u64::from(sh.fsync_started_ms.load(Ordering::Relaxed) != 0),
            delayed_fsync: sh.delayed_fsync.load(Ordering::Relaxed),
            current_file: st.name.clone(),
            fsyncs: sh.fsyncs.load(Ordering::Relaxed),
        }
    }

    /// Whether `auto-aof-rewrite-percentage` / `auto-aof-rewrite-min-size` call for a rewrite
    /// now, by Redis's rule: no rewrite running, the AOF above `min_size`, and grown by at least
    /// `percentage` % since the last rewrite (0 disables).
    pub fn auto_rewrite_due(&self, percentage: u64, min_size: u64) -> bool {
        if percentage == 0 {
            return false;
        }
        let s = self.status();
        if s.rewrite_in_progress || s.current_size <= min_size {
            return false;
        }
        let base = s.base_size.max(1);
        let growth = (s.current_size * 100 / base).saturating_sub(100);
        growth >= percentage
    }
}

impl Shared {
    fn policy(&self) -> FsyncPolicy {
        FsyncPolicy::from_u8(self.policy.load(Ordering::Relaxed))
    }

    /// `aof-timestamp-enabled` as it is now.
    pub(crate) fn timestamps_on(&self) -> bool {
        self.timestamps.load(Ordering::Relaxed)
    }

    fn request(&self, target: u64) {
        let mut s = self.sync.lock();
        if s.requested < target {
            s.requested = target;
            s.requests += 1;
            self.sync_cv.notify_all();
        }
    }

    fn wait_synced(&self, target: u64) -> Result<()> {
        let mut s = self.sync.lock();
        if s.requested < target {
            s.requested = target;
            s.requests += 1;
            self.sync_cv.notify_all();
        }
        loop {
            if s.synced >= target {
                return Ok(());
            }
            if let Some(e) = &s.error {
                return Err(Error::FsyncFailed(e.clone()));
            }
            if s.shutdown {
                return Err(Error::Closed);
            }
            self.done_cv.wait(&mut s);
        }
    }

    fn stop_syncer(&self) {
        let mut s = self.sync.lock();
        s.shutdown = true;
        self.sync_cv.notify_all();
        self.done_cv.notify_all();
    }

    /// Records that everything up to `upto` is durable (after an fsync done elsewhere).
    pub(crate) fn mark_synced(&self, upto: u64) {
        let mut s = self.sync.lock();
        if upto > s.synced {
            s.synced = upto;
        }
        self.done_cv.notify_all();
        let synced = s.synced;
        drop(s);
        self.mark.send_modify(|m| m.synced = m.synced.max(synced));
    }

    fn warn_if_fsync_slow(&self) {
        let started = self.fsync_started_ms.load(Ordering::Relaxed);
        if started == 0 {
            return;
        }
        let now = now_ms();
        if now.saturating_sub(started) < 2000 {
            return;
        }
        self.delayed_fsync.fetch_add(1, Ordering::Relaxed);
        let last = self.last_slow_warn_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 2000 {
            self.last_slow_warn_ms.store(now, Ordering::Relaxed);
            tracing::warn!(
                "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer \
                 without waiting for fsync to complete, this may slow down Redis."
            );
        }
    }

    fn syncer_loop(&self) {
        let mut last_tick = Instant::now();
        // The last fsync: how long it took and how many requests it answered.
        let mut last_took = Duration::ZERO;
        let mut last_group = 0u64;
        let mut requests_before = 0u64;
        loop {
            let requests_now;
            {
                let mut s = self.sync.lock();
                loop {
                    if s.shutdown {
                        return;
                    }
                    if s.requested > s.synced && s.error.is_none() {
                        break;
                    }
                    if self.policy() == FsyncPolicy::EverySec {
                        let next = last_tick + Duration::from_secs(1);
                        let now = Instant::now();
                        if now >= next {
                            last_tick = now;
                            let written = self.state.try_lock().map(|st| st.written);
                            match written {
                                Some(w) if w > s.synced => break,
                                None => break,
                                _ => continue,
                            }
                        }
                        self.sync_cv.wait_for(&mut s, next - now);
                    } else {
                        self.sync_cv.wait(&mut s);
                    }
                }
                requests_now = s.requests;
            }
            if self.policy() == FsyncPolicy::Always && last_group > 1 {
                // Gather (see the module docs).
                let gather = (last_took / 2).clamp(GATHER_MIN, GATHER_MAX);
                std::thread::sleep(gather);
            }
            let (file, target) = {
                let st = self.state.lock();
                (Arc::clone(&st.file), st.written)
            };
            self.fsync_started_ms.store(now_ms(), Ordering::Relaxed);
            let started = Instant::now();
            let r = file.sync_data();
            last_took = started.elapsed();
            self.fsync_started_ms.store(0, Ordering::Relaxed);
            // Requests made up to the gather are answered by this fsync (those made during it
            // may be too; they count for the next one).
            last_group = requests_now - requests_before;
            requests_before = requests_now;
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
            match r {
                Ok(()) => self.mark_synced(target),
                Err(e) => {
                    tracing::warn!("Fsync of the append only file failed: {e}");
                    let mut s = self.sync.lock();
                    // `always` cannot acknowledge anything any more; the others retry.
                    if self.policy() == FsyncPolicy::Always {
                        s.error = Some(e.to_string());
                        self.mark.send_modify(|m| m.failed = true);
                    }
                    self.done_cv.notify_all();
                    drop(s);
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
}
