//! One database: a sharded [`DashMap`] keyspace ([`Keyspace`]) and the [`Db`] handle with every
//! per-database operation.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use bytes::Bytes;
use dashmap::{DashMap, SharedValue};
use hashbrown::raw::RawTable;

use crate::error::{Error, Result};
use crate::evict;
use crate::float::LongDouble;
use crate::glob::key_match;
use crate::options::{
    DbStats, Encoding, ExpireCondition, ExpireOutcome, Expiry, KeyType, ScanOptions, SetCondition,
    SetOptions, SetOutcome, Value,
};
use crate::store::Store;
use crate::thin::Key;
use crate::value::{parse_i64, Data, Entry, Hash, Str};

/// Redis's `proto-max-bulk-len`: the largest string APPEND/SETRANGE may build.
pub const PROTO_MAX_BULK_LEN: usize = 512 * 1024 * 1024;

/// The largest `-count` [`Db::hrandfield_count`] accepts (fields may repeat, so a negative
/// count is not bounded by the hash's size).
pub const HRANDFIELD_MAX_REPEATS: usize = 1 << 24;

/// A table slot: one pointer to the boxed entry, which holds its key (see `value.rs` on the
/// layout). The map's value type is `()`, so a slot is 8 bytes.
pub(crate) struct Node(Box<Entry>);

impl Node {
    #[inline]
    pub(crate) fn key(&self) -> &[u8] {
        self.0.key.as_slice()
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Node {}

impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}

pub(crate) type Item = (Node, SharedValue<()>);
pub(crate) type Table = RawTable<Item>;

/// What [`Keyspace::visit_buckets`] did.
pub(crate) struct Visit {
    /// The bucket to continue from, None when the shard is done.
    pub(crate) next: Option<usize>,
    /// The shard's epoch during the walk.
    pub(crate) epoch: u32,
    /// Buckets looked at.
    pub(crate) walked: usize,
}

/// A hint to load the cache line at `p`; never faults, whatever `p` is.
#[inline(always)]
pub(crate) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch does not access memory architecturally; any address is allowed.
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Most keys (or fields) one prefetch pass hints ([`Db::prefetch`]); the rest are ignored.
pub const PREFETCH_MAX: usize = 32;

/// Fewest distinct keys worth a prefetch pass: fewer lookups have few misses to overlap.
pub const PREFETCH_MIN: usize = 4;

/// Starts loading where hashbrown's probe for `hash` begins in `table`: the control group at
/// `hash & mask` and that group's first slot (slot i sits i + 1 items below `data_end`).
/// Returns that slot's address, for callers that hint more of the group. Null for an empty
/// table (nothing to hint).
pub(crate) fn prefetch_probe<T>(table: &RawTable<T>, hash: u64) -> *const T {
    if table.is_empty() {
        return std::ptr::null();
    }
    let pos = (hash as usize) & (table.buckets() - 1);
    // SAFETY: a non-empty table has its allocation, whose control bytes start at `data_end`
    // and run for `buckets() + 16` bytes, so `add(pos)` stays inside it; the slot address is
    // computed with `wrapping_sub` and only prefetched, never dereferenced.
    unsafe {
        let end = table.data_end().as_ptr();
        prefetch((end as *const u8).add(pos));
        let slot = end.wrapping_sub(pos + 1) as *const T;
        prefetch(slot as *const u8);
        slot
    }
}

/// Cursor layout: bit 63 set on every non-zero cursor; 16 bits of shard epoch; 8 bits of shard;
/// 39 bits of bucket index.
const CURSOR_MARK: u64 = 1 << 63;
const BUCKET_BITS: u32 = 39;
const SHARD_BITS: u32 = 8;
const EPOCH_MASK: u32 = 0xffff;

/// One database's keys.
pub(crate) struct Keyspace {
    map: DashMap<Node, (), RandomState>,
    hasher: RandomState,
    /// Logical index (changes on SWAPDB), for WATCH.
    index: AtomicUsize,
    /// Keys with a TTL (including expired ones not yet reclaimed).
    volatile: AtomicUsize,
    /// Keys (including expired ones not yet reclaimed), for eviction.
    keys: AtomicUsize,
    /// Estimated heap bytes of entries and tables (see [`crate::value::alloc_size`]).
    used: AtomicI64,
    /// Per shard: bumped whenever an insert may rehash the shard's table (SCAN restarts it).
    epochs: Box<[AtomicU32]>,
    /// Active expiry position (shard << 40 | bucket).
    pub(crate) expire_cursor: AtomicU64,
}

#[derive(Clone, Copy, Default)]
struct Snap {
    exists: bool,
    volatile: bool,
    size: usize,
}

/// Write access to one key's slot, with the shard locked.
pub(crate) struct Slot<'g> {
    table: &'g mut Table,
    hasher: &'g RandomState,
    epoch: &'g AtomicU32,
    hash: u64,
    key: &'g [u8],
    pub(crate) now: u64,
    changed: bool,
    /// Bytes the table's own allocation grew (an insert that rehashed) or shrank by.
    table_delta: i64,
}

/// Heap bytes of a shard's table: one `Item` and one control byte per bucket, plus a group of
/// trailing control bytes, in one allocation (none while the table is empty and unallocated).
pub(crate) fn table_bytes(t: &Table) -> usize {
    if t.capacity() == 0 {
        0
    } else {
        crate::value::alloc_size(t.buckets() * (std::mem::size_of::<Item>() + 1) + 16)
    }
}

/// Tables at most this big are never shrunk (cheap to keep, and small ones churn).
const MIN_SHRINK_BUCKETS: usize = 64;

fn eq_key(key: &[u8]) -> impl Fn(&Item) -> bool + '_ {
    move |(n, _)| n.key() == key
}

impl Slot<'_> {
    /// The live entry (expired ones were removed before the closure ran).
    pub(crate) fn get(&self) -> Option<&Entry> {
        self.table
            .get(self.hash, eq_key(self.key))
            .map(|(n, _)| &*n.0)
    }

    /// The live entry, for modification (marks the key changed).
    pub(crate) fn get_mut(&mut self) -> Option<&mut Entry> {
        let e = self
            .table
            .get_mut(self.hash, eq_key(self.key))
            .map(|(n, _)| &mut *n.0);
        if e.is_some() {
            self.changed = true;
        }
        e
    }

    /// Inserts or replaces the entry; returns the old one.
    pub(crate) fn insert(&mut self, mut entry: Entry) -> Option<Entry> {
        self.changed = true;
        if let Some((n, _)) = self.table.get_mut(self.hash, eq_key(self.key)) {
            // The slot keeps its key: move it into the new entry.
            std::mem::swap(&mut entry.key, &mut n.0.key);
            return Some(std::mem::replace(&mut *n.0, entry));
        }
        entry.key = Key::new(self.key);
        let before = table_bytes(self.table);
        let hasher = self.hasher;
        if self.table.len() >= self.table.capacity() {
            // This insert may rehash the table: SCAN cursors into this shard must restart.
            self.epoch.fetch_add(1, Ordering::Relaxed);
            // No room left, but maybe only because deletes left tombstones (churn under
            // eviction does). hashbrown then doubles the table whenever it is over half full,
            // so a bounded cache's tables would settle under 50% load; rebuild at the same
            // size instead while it is under 3/4 full.
            let buckets = self.table.buckets();
            let full = if buckets < 8 {
                buckets - 1
            } else {
                buckets / 8 * 7
            };
            let len = self.table.len();
            if len > full / 2 && len < full / 4 * 3 {
                let mut fresh = Table::with_capacity(full);
                for item in self.table.drain() {
                    let h = hasher.hash_one(item.0.key());
                    fresh.insert(h, item, |(n, _)| hasher.hash_one(n.key()));
                }
                *self.table = fresh;
            }
        }
        self.table.insert(
            self.hash,
            (Node(Box::new(entry)), SharedValue::new(())),
            |(n, _)| hasher.hash_one(n.key()),
        );
        self.table_delta += table_bytes(self.table) as i64 - before as i64;
        None
    }

    /// Removes the entry.
    pub(crate) fn remove(&mut self) -> Option<Entry> {
        let old = self
            .table
            .remove_entry(self.hash, eq_key(self.key))
            .map(|(n, _)| *n.0);
        if old.is_some() {
            self.changed = true;
            // Give memory back once the table is mostly empty (as Redis's dict resize): after
            // mass deletes or evictions a table would otherwise stay at its peak size.
            let (len, buckets) = (self.table.len(), self.table.buckets());
            if buckets > MIN_SHRINK_BUCKETS && len * 8 < buckets {
                let before = table_bytes(self.table);
                // Rehashes: SCAN cursors into this shard must restart.
                self.epoch.fetch_add(1, Ordering::Relaxed);
                let hasher = self.hasher;
                self.table
                    .shrink_to(len * 2, |(n, _)| hasher.hash_one(n.key()));
                self.table_delta += table_bytes(self.table) as i64 - before as i64;
            }
        }
        old
    }

    fn snap(&self) -> Snap {
        match self.get() {
            Some(e) => Snap {
                exists: true,
                volatile: e.expire_at != 0,
                size: e.approx_size(self.key.len()),
            },
            None => Snap::default(),
        }
    }
}

impl Keyspace {
    pub(crate) fn new(index: usize, shards: usize) -> Keyspace {
        let hasher = RandomState::new();
        let shards = shards.clamp(2, 1 << SHARD_BITS);
        Keyspace {
            map: DashMap::with_hasher_and_shard_amount(hasher.clone(), shards),
            hasher,
            index: AtomicUsize::new(index),
            volatile: AtomicUsize::new(0),
            keys: AtomicUsize::new(0),
            used: AtomicI64::new(0),
            epochs: (0..shards).map(|_| AtomicU32::new(0)).collect(),
            expire_cursor: AtomicU64::new(0),
        }
    }

    pub(crate) fn index(&self) -> usize {
        self.index.load(Ordering::Relaxed)
    }

