//! The AOF wired into the server: [`Persistence`] loads the AOF at start (replaying every
//! command through the command handlers, see `replay`), installs itself as the [`Propagate`]
//! sink, the DEBUG/CONFIG/INFO hooks, runs BGREWRITEAOF and automatic rewrites, and flushes and
//! fsyncs on shutdown.
//!
//! # Ordering and durability
//!
//! Handlers call [`Propagate::append`] for each effect, in execution order; effects collect in
//! one shared [`aof::Batch`]. The connection loop awaits [`Propagate::barrier`] once per
//! pipelined batch before writing its replies: the barrier hands whatever is pending (its own
//! effects and those of any other connection) to the OS with one `write(2)`, then, under
//! `appendfsync always`, awaits the aof crate's group commit ([`aof::Aof::wait_durable`], an
//! async wait on the fsync thread: no tokio worker blocks on a disk). So a reply is never sent
//! before its effect is written (`everysec`, `no`) or fsynced (`always`).
//!
//! A failed write keeps the batch pending (as Redis keeps its `aof_buf`), sets
//! `aof_last_write_status:err`, and is retried by the next barrier and by the cron thread every
//! 100 ms; [`Shared::write_denied`] then gives write commands Redis's `-MISCONF` error until a
//! write succeeds again.
//!
//! # Rewrite consistency
//!
//! A rewrite must cut the log at a point the snapshot agrees with: every effect appended before
//! the switch to the new incremental file is in the snapshot, no effect appended after it is.
//! Otherwise a command would be both in the new base and replayed from the new incremental file
//! (harmless for SET or DEL, wrong for INCR, APPEND, HINCRBY or SWAPDB).
//!
//! The switch and the snapshot happen under [`Shared::write_order`] and then inside
//! [`store::Store::exclusive`]. While persistence is on, every write command holds the same
//! lock across its store change and its `append` (`dispatch::call`), so when the rewrite holds
//! it no command is between the two steps: the pending batch goes to the *old* file, then the
//! log switches and the dataset is copied (values are `Bytes`, so the copy is cheap; the base is
//! written from the copy on a background thread while clients go on). The same lock makes the
//! log's order the store's order for concurrent writers of one key.
//!
//! With the AOF off, writes take no lock and log nothing: they run "quiet", counted in
//! per-thread stripes (`Shared::write_scope`). Turning the AOF on (CONFIG SET appendonly yes)
//! first sets the logging flag, then waits until no quiet write is in flight
//! (`Shared::enable_propagation`), and only then takes the write-order lock and the snapshot
//! for the new base: every write is in that base or in the new log, never in neither or both.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use parking_lot::Mutex;

use aof::{Aof, Batch, FsyncPolicy, Ticket};

use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::shared::{Propagate, Shared};

/// The server's persistence: owns the open AOF (when `appendonly yes`). Cheap to clone.
#[derive(Clone)]
pub struct Persistence {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Persistence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persistence")
            .field("enabled", &self.inner.state.lock().aof.is_some())
            .finish()
    }
}

pub(crate) struct Inner {
    shared: Weak<Shared>,
    state: Mutex<State>,
    /// Appends are dropped while the AOF is being replayed into the store (DEBUG LOADAOF).
    replaying: AtomicBool,
    rewrite_running: AtomicBool,
    rewrites_failed_in_row: AtomicU64,
    /// `strerror` text of the last failed write, while writes fail.
    write_error: Mutex<Option<String>>,
    stop: AtomicBool,
    cron: Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct State {
    aof: Option<Aof>,
    pending: Batch,
    /// The log position after the last batch written (what a barrier waits for).
    last_ticket: Ticket,
}

/// The sink installed in [`Shared`]: a thin handle on [`Inner`].
struct Sink(Arc<Inner>);

impl Propagate for Sink {
    fn append(&self, db: usize, argv: &[Bytes]) {
        if argv.is_empty() || self.0.replaying.load(Ordering::Relaxed) {
            return;
        }
        let mut st = self.0.state.lock();
        if st.aof.is_some() {
            st.pending.push(db, argv);
        }
    }

