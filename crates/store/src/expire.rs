//! Active expiry: Redis's `activeExpireCycle`, adapted to the sharded keyspace.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::store::Store;

/// Keys with a TTL looked at per database per round (Redis `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
const SAMPLE: usize = 20;
/// Buckets a round may walk looking for keys with a TTL (bounds the work when they are rare).
const MAX_BUCKETS: usize = 400;
/// Time budget of one call (25% of the 100 ms period, as Redis's slow cycle).
const BUDGET: Duration = Duration::from_millis(25);

pub(crate) fn cycle(store: &Store) -> usize {
    let started = Instant::now();
    let mut deleted = 0;
    for db in 0..store.databases() {
        loop {
            let (sampled, expired) = round(store, db);
            deleted += expired;
            if sampled == 0 || expired * 4 <= sampled || started.elapsed() > BUDGET {
                break;
            }
        }
        if started.elapsed() > BUDGET {
            break;
        }
    }
    deleted
}

/// One round on one db: (keys with TTL sampled, keys deleted).
fn round(store: &Store, db: usize) -> (usize, usize) {
    let handle = store.db(db);
    let mut expired_keys = Vec::new();
    let mut sampled = 0;
    {
        let _g = store.shared();
        let ks = store.keyspace(db);
        if ks.volatile() == 0 {
            return (0, 0);
        }
        let now = store.now_ms();
        let pos = ks.expire_cursor.load(Ordering::Relaxed);
        let mut si = (pos >> 40) as usize % ks.shard_count();
        let mut bucket = (pos & ((1 << 40) - 1)) as usize;
        let mut budget = MAX_BUCKETS;
        let mut wrapped = 0;
        while sampled < SAMPLE && budget > 0 && wrapped <= ks.shard_count() {
            let next = ks
                .visit_buckets(si, bucket, None, budget, |k, e| {
                    if sampled >= SAMPLE {
                        return false;
                    }
                    if e.expire_at != 0 {
                        sampled += 1;
                        if e.is_expired(now) {
                            expired_keys.push(bytes::Bytes::copy_from_slice(k));
                        }
                    }
                    true
                })
                .next;
            match next {
                Some(n) => {
                    budget = budget.saturating_sub(n.saturating_sub(bucket).max(1));
                    bucket = n;
                }
                None => {
                    budget = budget.saturating_sub(1);
                    si = (si + 1) % ks.shard_count();
                    bucket = 0;
                    wrapped += 1;
                }
            }
        }
        ks.expire_cursor
            .store(((si as u64) << 40) | bucket as u64, Ordering::Relaxed);
    }
    // A round that wrapped around every shard may have seen a key twice: delete (and count)
    // each once.
    expired_keys.sort_unstable();
    expired_keys.dedup();
    let mut n = 0;
    for k in expired_keys {
        // `exists` goes through the lazy-expiry path, which deletes the key if still expired.
        if handle.exists(&[&k[..]]) == 0 {
            n += 1;
        }
    }
    (sampled, n)
}