    pub(crate) fn set_index(&self, i: usize) {
        self.index.store(i, Ordering::Relaxed);
    }

    pub(crate) fn used_memory(&self) -> usize {
        self.used.load(Ordering::Relaxed).max(0) as usize
    }

    pub(crate) fn volatile(&self) -> usize {
        self.volatile.load(Ordering::Relaxed)
    }

    /// Number of keys (a counter: no shard lock).
    pub(crate) fn keys(&self) -> usize {
        self.keys.load(Ordering::Relaxed)
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    #[inline]
    fn shard_of(&self, hash: u64) -> usize {
        self.map.determine_shard(hash as usize)
    }

    pub(crate) fn shard_count(&self) -> usize {
        self.map.shards().len()
    }

    pub(crate) fn shard(&self, i: usize) -> &dashmap::RwLock<Table> {
        &self.map.shards()[i]
    }

    pub(crate) fn len(&self) -> usize {
        self.map.shards().iter().map(|s| s.read().len()).sum()
    }

    fn account(&self, before: Snap, after: Snap, table_delta: i64) {
        if before.exists != after.exists {
            if after.exists {
                self.keys.fetch_add(1, Ordering::Relaxed);
            } else {
                self.keys.fetch_sub(1, Ordering::Relaxed);
            }
        }
        if before.volatile != after.volatile {
            if after.volatile {
                self.volatile.fetch_add(1, Ordering::Relaxed);
            } else {
                self.volatile.fetch_sub(1, Ordering::Relaxed);
            }
        }
        let delta = after.size as i64 - before.size as i64 + table_delta;
        if delta != 0 {
            self.used.fetch_add(delta, Ordering::Relaxed);
        }
    }

    /// Prefetch hints for the lookups of `keys` (a pipelined batch's keys, before it runs):
    /// a lookup is a chain of dependent cache misses (control bytes, slot, entry, heap key),
    /// so one lookup at a time waits for each in turn. Here each stage is started for every
    /// key before the next stage, so the batch's misses overlap. Only reads, under each
    /// shard's read lock; a key that is absent, or a table that changes meanwhile, just makes
    /// a hint useless.
    pub(crate) fn prefetch(&self, keys: &[&[u8]]) {
        let n = keys.len().min(PREFETCH_MAX);
        let mut hashes = [0u64; PREFETCH_MAX];
        for (h, key) in hashes.iter_mut().zip(&keys[..n]) {
            *h = self.hash(key);
            let g = self.shard(self.shard_of(*h)).read();
            let slot = prefetch_probe(&g, *h);
            if !slot.is_null() {
                // Slots are 8 bytes: the group's last ones are on the next cache line.
                prefetch(slot.wrapping_sub(7) as *const u8);
            }
        }
        // Then each key's first candidate entry (its slot is cached now), then that entry's
        // heap key (the entry is cached now).
        for stage in 0..2 {
            for (&h, key) in hashes[..n].iter().zip(keys) {
                if stage == 1 && key.len() <= crate::thin::KEY_INLINE {
                    continue; // an inline key is in the entry
                }
                let g = self.shard(self.shard_of(h)).read();
                // SAFETY: buckets from `iter_hash` on the locked table are valid while the
                // lock is held; the entry is only dereferenced once its slot says it is live.
                unsafe {
                    if let Some(b) = g.iter_hash(h).next() {
                        let e: &Entry = &b.as_ref().0 .0;
                        if stage == 0 {
                            prefetch(e as *const Entry as *const u8);
                        } else if let Some(p) = e.key.heap_block() {
                            prefetch(p);
                        }
                    }
                }
            }
        }
    }

    /// Prefetch hints for looking up `fields` of the hash at `key` (see
    /// [`Db::prefetch_fields`]).
    pub(crate) fn prefetch_fields(&self, key: &[u8], fields: &[&[u8]]) {
        let h = self.hash(key);
        let g = self.shard(self.shard_of(h)).read();
        if let Some((node, _)) = g.get(h, eq_key(key)) {
            if let Data::Hash(hash) = &node.0.data {
                hash.prefetch_fields(fields);
            }
        }
    }

    /// Reads a key: `f` gets the live entry or None. Lazily deletes an expired key.
    #[inline]
    pub(crate) fn read<R>(
        &self,
        st: &Store,
        key: &[u8],
        now: u64,
        touch: bool,
        f: impl FnOnce(Option<&Entry>) -> R,
    ) -> R {
        let hash = self.hash(key);
        let shard = self.shard(self.shard_of(hash));
        {
            let g = shard.read();
            match g.get(hash, eq_key(key)) {
                None => return f(None),
                Some((n, _)) => {
                    let e = &*n.0;
                    if !e.is_expired(now) {
                        if touch {
                            evict::touch(
                                &e.meta,
                                now,
                                st.config.lfu_log_factor.load(Ordering::Relaxed),
                                st.config.lfu_decay_time.load(Ordering::Relaxed),
                            );
                        }
                        return f(Some(e));
                    }
                }
            }
        }
        self.write(st, key, now, |_| ());
        f(None)
    }

    /// Modifies a key under its shard's write lock. An expired entry is deleted first (counted
    /// as an expiry). Counters and WATCH are updated after the lock is released.
    pub(crate) fn write<R>(
        &self,
        st: &Store,
        key: &[u8],
        now: u64,
        f: impl FnOnce(&mut Slot<'_>) -> R,
    ) -> R {
        let hash = self.hash(key);
        let si = self.shard_of(hash);
        let mut g = self.shard(si).write();
        let mut slot = Slot {
            table: &mut g,
            hasher: &self.hasher,
            epoch: &self.epochs[si],
            hash,
            key,
            now,
            changed: false,
            table_delta: 0,
        };
        let before = slot.snap();
        let mut expired = false;
        if slot.get().is_some_and(|e| e.is_expired(now)) {
            slot.remove();
            expired = true;
        }
        let r = f(&mut slot);
        let after = slot.snap();
        let changed = slot.changed;
        let table_delta = slot.table_delta;
        drop(g);
        self.account(before, after, table_delta);
        if expired {
            st.stats.expired_keys.fetch_add(1, Ordering::Relaxed);
        }
        if changed {
            st.watches.touch(self.index(), key);
        }
        if table_delta > 0 && st.evictor.write_limit() != 0 {
            // The table grew after this write's admission check: evict back under the bound
            // now rather than at the next write (the gate is held, no shard lock is).
            let _ = crate::evict::perform_held(st, |_, _| {});
        }
        r
    }

    pub(crate) fn exists_live(&self, key: &[u8], now: u64) -> bool {
        let hash = self.hash(key);
        let g = self.shard(self.shard_of(hash)).read();
        g.get(hash, eq_key(key))
            .is_some_and(|(n, _)| !n.0.is_expired(now))
    }

    /// Visits up to `max_buckets` buckets of shard `si` from `start`, calling `f` on each full
    /// one until it returns false (that bucket is then *not* consumed: `next` points at it). With `epoch` given (a SCAN cursor's) and different from the
    /// shard's current epoch, the walk restarts at bucket 0: the table rehashed since, so
    /// bucket indexes mean something else now. The epoch is checked under the same read lock
    /// as the walk, so no rehash can slip in between.
    pub(crate) fn visit_buckets(
        &self,
        si: usize,
        start: usize,
        epoch: Option<u32>,
        max_buckets: usize,
        mut f: impl FnMut(&[u8], &Entry) -> bool,
    ) -> Visit {
        let g = self.shard(si).read();
        let current = self.epochs[si].load(Ordering::Relaxed);
        let n = g.buckets();
        if g.is_empty() {
            return Visit {
                next: None,
                epoch: current,
                walked: 0,
            };
        }
        let start = match epoch {
            Some(e) if e != current & EPOCH_MASK => 0,
            _ => start,
        };
        let mut i = start;
        let end = start.saturating_add(max_buckets).min(n);
        while i < end {
            // SAFETY: `i < buckets()`; the table is read-locked, so the bucket stays valid
            // while we look at it.
            unsafe {
                if g.is_bucket_full(i) {
                    let (n, _) = g.bucket(i).as_ref();
                    if !f(n.key(), &n.0) {
                        break;
                    }
                }
            }
            i += 1;
        }
        Visit {
            next: (i < n).then_some(i),
            epoch: current,
            walked: i.saturating_sub(start),
        }
    }

    /// Calls `f` on up to `n` entries (only those with a TTL when `volatile`) from a random
    /// position (Redis's `dictGetSomeKeys`): a random shard and bucket, then consecutive
    /// buckets, at most `walk` of them, moving on to the next shard when one ends. Returns how
    /// many entries `f` saw.
    pub(crate) fn sample(
        &self,
        n: usize,
        volatile: bool,
        walk: usize,
        mut f: impl FnMut(&[u8], &Entry),
    ) -> usize {
        let shards = self.shard_count();
        let first = fastrand::usize(..shards);
        let mut seen = 0;
        let mut budget = walk.max(1);
        for s in 0..shards {
            let g = self.shard((first + s) % shards).read();
            let buckets = g.buckets();
            if g.is_empty() {
                continue;
            }
            let start = fastrand::usize(..buckets);
            let steps = budget.min(buckets);
            for i in 0..steps {
                let b = (start + i) % buckets;
                // SAFETY: `b < buckets()`; the table is read-locked, so the
                // bucket stays valid while we look at it.
                unsafe {
                    if g.is_bucket_full(b) {
                        let (node, _) = g.bucket(b).as_ref();
                        let e = &*node.0;
                        if !volatile || e.expire_at != 0 {
                            f(node.key(), e);
                            seen += 1;
                            if seen >= n {
                                return seen;
                            }
                        }
                    }
                }
            }
            budget -= steps;
            if budget == 0 {
                break;
            }
        }
        seen
    }

    /// Clears every shard; returns the number of keys removed.
    fn clear(&self) -> usize {
        let mut n = 0;
        for (si, s) in self.map.shards().iter().enumerate() {
            let mut g = s.write();
            n += g.len();
            // A fresh table: FLUSHDB gives the memory back (and used_memory drops to 0).
            *g = Table::new();
            self.epochs[si].fetch_add(1, Ordering::Relaxed);
        }
        self.volatile.store(0, Ordering::Relaxed);
        self.keys.store(0, Ordering::Relaxed);
        self.used.store(0, Ordering::Relaxed);
        n
    }
}

/// A handle to one database of a [`Store`]; cheap to create (`store.db(i)`) and `Copy`.
///
/// Every method is atomic. Single-key methods take the store's gate shared; multi-key ones take
/// it exclusively (unless called inside [`Store::exclusive`], where nothing is taken again).
#[derive(Clone, Copy)]
pub struct Db<'a> {
    store: &'a Store,
    index: usize,
}

impl std::fmt::Debug for Db<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("index", &self.index).finish()
    }
}