    fn barrier(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let Some((aof, ticket)) = self.0.flush_pending() else {
                // Off, or the write failed: under `always` the replies must not go out as if the
                // writes were durable, so stop as Redis does.
                if self
                    .0
                    .aof()
                    .is_some_and(|a| a.fsync() == FsyncPolicy::Always)
                {
                    always_failed();
                }
                return;
            };
            if aof.fsync() == FsyncPolicy::Always {
                if let Err(e) = aof.wait_durable(ticket).await {
                    self.0.set_write_error(&e.to_string());
                    always_failed();
                }
            }
        })
    }
}

/// Redis's answer to a failed write or fsync under `appendfsync always`: the writes of this
/// batch are applied but not durable, and their clients must not be told otherwise.
fn always_failed() -> ! {
    tracing::warn!(
        "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting..."
    );
    std::process::exit(1)
}

impl Inner {
    /// Writes the pending batch to the OS. Returns the log and the ticket to wait for, or
    /// `None` when the AOF is off or the write failed (the batch then stays pending).
    fn flush_pending(&self) -> Option<(Aof, Ticket)> {
        let mut st = self.state.lock();
        let aof = st.aof.clone()?;
        if st.pending.is_empty() {
            return Some((aof, st.last_ticket));
        }
        match aof.write(&mut st.pending) {
            Ok(t) => {
                st.last_ticket = t;
                drop(st);
                self.clear_write_error();
                Some((aof, t))
            }
            Err(e) => {
                drop(st);
                self.set_write_error(&io_reason(&e));
                None
            }
        }
    }

    fn set_write_error(&self, reason: &str) {
        let mut w = self.write_error.lock();
        if w.is_none() {
            tracing::warn!("Error writing to the AOF file: {reason}");
        }
        *w = Some(reason.to_owned());
        if let Some(shared) = self.shared.upgrade() {
            *shared.aof_write_error.write() = Some(reason.to_owned());
            shared.aof_write_failing.store(true, Ordering::Release);
        }
    }

    fn clear_write_error(&self) {
        if self.write_error.lock().take().is_some() {
            if let Some(shared) = self.shared.upgrade() {
                *shared.aof_write_error.write() = None;
                shared.aof_write_failing.store(false, Ordering::Release);
            }
        }
    }

    fn aof(&self) -> Option<Aof> {
        self.state.lock().aof.clone()
    }
}

/// The OS error text of an AOF error (`No space left on device`), as Redis's `strerror`.
fn io_reason(e: &aof::Error) -> String {
    match e {
        aof::Error::Io { source, .. } => {
            let s = source.to_string();
            // "No space left on device (os error 28)" -> "No space left on device"
            match s.rfind(" (os error") {
                Some(i) => s[..i].to_owned(),
                None => s,
            }
        }
        other => other.to_string(),
    }
}

/// The AOF settings of `config`. The AOF directory is `dir` when it is absolute, else under the
/// process's working directory (the binary changes into `dir` at start and CONFIG SET dir
/// changes it, as Redis does; an embedding program with several servers gives absolute dirs).
fn aof_config(config: &Config) -> aof::Config {
    let configured = PathBuf::from(config.dir());
    let dir = if configured.is_absolute() {
        configured
    } else {
        std::env::current_dir().unwrap_or(configured)
    };
    aof::Config {
        dir,
        dirname: config.str("appenddirname").to_owned(),
        filename: config.str("appendfilename").to_owned(),
        fsync: config
            .str("appendfsync")
            .parse()
            .unwrap_or(FsyncPolicy::EverySec),
        load_truncated: config.bool("aof-load-truncated"),
        timestamps: config.bool("aof-timestamp-enabled"),
    }
}

