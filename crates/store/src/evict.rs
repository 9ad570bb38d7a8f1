//! Eviction: the per-entry access metadata, the policies and the eviction loop.
//!
//! Each entry has one `u32`: the high 24 bits are an access clock in seconds (wrapping every
//! ~194 days, like Redis's `LRU_CLOCK`), the low 8 bits a logarithmic access counter (Redis's
//! LFU counter, starting at 5). Reads update it with a relaxed store, and only when it changes.

use std::sync::atomic::{AtomicU32, Ordering};

/// Initial LFU counter of a new key (Redis `LFU_INIT_VAL`).
pub(crate) const LFU_INIT: u32 = 5;
const CLOCK_MAX: u32 = (1 << 24) - 1;

/// The access clock for a time: seconds, 24 bits.
#[inline]
pub(crate) fn clock(now_ms: u64) -> u32 {
    ((now_ms / 1000) as u32) & CLOCK_MAX
}

/// Metadata of a freshly written key.
#[inline]
pub(crate) fn new_meta(now_ms: u64) -> u32 {
    (clock(now_ms) << 8) | LFU_INIT
}

/// Seconds since the last access, given the current clock.
pub(crate) fn idle_secs(meta: u32, now_ms: u64) -> u64 {
    let then = meta >> 8;
    let now = clock(now_ms);
    (if now >= then {
        now - then
    } else {
        CLOCK_MAX - then + now + 1
    }) as u64
}

/// The LFU counter after decay (one step per `decay_minutes` of idleness).
pub(crate) fn lfu_decayed(meta: u32, now_ms: u64, decay_minutes: u32) -> u32 {
    let counter = meta & 0xff;
    if decay_minutes == 0 {
        return counter;
    }
    let periods = idle_secs(meta, now_ms) / 60 / decay_minutes as u64;
    counter.saturating_sub(periods.min(255) as u32)
}

/// Records an access: decay, logarithmic increment, new clock.
#[inline]
pub(crate) fn touch(meta: &AtomicU32, now_ms: u64, log_factor: u32, decay_minutes: u32) {
    let old = meta.load(Ordering::Relaxed);
    let mut counter = lfu_decayed(old, now_ms, decay_minutes);
    if counter < 255 {
        let base = counter.saturating_sub(LFU_INIT) as f64;
        let p = 1.0 / (base * log_factor as f64 + 1.0);
        if fastrand::f64() < p {
            counter += 1;
        }
    }
    let new = (clock(now_ms) << 8) | counter;
    if new != old {
        meta.store(new, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------- maxmemory and eviction

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize};

use parking_lot::Mutex;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::{Blob, Entry};

/// Size of the eviction pool (Redis `EVPOOL_SIZE`).
const POOL_SIZE: usize = 16;
/// Default `maxmemory-samples`.
pub(crate) const DEFAULT_SAMPLES: u32 = 5;
/// Buckets one sample may walk per requested key (Redis's `dictGetSomeKeys` stops after
/// `count * 10` steps); volatile policies walk further since keys with a TTL may be rare.
const WALK_PER_KEY: usize = 10;
const VOLATILE_WALK: usize = 400;
/// Consecutive picks that free nothing before [`perform`] gives up (only reachable when every
/// candidate keeps vanishing under concurrent deletes).
const MAX_FUTILE: usize = 1024;

/// What to do when a write would take memory past `maxmemory` (Redis `maxmemory-policy`).
///
/// The `volatile-*` policies only evict keys with a TTL; the `allkeys-*` ones any key.
/// `lru` evicts the key idle longest, `lfu` the least frequently used (the logarithmic counter
/// that `lfu-log-factor` and `lfu-decay-time` shape), `ttl` the key closest to expiring,
/// `random` any. Idle times and counters are approximate and compared over samples of
/// `maxmemory-samples` keys, as Redis does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EvictionPolicy {
    /// Never evict: writes fail with [`Error::OutOfMemory`] while over the limit.
    #[default]
    NoEviction,
    /// Evict the least recently used key among all keys.
    AllKeysLru,
    /// Evict the least frequently used key among all keys.
    AllKeysLfu,
    /// Evict a random key.
    AllKeysRandom,
    /// Evict the least recently used key among keys with a TTL.
    VolatileLru,
    /// Evict the least frequently used key among keys with a TTL.
    VolatileLfu,
    /// Evict a random key among keys with a TTL.
    VolatileRandom,
    /// Evict the key with the nearest expiry.
    VolatileTtl,
}

const POLICIES: [EvictionPolicy; 8] = [
    EvictionPolicy::NoEviction,
    EvictionPolicy::AllKeysLru,
    EvictionPolicy::AllKeysLfu,
    EvictionPolicy::AllKeysRandom,
    EvictionPolicy::VolatileLru,
    EvictionPolicy::VolatileLfu,
    EvictionPolicy::VolatileRandom,
    EvictionPolicy::VolatileTtl,
];

impl EvictionPolicy {
    /// Redis's name (`allkeys-lru`, `noeviction`, ...).
    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::NoEviction => "noeviction",
            EvictionPolicy::AllKeysLru => "allkeys-lru",
            EvictionPolicy::AllKeysLfu => "allkeys-lfu",
            EvictionPolicy::AllKeysRandom => "allkeys-random",
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileRandom => "volatile-random",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
        }
    }

    /// The policy Redis names `name` (ASCII case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<EvictionPolicy> {
        POLICIES
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// Whether OBJECT FREQ applies (an LFU policy).
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu
        )
    }

    fn volatile_only(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLru
                | EvictionPolicy::VolatileLfu
                | EvictionPolicy::VolatileRandom
                | EvictionPolicy::VolatileTtl
        )
    }

    fn index(self) -> u8 {
        POLICIES.iter().position(|p| *p == self).unwrap_or(0) as u8
    }
}

