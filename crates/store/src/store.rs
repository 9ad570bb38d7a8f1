//! [`Store`]: the databases, the gate that makes multi-key operations atomic, WATCH, config.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::clock::{Clock, SystemClock};
use crate::db::{Db, Keyspace};
use crate::error::{Error, Result};
use crate::evict::{EvictionPolicy, Evictor};
use crate::options::{ExpireCondition, ExpireOutcome, SetOptions};
use crate::watch::{Registry, WatchToken};

/// Number of stripes of the gate: readers spread over them so that concurrent single-key
/// operations from different threads do not fight over one cache line.
const GATE_STRIPES: usize = 16;

#[repr(align(128))]
#[derive(Default)]
struct Stripe {
    lock: RwLock<()>,
}

thread_local! {
    /// Address of the store whose gate this thread holds exclusively (0 if none), so operations
    /// called inside [`Store::exclusive`] do not try to take the gate again.
    static EXCLUSIVE_HOLDER: Cell<usize> = const { Cell::new(0) };
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

fn my_stripe() -> usize {
    STRIPE.with(|s| {
        let v = s.get();
        if v != usize::MAX {
            return v;
        }
        let v = NEXT_STRIPE.fetch_add(1, Ordering::Relaxed) % GATE_STRIPES;
        s.set(v);
        v
    })
}

/// A held shared gate (or nothing, when this thread already holds the gate exclusively).
pub(crate) struct SharedGuard<'a> {
    _guard: Option<RwLockReadGuard<'a, ()>>,
}

/// Builder for a [`Store`] with non-default settings.
///
/// ```
/// use std::sync::Arc;
/// use store::{ManualClock, Store};
/// let clock = ManualClock::new(1_000_000);
/// let store = Store::builder().databases(4).clock(Arc::new(clock.clone())).build();
/// assert_eq!(store.databases(), 4);
/// ```
pub struct StoreBuilder {
    databases: usize,
    clock: Arc<dyn Clock>,
    hash_max_listpack_entries: usize,
    hash_max_listpack_value: usize,
    shards: usize,
    maxmemory: u64,
    policy: EvictionPolicy,
    samples: usize,
    evict_on_write: bool,
    lfu_log_factor: u32,
    lfu_decay_time: u32,
}

impl Default for StoreBuilder {
    fn default() -> Self {
        StoreBuilder {
            databases: 16,
            clock: Arc::new(SystemClock),
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            shards: 32,
            maxmemory: 0,
            policy: EvictionPolicy::NoEviction,
            samples: crate::evict::DEFAULT_SAMPLES as usize,
            evict_on_write: true,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
        }
    }
}

impl StoreBuilder {
    /// Number of databases (Redis `databases`, default 16; at least 1).
    pub fn databases(mut self, n: usize) -> Self {
        self.databases = n.max(1);
        self
    }

    /// The time source (default [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// `hash-max-listpack-entries` (default 512).
    pub fn hash_max_listpack_entries(mut self, n: usize) -> Self {
        self.hash_max_listpack_entries = n;
        self
    }

    /// `hash-max-listpack-value` (default 64).
    pub fn hash_max_listpack_value(mut self, n: usize) -> Self {
        self.hash_max_listpack_value = n;
        self
    }

    /// Shards per database (rounded up to a power of two, at least 2; default 32).
    pub fn shards(mut self, n: usize) -> Self {
        self.shards = n.max(2).next_power_of_two();
        self
    }

    /// `maxmemory`: the bound in bytes on [`Store::used_memory`] (default 0: no bound). See
    /// the crate docs, "Memory and eviction".
    pub fn maxmemory(mut self, bytes: u64) -> Self {
        self.maxmemory = bytes;
        self
    }

