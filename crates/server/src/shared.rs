//! [`Shared`]: the state every connection sees — store, config, command table, client
//! registry, statistics, the persistence hook and the shutdown signal.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use tokio_util::sync::CancellationToken;

use crate::client::Clients;
use crate::config::Config;
use crate::counter::{Counter, Padded};
use crate::slowlog::SlowLog;
use crate::table::Table;

/// Where the effects of write commands go (the AOF). The server calls [`append`] for each
/// effect as the command runs (in execution order: a MULTI/EXEC block arrives wrapped in
/// MULTI ... EXEC), and awaits [`barrier`] once per batch of pipelined commands that propagated
/// anything, before the batch's replies are written.
///
/// [`append`]: Propagate::append
/// [`barrier`]: Propagate::barrier
pub trait Propagate: Send + Sync + 'static {
    /// Records one effect: `argv` (a command) to be replayed in database `db`.
    fn append(&self, db: usize, argv: &[Bytes]);
    /// Resolves when everything appended so far is as durable as the fsync policy requires
    /// (written to the OS; fsynced with `appendfsync always`).
    fn barrier(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>>;
}

/// Handles DEBUG subcommands that belong to persistence (LOADAOF, AOF-FLUSH-SLEEP...), installed
/// by the AOF layer: returns `None` if it does not know the subcommand.
pub type DebugHook =
    dyn Fn(&mut crate::ctx::Ctx<'_>, &[Bytes]) -> Option<crate::error::CmdResult> + Send + Sync;

/// Called after CONFIG SET changed directives (names are canonical).
pub type ConfigListener = dyn Fn(&[&'static str], &Config) + Send + Sync;

/// Server statistics (INFO stats).
#[derive(Debug, Default)]
pub struct Stats {
    /// Commands executed.
    pub commands: Counter,
    /// Bytes read from clients.
    pub net_input: Counter,
    /// Bytes written to clients.
    pub net_output: Counter,
    /// Key lookups that found the key (filled by handlers that count them).
    pub keyspace_hits: Counter,
    /// Key lookups that missed.
    pub keyspace_misses: Counter,
    /// Error replies sent.
    pub error_replies: Counter,
    /// Unknown commands / wrong arity (Redis's `rejected_calls`).
    pub rejected_calls: Counter,
    /// Changes since the last save (INFO persistence `rdb_changes_since_last_save`).
    pub dirty: Counter,
    /// Highest `used_memory` seen (INFO memory `used_memory_peak`).
    pub peak_memory: AtomicU64,
    /// Commands per second over the last sampling second (`instantaneous_ops_per_sec`).
    pub ops_per_sec: AtomicU64,
    /// Input bytes per second over the last sampling second.
    pub input_bps: AtomicU64,
    /// Output bytes per second over the last sampling second.
    pub output_bps: AtomicU64,
}

impl Stats {
    /// Updates the instantaneous rates from the totals; `prev` holds the totals of the previous
    /// call, `secs` the time since it.
    pub fn sample(&self, prev: &mut [u64; 3], secs: f64) {
        let now = [
            self.commands.get(),
            self.net_input.get(),
            self.net_output.get(),
        ];
        let rate = |i: usize| (now[i].saturating_sub(prev[i]) as f64 / secs.max(1e-3)) as u64;
        self.ops_per_sec.store(rate(0), Ordering::Relaxed);
        self.input_bps.store(rate(1), Ordering::Relaxed);
        self.output_bps.store(rate(2), Ordering::Relaxed);
        *prev = now;
    }

    /// Resets the counters CONFIG RESETSTAT resets.
    pub fn reset(&self) {
        for c in [
            &self.commands,
            &self.net_input,
            &self.net_output,
            &self.keyspace_hits,
            &self.keyspace_misses,
            &self.error_replies,
            &self.rejected_calls,
        ] {
            c.reset();
        }
    }
}

/// How SHUTDOWN asked the server to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShutdownRequest {
    /// `NOSAVE` was given.
    pub nosave: bool,
    /// `SAVE` was given.
    pub save: bool,
}

/// State shared by all connections.
pub struct Shared {
    /// The keyspace.
    pub store: Arc<store::Store>,
    /// The configuration (CONFIG GET/SET).
    pub config: RwLock<Config>,
    /// The command table.
    pub table: Table,
    /// Connected clients.
    pub clients: Clients,
    /// Counters.
    pub stats: Stats,
    /// The slow log.
    pub slowlog: SlowLog,
    /// When the server started.
    pub started: Instant,
    /// Unix time (s) the server started.
    pub started_unix: u64,
    /// 40-hex run id.
    pub run_id: String,
    /// Cancelled to stop the server (signal or SHUTDOWN).
    pub shutdown: CancellationToken,
    /// Set by SHUTDOWN with its options.
    pub shutdown_request: Mutex<Option<ShutdownRequest>>,
    /// Whether active expiry runs (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire: AtomicBool,
    /// Whether the dataset is loading (commands without `loading` get -LOADING).
    pub loading: AtomicBool,
    /// Unix time (s) of the last successful save (LASTSAVE).
    pub last_save: AtomicU64,
    /// The persistence sink, if any (installed by the AOF layer).
    pub propagate: RwLock<Option<Arc<dyn Propagate>>>,
    /// Whether write commands are logged: the AOF is open or being turned on. Write commands
    /// then run under [`Shared::write_order`] and hand their effects to the sink; otherwise
    /// they run "quiet" (see [`Shared::write_scope`]).
    pub propagate_on: AtomicBool,
    /// Per thread stripe: write commands running quiet (not logged) right now.
    quiet: Box<[Padded<AtomicUsize>]>,
    /// Extra DEBUG subcommands (installed by the AOF layer).
    pub debug_hook: RwLock<Option<Arc<DebugHook>>>,
    /// CONFIG SET listeners.
    pub config_listeners: RwLock<Vec<Arc<ConfigListener>>>,
    /// Bumped by [`Shared::config_changed`]: connections re-read their limits when it moves.
    pub config_epoch: AtomicU64,
    /// Extra INFO persistence lines provider (installed by the AOF layer): returns
    /// `name:value\r\n` lines replacing the default `aof_*` fields.
    pub info_persistence: RwLock<Option<Arc<dyn Fn() -> String + Send + Sync>>>,
    /// The OS error of the last failed AOF write, while writes fail (see [`Shared::write_denied`]).
    pub aof_write_error: RwLock<Option<String>>,
    /// Whether `aof_write_error` is set (checked on every write command without a lock).
    pub aof_write_failing: AtomicBool,
    /// Held by a write command (and EXEC) while it changes the store and appends its effect
    /// when the AOF is on (see [`Shared::write_scope`]), and by the AOF rewrite's switch: so
    /// the log has the effects in the order the store applied them, and a rewrite's snapshot
    /// agrees with its cut of the log.
    /// Reentrant: EXEC holds it across its queued commands. Lock order: this, then the store.
    pub write_order: parking_lot::ReentrantMutex<()>,
    /// The persistence layer (BGREWRITEAOF reaches it here).
    pub(crate) persistence: RwLock<Option<Arc<crate::persist::Inner>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("store", &self.store)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// Builds the shared state for `config`, with a new store sized by it.
    pub fn new(config: Config) -> Arc<Shared> {
        let store = store::Store::builder()
            .databases(config.databases())
            .hash_max_listpack_entries(config.int("hash-max-listpack-entries").max(0) as usize)
            .hash_max_listpack_value(config.int("hash-max-listpack-value").max(0) as usize)
            .clock(Arc::new(crate::clock::CommandClock))
            .build();
        Shared::with_store(config, Arc::new(store))
    }

    /// Builds the shared state around an existing store. The store takes the memory
    /// directives of `config` (maxmemory, its policy and samples, the LFU knobs) and stops
    /// checking maxmemory on its own writes: the dispatcher checks before each command, as
    /// Redis does (see `dispatch::out_of_memory`).
    pub fn with_store(config: Config, store: Arc<store::Store>) -> Arc<Shared> {
        store.set_evict_on_write(false);
        for n in MEMORY_DIRECTIVES {
            apply_memory_directive(&store, &config, n);
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let slowlog = SlowLog::new(
            config.int("slowlog-log-slower-than"),
            config.int("slowlog-max-len").max(0) as usize,
        );
        Arc::new(Shared {
            store,
            config: RwLock::new(config),
            table: Table::new(crate::commands::FAMILIES),
            clients: Clients::default(),
            stats: Stats::default(),
            slowlog,
            started: Instant::now(),
            started_unix: now,
            run_id: run_id(),
            shutdown: CancellationToken::new(),
            shutdown_request: Mutex::new(None),
            active_expire: AtomicBool::new(true),
            loading: AtomicBool::new(false),
            last_save: AtomicU64::new(now),
            propagate: RwLock::new(None),
            propagate_on: AtomicBool::new(false),
            quiet: (0..crate::counter::STRIPES)
                .map(|_| Padded::default())
                .collect(),
            debug_hook: RwLock::new(None),
            config_listeners: RwLock::new(Vec::new()),
            config_epoch: AtomicU64::new(0),
            info_persistence: RwLock::new(None),
            aof_write_error: RwLock::new(None),
            aof_write_failing: AtomicBool::new(false),
            write_order: parking_lot::ReentrantMutex::new(()),
            persistence: RwLock::new(None),
        })
    }

    /// Installs the persistence sink. Writes are logged only after
    /// [`Shared::enable_propagation`].
    pub fn set_propagate(&self, sink: Arc<dyn Propagate>) {
        *self.propagate.write() = Some(sink);
    }

    /// Where a write command (or EXEC, or an eviction) runs: logged, under the write-order
    /// lock, or quiet, counted in this thread's stripe so that
    /// [`Shared::enable_propagation`] can wait for it. With the AOF off (the default) a write
    /// thus costs two uncontended atomic operations instead of a global lock.
    pub fn write_scope(&self) -> WriteScope<'_> {
        if !self.propagate_on.load(Ordering::SeqCst) {
            let stripe = &self.quiet[crate::counter::stripe()].0;
            stripe.fetch_add(1, Ordering::SeqCst);
            // Checked again after counting in (Dekker with `enable_propagation`): either it
            // sees this count, or this sees its flag.
            if !self.propagate_on.load(Ordering::SeqCst) {
                return WriteScope::Quiet(stripe);
            }
            stripe.fetch_sub(1, Ordering::SeqCst);
        }
        WriteScope::Logged(self.write_order.lock())
    }

    /// Turns logging on: once this returns, every write that started quiet has ended (its
    /// change is in any snapshot taken from now on) and every new one is logged. Call it
    /// before taking the write-order lock for the snapshot that starts the log, never while
    /// in a write scope.
    pub fn enable_propagation(&self) {
        self.propagate_on.store(true, Ordering::SeqCst);
        for s in self.quiet.iter() {
            while s.0.load(Ordering::SeqCst) != 0 {
                std::thread::yield_now();
            }
        }
    }

    /// Turns logging off (the AOF was closed): writes run quiet from now on.
    pub fn disable_propagation(&self) {
        self.propagate_on.store(false, Ordering::SeqCst);
    }

    /// Installs the DEBUG hook for persistence subcommands.
    pub fn set_debug_hook(&self, hook: Arc<DebugHook>) {
        *self.debug_hook.write() = Some(hook);
    }

    /// Adds a CONFIG SET listener.
    pub fn add_config_listener(&self, l: Arc<ConfigListener>) {
        self.config_listeners.write().push(l);
    }

    /// Applies side effects of changed directives (store limits, slowlog) and notifies
    /// listeners.
    pub fn config_changed(&self, names: &[&'static str]) {
        self.config_epoch.fetch_add(1, Ordering::Release);
        let cfg = self.config.read().clone();
        for n in names {
            match *n {
                "hash-max-listpack-entries" => self
                    .store
                    .set_hash_max_listpack_entries(cfg.int(n).max(0) as usize),
                "hash-max-listpack-value" => self
                    .store
                    .set_hash_max_listpack_value(cfg.int(n).max(0) as usize),
                "slowlog-log-slower-than" | "slowlog-max-len" => self.slowlog.configure(
                    cfg.int("slowlog-log-slower-than"),
                    cfg.int("slowlog-max-len").max(0) as usize,
                ),
                "maxmemory" => {
                    apply_memory_directive(&self.store, &cfg, n);
                    let max = self.store.maxmemory();
                    let used = self.store.used_memory() as u64;
                    if max != 0 && used > max {
                        // As Redis's updateMaxmemory: warn, then evict right away.
                        tracing::warn!(
                            "WARNING: the new maxmemory value set via CONFIG SET ({max}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy."
                        );
                        let _ = self.evict();
                    }
                }
                n if MEMORY_DIRECTIVES.contains(&n) => apply_memory_directive(&self.store, &cfg, n),
                _ => {}
            }
        }
        let listeners = self.config_listeners.read().clone();
        for l in listeners {
            l(names, &cfg);
        }
    }

    /// Evicts keys until the store is under `maxmemory` ([`store::Store::evict`]), appending
    /// a `DEL` of each evicted key to the persistence sink, as Redis propagates evictions
    /// (under the write-order lock, so a concurrent write of the same key is logged in the
    /// order the store saw). [`store::Error::OutOfMemory`] if memory stays over the limit.
    pub fn evict(&self) -> store::Result<usize> {
        let scope = self.write_scope();
        if !scope.logged() {
            return self.store.evict();
        }
        let sink = self.propagate.read().clone();
        self.store.evict_with(|db, key| {
            self.stats.dirty.add(1);
            if let Some(sink) = &sink {
                sink.append(
                    db,
                    &[Bytes::from_static(b"DEL"), Bytes::copy_from_slice(key)],
                );
            }
        })
    }

    /// Redis's refusal of write commands while AOF writes fail:
    /// `-MISCONF Errors writing to the AOF file: <strerror>`. `None` when writes succeed. The
    /// dispatcher checks it for commands flagged `write` (reads keep working).
    pub fn write_denied(&self) -> Option<crate::error::CmdError> {
        if !self.aof_write_failing.load(Ordering::Acquire) {
            return None;
        }
        let reason = self.aof_write_error.read().clone()?;
        Some(crate::error::CmdError::Line(
            format!("MISCONF Errors writing to the AOF file: {reason}").into(),
        ))
    }

    /// Requests a shutdown (SHUTDOWN command or signal).
    pub fn request_shutdown(&self, req: ShutdownRequest) {
        *self.shutdown_request.lock() = Some(req);
        self.shutdown.cancel();
    }

    /// Current Unix time in milliseconds (the store's clock).
    pub fn now_ms(&self) -> u64 {
        self.store.now_ms()
    }
}

/// The directives the store applies itself.
const MEMORY_DIRECTIVES: [&str; 5] = [
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "lfu-log-factor",
    "lfu-decay-time",
];

fn apply_memory_directive(store: &store::Store, cfg: &Config, name: &str) {
    let int = |n: &str| cfg.int(n).max(0) as u64;
    match name {
        "maxmemory" => store.set_maxmemory(int(name)),
        "maxmemory-policy" => {
            // The directive only accepts Redis's names, all of which the store knows.
            if let Some(p) = store::EvictionPolicy::from_name(cfg.str(name)) {
                store.set_maxmemory_policy(p);
            }
        }
        "maxmemory-samples" => store.set_maxmemory_samples(int(name) as usize),
        "lfu-log-factor" => store.set_lfu_log_factor(int(name).min(u32::MAX as u64) as u32),
        "lfu-decay-time" => store.set_lfu_decay_time(int(name).min(u32::MAX as u64) as u32),
        _ => {}
    }
}

fn run_id() -> String {
    let mut s = String::with_capacity(40);
    for _ in 0..40 {
        let d = fastrand::u8(0..16);
        s.push(char::from_digit(u32::from(d), 16).unwrap_or('0'));
    }
    s
}

/// How a write runs, from [`Shared::write_scope`]; ends when dropped.
pub enum WriteScope<'a> {
    /// Logged: holds the write-order lock.
    Logged(parking_lot::ReentrantMutexGuard<'a, ()>),
    /// Not logged: counted in a quiet stripe.
    Quiet(&'a AtomicUsize),
}

impl WriteScope<'_> {
    /// Whether the write's effects go to the log.
    pub fn logged(&self) -> bool {
        matches!(self, WriteScope::Logged(_))
    }
}

impl Drop for WriteScope<'_> {
    fn drop(&mut self) {
        if let WriteScope::Quiet(stripe) = self {
            stripe.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