fn wrong_str(e: &Entry) -> Result<&Str> {
    match &e.data {
        Data::Str(s) => Ok(s),
        Data::Hash(_) => Err(Error::WrongType),
    }
}

fn wrong_hash(e: &Entry) -> Result<&Hash> {
    match &e.data {
        Data::Hash(h) => Ok(h),
        Data::Str(_) => Err(Error::WrongType),
    }
}

/// Converts a SET/GETEX expiry to an absolute deadline (Redis's `getExpireMillisecondsOrReply`).
fn deadline(expiry: Expiry, now: u64, cmd: &'static str) -> Result<Option<u64>> {
    let (v, secs, relative) = match expiry {
        Expiry::Ex(v) => (v, true, true),
        Expiry::Px(v) => (v, false, true),
        Expiry::ExAt(v) => (v, true, false),
        Expiry::PxAt(v) => (v, false, false),
        _ => return Ok(None),
    };
    if v <= 0 || (secs && v > i64::MAX / 1000) {
        return Err(Error::InvalidExpireTime(cmd));
    }
    let mut ms = if secs { v * 1000 } else { v };
    if relative {
        ms = ms
            .checked_add(now as i64)
            .ok_or(Error::InvalidExpireTime(cmd))?;
    }
    Ok(Some(ms as u64))
}

impl<'a> Db<'a> {
    pub(crate) fn new(store: &'a Store, index: usize) -> Db<'a> {
        Db { store, index }
    }

    /// The database index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The store this database belongs to.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// Hints that `keys` (up to [`PREFETCH_MAX`] are used) are about to be looked up, as a pipelined
    /// batch's are: their cache misses are started together instead of one lookup at a time.
    /// Changes nothing, and is only worth it for several keys.
    pub fn prefetch(&self, keys: &[&[u8]]) {
        self.ks().prefetch(keys);
    }

    /// Hints that `fields` (up to [`PREFETCH_MAX`] are used) of the hash at `key` are about to be looked
    /// up, as a pipelined batch of HSETs or HGETs on one hash does. Changes nothing; does
    /// nothing unless `key` holds a big (hashtable-encoded) hash.
    pub fn prefetch_fields(&self, key: &[u8], fields: &[&[u8]]) {
        self.ks().prefetch_fields(key, fields);
    }

    /// [`Db::prefetch`] for a multi-key command's own keys (MSET, MGET, DEL...), when there
    /// are enough of them for their misses to be worth overlapping.
    fn prefetch_all<'k>(&self, keys: impl Iterator<Item = &'k [u8]>) {
        let mut batch: [&[u8]; PREFETCH_MAX] = [&[]; PREFETCH_MAX];
        let mut n = 0;
        for k in keys.take(PREFETCH_MAX) {
            batch[n] = k;
            n += 1;
        }
        if n >= PREFETCH_MIN {
            self.ks().prefetch(&batch[..n]);
        }
    }