    /// `maxmemory-policy` (default [`EvictionPolicy::NoEviction`]).
    pub fn maxmemory_policy(mut self, policy: EvictionPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// `maxmemory-samples`: keys sampled per database per eviction (default 5, at least 1).
    pub fn maxmemory_samples(mut self, n: usize) -> Self {
        self.samples = n.max(1);
        self
    }

    /// `lfu-log-factor` (default 10).
    pub fn lfu_log_factor(mut self, n: u32) -> Self {
        self.lfu_log_factor = n;
        self
    }

    /// `lfu-decay-time` in minutes (default 1; 0 = never decay).
    pub fn lfu_decay_time(mut self, minutes: u32) -> Self {
        self.lfu_decay_time = minutes;
        self
    }

    /// Whether memory-growing writes enforce `maxmemory` themselves (default true): evict
    /// first, then fail with [`Error::OutOfMemory`] if still over. A server that checks before
    /// each command instead (as Redis's `processCommand` does, see [`Store::evict`]) turns
    /// this off.
    pub fn evict_on_write(mut self, on: bool) -> Self {
        self.evict_on_write = on;
        self
    }

    /// Builds the store.
    pub fn build(self) -> Store {
        let keyspaces = (0..self.databases)
            .map(|i| Keyspace::new(i, self.shards))
            .collect();
        let map = (0..self.databases).map(AtomicUsize::new).collect();
        Store {
            keyspaces,
            map,
            gate: (0..GATE_STRIPES).map(|_| Stripe::default()).collect(),
            clock: self.clock,
            watches: Arc::new(Registry::default()),
            config: Config {
                hash_max_listpack_entries: AtomicUsize::new(self.hash_max_listpack_entries),
                hash_max_listpack_value: AtomicUsize::new(self.hash_max_listpack_value),
                lfu_log_factor: AtomicU32::new(self.lfu_log_factor),
                lfu_decay_time: AtomicU32::new(self.lfu_decay_time),
            },
            stats: Stats::default(),
            evictor: Evictor::new(
                self.maxmemory,
                self.policy,
                self.samples,
                self.evict_on_write,
            ),
        }
    }
}

pub(crate) struct Config {
    pub(crate) hash_max_listpack_entries: AtomicUsize,
    pub(crate) hash_max_listpack_value: AtomicUsize,
    pub(crate) lfu_log_factor: AtomicU32,
    pub(crate) lfu_decay_time: AtomicU32,
}

#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) expired_keys: AtomicU64,
}

/// Counters for INFO stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Keys deleted because their TTL passed (lazily or by [`Store::expire_cycle`]).
    pub expired_keys: u64,
    /// Keys evicted under `maxmemory`.
    pub evicted_keys: u64,
}

/// The keyspace: `databases` databases of strings and hashes with expiry.
///
/// `Store` is `Send + Sync`; share it with `Arc`. See the crate docs for the locking scheme.
pub struct Store {
    keyspaces: Box<[Keyspace]>,
    /// Logical db index -> keyspace index (SWAPDB swaps two entries).
    map: Box<[AtomicUsize]>,
    gate: Box<[Stripe]>,
    clock: Arc<dyn Clock>,
    pub(crate) watches: Arc<Registry>,
    pub(crate) config: Config,
    pub(crate) stats: Stats,
    pub(crate) evictor: Evictor,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("databases", &self.keyspaces.len())
            .finish_non_exhaustive()
    }
}

/// Access to the store while holding its gate exclusively: see [`Store::exclusive`].
pub struct Tx<'a> {
    store: &'a Store,
}

impl<'a> Tx<'a> {
    /// Handle to database `index` (panics if out of range; check with [`Store::databases`]).
    pub fn db(&self, index: usize) -> Db<'a> {
        self.store.db(index)
    }

    /// The store itself (every method may be called; none takes the gate again).
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// Whether a watched key changed since it was watched (see [`Store::watch_changed`]).
    pub fn watch_changed(&self, token: &WatchToken) -> bool {
        self.store.watch_changed(token)
    }
}

impl Store {
    /// A store with 16 databases and the system clock.
    pub fn new() -> Store {
        StoreBuilder::default().build()
    }

    /// A builder for other settings (database count, clock, hash limits).
    pub fn builder() -> StoreBuilder {
        StoreBuilder::default()
    }

    /// Number of databases.
    pub fn databases(&self) -> usize {
        self.keyspaces.len()
    }