impl Persistence {
    /// Sets up persistence for `shared`: with `appendonly yes`, loads the AOF (the `loading`
    /// flag is set meanwhile; replay goes through the normal command dispatch), then opens it
    /// for appending (creating base, incremental file and manifest in an empty directory).
    /// Installs the propagation sink and the DEBUG, CONFIG SET and INFO hooks either way, and
    /// starts the cron thread (write retries, automatic rewrite).
    ///
    /// Fails, with Redis's one-line reason, on a corrupt or unreadable AOF, a truncated one with
    /// `aof-load-truncated no`, or an RDB preamble.
    pub fn start(shared: &Arc<Shared>) -> Result<Persistence, aof::Error> {
        let p = Persistence::open(shared)?;
        shared.loading.store(false, Ordering::Release);
        Ok(p)
    }

    /// [`Persistence::start`], but the `loading` flag stays set on return: the listener clears
    /// it once it has logged that it is ready, so a client that gets an answer (not
    /// `-LOADING`) can rely on that line being in the log already, as with Redis, which logs
    /// it before its event loop serves anyone.
    pub(crate) fn open(shared: &Arc<Shared>) -> Result<Persistence, aof::Error> {
        let config = shared.config.read().clone();
        let inner = Arc::new(Inner {
            shared: Arc::downgrade(shared),
            state: Mutex::new(State {
                aof: None,
                pending: Batch::new(),
                last_ticket: Ticket::default(),
            }),
            replaying: AtomicBool::new(false),
            rewrite_running: AtomicBool::new(false),
            rewrites_failed_in_row: AtomicU64::new(0),
            write_error: Mutex::new(None),
            stop: AtomicBool::new(false),
            cron: Mutex::new(None),
        });
        // Until the sink is installed below, clients get -LOADING: a write accepted before then
        // would not reach the log. Cleared only on success: after a failed load the server
        // stops, and must not answer as if the data were there meanwhile.
        if config.bool("appendonly") {
            shared.loading.store(true, Ordering::Release);
            if config.bool("aof-use-rdb-preamble") {
                tracing::info!(
                    "aof-use-rdb-preamble yes: this server writes AOF base files in RESP format only"
                );
            }
            let acfg = aof_config(&config);
            let stats = crate::replay::load_into(shared, &acfg, true)?;
            if stats.files > 0 {
                tracing::info!(
                    "DB loaded from append only file: {:.3} seconds ({} commands)",
                    stats.elapsed.as_secs_f64(),
                    stats.commands
                );
            }
            let log = Aof::open(acfg)?;
            inner.state.lock().aof = Some(log);
        }
        let p = Persistence { inner };
        p.install(shared);
        if p.inner.aof().is_some() {
            shared.enable_propagation();
        }
        Ok(p)
    }

    fn install(&self, shared: &Arc<Shared>) {
        shared.set_propagate(Arc::new(Sink(self.inner.clone())));
        *shared.persistence.write() = Some(self.inner.clone());
        let weak = Arc::downgrade(&self.inner);
        shared.set_debug_hook(Arc::new(move |cx: &mut Ctx<'_>, argv: &[Bytes]| {
            let inner = weak.upgrade()?;
            debug_hook(&inner, cx, argv)
        }));
        let weak = Arc::downgrade(&self.inner);
        shared.add_config_listener(Arc::new(move |names: &[&'static str], cfg: &Config| {
            if let Some(inner) = weak.upgrade() {
                config_changed(&inner, names, cfg);
            }
        }));
        let weak = Arc::downgrade(&self.inner);
        *shared.info_persistence.write() = Some(Arc::new(move || {
            weak.upgrade().map(|i| info_lines(&i)).unwrap_or_default()
        }));
        let weak = Arc::downgrade(&self.inner);
        let cron = std::thread::Builder::new()
            .name("aof-cron".into())
            .spawn(move || cron_loop(weak))
            .ok();
        *self.inner.cron.lock() = cron;
    }

    /// Flushes and fsyncs the AOF and closes it (SIGTERM, SHUTDOWN); stops the cron thread.
    /// A rewrite still running is given up to 5 s to finish.
    pub fn shutdown(&self) -> Result<(), aof::Error> {
        self.inner.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.inner.cron.lock().take() {
            let _ = h.join();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.inner.rewrite_running.load(Ordering::Acquire) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut st = self.inner.state.lock();
        let Some(log) = st.aof.take() else {
            return Ok(());
        };
        tracing::info!("Calling fsync() on the AOF file.");
        let written = log.write(&mut st.pending);
        drop(st);
        let closed = log.close();
        written.map(|_| ()).and(closed)
    }

    /// Starts a background rewrite (BGREWRITEAOF).
    pub fn bgrewriteaof(&self) -> Result<(), CmdError> {
        start_rewrite(&self.inner)
    }
}

