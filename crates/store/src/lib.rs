//! The keyspace: an in-memory store of strings and hashes with expiry and eviction, usable as
//! an in-process, size-bounded cache with no networking and no async runtime.
//!
//! A [`Store`] holds `databases` databases (16 by default). [`Store::db`] gives a [`Db`] handle
//! with every Redis string, hash and generic-key operation, with Redis's semantics and error
//! texts ([`Error`]'s `Display` is the line Redis sends after `-`). The top-level convenience
//! methods ([`Store::get`], [`Store::set`], [`Store::set_with_ttl`], [`Store::hset`], ...) work on
//! database 0.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use store::{ManualClock, Store};
//!
//! let clock = ManualClock::new(1_700_000_000_000);
//! let store = Arc::new(Store::builder().clock(Arc::new(clock.clone())).build());
//! store.set("greeting", "hello")?;
//! store.set_with_ttl("session", "abc", Duration::from_secs(10))?;
//! store.hset("user:1", "name", "Ada")?;
//! assert_eq!(store.incr_by("hits", 2)?, 2);
//! assert_eq!(store.get("greeting")?.as_deref(), Some(&b"hello"[..]));
//! assert_eq!(store.ttl("session"), Some(Some(Duration::from_secs(10))));
//! clock.advance(10_000);
//! assert_eq!(store.get("session")?, None); // expired keys are never visible
//! assert!(store.get("user:1").is_err()); // WRONGTYPE
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Locking and atomicity
//!
//! Each database is a [`dashmap::DashMap`]: a fixed array of shards, each an `RwLock` around a
//! hash table. A single-key operation locks one shard (read or write) for its whole
//! read-modify-write, so it is atomic.
//!
//! Above the shards sits the *gate*, a striped `RwLock<()>`: every operation takes one stripe
//! shared (threads are spread over 16 stripes, so single-key operations from different threads
//! do not contend on one cache line); multi-key operations (MSET, MSETNX, multi-key DEL, RENAME,
//! COPY, MOVE, FLUSHDB, FLUSHALL, SWAPDB) and [`Store::exclusive`] take every stripe exclusively,
//! in stripe order. Inside an exclusive section no other operation runs, so nothing is seen
//! half-done; MGET and EXISTS hold one shared stripe across all their keys, so they never see
//! half of an MSET.
//!
//! Why it cannot deadlock:
//!
//! - *One order*: gate, then at most one shard. No code path holds two shard locks at once
//!   (multi-key operations touch shards one after another, which is safe because they hold the
//!   gate exclusively, so nobody else is between two of their steps); the gate is never taken
//!   while a shard lock is held; no shard guard is held while calling back into the map or into
//!   user code (the `*_with` callbacks run under a read lock and must not call the store).
//! - *No recursive shared gate*: `parking_lot` read locks are fair, so a second `read()` by a
//!   thread that already holds one would wait behind a queued writer that waits for the first.
//!   Every operation takes its stripe once, for its whole duration, and calls only gate-free
//!   internals inside it (compound operations such as [`Store::watch`] run their steps one
//!   after another, never nested).
//! - *Exclusive re-entry*: a thread holding the gate exclusively is recorded in a thread-local,
//!   and every operation it calls (inside [`Store::exclusive`]'s closure, or a multi-key
//!   operation calling another) skips the gate instead of blocking on itself.
//! - *Leaf locks*: the WATCH registry's mutex and the per-entry access metadata (an atomic)
//!   are leaves: nothing is locked while holding them. Counters and WATCH versions are updated
//!   after the shard lock is released. The eviction pool's mutex sits between the gate and the
//!   shards: sampling takes shard read locks under it, and it is never taken with a shard
//!   lock held.
//!
//! The concurrency tests (`tests/concurrency.rs`) run MSET against MGET readers (never a torn
//! view), RENAME against EXISTS (always exactly one of the two keys), INCR from several threads
//! (exact sums) and a mix of every kind of lock user at once.
//!
//! # SCAN
//!
//! A cursor names a shard, a bucket of that shard's open-addressing table and the shard's
//! *epoch*. Entries only move when a table rehashes, and every insert that may rehash bumps the
//! epoch; a cursor whose epoch is stale restarts its shard at bucket 0. So a full iteration
//! returns every key present for its whole duration at least once (some may repeat, as Redis
//! allows), even under concurrent inserts. Each call visits about `COUNT` entries (at most
//! `10 * COUNT` buckets), then filters by MATCH and TYPE; cursor 0 means done.
//!
//! # Floats
//!
//! INCRBYFLOAT and HINCRBYFLOAT compute in C `long double` through a small C file (see
//! `build.rs`): Redis parses with `strtold`, adds in 80-bit extended precision on x86_64 and
//! prints `%.17Lf` without trailing zeros, and matching that byte for byte needs the same
//! arithmetic and the same `printf`.
//!
//! # Expiry
//!
//! Deadlines are absolute milliseconds from the store's [`Clock`] (inject a [`ManualClock`] in
//! tests). Every access checks the deadline and deletes an expired key (lazy expiry);
//! [`Store::expire_cycle`] samples keys with a TTL like Redis's active expire cycle.
//!
//! # Memory and eviction
//!
//! [`Store::used_memory`] estimates the keyspace's heap: each shard's table (one slot and one
//! control byte per bucket), each key's and value's allocation, and a hash's vector or table
//! and field allocations, every request rounded the way glibc malloc rounds it (request + 8
//! bytes of header, to a multiple of 16, at least 32). Counters are updated after every write
//! (entry size before and after, plus any table growth or shrink), so reading it is one
//! relaxed load per database. Measured against the process's RSS growth for 1M small keys
//! (`key:N` → `value:N`), it is within 1% (183 vs 182 bytes per key; see the ignored test
//! `used_memory_vs_rss`). Tables shrink when they fall under 1/8 full, are rebuilt at the
//! same size when the tombstones deletes leave (eviction churn) use up their room while they
//! are under 3/4 full (hashbrown alone would double them), and FLUSHDB frees them.
//!
//! With `maxmemory` set ([`StoreBuilder::maxmemory`], [`Store::set_maxmemory`]), a write that
//! can grow memory (SET, APPEND, SETRANGE, INCR*, MSET, HSET, HINCRBY*, COPY...) first evicts
//! keys by the [`EvictionPolicy`] until `used_memory <= maxmemory`; if it cannot (policy
//! `noeviction`, or a `volatile-*` policy with no key with a TTL) it fails with
//! [`Error::OutOfMemory`] and changes nothing. Reads, DEL, EXPIRE and PERSIST never fail.
//! As in Redis, the check comes before the write, so memory may end one write above the
//! bound; if that write grew a table, eviction runs again at once.
//!
//! The policies follow Redis's `evict.c`. `lru`, `lfu` and `ttl` keep a pool of the 16 best
//! candidates seen so far (`evictionPoolPopulate`): each eviction samples `maxmemory-samples`
//! keys (default 5) from every database with evictable keys (a random shard, a random bucket,
//! then consecutive buckets: `dictGetSomeKeys`), scores them (idle seconds; `255 - counter`;
//! `u64::MAX - deadline`), merges them into the pool and evicts the best, skipping keys that
//! vanished meanwhile. The `random` policies take one sampled key, rotating over databases.
//! Access metadata is one atomic `u32` per entry: a 24-bit clock in seconds and an 8-bit
//! logarithmic counter that `lfu-log-factor` makes harder to increment and that loses one
//! per `lfu-decay-time` minutes of idleness. An evicted key counts in
//! [`StoreStats::evicted_keys`] and touches WATCH.
//!
//! Cost: with no bound (the default) a write pays one relaxed atomic load. Eviction takes
//! the gate shared, like any single-key operation, and the pool's mutex (a leaf: shard read
//! locks are taken under it while sampling, never the reverse); each evicted key is an
//! ordinary delete under its shard's write lock. A server that checks the bound before each
//! command rather than in the store (Redis refuses by command flags, and lets a MULTI/EXEC
//! or an AOF load run to the end) turns the write-path check off with
//! [`StoreBuilder::evict_on_write`] and calls [`Store::evict`] itself.
//!
//! ```
//! use store::{Error, EvictionPolicy, Store};
//!
//! let cache = Store::builder()
//!     .maxmemory(1 << 20)
//!     .maxmemory_policy(EvictionPolicy::AllKeysLru)
//!     .build();
//! for i in 0..100_000 {
//!     cache.set(format!("k{i}"), [0u8; 64])?;
//! }
//! assert!(cache.used_memory() <= (1 << 20) + 512);
//! assert!(cache.stats().evicted_keys > 0);
//!
//! cache.set_maxmemory_policy(EvictionPolicy::NoEviction);
//! cache.set_maxmemory(1);
//! assert_eq!(cache.set("one", "more"), Err(Error::OutOfMemory));
//! assert!(cache.get("k99999")?.is_some()); // reads still work
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # WATCH
//!
//! [`Store::watch`] returns a [`WatchToken`]; [`Store::watch_changed`] tells whether the key was
//! modified, deleted, expired, flushed or swapped since. Run EXEC as
//! `store.exclusive(|tx| if tokens.iter().any(|t| tx.watch_changed(t)) { abort } else { run })`.
#![deny(missing_docs)]

mod clock;
mod db;
mod error;
mod evict;
mod expire;
mod float;
mod glob;
mod options;
mod store;
mod thin;
mod value;
mod watch;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{Db, HRANDFIELD_MAX_REPEATS, PREFETCH_MAX, PREFETCH_MIN, PROTO_MAX_BULK_LEN};
pub use error::{Error, Result};
pub use evict::EvictionPolicy;
pub use glob::{glob_match, key_match};
pub use options::{
    DbStats, Encoding, ExpireCondition, ExpireOutcome, Expiry, KeyType, ScanOptions, SetCondition,
    SetOptions, SetOutcome, TtlChange, Value,
};
pub use store::{Store, StoreBuilder, StoreStats, Tx};
pub use watch::WatchToken;
