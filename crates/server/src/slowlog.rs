//! The slow log (SLOWLOG GET/LEN/RESET): commands slower than `slowlog-log-slower-than` µs.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use bytes::Bytes;
use parking_lot::Mutex;

/// One slow log entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Increasing id.
    pub id: u64,
    /// Unix time (s) the command ran.
    pub time: u64,
    /// Duration in microseconds.
    pub micros: u64,
    /// Arguments (at most 32; long ones cut as Redis does).
    pub argv: Vec<Bytes>,
    /// Client `ip:port`.
    pub addr: String,
    /// Client name.
    pub name: Bytes,
}

/// The slow log.
#[derive(Debug)]
pub struct SlowLog {
    threshold_us: AtomicI64,
    max_len: AtomicU64,
    next_id: AtomicU64,
    entries: Mutex<VecDeque<Entry>>,
}

impl SlowLog {
    /// A slow log with the given threshold (µs, negative: off) and length.
    pub fn new(threshold_us: i64, max_len: usize) -> SlowLog {
        SlowLog {
            threshold_us: AtomicI64::new(threshold_us),
            max_len: AtomicU64::new(max_len as u64),
            next_id: AtomicU64::new(0),
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// Changes the settings.
    pub fn configure(&self, threshold_us: i64, max_len: usize) {
        self.threshold_us.store(threshold_us, Ordering::Relaxed);
        self.max_len.store(max_len as u64, Ordering::Relaxed);
        let mut e = self.entries.lock();
        while e.len() > max_len {
            e.pop_back();
        }
    }

    /// Whether a command that took `micros` must be logged.
    #[inline]
    pub fn is_slow(&self, micros: u64) -> bool {
        let t = self.threshold_us.load(Ordering::Relaxed);
        t >= 0 && micros >= t as u64
    }

    /// Logs a command.
    pub fn push(&self, argv: &[Bytes], micros: u64, addr: String, name: Bytes, now_s: u64) {
        const MAX_ARGS: usize = 32;
        const MAX_ARG_LEN: usize = 128;
        let mut args: Vec<Bytes> = Vec::new();
        let n = argv.len().min(MAX_ARGS);
        for (i, a) in argv.iter().take(n).enumerate() {
            if i == MAX_ARGS - 1 && argv.len() > MAX_ARGS {
                args.push(Bytes::from(format!(
                    "... ({} more arguments)",
                    argv.len() - MAX_ARGS + 1
                )));
            } else if a.len() > MAX_ARG_LEN {
                let mut s = a[..MAX_ARG_LEN].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", a.len() - MAX_ARG_LEN).as_bytes(),
                );
                args.push(Bytes::from(s));
            } else {
                args.push(a.clone());
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut e = self.entries.lock();
        e.push_front(Entry {
            id,
            time: now_s,
            micros,
            argv: args,
            addr,
            name,
        });
        let max = self.max_len.load(Ordering::Relaxed) as usize;
        while e.len() > max {
            e.pop_back();
        }
    }

    /// The newest `count` entries.
    pub fn get(&self, count: usize) -> Vec<Entry> {
        self.entries.lock().iter().take(count).cloned().collect()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.lock().is_empty()
    }

    /// Empties the log.
    pub fn reset(&self) {
        self.entries.lock().clear();
    }
}