    #[inline]
    fn ks(&self) -> &'a Keyspace {
        self.store.keyspace(self.index)
    }

    /// The shard `key` lives in, below the store's shard count: operations on keys of
    /// different shards never wait for each other, and threads that each keep to their own
    /// shards share no table (the server's AOF loader spreads its work so). A database's
    /// mapping changes on SWAPDB.
    pub fn shard_of(&self, key: &[u8]) -> usize {
        let ks = self.ks();
        ks.shard_of(ks.hash(key))
    }

    #[inline]
    fn now(&self) -> u64 {
        self.store.now_ms()
    }

    fn limits(&self) -> (usize, usize) {
        (
            self.store.hash_max_listpack_entries(),
            self.store.hash_max_listpack_value(),
        )
    }

    #[inline]
    fn read<R>(&self, key: &[u8], touch: bool, f: impl FnOnce(Option<&Entry>) -> R) -> R {
        let _g = self.store.shared();
        self.ks().read(self.store, key, self.now(), touch, f)
    }

    #[inline]
    fn write<R>(&self, key: &[u8], f: impl FnOnce(&mut Slot<'_>) -> R) -> R {
        let _g = self.store.shared();
        self.ks().write(self.store, key, self.now(), f)
    }

    /// Write without taking the gate (caller holds it).
    fn write_nogate<R>(&self, key: &[u8], now: u64, f: impl FnOnce(&mut Slot<'_>) -> R) -> R {
        self.ks().write(self.store, key, now, f)
    }

    fn new_entry(&self, data: Data, expire_at: u64, now: u64) -> Entry {
        Entry::new(data, expire_at, evict::new_meta(now))
    }

    // ------------------------------------------------------------------ strings

    /// GET: the string value, None if missing; WrongType for a hash.
    pub fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        self.read(key, true, |e| match e {
            None => Ok(None),
            Some(e) => Ok(Some(wrong_str(e)?.to_bytes())),
        })
    }

    /// GET without copying: `f` sees the value's bytes (None if missing) under the shard's read
    /// lock. `f` must not call the store.
    pub fn get_with<R>(&self, key: &[u8], f: impl FnOnce(Option<&[u8]>) -> R) -> Result<R> {
        self.read(key, true, |e| match e {
            None => Ok(f(None)),
            Some(e) => Ok(wrong_str(e)?.with_bytes(|b| f(Some(b)))),
        })
    }

    /// SET with all of Redis's options. See [`SetOptions`] and [`SetOutcome`].
    pub fn set(&self, key: &[u8], value: &[u8], opts: SetOptions) -> Result<SetOutcome> {
        self.store.admit()?;
        let now = self.now();
        let at = deadline(opts.expiry, now, "set")?;
        let _g = self.store.shared();
        self.write_nogate(key, now, |slot| self.set_in(slot, value, opts, at))
    }

    fn set_in(
        &self,
        slot: &mut Slot<'_>,
        value: &[u8],
        opts: SetOptions,
        at: Option<u64>,
    ) -> Result<SetOutcome> {
        let mut out = SetOutcome::default();
        let (exists, old_exp) = match slot.get() {
            Some(e) => {
                if opts.get {
                    out.old = Some(wrong_str(e)?.to_bytes());
                }
                (true, e.expire_at)
            }
            None => (false, 0),
        };
        let ok = match opts.condition {
            SetCondition::Always => true,
            SetCondition::IfMissing => !exists,
            SetCondition::IfExists => exists,
        };
        if !ok {
            return Ok(out);
        }
        let exp = match (opts.expiry, at) {
            (_, Some(at)) => at,
            (Expiry::KeepTtl, None) => old_exp,
            _ => 0,
        };
        slot.insert(self.new_entry(Data::Str(Str::from_bytes(value)), exp, slot.now));
        out.written = true;
        out.expire_at = (exp != 0).then_some(exp);
        Ok(out)
    }

    /// SETNX: set if missing; whether it was set.
    pub fn setnx(&self, key: &[u8], value: &[u8]) -> Result<bool> {
        let opts = SetOptions {
            condition: SetCondition::IfMissing,
            ..SetOptions::default()
        };
        self.set(key, value, opts).map(|o| o.written)
    }

    /// GETSET: sets the value (removing any TTL) and returns the old one.
    pub fn getset(&self, key: &[u8], value: &[u8]) -> Result<Option<Bytes>> {
        let opts = SetOptions {
            get: true,
            ..SetOptions::default()
        };
        self.set(key, value, opts).map(|o| o.old)
    }

    /// GETDEL: returns the string value and deletes the key.
    pub fn getdel(&self, key: &[u8]) -> Result<Option<Bytes>> {
        self.write(key, |slot| {
            let v = match slot.get() {
                None => return Ok(None),
                Some(e) => wrong_str(e)?.to_bytes(),
            };
            slot.remove();
            Ok(Some(v))
        })
    }

    /// GETEX: returns the value and changes the TTL per `expiry` (`None` leaves it; `Persist`
    /// removes it; an absolute time in the past deletes the key). `KeepTtl` acts as `None`.
    pub fn getex(&self, key: &[u8], expiry: Expiry) -> Result<Option<Bytes>> {
        self.getex_outcome(key, expiry).map(|o| o.map(|(v, _)| v))
    }

    /// APPEND: appends, creating the key if missing; returns the new length.
    pub fn append(&self, key: &[u8], value: &[u8]) -> Result<usize> {
        self.store.admit()?;
        self.write(key, |slot| match slot.get() {
            None => {
                let e = self.new_entry(Data::Str(Str::from_bytes(value)), 0, slot.now);
                slot.insert(e);
                Ok(value.len())
            }
            Some(e) => {
                let len = wrong_str(e)?.len();
                if len + value.len() > PROTO_MAX_BULK_LEN {
                    return Err(Error::StringTooLong);
                }
                // Even an empty APPEND leaves the value `raw`, as in Redis.
                let Some(e) = slot.get_mut() else {
                    return Ok(0);
                };
                let Data::Str(s) = &mut e.data else {
                    return Err(Error::WrongType);
                };
                let raw = s.make_raw();
                raw.extend_from_slice(value);
                Ok(raw.len())
            }
        })
    }

    /// STRLEN: length of the string (0 if missing).
    pub fn strlen(&self, key: &[u8]) -> Result<usize> {
        self.read(key, true, |e| match e {
            None => Ok(0),
            Some(e) => Ok(wrong_str(e)?.len()),
        })
    }

    /// GETRANGE with Redis's index rules (negative from the end, clamped; empty if missing).
    pub fn getrange(&self, key: &[u8], start: i64, end: i64) -> Result<Bytes> {
        self.read(key, true, |e| match e {
            None => Ok(Bytes::new()),
            Some(e) => Ok(wrong_str(e)?.with_bytes(|b| {
                let len = b.len() as i64;
                let (mut s, mut t) = (start, end);
                if s < 0 && t < 0 && s > t {
                    return Bytes::new();
                }
                if s < 0 {
                    s += len;
                }
                if t < 0 {
                    t += len;
                }
                s = s.max(0);
                t = t.max(0);
                if t >= len {
                    t = len - 1;
                }
                if s > t || len == 0 {
                    return Bytes::new();
                }
                Bytes::copy_from_slice(&b[s as usize..=t as usize])
            })),
        })
    }

    /// SETRANGE: overwrites at `offset`, zero-padding; returns the new length. An empty value
    /// returns the current length without creating the key.
    pub fn setrange(&self, key: &[u8], offset: i64, value: &[u8]) -> Result<usize> {
        if offset < 0 {
            return Err(Error::OffsetOutOfRange);
        }
        if !value.is_empty() {
            self.store.admit()?;
        }
        let offset = offset as u64;
        let too_long = |len: usize| offset + len as u64 > PROTO_MAX_BULK_LEN as u64;
        self.write(key, |slot| match slot.get() {
            None => {
                if value.is_empty() {
                    return Ok(0);
                }
                if too_long(value.len()) {
                    return Err(Error::StringTooLong);
                }
                // One zeroed allocation of the final size: a big offset costs untouched
                // (lazily zeroed) pages, not a copy.
                let off = offset as usize;
                let mut v = vec![0u8; off + value.len()];
                v[off..].copy_from_slice(value);
                let n = v.len();
                let e = self.new_entry(Data::Str(Str::raw(v)), 0, slot.now);
                slot.insert(e);
                Ok(n)
            }
            Some(e) => {
                let len = wrong_str(e)?.len();
                if value.is_empty() {
                    return Ok(len);
                }
                if too_long(value.len()) {
                    return Err(Error::StringTooLong);
                }
                let Some(e) = slot.get_mut() else {
                    return Ok(0);
                };
                let Data::Str(s) = &mut e.data else {
                    return Err(Error::WrongType);
                };
                let raw = s.make_raw();
                let off = offset as usize;
                let need = off + value.len();
                if raw.len() < need {
                    raw.resize(need, 0);
                }
                raw[off..need].copy_from_slice(value);
                Ok(raw.len())
            }
        })
    }

    /// INCRBY (and INCR/DECR): adds `delta`; missing keys start at 0; the TTL is kept.
    pub fn incr_by(&self, key: &[u8], delta: i64) -> Result<i64> {
        self.store.admit()?;
        self.write(key, |slot| {
            let cur = match slot.get() {
                None => 0,
                Some(e) => match wrong_str(e)? {
                    Str::Int(i) => *i,
                    s => s.with_bytes(parse_i64).ok_or(Error::NotInteger)?,
                },
            };
            let new = cur.checked_add(delta).ok_or(Error::Overflow)?;
            match slot.get_mut() {
                Some(e) => e.data = Data::Str(Str::Int(new)),
                None => {
                    let e = self.new_entry(Data::Str(Str::Int(new)), 0, slot.now);
                    slot.insert(e);
                }
            }
            Ok(new)
        })
    }

    /// DECRBY: subtracts `delta` (`i64::MIN` is [`Error::DecrementOverflow`]).
    pub fn decr_by(&self, key: &[u8], delta: i64) -> Result<i64> {
        if delta == i64::MIN {
            return Err(Error::DecrementOverflow);
        }
        self.incr_by(key, -delta)
    }

    /// INCRBYFLOAT: adds the float `incr` (given as its text, parsed like Redis: `1.`, `.5`,
    /// `0x10`, `inf` accepted) in 80-bit extended precision; returns the new value's text
    /// (also what to propagate as `SET key <value> KEEPTTL`). The TTL is kept.
    pub fn incr_by_float(&self, key: &[u8], incr: &[u8]) -> Result<Bytes> {
        self.store.admit()?;
        self.write(key, |slot| {
            // Redis's order: WRONGTYPE, then the current value, then the increment.
            let cur = match slot.get() {
                None => LongDouble::ZERO,
                Some(e) => match wrong_str(e)? {
                    Str::Int(i) => LongDouble::from_i64(*i),
                    s => s.with_bytes(LongDouble::parse).ok_or(Error::NotFloat)?,
                },
            };
            let inc = LongDouble::parse(incr).ok_or(Error::NotFloat)?;
            let new = cur.add(inc);
            if !new.is_finite() {
                return Err(Error::IncrNanOrInfinity);
            }
            let text = new.to_human();
            // The result is stored as a string, never int-encoded (OBJECT ENCODING: embstr).
            let data = Data::Str(if text.len() <= crate::value::EMBSTR_MAX {
                Str::embstr(text.as_bytes())
            } else {
                Str::raw(text.as_bytes().to_vec())
            });
            match slot.get_mut() {
                Some(e) => e.data = data,
                None => {
                    let e = self.new_entry(data, 0, slot.now);
                    slot.insert(e);
                }
            }
            Ok(Bytes::from(text))
        })
    }

    /// MGET: values of many keys (None for missing keys and non-strings), seen atomically.
    pub fn mget<K: AsRef<[u8]>>(&self, keys: &[K]) -> Vec<Option<Bytes>> {
        let _g = self.store.shared();
        self.prefetch_all(keys.iter().map(AsRef::as_ref));
        let now = self.now();
        keys.iter()
            .map(|k| {
                self.ks()
                    .read(self.store, k.as_ref(), now, true, |e| match e {
                        Some(Entry {
                            data: Data::Str(s), ..
                        }) => Some(s.to_bytes()),
                        _ => None,
                    })
            })
            .collect()
    }

    /// MSET: sets many keys atomically (removing their TTLs). [`Error::OutOfMemory`] (and
    /// nothing set) when over `maxmemory` with nothing to evict.
    pub fn mset<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, pairs: &[(K, V)]) -> Result<()> {
        self.store.admit()?;
        self.prefetch_all(pairs.iter().map(|(k, _)| k.as_ref()));
        self.mset_unchecked(pairs);
        Ok(())
    }

    fn mset_unchecked<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, pairs: &[(K, V)]) {
        self.store.exclusive(|_| {
            let now = self.now();
            for (k, v) in pairs {
                self.write_nogate(k.as_ref(), now, |slot| {
                    let e = self.new_entry(Data::Str(Str::from_bytes(v.as_ref())), 0, now);
                    slot.insert(e);
                });
            }
        })
    }

    /// MSETNX: sets all keys only if none exists; whether it set them.
    pub fn msetnx<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, pairs: &[(K, V)]) -> Result<bool> {
        self.store.admit()?;
        self.prefetch_all(pairs.iter().map(|(k, _)| k.as_ref()));
        Ok(self.store.exclusive(|_| {
            let now = self.now();
            if pairs
                .iter()
                .any(|(k, _)| self.ks().exists_live(k.as_ref(), now))
            {
                return false;
            }
            self.mset_unchecked(pairs);
            true
        }))
    }

    // ------------------------------------------------------------------ hashes

    fn hash_write<R>(
        &self,
        key: &[u8],
        create: bool,
        f: impl FnOnce(&mut Hash, (usize, usize)) -> Result<R>,
        missing: impl FnOnce() -> R,
    ) -> Result<R> {
        if create {
            self.store.admit()?;
        }
        let limits = self.limits();
        self.write(key, |slot| {
            match slot.get() {
                Some(e) => {
                    wrong_hash(e)?;
                }
                None if create => {
                    let e = self.new_entry(Data::Hash(Hash::new()), 0, slot.now);
                    slot.insert(e);
                }
                None => return Ok(missing()),
            }
            let Some(e) = slot.get_mut() else {
                return Ok(missing());
            };
            let Data::Hash(h) = &mut e.data else {
                return Err(Error::WrongType);
            };
            let r = f(h, limits);
            if h.len() == 0 {
                slot.remove();
            }
            r
        })
    }

    fn hash_read<R>(
        &self,
        key: &[u8],
        f: impl FnOnce(&Hash) -> R,
        missing: impl FnOnce() -> R,
    ) -> Result<R> {
        self.read(key, true, |e| match e {
            None => Ok(missing()),
            Some(e) => Ok(f(wrong_hash(e)?)),
        })
    }

    /// HSET: sets fields; returns how many were new.
    pub fn hset<F: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        key: &[u8],
        pairs: &[(F, V)],
    ) -> Result<usize> {
        self.hash_write(
            key,
            !pairs.is_empty(),
            |h, (me, mv)| {
                Ok(h.set_many(pairs.iter().map(|(f, v)| (f.as_ref(), v.as_ref())), me, mv))
            },
            || 0,
        )
    }

    /// HSETNX: sets a field only if missing; whether it was set.
    pub fn hsetnx(&self, key: &[u8], field: &[u8], value: &[u8]) -> Result<bool> {
        self.hash_write(
            key,
            true,
            |h, (me, mv)| {
                if h.get(field).is_some() {
                    Ok(false)
                } else {
                    Ok(h.set(field, value, me, mv))
                }
            },
            || false,
        )
    }

    /// HGET.
    pub fn hget(&self, key: &[u8], field: &[u8]) -> Result<Option<Bytes>> {
        self.hash_read(key, |h| h.get(field).map(Bytes::copy_from_slice), || None)
    }

    /// HMGET.
    pub fn hmget<F: AsRef<[u8]>>(&self, key: &[u8], fields: &[F]) -> Result<Vec<Option<Bytes>>> {
        self.hash_read(
            key,
            |h| {
                fields
                    .iter()
                    .map(|f| h.get(f.as_ref()).map(Bytes::copy_from_slice))
                    .collect()
            },
            || vec![None; fields.len()],
        )
    }

    /// HDEL: removes fields (the key goes when empty); returns how many existed.
    pub fn hdel<F: AsRef<[u8]>>(&self, key: &[u8], fields: &[F]) -> Result<usize> {
        self.hash_write(
            key,
            false,
            |h, _| Ok(fields.iter().filter(|f| h.remove(f.as_ref())).count()),
            || 0,
        )
    }

    /// HEXISTS.
    pub fn hexists(&self, key: &[u8], field: &[u8]) -> Result<bool> {
        self.hash_read(key, |h| h.get(field).is_some(), || false)
    }

    /// HLEN.
    pub fn hlen(&self, key: &[u8]) -> Result<usize> {
        self.hash_read(key, |h| h.len(), || 0)
    }

    /// HSTRLEN: length of a field's value (0 if missing).
    pub fn hstrlen(&self, key: &[u8], field: &[u8]) -> Result<usize> {
        self.hash_read(key, |h| h.get(field).map_or(0, |v| v.len()), || 0)
    }

    /// HKEYS.
    pub fn hkeys(&self, key: &[u8]) -> Result<Vec<Bytes>> {
        self.hash_read(
            key,
            |h| {
                let mut v = Vec::with_capacity(h.len());
                h.for_each(|f, _| v.push(Bytes::copy_from_slice(f)));
                v
            },
            Vec::new,
        )
    }

    /// HVALS.
    pub fn hvals(&self, key: &[u8]) -> Result<Vec<Bytes>> {
        self.hash_read(
            key,
            |h| {
                let mut v = Vec::with_capacity(h.len());
                h.for_each(|_, x| v.push(Bytes::copy_from_slice(x)));
                v
            },
            Vec::new,
        )
    }

    /// HGETALL: (field, value) pairs.
    pub fn hgetall(&self, key: &[u8]) -> Result<Vec<(Bytes, Bytes)>> {
        self.hash_read(key, |h| h.pairs(), Vec::new)
    }

    /// HINCRBY.
    pub fn hincrby(&self, key: &[u8], field: &[u8], delta: i64) -> Result<i64> {
        self.hash_write(
            key,
            true,
            |h, (me, mv)| {
                let cur = match h.get(field) {
                    None => 0,
                    Some(v) => parse_i64(v).ok_or(Error::HashNotInteger)?,
                };
                let new = cur.checked_add(delta).ok_or(Error::Overflow)?;
                h.set(field, itoa::Buffer::new().format(new).as_bytes(), me, mv);
                Ok(new)
            },
            || 0,
        )
    }

    /// HINCRBYFLOAT: like INCRBYFLOAT on a field; returns the new text.
    pub fn hincrbyfloat(&self, key: &[u8], field: &[u8], incr: &[u8]) -> Result<Bytes> {
        let inc = LongDouble::parse(incr).ok_or(Error::NotFloat)?;
        if !inc.is_finite() {
            return Err(Error::NanOrInfinity);
        }
        self.hash_write(
            key,
            true,
            |h, (me, mv)| {
                let cur = match h.get(field) {
                    None => LongDouble::ZERO,
                    Some(v) => LongDouble::parse(v).ok_or(Error::HashNotFloat)?,
                };
                let new = cur.add(inc);
                if !new.is_finite() {
                    return Err(Error::IncrNanOrInfinity);
                }
                let text = new.to_human();
                h.set(field, text.as_bytes(), me, mv);
                Ok(Bytes::from(text))
            },
            Bytes::new,
        )
    }

    /// HRANDFIELD without a count: one random field, None if the key is missing.
    pub fn hrandfield(&self, key: &[u8]) -> Result<Option<Bytes>> {
        self.hash_read(
            key,
            |h| {
                let i = fastrand::usize(..h.len());
                h.nth(i).map(|(f, _)| Bytes::copy_from_slice(f))
            },
            || None,
        )
    }

    /// HRANDFIELD key count: `count >= 0` distinct fields (all if count >= len); `count < 0`:
    /// `-count` fields, possibly repeated. Pairs carry the value (for WITHVALUES).
    ///
    /// A negative count beyond [`HRANDFIELD_MAX_REPEATS`] is [`Error::ValueOutOfRange`]:
    /// Redis would stream that many replies, but a reply built in memory cannot hold them.
    pub fn hrandfield_count(&self, key: &[u8], count: i64) -> Result<Vec<(Bytes, Bytes)>> {
        if count < 0 && count.unsigned_abs() > HRANDFIELD_MAX_REPEATS as u64 {
            // Checked only when the key holds a hash, as Redis checks its range after the type.
            if self.key_type(key) == Some(KeyType::Hash) {
                return Err(Error::ValueOutOfRange);
            }
        }
        self.hash_read(
            key,
            |h| {
                let len = h.len();
                if count < 0 {
                    let n = (count.unsigned_abs() as usize).min(HRANDFIELD_MAX_REPEATS);
                    let pairs = h.pairs();
                    (0..n)
                        .map(|_| pairs[fastrand::usize(..len)].clone())
                        .collect()
                } else if count as u64 >= len as u64 {
                    h.pairs()
                } else {
                    let mut idx: Vec<usize> = (0..len).collect();
                    fastrand::shuffle(&mut idx);
                    idx.truncate(count as usize);
                    let pairs = h.pairs();
                    idx.into_iter().map(|i| pairs[i].clone()).collect()
                }
            },
            Vec::new,
        )
    }

    /// HSCAN: (next cursor, pairs). Small hashes are returned whole with cursor 0.
    pub fn hscan(
        &self,
        key: &[u8],
        cursor: u64,
        opts: ScanOptions<'_>,
    ) -> Result<(u64, Vec<(Bytes, Bytes)>)> {
        let _ = cursor;
        self.hash_read(
            key,
            |h| {
                let mut out = Vec::new();
                h.for_each(|f, v| {
                    if pattern_ok(opts.pattern, f) {
                        out.push((Bytes::copy_from_slice(f), Bytes::copy_from_slice(v)));
                    }
                });
                (0, out)
            },
            || (0, Vec::new()),
        )
    }

    // ------------------------------------------------------------------ generic

    /// EXISTS: how many of the keys exist (duplicates counted).
    pub fn exists<K: AsRef<[u8]>>(&self, keys: &[K]) -> usize {
        let _g = self.store.shared();
        self.prefetch_all(keys.iter().map(AsRef::as_ref));
        let now = self.now();
        keys.iter()
            .filter(|k| {
                self.ks()
                    .read(self.store, k.as_ref(), now, false, |e| e.is_some())
            })
            .count()
    }

    /// TYPE: the key's type, None if missing.
    pub fn key_type(&self, key: &[u8]) -> Option<KeyType> {
        self.read(key, false, |e| e.map(|e| e.data.key_type()))
    }

    /// DEL / UNLINK: removes keys atomically; returns how many existed.
    pub fn del<K: AsRef<[u8]>>(&self, keys: &[K]) -> usize {
        self.prefetch_all(keys.iter().map(AsRef::as_ref));
        let run = || {
            let now = self.now();
            keys.iter()
                .filter(|k| self.write_nogate(k.as_ref(), now, |slot| slot.remove().is_some()))
                .count()
        };
        if keys.len() == 1 {
            let _g = self.store.shared();
            run()
        } else {
            self.store.exclusive(|_| run())
        }
    }

    /// UNLINK (same as DEL here: values are freed inline).
    pub fn unlink<K: AsRef<[u8]>>(&self, keys: &[K]) -> usize {
        self.del(keys)
    }

    /// TOUCH: updates access times; returns how many keys exist.
    pub fn touch<K: AsRef<[u8]>>(&self, keys: &[K]) -> usize {
        let _g = self.store.shared();
        let now = self.now();
        keys.iter()
            .filter(|k| {
                self.ks()
                    .read(self.store, k.as_ref(), now, true, |e| e.is_some())
            })
            .count()
    }

    fn take_entry(&self, key: &[u8], now: u64) -> Option<Entry> {
        self.write_nogate(key, now, |slot| slot.remove())
    }

    /// RENAME: moves `src` to `dst` (overwriting it, keeping src's TTL). [`Error::NoSuchKey`]
    /// if `src` is missing.
    pub fn rename(&self, src: &[u8], dst: &[u8]) -> Result<()> {
        self.rename_impl(src, dst, false).map(|_| ())
    }

    /// RENAMENX: like RENAME but only if `dst` does not exist; whether it renamed.
    pub fn renamenx(&self, src: &[u8], dst: &[u8]) -> Result<bool> {
        self.rename_impl(src, dst, true)
    }

    fn rename_impl(&self, src: &[u8], dst: &[u8], nx: bool) -> Result<bool> {
        self.store.exclusive(|_| {
            let now = self.now();
            if !self.ks().exists_live(src, now) {
                // Lazily expire it if it was there.
                self.write_nogate(src, now, |_| ());
                return Err(Error::NoSuchKey);
            }
            if src == dst {
                return Ok(!nx);
            }
            if nx && self.ks().exists_live(dst, now) {
                return Ok(false);
            }
            let Some(e) = self.take_entry(src, now) else {
                return Err(Error::NoSuchKey);
            };
            self.write_nogate(dst, now, |slot| {
                slot.insert(e);
            });
            Ok(true)
        })
    }

    /// COPY src dst [DB db] \[REPLACE\]: copies the value and TTL; whether it copied.
    pub fn copy(
        &self,
        src: &[u8],
        dst: &[u8],
        dst_db: Option<usize>,
        replace: bool,
    ) -> Result<bool> {
        let target = dst_db.unwrap_or(self.index);
        if target >= self.store.databases() {
            return Err(Error::DbIndexOutOfRange);
        }
        if target == self.index && src == dst {
            return Err(Error::SameObject);
        }
        self.store.admit()?;
        self.store.exclusive(|_| {
            let now = self.now();
            let Some(e) = self.ks().read(self.store, src, now, false, |e| e.cloned()) else {
                return Ok(false);
            };
            let to = Db::new(self.store, target);
            if !replace && to.ks().exists_live(dst, now) {
                return Ok(false);
            }
            to.write_nogate(dst, now, |slot| {
                slot.insert(Entry::new(e.data, e.expire_at, evict::new_meta(now)));
            });
            Ok(true)
        })
    }

    /// MOVE key db: moves the key (with TTL) to another database if absent there.
    pub fn move_key(&self, key: &[u8], dst_db: usize) -> Result<bool> {
        if dst_db >= self.store.databases() {
            return Err(Error::DbIndexOutOfRange);
        }
        if dst_db == self.index {
            return Err(Error::SameObject);
        }
        self.store.exclusive(|_| {
            let now = self.now();
            let to = Db::new(self.store, dst_db);
            if !self.ks().exists_live(key, now) || to.ks().exists_live(key, now) {
                return Ok(false);
            }
            let Some(e) = self.take_entry(key, now) else {
                return Ok(false);
            };
            to.write_nogate(key, now, |slot| {
                slot.insert(e);
            });
            Ok(true)
        })
    }

    /// KEYS pattern: every live key matching the glob.
    pub fn keys(&self, pattern: &[u8]) -> Vec<Bytes> {
        let _g = self.store.shared();
        let now = self.now();
        let ks = self.ks();
        let mut out = Vec::new();
        for si in 0..ks.shard_count() {
            ks.visit_buckets(si, 0, None, usize::MAX, |k, e| {
                if !e.is_expired(now) && key_match(pattern, k) {
                    out.push(Bytes::copy_from_slice(k));
                }
                true
            });
        }
        out
    }

    /// SCAN cursor [MATCH p] [COUNT n] [TYPE t]: (next cursor, keys); 0 when done.
    ///
    /// Every key present for the whole iteration is returned at least once. The cursor walks
    /// the shards in order and, inside a shard, its hash table's buckets in index order.
    /// Entries of an open-addressing table only move when the table rehashes; every insert that
    /// may rehash bumps the shard's epoch, which the cursor carries, and a cursor with a stale
    /// epoch restarts its shard from bucket 0 (so keys may repeat, as Redis allows, but none
    /// present throughout is missed).
    pub fn scan(&self, cursor: u64, opts: ScanOptions<'_>) -> (u64, Vec<Bytes>) {
        let _g = self.store.shared();
        let now = self.now();
        let ks = self.ks();
        // Like Redis: stop after `count` entries (before filtering) or `10 * count` buckets.
        let count = if opts.count == 0 { 10 } else { opts.count };
        let mut budget = count.saturating_mul(10);
        let (mut si, mut bucket, epoch) = decode_cursor(cursor);
        let mut epoch = (cursor != 0).then_some(epoch);
        let mut out = Vec::new();
        let mut seen = 0usize;
        while si < ks.shard_count() {
            // Stop *at* the entry after the `count`-th, so that when the last entries are
            // reached the walk goes on over empty buckets and can end with cursor 0.
            let visit = ks.visit_buckets(si, bucket, epoch, budget, |k, e| {
                if seen >= count {
                    return false;
                }
                seen += 1;
                let live = !e.is_expired(now);
                let type_ok = match opts.key_type {
                    Some(t) => t == Some(e.data.key_type()),
                    None => true,
                };
                if live && type_ok && pattern_ok(opts.pattern, k) {
                    out.push(Bytes::copy_from_slice(k));
                }
                true
            });
            // Empty shards cost nothing (at most 256 of them): an empty db is done at once.
            budget = budget.saturating_sub(visit.walked);
            match visit.next {
                Some(n) => {
                    bucket = n;
                    epoch = Some(visit.epoch & EPOCH_MASK);
                }
                None => {
                    si += 1;
                    bucket = 0;
                    // Bucket 0 is valid in any epoch.
                    epoch = None;
                }
            }
            if budget == 0 || (seen >= count && visit.next.is_some()) {
                break;
            }
        }
        if si >= ks.shard_count() {
            return (0, out);
        }
        (encode_cursor(si, bucket, epoch.unwrap_or(0)), out)
    }

    /// RANDOMKEY: a random live key, None if the database is empty.
    pub fn randomkey(&self) -> Option<Bytes> {
        let _g = self.store.shared();
        let now = self.now();
        let ks = self.ks();
        let shards = ks.shard_count();
        for _ in 0..shards * 4 {
            let si = fastrand::usize(..shards);
            let buckets = ks.shard(si).read().buckets();
            let start = fastrand::usize(..buckets.max(1));
            let mut found = None;
            for (from, max) in [(start, 256), (0, start.min(256))] {
                ks.visit_buckets(si, from, None, max, |k, e| {
                    if e.is_expired(now) {
                        return true;
                    }
                    found = Some(Bytes::copy_from_slice(k));
                    false
                });
                if found.is_some() {
                    return found;
                }
            }
        }
        // Sparse or mostly expired: fall back to a full walk.
        let mut found = None;
        for si in 0..shards {
            ks.visit_buckets(si, 0, None, usize::MAX, |k, e| {
                if e.is_expired(now) {
                    return true;
                }
                found = Some(Bytes::copy_from_slice(k));
                false
            });
            if found.is_some() {
                break;
            }
        }
        found
    }

    /// DBSIZE: number of keys (including expired keys not yet reclaimed, as Redis).
    pub fn dbsize(&self) -> usize {
        let _g = self.store.shared();
        self.ks().len()
    }

    /// FLUSHDB: removes every key atomically; returns how many there were. Watched keys that
    /// existed are touched.
    pub fn flushdb(&self) -> usize {
        self.store.exclusive(|_| {
            let now = self.now();
            let watched = self.store.watches.keys_of(self.index);
            let touched: Vec<_> = watched
                .into_iter()
                .filter(|k| self.ks().exists_live(k, now))
                .collect();
            let n = self.ks().clear();
            for k in touched {
                self.store.watches.touch(self.index, &k);
            }
            n
        })
    }

    /// INFO keyspace statistics.
    pub fn stats(&self) -> DbStats {
        let _g = self.store.shared();
        let ks = self.ks();
        DbStats {
            keys: ks.len(),
            expires: ks.volatile(),
            avg_ttl: 0,
        }
    }

    /// OBJECT ENCODING.
    pub fn object_encoding(&self, key: &[u8]) -> Option<Encoding> {
        self.read(key, false, |e| e.map(|e| e.data.encoding()))
    }

    /// OBJECT IDLETIME in seconds.
    pub fn object_idletime(&self, key: &[u8]) -> Option<u64> {
        let now = self.now();
        self.read(key, false, |e| {
            e.map(|e| evict::idle_secs(e.meta.load(Ordering::Relaxed), now))
        })
    }

    /// OBJECT FREQ: the LFU counter (after decay).
    pub fn object_freq(&self, key: &[u8]) -> Option<u8> {
        let now = self.now();
        let decay = self.store.config.lfu_decay_time.load(Ordering::Relaxed);
        self.read(key, false, |e| {
            e.map(|e| evict::lfu_decayed(e.meta.load(Ordering::Relaxed), now, decay) as u8)
        })
    }

    /// A copy of the key's value and expiry (DEBUG, dumps).
    pub fn get_value(&self, key: &[u8]) -> Option<(Value, Option<u64>)> {
        self.read(key, false, |e| {
            e.map(|e| (e.data.to_value(), e.expire_opt()))
        })
    }

    /// Writes a value with an expiry (0/None = none), replacing any key (restores, tests).
    /// Under `maxmemory` it evicts first but never refuses (a restore must not lose data).
    pub fn put_value(&self, key: &[u8], value: &Value, expire_at: Option<u64>) {
        let _ = self.store.admit();
        let (me, mv) = self.limits();
        self.write(key, |slot| {
            let e = self.new_entry(
                Data::from_value(value, me, mv),
                expire_at.unwrap_or(0),
                slot.now,
            );
            slot.insert(e);
        })
    }

    /// Visits every live key with an owned copy of its value and expiry, one shard at a time
    /// (no lock is held while `f` runs). For AOF rewrite and DEBUG DIGEST.
    pub fn for_each(&self, mut f: impl FnMut(Bytes, Value, Option<u64>)) {
        let ks = self.ks();
        for si in 0..ks.shard_count() {
            let mut batch = Vec::new();
            {
                let _g = self.store.shared();
                let now = self.now();
                ks.visit_buckets(si, 0, None, usize::MAX, |k, e| {
                    if !e.is_expired(now) {
                        batch.push((Bytes::copy_from_slice(k), e.data.to_value(), e.expire_opt()));
                    }
                    true
                });
            }
            for (k, v, t) in batch {
                f(k, v, t);
            }
        }
    }

    // ------------------------------------------------------------------ expiry

    fn expire_generic(
        &self,
        key: &[u8],
        when: i64,
        secs: bool,
        relative: bool,
        cond: ExpireCondition,
        cmd: &'static str,
    ) -> Result<ExpireOutcome> {
        let now = self.now();
        let mut when = when;
        if secs {
            if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
                return Err(Error::InvalidExpireTime(cmd));
            }
            when *= 1000;
        }
        let base = if relative { now as i64 } else { 0 };
        if when > i64::MAX - base {
            return Err(Error::InvalidExpireTime(cmd));
        }
        when += base;
        let _g = self.store.shared();
        self.write_nogate(key, now, |slot| {
            let Some(e) = slot.get() else {
                return Ok(ExpireOutcome::NotSet);
            };
            let cur = e.expire_at;
            let ok = match cond {
                ExpireCondition::Always => true,
                ExpireCondition::Nx => cur == 0,
                ExpireCondition::Xx => cur != 0,
                ExpireCondition::Gt => cur != 0 && when > cur as i64,
                ExpireCondition::Lt => cur == 0 || when < cur as i64,
                ExpireCondition::XxLt => cur != 0 && when < cur as i64,
            };
            if !ok {
                return Ok(ExpireOutcome::NotSet);
            }
            if when <= now as i64 {
                slot.remove();
                return Ok(ExpireOutcome::Deleted);
            }
            if let Some(e) = slot.get_mut() {
                e.expire_at = when as u64;
            }
            Ok(ExpireOutcome::Set(when as u64))
        })
    }

    /// EXPIRE key seconds [NX|XX|GT|LT]. Negative or past times delete the key.
    pub fn expire(&self, key: &[u8], seconds: i64, cond: ExpireCondition) -> Result<ExpireOutcome> {
        self.expire_generic(key, seconds, true, true, cond, "expire")
    }

    /// PEXPIRE key ms [NX|XX|GT|LT].
    pub fn pexpire(&self, key: &[u8], ms: i64, cond: ExpireCondition) -> Result<ExpireOutcome> {
        self.expire_generic(key, ms, false, true, cond, "pexpire")
    }

    /// EXPIREAT key unix-seconds [NX|XX|GT|LT].
    pub fn expireat(
        &self,
        key: &[u8],
        at_secs: i64,
        cond: ExpireCondition,
    ) -> Result<ExpireOutcome> {
        self.expire_generic(key, at_secs, true, false, cond, "expireat")
    }

    /// PEXPIREAT key unix-ms [NX|XX|GT|LT].
    pub fn pexpireat(
        &self,
        key: &[u8],
        at_ms: i64,
        cond: ExpireCondition,
    ) -> Result<ExpireOutcome> {
        self.expire_generic(key, at_ms, false, false, cond, "pexpireat")
    }

    /// The key's absolute expiry: None if missing, Some(None) if it has no TTL.
    pub fn live_expire_at(&self, key: &[u8]) -> Option<Option<u64>> {
        self.read(key, false, |e| e.map(|e| e.expire_opt()))
    }

    /// PTTL: remaining ms, -1 without TTL, -2 if missing.
    pub fn pttl(&self, key: &[u8]) -> i64 {
        let now = self.now();
        match self.live_expire_at(key) {
            None => -2,
            Some(None) => -1,
            Some(Some(at)) => at.saturating_sub(now) as i64,
        }
    }

    /// TTL: remaining seconds rounded to nearest ((ms+500)/1000), -1, -2.
    pub fn ttl(&self, key: &[u8]) -> i64 {
        match self.pttl(key) {
            t if t < 0 => t,
            ms => (ms + 500) / 1000,
        }
    }

    /// PEXPIRETIME: absolute expiry in ms, -1, -2.
    pub fn pexpiretime(&self, key: &[u8]) -> i64 {
        match self.live_expire_at(key) {
            None => -2,
            Some(None) => -1,
            Some(Some(at)) => at as i64,
        }
    }

    /// EXPIRETIME: absolute expiry in seconds (rounded), -1, -2.
    pub fn expiretime(&self, key: &[u8]) -> i64 {
        match self.pexpiretime(key) {
            t if t < 0 => t,
            ms => (ms + 500) / 1000,
        }
    }

    /// PERSIST: removes the TTL; whether there was one.
    pub fn persist(&self, key: &[u8]) -> bool {
        self.write(key, |slot| {
            if slot.get().is_some_and(|e| e.expire_at != 0) {
                if let Some(e) = slot.get_mut() {
                    e.expire_at = 0;
                }
                true
            } else {
                false
            }
        })
    }
}