impl std::fmt::Display for EvictionPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A key waiting in the eviction pool, with its score (higher = evict first).
struct Candidate {
    score: u64,
    db: usize,
    key: Blob,
}

/// The maxmemory state of a [`Store`].
pub(crate) struct Evictor {
    /// The configured bound in bytes (0 = none).
    maxmemory: AtomicU64,
    /// `maxmemory` when writes check it themselves, else 0: the one load a write makes.
    write_limit: AtomicU64,
    on_write: AtomicBool,
    policy: AtomicU8,
    samples: AtomicUsize,
    /// Best candidates seen so far, ascending by score (Redis's `EvictionPoolLRU`). A leaf
    /// lock: shard read locks are taken under it while sampling, never the other way round.
    pool: Mutex<Vec<Candidate>>,
    /// Round-robin database cursor of the random policies.
    next_db: AtomicUsize,
    pub(crate) evicted: AtomicU64,
}

impl Evictor {
    pub(crate) fn new(
        maxmemory: u64,
        policy: EvictionPolicy,
        samples: usize,
        on_write: bool,
    ) -> Evictor {
        let e = Evictor {
            maxmemory: AtomicU64::new(0),
            write_limit: AtomicU64::new(0),
            on_write: AtomicBool::new(on_write),
            policy: AtomicU8::new(policy.index()),
            samples: AtomicUsize::new(samples.max(1)),
            pool: Mutex::new(Vec::with_capacity(POOL_SIZE)),
            next_db: AtomicUsize::new(0),
            evicted: AtomicU64::new(0),
        };
        e.set_maxmemory(maxmemory);
        e
    }

    fn update_write_limit(&self) {
        let limit = if self.on_write.load(Ordering::Relaxed) {
            self.maxmemory.load(Ordering::Relaxed)
        } else {
            0
        };
        self.write_limit.store(limit, Ordering::Relaxed);
    }

    pub(crate) fn set_maxmemory(&self, bytes: u64) {
        self.maxmemory.store(bytes, Ordering::Relaxed);
        self.update_write_limit();
    }

    pub(crate) fn maxmemory(&self) -> u64 {
        self.maxmemory.load(Ordering::Relaxed)
    }

    pub(crate) fn set_on_write(&self, on: bool) {
        self.on_write.store(on, Ordering::Relaxed);
        self.update_write_limit();
    }

    /// The bound a write must check (0 when there is none or writes do not check).
    #[inline]
    pub(crate) fn write_limit(&self) -> u64 {
        self.write_limit.load(Ordering::Relaxed)
    }

    pub(crate) fn set_policy(&self, p: EvictionPolicy) {
        self.policy.store(p.index(), Ordering::Relaxed);
        // Scores of another policy are meaningless now.
        self.pool.lock().clear();
    }

    pub(crate) fn policy(&self) -> EvictionPolicy {
        POLICIES[self.policy.load(Ordering::Relaxed) as usize % POLICIES.len()]
    }

    pub(crate) fn set_samples(&self, n: usize) {
        self.samples.store(n.max(1), Ordering::Relaxed);
    }

    pub(crate) fn samples(&self) -> usize {
        self.samples.load(Ordering::Relaxed)
    }
}

/// The eviction score of an entry under `policy` (Redis's `idle` in `evictionPoolPopulate`):
/// idle seconds for LRU, `255 - counter` for LFU, `u64::MAX - deadline` for TTL.
fn score(policy: EvictionPolicy, e: &Entry, now: u64, decay: u32) -> u64 {
    let meta = e.meta.load(Ordering::Relaxed);
    match policy {
        EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu => {
            255 - lfu_decayed(meta, now, decay) as u64
        }
        EvictionPolicy::VolatileTtl => u64::MAX - e.expire_at,
        _ => idle_secs(meta, now),
    }
}

