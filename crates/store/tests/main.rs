//! Integration tests of the store's public API, one module per area.

use std::sync::Arc;

use store::{ManualClock, Store};

/// Many threads: atomic multi-key operations, exact counters.
mod concurrency;
/// maxmemory: every eviction policy, OOM refusals, the bound under a flood, used_memory vs RSS.
mod eviction;
/// The EXPIRE family, TTL reads, lazy and active expiry (with a manual clock).
mod expiry;
/// Hashes: every H* operation, encodings, HRANDFIELD, HSCAN.
mod hashes;
/// Generic keys: EXISTS/TYPE/DEL/RENAME/COPY/MOVE/SWAPDB/FLUSH*/RANDOMKEY/DBSIZE/KEYS.
mod keys;
/// Random operation sequences against a BTreeMap model (proptest).
mod model;
/// Strings: GET/SET options, GETDEL/GETEX, APPEND, ranges, counters, MGET/MSET.
mod strings;
/// WATCH tokens.
mod watch;

/// Start time of every test clock (ms since the epoch).
pub const T0: u64 = 1_700_000_000_000;

/// A store on a manual clock reading [`T0`].
pub fn store() -> (Store, ManualClock) {
    let clock = ManualClock::new(T0);
    let st = Store::builder().clock(Arc::new(clock.clone())).build();
    (st, clock)
}

/// `Bytes` from a literal.
pub fn b(s: &str) -> bytes::Bytes {
    bytes::Bytes::copy_from_slice(s.as_bytes())
}
