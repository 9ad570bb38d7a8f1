//! Access metadata kept per entry for eviction (a later issue adds the policies).
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