/// Samples `samples` keys of database `db` into the pool (Redis's `evictionPoolPopulate`):
/// a candidate enters if the pool has room or it scores above the pool's worst.
fn populate(store: &Store, db: usize, policy: EvictionPolicy, pool: &mut Vec<Candidate>) {
    let now = store.now_ms();
    let decay = store.config.lfu_decay_time.load(Ordering::Relaxed);
    let n = store.evictor.samples();
    let volatile = policy.volatile_only();
    let walk = if volatile {
        VOLATILE_WALK
    } else {
        n * WALK_PER_KEY
    };
    store.keyspace(db).sample(n, volatile, walk, |key, e| {
        let s = score(policy, e, now, decay);
        let pos = pool.partition_point(|c| c.score < s);
        if pos == 0 && pool.len() >= POOL_SIZE {
            return; // scores below everything in a full pool
        }
        let c = Candidate {
            score: s,
            db,
            key: key.into(),
        };
        if pool.len() < POOL_SIZE {
            pool.insert(pos, c);
        } else {
            // Drop the worst (leftmost) candidate to make room.
            pool.remove(0);
            pool.insert(pos - 1, c);
        }
    });
}

/// Number of evictable keys in database `db` under `policy`.
fn evictable(store: &Store, db: usize, volatile: bool) -> usize {
    let ks = store.keyspace(db);
    if volatile {
        ks.volatile()
    } else {
        ks.keys()
    }
}

/// The next key to evict, or None when nothing is evictable.
fn pick(store: &Store, policy: EvictionPolicy) -> Option<(usize, Blob)> {
    let volatile = policy.volatile_only();
    let dbs = store.databases();
    if matches!(
        policy,
        EvictionPolicy::AllKeysRandom | EvictionPolicy::VolatileRandom
    ) {
        for _ in 0..dbs {
            let db = store.evictor.next_db.fetch_add(1, Ordering::Relaxed) % dbs;
            if evictable(store, db, volatile) == 0 {
                continue;
            }
            let walk = if volatile {
                VOLATILE_WALK
            } else {
                WALK_PER_KEY
            };
            let mut found = None;
            store.keyspace(db).sample(1, volatile, walk, |k, _| {
                found = Some((db, Blob::from(k)));
            });
            if found.is_some() {
                return found;
            }
        }
        // Nothing found in one pass although some database had keys (an unlucky walk):
        // the caller's retry loop tries again.
        return (0..dbs)
            .any(|db| evictable(store, db, volatile) > 0)
            .then(|| (usize::MAX, Blob::default()));
    }
    let mut pool = store.evictor.pool.lock();
    let mut total = 0;
    for db in 0..dbs {
        let n = evictable(store, db, volatile);
        if n > 0 {
            total += n;
            populate(store, db, policy, &mut pool);
        }
    }
    if total == 0 {
        return None;
    }
    match pool.pop() {
        Some(c) => Some((c.db, c.key)),
        None => Some((usize::MAX, Blob::default())),
    }
}

/// Evicts until used memory is at or under `maxmemory` (Redis's `performEvictions`), calling
/// `on_evict(db, key)` for each evicted key. Returns the number of keys evicted, or
/// [`Error::OutOfMemory`] if memory stays over the limit (policy `noeviction`, or nothing
/// evictable left).
pub(crate) fn perform(store: &Store, on_evict: impl FnMut(usize, &[u8])) -> Result<usize> {
    // Under the limit (the common case) the gate is not taken at all.
    let limit = store.evictor.maxmemory();
    if limit == 0 || store.used_memory() as u64 <= limit {
        return Ok(0);
    }
    let _g = store.shared();
    perform_held(store, on_evict)
}

/// [`perform`] for a caller that already holds the gate (shared or exclusive).
pub(crate) fn perform_held(store: &Store, mut on_evict: impl FnMut(usize, &[u8])) -> Result<usize> {
    let limit = store.evictor.maxmemory();
    if limit == 0 || store.used_memory() as u64 <= limit {
        return Ok(0);
    }
    let policy = store.evictor.policy();
    if policy == EvictionPolicy::NoEviction {
        return Err(Error::OutOfMemory);
    }
    evict_loop(store, limit, policy, &mut on_evict)
}

fn evict_loop(
    store: &Store,
    limit: u64,
    policy: EvictionPolicy,
    on_evict: &mut dyn FnMut(usize, &[u8]),
) -> Result<usize> {
    let volatile = policy.volatile_only();
    let mut evicted = 0;
    let mut futile = 0;
    loop {
        let used = store.used_memory() as u64;
        if used <= limit {
            return Ok(evicted);
        }
        let Some((db, key)) = pick(store, policy) else {
            return Err(Error::OutOfMemory);
        };
        let mut gone = false;
        if db < store.databases() {
            let now = store.now_ms();
            gone = store.keyspace(db).write(store, &key, now, |slot| {
                match slot.get() {
                    Some(e) if !volatile || e.expire_at != 0 => slot.remove().is_some(),
                    // Deleted meanwhile, or lost its TTL (volatile policies): a ghost.
                    _ => false,
                }
            });
        }
        if gone {
            evicted += 1;
            store.evictor.evicted.fetch_add(1, Ordering::Relaxed);
            on_evict(db, &key);
        }
        if gone || (store.used_memory() as u64) < used {
            futile = 0;
        } else {
            futile += 1;
            if futile > MAX_FUTILE {
                return Err(Error::OutOfMemory);
            }
        }
    }
}