    /// Handle to database `index`. Panics if `index >= databases()`; use [`Store::try_db`] for
    /// untrusted indexes.
    pub fn db(&self, index: usize) -> Db<'_> {
        assert!(index < self.keyspaces.len(), "db index out of range");
        Db::new(self, index)
    }

    /// Handle to database `index`, or [`Error::DbIndexOutOfRange`].
    pub fn try_db(&self, index: i64) -> Result<Db<'_>> {
        if index < 0 || index as u64 >= self.keyspaces.len() as u64 {
            return Err(Error::DbIndexOutOfRange);
        }
        Ok(Db::new(self, index as usize))
    }

    /// Current time of the store's clock (ms since the epoch).
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// The store's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub(crate) fn keyspace(&self, index: usize) -> &Keyspace {
        let phys = self.map[index].load(Ordering::Acquire);
        &self.keyspaces[phys]
    }

    fn addr(&self) -> usize {
        self as *const Store as usize
    }

    fn holds_exclusive(&self) -> bool {
        EXCLUSIVE_HOLDER.with(|h| h.get() == self.addr())
    }

    /// Takes the gate shared (single-key operations), unless this thread holds it exclusively.
    #[inline]
    pub(crate) fn shared(&self) -> SharedGuard<'_> {
        if self.holds_exclusive() {
            return SharedGuard { _guard: None };
        }
        SharedGuard {
            _guard: Some(self.gate[my_stripe()].lock.read()),
        }
    }

    /// Runs `f` with the gate held exclusively: no other operation of this store runs
    /// meanwhile, so a batch (MULTI/EXEC, MSET, RENAME...) is never seen half-done. Operations
    /// called inside `f` (through `tx` or directly on this store) do not take the gate again.
    /// Nested calls on the same thread just run `f`.
    pub fn exclusive<R>(&self, f: impl FnOnce(&Tx<'_>) -> R) -> R {
        if self.holds_exclusive() {
            return f(&Tx { store: self });
        }
        let guards: Vec<RwLockWriteGuard<'_, ()>> =
            self.gate.iter().map(|s| s.lock.write()).collect();
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                EXCLUSIVE_HOLDER.with(|h| h.set(0));
            }
        }
        EXCLUSIVE_HOLDER.with(|h| h.set(self.addr()));
        let reset = Reset;
        let out = f(&Tx { store: self });
        drop(reset);
        drop(guards);
        out
    }

    /// Watches `key` in database `db` (WATCH). Keep the token until EXEC/DISCARD/UNWATCH.
    pub fn watch(&self, db: usize, key: &[u8]) -> WatchToken {
        // Reclaim the key first if it is already expired: as in Redis, watching an expired key
        // and then seeing it deleted is not a change (the lazy delete would bump the version
        // of a token registered before it).
        let handle = self.db(db);
        handle.exists(&[key]);
        let mut token = WatchToken::new(self.watches.clone(), db, key);
        // Register first, then read: a concurrent write either bumps our version or happened
        // before this read (a key that expired between the two reads counts as live when
        // watched, then expired: changed).
        let at = handle.live_expire_at(key);
        token.set_expire_at(at.flatten());
        token
    }

    /// Whether the watched key was modified, deleted, expired, flushed or swapped since
    /// [`Store::watch`]. Call it inside [`Store::exclusive`] right before running EXEC.
    pub fn watch_changed(&self, token: &WatchToken) -> bool {
        token.changed(self.now_ms())
    }

    /// Whether any of the tokens changed.
    pub fn any_watch_changed(&self, tokens: &[WatchToken]) -> bool {
        let now = self.now_ms();
        tokens.iter().any(|t| t.changed(now))
    }

    /// FLUSHALL: empties every database atomically; returns the number of keys removed.
    pub fn flushall(&self) -> usize {
        self.exclusive(|tx| (0..self.databases()).map(|i| tx.db(i).flushdb()).sum())
    }

    /// SWAPDB a b: swaps two databases atomically. Watched keys existing in either are touched.
    pub fn swapdb(&self, a: i64, b: i64) -> Result<()> {
        let n = self.databases() as i64;
        if a < 0 || a >= n || b < 0 || b >= n {
            return Err(Error::DbIndexOutOfRange);
        }
        let (a, b) = (a as usize, b as usize);
        if a == b {
            return Ok(());
        }
        self.exclusive(|_| {
            let now = self.now_ms();
            let mut touch = Vec::new();
            for (x, y) in [(a, b), (b, a)] {
                for key in self.watches.keys_of(x) {
                    if self.keyspace(x).exists_live(&key, now)
                        || self.keyspace(y).exists_live(&key, now)
                    {
                        touch.push((x, key));
                    }
                }
            }
            let pa = self.map[a].load(Ordering::Acquire);
            let pb = self.map[b].load(Ordering::Acquire);
            self.map[a].store(pb, Ordering::Release);
            self.map[b].store(pa, Ordering::Release);
            self.keyspaces[pb].set_index(a);
            self.keyspaces[pa].set_index(b);
            for (db, key) in touch {
                self.watches.touch(db, &key);
            }
        });
        Ok(())
    }

    /// One active-expiry cycle (call every 100 ms from any thread): for each database, samples
    /// up to 20 keys with a TTL and deletes the expired ones, repeating while more than 25% of
    /// a sample was expired, within a time budget (~25 ms). Returns the number of keys deleted.
    pub fn expire_cycle(&self) -> usize {
        crate::expire::cycle(self)
    }

    /// Counters for INFO.
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            expired_keys: self.stats.expired_keys.load(Ordering::Relaxed),
            evicted_keys: self.evictor.evicted.load(Ordering::Relaxed),
        }
    }

    /// Resets the counters (CONFIG RESETSTAT).
    pub fn reset_stats(&self) {
        self.stats.expired_keys.store(0, Ordering::Relaxed);
        self.evictor.evicted.store(0, Ordering::Relaxed);
    }

    /// Estimated heap bytes of the keyspace: tables, keys and values, counted as the
    /// allocator's chunk sizes (for INFO `used_memory` and `maxmemory`). See the crate docs,
    /// "Memory and eviction", for how close it is to the process's real growth.
    pub fn used_memory(&self) -> usize {
        self.keyspaces.iter().map(|k| k.used_memory()).sum()
    }

    /// Sets `maxmemory` in bytes (0 = no bound). Lowering it does not evict by itself: the
    /// next write (or [`Store::evict`]) does.
    pub fn set_maxmemory(&self, bytes: u64) {
        self.evictor.set_maxmemory(bytes);
    }

    /// Current `maxmemory` (0 = no bound).
    pub fn maxmemory(&self) -> u64 {
        self.evictor.maxmemory()
    }

    /// Sets `maxmemory-policy`.
    pub fn set_maxmemory_policy(&self, policy: EvictionPolicy) {
        self.evictor.set_policy(policy);
    }

    /// Current `maxmemory-policy`.
    pub fn maxmemory_policy(&self) -> EvictionPolicy {
        self.evictor.policy()
    }

    /// Sets `maxmemory-samples` (at least 1).
    pub fn set_maxmemory_samples(&self, n: usize) {
        self.evictor.set_samples(n);
    }

    /// Current `maxmemory-samples`.
    pub fn maxmemory_samples(&self) -> usize {
        self.evictor.samples()
    }

    /// Whether memory-growing writes enforce `maxmemory` themselves (see
    /// [`StoreBuilder::evict_on_write`]).
    pub fn set_evict_on_write(&self, on: bool) {
        self.evictor.set_on_write(on);
    }

    /// Evicts keys by the policy until [`Store::used_memory`] is at or under `maxmemory`
    /// (Redis's `performEvictions`); returns how many were evicted. [`Error::OutOfMemory`]
    /// if memory stays over: the policy is `noeviction`, or nothing is evictable (a
    /// `volatile-*` policy with no key with a TTL). Ok(0) at once when there is no bound or
    /// memory is under it.
    pub fn evict(&self) -> Result<usize> {
        crate::evict::perform(self, |_, _| {})
    }

    /// [`Store::evict`], calling `on_evict(db, key)` after each key is evicted (to propagate a
    /// DEL, say). `on_evict` runs with no shard lock held but must not call the store.
    pub fn evict_with(&self, on_evict: impl FnMut(usize, &[u8])) -> Result<usize> {
        crate::evict::perform(self, on_evict)
    }

    /// The check every memory-growing write makes first: a single relaxed load when there is
    /// no bound (or writes do not check).
    #[inline]
    pub(crate) fn admit(&self) -> Result<()> {
        if self.evictor.write_limit() == 0 {
            return Ok(());
        }
        self.evict().map(|_| ())
    }

    /// `hash-max-listpack-entries` (CONFIG SET at run time; existing hashes are not converted).
    pub fn set_hash_max_listpack_entries(&self, n: usize) {
        self.config
            .hash_max_listpack_entries
            .store(n, Ordering::Relaxed);
    }

    /// `hash-max-listpack-value`.
    pub fn set_hash_max_listpack_value(&self, n: usize) {
        self.config
            .hash_max_listpack_value
            .store(n, Ordering::Relaxed);
    }

    /// Current `hash-max-listpack-entries`.
    pub fn hash_max_listpack_entries(&self) -> usize {
        self.config
            .hash_max_listpack_entries
            .load(Ordering::Relaxed)
    }

    /// Current `hash-max-listpack-value`.
    pub fn hash_max_listpack_value(&self) -> usize {
        self.config.hash_max_listpack_value.load(Ordering::Relaxed)
    }

    /// `lfu-log-factor` (default 10).
    pub fn set_lfu_log_factor(&self, n: u32) {
        self.config.lfu_log_factor.store(n, Ordering::Relaxed);
    }

    /// `lfu-decay-time` in minutes (default 1).
    pub fn set_lfu_decay_time(&self, n: u32) {
        self.config.lfu_decay_time.store(n, Ordering::Relaxed);
    }

    /// Current `lfu-log-factor`.
    pub fn lfu_log_factor(&self) -> u32 {
        self.config.lfu_log_factor.load(Ordering::Relaxed)
    }

    /// Current `lfu-decay-time` in minutes.
    pub fn lfu_decay_time(&self) -> u32 {
        self.config.lfu_decay_time.load(Ordering::Relaxed)
    }

    // ---- Convenience API on database 0, for embedding ----

    /// GET on db 0: the string value of `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Bytes>> {
        self.db(0).get(key.as_ref())
    }

    /// SET on db 0 (no TTL).
    pub fn set(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
        self.db(0)
            .set(key.as_ref(), value.as_ref(), SetOptions::default())
            .map(|_| ())
    }

    /// SET with a TTL on db 0 (`SET key value PX ttl`).
    pub fn set_with_ttl(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        ttl: std::time::Duration,
    ) -> Result<()> {
        let ms = i64::try_from(ttl.as_millis()).map_err(|_| Error::InvalidExpireTime("set"))?;
        let opts = SetOptions {
            expiry: crate::options::Expiry::Px(ms.max(1)),
            ..SetOptions::default()
        };
        self.db(0)
            .set(key.as_ref(), value.as_ref(), opts)
            .map(|_| ())
    }

    /// DEL on db 0: whether the key existed.
    pub fn del(&self, key: impl AsRef<[u8]>) -> bool {
        self.db(0).del(&[key.as_ref()]) == 1
    }

    /// HSET on db 0 of one field; returns whether the field is new.
    pub fn hset(
        &self,
        key: impl AsRef<[u8]>,
        field: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<bool> {
        self.db(0)
            .hset(key.as_ref(), &[(field.as_ref(), value.as_ref())])
            .map(|n| n == 1)
    }

    /// HGET on db 0.
    pub fn hget(&self, key: impl AsRef<[u8]>, field: impl AsRef<[u8]>) -> Result<Option<Bytes>> {
        self.db(0).hget(key.as_ref(), field.as_ref())
    }

    /// HGETALL on db 0.
    pub fn hgetall(&self, key: impl AsRef<[u8]>) -> Result<Vec<(Bytes, Bytes)>> {
        self.db(0).hgetall(key.as_ref())
    }

    /// EXPIRE on db 0 with a relative duration; whether the key exists (and got the TTL).
    pub fn expire(&self, key: impl AsRef<[u8]>, ttl: std::time::Duration) -> Result<bool> {
        let ms = i64::try_from(ttl.as_millis()).map_err(|_| Error::InvalidExpireTime("pexpire"))?;
        self.db(0)
            .pexpire(key.as_ref(), ms, ExpireCondition::Always)
            .map(|o| o != ExpireOutcome::NotSet)
    }

    /// Remaining TTL on db 0: `None` if the key does not exist, `Some(None)` if it has no TTL.
    pub fn ttl(&self, key: impl AsRef<[u8]>) -> Option<Option<std::time::Duration>> {
        match self.db(0).pttl(key.as_ref()) {
            -2 => None,
            -1 => Some(None),
            ms => Some(Some(std::time::Duration::from_millis(ms as u64))),
        }
    }

    /// INCRBY on db 0.
    pub fn incr_by(&self, key: impl AsRef<[u8]>, delta: i64) -> Result<i64> {
        self.db(0).incr_by(key.as_ref(), delta)
    }
}