// ---- rewrite --------------------------------------------------------------------------------

/// One key of a snapshot.
type Item = (usize, Bytes, store::Value, Option<u64>);

/// Copies the dataset (inside an exclusive section).
fn snapshot(tx: &store::Tx<'_>) -> Vec<Item> {
    let store = tx.store();
    let mut items = Vec::new();
    for db in 0..store.databases() {
        tx.db(db).for_each(|k, v, exp| items.push((db, k, v, exp)));
    }
    items
}

/// Writes a snapshot as a base file: SET / HSET (64 fields per command) / PEXPIREAT, with a
/// SELECT per db.
fn write_base(rw: &aof::Rewrite, items: &[Item]) -> Result<u64, aof::Error> {
    let mut w = rw.base_writer()?;
    let mut n = itoa::Buffer::new();
    for (db, key, value, exp) in items {
        match value {
            store::Value::String(v) => w.command(*db, &[&b"SET"[..], key, v])?,
            store::Value::Hash(pairs) => {
                for chunk in pairs.chunks(64) {
                    let mut args: Vec<&[u8]> = Vec::with_capacity(2 + chunk.len() * 2);
                    args.push(b"HSET");
                    args.push(key);
                    for (f, v) in chunk {
                        args.push(f);
                        args.push(v);
                    }
                    w.command(*db, &args)?;
                }
            }
        }
        if let Some(at) = exp {
            w.command(*db, &[&b"PEXPIREAT"[..], key, n.format(*at).as_bytes()])?;
        }
    }
    w.finish()
}

/// Starts a background rewrite: BGREWRITEAOF, automatic rewrite, or (with `enable`)
/// CONFIG SET appendonly yes.
fn start_rewrite(inner: &Arc<Inner>) -> Result<(), CmdError> {
    start_rewrite_with(inner, false)
}

fn start_rewrite_with(inner: &Arc<Inner>, enable: bool) -> Result<(), CmdError> {
    if inner.rewrite_running.swap(true, Ordering::AcqRel) {
        return Err(CmdError::Err(
            "Background append only file rewriting already in progress",
        ));
    }
    let inner2 = inner.clone();
    let spawned = std::thread::Builder::new()
        .name("aof-rewrite".into())
        .spawn(move || {
            let ok = run_rewrite(&inner2, enable);
            if ok {
                inner2.rewrites_failed_in_row.store(0, Ordering::Relaxed);
            } else {
                inner2
                    .rewrites_failed_in_row
                    .fetch_add(1, Ordering::Relaxed);
            }
            inner2.rewrite_running.store(false, Ordering::Release);
        });
    if spawned.is_err() {
        inner.rewrite_running.store(false, Ordering::Release);
        return Err(CmdError::Err("Can't start the AOF rewrite thread"));
    }
    Ok(())
}