/// No MATCH, or the glob matches.
fn pattern_ok(pattern: Option<&[u8]>, s: &[u8]) -> bool {
    match pattern {
        Some(p) => key_match(p, s),
        None => true,
    }
}

fn encode_cursor(shard: usize, bucket: usize, epoch: u32) -> u64 {
    CURSOR_MARK
        | (((epoch & EPOCH_MASK) as u64) << (BUCKET_BITS + SHARD_BITS))
        | ((shard as u64) << BUCKET_BITS)
        | (bucket as u64 & ((1 << BUCKET_BITS) - 1))
}

fn decode_cursor(c: u64) -> (usize, usize, u32) {
    if c == 0 {
        return (0, 0, 0);
    }
    let bucket = (c & ((1 << BUCKET_BITS) - 1)) as usize;
    let shard = ((c >> BUCKET_BITS) & ((1 << SHARD_BITS) - 1)) as usize;
    let epoch = ((c >> (BUCKET_BITS + SHARD_BITS)) as u32) & EPOCH_MASK;
    (shard, bucket, epoch)
}

// ---------------------------------------------------------------------- zero-copy and flat-args
// variants used by the server's hot paths (no intermediate vectors), and GETEX with its effect.

impl<'a> Db<'a> {
    /// HGET without copying: `f` sees the field's value (None if the key or field is missing)
    /// under the shard's read lock. `f` must not call the store.
    pub fn hget_with<R>(
        &self,
        key: &[u8],
        field: &[u8],
        f: impl FnOnce(Option<&[u8]>) -> R,
    ) -> Result<R> {
        self.read(key, true, |e| match e {
            None => Ok(f(None)),
            Some(e) => Ok(f(wrong_hash(e)?.get(field))),
        })
    }

