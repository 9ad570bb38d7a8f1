//! Change tracking for WATCH.
//!
//! A registry maps watched `(db, key)` pairs to a version counter. Every write path of the store
//! reports the keys it changed; when no key is watched at all (the common case) that report is a
//! single relaxed atomic load. A [`WatchToken`] remembers the version it saw and, if the key had
//! a TTL, its deadline: a key that expires after being watched counts as changed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use parking_lot::Mutex;

#[derive(Debug)]
struct Slot {
    refs: usize,
    version: u64,
}

/// The registry of watched keys (shared by the store and its tokens).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    active: AtomicUsize,
    keys: Mutex<HashMap<(usize, Bytes), Slot>>,
}

impl Registry {
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst) != 0
    }

    /// Registers interest and returns the current version.
    fn register(&self, db: usize, key: &[u8]) -> u64 {
        self.active.fetch_add(1, Ordering::SeqCst);
        let mut keys = self.keys.lock();
        let slot = keys
            .entry((db, Bytes::copy_from_slice(key)))
            .or_insert(Slot {
                refs: 0,
                version: 0,
            });
        slot.refs += 1;
        slot.version
    }

    fn release(&self, db: usize, key: &Bytes) {
        let mut keys = self.keys.lock();
        let k = (db, key.clone());
        if let Some(slot) = keys.get_mut(&k) {
            slot.refs -= 1;
            if slot.refs == 0 {
                keys.remove(&k);
            }
        }
        drop(keys);
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    fn version(&self, db: usize, key: &Bytes) -> u64 {
        self.keys
            .lock()
            .get(&(db, key.clone()))
            .map_or(0, |s| s.version)
    }

    /// Marks a key changed (no-op unless watched).
    #[inline]
    pub(crate) fn touch(&self, db: usize, key: &[u8]) {
        if !self.is_active() {
            return;
        }
        self.touch_slow(db, key);
    }

    #[cold]
    fn touch_slow(&self, db: usize, key: &[u8]) {
        let mut keys = self.keys.lock();
        // Lookup needs an owned key; only paid when something is watched.
        if let Some(slot) = keys.get_mut(&(db, Bytes::copy_from_slice(key))) {
            slot.version += 1;
        }
    }

    /// The watched keys of a db (for FLUSHDB / SWAPDB, which touch only keys that exist).
    pub(crate) fn keys_of(&self, db: usize) -> Vec<Bytes> {
        if !self.is_active() {
            return Vec::new();
        }
        self.keys
            .lock()
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect()
    }
}

/// A watched key, from [`crate::Store::watch`]. Dropping it stops the watch.
///
/// Check it with [`crate::Store::watch_changed`] (inside [`crate::Store::exclusive`] when
/// running EXEC, so nothing can change between the check and the transaction).
#[derive(Debug)]
pub struct WatchToken {
    registry: Arc<Registry>,
    db: usize,
    key: Bytes,
    version: u64,
    /// The key's deadline when watched, if it existed with a TTL.
    expire_at: Option<u64>,
}

impl WatchToken {
    pub(crate) fn new(registry: Arc<Registry>, db: usize, key: &[u8]) -> WatchToken {
        let version = registry.register(db, key);
        WatchToken {
            registry,
            db,
            key: Bytes::copy_from_slice(key),
            version,
            expire_at: None,
        }
    }

    pub(crate) fn set_expire_at(&mut self, at: Option<u64>) {
        self.expire_at = at;
    }

    /// The database index of the watched key.
    pub fn db(&self) -> usize {
        self.db
    }

    /// The watched key.
    pub fn key(&self) -> &Bytes {
        &self.key
    }

    pub(crate) fn changed(&self, now: u64) -> bool {
        if self.registry.version(self.db, &self.key) != self.version {
            return true;
        }
        matches!(self.expire_at, Some(at) if at <= now)
    }
}

impl Drop for WatchToken {
    fn drop(&mut self) {
        self.registry.release(self.db, &self.key);
    }
}