/// The rewrite itself (on its own thread). Returns whether it succeeded.
fn run_rewrite(inner: &Inner, enable: bool) -> bool {
    let Some(shared) = inner.shared.upgrade() else {
        return false;
    };
    let cfg = shared.config.read().clone();
    if enable {
        // From here on writes are logged; those that ran quiet are over (in the snapshot).
        shared.enable_propagation();
    }
    // (log, rewrite, temporary log to close afterwards)
    let order = shared.write_order.lock();
    let started = shared.store.exclusive(|tx| {
        let mut st = inner.state.lock();
        let r = match st.aof.clone() {
            Some(log) if !enable => {
                // Effects of commands that changed the store before this section: old file.
                if !st.pending.is_empty() {
                    if let Ok(t) = log.write(&mut st.pending) {
                        st.last_ticket = t;
                    }
                }
                log.start_rewrite().map(|rw| (log, rw, false))
            }
            Some(_) => return Err(aof::Error::RewriteInProgress),
            None => {
                // Off (BGREWRITEAOF) or being turned on (CONFIG SET appendonly yes): a base
                // from the dataset; when turning on, writes go to the new log from now on.
                Aof::enable(aof_config(&cfg)).map(|(log, rw)| {
                    if enable {
                        st.aof = Some(log.clone());
                        st.pending.clear();
                        st.last_ticket = Ticket::default();
                    }
                    (log, rw, !enable)
                })
            }
        };
        drop(st);
        r.map(|(log, rw, temp)| (log, rw, temp, snapshot(tx)))
    });
    drop(order);
    let (log, rw, temp, items) = match started {
        Ok(x) => x,
        Err(e) => {
            if enable && inner.aof().is_none() {
                shared.disable_propagation();
            }
            tracing::warn!("Can't rewrite append only file in background: {e}");
            return false;
        }
    };
    let written = write_base(&rw, &items);
    drop(items);
    let result = match written {
        Ok(bytes) => {
            tracing::info!("Successfully created the temporary AOF base file ({bytes} bytes)");
            log.finish_rewrite(rw)
        }
        Err(e) => {
            log.abort_rewrite(rw);
            Err(e)
        }
    };
    if temp {
        let _ = log.close();
    }
    match result {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!("Background AOF rewrite failed: {e}");
            false
        }
    }
}

// ---- hooks ----------------------------------------------------------------------------------