    /// MGET without copying: `f` is called once per key, in order, with the string value (None
    /// for missing keys and non-strings); all keys are read under one shared gate, so the view
    /// is atomic like [`Db::mget`]. `f` must not call the store.
    pub fn mget_with<K: AsRef<[u8]>>(&self, keys: &[K], mut f: impl FnMut(Option<&[u8]>)) {
        let _g = self.store.shared();
        self.prefetch_all(keys.iter().map(AsRef::as_ref));
        let now = self.now();
        for k in keys {
            self.ks()
                .read(self.store, k.as_ref(), now, true, |e| match e {
                    Some(Entry {
                        data: Data::Str(s), ..
                    }) => s.with_bytes(|b| f(Some(b))),
                    _ => f(None),
                });
        }
    }

    /// MSET from a flat `key value key value ...` list (an odd trailing item is ignored).
    ///
    /// Under `maxmemory` it evicts first but never refuses: the server checks before the
    /// command (see [`Store::evict`]); embedders wanting the refusal use [`Db::mset`].
    pub fn mset_args<K: AsRef<[u8]>>(&self, kv: &[K]) {
        let _ = self.store.admit();
        self.prefetch_all(kv.iter().step_by(2).map(AsRef::as_ref));
        self.mset_args_unchecked(kv);
    }

