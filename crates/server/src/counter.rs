//! Counters written by every connection and read rarely (INFO): striped per thread, so that
//! two CPUs counting commands do not pass one cache line back and forth on every command.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Stripes per counter (threads are spread over them).
pub(crate) const STRIPES: usize = 16;

/// This thread's stripe, below [`STRIPES`].
pub(crate) fn stripe() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
    }
    STRIPE.with(|s| *s)
}

/// A value on a cache line of its own (one stripe of a striped count).
#[derive(Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

/// A `u64` counter: [`Counter::add`] touches only the calling thread's stripe,
/// [`Counter::get`] sums them.
pub struct Counter(Box<[Padded<AtomicU64>]>);

impl Default for Counter {
    fn default() -> Self {
        Counter((0..STRIPES).map(|_| Padded::default()).collect())
    }
}

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.get())
    }
}

impl Counter {
    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.0[stripe()].0.fetch_add(n, Ordering::Relaxed);
    }

    /// The total.
    pub fn get(&self) -> u64 {
        self.0
            .iter()
            .fold(0u64, |t, c| t.wrapping_add(c.0.load(Ordering::Relaxed)))
    }

    /// Back to 0 (CONFIG RESETSTAT; counts racing with it may survive, as in Redis's
    /// threaded I/O).
    pub fn reset(&self) {
        for c in self.0.iter() {
            c.0.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_over_threads_and_resets() {
        let c = std::sync::Arc::new(Counter::default());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || (0..1000).for_each(|_| c.add(2)))
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(c.get(), 8000);
        c.reset();
        assert_eq!(c.get(), 0);
        c.add(5);
        assert_eq!(c.get(), 5);
    }
}