/// CONFIG SET appendonly / appendfsync.
fn config_changed(inner: &Arc<Inner>, names: &[&'static str], cfg: &Config) {
    for name in names {
        match *name {
            "appendonly" => {
                let on = cfg.bool("appendonly");
                let is_on = inner.state.lock().aof.is_some();
                if on && !is_on {
                    if let Err(e) = start_rewrite_with(inner, true) {
                        tracing::warn!("Can't turn on the AOF: {e}");
                    }
                } else if !on && is_on {
                    let mut st = inner.state.lock();
                    if let Some(log) = st.aof.take() {
                        let _ = log.write(&mut st.pending);
                        st.pending.clear();
                        drop(st);
                        if let Some(shared) = inner.shared.upgrade() {
                            shared.disable_propagation();
                        }
                        if let Err(e) = log.close() {
                            tracing::warn!("Error closing the AOF: {e}");
                        }
                        inner.clear_write_error();
                    }
                }
            }
            "aof-timestamp-enabled" => {
                if let Some(log) = inner.aof() {
                    log.set_timestamps(cfg.bool("aof-timestamp-enabled"));
                }
            }
            "appendfsync" => {
                if let (Some(log), Ok(p)) = (inner.aof(), cfg.str("appendfsync").parse()) {
                    log.set_fsync(p);
                }
            }
            _ => {}
        }
    }
}

/// DEBUG LOADAOF, DEBUG AOF-FLUSH-SLEEP.
fn debug_hook(inner: &Inner, cx: &mut Ctx<'_>, argv: &[Bytes]) -> Option<CmdResult> {
    let sub = argv.first()?;
    if sub.eq_ignore_ascii_case(b"aof-flush-sleep") && argv.len() == 2 {
        cx.out.ok();
        return Some(Ok(()));
    }
    if !(sub.eq_ignore_ascii_case(b"loadaof") && argv.len() == 1) {
        return None;
    }
    let shared = cx.shared;
    if let Some(log) = inner.aof() {
        inner.flush_pending();
        if let Err(e) = log.sync_all() {
            return Some(Err(CmdError::ErrOwned(e.to_string())));
        }
    }
    let acfg = aof_config(&shared.config.read());
    let _order = shared.write_order.lock();
    let r = shared.store.exclusive(|_tx| {
        inner.replaying.store(true, Ordering::Relaxed);
        shared.store.flushall();
        let r = crate::replay::load_into(shared, &acfg, false);
        inner.replaying.store(false, Ordering::Relaxed);
        r
    });
    Some(match r {
        Ok(stats) => {
            tracing::info!(
                "DB loaded from append only file: {:.3} seconds",
                stats.elapsed.as_secs_f64()
            );
            cx.out.ok();
            Ok(())
        }
        Err(e) => {
            tracing::warn!("{e}");
            Err(CmdError::ErrOwned(format!("Error loading the AOF: {e}")))
        }
    })
}

/// The `aof_*` lines of INFO persistence, in Redis 7.0's order.
fn info_lines(inner: &Inner) -> String {
    use std::fmt::Write;
    let log = inner.aof();
    let running = inner.rewrite_running.load(Ordering::Relaxed);
    let status = log.as_ref().map(|l| l.status()).unwrap_or_default();
    let write_ok = inner.write_error.lock().is_none();
    let failed = inner.rewrites_failed_in_row.load(Ordering::Relaxed);
    let mut o = String::with_capacity(512);
    let _ = write!(
        o,
        "aof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{}\r\naof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\naof_rewrites_consecutive_failures:{failed}\r\naof_last_write_status:{}\r\naof_last_cow_size:0\r\n",
        u8::from(log.is_some()),
        u8::from(running),
        if log.is_some() { status.last_rewrite_time_sec } else { -1 },
        if running { status.current_rewrite_time_sec.max(0) } else { -1 },
        if failed == 0 { "ok" } else { "err" },
        status.rewrites,
        if write_ok { "ok" } else { "err" },
    );
    if log.is_some() {
        let pending = inner.state.lock().pending.len();
        let _ = write!(
            o,
            "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:0\r\naof_buffer_length:{pending}\r\naof_pending_bio_fsync:{}\r\naof_delayed_fsync:{}\r\n",
            status.current_size, status.base_size, status.pending_bio_fsync, status.delayed_fsync,
        );
    }
    o
}

/// Every 100 ms: retry a failed write; start an automatic rewrite when the AOF has grown by
/// `auto-aof-rewrite-percentage` past `auto-aof-rewrite-min-size`.
fn cron_loop(weak: Weak<Inner>) {
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let Some(inner) = weak.upgrade() else {
            return;
        };
        if inner.stop.load(Ordering::Relaxed) {
            return;
        }
        if inner.write_error.lock().is_some() {
            inner.flush_pending();
        }
        let Some(shared) = inner.shared.upgrade() else {
            return;
        };
        let (pct, min) = {
            let c = shared.config.read();
            (
                c.int("auto-aof-rewrite-percentage").max(0) as u64,
                c.int("auto-aof-rewrite-min-size").max(0) as u64,
            )
        };
        if let Some(log) = inner.aof() {
            if !inner.rewrite_running.load(Ordering::Relaxed) && log.auto_rewrite_due(pct, min) {
                let s = log.status();
                tracing::info!(
                    "Starting automatic rewriting of AOF on {}% growth",
                    (s.current_size * 100 / s.base_size.max(1)).saturating_sub(100)
                );
                let _ = start_rewrite(&inner);
            }
        }
    }
}

/// BGREWRITEAOF from a command handler.
pub(crate) fn bgrewriteaof(shared: &Shared) -> Result<(), CmdError> {
    let inner = shared.persistence.read().clone();
    match inner {
        Some(inner) => start_rewrite(&inner),
        None => Err(CmdError::Err(
            "AOF persistence is not set up in this server",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reason_strips_os_error() {
        let e = aof::Error::Io {
            op: "write",
            path: PathBuf::from("x"),
            source: std::io::Error::from_raw_os_error(28),
        };
        assert_eq!(io_reason(&e), "No space left on device");
    }
}