    fn mset_args_unchecked<K: AsRef<[u8]>>(&self, kv: &[K]) {
        self.store.exclusive(|_| {
            let now = self.now();
            for pair in kv.chunks_exact(2) {
                self.write_nogate(pair[0].as_ref(), now, |slot| {
                    let e = self.new_entry(Data::Str(Str::from_bytes(pair[1].as_ref())), 0, now);
                    slot.insert(e);
                });
            }
        })
    }

    /// MSETNX from a flat `key value ...` list: sets all only if none exists; whether it did.
    /// Like [`Db::mset_args`], evicts under `maxmemory` but never refuses.
    pub fn msetnx_args<K: AsRef<[u8]>>(&self, kv: &[K]) -> bool {
        let _ = self.store.admit();
        self.prefetch_all(kv.iter().step_by(2).map(AsRef::as_ref));
        self.store.exclusive(|_| {
            let now = self.now();
            if kv
                .chunks_exact(2)
                .any(|p| self.ks().exists_live(p[0].as_ref(), now))
            {
                return false;
            }
            self.mset_args_unchecked(kv);
            true
        })
    }

    /// HSET from a flat `field value field value ...` list; returns how many fields were new.
    pub fn hset_args<K: AsRef<[u8]>>(&self, key: &[u8], kv: &[K]) -> Result<usize> {
        self.hash_write(
            key,
            kv.len() >= 2,
            |h, (me, mv)| {
                Ok(h.set_many(
                    kv.chunks_exact(2).map(|p| (p[0].as_ref(), p[1].as_ref())),
                    me,
                    mv,
                ))
            },
            || 0,
        )
    }

    /// GETEX with Redis's order of checks (missing key → `Ok(None)` and WRONGTYPE before the
    /// expire time is validated) and what it did to the TTL, for propagation: `PEXPIREAT` for
    /// [`TtlChange::Set`](crate::TtlChange::Set), `DEL` for [`TtlChange::Deleted`](crate::TtlChange::Deleted), `PERSIST` for
    /// [`TtlChange::Persisted`](crate::TtlChange::Persisted).
    pub fn getex_outcome(
        &self,
        key: &[u8],
        expiry: Expiry,
    ) -> Result<Option<(Bytes, crate::options::TtlChange)>> {
        let now = self.now();
        let _g = self.store.shared();
        self.write_nogate(key, now, |slot| {
            let v = match slot.get() {
                None => return Ok(None),
                Some(e) => wrong_str(e)?.to_bytes(),
            };
            let change = match (expiry, deadline(expiry, now, "getex")?) {
                (_, Some(at)) if at <= now => {
                    slot.remove();
                    crate::options::TtlChange::Deleted
                }
                (_, Some(at)) => {
                    if let Some(e) = slot.get_mut() {
                        e.expire_at = at;
                    }
                    crate::options::TtlChange::Set(at)
                }
                (Expiry::Persist, None) if slot.get().is_some_and(|e| e.expire_at != 0) => {
                    if let Some(e) = slot.get_mut() {
                        e.expire_at = 0;
                    }
                    crate::options::TtlChange::Persisted
                }
                _ => crate::options::TtlChange::Unchanged,
            };
            Ok(Some((v, change)))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn store() -> (Store, ManualClock) {
        let clock = ManualClock::new(1_000_000);
        let st = Store::builder().clock(Arc::new(clock.clone())).build();
        (st, clock)
    }

    /// Field prefetch hints change nothing: on a missing key, a string, a small and a big
    /// hash, with present and absent fields.
    #[test]
    fn prefetch_fields_is_only_a_hint() {
        let (st, _) = store();
        let db = st.db(0);
        let fields: Vec<Vec<u8>> = (0..1000)
            .map(|i| format!("field:{i}").into_bytes())
            .collect();
        let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        db.prefetch_fields(b"nokey", &refs);
        db.set(b"s", b"v", SetOptions::default()).unwrap();
        db.prefetch_fields(b"s", &refs);
        db.hset(b"small", &[(b"field:1", b"v")]).unwrap();
        db.prefetch_fields(b"small", &refs);
        let pairs: Vec<(&[u8], &[u8])> = refs.iter().step_by(2).map(|f| (*f, &b"x"[..])).collect();
        db.hset(b"big", &pairs).unwrap();
        for chunk in refs.chunks(32) {
            db.prefetch_fields(b"big", chunk);
        }
        db.prefetch_fields(b"big", &[]);
        for (i, f) in refs.iter().enumerate() {
            let want = (i % 2 == 0).then(|| Bytes::from_static(b"x"));
            assert_eq!(db.hget(b"big", f).unwrap(), want);
        }
        assert_eq!(
            db.hget(b"small", b"field:1").unwrap().as_deref(),
            Some(&b"v"[..])
        );
    }

    /// Prefetch hints change nothing: empty tables, absent, inline and heap keys, more keys
    /// than it uses, and tables growing and shrinking under it on other threads.
    #[test]
    fn prefetch_is_only_a_hint() {
        let (st, _) = store();
        let db = st.db(0);
        db.prefetch(&[b"a", b"b", b"c", b"d"]);
        db.prefetch(&[]);
        let keys: Vec<Vec<u8>> = (0..100)
            .map(|i| {
                format!("{}{i}", if i % 2 == 0 { "k" } else { "a-long-key-name:" }).into_bytes()
            })
            .collect();
        for k in keys.iter().step_by(3) {
            db.set(k, b"v", SetOptions::default()).unwrap();
        }
        let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        db.prefetch(&refs);
        for (i, k) in keys.iter().enumerate() {
            let want = (i % 3 == 0).then(|| Bytes::from_static(b"v"));
            assert_eq!(db.get(k).unwrap(), want);
        }
        std::thread::scope(|s| {
            s.spawn(|| {
                for round in 0..20 {
                    for k in &keys {
                        db.set(k, b"w", SetOptions::default()).unwrap();
                    }
                    if round % 2 == 0 {
                        db.flushdb();
                    }
                }
            });
            for _ in 0..2_000 {
                db.prefetch(&refs);
            }
        });
    }

    fn opts(count: usize) -> ScanOptions<'static> {
        ScanOptions {
            count,
            ..ScanOptions::default()
        }
    }

    /// Runs a whole SCAN iteration, returning every key (with repeats) and the call count.
    fn full_scan(db: Db<'_>, o: ScanOptions<'_>) -> (Vec<Bytes>, usize) {
        let (mut cursor, mut all, mut calls) = (0, Vec::new(), 0);
        loop {
            let (next, keys) = db.scan(cursor, o);
            all.extend(keys);
            calls += 1;
            if next == 0 {
                return (all, calls);
            }
            assert!(calls < 100_000, "scan does not end");
            cursor = next;
        }
    }

    #[test]
    fn cursor_round_trip() {
        for (s, b, e) in [(0, 0, 0), (3, 17, 5), (255, (1 << BUCKET_BITS) - 1, 0xffff)] {
            let c = encode_cursor(s, b, e);
            assert_ne!(c, 0);
            assert_eq!(decode_cursor(c), (s, b, e));
        }
        assert_eq!(decode_cursor(0), (0, 0, 0));
    }

    #[test]
    fn scan_empty_db_is_done_at_once() {
        let (st, _) = store();
        assert_eq!(st.db(0).scan(0, opts(0)), (0, vec![]));
        assert_eq!(st.db(0).scan(0, opts(1)), (0, vec![]));
    }

    #[test]
    fn scan_small_db_in_one_call() {
        let (st, _) = store();
        let db = st.db(0);
        for i in 0..5 {
            db.set(format!("k{i}").as_bytes(), b"v", SetOptions::default())
                .ok();
        }
        let (cursor, keys) = db.scan(0, opts(0));
        assert_eq!(cursor, 0);
        assert_eq!(keys.len(), 5);
    }

    #[test]
    fn scan_count_at_least_len_returns_everything() {
        let (st, _) = store();
        let db = st.db(0);
        for i in 0..302 {
            db.set(format!("key:{i}").as_bytes(), b"v", SetOptions::default())
                .ok();
        }
        for count in [302, 1000, 100_000] {
            let (cursor, keys) = db.scan(0, opts(count));
            assert_eq!(cursor, 0, "COUNT {count}");
            assert_eq!(keys.iter().collect::<HashSet<_>>().len(), 302);
        }
        // Small counts: every key exactly once (nothing rehashed), each call ~COUNT keys.
        for count in [1, 7, 10, 100] {
            let (keys, calls) = full_scan(db, opts(count));
            assert_eq!(keys.len(), 302, "COUNT {count}");
            assert_eq!(keys.iter().collect::<HashSet<_>>().len(), 302);
            assert!(
                calls <= 302 / count + st.keyspace(0).shard_count() + 1,
                "COUNT {count}: {calls} calls"
            );
        }
    }

    #[test]
    fn scan_skips_expired_keys() {
        let (st, clock) = store();
        let db = st.db(0);
        db.set(b"live", b"v", SetOptions::default()).ok();
        let ttl = SetOptions {
            expiry: Expiry::Px(10),
            ..SetOptions::default()
        };
        db.set(b"dying", b"v", ttl).ok();
        clock.advance(10);
        let (keys, _) = full_scan(db, opts(10));
        assert_eq!(keys, vec![Bytes::from_static(b"live")]);
    }

    #[test]
    fn stale_epoch_restarts_the_shard() {
        // Two shards of ~100 keys: the walk stops inside shard 0, past its first bucket (with
        // 32 shards of ~6 keys, shard 0 could end early and the cursor be bucket 0 of shard 1).
        let st = Store::builder().shards(2).build();
        let db = st.db(0);
        for i in 0..200 {
            db.set(format!("a{i}").as_bytes(), b"v", SetOptions::default())
                .ok();
        }
        let ks = st.keyspace(0);
        let (cursor, _) = db.scan(0, opts(2));
        let (si, bucket, epoch) = decode_cursor(cursor);
        assert!(bucket > 0);
        // Same epoch: continue where it stopped; other epoch: from bucket 0 of that shard.
        let fresh = ks.visit_buckets(si, bucket, Some(epoch), usize::MAX, |_, _| true);
        assert_eq!(fresh.walked, ks.shard(si).read().buckets() - bucket);
        let stale = ks.visit_buckets(si, bucket, Some(epoch ^ 1), usize::MAX, |_, _| true);
        assert_eq!(stale.walked, ks.shard(si).read().buckets());
    }

    #[test]
    fn scan_returns_every_preexisting_key_under_concurrent_inserts() {
        let st = Arc::new(Store::builder().shards(4).build());
        let db = st.db(0);
        let before: HashSet<Bytes> = (0..2_000)
            .map(|i| Bytes::from(format!("old:{i}")))
            .collect();
        for k in &before {
            db.set(k, b"v", SetOptions::default()).ok();
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (st, stop) = (st.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 0u64;
                // Many inserts: every shard's table grows (rehashes) several times.
                while !stop.load(Ordering::Relaxed) && i < 200_000 {
                    st.db(0)
                        .set(format!("new:{i}").as_bytes(), b"v", SetOptions::default())
                        .ok();
                    i += 1;
                }
            })
        };
        for _ in 0..3 {
            let (keys, _) = full_scan(db, opts(5));
            let got: HashSet<Bytes> = keys.into_iter().collect();
            let missing: Vec<_> = before.iter().filter(|k| !got.contains(*k)).collect();
            assert!(
                missing.is_empty(),
                "missing {} keys, e.g. {:?}",
                missing.len(),
                missing.first()
            );
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().ok();
    }

    #[test]
    fn scan_filters_after_visiting() {
        let (st, _) = store();
        let db = st.db(0);
        for i in 0..50 {
            db.set(format!("s{i}").as_bytes(), b"v", SetOptions::default())
                .ok();
            db.hset(format!("h{i}").as_bytes(), &[(b"f", b"v")]).ok();
        }
        let o = ScanOptions {
            pattern: Some(b"s1*"),
            count: 10,
            key_type: None,
        };
        let (keys, _) = full_scan(db, o);
        assert_eq!(keys.len(), 11); // s1, s10..s19
        let o = ScanOptions {
            key_type: Some(Some(KeyType::Hash)),
            ..opts(3)
        };
        let (keys, _) = full_scan(db, o);
        assert_eq!(keys.len(), 50);
        assert!(keys.iter().all(|k| k.starts_with(b"h")));
        let o = ScanOptions {
            key_type: Some(None),
            ..opts(1000)
        };
        assert_eq!(db.scan(0, o), (0, vec![]));
        // A MATCH that filters everything still advances by COUNT entries per call.
        let o = ScanOptions {
            pattern: Some(b"zzz"),
            count: 10,
            key_type: None,
        };
        let (cursor, keys) = db.scan(0, o);
        assert!(keys.is_empty());
        assert_ne!(cursor, 0);
    }

    #[test]
    fn out_of_range_cursor_ends() {
        let (st, _) = store();
        st.db(0).set(b"k", b"v", SetOptions::default()).ok();
        assert_eq!(
            st.db(0).scan(encode_cursor(200, 0, 0), opts(10)),
            (0, vec![])
        );
        assert_eq!(st.db(0).scan(u64::MAX, opts(10)).0, 0);
    }
}
